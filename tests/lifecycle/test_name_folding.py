"""Folding names for forgiving lookups, look-alike keys, and whether text reads like a new customer's name."""

from __future__ import annotations

import pytest

from lifecycle.names import fold_name, fold_words, lookalike_keys, plausible_new_name


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Acme Corp", "acme"),
        ("Acme Corp.", "acme"),
        ("ACME corp", "acme"),
        ("Acmé Corp", "acme"),
        ("Αcme Corp", "acme"),  # Greek capital alpha
        ("Асme Corp", "acme"),  # Cyrillic А and с
        ("acme, inc.", "acme"),
        ("Café Müller", "cafe muller"),
        ("🚀 Rocket Labs", "rocket labs"),
        ("Globex GmbH & Co. KG", "globex"),
        ("Straße AG", "strasse"),
        ("ｆｕｌｌｗｉｄｔｈ Ltd", "fullwidth"),  # NFKC
        ("Inc", "inc"),  # only a suffix: kept rather than folded to nothing
        ("🚀", "🚀"),  # nothing left to fold: the plain key
    ],
)
def test_names_fold_to_the_key_forgiving_lookups_use(name: str, folded: str) -> None:
    assert fold_name(name) == folded


def test_folding_can_keep_the_legal_suffix_to_tell_a_whole_name_from_its_start() -> None:
    assert fold_words("Acme Corp.", keep_suffixes=True) == ["acme", "corp"]
    assert fold_words("Acme Corp.") == ["acme"]


@pytest.mark.parametrize(
    ("name", "looks_like"),
    [
        ("Acrne Corp", "acme"),  # r n reads as m
        ("Acme C0rp", "acme"),  # a zero for an o, then the suffix drops
        ("G00gle", "google"),
        ("Micro1ith", "microlith"),
        ("Vvidget Co", "widget"),
    ],
)
def test_ascii_look_alikes_lead_to_the_name_they_imitate(name: str, looks_like: str) -> None:
    assert looks_like in lookalike_keys(name)
    assert fold_name(name) in lookalike_keys(name)


def test_numbers_that_are_words_of_their_own_stay_numbers() -> None:
    assert lookalike_keys("Studio 101") == {"studio 101"}


# Real company names, including ones with small words, "&", apostrophes and accents: all earn a Create button.
COMPANY_NAMES = [
    "Acme",
    "Globex",
    "Blue Bottle",
    "Bank of America",
    "The Home Depot",
    "Procter and Gamble",
    "Procter & Gamble",
    "Johnson & Johnson",
    "Marks and Spencer",
    "Bed Bath & Beyond",
    "Toys R Us",
    "Bank of New York Mellon",
    "The Walt Disney Company",
    "Save the Children",
    "Out of the Blue",
    "Land O'Lakes",
    "L'Oréal",
    "Ben & Jerry's",
    "Dr. Oetker",
    "AT&T",
    "3M",
    "H&M",
    "Coca-Cola",
    "Harley-Davidson",
    "Société Générale",
    "Café Müller",
    "🚀 Rocket Labs",
    "Deutsche Bank AG",
    "United Parcel Service",
    "Berkshire Hathaway",
    "On Running",
    "At Home",
    "A Plus Staffing",
    "Stand Up To Cancer",
    "Initech",
    "Wayne Enterprises, Inc.",
]

# What a rep types before the kind word when the name is not quoted: a name plus the start of a note.
NOTE_LIKE = [
    "blue called them about the",
    "blue called them",
    "acme said they",
    "we talked to",
    "called them about",
    "acme emailed us about the",
    "globex discussed pricing with",
    "acme wants to",
    "initech asked for a",
    "they are unhappy with the",
    "acme sent the contract",
    "met with their",
    "quick sync with",
    "spoke with the",
    "acme mentioned that",
    "told them we",
    "acme complained about the",
    "acme is unhappy",
    "had a good chat with acme about",
    "acme yesterday",
    "follow up with acme on pricing and next steps",
    "and globex",
    "",
    "   ",
]


@pytest.mark.parametrize("name", COMPANY_NAMES)
def test_a_real_company_name_is_a_plausible_new_name(name: str) -> None:
    assert plausible_new_name(name)


@pytest.mark.parametrize("text", NOTE_LIKE)
def test_a_name_plus_the_start_of_a_note_is_not(text: str) -> None:
    assert not plausible_new_name(text)


def test_six_words_are_more_than_a_name_usually_has() -> None:
    assert plausible_new_name("First National Bank of Omaha")
    assert not plausible_new_name("Blue Bottle Coffee quarterly business review notes")
