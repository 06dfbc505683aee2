"""The one rule of the names of persons (mairie.names), and every source of names the project
itself writes (demo data, factories) following it."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st

from electoral import benchmarks as reu_benchmark
from electoral.demo import EUROPEENS
from exports import benchmarks as list_benchmark
from mairie.demo_names import NOMS, PRENOMS_PAR_GENERATION
from mairie.names import name_problem, normalise_name, validate_name
from mairie.text import exchange_text
from recensement.demo import PRENOMS_FEMININS, PRENOMS_MASCULINS, PRENOMS_MERES, PRENOMS_PERES
from tests.factories import ElecteurFactory, RecenseFactory


@pytest.mark.parametrize(
    "name",
    [
        "Benali",
        "LE GOFF",
        "N'DIAYE",
        "D’ALMEIDA",
        "'t Hooft",
        "Lefèvre-Müller",
        "Œdipe Cœur",
        "Lætitia",
        "François",
        "L'Haÿ",
        "ŸVES",
        "Straße",
        "Łukasz Wiśniewski",
        "Søren",
        "Nguyễn",
        "Ștefan",
        "E\u0301lodie",  # a decomposed É, as some keyboards type it
    ],
)
def test_latin_letters_with_accents_spaces_hyphens_and_apostrophes_make_a_name(name):
    assert name_problem(name) == ""
    validate_name(name)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("---", "aucune lettre"),
        ("' -", "aucune lettre"),
        ("😀", "caractère non admis « 😀 »"),
        ("Benali 😀", "caractère non admis « 😀 »"),
        ("DUPONT2", "caractère non admis « 2 »"),
        ("<script>alert(1)</script>", "caractères non admis « < », « > », « ( », « 1 »"),
        ("Ωmega", "caractère non admis « Ω »"),
        ("Иван", "caractères non admis « И », « в », « а », « н »"),
        ("Þór", "caractère non admis « Þ »"),  # no form without accent in exchange files
        ("ﬃ", "caractère non admis « ﬃ »"),  # a typographic ligature, not a letter of a name
        ("ＡＢ", "caractères non admis « Ａ », « Ｂ »"),
        ("LE\x00GOFF", "caractère non admis U+0000"),
        ("LE\u00a0GOFF", "caractère non admis U+00A0"),
        ("\u202eEIRAM", "caractère non admis U+202E"),
        ("A\u0336", "caractère non admis U+0336"),  # a mark on no letter of its own
        ("DUPONT.", "caractère non admis « . »"),
        ("=1+2", "caractères non admis « = », « 1 », « + », « 2 »"),
    ],
)
def test_anything_else_is_refused_with_its_characters_named_in_french(name, reason):
    assert name_problem(name).startswith(reason)
    with pytest.raises(ValidationError) as refused:
        validate_name(name)
    message = refused.value.messages[0]
    assert message[0].isupper() and message.endswith("apostrophes.")


def test_a_name_is_stored_composed_with_single_spaces():
    assert normalise_name("  E\u0301lodie \t Marie  ") == "Élodie Marie"


@given(st.text(max_size=30))
@example("Œ-ß ’Ÿ")
@example("ı")
def test_every_name_the_rule_takes_is_written_by_exchange_files_as_capital_ascii(value):
    """What the PECOTO file and the INSEE-style exports write of a name (A fields: capitals
    without accents) is never blank and never keeps a letter they cannot write."""
    if not value or name_problem(value):
        return
    written = exchange_text(normalise_name(value))
    assert written and written.isascii()
    assert set(written) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ '-")
    assert any(char.isalpha() for char in written)


def test_the_demo_and_benchmark_names_follow_the_rule():
    names = [*NOMS, *PRENOMS_MASCULINS, *PRENOMS_FEMININS, *PRENOMS_PERES, *PRENOMS_MERES]
    names += [*reu_benchmark.PRENOMS, *list_benchmark.NOMS, *list_benchmark.PRENOMS]
    names += [f"{particule}{syllabe}" for particule in reu_benchmark.PARTICULES
              for syllabe in reu_benchmark.SYLLABES]  # fmt: skip
    for _, masculins, feminins in PRENOMS_PAR_GENERATION:
        names += [*masculins, *feminins]
    for pays, _ in EUROPEENS:
        names += [*pays.noms, *pays.prenoms_masculins, *pays.prenoms_feminins]
    assert [name for name in names if name_problem(name)] == []


def test_the_factories_make_valid_names():
    for recense in RecenseFactory.build_batch(30):
        for field in ("nom_naissance", "prenoms", "pere_nom", "pere_prenoms", "mere_nom"):
            assert name_problem(getattr(recense, field)) == "", getattr(recense, field)
    for electeur in ElecteurFactory.build_batch(30):
        assert name_problem(electeur.nom_naissance) == name_problem(electeur.prenoms) == ""
