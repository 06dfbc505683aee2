"""Data migrations, run on a real database: from the state before to the state after."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("electoral", "0005_electeur_search_statistics")]
AFTER = [("electoral", "0006_bureau_code_4_chiffres")]


@pytest.fixture
def migrate(transactional_db):
    def to(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield to
    to(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_existing_bureau_codes_and_birth_departements_take_their_stored_form(migrate, capsys):
    apps = migrate(BEFORE)
    Collectivite = apps.get_model("mairie", "Collectivite")
    BureauDeVote = apps.get_model("electoral", "BureauDeVote")
    Electeur = apps.get_model("electoral", "Electeur")
    town = Collectivite.objects.create(code_insee="35288", nom="Saint-Malo", departement="035")
    BureauDeVote.objects.create(collectivite=town, code="1", libelle="École")
    BureauDeVote.objects.create(collectivite=town, code="2", libelle="Gymnase")
    BureauDeVote.objects.create(collectivite=town, code="0002", libelle="Déjà pris")
    BureauDeVote.objects.create(collectivite=town, code="B3", libelle="Lettres")
    for departement in ("35", "035", "99", "2A", ""):
        Electeur.objects.create(
            collectivite=town,
            sexe="F",
            nom_naissance=f"NEE {departement}",
            prenoms="ANNE",
            naissance_departement=departement,
        )

    apps = migrate(AFTER)

    codes = apps.get_model("electoral", "BureauDeVote").objects.values_list("libelle", "code")
    assert dict(codes) == {"École": "0001", "Gymnase": "2", "Déjà pris": "0002", "Lettres": "B3"}
    births = apps.get_model("electoral", "Electeur").objects.values_list(
        "nom_naissance", "naissance_departement"
    )
    assert dict(births) == {
        "NEE 35": "035",
        "NEE 035": "035",
        "NEE 99": "",
        "NEE 2A": "02A",
        "NEE ": "",
    }
    said = capsys.readouterr().out
    assert "Codes de bureau complétés sur 4 chiffres : 1." in said
    assert "Codes de bureau à corriger à la main : '2' (collectivité" in said and "'B3'" in said
    assert "Départements de naissance sur 3 caractères : 2 ; « 99 » (étranger) vidé : 1." in said


def test_files_refused_before_show_refused_not_to_confirm(migrate):
    apps = migrate([("electoral", "0006_bureau_code_4_chiffres")])
    Collectivite = apps.get_model("mairie", "Collectivite")
    ImportReu = apps.get_model("electoral", "ImportReu")
    User = apps.get_model("auth", "User")
    town = Collectivite.objects.create(code_insee="35288", nom="Saint-Malo", departement="035")
    agent = User.objects.create(username="agent")
    for name, rapport in (("refuse.csv", {"refusal": "Le fichier est vide."}), ("bon.csv", {})):
        ImportReu.objects.create(
            collectivite=town, fichier=name, nom_fichier=name, taille=1, cree_par=agent,
            statut="apercu", rapport={"refusal": "", **rapport},
        )  # fmt: skip

    apps = migrate([("electoral", "0007_import_refuse")])

    statuts = dict(
        apps.get_model("electoral", "ImportReu").objects.values_list("nom_fichier", "statut")
    )
    assert statuts == {"refuse.csv": "refuse", "bon.csv": "apercu"}
