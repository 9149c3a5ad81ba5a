"""Two workspaces on one deployment never see each other's data: every id a request carries is tampered with.

A user of workspace B sends, signed as Slack would, every button, form and held command we issue, carrying an id
that belongs to workspace A. The answer is always "not found" (or B's own data), never A's, and A is unchanged.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time as clock_time
from typing import Any

import pytest
from sqlalchemy import select

from handlers.ids import INPUT_ACTION, ActionId, BlockId, CallbackId
from handlers.requests import LogTouch, request_to_arguments
from lifecycle.activity import log_touchpoint, move_stage
from lifecycle.customers import add_customer
from lifecycle.pending import hold_command
from lifecycle.routing import set_route
from lifecycle.schedules import ScheduleRequest, create_schedule
from lifecycle.stages import Stage, Team
from lifecycle.touchpoints import TouchpointKind
from storage.models import (
    AuditEvent,
    Customer,
    DigestSchedule,
    Feedback,
    Handoff,
    OutboxMessage,
    PendingCommand,
    StageChange,
    TeamRoute,
    Touchpoint,
    WorkspaceRole,
)
from tests.conftest import OAuthBot, RunningBot
from tests.e2e.oauth_helpers import install
from tests.e2e.test_uninstall import wait_until
from tests.slack_requests import Sent, merge_values, plain_input, static_select

ACME, BETA = "T0ACME", "T0BETA"
ANA, BEA = "U0ANA", "U0BEA"  # who installed each workspace: its lifecycle admin
SECRET = "Acme Secret Corp"
NOT_FOUND = re.compile(r"no longer|expired|no customer|couldn.t find|not found|no active digest", re.IGNORECASE)


@dataclass(frozen=True)
class Ids:
    """What workspace A owns (the ids a tamperer would copy) and B's own held command."""

    customer: int
    handoff: int
    pending: int
    schedule: int
    audit: int
    beta_pending: int


def seed(bot: OAuthBot) -> Ids:
    """A's customer with history, a handoff, a held command and a digest schedule; B's own held command."""
    with bot.session_factory.begin() as session:
        now = bot.clock()
        set_route(session, workspace_id=ACME, team=Team.SERVICES, channel_id="C0ACMEONB", actor=ANA, now=now)
        customer = add_customer(
            session, workspace_id=ACME, name=SECRET, stage=Stage.ACQUISITION, owner=ANA, actor=ANA, now=now
        )
        log_touchpoint(
            session,
            workspace_id=ACME,
            customer=customer.id,
            kind=TouchpointKind.CALL,
            note="Secret pricing",
            actor=ANA,
            now=now,
        )
        move_stage(
            session, workspace_id=ACME, customer=customer.id, to=Stage.CONVERSION, actor=ANA, reason="Signed", now=now
        )
        handoff = session.scalars(select(Handoff.id).where(Handoff.workspace_id == ACME)).one()
        held = request_to_arguments(LogTouch(customer="acme secr", kind=TouchpointKind.CALL, note="Secret note"))
        pending = hold_command(session, workspace_id=ACME, user=ANA, command="touch", arguments=held, now=now)
        request = ScheduleRequest("daily", None, clock_time(8, 0), "UTC", "C0ACMEMGT", None)
        schedule = create_schedule(session, workspace_id=ACME, request=request, actor=ANA, now=now).id
        audit = max(session.scalars(select(AuditEvent.id).where(AuditEvent.workspace_id == ACME)))
        add_customer(session, workspace_id=BETA, name="Beta Bank", stage=Stage.REACH, owner=BEA, actor=BEA, now=now)
        mine = request_to_arguments(LogTouch(customer="zzz", kind=TouchpointKind.CALL, note=""))
        beta_pending = hold_command(session, workspace_id=BETA, user=BEA, command="touch", arguments=mine, now=now)
    return Ids(customer.id, handoff, pending, schedule, audit, beta_pending)


def outbox_states(bot: RunningBot) -> list[tuple[int, str]]:
    with bot.session_factory() as session:
        return [(row.id, str(row.status)) for row in session.scalars(select(OutboxMessage))]


