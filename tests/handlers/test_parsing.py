"""Slash-command text to plain request values (DESIGN.md §3), as Slack sends it with should_escape."""

from __future__ import annotations

import pytest

from handlers.parsing import (
    UsageError,
    parse_customer_command,
    parse_feedback_command,
    parse_stage_command,
    parse_touch_command,
)
from handlers.requests import (
    AddCustomer,
    LogTouch,
    MoveStage,
    OpenModal,
    RecordFeedback,
)
from lifecycle.errors import InvalidInput, UnknownKind, UnknownStage
from lifecycle.names import clean_customer_name
from lifecycle.stages import Stage
from lifecycle.touchpoints import TouchpointKind

# --- customer names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"Acme Corp" call',
        "“Acme Corp” call",
        "„Acme Corp“ call",
        '"Acme Corp” call',
        "acme corp call",
        "ACME   CORP call",
    ],
)
def test_a_name_with_spaces_can_be_quoted_smart_quoted_or_bare_before_the_kind(text: str) -> None:
    request = parse_touch_command(text)
    assert isinstance(request, LogTouch)
    assert str(request.customer).casefold() == "acme corp"
    assert request.kind is TouchpointKind.CALL


def test_a_bare_one_word_name_needs_no_quotes() -> None:
    assert parse_touch_command("initech email") == LogTouch(customer="initech", kind=TouchpointKind.EMAIL)


def test_a_bare_name_may_start_with_a_kind_word() -> None:
    # Only words after the first can end the name, so "Demo Dynamics" needs no quotes.
    request = parse_touch_command("demo dynamics call")
    assert request == LogTouch(customer="demo dynamics", kind=TouchpointKind.CALL)


def test_a_quoted_name_may_contain_kind_words() -> None:
    request = parse_touch_command('"Call Center Demo Inc" meeting kickoff')
    assert request == LogTouch(customer="Call Center Demo Inc", kind=TouchpointKind.MEETING, note="kickoff")


def test_entities_in_a_name_are_unescaped() -> None:
    assert parse_touch_command('"AT&amp;T Wireless" call') == LogTouch(
        customer="AT&T Wireless", kind=TouchpointKind.CALL
    )
    assert parse_touch_command("at&amp;t call").customer == "at&t"  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ['"Acme Corp call', "“Acme Corp call", '"Acme Corp'])
