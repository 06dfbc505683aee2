import datetime

import factory
from django.contrib.auth import get_user_model

from electoral.models import BureauDeVote, Electeur, Voie
from mairie.models import Affectation, Collectivite, Role, Sexe
from recensement.models import Recense, SituationScolaire

PASSWORD = "mot-de-passe-de-test"


def letters(number: int) -> str:
    """A sequence number written in letters, for names (no digit in a name): 0 -> A, 26 -> AA."""
    word = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        word = chr(ord("A") + rest) + word
    return word


class CollectiviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collectivite
        django_get_or_create = ["code_insee"]

    code_insee = factory.Sequence(lambda n: f"{35001 + n:05d}")
    nom = factory.Sequence(lambda n: f"Commune {n}")
    maire_nom = "DUPONT"
    maire_prenom = "Jeanne"
    responsable_nom = "MARTIN"
    responsable_prenom = "Sophie"
    responsable_qualite = "Adjoint administratif"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = "Agent"
    last_name = factory.Sequence(lambda n: f"Numéro {n}")
    password = factory.django.Password(PASSWORD)


class AffectationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affectation

    user = factory.SubFactory(UserFactory)
    collectivite = factory.SubFactory(CollectiviteFactory)
    role = Role.RESPONSABLE


class RecenseFactory(factory.django.DjangoModelFactory):
    """A French-born 16-year-old registering in the legal window, both parents declared."""

    class Meta:
        model = Recense

    collectivite = factory.SubFactory(CollectiviteFactory)
    date_recensement = datetime.date(2026, 2, 10)
    sexe = Sexe.FEMININ
    nom_naissance = factory.Sequence(lambda n: f"DURAND-{letters(n)}")
    prenoms = "Chloé Marie"
    date_naissance = datetime.date(2010, 1, 12)
    naissance_code_lieu = "35288"
    naissance_commune = "Saint-Malo"
    naissance_departement = "035"
    naissance_pays = "France"
    domicile_numero = "12 BIS"
    domicile_voie = "Rue des Lilas"
    domicile_code_postal = "35400"
    domicile_code_lieu = "35288"
    domicile_commune = "Saint-Malo"
    domicile_departement = "035"
    domicile_pays = "France"
    telephone_portable = "0612345678"
    courriel = "chloe.durand@example.fr"
    pere_nom = "DURAND"
    pere_prenoms = "Jean"
    pere_nationalite = "99100"
    mere_nom = "LEROY"
    mere_prenoms = "Anne"
    mere_nationalite = "99100"
    situation_scolaire = SituationScolaire.SECONDAIRE
    etablissement = "Lycée Jacques Cartier"


class BureauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BureauDeVote
        django_get_or_create = ["collectivite", "code"]

    collectivite = factory.SubFactory(CollectiviteFactory)
    code = factory.Sequence(lambda n: f"{n + 1:04d}")
    libelle = factory.Sequence(lambda n: f"École n° {n + 1}")


class VoieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Voie

    collectivite = factory.SubFactory(CollectiviteFactory)
    type_voie = "Rue"
    libelle = factory.Sequence(lambda n: f"des Tilleuls {n}")
    code_postal = "35400"


class ElecteurFactory(factory.django.DjangoModelFactory):
    """A voter not yet on any list: put them on one with electoral.services.inscrire. Their
    état civil fills every mandatory column of the list files; on a complementary list they
    also need a nationalite."""

    class Meta:
        model = Electeur

    collectivite = factory.SubFactory(CollectiviteFactory)
    sexe = "F"
    nom_naissance = factory.Sequence(lambda n: f"BERNARD-{letters(n)}")
    prenoms = "Louise"
    date_naissance = datetime.date(1980, 5, 4)
    naissance_code_lieu = "35288"
    naissance_commune = "Saint-Malo"
    naissance_departement = "035"
    naissance_pays = "France"
    numero_voie = "3"
    type_voie = "Rue"
    libelle_voie = "des Tilleuls"
    code_postal = "35400"
    ville = "Saint-Malo"
