"""Hostile input for the property tests: what a browser or a spreadsheet could send, and the
checks every refusal must pass (French messages, each one shown on the page)."""

import datetime as dt
from html import escape

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Each example measures the counts it changes before and after, so the database fixtures of the
# test (its collectivités, its COG) are rightly shared by the examples.
PROPERTY_SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Every code point but lone surrogates, which no browser can encode: NUL, controls, RTL marks,
# combining accents, emoji.
BROWSER_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "LE\x00GOFF",
        "\x01\x07\x1b\x7f",
        "\r\n",
        "\t",
        "\u2028",
        "\ufeff",
        "\u202eEIRAM",
        "E\u0301LODIE",
        "😀🇫🇷",
        "=CMD|' /C calc'!A0",
        "+33 6 12 34 56 78",
        "-2+3",
        "@SUM(A1:A2)",
        "<script>alert(1)</script>",
        "'; DROP TABLE recensement_recense; --",
        "Ǆ ǅ ǆ ß ŉ",
        "Ⅻ",
        "A" * 5000,
        "㎉" * 50,  # each folds to KCAL: four times longer once folded for searching
        "ﬃ" * 100,
        "é" * 300,
    ]
)
TEXT = st.one_of(NASTY, BROWSER_TEXT, BROWSER_TEXT.map(lambda s: s * 60))
DATE_TEXT = st.one_of(
    st.sampled_from(
        [
            "31/02/2010",
            "2010-02-31",
            "00/00/1953",
            "0000-00-00",
            "0000-01-01",
            "0001-01-01",
            "9999-12-31",
            "31/12/9999",
            "10000-01-01",
            "-2010-01-12",
            "12/01/2010",
            "2010-01-12",
            "29/02/2011",
            "1/1/1",
            "2010-13-01",
            "12/01/2010\x00",
        ]
    ),
    st.dates().map(dt.date.isoformat),
    st.dates().map(lambda day: f"{day.day:02d}/{day.month:02d}/{day.year:04d}"),
    BROWSER_TEXT,
)
# Django's English default messages: a French page must never show one.
ENGLISH = [
    "This field",
    "Enter a",
    "Ensure this",
    "Select a valid",
    "is not a valid",
    "Null characters",
    "is not one of the available",
    "already exists",
    "Ensure that there",
]


def assert_french_refusal(response, *forms) -> None:
    """The page is the form again, with at least one error, every error in French and shown."""
    assert response.status_code == 200
    messages = [
        str(message)
        for form in forms
        for field_errors in form.errors.values()
        for message in field_errors
    ]
    assert messages, "refused without saying why"
    page = response.content.decode()
    for message in messages:
        assert not any(english in message for english in ENGLISH), message
        assert escape(message) in page or message in page, f"error not shown: {message}"