def test_an_unbalanced_quote_is_a_usage_error_for_that_command(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_touch_command(text)
    assert caught.value.command == "/touch"
    assert "quote" in caught.value.message


# --- /touch --------------------------------------------------------------------------------


def test_touch_without_arguments_opens_the_modal() -> None:
    assert parse_touch_command("") == OpenModal("/touch")
    assert parse_touch_command("   ") == OpenModal("/touch")


def test_touch_keeps_the_note_verbatim_with_its_spacing() -> None:
    request = parse_touch_command('"Acme Corp" call  Discussed   the renewal,\nthey want a quote  ')
    assert request == LogTouch(
        customer="Acme Corp", kind=TouchpointKind.CALL, note="Discussed   the renewal,\nthey want a quote"
    )


def test_touch_note_becomes_plain_text() -> None:
    request = parse_touch_command(
        "acme demo with <@U0RITA|rita> in <#C0SALES|sales>: &lt;great&gt; &amp; see <https://x.io|deck>"
    )
    assert isinstance(request, LogTouch)
    # People stay real mentions; channels and links read as text (escaped again when shown).
    assert request.note == "with <@U0RITA> in #sales: <great> & see deck (https://x.io)"


def test_touch_kind_is_case_insensitive() -> None:
    assert parse_touch_command("acme RENEWAL").kind is TouchpointKind.RENEWAL  # type: ignore[union-attr]


def test_the_first_kind_word_ends_the_name_and_later_ones_are_note() -> None:
    assert parse_touch_command("acme call call back tomorrow") == LogTouch(
        customer="acme", kind=TouchpointKind.CALL, note="call back tomorrow"
    )


@pytest.mark.parametrize("text", ['"Acme Corp"', "acme", "“Acme Corp”"])
def test_touch_without_a_kind_asks_for_one(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_touch_command(text)
    assert "kind" in caught.value.message
    assert caught.value.command == "/touch"


def test_touch_with_an_unknown_kind_lists_the_kinds() -> None:
    with pytest.raises(UnknownKind) as caught:
        parse_touch_command('"Acme Corp" carrier-pigeon hello')
    assert "carrier-pigeon" in caught.value.message
    assert caught.value.hint is not None and "survey" in caught.value.hint


def test_a_stray_quote_in_the_note_is_kept_as_text() -> None:
    request = parse_touch_command("acme call \"We'll sign next week, said Miles")
    assert request == LogTouch(customer="acme", kind=TouchpointKind.CALL, note="\"We'll sign next week, said Miles")


def test_a_stray_smart_quote_in_a_reason_or_feedback_is_kept_as_text() -> None:
    assert parse_stage_command("acme lost “too expensive") == MoveStage(
        customer="acme", stage=Stage.CHURNED, reason="“too expensive"
    )
    assert parse_feedback_command('hooli the 27" screens are "great') == RecordFeedback(
        customer="hooli", text='the 27" screens are "great', whole='hooli the 27" screens are "great'
    )


def test_an_unbalanced_quote_around_a_new_customers_name_never_becomes_a_name() -> None:
    with pytest.raises(InvalidInput):
        request = parse_customer_command('add "Acme Corp acquisition')
        assert isinstance(request, AddCustomer)
        clean_customer_name(request.name)


# --- /stage --------------------------------------------------------------------------------


def test_stage_without_arguments_opens_the_modal() -> None:
    assert parse_stage_command("") == OpenModal("/stage")


def test_stage_with_a_quoted_name_stage_and_reason() -> None:
    assert parse_stage_command('"Acme Corp" conversion Signed  the contract') == MoveStage(
        customer="Acme Corp", stage=Stage.CONVERSION, reason="Signed  the contract"
    )


def test_stage_with_a_bare_multi_word_name_and_an_alias() -> None:
    assert parse_stage_command("wayne enterprises Purchase") == MoveStage(
        customer="wayne enterprises", stage=Stage.CONVERSION
    )


def test_stage_reason_becomes_plain_text() -> None:
    request = parse_stage_command("acme lost went with <@U0BOB|bob>'s rival &amp; co")
    assert request == MoveStage(customer="acme", stage=Stage.CHURNED, reason="went with <@U0BOB>'s rival & co")


@pytest.mark.parametrize("text", ['"Acme Corp"', "acme"])
def test_stage_without_a_stage_asks_for_one(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_stage_command(text)
    assert caught.value.command == "/stage"


def test_stage_with_an_unknown_stage_lists_the_stages() -> None:
    with pytest.raises(UnknownStage) as caught:
        parse_stage_command('"Acme Corp" limbo')
    assert caught.value.hint is not None and "retention" in caught.value.hint


# --- /feedback -----------------------------------------------------------------------------


def test_feedback_without_arguments_opens_the_modal() -> None:
    assert parse_feedback_command("") == OpenModal("/feedback")


def test_feedback_with_a_bare_name_takes_the_rest_as_text() -> None:
    assert parse_feedback_command("hooli The onboarding was quick  and clear") == RecordFeedback(
        customer="hooli", text="The onboarding was quick  and clear", whole="hooli The onboarding was quick  and clear"
    )


def test_feedback_with_a_smart_quoted_name_and_plain_text() -> None:
    assert parse_feedback_command("“Acme Corp” love it &lt;3 <!here>") == RecordFeedback(
        customer="Acme Corp", text="love it <3 @here"
    )


@pytest.mark.parametrize("text", ['"Acme Corp"', "acme", "acme    "])
def test_feedback_without_text_asks_what_the_customer_said(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_feedback_command(text)
    assert caught.value.command == "/feedback"
