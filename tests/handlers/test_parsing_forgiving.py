"""Phrasings reps actually type (issue 13): `to` before a stage, new aliases, `at risk`, durations, `help`, dates."""

from __future__ import annotations

import pytest

from handlers.parsing import (
    parse_customer_command,
    parse_feedback_command,
    parse_stage_command,
    parse_touch_command,
    stage_readings,
    touch_readings,
)
from handlers.parsing_lifecycle import parse_lifecycle_command
from handlers.requests import LogTouch, MoveStage, SetHealthSetting, SetSla, ShowAtRisk, ShowHelp, ShowWatch
from lifecycle.errors import InvalidInput, UnknownKind, UnknownStage
from lifecycle.stages import Stage
from lifecycle.touchpoints import TouchpointKind

# --- /stage ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "customer", "stage", "reason"),
    [
        ("acme corp to conversion", "acme corp", Stage.CONVERSION, ""),
        ('"Acme Corp" to conversion Signed', "Acme Corp", Stage.CONVERSION, "Signed"),
        ("acme into retention", "acme", Stage.RETENTION, ""),
        ("initech churn", "initech", Stage.CHURNED, ""),
        ("initech churn went with a competitor", "initech", Stage.CHURNED, "went with a competitor"),
        ("initech to lost no budget", "initech", Stage.CHURNED, "no budget"),
        ("umbrella onboarding", "umbrella", Stage.CONVERSION, ""),
        ("umbrella advocate", "umbrella", Stage.LOYALTY, ""),
        ("back to basics conversion", "back to basics", Stage.CONVERSION, ""),
    ],
)
def test_stage_phrasings(text: str, customer: str, stage: Stage, reason: str) -> None:
    assert parse_stage_command(text) == MoveStage(customer=customer, stage=stage, reason=reason)


def test_an_unknown_stage_word_names_the_word_and_lists_stages_with_the_new_aliases() -> None:
    with pytest.raises(UnknownStage) as caught:
        parse_stage_command("initech churnd")
    assert "churnd" in caught.value.message
    assert caught.value.hint is not None
    for alias in ("churn", "lost", "onboarding", "advocate"):
        assert alias in caught.value.hint


def test_stage_readings_offer_every_split_first_stage_word_first() -> None:
    readings = stage_readings("lost horizons conversion")
    assert [(r.customer, r.stage) for r in readings] == [
        ("lost horizons", Stage.CONVERSION),
    ]
    readings = stage_readings("acme loyalty retention")
    assert [(r.customer, r.stage) for r in readings] == [("acme", Stage.LOYALTY), ("acme loyalty", Stage.RETENTION)]
    assert all(r.whole == "acme loyalty retention" for r in readings)


# --- /touch ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "customer", "kind", "when", "note"),
    [
        ('"Acme Corp" call yesterday talked pricing', "Acme Corp", TouchpointKind.CALL, "yesterday", "talked pricing"),
        ("acme call today", "acme", TouchpointKind.CALL, "today", ""),
        ("acme meeting friday kickoff", "acme", TouchpointKind.MEETING, "friday", "kickoff"),
        ("acme meeting Fri, kickoff", "acme", TouchpointKind.MEETING, "friday", "kickoff"),
        ("acme demo last tuesday went well", "acme", TouchpointKind.DEMO, "tuesday", "went well"),
        ("acme corp email 3d ago sent the quote", "acme corp", TouchpointKind.EMAIL, "3d ago", "sent the quote"),
        ("acme email 3 days ago", "acme", TouchpointKind.EMAIL, "3d ago", ""),
        ("acme email 3 day ago", "acme", TouchpointKind.EMAIL, "3d ago", ""),
        ("acme chat 2026-11-02 pinged", "acme", TouchpointKind.CHAT, "2026-11-02", "pinged"),
        (
            "acme call talked about yesterday's outage",
            "acme",
            TouchpointKind.CALL,
            None,
            "talked about yesterday's outage",
        ),
    ],
)
def test_touch_with_a_when(text: str, customer: str, kind: TouchpointKind, when: str | None, note: str) -> None:
    assert parse_touch_command(text) == LogTouch(customer=customer, kind=kind, note=note, when=when)


def test_a_date_that_is_not_real_is_an_error_not_a_note() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_touch_command("acme call 2026-02-30 hello")
    assert "2026-02-30" in caught.value.message


