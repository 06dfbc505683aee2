"""Demo registrants (`manage.py demo --recenses N`): fake but realistic French young people,
registered in the collectivité over the last six quarters.

Every person is drawn from a `random.Random` seeded with the collectivité's INSEE code and the
person's index, so two runs produce the same people; a run only tops the collectivité up to N
registrants and never deletes. Names, streets and schools are built-in lists (Faker is a test-only
dependency); French birthplaces come from the COG communes of the collectivité's département when
they have been imported.
"""

import datetime
import random
import re
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from mairie.demo import DemoPart
from mairie.demo_names import NOMS
from mairie.models import (
    Collectivite,
    Commune,
    Sexe,
    TypeCommune,
    departement_as_written,
    departement_of,
)
from mairie.text import strip_accents
from recensement.demandes import Upload, import_uploads
from recensement.models import (
    FRANCE,
    Diplome,
    Nationalite,
    Pupille,
    Recense,
    SituationFamiliale,
    SituationScolaire,
    quarter_of,
)
from recensement.rules import age_on

BATCH_SIZE = 1000
QUARTERS = 6  # the current quarter and the five before it
CHANGE_REASON = "données de démonstration"

PRENOMS_MASCULINS = [
    "Lucas", "Gabriel", "Léo", "Raphaël", "Louis", "Arthur", "Jules", "Adam", "Maël", "Noé",
    "Hugo", "Nathan", "Ethan", "Tom", "Théo", "Paul", "Sacha", "Enzo", "Mathis", "Timéo",
    "Nolan", "Axel", "Yanis", "Clément", "Antoine", "Baptiste", "Jean-Baptiste", "Loïc",
    "Erwan", "Mathéo", "Évan", "Rayan", "Côme", "Mohamed", "Gaël",
]  # fmt: skip
PRENOMS_FEMININS = [
    "Léa", "Chloé", "Zoé", "Emma", "Jade", "Louise", "Alice", "Lina", "Rose", "Anna",
    "Inès", "Manon", "Camille", "Sarah", "Juliette", "Lucie", "Océane", "Maëlys", "Clémence",
    "Noémie", "Éléonore", "Agathe", "Anaïs", "Héloïse", "Nour", "Mélissa", "Aïcha",
    "Marie-Ange", "Anne-Sophie", "Hélène", "Maëlle", "Léonie", "Capucine", "Gwenaëlle", "Élise",
]  # fmt: skip
# Parents were born 20 to 45 years before their child: the first names of their generation.
PRENOMS_PERES = [
    "Nicolas", "Sébastien", "Julien", "Stéphane", "Frédéric", "Christophe", "Laurent",
    "Olivier", "Jérôme", "Cédric", "Guillaume", "David", "Mickaël", "Grégory", "Karim",
    "Yannick", "Thierry", "Éric", "Franck", "Pascal", "Jean-François", "Ludovic",
]  # fmt: skip
PRENOMS_MERES = [
    "Nathalie", "Isabelle", "Sandrine", "Céline", "Stéphanie", "Aurélie", "Émilie", "Virginie",
    "Sophie", "Karine", "Élodie", "Séverine", "Laëtitia", "Delphine", "Valérie", "Caroline",
    "Hélène", "Fatima", "Anne-Laure", "Gaëlle", "Marie-Pierre", "Agnès",
]  # fmt: skip


@dataclass(frozen=True)
class Abroad:
    code: str  # INSEE country code, 99xxx
    pays: str
    villes: tuple[str, ...]
    noms: tuple[str, ...]  # common surnames there, for some of the people born there


PAYS_NAISSANCE = [
    Abroad("99134", "Espagne", ("Madrid", "Barcelone", "Séville"), ("GARCIA", "LOPEZ", "PEREZ")),
    Abroad("99139", "Portugal", ("Lisbonne", "Porto", "Braga"), ("DA SILVA", "PEREIRA", "COSTA")),
    Abroad("99350", "Maroc", ("Casablanca", "Rabat", "Fès"), ("EL AMRANI", "BENNANI", "ALAOUI")),
    Abroad("99352", "Algérie", ("Alger", "Oran", "Constantine"), ("BENALI", "BOUZID", "HAMIDI")),
    Abroad("99131", "Belgique", ("Bruxelles", "Liège", "Namur"), ("PEETERS", "JANSSENS")),
    Abroad("99341", "Sénégal", ("Dakar", "Thiès", "Saint-Louis"), ("N'DIAYE", "DIOP", "FALL")),
    Abroad("99132", "Royaume-Uni", ("Londres", "Manchester"), ("SMITH", "JONES", "TAYLOR")),
    Abroad("99109", "Allemagne", ("Berlin", "Munich", "Francfort"), ("MÜLLER", "SCHMIDT")),
    Abroad("99127", "Italie", ("Rome", "Milan", "Naples"), ("ROSSI", "RUSSO", "BIANCHI")),
    Abroad("99351", "Tunisie", ("Tunis", "Sfax", "Sousse"), ("BEN SALAH", "TRABELSI")),
]

