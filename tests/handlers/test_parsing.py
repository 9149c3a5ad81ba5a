"""Slash-command text to plain request values (DESIGN.md §3), as Slack sends it with should_escape."""

from __future__ import annotations

import json
from typing import get_args

import pytest

from handlers.parsing import (
    UsageError,
    parse_customer_command,
    parse_feedback_command,
    parse_lifecycle_command,
    parse_stage_command,
    parse_touch_command,
)
from handlers.requests import (
    REQUEST_TYPES,
    AddCustomer,
    CustomerRequest,
    ListCustomers,
    LogTouch,
    MoveStage,
    OpenModal,
    RecordFeedback,
    SetHealthSetting,
    SetRoute,
    ShowAtRisk,
    ShowCustomer,
    ShowHealthSettings,
    ShowHelp,
    ShowLoyal,
    ShowRoutes,
    request_from_arguments,
    request_to_arguments,
)
from lifecycle.errors import InvalidInput, UnknownKind, UnknownStage, UnknownTeam
from lifecycle.names import clean_customer_name
from lifecycle.stages import Stage, Team
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
    assert request.note == "with @rita in #sales: <great> & see deck (https://x.io)"


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
    assert request == MoveStage(customer="acme", stage=Stage.CHURNED, reason="went with @bob's rival & co")


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


# --- /customer -----------------------------------------------------------------------------


def test_customer_with_a_quoted_name_shows_the_profile() -> None:
    assert parse_customer_command('"Acme Corp"') == ShowCustomer(customer="Acme Corp")
    assert parse_customer_command("“Acme Corp”") == ShowCustomer(customer="Acme Corp")


def test_customer_with_bare_words_shows_the_profile_of_the_whole_name() -> None:
    assert parse_customer_command("wayne  enterprises") == ShowCustomer(customer="wayne enterprises")


def test_a_quoted_customer_called_list_is_a_name_not_a_verb() -> None:
    assert parse_customer_command('"List Logistics"') == ShowCustomer(customer="List Logistics")
    assert parse_customer_command('"add"') == ShowCustomer(customer="add")


def test_customer_without_arguments_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as caught:
        parse_customer_command("  ")
    assert caught.value.command == "/customer"


@pytest.mark.parametrize("text", ["help", "HELP"])
def test_customer_help(text: str) -> None:
    assert parse_customer_command(text) == ShowHelp("/customer")


def test_customer_add_defaults_to_reach_and_the_caller() -> None:
    request = parse_customer_command('add "Acme Corp"')
    assert request == AddCustomer(name="Acme Corp", stage=Stage.REACH, owner=None)


def test_customer_add_with_stage_and_owner() -> None:
    assert parse_customer_command('add "Acme Corp" acquisition <@U0RITA|rita>') == AddCustomer(
        name="Acme Corp", stage=Stage.ACQUISITION, owner="U0RITA"
    )


def test_customer_add_takes_stage_and_owner_in_either_order() -> None:
    assert parse_customer_command("ADD “Stark Industries” <@U0TONY|tony> Advocacy") == AddCustomer(
        name="Stark Industries", stage=Stage.LOYALTY, owner="U0TONY"
    )


def test_customer_add_with_a_bare_multi_word_name_before_the_stage() -> None:
    assert parse_customer_command("add stark industries conversion") == AddCustomer(
        name="stark industries", stage=Stage.CONVERSION
    )


def test_customer_add_with_a_bare_name_before_the_owner() -> None:
    assert parse_customer_command("add stark industries <@U0TONY>") == AddCustomer(
        name="stark industries", owner="U0TONY"
    )


def test_customer_add_without_a_name_asks_for_one() -> None:
    with pytest.raises(UsageError):
        parse_customer_command("add")


def test_customer_add_with_an_unlinked_at_name_asks_for_a_real_mention() -> None:
    with pytest.raises(UsageError) as caught:
        parse_customer_command('add "Acme Corp" @rita')
    assert "@rita" in caught.value.message


