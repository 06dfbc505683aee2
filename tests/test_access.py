"""Every URL pattern of the project, walked from the resolver: who may open it, and whether an
agent of collectivité A can reach collectivité B's objects through it.

A new URL pattern without an entry in ACCESS makes `test_every_url_has_an_access_entry` fail:
add its entry (its role, and how to point it at B's objects) when you add the view.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from electoral.models import (
    BureauDeVote,
    CarteRevenue,
    Decoupage,
    Electeur,
    ImportReu,
    Inscription,
    MembreCommission,
    Mouvement,
    Procuration,
    ReunionCommission,
    Scrutin,
    TirageJures,
)
from electoral.services import inscrire
from exports.models import Export
from exports.services import run_export
from mairie.models import Role
from recensement.attestation import Signataire, issue_attestation
from recensement.models import Attestation, DemandeEnLigne, PieceJointe, Recense, Trimestre
from tests.conftest import Side, agent_with_role
from tests.factories import BureauFactory, ElecteurFactory, RecenseFactory, VoieFactory

ADMIN = "admin"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@dataclass(frozen=True)
class Access:
    role: str | None = None  # None: any agent of the collectivité
    public: bool = False  # reachable without login (login page only)
    methods: tuple[str, ...] = ("get",)  # the first one for the login and role checks
    # Builds (url kwargs, POST data) aimed at collectivité B's objects; None: no object in it.
    foreign: Callable[[Side], tuple[dict, dict]] | None = None
    sample_kwargs: dict = field(default_factory=dict)

    @property
    def method(self) -> str:
        return self.methods[0]


def b_recense(side: Side) -> tuple[dict, dict]:
    return {"pk": RecenseFactory(collectivite=side.collectivite).pk}, {}


def b_recense_with_attestation(side: Side) -> tuple[dict, dict]:
    recense = RecenseFactory(collectivite=side.collectivite)
    issue_attestation(recense, side.agent, Signataire.MAIRE)
    return {"pk": recense.pk}, {"motif": "essai", "signataire": Signataire.MAIRE}


def b_demande(side: Side) -> tuple[dict, dict]:
    pdf = Path(settings.MEDIA_ROOT) / "demandes" / f"{side.collectivite.code_insee}-RC-B.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    demande = DemandeEnLigne.objects.create(
        collectivite=side.collectivite,
        identifiant="RC-B",
        sha256="0" * 64,
        date_soumission="2026-02-09T10:00:00+01:00",
        fichier_xml="demandes/absent.xml",
        nom_fichier_xml="demande.xml",
        fichier_pdf=str(pdf.relative_to(settings.MEDIA_ROOT)),
        nom_fichier_pdf="demande.pdf",
        donnees={"nom_naissance": "DURAND", "prenoms": "Léa", "date_naissance": "2010-01-12"},
    )
    return {"pk": demande.pk}, {"motif": "essai", "situation_scolaire": "S"}


def b_piece_jointe(side: Side) -> tuple[dict, dict]:
    kwargs, data = b_demande(side)
    demande = DemandeEnLigne.objects.get(pk=kwargs["pk"])
    piece = PieceJointe.objects.create(
        demande=demande, fichier=demande.fichier_pdf, nom="piece.pdf", taille=15
    )
    return {"pk": demande.pk, "piece": piece.pk}, data


def b_export(side: Side) -> tuple[dict, dict]:
    RecenseFactory(collectivite=side.collectivite, numero_inscription=1)
    export = run_export(side.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    return {"pk": export.pk}, {"etat": "pec_terminee", "message": ""}


def b_electeur(side: Side) -> tuple[dict, dict]:
    # On a list: a voter on none has nothing to radiate, and its radiation page says so.
    bureau = BureauFactory(collectivite=side.collectivite, code="0042")
    voter = ElecteurFactory(collectivite=side.collectivite, bureau=bureau)
    inscrire(voter, "p", "volontaire", datetime.date(2026, 3, 1), None)
    return {"pk": voter.pk}, {"liste": "p", "motif": "deces", "date_effet": "2026-03-01"}


def b_bureau(side: Side) -> tuple[dict, dict]:
    bureau = BureauFactory(collectivite=side.collectivite)
    return {"pk": bureau.pk}, {"liste": "p", "code": "9999", "libelle": "Pirate"}


def b_voie(side: Side) -> tuple[dict, dict]:
    voie = VoieFactory(collectivite=side.collectivite)
    return {"pk": voie.pk}, {"parite": "tous", "bureau": ""}


def b_decoupage(side: Side) -> tuple[dict, dict]:
    voie = VoieFactory(collectivite=side.collectivite)
    bureau = BureauFactory(collectivite=side.collectivite)
    return {"pk": Decoupage.objects.create(voie=voie, bureau=bureau).pk}, {}


def b_import(side: Side) -> tuple[dict, dict]:
    pending = ImportReu.objects.create(
        collectivite=side.collectivite,
        fichier="imports/absent.csv",
        nom_fichier="extraction.csv",
        taille=10,
        cree_par=side.agent,
    )
    return {"pk": pending.pk}, {"decision": "abandonner"}


def b_procuration(side: Side) -> tuple[dict, dict]:
    kwargs, _ = b_electeur(side)
    mandant = Electeur.objects.get(pk=kwargs["pk"])
    today = datetime.date.today()
    given = Procuration.objects.create(
        collectivite=side.collectivite,
        mandant=mandant,
        mandataire_ine="900000001",
        mandataire_nom="MARTIN",
        mandataire_prenoms="Paul",
        debut=today,
        fin=today,
        etablie_le=today,
        etablie_par="Commissariat",
    )
    return {"pk": given.pk}, {}


def b_tirage(side: Side) -> tuple[dict, dict]:
    tirage = TirageJures.objects.create(
        collectivite=side.collectivite,
        annee=2026,
        nombre=1,
        liste_au=datetime.date(2026, 1, 1),
        graine="x",
        eligibles=0,
    )
    return {"pk": tirage.pk}, {}


def b_membre(side: Side) -> tuple[dict, dict]:
    membre = MembreCommission.objects.create(
        collectivite=side.collectivite, nom="PIRATE", prenoms="Jean", qualite="conseiller"
    )
    return {"pk": membre.pk}, {}


def b_reunion(side: Side) -> tuple[dict, dict]:
    reunion = ReunionCommission.objects.create(
        collectivite=side.collectivite,
        date=datetime.date(2026, 6, 1),
        heure=datetime.time(18),
        depuis=datetime.date(2026, 1, 1),
    )
    return {"pk": reunion.pk}, {"decision": "maintenue"}


PK = {"pk": 1}
ELECTIONS = Role.ELECTIONS


ACCESS: dict[str, Access] = {
    "home": Access(),
    "login": Access(public=True),
    "logout": Access(methods=("post",)),
    "choose_collectivite": Access(
        methods=("post",), foreign=lambda b: ({}, {"collectivite": b.collectivite.pk})
    ),
    "commune_autocomplete": Access(),
    "aide": Access(),
    "recensement:index": Access(role=Role.RECENSEMENT),
    "recensement:create": Access(role=Role.RECENSEMENT),
    "recensement:trimestres": Access(role=Role.RECENSEMENT),
    "recensement:statistiques": Access(role=Role.RECENSEMENT),
    "recensement:numerotation": Access(role=Role.RECENSEMENT, methods=("get", "post")),
    "recensement:detail": Access(role=Role.RECENSEMENT, foreign=b_recense, sample_kwargs=PK),
    "recensement:edit": Access(
        role=Role.RECENSEMENT, methods=("get", "post"), foreign=b_recense, sample_kwargs=PK
    ),
    "recensement:delete": Access(
        role=Role.RECENSEMENT, methods=("get", "post"), foreign=b_recense, sample_kwargs=PK
    ),
    "recensement:attestation": Access(
        role=Role.RECENSEMENT, methods=("post",), foreign=b_recense, sample_kwargs=PK
    ),
    "recensement:notice": Access(role=Role.RECENSEMENT, foreign=b_recense, sample_kwargs=PK),
    "recensement:attestation_cancel": Access(
        role=Role.RESPONSABLE,
        methods=("post",),
        foreign=b_recense_with_attestation,
        sample_kwargs=PK,
    ),
    "recensement:demandes": Access(role=Role.RECENSEMENT),
    "recensement:demande_detail": Access(
        role=Role.RECENSEMENT, foreign=b_demande, sample_kwargs=PK
    ),
    "recensement:demande_pdf": Access(role=Role.RECENSEMENT, foreign=b_demande, sample_kwargs=PK),
    "recensement:demande_piece": Access(
        role=Role.RECENSEMENT, foreign=b_piece_jointe, sample_kwargs={"pk": 1, "piece": 1}
    ),
    "recensement:demande_refuser": Access(
        role=Role.RECENSEMENT, methods=("post",), foreign=b_demande, sample_kwargs=PK
    ),
    "recensement:demande_valider": Access(
        role=Role.RECENSEMENT, methods=("get", "post"), foreign=b_demande, sample_kwargs=PK
    ),
    "electoral:index": Access(role=ELECTIONS),
    "electoral:inscription": Access(role=ELECTIONS),
    "electoral:detail": Access(role=ELECTIONS, foreign=b_electeur, sample_kwargs=PK),
    "electoral:modification": Access(
        role=ELECTIONS, methods=("get", "post"), foreign=b_electeur, sample_kwargs=PK
    ),
    "electoral:radiation": Access(
        role=ELECTIONS, methods=("get", "post"), foreign=b_electeur, sample_kwargs=PK
    ),
    "electoral:inscription_liste": Access(
        role=ELECTIONS, methods=("get", "post"), foreign=b_electeur, sample_kwargs=PK
    ),
    "electoral:bureaux": Access(role=ELECTIONS),
    "electoral:bureau_create": Access(role=ELECTIONS),
    "electoral:bureau_edit": Access(
        role=ELECTIONS, methods=("get", "post"), foreign=b_bureau, sample_kwargs=PK
    ),
    "electoral:bureau_refonte": Access(
        role=ELECTIONS, methods=("post",), foreign=b_bureau, sample_kwargs=PK
    ),
    "electoral:voies": Access(role=ELECTIONS),
    "electoral:voie": Access(
        role=ELECTIONS, methods=("get", "post"), foreign=b_voie, sample_kwargs=PK
    ),
    "electoral:decoupage_delete": Access(
        role=ELECTIONS, methods=("post",), foreign=b_decoupage, sample_kwargs=PK
    ),
    "electoral:controle": Access(role=ELECTIONS),
    "electoral:import_reu": Access(role=ELECTIONS),
    "electoral:import_reu_detail": Access(role=ELECTIONS, foreign=b_import, sample_kwargs=PK),
    "electoral:import_reu_decision": Access(
        role=ELECTIONS, methods=("post",), foreign=b_import, sample_kwargs=PK
    ),
    "electoral:procuration": Access(
        role=ELECTIONS, methods=("get", "post"), foreign=b_electeur, sample_kwargs=PK
    ),
    "electoral:procuration_resiliation": Access(
        role=ELECTIONS, methods=("post",), foreign=b_procuration, sample_kwargs=PK
    ),
    "electoral:procurations": Access(role=ELECTIONS),
    "electoral:scrutins": Access(role=ELECTIONS),
    "electoral:statistiques": Access(role=ELECTIONS),
    "electoral:jures": Access(role=ELECTIONS),
    "electoral:cartes_revenues": Access(role=ELECTIONS),
    "electoral:commission": Access(role=ELECTIONS),
    "electoral:membre_retrait": Access(
        role=ELECTIONS, methods=("post",), foreign=b_membre, sample_kwargs=PK
    ),
    "electoral:reunion": Access(
        role=ELECTIONS, methods=("get", "post"), foreign=b_reunion, sample_kwargs=PK
    ),
    "electoral:tirage": Access(role=ELECTIONS, foreign=b_tirage, sample_kwargs=PK),
    "exports:index": Access(),
    "exports:generate": Access(
        role=Role.RECENSEMENT, methods=("post",), sample_kwargs={"kind": "pecoto"}
    ),
    "exports:download": Access(foreign=b_export, sample_kwargs=PK),
    "exports:portal_state": Access(methods=("post",), foreign=b_export, sample_kwargs=PK),
    "exports:status": Access(foreign=b_export, sample_kwargs=PK),
}


def entry(name: str) -> Access:
    """At collection time a URL without entry is skipped here and reported by the test below."""
    return ACCESS.get(name, Access())


# Values for the admin's URL parameters (the admin is staff-only and checked as a whole).
ADMIN_KWARGS = {"app_label": "mairie", "object_id": "1", "content_type_id": "1", "id": "1"}


def walk(resolvers=None, namespace: str = "") -> list[tuple[str, object]]:
    """(full name or raw pattern, pattern) for every URL pattern, namespaces included."""
    found = []
    for entry in get_resolver().url_patterns if resolvers is None else resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"{namespace}<{entry.pattern}>"
            found.append((name, entry))
    return found


def project_urls() -> list[str]:
    return sorted({name for name, _ in walk() if not name.startswith(f"{ADMIN}:")})


def admin_urls() -> list[str]:
    return sorted({name for name, _ in walk() if name.startswith(f"{ADMIN}:")})


def admin_url(name: str) -> str:
    if name.endswith(">"):  # the admin's unnamed catch-all
        return f"/{settings.ADMIN_URL}nimporte-quoi/"
    regex = dict(walk())[name].pattern.regex
    if regex.groupindex:
        return reverse(name, kwargs={key: ADMIN_KWARGS[key] for key in regex.groupindex})
    return reverse(name, args=["1"] * regex.groups)


def test_every_url_has_an_access_entry():
    missing = [name for name in project_urls() if name not in ACCESS]
    assert missing == [], f"URL sans entrée dans ACCESS : {missing}"
    stale = [name for name in ACCESS if name not in project_urls()]
    assert stale == [], f"entrée ACCESS sans URL : {stale}"


@pytest.mark.parametrize("name", project_urls())
def test_anonymous_visitors_are_sent_to_login(client, db, name):
    access = ACCESS[name]
    url = reverse(name, kwargs=access.sample_kwargs)
    response = getattr(client, access.method)(url)
    if access.public:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")


@pytest.mark.parametrize("name", admin_urls())
def test_the_admin_sends_anonymous_visitors_and_agents_to_its_login(client, side_a, name):
    url = admin_url(name)
    anonymous = client.get(url)
    if name == f"{ADMIN}:login":
        assert anonymous.status_code == 200
        return
    assert anonymous.status_code == 302
    assert anonymous["Location"].split("?")[0] in (reverse("login"), reverse("admin:login"))
    if name == f"{ADMIN}:logout":
        return
    agent = side_a.client.get(url)  # an agent who is not staff
    assert agent.status_code == 302
    assert reverse("admin:login") in agent["Location"]


def snapshot() -> list:
    return [
        list(model.objects.order_by("pk").values())
        for model in (
            Recense,
            Attestation,
            Recense.history.model,
            Export,
            Trimestre,
            Electeur,
            Inscription,
            Mouvement,
            BureauDeVote,
            Decoupage,
            ImportReu,
            DemandeEnLigne,
            Procuration,
            Scrutin,
            TirageJures,
            MembreCommission,
            ReunionCommission,
            CarteRevenue,
        )
    ]


@pytest.mark.parametrize(
    ("name", "method"),
    [(n, m) for n in project_urls() if entry(n).foreign for m in entry(n).methods],
)
def test_an_agent_of_a_never_reaches_b_objects(side_a, side_b, name, method):
    access = ACCESS[name]
    kwargs, data = access.foreign(side_b)
    before = snapshot()
    response = getattr(side_a.client, method)(reverse(name, kwargs=kwargs), data)
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", [n for n in project_urls() if entry(n).role])
def test_an_agent_without_the_role_is_refused(side_a, name):
    access = ACCESS[name]
    other = Role.ELECTIONS if access.role == Role.RECENSEMENT else Role.RECENSEMENT
    client = agent_with_role(side_a.collectivite, other, "mauvais-role")
    response = getattr(client, access.method)(reverse(name, kwargs=access.sample_kwargs))
    assert response.status_code == 403
