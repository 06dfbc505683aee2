from exports import tableaux
from exports.exporters import EXPORTERS, Exporter


def concrete_exporters(cls: type[Exporter]) -> set[type[Exporter]]:
    found = set()
    for sub in cls.__subclasses__():
        if "identifier" in vars(sub):
            found.add(sub)
        found |= concrete_exporters(sub)
    return found


def test_every_exporter_is_in_the_one_registry_under_its_identifier():
    exporters = concrete_exporters(Exporter)
    assert {e.identifier for e in exporters} == {
        "pecoto",
        "liste-recenses",
        "notice",
        "recenses-csv",
        "liste-csv",
        "liste-xml",
        "tableau",
        "liste-bureau-pdf",
        "emargement",
        "cartes",
        "cartes-revenues",
        "registre-procurations",
        "jures-pv",
        "jures-liste",
        "jures-csv",
        "commission-convocations",
        "commission-registre",
    }
    assert {e.identifier: e for e in exporters} == EXPORTERS


def test_the_tableau_module_is_a_format_defining_no_exporter():
    assert not [value for value in vars(tableaux).values() if value in EXPORTERS.values()]
    assert "forms" not in vars(tableaux)