def test_customer_add_with_a_malformed_mention_is_rejected() -> None:
    with pytest.raises(UsageError):
        parse_customer_command('add "Acme Corp" <@u0rita|rita>')


def test_customer_add_with_an_unknown_word_after_the_name_suggests_quotes() -> None:
    with pytest.raises(UsageError) as caught:
        parse_customer_command('add "Acme Corp" wibble')
    assert "wibble" in caught.value.message
    assert caught.value.hint is not None and "quotes" in caught.value.hint


def test_customer_list_lists_everyone() -> None:
    assert parse_customer_command("list") == ListCustomers(stage=None, mine=False)


def test_customer_list_mine() -> None:
    assert parse_customer_command("list mine") == ListCustomers(mine=True)
    assert parse_customer_command("LIST Mine") == ListCustomers(mine=True)


@pytest.mark.parametrize(
    ("word", "stage"), [("retention", Stage.RETENTION), ("Lost", Stage.CHURNED), ("awareness", Stage.REACH)]
)
def test_customer_list_by_stage(word: str, stage: Stage) -> None:
    assert parse_customer_command(f"list {word}") == ListCustomers(stage=stage)


def test_customer_list_with_an_unknown_filter_is_an_unknown_stage() -> None:
    with pytest.raises(UnknownStage):
        parse_customer_command("list limbo")


def test_customer_list_takes_one_filter_only() -> None:
    with pytest.raises(UsageError):
        parse_customer_command("list mine reach")


@pytest.mark.parametrize("text", ["list at-risk", "list risk", "LIST At-Risk"])
def test_customer_list_at_risk_shows_the_at_risk_list(text: str) -> None:
    assert parse_customer_command(text) == ShowAtRisk()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at-risk", ShowAtRisk()),
        ("loyal", ShowLoyal()),
        ("health", ShowHealthSettings()),
        ("health set cadence.retention 21", SetHealthSetting(key="cadence.retention", value="21")),
    ],
)
def test_lifecycle_health_commands(text: str, expected: object) -> None:
    assert parse_lifecycle_command(text) == expected


def test_lifecycle_health_set_needs_a_key_and_a_value() -> None:
    with pytest.raises(UsageError):
        parse_lifecycle_command("health set cadence.retention")


# --- /lifecycle ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "help", "Help"])
def test_lifecycle_help(text: str) -> None:
    assert parse_lifecycle_command(text) == ShowHelp(None)


def test_lifecycle_routes() -> None:
    assert parse_lifecycle_command("routes") == ShowRoutes()


def test_lifecycle_route_cs_to_an_escaped_channel() -> None:
    request = parse_lifecycle_command("route cs <#C0CS|cs-team>")
    assert request == SetRoute(team=Team.SUCCESS, channel_id="C0CS")


@pytest.mark.parametrize(
    ("word", "team"),
    [
        ("sales", Team.SALES),
        ("Services", Team.SERVICES),
        ("success", Team.SUCCESS),
        ("managers", Team.MANAGERS),
    ],
)
def test_lifecycle_route_every_team(word: str, team: Team) -> None:
    assert parse_lifecycle_command(f"route {word} <#C0ALERTS>") == SetRoute(team=team, channel_id="C0ALERTS")


