"""Touchpoint kinds and the limits on free text."""

from __future__ import annotations

import pytest

from lifecycle.errors import UnknownKind
from lifecycle.text import MAX_NOTE_LENGTH, MAX_REASON_LENGTH, bound_text, feedback_count, plural
from lifecycle.touchpoints import TouchpointKind, kind_names, looks_like_kind, parse_kind

SPEC_KINDS = [
    "call",
    "email",
    "meeting",
    "demo",
    "chat",
    "ticket",
    "note",
    "purchase",
    "renewal",
    "referral",
    "survey",
]


def test_the_kinds_are_exactly_those_of_the_spec() -> None:
    assert [kind.value for kind in TouchpointKind] == SPEC_KINDS


@pytest.mark.parametrize("kind", SPEC_KINDS)
def test_every_kind_parses_in_any_case(kind: str) -> None:
    assert parse_kind(kind) is TouchpointKind(kind)
    assert parse_kind(kind.upper()) is TouchpointKind(kind)
    assert parse_kind(f" {kind.capitalize()} ") is TouchpointKind(kind)
    assert looks_like_kind(kind.upper())


def test_an_unknown_kind_names_every_valid_kind() -> None:
    with pytest.raises(UnknownKind) as caught:
        parse_kind("carrier-pigeon")
    assert "carrier-pigeon" in caught.value.message
    assert caught.value.hint is not None
    for kind in SPEC_KINDS:
        assert kind in caught.value.hint


@pytest.mark.parametrize("typed", ["fax", "", "calling", "phone", "callback"])
def test_words_that_are_not_kinds_do_not_look_like_kinds(typed: str) -> None:
    assert not looks_like_kind(typed)


def test_kind_names_is_a_readable_list() -> None:
    assert kind_names() == ", ".join(SPEC_KINDS)


# --- bound_text ----------------------------------------------------------------------------


def test_text_within_the_limit_is_not_truncated() -> None:
    bounded = bound_text("Discussed the renewal with Miles Dyson", MAX_NOTE_LENGTH)
    assert bounded.text == "Discussed the renewal with Miles Dyson"
    assert not bounded.truncated


def test_text_of_exactly_the_limit_is_not_truncated() -> None:
    bounded = bound_text("x" * MAX_REASON_LENGTH, MAX_REASON_LENGTH)
    assert len(bounded.text) == MAX_REASON_LENGTH
    assert not bounded.truncated


def test_text_over_the_limit_is_cut_and_flagged_with_its_original_length() -> None:
    bounded = bound_text("y" * (MAX_NOTE_LENGTH + 1), MAX_NOTE_LENGTH)
    assert len(bounded.text) == MAX_NOTE_LENGTH
    assert bounded.original_length == MAX_NOTE_LENGTH + 1
    assert bounded.truncated


def test_surrounding_whitespace_is_stripped_and_does_not_count_as_truncation() -> None:
    bounded = bound_text("   hello Hooli   \n", 11)
    assert bounded.text == "hello Hooli"
    assert bounded.original_length == 11
    assert not bounded.truncated


def test_a_cut_that_ends_in_spaces_drops_them_but_is_still_flagged() -> None:
    bounded = bound_text("Pied Piper compression", 11)
    assert bounded.text == "Pied Piper"
    assert bounded.truncated


def test_blank_text_bounds_to_empty() -> None:
    bounded = bound_text("   ", MAX_NOTE_LENGTH)
    assert bounded.text == ""
    assert not bounded.truncated


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 customers"), (1, "1 customer"), (2, "2 customers"), (1204, "1,204 customers")],
)
def test_plural_counts(count: int, expected: str) -> None:
    assert plural(count, "customer") == expected


def test_feedback_is_counted_in_pieces() -> None:
    assert feedback_count(1) == "1 piece of feedback"
    assert feedback_count(3, "negative") == "3 pieces of negative feedback"
    assert plural(1, "entry", "entries") == "1 entry"
    assert plural(2, "entry", "entries") == "2 entries"