def test_verbs_reps_write_are_kinds_and_stay_in_the_note() -> None:
    assert parse_touch_command("blue called them about the renewal") == LogTouch(
        customer="blue", kind=TouchpointKind.CALL, note="called them about the renewal"
    )
    assert parse_touch_command("initech emailed the contract") == LogTouch(
        customer="initech", kind=TouchpointKind.EMAIL, note="emailed the contract"
    )
    assert parse_touch_command("initech met yesterday") == LogTouch(
        customer="initech", kind=TouchpointKind.MEETING, note="met yesterday"
    )


def test_touch_readings_keep_every_split_for_the_name_lookup() -> None:
    readings = touch_readings("blue called them about the renewal")
    assert [(r.customer, r.kind) for r in readings] == [
        ("blue", TouchpointKind.CALL),
        ("blue called them about the", TouchpointKind.RENEWAL),
    ]
    assert all(r.whole == "blue called them about the renewal" for r in readings)


def test_a_quoted_name_has_one_reading_and_no_whole_line() -> None:
    readings = touch_readings('"Blue Bottle" call renewal talk')
    assert [(r.customer, r.kind, r.note) for r in readings] == [("Blue Bottle", TouchpointKind.CALL, "renewal talk")]
    assert readings[0].whole is None


def test_an_unknown_kind_after_a_quoted_name_lists_the_kinds() -> None:
    with pytest.raises(UnknownKind) as caught:
        parse_touch_command('"Acme" calll notes')
    assert "calll" in caught.value.message


# --- help, everywhere -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parse", "command"),
    [
        (parse_touch_command, "/touch"),
        (parse_stage_command, "/stage"),
        (parse_feedback_command, "/feedback"),
        (parse_customer_command, "/customer"),
    ],
)
@pytest.mark.parametrize("word", ["help", "HELP", "?", "--help"])
def test_help_as_the_first_word_of_every_command(parse: object, command: str, word: str) -> None:
    assert parse(word) == ShowHelp(command)  # type: ignore[operator]


def test_lifecycle_help() -> None:
    assert parse_lifecycle_command("help") == ShowHelp(None)


def test_a_customer_called_help_can_still_be_touched_with_quotes_or_a_kind() -> None:
    assert parse_touch_command('"Help" call') == LogTouch(customer="Help", kind=TouchpointKind.CALL)
    assert parse_touch_command("help call") == LogTouch(customer="help", kind=TouchpointKind.CALL)


# --- at risk, with a space ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["at risk", "at-risk", "At Risk", "atrisk"])
def test_at_risk_with_or_without_a_space(text: str) -> None:
    assert parse_lifecycle_command(text) == ShowAtRisk()
    assert parse_customer_command(f"list {text}") == ShowAtRisk()


@pytest.mark.parametrize("text", ["watch", "on watch", "watchlist"])
def test_watch_phrasings(text: str) -> None:
    assert parse_lifecycle_command(text) == ShowWatch()
    assert parse_customer_command(f"list {text}") == ShowWatch()


# --- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hours", "days"),
    [
        ("sla 4h", 4.0, None),
        ("sla 4 hours", 4.0, None),
        ("sla 4 hrs", 4.0, None),
        ("sla 1 hour", 1.0, None),
        ("sla 4", 4.0, None),
        ("sla 90 min", 1.5, None),
        ("sla 2 days", None, 2.0),
        ("sla 2d", None, 2.0),
        ("sla 2 business days", None, 2.0),
        ("sla 1 week", None, 5.0),
    ],
)
def test_sla_durations_read_as_people_write_them(text: str, hours: float | None, days: float | None) -> None:
    request = parse_lifecycle_command(text)
    assert isinstance(request, SetSla)
    assert (request.change.hours, request.change.days) == (hours, days)


def test_a_duration_mixes_with_the_other_sla_settings_in_any_order() -> None:
    request = parse_lifecycle_command("sla mon-fri 6 hours 08:00-16:00 Europe/Berlin")
    assert isinstance(request, SetSla)
    assert request.change.hours == 6.0
    assert request.change.weekdays == frozenset(range(5))
    assert request.change.timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("health set cadence.retention 21", "21"),
        ("health set cadence.retention 3 weeks", "21"),
        ("health set intent_window_days 30 days", "30"),
        ("health set renewal_warning_days 2 months", None),
    ],
)
def test_health_windows_take_days_or_weeks(text: str, value: str | None) -> None:
    if value is None:
        with pytest.raises(InvalidInput):
            parse_lifecycle_command(text)
        return
    request = parse_lifecycle_command(text)
    assert isinstance(request, SetHealthSetting)
    assert request.value == value