# Large towns with a maternity ward, for the few born outside the collectivité's département.
GRANDES_VILLES = [
    ("35238", "Rennes"),
    ("44109", "Nantes"),
    ("31555", "Toulouse"),
    ("33063", "Bordeaux"),
    ("59350", "Lille"),
    ("29019", "Brest"),
    ("06088", "Nice"),
    ("2B033", "Bastia"),
    ("14118", "Caen"),
    ("69123", "Lyon"),
]

TYPES_VOIE = ["Rue", "Rue", "Rue", "Avenue", "Boulevard", "Impasse", "Chemin", "Allée", "Place"]
NOMS_VOIE = [
    "de la Paix", "Jean Jaurès", "des Tilleuls", "du Moulin", "Victor Hugo", "de la Gare",
    "des Écoles", "du Général de Gaulle", "Pasteur", "des Lilas", "de la République", "du Port",
    "des Mimosas", "Saint-Exupéry", "de l'Église", "des Acacias", "Jules Ferry", "du Stade",
    "de la Mairie", "des Peupliers", "Gambetta", "du Château", "des Rosiers", "de Verdun",
    "Émile Zola", "des Hortensias", "de la Fontaine", "du 8 Mai 1945", "Anatole France",
    "des Genêts",
]  # fmt: skip
RESIDENCES = ["Les Embruns", "Le Clos Fleuri", "Les Jardins du Port", "Les Terrasses", "Le Parc"]
LYCEES = [
    "Lycée Victor Hugo", "Lycée Jules Ferry", "Lycée Marie Curie", "Lycée Jean Moulin",
    "Lycée Simone Veil", "Lycée Chateaubriand", "Lycée Saint-Joseph", "Lycée Jacques Prévert",
    "Lycée Albert Camus", "Lycée Camille Claudel",
]  # fmt: skip
LYCEES_PROFESSIONNELS = [
    ("Lycée professionnel Jean Monnet", "Bac pro métiers du commerce et de la vente"),
    ("Lycée professionnel Louis Armand", "Bac pro maintenance des véhicules"),
    ("Lycée professionnel Les Rimains", "Bac pro cuisine"),
]
CFAS = [
    "CFA de la Chambre de métiers",
    "CFA du Bâtiment",
    "CFA de l'Industrie",
    "CFA agricole",
    "Campus des métiers",
]
# (masculine, feminine, speciality prepared)
METIERS = [
    ("boulanger", "boulangère", "CAP boulanger"),
    ("cuisinier", "cuisinière", "CAP cuisine"),
    ("électricien", "électricienne", "CAP électricien"),
    ("coiffeur", "coiffeuse", "CAP métiers de la coiffure"),
    ("mécanicien automobile", "mécanicienne automobile", "CAP maintenance des véhicules"),
    ("menuisier", "menuisière", "CAP menuisier fabricant"),
    ("pâtissier", "pâtissière", "CAP pâtissier"),
    ("fleuriste", "fleuriste", "CAP fleuriste"),
    ("plombier", "plombière", "CAP monteur en installations sanitaires"),
]

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class _Context:
    collectivite: Collectivite
    departement: str  # 3 characters: 035, 02A, 971
    code_postal: str
    fixe: str  # the two first digits of the local landlines
    communes: list[tuple[str, str]]  # (code, libellé) of the département's communes
    start: datetime.date
    today: datetime.date


