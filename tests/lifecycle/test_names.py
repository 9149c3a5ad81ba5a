"""Customer names: what may be stored and the key they are matched on."""

from __future__ import annotations

import pytest

from lifecycle.errors import InvalidCustomerName
from lifecycle.names import MAX_NAME_LENGTH, clean_customer_name, name_key


def test_whitespace_inside_a_name_is_collapsed_and_the_ends_trimmed() -> None:
    assert clean_customer_name("  Wayne \t Enterprises\n ") == "Wayne Enterprises"


def test_a_name_of_exactly_the_limit_is_kept_whole() -> None:
    name = "Initech " + "x" * (MAX_NAME_LENGTH - len("Initech "))
    assert clean_customer_name(name) == name


def test_a_name_one_character_too_long_is_rejected_with_its_length() -> None:
    with pytest.raises(InvalidCustomerName) as caught:
        clean_customer_name("Y" * (MAX_NAME_LENGTH + 1))
    assert "81" in caught.value.message
    assert str(MAX_NAME_LENGTH) in caught.value.message


def test_length_is_counted_after_whitespace_is_collapsed() -> None:
    padded = "Umbrella" + " " * 200 + "Corp"
    assert clean_customer_name(padded) == "Umbrella Corp"


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_an_empty_name_is_rejected(blank: str) -> None:
    with pytest.raises(InvalidCustomerName):
        clean_customer_name(blank)


@pytest.mark.parametrize(
    "name",
    [
        "*Bold* Industries",
        "Cyberdyne <Systems>",
        "<!channel>",
        "`rm -rf` Ltd",
        "Pipe|Dream",
        'The "Best" Co',
        "Back\\slash",
        "“Smart” Quotes",
    ],
)
def test_characters_that_break_slack_formatting_are_rejected(name: str) -> None:
    with pytest.raises(InvalidCustomerName) as caught:
        clean_customer_name(name)
    assert "can't contain" in caught.value.message


@pytest.mark.parametrize(
    "name",
    ["Acme\x00Corp", "Bell\x07Labs", "Del\x7fete", "Zero\u200bWidth", "Evil\u202eCorp", "Soft\u00adHyphen"],
)
def test_control_and_invisible_characters_are_rejected(name: str) -> None:
    with pytest.raises(InvalidCustomerName):
        clean_customer_name(name)


def test_the_rejection_names_the_offending_character() -> None:
    with pytest.raises(InvalidCustomerName) as caught:
        clean_customer_name("Stark*Industries")
    assert "'*'" in caught.value.message


@pytest.mark.parametrize(
    "name",
    [
        "AT&T",
        "O'Brien Plumbing",
        "Müller GmbH",
        "Procter & Gamble",
        "Ben+Jerry's (EU)",
        "Yahoo!",
        "3M",
        "Société Générale",
        "東京電力",
        "A/B Testing Co.",
        "#1 Pizza @ Home",
    ],
)
def test_ordinary_business_names_are_accepted_unchanged(name: str) -> None:
    assert clean_customer_name(name) == name


def test_a_decomposed_umlaut_is_stored_composed() -> None:
    decomposed = "Mu\u0308ller GmbH"
    assert clean_customer_name(decomposed) == "M\u00fcller GmbH"


# --- name_key ------------------------------------------------------------------------------


def test_name_key_ignores_case() -> None:
    assert name_key("ACME Corp") == name_key("acme corp") == "acme corp"


def test_name_key_casefolds_unicode_so_strasse_matches_strasse_with_eszett() -> None:
    assert name_key("STRASSE") == name_key("straße")


def test_name_key_matches_composed_and_decomposed_umlauts() -> None:
    assert name_key("MÜLLER GmbH") == name_key("Mu\u0308ller gmbh")


def test_name_key_collapses_whitespace() -> None:
    assert name_key("  Wayne   Enterprises ") == name_key("wayne enterprises")


def test_name_key_still_tells_different_names_apart() -> None:
    assert name_key("Acme") != name_key("Acme Corp")
    assert name_key("Muller") != name_key("Müller")
