import pytest

from mairie.places import is_abroad


@pytest.mark.parametrize(
    ("code", "abroad"),
    [
        ("99134", True),  # Espagne
        ("99243", True),  # Viet Nam
        ("99100", False),  # France itself, among the country codes
        ("35288", False),
        ("2A004", False),
        ("97105", False),
        ("", False),
    ],
)
def test_a_place_is_abroad_when_its_code_is_another_countrys(code, abroad):
    assert is_abroad(code) is abroad
