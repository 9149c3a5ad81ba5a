"""Exactly once, outbound: a post whose answer never came, or whose sender died before recording it, appears once.

Every post carries its outbox key in Slack message metadata (a chart: in its file name). After a timeout, or when
a message is found still 'sending' under an expired lease, the dispatcher looks for that key in the channel's
recent history before posting again. Doubles are counted in what the channel shows, not in calls made.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.dispatcher import Dispatcher, dispatcher_client
from handlers.blocks.outbox_renderers import OUTBOX_EVENT_TYPE
from lifecycle.clock import utc_now
from lifecycle.outbox import RetryPolicy, enqueue
from lifecycle.routing import set_route
from lifecycle.sla import check_slas
from lifecycle.stages import Team
from lifecycle.states import OutboxKind, OutboxStatus
from storage import repositories as repo
from storage.db import make_session_factory
from storage.models import Handoff, OutboxMessage
from tests.conftest import BOT_TOKEN, REPO_ROOT, FixedClock
from tests.seeding import sign_and_hand_over

WORKSPACE = "T0ACME"
SERVICES = "C0ONBOARD"
MANAGERS = "C0MANAGERS"
TIMEOUT = 0.3  # the test client's timeout; the stand-in holds its answers back longer than that
HELD = 2.0


@pytest.fixture
def make_dispatcher(session_factory, standin, clock, engine) -> Callable[..., Dispatcher]:
    # ts values follow the test's clock, as Slack's follow real time: the history window is in clock time.
    standin.clock = lambda: clock().timestamp()

    def make(*, client: WebClient | None = None, **overrides: Any) -> Dispatcher:
        quick = dispatcher_client(BOT_TOKEN, standin.base_url, retry_interval=0.01, timeout=TIMEOUT)
        return Dispatcher(
            session_factory,
            client or quick,
            clock=overrides.pop("clock", clock),
            read_session_factory=make_session_factory(engine, read_only=True),
            **overrides,
        )

    return make


def hand_over(session_factory, clock, name: str = "Acme Corp") -> int:
    """Move a customer from acquisition to conversion: one handoff alert to the services channel; its id."""
    with session_factory.begin() as session:
        set_route(session, workspace_id=WORKSPACE, team=Team.SERVICES, channel_id=SERVICES, actor="U0ADM", now=clock())
        sign_and_hand_over(session, workspace_id=WORKSPACE, name=name, now=clock())
        return session.scalars(select(OutboxMessage.id).where(OutboxMessage.kind == OutboxKind.HANDOFF_ALERT)).one()


def tagged(standin, channel: str, message_id: int) -> list[dict[str, Any]]:
    """What the channel shows of one outbox message (threads included), by the key its metadata carries."""
    key = f"{WORKSPACE}:{message_id}"
    return [
        message
        for message in standin.messages_in(channel)
        if (message.get("metadata") or {}).get("event_type") == OUTBOX_EVENT_TYPE
        and message["metadata"]["event_payload"]["key"] == key
    ]


def outbox_row(session_factory, message_id: int) -> OutboxMessage:
    with session_factory() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        return message


def test_an_alert_slack_posted_before_its_answer_timed_out_is_found_and_not_posted_again(
    session_factory, standin, clock, make_dispatcher
):
    message_id = hand_over(session_factory, clock)
    standin.stall_after_success("chat.postMessage", seconds=HELD)
    dispatcher = make_dispatcher()
    assert dispatcher.deliver_due() == 0  # timed out: Slack posted, but we never heard
    row = outbox_row(session_factory, message_id)
    assert (row.status, row.claimed_by, row.attempts) == (OutboxStatus.SENDING, None, 1)  # released, unconfirmed
    assert "timed out" in (row.last_error or "")
    assert len(tagged(standin, SERVICES, message_id)) == 1

    clock.advance(minutes=1)
    assert dispatcher.deliver_due() == 1
    [posted] = tagged(standin, SERVICES, message_id)  # once, in what the channel shows
    assert len(standin.calls_to("chat.postMessage")) == 1  # found, not posted again
    [look] = standin.calls_to("conversations.history")
    assert (look.params["channel"], look.params["include_all_metadata"]) == (SERVICES, "1")
    assert float(look.params["oldest"]) <= clock().timestamp() - 60
    row = outbox_row(session_factory, message_id)
    assert (row.status, row.attempts) == (OutboxStatus.DELIVERED, 2)
    with session_factory() as session:  # Accept will update the message that is there
        handoff = session.scalars(select(Handoff)).one()
        assert (handoff.channel_id, handoff.message_ts, handoff.rendered_version) == (SERVICES, posted["ts"], 1)


def test_a_timeout_before_slack_posted_anything_is_posted_once_on_the_next_try(
    session_factory, standin, clock, make_dispatcher, monkeypatch
):
    message_id = hand_over(session_factory, clock)
    dispatcher = make_dispatcher()
    send = dispatcher._call

    def time_out_before_sending(call):
        monkeypatch.setattr(dispatcher, "_call", send)
        raise TimeoutError("timed out")

    monkeypatch.setattr(dispatcher, "_call", time_out_before_sending)
    assert dispatcher.deliver_due() == 0
    clock.advance(minutes=1)
    assert dispatcher.deliver_due() == 1
    assert len(standin.calls_to("conversations.history")) == 1  # looked, found nothing...
    assert len(tagged(standin, SERVICES, message_id)) == 1  # ...so posted it: once


def test_a_reminder_that_timed_out_in_its_thread_is_found_among_the_replies(
    session_factory, standin, clock, make_dispatcher
):
    hand_over(session_factory, clock)
    dispatcher = make_dispatcher()
    assert dispatcher.deliver_due() == 1
    clock.advance(hours=6)  # past the 4-hour SLA
    with session_factory.begin() as session:
        assert check_slas(session, now=clock()) == 1
        reminder = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.HANDOFF_REMINDER))
        reminder_id = reminder.one().id
    standin.stall_after_success("chat.postMessage", seconds=HELD)
    assert dispatcher.deliver_due() == 0
    clock.advance(minutes=1)
    assert dispatcher.deliver_due() == 1
    [look] = standin.calls_to("conversations.replies")  # a thread reply is not in the channel's history
    [reply] = tagged(standin, SERVICES, reminder_id)
    assert look.params["ts"] == reply["thread_ts"]
    assert len(standin.calls_to("chat.postMessage")) == 2  # the alert, and the reminder once


def test_a_chart_whose_upload_timed_out_after_it_was_shared_is_found_by_its_file_name(
    session_factory, standin, clock, make_dispatcher
):
    with session_factory.begin() as session:
        repo.ensure_workspace(session, WORKSPACE, now=clock())
        payload = {"channel_id": MANAGERS, "timezone": "UTC"}  # on demand: no digest to wait for
        enqueue(session, workspace_id=WORKSPACE, kind=OutboxKind.DIGEST_CHART, now=clock(), payload=payload)
    standin.stall_after_success("files.completeUploadExternal", seconds=HELD)
    dispatcher = make_dispatcher()
    assert dispatcher.deliver_due() == 0
    clock.advance(minutes=1)
    assert dispatcher.deliver_due() == 1
    shared = [message for message in standin.messages_in(MANAGERS) if message.get("files")]
    assert len(shared) == 1 and shared[0]["files"][0]["name"].startswith(f"funnel-{WORKSPACE}-")
    assert len(standin.calls_to("files.completeUploadExternal")) == 1


def test_when_the_history_cannot_be_read_the_message_is_posted_as_it_always_was(
    session_factory, standin, clock, make_dispatcher, monkeypatch
):
    # An install from before the history scopes: we cannot check, so at least once beats never.
    message_id = hand_over(session_factory, clock)
    dispatcher = make_dispatcher()
    send = dispatcher._call

    def time_out_before_sending(call):
        monkeypatch.setattr(dispatcher, "_call", send)
        raise TimeoutError("timed out")

    monkeypatch.setattr(dispatcher, "_call", time_out_before_sending)
    dispatcher.deliver_due()
    standin.fail_next("conversations.history", status=200, error="missing_scope")
    clock.advance(minutes=1)
    assert dispatcher.deliver_due() == 1
    assert outbox_row(session_factory, message_id).status == OutboxStatus.DELIVERED


def test_a_dead_dispatchers_message_goes_out_within_a_minute_of_its_last_renewal(
    session_factory, standin, clock, make_dispatcher
):
    message_id = hand_over(session_factory, clock)
    dead = make_dispatcher(worker_id="dead")
    assert len(dead.claim()) == 1  # ...and the process dies before it sends
    successor = make_dispatcher(worker_id="successor")
    lease = RetryPolicy().lease.total_seconds()
    assert lease <= 55  # a minute, less a poll or two
    clock.advance(seconds=lease - 1)
    assert successor.deliver_due() == 0  # its lease still holds
    clock.advance(seconds=1)
    assert successor.deliver_due() == 1
    assert len(tagged(standin, SERVICES, message_id)) == 1


def test_a_heartbeat_keeps_a_slow_send_from_being_taken_over(session_factory, standin, clock, make_dispatcher):
    message_id = hand_over(session_factory, clock)
    policy = RetryPolicy(heartbeat=timedelta(milliseconds=10))
    other = make_dispatcher(worker_id="other")
    taken_over: list[int] = []

    class SlowSlack(WebClient):
        def chat_postMessage(self, **kwargs: Any) -> Any:  # noqa: N802 - slack_sdk's name
            clock.advance(minutes=2)  # Slack takes two minutes to answer, twice the lease and more
            deadline = time.monotonic() + 2  # a hundred beats
            while outbox_row(session_factory, message_id).claim_expires_at <= clock() and time.monotonic() < deadline:
                time.sleep(0.005)  # waiting for the heartbeat's next beat, which renews from the moved clock
            taken_over.append(other.deliver_due())  # without the heartbeat, this one takes the message over
            return super().chat_postMessage(**kwargs)

    slow = make_dispatcher(
        worker_id="slow", policy=policy, client=SlowSlack(token=BOT_TOKEN, base_url=standin.base_url)
    )
    assert slow.deliver_due() == 1
    assert taken_over == [0]
    assert len(tagged(standin, SERVICES, message_id)) == 1


@pytest.mark.timeout(120)
def test_kill_9_between_the_post_and_the_commit_posts_once_and_drains_within_a_minute(
    session_factory, standin, engine, database_url
):
    # A real process posts, and is killed while Slack's answer is on its way: nothing was recorded.
    real = FixedClock(utc_now() - timedelta(seconds=1))
    standin.clock = time.time
    message_id = hand_over(session_factory, real)
    standin.stall_after_success("chat.postMessage", seconds=60)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": standin.base_url,
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "bot.cli", "digest", "send"]  # one outbox pass
    process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        standin.wait_for_calls("chat.postMessage", timeout=60)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.communicate(timeout=30)
    killed_at = utc_now()
    assert process.returncode == -signal.SIGKILL
    row = outbox_row(session_factory, message_id)
    assert row.status == OutboxStatus.SENDING and row.claimed_by and row.claim_expires_at is not None
    drain = row.claim_expires_at - killed_at
    assert drain <= timedelta(seconds=60)

    clock = FixedClock(killed_at)
    successor = Dispatcher(
        session_factory, dispatcher_client(BOT_TOKEN, standin.base_url, retry_interval=0.01), clock=clock
    )
    assert successor.deliver_due() == 0  # the dead process's lease still holds...
    clock.now = row.claim_expires_at
    assert successor.deliver_due() == 1  # ...until it runs out, under a minute after the kill
    assert len(tagged(standin, SERVICES, message_id)) == 1
    assert len(standin.calls_to("chat.postMessage")) == 1
    assert outbox_row(session_factory, message_id).status == OutboxStatus.DELIVERED