def workspace_rows(bot: RunningBot, workspace_id: str) -> dict[str, list[tuple[str, ...]]]:
    """Every row a workspace owns, as text, to prove a request changed nothing in it."""
    models = (
        Customer,
        Touchpoint,
        StageChange,
        Feedback,
        Handoff,
        PendingCommand,
        DigestSchedule,
        AuditEvent,
        OutboxMessage,
        TeamRoute,
        WorkspaceRole,
    )
    with bot.session_factory() as session:
        return {
            model.__tablename__: sorted(
                tuple(str(getattr(row, column.key)) for column in model.__table__.columns)
                for row in session.scalars(select(model).where(model.workspace_id == workspace_id))
            )
            for model in models
        }


def answer(bot: RunningBot, sent: Sent) -> str:
    """What the clicker saw: the HTTP ack (forms, options) and whatever was posted to the response_url."""
    assert sent.response.status_code == 200, sent.response.text
    shown = sent.response.text
    if sent.response_url:
        shown += json.dumps(bot.standin.wait_for_response_posts(url=sent.response_url)[0].body, ensure_ascii=False)
    return shown


Send = Callable[[RunningBot, Ids], Sent]


@dataclass(frozen=True)
class Case:
    """One tampered request: which of our elements (action_id, callback_id or command) it forges, and how."""

    element: str
    send: Send
    own_data: bool = False  # the honest answer is B's own data (an empty search, B's audit page), not an error


def click(action_id: str, value: Callable[[Ids], str], *, user: str = BEA) -> Send:
    return lambda beta, ids: beta.slack.block_action(action_id, value(ids), user_id=user)


def submit(callback: CallbackId, extra: dict[str, Any]) -> Send:
    def send(beta: RunningBot, ids: Ids) -> Sent:
        picked = static_select(BlockId.CUSTOMER, INPUT_ACTION, f"c:{ids.customer}")
        return beta.slack.view_submission(callback, merge_values(picked, extra), user_id=BEA)

    return send


def held(pending: Callable[[Ids], int], *, user: str = BEA) -> Send:
    return click(
        f"{ActionId.PICK_CUSTOMER}:1", lambda ids: json.dumps({"p": pending(ids), "c": ids.customer}), user=user
    )


