import factory
from django.contrib.auth import get_user_model

from mairie.models import Affectation, Collectivite, Role

PASSWORD = "mot-de-passe-de-test"


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