@pytest.mark.parametrize("channel", ["#cs-team", "cs-team", "<@U0RITA|rita>", "<#c0cs|cs-team>"])
def test_lifecycle_route_to_something_that_is_not_a_channel_is_rejected(channel: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_lifecycle_command(f"route cs {channel}")
    assert "not a channel" in caught.value.message
    assert caught.value.command == "/lifecycle"


@pytest.mark.parametrize("text", ["route", "route cs", "route cs <#C0CS|cs-team> <#C0MORE|more>"])
def test_lifecycle_route_needs_exactly_a_team_and_a_channel(text: str) -> None:
    with pytest.raises(UsageError):
        parse_lifecycle_command(text)


def test_lifecycle_route_to_an_unknown_team_is_rejected() -> None:
    with pytest.raises(UnknownTeam):
        parse_lifecycle_command("route pirates <#C0SEA|sea>")


def test_lifecycle_with_an_unknown_verb_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as caught:
        parse_lifecycle_command("teleport")
    assert "teleport" in caught.value.message


# --- holding a request while the user picks a customer ------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        ShowCustomer(customer="acme"),
        LogTouch(customer="acme", kind=TouchpointKind.DEMO, note="Showed the  dashboard"),
        MoveStage(customer="acme", stage=Stage.RETENTION, reason="Went live"),
        RecordFeedback(customer="acme", text="Loving it & the team"),
    ],
)
def test_a_held_request_survives_json_and_comes_back_pointing_at_the_picked_customer(
    request_: CustomerRequest,
) -> None:
    arguments = request_to_arguments(request_)
    stored = json.loads(json.dumps(arguments))
    rebuilt = request_from_arguments(stored, customer_id=42)
    assert type(rebuilt) is type(request_)
    assert rebuilt.customer == 42
    for name, value in vars(request_).items():
        if name != "customer":
            assert getattr(rebuilt, name) == value
            assert type(getattr(rebuilt, name)) is type(value)


def test_held_arguments_store_enums_by_value() -> None:
    arguments = request_to_arguments(LogTouch(customer="acme", kind=TouchpointKind.DEMO, note=""))
    assert arguments == {"type": "touch", "customer": "acme", "kind": "demo", "note": ""}
    assert type(arguments["kind"]) is str


def test_a_request_held_under_its_old_class_name_still_replays() -> None:
    held = {"type": "MoveStage", "customer": "acme", "stage": "loyalty", "reason": "Renewed"}
    assert request_from_arguments(held, customer_id=7) == MoveStage(customer=7, stage=Stage.LOYALTY, reason="Renewed")


def test_an_unknown_held_request_is_refused_as_a_stale_button() -> None:
    with pytest.raises(InvalidInput, match="no longer works"):
        request_from_arguments({"type": "launch_rockets"}, customer_id=7)


def test_every_customer_request_type_has_a_unique_stable_tag() -> None:
    types = get_args(CustomerRequest)
    assert set(REQUEST_TYPES.values()) == set(types)
    assert len({cls.TAG for cls in types}) == len(types)


def test_rebuilding_a_request_leaves_the_held_arguments_untouched() -> None:
    arguments = request_to_arguments(MoveStage(customer="acme", stage=Stage.LOYALTY))
    snapshot = dict(arguments)
    request_from_arguments(arguments, customer_id=7)
    assert arguments == snapshot


@pytest.mark.parametrize(
    "text", ["acme call, talked pricing", "acme call: talked pricing", "acme CALL. talked pricing"]
)
def test_punctuation_after_the_kind_is_forgiven(text: str) -> None:
    assert parse_touch_command(text) == LogTouch(customer="acme", kind=TouchpointKind.CALL, note="talked pricing")


def test_punctuation_after_the_stage_is_forgiven() -> None:
    assert parse_stage_command("acme conversion: signed") == MoveStage(
        customer="acme", stage=Stage.CONVERSION, reason="signed"
    )


def test_single_smart_quotes_delimit_a_name_but_an_apostrophe_does_not() -> None:
    assert parse_customer_command("‘Acme Corp’") == ShowCustomer(customer="Acme Corp")
    assert parse_touch_command("o'brien call hi") == LogTouch(customer="o'brien", kind=TouchpointKind.CALL, note="hi")


def test_unquoted_feedback_keeps_the_whole_line_to_find_a_longer_name() -> None:
    request = parse_feedback_command("Acme Corp hates the UI")
    assert (request.customer, request.text, request.whole) == ("Acme", "Corp hates the UI", "Acme Corp hates the UI")
    assert parse_feedback_command('"Acme Corp" hates it').whole is None
