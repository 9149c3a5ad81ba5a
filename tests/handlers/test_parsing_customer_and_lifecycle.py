"""Parsing /customer and /lifecycle, and holding a request while the user picks a customer."""

from __future__ import annotations

import json
from typing import get_args

import pytest

from handlers.parsing import (
    UsageError,
    parse_customer_command,
    parse_feedback_command,
    parse_stage_command,
    parse_touch_command,
)
from handlers.parsing_lifecycle import parse_lifecycle_command
from handlers.requests import (
    REQUEST_TYPES,
    AddCustomer,
    CustomerRequest,
    ListCustomers,
    LogTouch,
    MoveStage,
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
from lifecycle.errors import InvalidInput, UnknownStage, UnknownTeam
from lifecycle.stages import Stage, Team
from lifecycle.touchpoints import TouchpointKind

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


def test_lifecycle_with_an_unknown_verb_answers_in_one_line() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_lifecycle_command("teleport")
    assert "teleport" in caught.value.message
    assert "/lifecycle help" in caught.value.message
    assert not caught.value.show_usage


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("rotues", "routes"), ("rout", "route"), ("digset", "digest"), ("helath", "health"), ("admns", "admins")],
)
def test_a_lifecycle_typo_gets_did_you_mean_without_the_usage_block(typed: str, meant: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_lifecycle_command(f"{typed} something")
    assert f"Did you mean `/lifecycle {meant}`?" in caught.value.message
    assert not caught.value.show_usage


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
    assert arguments == {
        "type": "touch",
        "customer": "acme",
        "kind": "demo",
        "note": "",
        "when": None,
        "whole": None,
        "message_author": None,
        "permalink": None,
    }
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
