"""Web API faults treated with judgement: errors a person can fix park a message, Retry-After is clamped.

A refused token or a missing, archived or closed channel parks the message as blocked (never given up on), until
the workspace re-authenticates, its route changes or the channel comes back. Slack's Retry-After is honoured
between 1 second and 15 minutes, whatever the header says.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.dispatcher import Dispatcher, dispatcher_client
from lifecycle.outbox import RetryPolicy, enqueue
from lifecycle.routing import set_route
from lifecycle.stages import Team
from lifecycle.states import OutboxKind, OutboxStatus
from lifecycle.workspaces import mark_installed
from storage.db import make_session_factory
from storage.models import AuditEvent, OutboxMessage
from tests.conftest import BOT_TOKEN
from tests.seeding import sign_and_hand_over

WORKSPACE = "T0ACME"
SERVICES = "C0ONBOARD"


@pytest.fixture
def dispatcher(session_factory, standin, clock, engine) -> Dispatcher:
    standin.clock = lambda: clock().timestamp()
    return Dispatcher(
        session_factory,
        dispatcher_client(BOT_TOKEN, standin.base_url, retry_interval=0.01),
        clock=clock,
        read_session_factory=make_session_factory(engine, read_only=True),
        policy=RetryPolicy(give_up_after=timedelta(hours=24)),
    )


def hand_over(session_factory, clock, *names: str, route: bool = True) -> None:
    """Move each customer from acquisition to conversion: one handoff alert each, to the services channel."""
    with session_factory.begin() as session:
        if route:  # (routing again would revive what is parked)
            set_route(
                session, workspace_id=WORKSPACE, team=Team.SERVICES, channel_id=SERVICES, actor="U0ADM", now=clock()
            )
        for name in names:
            sign_and_hand_over(session, workspace_id=WORKSPACE, name=name, now=clock())


def statuses(session_factory) -> list[tuple[OutboxStatus, str | None]]:
    with session_factory() as session:
        return [(m.status, m.last_error) for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def posts_to(standin, channel: str) -> int:
    return len([call for call in standin.calls_to("chat.postMessage") if call.params["channel"] == channel])


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        ("invalid_auth", "invalid_auth"),
        ("token_revoked", "token_revoked"),
        ("account_inactive", "account_inactive"),
        ("channel_not_found", f"channel_not_found in {SERVICES}"),
        ("is_archived", f"is_archived in {SERVICES}"),
    ],
)
def test_an_error_a_person_can_fix_parks_the_message_and_it_is_never_given_up_on(
    session_factory, standin, clock, dispatcher, error, cause
):
    hand_over(session_factory, clock, "Acme Corp")
    standin.fail_next("chat.postMessage", status=200, error=error)
    assert dispatcher.deliver_due() == 0
    assert statuses(session_factory) == [(OutboxStatus.BLOCKED, cause)]
    with session_factory() as session:
        [audit] = session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.blocked")).all()
        assert audit.details["error"] == cause
    clock.advance(days=3)  # far past the 24-hour give-up horizon, and no retry meanwhile
    assert dispatcher.deliver_due() == 0
    assert statuses(session_factory) == [(OutboxStatus.BLOCKED, cause)]
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_not_in_channel_parks_the_message_when_the_channel_cannot_be_joined(
    session_factory, standin, clock, dispatcher
):
    hand_over(session_factory, clock, "Acme Corp")
    standin.fail_next("chat.postMessage", status=200, error="not_in_channel")
    standin.fail_next("conversations.join", status=200, error="method_not_supported_for_channel_type")  # private
    assert dispatcher.deliver_due() == 0
    assert statuses(session_factory) == [(OutboxStatus.BLOCKED, f"not_in_channel in {SERVICES}")]
    with session_factory.begin() as session:  # invited now, the admin routes the team there again
        set_route(session, workspace_id=WORKSPACE, team=Team.SERVICES, channel_id=SERVICES, actor="U0ADM", now=clock())
    assert dispatcher.deliver_due() == 1
    assert posts_to(standin, SERVICES) == 2  # the refused one, then the one that went


def test_invalid_auth_once_then_the_alert_goes_out_after_the_workspace_re_authenticates(
    session_factory, standin, clock, dispatcher
):
    hand_over(session_factory, clock, "Acme Corp")
    standin.fail_next("chat.postMessage", status=200, error="invalid_auth")
    dispatcher.deliver_due()
    clock.advance(hours=30)
    assert dispatcher.deliver_due() == 0  # parked: no retry loop against a refused token
    with session_factory.begin() as session:
        mark_installed(session, workspace_id=WORKSPACE, installer="U0ADM", now=clock())
    assert dispatcher.deliver_due() == 1
    assert statuses(session_factory) == [(OutboxStatus.DELIVERED, None)]
    assert [call.failed_with for call in standin.calls_to("chat.postMessage")] == ["invalid_auth", None]


def test_a_refused_token_blip_ends_when_slack_takes_the_same_token_for_another_message(
    session_factory, standin, clock, dispatcher
):
    hand_over(session_factory, clock, "Acme Corp")
    standin.fail_next("chat.postMessage", status=200, error="invalid_auth")
    dispatcher.deliver_due()
    hand_over(session_factory, clock, "Globex", route=False)
    assert dispatcher.deliver_due() == 2  # Globex went, so the token works: Acme's alert goes too
    assert [status for status, _ in statuses(session_factory)] == [OutboxStatus.DELIVERED] * 2


def test_a_channel_not_found_alert_goes_to_the_new_channel_when_the_route_changes(
    session_factory, standin, clock, dispatcher
):
    hand_over(session_factory, clock, "Acme Corp")
    standin.fail_next("chat.postMessage", status=200, error="channel_not_found")
    dispatcher.deliver_due()
    clock.advance(days=2)
    with session_factory.begin() as session:
        routed = set_route(
            session, workspace_id=WORKSPACE, team=Team.SERVICES, channel_id="C0NEWONB", actor="U0ADM", now=clock()
        )
    assert routed.waiting_alerts == 1
    assert dispatcher.deliver_due() == 1
    assert posts_to(standin, "C0NEWONB") == 1
    assert statuses(session_factory) == [(OutboxStatus.DELIVERED, None)]


def test_a_re_install_does_not_revive_a_message_parked_on_a_channel(session_factory, standin, clock, dispatcher):
    hand_over(session_factory, clock, "Acme Corp")
    standin.fail_next("chat.postMessage", status=200, error="is_archived")
    dispatcher.deliver_due()
    with session_factory.begin() as session:
        mark_installed(session, workspace_id=WORKSPACE, installer=None, now=clock())
    assert dispatcher.deliver_due() == 0
    assert statuses(session_factory) == [(OutboxStatus.BLOCKED, f"is_archived in {SERVICES}")]


@pytest.mark.parametrize(
    ("header", "wait"),
    [("-5", 1), ("0", 1), ("soon", 30), ("86400", 15 * 60), ("1e12", 15 * 60), ("inf", 15 * 60), ("nan", 30)],
)
def test_retry_after_is_honoured_within_a_second_and_a_quarter_hour(
    session_factory, standin, clock, dispatcher, header, wait
):
    hand_over(session_factory, clock, "Acme Corp")
    standin.fail_next("chat.postMessage", status=429, retry_after=header)
    assert dispatcher.deliver_due() == 0
    with session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert message.next_attempt_at - clock() == timedelta(seconds=wait)
    assert dispatcher.deliver_due() == 0  # never at once: no busy loop
    clock.advance(seconds=wait - 1)
    assert dispatcher.deliver_due() == 0
    clock.advance(seconds=1)
    assert dispatcher.deliver_due() == 1  # never a day later either
    assert len(standin.calls_to("chat.postMessage")) == 2


def test_a_digest_parked_on_a_missing_managers_channel_goes_to_their_new_one(
    session_factory, standin, clock, dispatcher
):
    quietly = {"workspace_id": WORKSPACE, "team": Team.MANAGERS, "actor": "U0ADM", "announce": False}
    with session_factory.begin() as session:
        set_route(session, channel_id="C0MGR", now=clock(), **quietly)
        window = {"window_start": (clock() - timedelta(days=7)).isoformat(), "window_end": clock().isoformat()}
        enqueue(session, workspace_id=WORKSPACE, kind=OutboxKind.DIGEST, now=clock(), payload=window)
    standin.fail_next("chat.postMessage", status=200, error="channel_not_found")
    assert dispatcher.deliver_due() == 0
    assert statuses(session_factory) == [(OutboxStatus.BLOCKED, "channel_not_found in C0MGR")]
    with session_factory.begin() as session:
        set_route(session, channel_id="C0MGR2", now=clock(), **quietly)
    assert dispatcher.deliver_due() == 1
    assert posts_to(standin, "C0MGR2") == 1
    assert statuses(session_factory) == [(OutboxStatus.DELIVERED, None)]
