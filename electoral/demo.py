"""Demo electoral lists (`manage.py demo --electeurs N`): bureaux de vote, streets and their
découpage, and N voters with two years of movements.

The story: the mairie took its lists over from an REU extraction two years ago; since then
voters came of age, moved in, moved within the town, changed names, left or died. Every voter is
drawn from a `random.Random` seeded with the collectivité's INSEE code and the voter's index, so
two runs produce the same voters; a run tops the collectivité up to N voters, extends the streets
and bureaux to the size N needs and never deletes.

The movements are planned as the calls to `electoral.services` (inscrire, radier, modifier) that
make them, in date order. The takeover's inscriptions go through the REU import instead, of an
extraction the demo writes in the format ELIRE gives: the import is the services' set-based twin
(most voters come in at once), and the demo writes nothing by itself.
"""

import datetime
import math
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from electoral.models import (
    BureauDeVote,
    Decoupage,
    Electeur,
    Liste,
    MotifInscription,
    MotifModification,
    MotifRadiation,
    Parite,
    Voie,
    voie_key,
)
from electoral.reu import apply, write_extraction
from electoral.rules import identity, identity_of
from electoral.services import inscrire, modifier, radier, resolve_bureau
from mairie.demo import DemoPart
from mairie.demo_names import NOMS, prenoms_of_generation
from mairie.models import (
    Collectivite,
    Commune,
    Sexe,
    TypeCommune,
    departement_as_written,
    departement_of,
)
from mairie.text import search_key

BATCH_SIZE = 1000
CHANGE_REASON = "données de démonstration"
YEARS = 2  # the lists were taken over from the REU this many years ago
VOTERS_PER_BUREAU = 800
VOTERS_PER_VOIE = 40
VOIES_PER_BUREAU = VOTERS_PER_BUREAU // VOTERS_PER_VOIE
MIN_BUREAUX, MIN_VOIES = 2, 5