def _quarters_start(today: datetime.date, quarters: int) -> datetime.date:
    """First day of the quarter `quarters - 1` quarters before today's."""
    index = today.year * 4 + (quarter_of(today) - 1) - (quarters - 1)
    return datetime.date(index // 4, (index % 4) * 3 + 1, 1)


def _postal_code(collectivite: Collectivite, departement: str) -> str:
    if collectivite.code_postal:
        return collectivite.code_postal
    if departement in ("02A", "02B"):
        return "20000" if departement == "02A" else "20200"
    return f"{departement}00" if departement.startswith("97") else f"{departement[1:]}000"


def _context(collectivite: Collectivite) -> _Context:
    departement = collectivite.departement or departement_of(collectivite.code_insee)
    longest = Recense._meta.get_field("naissance_commune").max_length
    communes = [
        (code, libelle)
        for code, libelle in Commune.objects.filter(
            typecom=TypeCommune.COM, departement_code=departement_as_written(departement)
        )
        .order_by("code")
        .values_list("code", "libelle")
        if len(libelle) <= longest
    ] or [(collectivite.code_insee, collectivite.nom)]
    telephone = collectivite.telephone
    today = timezone.localdate()
    return _Context(
        collectivite=collectivite,
        departement=departement,
        code_postal=_postal_code(collectivite, departement),
        fixe=telephone[:2] if telephone[:2] in ("01", "02", "03", "04", "05") else "",
        communes=communes,
        start=_quarters_start(today, QUARTERS),
        today=today,
    )


def _days(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


def _born_sixteen_years_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 16)
    except ValueError:  # 29 February
        return datetime.date(day.year - 16, 2, 28)


def _slug(value: str) -> str:
    return _NOT_ALNUM.sub("-", strip_accents(value).lower()).strip("-")


def _prenoms(rng: random.Random, names: list[str], weights: tuple[int, ...]) -> str:
    count = rng.choices(range(1, len(weights) + 1), weights=weights)[0]
    return " ".join(rng.sample(names, count))


def _french_place(rng: random.Random, ctx: _Context) -> tuple[str, str, str, str]:
    """(code, commune, département, pays) of a birth in France: mostly in the département."""
    draw = rng.random()
    if draw < 0.35:
        code, commune = ctx.collectivite.code_insee, ctx.collectivite.nom
    elif draw < 0.9:
        code, commune = rng.choice(ctx.communes)
    else:
        code, commune = rng.choice(GRANDES_VILLES)
    return code, commune, departement_of(code), "France"


def _abroad_place(rng: random.Random, abroad: Abroad) -> tuple[str, str, str, str]:
    return abroad.code, rng.choice(abroad.villes), "", abroad.pays


def _phone(rng: random.Random, prefix: str) -> str:
    return f"{prefix}{rng.randrange(10**8):08d}"


def _recensement_dates(
    rng: random.Random, ctx: _Context
) -> tuple[datetime.date, datetime.date, datetime.date | None]:
    """(date_recensement, date_naissance, date_acquisition_nationalite): ~85 % in the legal
    window, ~10 % late (aged 17 to 19), ~5 % having become French after turning 16."""
    recensement = _days(ctx.start, rng.randint(0, (ctx.today - ctx.start).days))
    while recensement.weekday() >= 5:  # the mairie is closed at the weekend
        recensement = _days(ctx.start, rng.randint(0, (ctx.today - ctx.start).days))
    draw = rng.random()
    acquisition = None
    if draw < 0.05:
        sixteen = _days(recensement, -rng.randint(60, 2 * 365))
        if rng.random() < 0.8:  # came within the month
            acquisition = _days(recensement, -rng.randint(0, 28))
        else:
            acquisition = _days(sixteen, rng.randint(1, (recensement - sixteen).days - 35))
    elif draw < 0.15:
        sixteen = _days(recensement, -rng.randint(366, 3 * 365 + 300))
    else:
        sixteen = _days(recensement, -rng.randint(0, 88))
    return recensement, _born_sixteen_years_before(sixteen), acquisition


def _schooling(rng: random.Random, sexe: str, age: int) -> dict[str, str]:
    if rng.random() < 0.12:
        masculin, feminin, specialite = rng.choice(METIERS)
        apprenti = f"Apprenti {masculin}" if sexe == Sexe.MASCULIN else f"Apprentie {feminin}"
        return {
            "situation_scolaire": SituationScolaire.APPRENTISSAGE,
            "etablissement": rng.choice(CFAS),
            "diplome": Diplome.CAP_BEP if age >= 18 and rng.random() < 0.4 else Diplome.BREVET,
            "specialite": specialite,
            "profession": apprenti,
        }
    if rng.random() < 0.2:
        etablissement, specialite = rng.choice(LYCEES_PROFESSIONNELS)
    else:
        etablissement, specialite = rng.choice(LYCEES), ""
    return {
        "situation_scolaire": SituationScolaire.SECONDAIRE,
        "etablissement": etablissement,
        "diplome": Diplome.AUCUN if rng.random() < 0.12 else Diplome.BREVET,
        "specialite": specialite,
        "profession": "",
    }


def _parent(
    rng: random.Random,
    ctx: _Context,
    prefix: str,
    nom: str,
    prenoms: list[str],
    child_born: datetime.date,
    abroad: Abroad | None,
) -> dict:
    place = _abroad_place(rng, abroad) if abroad else _french_place(rng, ctx)
    return {
        f"{prefix}_nom": nom,
        f"{prefix}_prenoms": _prenoms(rng, prenoms, (70, 30)),
        f"{prefix}_date_naissance": _days(child_born, -rng.randint(20 * 365 + 5, 45 * 365)),
        f"{prefix}_naissance_code_lieu": place[0],
        f"{prefix}_naissance_commune": place[1],
        f"{prefix}_naissance_departement": place[2],
        f"{prefix}_naissance_pays": place[3],
        f"{prefix}_nationalite": abroad.code if abroad else FRANCE,
    }


def build_recense(ctx: _Context, index: int, attempt: int = 0) -> Recense:
    """The demo registrant number `index` of the collectivité (another one for each `attempt`),
    not saved, with the fields save() computes already set."""
    collectivite = ctx.collectivite
    rng = random.Random(f"{collectivite.code_insee}:{index}:{attempt}")
    date_recensement, date_naissance, acquisition = _recensement_dates(rng, ctx)
    acquise = acquisition is not None
    if acquise:  # foreign parents, born in their country or in France
        origin = rng.choice(PAYS_NAISSANCE)
        abroad, foreign_name = (origin if rng.random() < 0.7 else None), 0.7
    else:  # French parents, a few living abroad when the child was born
        origin = abroad = rng.choice(PAYS_NAISSANCE) if rng.random() < 0.08 else None
        foreign_name = 0.25
    sexe = rng.choice(Sexe.values)
    prenoms = _prenoms(
        rng, PRENOMS_MASCULINS if sexe == Sexe.MASCULIN else PRENOMS_FEMININS, (30, 50, 20)
    )

    def surname() -> str:
        return rng.choice(origin.noms if origin and rng.random() < foreign_name else NOMS)

    pere_connu = rng.random() >= 0.05
    pere_nom, mere_nom = surname(), surname()
    while mere_nom == pere_nom:
        mere_nom = rng.choice(NOMS)
    nom = pere_nom if pere_connu else mere_nom
    if pere_connu and rng.random() < 0.03:  # double name given at birth
        nom = f"{pere_nom} {mere_nom}"
    nom_usage = ""
    if pere_connu and nom == pere_nom and rng.random() < 0.04:
        nom_usage = f"{nom}-{mere_nom}"

    parents = origin if acquise else None
    fields = {}
    if pere_connu:
        fields |= _parent(rng, ctx, "pere", pere_nom, PRENOMS_PERES, date_naissance, parents)
    fields |= _parent(rng, ctx, "mere", mere_nom, PRENOMS_MERES, date_naissance, parents)
    naissance = _abroad_place(rng, abroad) if abroad else _french_place(rng, ctx)

    numero = ""
    if rng.random() < 0.92:
        numero = str(rng.randint(1, 120))
        if int(numero) < 100 and rng.random() < 0.06:
            numero += rng.choice((" BIS", " TER"))
    complement = ""
    if rng.random() < 0.15:
        complement = rng.choice(
            (
                f"Appartement {rng.randint(1, 60)}",
                f"Bâtiment {rng.choice('ABCDE')}",
                f"Résidence {rng.choice(RESIDENCES)}",
                f"Bâtiment {rng.choice('ABC')}, {rng.randint(1, 6)}e étage",
            )
        )
    prenom = prenoms.split()[0]
    recense = Recense(
        collectivite=collectivite,
        date_recensement=date_recensement,
        sexe=sexe,
        nom_naissance=nom,
        nom_usage=nom_usage,
        prenoms=prenoms,
        date_naissance=date_naissance,
        naissance_code_lieu=naissance[0],
        naissance_commune=naissance[1],
        naissance_departement=naissance[2],
        naissance_pays=naissance[3],
        nationalite=Nationalite.ACQUISE if acquise else Nationalite.NAISSANCE,
        date_acquisition_nationalite=acquisition,
        double_nationalite=origin.code if acquise and rng.random() < 0.5 else "",
        domicile_numero=numero,
        domicile_voie=f"{rng.choice(TYPES_VOIE)} {rng.choice(NOMS_VOIE)}",
        domicile_complement=complement,
        domicile_code_postal=ctx.code_postal,
        domicile_code_lieu=collectivite.code_insee,
        domicile_commune=collectivite.nom,
        domicile_departement=ctx.departement,
        domicile_pays="France",
        telephone_portable=_phone(rng, rng.choice(("06", "07"))) if rng.random() < 0.92 else "",
        telephone_fixe=(
            _phone(rng, ctx.fixe or rng.choice(("02", "04"))) if rng.random() < 0.25 else ""
        ),
        courriel=f"{_slug(prenom)}.{_slug(nom)}@example.fr" if rng.random() < 0.85 else "",
        pere_connu=pere_connu,
        nombre_freres_soeurs=rng.choices(range(5), weights=(20, 40, 25, 10, 5))[0],
        situation_familiale=SituationFamiliale.CELIBATAIRE,
        pupille=Pupille.NON,
        **_schooling(rng, sexe, age_on(date_naissance, date_recensement)),
        **fields,
    )
    recense.prepare()
    return recense


def create_recenses(collectivite: Collectivite, count: int) -> int:
    """Top the collectivité up to `count` registrants (never deletes); returns how many were
    created. A person colliding with an existing one (same names and birth date) is drawn
    again, deterministically."""
    existing = Recense.objects.filter(collectivite=collectivite)
    start = existing.count()
    if count <= start:
        return 0
    taken = set(existing.values_list("identite", "date_naissance"))
    ctx = _context(collectivite)
    recenses = []
    for index in range(start, count):
        attempt = 0
        recense = build_recense(ctx, index)
        while (recense.identite, recense.date_naissance) in taken:
            attempt += 1
            recense = build_recense(ctx, index, attempt)
        taken.add((recense.identite, recense.date_naissance))
        recenses.append(recense)
    bulk_create_with_history(
        recenses, Recense, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON
    )
    return len(recenses)


DEMANDE_PAYS = [("MAR", "Casablanca"), ("ESP", "Séville")]
DEMANDE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<RecensementCitoyen>
  <Formalite>
    <Identifiant>{identifiant}</Identifiant>
    <FormaliteType>DECL</FormaliteType>
    <DateSoumission>{soumission}</DateSoumission>
    <FormaliteMotifCode>RECENSEMENT</FormaliteMotifCode>
    <FormaliteModeCode>AJOUT</FormaliteModeCode>
  </Formalite>
  <Personne>
    <Sexe>{sexe}</Sexe>
    <NomFamille>{nom}</NomFamille>
    <NomUsage></NomUsage>
    <PrenomUsuel>{prenom}</PrenomUsuel>
    <Prenom>{autres}</Prenom>
    <DateNaissance>{naissance}</DateNaissance>
    <PaysNaissance>{pays}</PaysNaissance>
    <Nationalite>FRA</Nationalite>
    <CodeINSEENaissance>{code_naissance}</CodeINSEENaissance>
    <LieuNaissance><Code>COMMUNE</Code><Nom>{lieu}</Nom></LieuNaissance>
    <AdresseDomicile>
      <Complement></Complement>
      <NumeroVoie>{numero}</NumeroVoie>
      <TypeVoie>Rue</TypeVoie>
      <NomVoie>{voie}</NomVoie>
      <CodePostal>{code_postal}</CodePostal>
      <Localite>{commune}</Localite>
      <CodeINSEE>{code_commune}</CodeINSEE>
    </AdresseDomicile>
    <AdresseResidence><NomVoie></NomVoie><CodePostal></CodePostal><CodeINSEE></CodeINSEE></AdresseResidence>
    <SituationFamille>
      <SituationMatrimoniale>Célibataire</SituationMatrimoniale>
      <NombreEnfants>0</NombreEnfants>
      <Pupille>Non</Pupille>
      <NombreFrereSoeur>{freres}</NombreFrereSoeur>
    </SituationFamille>
    <MethodeContact><URI>{courriel}</URI><CanalCode>EMAIL</CanalCode></MethodeContact>
    <MethodeContact><URI>{telephone}</URI><CanalCode>TEL</CanalCode></MethodeContact>
  </Personne>
  <FiliationPere>
    <NomFamille>{pere}</NomFamille>
    <PrenomUsuel>{pere_prenom}</PrenomUsuel>
    <Prenom></Prenom>
    <DateNaissance></DateNaissance>
    <PaysNaissance></PaysNaissance>
    <Nationalite></Nationalite>
    <CodeINSEENaissance></CodeINSEENaissance>
  </FiliationPere>
  <FiliationMere>
    <NomFamille>{mere}</NomFamille>
    <PrenomUsuel>{mere_prenom}</PrenomUsuel>
    <Prenom></Prenom>
    <DateNaissance></DateNaissance>
    <PaysNaissance>FRA</PaysNaissance>
    <Nationalite>FRA</Nationalite>
    <CodeINSEENaissance>{code_commune}</CodeINSEENaissance>
    <LieuNaissance><Code>COMMUNE</Code><Nom>{commune}</Nom></LieuNaissance>
  </FiliationMere>
</RecensementCitoyen>
"""


def demande_xml(collectivite: Collectivite, index: int, today: datetime.date) -> bytes:
    """A HubEE dossier of a young person of the collectivité who registered online a few days
    ago; one in three was born abroad, one in three has no declared father."""
    rng = random.Random(f"demande:{collectivite.code_insee}:{index}")
    submitted = _days(today, -rng.randint(1, 10))
    born = _born_sixteen_years_before(_days(submitted, -rng.randint(5, 60)))
    sexe = rng.choice(("1", "2"))
    prenoms = rng.sample(PRENOMS_MASCULINS if sexe == "1" else PRENOMS_FEMININS, 2)
    nom, mere = rng.sample(NOMS, 2)
    abroad = rng.choice(DEMANDE_PAYS) if index % 3 == 2 else None  # (ISO code, town)
    hour = f"{rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}:00"
    values = {
        "identifiant": f"DEMO-{collectivite.code_insee}-{index + 1:04d}",
        "soumission": f"{submitted.isoformat()}T{hour}",
        "sexe": sexe,
        "nom": nom,
        "prenom": prenoms[0],
        "autres": prenoms[1],
        "naissance": born.strftime("%d/%m/%Y"),
        "pays": abroad[0] if abroad else "FRA",
        "code_naissance": "" if abroad else collectivite.code_insee,
        "lieu": abroad[1] if abroad else collectivite.nom,
        "numero": rng.randint(1, 80),
        "voie": rng.choice(NOMS_VOIE),
        "code_postal": _postal_code(collectivite, collectivite.departement),
        "commune": collectivite.nom,
        "code_commune": collectivite.code_insee,
        "freres": rng.randint(0, 3),
        "courriel": f"{_slug(prenoms[0])}.{_slug(nom)}@example.fr",
        "telephone": _phone(rng, "06"),
        "pere": "" if index % 3 == 1 else nom,
        "pere_prenom": "" if index % 3 == 1 else rng.choice(PRENOMS_PERES),
        "mere": mere,
        "mere_prenom": rng.choice(PRENOMS_MERES),
    }
    return DEMANDE_XML.format(**{k: escape(str(v)) for k, v in values.items()}).encode()


def create_demandes(collectivite: Collectivite, count: int) -> int:
    """Pending online requests (HubEE dossiers) through the same import as the agents' uploads;
    a dossier already received is not duplicated, so a second run creates none."""
    today = timezone.localdate()
    uploads = []
    for index in range(count):
        data = demande_xml(collectivite, index, today)
        uploads.append(Upload(f"demo-{index + 1}.xml", len(data), lambda data=data: BytesIO(data)))
    reports = import_uploads(collectivite, uploads)
    return sum(report.statut == "creee" for report in reports)


RECENSES = DemoPart("recenses", "recensés", 40, create_recenses)
DEMANDES = DemoPart("demandes", "demandes en ligne", 3, create_demandes)