TAMPERED: dict[str, Case] = {
    "view a customer": Case(ActionId.VIEW_CUSTOMER, click(ActionId.VIEW_CUSTOMER, lambda ids: str(ids.customer))),
    "promote a loyalty candidate": Case(
        ActionId.PROMOTE_CUSTOMER, click(ActionId.PROMOTE_CUSTOMER, lambda ids: str(ids.customer))
    ),
    "accept a handoff": Case(ActionId.ACCEPT_HANDOFF, click(ActionId.ACCEPT_HANDOFF, lambda ids: str(ids.handoff))),
    "replay A's held command": Case(ActionId.PICK_CUSTOMER, held(lambda ids: ids.pending)),
    "replay A's held command as its author's user id": Case(
        ActionId.PICK_CUSTOMER, held(lambda ids: ids.pending, user=ANA)
    ),
    "pick A's customer for one's own held command": Case(ActionId.PICK_CUSTOMER, held(lambda ids: ids.beta_pending)),
    "create from A's held command": Case(
        ActionId.CREATE_CUSTOMER,
        click(ActionId.CREATE_CUSTOMER, lambda ids: json.dumps({"p": ids.pending, "n": "Mallory Inc"})),
    ),
    "confirm erasing A's customer": Case(
        ActionId.ERASE_CUSTOMER,
        click(ActionId.ERASE_CUSTOMER, lambda ids: json.dumps({"c": ids.customer, "t": int(time.time())})),
    ),
    "page A's customer's audit trail": Case(
        ActionId.AUDIT_OLDER, click(ActionId.AUDIT_OLDER, lambda ids: f"c:{ids.customer}|{ids.audit + 1}")
    ),
    "page the audit trail from A's ids": Case(
        ActionId.AUDIT_OLDER, click(ActionId.AUDIT_OLDER, lambda ids: f"all|{ids.audit + 1}"), own_data=True
    ),
    "search customers in a form": Case(
        ActionId.CUSTOMER_SEARCH,
        lambda beta, ids: beta.slack.block_suggestion(ActionId.CUSTOMER_SEARCH, "acme", user_id=BEA),
        own_data=True,
    ),
    "submit the touchpoint form": Case(
        CallbackId.TOUCH_MODAL, submit(CallbackId.TOUCH_MODAL, static_select(BlockId.KIND, INPUT_ACTION, "call"))
    ),
    "submit the stage form": Case(
        CallbackId.STAGE_MODAL,
        submit(
            CallbackId.STAGE_MODAL,
            merge_values(
                static_select(BlockId.STAGE, INPUT_ACTION, "loyalty"), plain_input(BlockId.REASON, INPUT_ACTION, "x")
            ),
        ),
    ),
    "submit the feedback form": Case(
        CallbackId.FEEDBACK_MODAL,
        submit(CallbackId.FEEDBACK_MODAL, plain_input(BlockId.FEEDBACK, INPUT_ACTION, "We will cancel")),
    ),
    "undo A's change": Case(ActionId.UNDO_CHANGE, click(ActionId.UNDO_CHANGE, lambda ids: str(ids.audit))),
    "confirm merging A's customer": Case(
        ActionId.MERGE_CUSTOMERS,
        lambda beta, ids: beta.slack.block_action(
            ActionId.MERGE_CUSTOMERS,
            json.dumps({"d": ids.customer, "k": ids.customer + 1, "t": int(beta.clock().timestamp())}),
            user_id=BEA,
        ),
    ),
    "cancel A's digest": Case(
        "/lifecycle digest cancel",
        lambda beta, ids: beta.slack.command("/lifecycle", f"digest cancel {ids.schedule}", user_id=BEA),
    ),
}
# Elements that carry no id of ours: nothing to tamper with.
WITHOUT_IDS = {
    ActionId.OPEN_TOUCH_FORM,
    ActionId.OPEN_STAGE_FORM,
    ActionId.OPEN_FEEDBACK_FORM,
    ActionId.ERASE_CANCEL,
    ActionId.MERGE_CANCEL,
}
# The message shortcuts carry Slack's own message, not an id of ours; the forms they open are tampered with above.
WITHOUT_IDS_CALLBACKS = {CallbackId.FEEDBACK_SHORTCUT, CallbackId.TOUCH_SHORTCUT}


@pytest.fixture
def two_workspaces(oauth_bot: OAuthBot) -> tuple[OAuthBot, RunningBot, Ids]:
    install(oauth_bot, ACME, ANA)
    install(oauth_bot, BETA, BEA)
    ids = seed(oauth_bot)
    oauth_bot.dispatcher.nudge()
    wait_until(lambda: all(row[1] == "delivered" for row in outbox_states(oauth_bot)))  # A's own alert is posted
    oauth_bot.standin.reset()
    return oauth_bot, oauth_bot.for_team(BETA), ids


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_an_id_from_another_workspace_finds_nothing_there_and_changes_nothing(two_workspaces, case):
    bot, beta, ids = two_workspaces
    acme_before = workspace_rows(bot, ACME)
    shown = answer(beta, TAMPERED[case].send(beta, ids))
    if not TAMPERED[case].own_data:
        assert NOT_FOUND.search(shown), shown
    bot.dispatcher.deliver_due()
    everything_slack_saw = shown + repr([call.params for call in bot.standin.calls])
    everything_slack_saw += repr([post.body for post in bot.standin.response_posts])
    assert "Secret" not in everything_slack_saw and ANA not in everything_slack_saw
    assert workspace_rows(bot, ACME) == acme_before


def test_every_button_form_and_held_command_that_carries_an_id_is_tampered_with_above():
    forged = {case.element for case in TAMPERED.values()}
    assert set(ActionId) - WITHOUT_IDS <= forged, "a new button: add a tampered case for it"
    assert set(CallbackId) - WITHOUT_IDS_CALLBACKS <= forged, "a new form: add a tampered case for it"