# Street type and how rare it is: the first streets of a town are mostly "Rue".
TYPES_VOIE = {
    "Rue": 1, "Avenue": 6, "Impasse": 6, "Allée": 8, "Chemin": 12, "Route": 20, "Place": 25,
    "Boulevard": 40, "Square": 50, "Passage": 50, "Quai": 80, "Venelle": 80, "Cours": 100,
}  # fmt: skip
SHORT_TYPES = {"Impasse", "Place", "Square", "Passage", "Venelle", "Allée"}
LONG_TYPES = {"Avenue", "Boulevard", "Route", "Quai", "Cours", "Chemin"}
NOMS_VOIE = [
    "Victor Hugo", "Jean Jaurès", "Pasteur", "Gambetta", "Jules Ferry", "Émile Zola",
    "Anatole France", "Voltaire", "Jean Moulin", "du Général de Gaulle", "du Général Leclerc",
    "du Maréchal Foch", "Georges Clemenceau", "Jean Monnet", "Robert Schuman", "Marie Curie",
    "Louise Michel", "Simone Veil", "Lamartine", "Alphonse Daudet", "Molière", "Jean Racine",
    "Pierre Corneille", "Jean de La Fontaine", "Chateaubriand", "Surcouf", "Jacques Cartier",
    "Duguay-Trouin", "Colbert", "La Fayette", "Paul Bert", "Jean Macé", "Condorcet", "Diderot",
    "Jean-Jacques Rousseau", "Montesquieu", "René Descartes", "Blaise Pascal", "Ampère",
    "Édouard Branly", "Gustave Eiffel", "Louis Blériot", "Antoine de Saint-Exupéry",
    "Jules Verne", "Alexandre Dumas", "George Sand", "Colette", "Albert Camus",
    "Jacques Prévert", "Paul Éluard", "Arthur Rimbaud", "Paul Verlaine", "Guy de Maupassant",
    "Gustave Flaubert", "Honoré de Balzac", "Stendhal", "Frédéric Mistral", "Claude Debussy",
    "Maurice Ravel", "Hector Berlioz", "Georges Bizet", "Auguste Renoir", "Claude Monet",
    "Paul Cézanne", "Eugène Delacroix", "Henri Matisse", "Pierre Loti", "Aristide Briand",
    "Léon Blum", "Jean Zay", "Pierre Mendès France", "Salvador Allende", "Nelson Mandela",
    "Martin Luther King", "Jean Bart", "Bertrand du Guesclin", "Anne de Bretagne",
    "Jeanne d'Arc", "Pascal Paoli", "Sampiero Corso", "du Cardinal Fesch", "Lucien Bonaparte",
    "Danielle Casanova", "Fred Scamaroni", "Théodore Botrel", "Ernest Renan", "Anita Conti",
    "du 8 Mai 1945", "du 11 Novembre 1918", "du 14 Juillet", "du 19 Mars 1962",
    "de la Libération", "des Résistants", "des Déportés", "de la Victoire", "de Verdun",
    "de la Marne", "de la Paix", "de la République", "de la Liberté", "des Droits de l'Homme",
    "de l'Europe", "des Tilleuls", "du Moulin", "de la Gare", "des Écoles", "des Lilas",
    "du Port", "des Mimosas", "de l'Église", "des Acacias", "du Stade", "de la Mairie",
    "des Peupliers", "du Château", "des Rosiers", "des Hortensias", "de la Fontaine",
    "des Genêts", "des Chênes", "des Érables", "des Platanes", "des Marronniers", "des Pins",
    "des Saules", "des Bouleaux", "des Ormes", "des Frênes", "des Noisetiers", "des Cerisiers",
    "des Pommiers", "des Vignes", "des Camélias", "des Glycines", "des Bleuets",
    "des Coquelicots", "des Violettes", "des Jonquilles", "des Primevères", "des Ajoncs",
    "de la Lande", "des Prés", "des Champs", "du Bois", "de la Forêt", "de la Rivière",
    "du Ruisseau", "de l'Étang", "du Lavoir", "du Four", "de la Forge", "des Tanneurs",
    "des Tisserands", "des Forgerons", "des Charpentiers", "des Marins", "des Pêcheurs",
    "des Corsaires", "des Remparts", "de la Digue", "du Phare", "des Dunes", "de la Plage",
    "des Mouettes", "des Goélands", "des Cormorans", "de la Corderie", "de la Halle",
    "du Marché", "de la Poste", "de l'Hôpital", "du Cimetière", "du Collège", "du Lycée",
    "de la Croix", "du Calvaire", "de la Chapelle", "du Presbytère", "du Prieuré",
    "de l'Abbaye", "du Couvent", "des Capucins", "des Cordeliers", "des Ursulines",
    "de la Tour", "du Donjon", "de la Citadelle", "du Fort", "des Casernes", "de l'Arsenal",
    "du Pont", "du Canal", "de l'Écluse", "de la Vallée", "du Coteau", "de la Colline",
    "du Plateau", "des Hauts", "du Bourg", "du Village", "des Jardins", "du Verger", "du Parc",
    "de la Prairie", "des Sources", "de la Butte", "de la Cité", "du Soleil", "de l'Aurore",
    "des Étoiles", "du Levant", "du Couchant", "des Vergers", "de la Garenne", "des Sablons",
    "des Rochers", "de la Grève", "des Embruns", "des Cèdres", "des Magnolias", "des Oliviers",
    "des Orangers", "des Lauriers", "des Myrtes", "du Maquis",
]  # fmt: skip
LIEUX_DE_VOTE = [
    "Hôtel de ville", "École Jules Ferry", "Salle des fêtes", "Mairie annexe",
    "École Jean Jaurès", "Groupe scolaire Louis Pasteur", "Gymnase Pierre de Coubertin",
    "Maison des associations", "École Paul Bert", "Salle polyvalente",
    "École maternelle Les Lilas", "Centre social", "École Victor Hugo", "Maison de quartier",
    "Espace culturel", "École Jacques Prévert", "Bibliothèque municipale", "Foyer des anciens",
    "École Marie Curie", "Salle omnisports", "Collège Jean Moulin", "École Anne Frank",
    "Maison de l'enfance", "Salle Jean Vilar",
]  # fmt: skip
RESIDENCES = ["Les Embruns", "Le Clos Fleuri", "Les Jardins", "Les Terrasses", "Le Parc"]


