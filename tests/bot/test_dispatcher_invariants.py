"""The dispatcher's promises under leases: a message is sent by whoever holds it now, and only by them.

Each test here goes red when the code keeping its promise is removed (STYLE.md, principle 14): the claim-token
check before a send, and the lease renewal right before each send of a batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.dispatcher import Dispatcher, dispatcher_client
from lifecycle.routing import set_route
from lifecycle.stages import Team
from lifecycle.states import OutboxStatus
from storage.db import make_session_factory
from storage.models import AuditEvent, OutboxMessage
from tests.conftest import BOT_TOKEN
from tests.seeding import sign_and_hand_over

WORKSPACE = "T0ACME"
SERVICES = "C0ONBOARD"


class SlowSlack(WebClient):
    """Slack taking its time to answer a post: each post first runs the next of `while_posting`, if any."""

    def __init__(self, *, while_posting: list[Callable[[], None]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.while_posting = while_posting

    def chat_postMessage(self, **kwargs: Any) -> Any:  # noqa: N802 - slack_sdk's name
        if self.while_posting:
            self.while_posting.pop(0)()
        return super().chat_postMessage(**kwargs)


@pytest.fixture
def make_dispatcher(session_factory, standin, clock, engine):
    def make(*, client: WebClient | None = None, **overrides: Any) -> Dispatcher:
        return Dispatcher(
            session_factory,
            client or dispatcher_client(BOT_TOKEN, standin.base_url, retry_interval=0.01),
            clock=clock,
            read_session_factory=make_session_factory(engine, read_only=True),
            **overrides,
        )

    return make


def hand_over(session_factory, clock, *names: str) -> None:
    """Move each customer from acquisition to conversion: one handoff alert each, to the services channel."""
    with session_factory.begin() as session:
        set_route(
            session, workspace_id=WORKSPACE, team=Team.SERVICES, channel_id=SERVICES, actor="U0ADMIN", now=clock()
        )
        for name in names:
            sign_and_hand_over(session, workspace_id=WORKSPACE, name=name, now=clock())


def alerts_posted(standin) -> Counter[str]:
    """Successful posts per customer (the alert's fallback text names the customer)."""
    return Counter(
        call.params["text"].split(":")[1].split(",")[0].strip()
        for call in standin.calls_to("chat.postMessage")
        if not call.failed_with
    )


def test_a_dispatcher_whose_lease_was_taken_over_does_not_send_the_message_too(
    session_factory, standin, clock, make_dispatcher
):
    hand_over(session_factory, clock, "Acme Corp")
    stalled = make_dispatcher(worker_id="stalled")
    [stale_claim] = stalled.claim()
    clock.advance(minutes=5, seconds=1)  # it stalled (GC pause, frozen VM) past its lease
    successor = make_dispatcher(worker_id="successor")
    [claim] = successor.claim()  # ...so another one took the message over, and is about to send it

    assert stalled.deliver(stale_claim) is False  # waking up, the stalled one must leave it alone
    assert successor.deliver(claim) is True
    assert alerts_posted(standin) == {"Acme Corp": 1}


def test_a_send_that_outlived_its_lease_does_not_overwrite_the_successors_outcome(
    session_factory, standin, clock, make_dispatcher
):
    hand_over(session_factory, clock, "Acme Corp")
    successor = make_dispatcher(worker_id="successor")

    def hang_past_the_lease_while_a_successor_sends() -> None:
        clock.advance(minutes=6)
        assert successor.deliver_due() == 1
        standin.fail_next("chat.postMessage", status=200, error="channel_not_found")  # the slow send then fails

    slow = SlowSlack(
        token=BOT_TOKEN, base_url=standin.base_url, while_posting=[hang_past_the_lease_while_a_successor_sends]
    )
    assert make_dispatcher(worker_id="slow", client=slow).deliver_due() == 0
    with session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.attempts, message.last_error) == (OutboxStatus.DELIVERED, 1, None)
        outcomes = AuditEvent.action.in_(["outbox.failed", "outbox.blocked"])
        assert session.scalars(select(AuditEvent).where(outcomes)).all() == []
    assert alerts_posted(standin) == {"Acme Corp": 1}


def test_a_slow_batch_renews_each_lease_before_its_send_so_nobody_takes_a_message_over_mid_send(
    session_factory, standin, clock, make_dispatcher
):
    hand_over(session_factory, clock, "Acme Corp", "Globex")
    other = make_dispatcher(worker_id="other")
    taken_over: list[int] = []

    def slow_first_send() -> None:
        clock.advance(seconds=40)  # Slack (or the render before it) takes 40 seconds

    def another_dispatcher_passes_mid_send() -> None:
        # 30 s more: the lease taken at claim time (09:00 + 55 s) has run out, the one renewed at 09:00:40 has not.
        clock.advance(seconds=30)
        taken_over.append(other.deliver_due())

    slow = SlowSlack(
        token=BOT_TOKEN, base_url=standin.base_url, while_posting=[slow_first_send, another_dispatcher_passes_mid_send]
    )
    batch = make_dispatcher(worker_id="batch", client=slow)
    assert batch.deliver_due() == 2  # one batch: both alerts claimed at 09:00, sent one after the other
    assert taken_over == [0]
    assert alerts_posted(standin) == {"Acme Corp": 1, "Globex": 1}
