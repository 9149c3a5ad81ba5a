"""Commands held while the user picks a customer: every request type, every field, survives being stored.

A held request is stored as JSON (SQLite and PostgreSQL) and replayed when a "did you mean" button is clicked,
perhaps after a restart or an upgrade; nothing the user typed may be lost or change type on the way.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, fields

import pytest

from handlers.requests import (
    REQUEST_TYPES,
    CustomerRequest,
    LogTouch,
    MoveStage,
    RecordFeedback,
    ShowCustomer,
    request_from_arguments,
    request_to_arguments,
)
from lifecycle.errors import LifecycleError
from lifecycle.pending import hold_command, take_pending
from lifecycle.stages import Stage
from lifecycle.touchpoints import TouchpointKind

AWKWARD = 'Said “no” twice & *shrugged* <@U0BOSS> 🙃\nthen: "maybe in Q3" — 50% sure'

# One example per request type, with every field set to something other than its default.
EXAMPLES: dict[str, CustomerRequest] = {
    ShowCustomer.TAG: ShowCustomer(customer="Acme Corp"),
    LogTouch.TAG: LogTouch(
        customer="Acme Corp",
        kind=TouchpointKind.RENEWAL,
        note=AWKWARD,
        when="yesterday",
        whole=f"Acme Corp renewal yesterday {AWKWARD}",
        message_author="U0MILES",
        permalink="https://acme.slack.com/archives/C0SALES/p1700000000000100",
    ),
    MoveStage.TAG: MoveStage(customer="acme", stage=Stage.CHURNED, reason=AWKWARD, whole=f"acme churned {AWKWARD}"),
    RecordFeedback.TAG: RecordFeedback(
        customer="acme",
        text=AWKWARD,
        whole=f"acme {AWKWARD}",
        message_author="U0MILES",
        permalink="https://acme.slack.com/archives/C0SALES/p1700000000000100",
    ),
}


def stored_and_read_back(request: CustomerRequest) -> dict:
    """The held arguments as a JSON column gives them back."""
    return json.loads(json.dumps(request_to_arguments(request)))


def test_every_request_type_has_an_example_that_sets_every_field():
    assert set(EXAMPLES) == set(REQUEST_TYPES)
    for tag, example in EXAMPLES.items():
        assert type(example) is REQUEST_TYPES[tag]
        for field in fields(example):
            if field.default is not MISSING:
                assert getattr(example, field.name) != field.default, (tag, field.name)


@pytest.mark.parametrize("tag", sorted(REQUEST_TYPES))
def test_a_held_request_of_every_type_comes_back_whole_pointing_at_the_picked_customer(tag: str):
    original = EXAMPLES[tag]
    rebuilt = request_from_arguments(stored_and_read_back(original), customer_id=42)
    assert type(rebuilt) is type(original)
    for field in fields(original):
        expected = 42 if field.name == "customer" else getattr(original, field.name)
        assert getattr(rebuilt, field.name) == expected, field.name
        assert type(getattr(rebuilt, field.name)) is type(expected), field.name


@pytest.mark.parametrize("tag", sorted(REQUEST_TYPES))
def test_a_request_held_under_its_old_class_name_replays_for_every_type(tag: str):
    original = EXAMPLES[tag]
    held = {**stored_and_read_back(original), "type": type(original).__name__}
    assert request_from_arguments(held, customer_id=42) == request_from_arguments(
        stored_and_read_back(original), customer_id=42
    )


@pytest.mark.parametrize("stage", list(Stage))
def test_every_stage_survives_a_held_move(stage: Stage):
    rebuilt = request_from_arguments(stored_and_read_back(MoveStage(customer="acme", stage=stage)), customer_id=1)
    assert rebuilt == MoveStage(customer=1, stage=stage)
    assert type(rebuilt.stage) is Stage


@pytest.mark.parametrize("kind", list(TouchpointKind))
def test_every_touchpoint_kind_survives_a_held_touch(kind: TouchpointKind):
    rebuilt = request_from_arguments(stored_and_read_back(LogTouch(customer="acme", kind=kind)), customer_id=1)
    assert rebuilt == LogTouch(customer=1, kind=kind)
    assert type(rebuilt.kind) is TouchpointKind


@pytest.mark.parametrize("tag", sorted(REQUEST_TYPES))
def test_a_held_request_survives_the_database_and_is_replayed_once_by_its_owner_only(tag: str, session_factory, clock):
    original = EXAMPLES[tag]
    with session_factory.begin() as session:
        pending_id = hold_command(
            session,
            workspace_id="T0ACME",
            user="U0REP",
            command=type(original).__name__,
            arguments=request_to_arguments(original),
            now=clock(),
        )
    with session_factory.begin() as session, pytest.raises(LifecycleError, match="expired"):
        take_pending(session, workspace_id="T0ACME", pending_id=pending_id, user="U0SOMEONE_ELSE", now=clock())
    with session_factory.begin() as session, pytest.raises(LifecycleError, match="expired"):
        take_pending(session, workspace_id="T0OTHER", pending_id=pending_id, user="U0REP", now=clock())
    with session_factory.begin() as session:
        pending = take_pending(session, workspace_id="T0ACME", pending_id=pending_id, user="U0REP", now=clock())
        rebuilt = request_from_arguments(pending.arguments, customer_id=42)
    assert rebuilt == request_from_arguments(stored_and_read_back(original), customer_id=42)
    with session_factory.begin() as session, pytest.raises(LifecycleError, match="already done"):
        take_pending(session, workspace_id="T0ACME", pending_id=pending_id, user="U0REP", now=clock())


def test_a_choice_older_than_half_an_hour_has_expired_and_records_nothing(session_factory, clock):
    from datetime import timedelta

    with session_factory.begin() as session:
        held = hold_command(
            session, workspace_id="T0ACME", user="U0REP", command="/touch", arguments={"type": "touch"}, now=clock()
        )
    with session_factory.begin() as session, pytest.raises(LifecycleError, match="expired"):
        take_pending(session, workspace_id="T0ACME", pending_id=held, user="U0REP", now=clock() + timedelta(days=53))
    with session_factory.begin() as session, pytest.raises(LifecycleError, match="more than 30 minutes old"):
        take_pending(session, workspace_id="T0ACME", pending_id=held, user="U0REP", now=clock() + timedelta(minutes=31))
    with session_factory.begin() as session:  # still within half an hour: it works, once
        take_pending(session, workspace_id="T0ACME", pending_id=held, user="U0REP", now=clock() + timedelta(minutes=29))