@dataclass(frozen=True)
class Pays:
    code: str  # INSEE country code, 99xxx
    nom: str
    villes: tuple[str, ...]
    noms: tuple[str, ...] = ()
    prenoms_masculins: tuple[str, ...] = ()
    prenoms_feminins: tuple[str, ...] = ()


# (country, weight) of the EU citizens on the complementary lists.
EUROPEENS = [
    (
        Pays("99139", "Portugal", ("Lisbonne", "Porto", "Braga"),
             ("DA SILVA", "FERREIRA", "PEREIRA", "COSTA", "RODRIGUES", "DOS SANTOS"),
             ("João", "José", "António", "Manuel"), ("Maria", "Ana", "Fernanda", "Rosa")),
        35,
    ),
    (
        Pays("99134", "Espagne", ("Madrid", "Barcelone", "Séville"),
             ("GARCIA", "MARTINEZ", "LOPEZ", "FERNANDEZ", "SANCHEZ"),
             ("Javier", "Carlos", "Miguel", "Pablo"), ("Carmen", "Lucia", "Elena", "Pilar")),
        15,
    ),
    (
        Pays("99127", "Italie", ("Rome", "Milan", "Naples", "Gênes"),
             ("ROSSI", "RUSSO", "BIANCHI", "ROMANO", "COLOMBO"),
             ("Marco", "Giuseppe", "Luca", "Alessandro"), ("Giulia", "Francesca", "Chiara")),
        15,
    ),
    (
        Pays("99131", "Belgique", ("Bruxelles", "Liège", "Namur"),
             ("PEETERS", "JANSSENS", "MAES", "DUBOIS"),
             ("Luc", "Marc", "Wim"), ("Anne", "Els", "Martine")),
        10,
    ),
    (
        Pays("99109", "Allemagne", ("Berlin", "Munich", "Francfort"),
             ("MÜLLER", "SCHMIDT", "SCHNEIDER", "FISCHER", "WEBER"),
             ("Klaus", "Stefan", "Jürgen"), ("Petra", "Sabine", "Ursula")),
        10,
    ),
    (
        Pays("99114", "Roumanie", ("Bucarest", "Cluj-Napoca", "Iași"),
             ("POPESCU", "IONESCU", "POPA"), ("Andrei", "Mihai"), ("Elena", "Ioana")),
        8,
    ),
    (
        Pays("99135", "Pays-Bas", ("Amsterdam", "Rotterdam", "Utrecht"),
             ("DE JONG", "JANSEN", "VAN DIJK"), ("Jan", "Pieter"), ("Anouk", "Sanne")),
        4,
    ),
    (
        Pays("99122", "Pologne", ("Varsovie", "Cracovie", "Gdańsk"),
             ("NOWAK", "KOWALSKI", "WIŚNIEWSKI"), ("Piotr", "Tomasz"), ("Anna", "Katarzyna")),
        3,
    ),
]  # fmt: skip
# Where the few French voters born abroad were born.
NAISSANCES_ETRANGER = [
    Pays("99352", "Algérie", ("Alger", "Oran", "Constantine")),
    Pays("99350", "Maroc", ("Casablanca", "Rabat", "Fès")),
    Pays("99351", "Tunisie", ("Tunis", "Sfax", "Sousse")),
    Pays("99139", "Portugal", ("Lisbonne", "Porto")),
    Pays("99109", "Allemagne", ("Berlin", "Baden-Baden", "Trèves")),
    Pays("99341", "Sénégal", ("Dakar", "Saint-Louis")),
    Pays("99243", "Viêt Nam", ("Hanoï", "Hô Chi Minh-Ville")),
]
GRANDES_VILLES = [
    ("75056", "Paris"),
    ("35238", "Rennes"),
    ("44109", "Nantes"),
    ("29019", "Brest"),
    ("14118", "Caen"),
    ("69123", "Lyon"),
    ("13055", "Marseille"),
    ("06088", "Nice"),
    ("2B033", "Bastia"),
    ("33063", "Bordeaux"),
    ("31555", "Toulouse"),
    ("59350", "Lille"),
]
# Age bands of the adult population (age at the last birthday) and their weights.
AGES = [
    ((20, 29), 14), ((30, 39), 16), ((40, 49), 17), ((50, 59), 17),
    ((60, 69), 16), ((70, 79), 12), ((80, 89), 6), ((90, 99), 2),
]  # fmt: skip
RADIATIONS = [
    (MotifRadiation.AUTRE_COMMUNE, 60),
    (MotifRadiation.DECES, 30),
    (MotifRadiation.PERTE_ATTACHE, 5),
    (MotifRadiation.OFFICE, 3),
    (MotifRadiation.CONSULAIRE, 1),
    (MotifRadiation.DECISION_JUSTICE, 1),
]


