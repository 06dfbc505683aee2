from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from mairie.management.commands.import_cog import BUNDLED
from mairie.services import import_cog
from recensement.models import DemandeEnLigne, Recense
from tests.factories import ElecteurFactory, RecenseFactory


@pytest.fixture
def pays_2025(db) -> None:
    import_cog({"pays": BUNDLED / "pays.csv"})


def born_abroad(collectivite, code: str, pays: str, **fields) -> Recense:
    return RecenseFactory(
        collectivite=collectivite,
        naissance_code_lieu=code,
        naissance_commune="Ville",
        naissance_departement="",
        naissance_pays=pays,
        **fields,
    )


def demande(collectivite, donnees: dict) -> DemandeEnLigne:
    return DemandeEnLigne.objects.create(
        collectivite=collectivite,
        identifiant="HUBEE-1",
        sha256="0" * 64,
        date_soumission=timezone.now(),
        fichier_xml="demandes/1.xml",
        nom_fichier_xml="1.xml",
        donnees=donnees,
    )


def run(*args: str) -> str:
    out = StringIO()
    call_command("verifier_codes_pays", *args, stdout=out)
    return out.getvalue()


def test_it_lists_per_collectivite_the_codes_whose_meaning_changed(side_a, side_b, pays_2025):
    feroe = born_abroad(side_a.collectivite, "99101", "Îles Féroé", mere_nationalite="99132")
    aruba = demande(
        side_b.collectivite, {"naissance_code_lieu": "99135", "naissance_pays": "Aruba"}
    )
    cook = ElecteurFactory(
        collectivite=side_b.collectivite,
        nom_naissance="TAVITA",
        prenoms="Mere",
        naissance_code_lieu="99502",
        naissance_commune="Avarua",
        naissance_departement="",
        naissance_pays="Îles Cook",
    )
    out = run()
    saint_malo, ajaccio = out.index("Saint-Malo (35288)"), out.index("Ajaccio (2A004)")
    assert ajaccio < saint_malo  # collectivités in name order
    assert (
        f"recensé n° {feroe.pk} : {feroe} — code INSEE du lieu (naissance) : 99101 "
        "(nom enregistré : « Îles Féroé »)\n"
        "    ancien référentiel : Danemark ou Îles Féroé ; INSEE 2025 : Danemark ; "
        "désormais Féroé : 99158"
    ) in out[saint_malo:]
    assert (
        f"recensé n° {feroe.pk} : {feroe} — nationalité de la mère (code pays INSEE) : 99132\n"
        "    ancien référentiel : Guernesey, Jersey ou Île de Man ; INSEE 2025 : Royaume-Uni ; "
        "désormais Dépendances de la Couronne britannique : 99161"
    ) in out[saint_malo:]
    in_ajaccio = out[ajaccio:saint_malo]
    assert (
        f"n° {aruba.pk} : Demande HUBEE-1 (sans nom) — code INSEE du lieu (naissance) : 99135"
        in in_ajaccio
    )
    assert "INSEE 2025 : Pays-Bas ; désormais Aruba : 99431" in in_ajaccio
    assert (
        f"électeur n° {cook.pk} : TAVITA Mere — lieu de naissance : 99502 "
        "(nom enregistré : « Îles Cook »)" in in_ajaccio
    )
    assert out.endswith("4 valeur(s) à vérifier dans 2 collectivité(s) ; aucune donnée modifiée.\n")


def test_it_changes_nothing(side_a, pays_2025):
    feroe = born_abroad(side_a.collectivite, "99101", "Îles Féroé", pere_nationalite="99135")
    modifie_le, history = feroe.modifie_le, feroe.history.count()
    run()
    feroe.refresh_from_db()
    assert (feroe.naissance_code_lieu, feroe.naissance_pays, feroe.pere_nationalite) == (
        "99101",
        "Îles Féroé",
        "99135",
    )
    assert (feroe.modifie_le, feroe.history.count()) == (modifie_le, history)


def test_it_reports_a_code_the_country_table_does_not_know(side_a, pays_2025):
    unknown = RecenseFactory(collectivite=side_a.collectivite, double_nationalite="99999")
    out = run()
    assert f"{unknown} — double nationalité (code pays INSEE) : 99999" in out
    assert "    code absent du référentiel des pays" in out


def test_codes_that_kept_their_meaning_are_not_listed(side_a, pays_2025):
    born_abroad(side_a.collectivite, "99134", "Espagne", mere_nationalite="99134")
    born_abroad(side_a.collectivite, "99425", "Anguilla")  # now the group holding Anguilla
    RecenseFactory(collectivite=side_a.collectivite)  # born in Saint-Malo, French parents
    demande(side_a.collectivite, {"naissance_code_lieu": "35288", "naissance_pays": "France"})
    assert run() == "0 valeur(s) à vérifier dans 0 collectivité(s) ; aucune donnée modifiée.\n"


def test_it_looks_at_one_collectivite_when_asked(side_a, side_b, pays_2025):
    born_abroad(side_a.collectivite, "99101", "Îles Féroé")
    born_abroad(side_b.collectivite, "99132", "Jersey")
    out = run("--commune", "2A004")
    assert "Ajaccio" in out and "Saint-Malo" not in out
    assert "99132 (nom enregistré : « Jersey »)" in out


def test_it_needs_the_country_table(side_a):
    born_abroad(side_a.collectivite, "99101", "Îles Féroé")
    with pytest.raises(CommandError, match="référentiel des pays est vide"):
        run()
