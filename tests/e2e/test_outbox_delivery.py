"""The outbox under failure: Slack outages, rate limits, crashes and several dispatchers at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.dispatcher import Dispatcher, dispatcher_client
from lifecycle.activity import move_stage
from lifecycle.customers import add_customer
from lifecycle.handoffs import accept_handoff
from lifecycle.outbox import RetryPolicy
from lifecycle.routing import set_route
from lifecycle.stages import Stage, Team
from lifecycle.states import OutboxStatus
from storage.db import make_session_factory
from storage.models import AuditEvent, Handoff, OutboxMessage
from tests.conftest import BOT_TOKEN

WORKSPACE = "T0ACME"
SERVICES = "C0ONBOARD"


@pytest.fixture
def make_dispatcher(session_factory, standin, clock, engine):
    def make(**overrides) -> Dispatcher:
        return Dispatcher(
            session_factory,
            dispatcher_client(BOT_TOKEN, standin.base_url, retry_interval=0.01),
            clock=clock,
            read_session_factory=make_session_factory(engine, read_only=True),
            **overrides,
        )

    return make


def hand_over(session_factory, clock, count: int, *, route: bool = True) -> list[int]:
    """Move `count` customers from acquisition to conversion: one handoff alert each."""
    with session_factory.begin() as session:
        if route:
            set_route(
                session, workspace_id=WORKSPACE, team=Team.SERVICES, channel_id=SERVICES, actor="U0ADMIN", now=clock()
            )
        ids = []
        for number in range(count):
            customer = add_customer(
                session,
                workspace_id=WORKSPACE,
                name=f"Customer {number:03d}",
                stage=Stage.ACQUISITION,
                owner="U0REP",
                actor="U0REP",
                now=clock(),
            )
            move_stage(
                session,
                workspace_id=WORKSPACE,
                customer=customer.id,
                to=Stage.CONVERSION,
                actor="U0REP",
                reason="signed",
                now=clock(),
            )
            ids.append(customer.id)
    return ids


def alerts_posted(standin) -> Counter[str]:
    """How many successful alert posts each customer got (by the header text)."""
    return Counter(call.params["text"] for call in standin.calls_to("chat.postMessage") if not call.failed_with)


def outbox_statuses(session_factory) -> Counter[str]:
    with session_factory() as session:
        return Counter(str(status) for status in session.scalars(select(OutboxMessage.status)))


def test_every_alert_is_delivered_once_after_slack_answers_500_and_429_for_a_while(
    session_factory, standin, clock, make_dispatcher
):
    hand_over(session_factory, clock, 5)
    dispatcher = make_dispatcher()
    # 500s (each one retried once inside slack_sdk, then by the outbox), then a rate limit.
    standin.fail_next("chat.postMessage", times=6, status=500)
    standin.fail_next("chat.postMessage", times=1, status=429, retry_after=30)
    for _ in range(12):
        dispatcher.deliver_due()
        clock.advance(minutes=1)
    assert alerts_posted(standin) == {
        f"Handoff to Services: Customer {n:03d}, Acquisition → Conversion": 1 for n in range(5)
    }
    assert outbox_statuses(session_factory) == {"delivered": 5}
    failures = [call for call in standin.calls_to("chat.postMessage") if call.failed_with]
    assert len(failures) == 7


def test_a_rate_limit_is_honoured_before_trying_again(session_factory, standin, clock, make_dispatcher):
    hand_over(session_factory, clock, 1)
    dispatcher = make_dispatcher()
    standin.fail_next("chat.postMessage", times=1, status=429, retry_after=120)
    assert dispatcher.deliver_due() == 0
    clock.advance(seconds=119)
    assert dispatcher.deliver_due() == 0
    assert len(standin.calls_to("chat.postMessage")) == 1
    clock.advance(seconds=1)
    assert dispatcher.deliver_due() == 1


def test_slack_down_for_minutes_loses_nothing(session_factory, standin, clock, make_dispatcher):
    hand_over(session_factory, clock, 3)
    dispatcher = make_dispatcher()
    standin.fail_next("chat.postMessage", times=10_000, status=503)
    for _ in range(15):  # 15 minutes of outage
        dispatcher.deliver_due()
        clock.advance(minutes=1)
    assert alerts_posted(standin) == {}
    assert outbox_statuses(session_factory) == {"pending": 3}
    standin.reset()
    clock.advance(minutes=5)
    assert dispatcher.deliver_due() == 3
    assert sorted(alerts_posted(standin).values()) == [1, 1, 1]


def test_a_dispatcher_killed_between_claim_and_send_is_taken_over_after_its_lease(
    session_factory, standin, clock, make_dispatcher
):
    hand_over(session_factory, clock, 2)
    crashed = make_dispatcher(worker_id="crashed")
    claims = crashed.claim()
    assert len(claims) == 2  # ...and the process dies here, before sending anything
    successor = make_dispatcher(worker_id="successor")
    assert successor.deliver_due() == 0  # the lease still holds
    clock.advance(minutes=5, seconds=1)
    assert successor.deliver_due() == 2
    assert sorted(alerts_posted(standin).values()) == [1, 1]
    assert crashed.deliver(claims[0]) is False  # a late wake-up of the crashed one sends nothing


def test_a_restart_does_not_resend_what_was_delivered(session_factory, standin, clock, make_dispatcher):
    hand_over(session_factory, clock, 2)
    assert make_dispatcher().deliver_due() == 2
    clock.advance(hours=1)
    assert make_dispatcher().deliver_due() == 0
    assert sorted(alerts_posted(standin).values()) == [1, 1]


def test_two_dispatchers_on_one_database_deliver_each_alert_once(session_factory, standin, clock, make_dispatcher):
    hand_over(session_factory, clock, 40)
    dispatchers = [make_dispatcher(worker_id=f"replica-{n}", batch_size=3) for n in range(2)]
    delivered: list[int] = []
    barrier = threading.Barrier(len(dispatchers))

    def work(dispatcher: Dispatcher) -> None:
        barrier.wait()
        delivered.append(dispatcher.deliver_due())

    threads = [threading.Thread(target=work, args=(dispatcher,)) for dispatcher in dispatchers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    posted = alerts_posted(standin)
    assert len(posted) == 40 and set(posted.values()) == {1}
    assert sum(delivered) == 40
    with session_factory() as session:
        workers = Counter(session.scalars(select(AuditEvent.action)).all())
    assert workers["handoff.opened"] == 40


def test_a_permanent_error_gives_up_at_once_and_is_shown_in_routes(session_factory, standin, clock, make_dispatcher):
    # A cause a person can fix (channel_not_found...) parks the message instead: tests/bot/test_dispatcher_blocked.py.
    hand_over(session_factory, clock, 1)
    standin.respond_with("chat.postMessage", {"ok": False, "error": "invalid_blocks"})
    dispatcher = make_dispatcher()
    assert dispatcher.deliver_due() == 0
    with session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.last_error) == (OutboxStatus.FAILED, "invalid_blocks")
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.failed")).one()
    clock.advance(hours=1)
    assert dispatcher.deliver_due() == 0
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_not_in_channel_joins_the_channel_and_posts(session_factory, standin, clock, make_dispatcher):
    hand_over(session_factory, clock, 1)
    standin.fail_next("chat.postMessage", times=1, status=200, error="not_in_channel")
    assert make_dispatcher().deliver_due() == 1
    assert [call.params["channel"] for call in standin.calls_to("conversations.join")] == [SERVICES]


def test_it_gives_up_after_the_horizon_and_says_so(session_factory, standin, clock, make_dispatcher):
    hand_over(session_factory, clock, 1)
    dispatcher = make_dispatcher(policy=RetryPolicy(give_up_after=timedelta(minutes=30)))
    standin.fail_next("chat.postMessage", times=10_000, status=500)
    for _ in range(40):
        dispatcher.deliver_due()
        clock.advance(minutes=1)
    with session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
    assert message.status == OutboxStatus.FAILED and message.last_error == "HTTP 500"


def test_an_alert_still_queued_is_posted_with_the_latest_state(session_factory, standin, clock, make_dispatcher):
    hand_over(session_factory, clock, 1)
    dispatcher = make_dispatcher()
    with session_factory.begin() as session:  # accepted (from the customer's profile) before Slack came back
        handoff_id = session.scalars(select(Handoff.id)).one()
        accept_handoff(session, workspace_id=WORKSPACE, handoff_id=handoff_id, user="U0FAST", now=clock())
    assert dispatcher.deliver_due() == 1
    [alert] = standin.calls_to("chat.postMessage")
    assert "Accepted by <@U0FAST>" in str(alert.params["blocks"])
    assert standin.calls_to("chat.update") == []


def test_a_change_while_the_alert_is_in_flight_is_followed_by_an_update(
    session_factory, standin, clock, make_dispatcher, monkeypatch
):
    hand_over(session_factory, clock, 1)
    dispatcher = make_dispatcher()
    send = dispatcher._call

    def accept_then_send(call):
        # Someone presses Accept after the alert was rendered but before Slack answered.
        with session_factory.begin() as session:
            handoff_id = session.scalars(select(Handoff.id)).one()
            accept_handoff(session, workspace_id=WORKSPACE, handoff_id=handoff_id, user="U0FAST", now=clock())
        monkeypatch.setattr(dispatcher, "_call", send)
        return send(call)

    monkeypatch.setattr(dispatcher, "_call", accept_then_send)
    dispatcher.deliver_due()
    [alert] = standin.calls_to("chat.postMessage")
    assert "Accepted by" not in str(alert.params["blocks"])
    [update] = standin.calls_to("chat.update")
    assert "Accepted by <@U0FAST>" in str(update.params["blocks"])


def test_an_unexpected_error_on_one_message_is_counted_and_the_others_still_go(
    session_factory, standin, clock, make_dispatcher, monkeypatch
):
    hand_over(session_factory, clock, 3)
    dispatcher = make_dispatcher()
    send = dispatcher._call
    calls = {"count": 0}

    def flaky(call):
        calls["count"] += 1
        if calls["count"] == 1:
            from http.client import IncompleteRead

            raise IncompleteRead(b"")  # a truncated response from a proxy
        return send(call)

    monkeypatch.setattr(dispatcher, "_call", flaky)
    assert dispatcher.deliver_due() == 2
    with session_factory() as session:
        statuses = Counter((str(m.status), m.attempts) for m in session.scalars(select(OutboxMessage)))
    # The truncated answer may have followed a post: released as sending, so the next try looks for it first.
    assert statuses == {("delivered", 1): 2, ("sending", 1): 1}
    clock.advance(minutes=1)
    assert dispatcher.deliver_due() == 1


def test_a_failed_alert_goes_out_again_when_the_team_gets_a_new_channel(
    session_factory, standin, clock, make_dispatcher
):
    hand_over(session_factory, clock, 1)
    standin.respond_with("chat.postMessage", {"ok": False, "error": "channel_not_found"})
    dispatcher = make_dispatcher()
    dispatcher.deliver_due()
    standin.clear_overrides()
    with session_factory.begin() as session:
        result = set_route(
            session, workspace_id=WORKSPACE, team=Team.SERVICES, channel_id="C0NEWONB", actor="U0ADMIN", now=clock()
        )
    assert result.waiting_alerts == 1
    assert dispatcher.deliver_due() == 1
    assert standin.calls_to("chat.postMessage")[-1].params["channel"] == "C0NEWONB"


def test_no_reminder_is_sent_for_a_handoff_accepted_while_slack_was_down(
    session_factory, standin, clock, make_dispatcher
):
    from lifecycle.sla import check_slas

    hand_over(session_factory, clock, 1)
    dispatcher = make_dispatcher()
    assert dispatcher.deliver_due() == 1
    standin.fail_next("chat.postMessage", times=10_000, status=503)
    clock.advance(hours=6)  # Monday 15:00: past the 4-hour SLA
    with session_factory.begin() as session:
        assert check_slas(session, now=clock()) == 1
    dispatcher.deliver_due()  # the reminder fails: Slack is down
    with session_factory.begin() as session:
        handoff_id = session.scalars(select(Handoff.id)).one()
        accept_handoff(session, workspace_id=WORKSPACE, handoff_id=handoff_id, user="U0LATE", now=clock())
    standin.reset()
    clock.advance(minutes=10)
    dispatcher.deliver_due()
    assert [call.params.get("thread_ts") for call in standin.calls_to("chat.postMessage")] == []
    assert len(standin.calls_to("chat.update")) == 1  # the alert shows the acceptance instead