@dataclass(frozen=True)
class Inscrire:
    liste: str
    motif: str


@dataclass(frozen=True)
class Radier:
    liste: str
    motif: str


@dataclass(frozen=True)
class Modifier:
    changes: dict  # as given to services.modifier
    motif: str


@dataclass(frozen=True)
class Step:
    """One call to electoral.services: `op` applied to `electeur` with this date d'effet."""

    date: datetime.date
    electeur: Electeur
    op: Inscrire | Radier | Modifier


# --- the streets, the bureaux and the découpage --------------------------------------------


@dataclass(frozen=True)
class _VoieSpec:
    type_voie: str
    libelle: str
    longueur: int  # the highest house number
    # (parité, du n°, au n°, index of the bureau), together covering every number once
    rules: tuple[tuple[str, int | None, int | None, int], ...]


def _voie_names(code: str) -> list[tuple[str, str]]:
    """Every (type, libellé) a demo street may have, in the collectivité's fixed order."""
    rng = random.Random(f"{code}:voies")
    keys = {
        (type_voie, nom): rng.random() * rarity
        for type_voie, rarity in TYPES_VOIE.items()
        for nom in NOMS_VOIE
    }
    return sorted(keys, key=keys.__getitem__)


def _home(index: int) -> int:
    """The bureau of a street's first numbers: the first streets alternate between the two
    first bureaux, the next ones go to a new bureau every VOIES_PER_BUREAU streets."""
    return index % 2 if index < 2 * VOIES_PER_BUREAU else index // VOIES_PER_BUREAU


def _voie_spec(code: str, index: int, name: tuple[str, str]) -> _VoieSpec:
    rng = random.Random(f"{code}:voie:{index}")
    type_voie, libelle = name
    if type_voie in SHORT_TYPES:
        longueur = rng.randint(4, 24)
    elif type_voie in LONG_TYPES:
        longueur = rng.randint(30, 220)
    else:
        longueur = rng.randint(12, 140)
    home = _home(index)
    other = 1 - home if home < 2 else home - 1
    draw = rng.random()
    if longueur < 20 or draw < 0.6:
        rules = ((Parite.TOUS, None, None, home),)
    elif draw < 0.75:
        odd, even = (home, other) if rng.random() < 0.5 else (other, home)
        rules = ((Parite.IMPAIRS, None, None, odd), (Parite.PAIRS, None, None, even))
    elif draw < 0.9:
        cut = rng.randint(longueur * 3 // 10, longueur * 7 // 10)
        rules = ((Parite.TOUS, None, cut, home), (Parite.TOUS, cut + 1, None, other))
    else:
        cut = 2 * rng.randint(longueur * 3 // 20, longueur * 7 // 20)
        rules = (
            (Parite.IMPAIRS, None, None, home),
            (Parite.PAIRS, None, cut, home),
            (Parite.PAIRS, cut + 1, None, other),
        )
    return _VoieSpec(type_voie, libelle, longueur, rules)


def _bureaux(
    collectivite: Collectivite, count: int, names: list[tuple[str, str]]
) -> list[BureauDeVote]:
    """The bureaux 0001… of the collectivité, the missing ones created."""
    codes = [f"{index + 1:04d}" for index in range(count)]
    existing = {
        bureau.code: bureau
        for bureau in BureauDeVote.objects.filter(collectivite=collectivite, code__in=codes)
    }
    missing = []
    for index, code in enumerate(codes):
        if code in existing:
            continue
        lieu = LIEUX_DE_VOTE[index % len(LIEUX_DE_VOTE)]
        if index >= len(LIEUX_DE_VOTE):
            lieu = f"{lieu} {index // len(LIEUX_DE_VOTE) + 1}"
        # The place is in the bureau's first street.
        type_voie, libelle = names[index if index < 2 else index * VOIES_PER_BUREAU]
        numero = random.Random(f"{collectivite.code_insee}:bureau:{index}").randint(1, 30)
        missing.append(
            BureauDeVote(
                collectivite=collectivite,
                code=code,
                libelle=lieu,
                adresse=f"{numero} {type_voie} {libelle}",
            )
        )
    bulk_create_with_history(
        missing, BureauDeVote, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON
    )
    existing |= {bureau.code: bureau for bureau in missing}
    return [existing[code] for code in codes]


def _geography(collectivite: Collectivite, voters: int) -> list[tuple[Voie, int]]:
    """The demo streets (with their highest house number) for `voters` voters, their
    bureaux and découpage created when missing; each street's rules and bureaux are loaded."""
    code = collectivite.code_insee
    names = _voie_names(code)
    count = min(len(names), max(MIN_VOIES, math.ceil(voters / VOTERS_PER_VOIE)))
    specs = [_voie_spec(code, index, names[index]) for index in range(count)]
    bureaux = _bureaux(collectivite, max(MIN_BUREAUX, _home(count - 1) + 1), names)
    code_postal = collectivite.code_postal
    existing = {
        voie.recherche: voie
        for voie in Voie.objects.filter(collectivite=collectivite, code_postal=code_postal)
    }
    missing = []
    for spec in specs:
        key = voie_key(spec.type_voie, spec.libelle)
        if key not in existing:
            existing[key] = Voie(
                collectivite=collectivite,
                type_voie=spec.type_voie,
                libelle=spec.libelle,
                code_postal=code_postal,
                recherche=key,
            )
            missing.append(existing[key])
    bulk_create_with_history(
        missing, Voie, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON
    )
    voies = [existing[voie_key(spec.type_voie, spec.libelle)] for spec in specs]
    ruled = set(
        Decoupage.objects.filter(voie__in=[voie.pk for voie in voies]).values_list(
            "voie", flat=True
        )
    )
    rules = [
        Decoupage(
            voie=voie,
            parite=parite,
            numero_debut=debut,
            numero_fin=fin,
            bureau=bureaux[bureau],
        )
        for voie, spec in zip(voies, specs, strict=True)
        if voie.pk not in ruled
        for parite, debut, fin, bureau in spec.rules
    ]
    bulk_create_with_history(
        rules, Decoupage, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON
    )
    loaded = Voie.objects.filter(pk__in=[voie.pk for voie in voies]).prefetch_related(
        Prefetch("decoupages", queryset=Decoupage.objects.select_related("bureau"))
    )
    by_pk = {voie.pk: voie for voie in loaded}
    return [(by_pk[voie.pk], spec.longueur) for voie, spec in zip(voies, specs, strict=True)]


# --- the voters and their movements ---------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    collectivite: Collectivite
    streets: list[tuple[Voie, int]]
    communes: list[tuple[str, str]]  # (code, libellé) of the département's communes
    start: datetime.date  # when the lists were taken over from the REU
    today: datetime.date


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return datetime.date(day.year - years, 2, 28)


def _weekday(day: datetime.date) -> datetime.date:
    """The day, or the Monday after when the mairie is closed."""
    return day + datetime.timedelta(days=7 - day.weekday() if day.weekday() >= 5 else 0)


def _day_after(rng: random.Random, after: datetime.date, ctx: _Context) -> datetime.date | None:
    """A working day after `after`, up to today; None when there is none left."""
    days = (ctx.today - after).days
    if days < 1:
        return None
    day = after + datetime.timedelta(days=rng.randint(1, days))
    if day.weekday() >= 5:  # back to the Friday
        day -= datetime.timedelta(days=day.weekday() - 4)
    return day if day > after else None


def _context(collectivite: Collectivite, streets: list[tuple[Voie, int]]) -> _Context:
    departement = collectivite.departement or departement_of(collectivite.code_insee)
    cog = departement_as_written(departement)
    longest = Electeur._meta.get_field("naissance_commune").max_length
    communes = [
        (code, libelle)
        for code, libelle in Commune.objects.filter(typecom=TypeCommune.COM, departement_code=cog)
        .order_by("code")
        .values_list("code", "libelle")
        if len(libelle) <= longest
    ] or [(collectivite.code_insee, collectivite.nom)]
    today = timezone.localdate()
    return _Context(
        collectivite=collectivite,
        streets=streets,
        communes=communes,
        start=_weekday(_years_before(today, YEARS)),
        today=today,
    )


def _address(rng: random.Random, ctx: _Context) -> dict:
    """An address the découpage sends to exactly one bureau."""
    while True:
        voie, longueur = rng.choice(ctx.streets)
        number = rng.randint(1, longueur)
        numero = str(number)
        if number < 100 and rng.random() < 0.04:
            numero += rng.choice((" BIS", " TER"))
        if rng.random() < 0.02:  # a house known by its street only
            numero = ""
        if resolve_bureau(voie, numero).bureau is not None:
            break
    complement = ""
    if rng.random() < 0.15:
        complement = rng.choice(
            (
                f"Appartement {rng.randint(1, 60)}",
                f"Bâtiment {rng.choice('ABCDE')}",
                f"Résidence {rng.choice(RESIDENCES)}",
            )
        )
    return {
        "numero_voie": numero,
        "voie": voie,
        "type_voie": voie.type_voie,
        "libelle_voie": voie.libelle,
        "complement1": complement,
    }


def _birth_place(rng: random.Random, ctx: _Context, abroad: Pays | None) -> dict:
    if abroad is not None:
        code, commune, departement, pays = abroad.code, rng.choice(abroad.villes), "", abroad.nom
    else:
        draw = rng.random()
        if draw < 0.35:
            code, commune = ctx.collectivite.code_insee, ctx.collectivite.nom
        elif draw < 0.85:
            code, commune = rng.choice(ctx.communes)
        else:
            code, commune = rng.choice(GRANDES_VILLES)
        departement, pays = departement_of(code), "France"
    return {
        "naissance_code_lieu": code,
        "naissance_commune": commune,
        "naissance_departement": departement,
        "naissance_pays": pays,
    }


def _prenoms(rng: random.Random, names: list[str] | tuple[str, ...]) -> str:
    count = rng.choices((1, 2, 3), weights=(35, 45, 20))[0]
    return " ".join(rng.sample(names, min(count, len(names))))


def _plan(ctx: _Context, index: int, taken: set[str]) -> list[Step]:
    """The demo voter number `index` of the collectivité and the service calls that make
    their history, in date order."""
    collectivite = ctx.collectivite
    rng = random.Random(f"{collectivite.code_insee}:{index}")
    pays = None
    if rng.random() < 0.05:
        pays = rng.choices([p for p, _ in EUROPEENS], weights=[w for _, w in EUROPEENS])[0]
    span = (ctx.today - ctx.start).days
    if pays is None and rng.random() < 0.04:  # came of age since the takeover
        inscrit_le = ctx.start + datetime.timedelta(days=rng.randint(1, span))
        born = _years_before(inscrit_le, 18)
        motif = MotifInscription.OFFICE_JEUNE
    else:
        low, high = rng.choices([band for band, _ in AGES], weights=[w for _, w in AGES])[0]
        age = rng.randint(low, high)
        born = _years_before(ctx.today, age) - datetime.timedelta(days=rng.randint(1, 364))
        if rng.random() < 0.85:
            inscrit_le, motif = ctx.start, MotifInscription.REPRISE_REU
        else:
            inscrit_le = _day_after(rng, ctx.start, ctx) or ctx.start
            motif = MotifInscription.VOLONTAIRE
    age = ctx.today.year - born.year

    sexe = Sexe.FEMININ if rng.random() < 0.52 else Sexe.MASCULIN
    masculins, feminins = prenoms_of_generation(born.year)
    if pays is not None and rng.random() < 0.8:
        masculins, feminins = pays.prenoms_masculins, pays.prenoms_feminins
    prenoms = _prenoms(rng, feminins if sexe == Sexe.FEMININ else masculins)
    noms = pays.noms if pays is not None and rng.random() < 0.8 else NOMS
    nom = rng.choice(noms)
    # One voter per identity (electoral.rules): a namesake born the same day is born the day
    # before.
    while (key := identity(search_key(nom), search_key(prenoms), born.isoformat())) in taken:
        born -= datetime.timedelta(days=1)
    taken.add(key)
    nom_usage = ""
    if sexe == Sexe.FEMININ and age >= 25 and rng.random() < 0.45:
        nom_usage = rng.choice([other for other in NOMS if other != nom])
    abroad = pays if pays is not None and rng.random() < 0.85 else None
    if pays is None and rng.random() < 0.05:
        abroad = rng.choice(NAISSANCES_ETRANGER)
        if motif == MotifInscription.VOLONTAIRE and rng.random() < 0.5:
            motif = MotifInscription.NATURALISATION
    ine = str(rng.randrange(10**8, 10**9))
    while ine in taken:
        ine = str(rng.randrange(10**8, 10**9))
    taken.add(ine)
    address = _address(rng, ctx)
    electeur = Electeur(
        collectivite=collectivite,
        sexe=sexe,
        nom_naissance=nom,
        nom_usage=nom_usage,
        prenoms=prenoms,
        date_naissance=born,
        nationalite=pays.nom if pays is not None else "",
        code_postal=address["voie"].code_postal,
        ville=collectivite.nom,
        ine=ine,
        **_birth_place(rng, ctx, abroad),
        **address,
    )

    listes = [Liste.PRINCIPALE]
    if pays is not None:
        listes = rng.choices(
            ([Liste.EUROPEENNE, Liste.MUNICIPALE], [Liste.MUNICIPALE], [Liste.EUROPEENNE]),
            weights=(55, 30, 15),
        )[0]
    steps = [Step(inscrit_le, electeur, Inscrire(liste, motif)) for liste in listes]

    last, current = inscrit_le, address
    for _ in range(2 if rng.random() < 0.1 else 1):
        moved = _day_after(rng, last, ctx) if rng.random() < 0.08 else None
        if moved is None:
            break
        new = _address(rng, ctx)
        while (new["voie"], new["numero_voie"]) == (current["voie"], current["numero_voie"]):
            new = _address(rng, ctx)
        steps.append(Step(moved, electeur, Modifier(new, MotifModification.ADRESSE)))
        last, current = moved, new
    if sexe == Sexe.FEMININ and not nom_usage and 20 <= age <= 45 and rng.random() < 0.03:
        married = _day_after(rng, last, ctx)
        if married is not None:
            spouse = rng.choice([other for other in NOMS if other != nom])
            steps.append(
                Step(
                    married, electeur, Modifier({"nom_usage": spouse}, MotifModification.ETAT_CIVIL)
                )
            )
            last = married
    if rng.random() < 0.06:
        radie_le = _day_after(rng, last, ctx)
        if radie_le is not None:
            motifs, weights = zip(*RADIATIONS, strict=True)
            motif = MotifRadiation.DECES if age >= 75 and rng.random() < 0.6 else None
            motif = motif or rng.choices(motifs, weights=weights)[0]
            steps += [Step(radie_le, electeur, Radier(liste, motif)) for liste in listes]
    return steps


@transaction.atomic
def demo_steps(collectivite: Collectivite, count: int) -> list[Step]:
    """The service calls that top the collectivité up to `count` voters, in the order they
    are applied (date, then voter); the streets, bureaux and découpage they need are created."""
    start = Electeur.objects.filter(collectivite=collectivite).count()
    if count <= start:
        return []
    ctx = _context(collectivite, _geography(collectivite, count))
    known = Electeur.objects.filter(collectivite=collectivite)
    # The INEs and the identities already given (electoral.rules.identity): none twice.
    taken = set(known.values_list("ine", flat=True)) | {identity_of(e) for e in known}
    keyed = []
    for index in range(start, count):
        for position, step in enumerate(_plan(ctx, index, taken)):
            keyed.append((step.date, index, position, step))
    keyed.sort(key=lambda item: item[:3])
    return [step for *_, step in keyed]


# --- the takeover file, then the service calls ------------------------------------------------


def _taken_over(step: Step) -> bool:
    return isinstance(step.op, Inscrire) and step.op.motif == MotifInscription.REPRISE_REU


def _take_over(collectivite: Collectivite, steps: list[Step]) -> None:
    """The takeover's inscriptions, through the REU import of the extraction they make (dated
    the takeover); the voters it creates are then the steps' voters."""
    for step in steps:
        electeur = step.electeur
        electeur.bureau = resolve_bureau(electeur.voie, electeur.numero_voie).bureau
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "extraction-reu.csv"
        write_extraction(path, [(step.electeur, step.op.liste) for step in steps])
        report = apply(collectivite, path, None, date_effet=steps[0].date)
    if not report.ok or report.rejected:
        reasons = report.refusal or "; ".join(line.reason for line in report.rejected_lines)
        raise ValueError(f"Démonstration : extraction REU refusée ({reasons}).")
    ids = dict(Electeur.objects.filter(collectivite=collectivite).values_list("ine", "pk"))
    for step in steps:
        step.electeur.pk = ids[step.electeur.ine]


@transaction.atomic
def create_electeurs(collectivite: Collectivite, count: int) -> int:
    """Top the collectivité up to `count` voters (never deletes), with their bureaux, streets,
    découpage and movements; returns how many voters were created. The lists are taken over
    through the REU import of an extraction the demo writes, every later movement is a call to
    electoral.services: the demo writes no row of its own."""
    steps = demo_steps(collectivite, count)
    takeover = [step for step in steps if _taken_over(step)]
    if takeover:
        _take_over(collectivite, takeover)
    for step in steps:
        match step.op:
            case Inscrire(liste=liste, motif=motif) if not _taken_over(step):
                inscrire(step.electeur, liste, motif, step.date, None)
            case Radier(liste=liste, motif=motif):
                radier(step.electeur, liste, motif, step.date, None)
            case Modifier(changes=changes, motif=motif):
                modifier(step.electeur, changes, motif, step.date, None)
    return len({id(step.electeur) for step in steps})


ELECTEURS = DemoPart("electeurs", "électeurs", 200, create_electeurs)
