"""The outbox state machine on SQLite and PostgreSQL: pending → sending → delivered, or back to pending with a
backoff, or failed for good; leases, the give-up horizon, postponing, dedupe keys and revival."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lifecycle.audit import record_audit
from lifecycle.outbox import (
    RetryPolicy,
    claim_due,
    enqueue,
    failed_messages,
    postpone,
    record_delivered,
    record_failure,
    revive_failed,
)
from lifecycle.states import OutboxKind, OutboxStatus
from storage import repositories as repo
from storage.models import AuditEvent, OutboxMessage

WORKSPACE = "T0ACME"
POLICY = RetryPolicy()  # 2 s first delay, 5 min cap, 55 s lease, give up after 24 h


@pytest.fixture
def outbox(session_factory, clock):
    """Queue messages, claim them and settle them, each step in its own transaction as dispatchers do."""

    class Outbox:
        def queue(self, count: int = 1, *, key: str | None = None, workspace: str = WORKSPACE) -> list[int]:
            with session_factory.begin() as session:
                repo.ensure_workspace(session, workspace, now=clock())
                for number in range(count):
                    enqueue(
                        session,
                        workspace_id=workspace,
                        kind=OutboxKind.DIGEST,
                        now=clock(),
                        dedupe_key=key,
                        payload={"number": number},
                    )
                return list(session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))

        def claim(self, worker: str = "worker-a", limit: int = 20) -> list[int]:
            with session_factory.begin() as session:
                return [m.id for m in claim_due(session, worker=worker, now=clock(), policy=POLICY, limit=limit)]

        def fail(self, message_id: int, **options) -> bool:
            with session_factory.begin() as session:
                message = session.get(OutboxMessage, message_id)
                return record_failure(session, message, error="HTTP 500", now=clock(), policy=POLICY, **options)

        def deliver(self, message_id: int) -> None:
            with session_factory.begin() as session:
                record_delivered(session, session.get(OutboxMessage, message_id), now=clock())

        def get(self, message_id: int) -> OutboxMessage:
            with session_factory() as session:
                message = session.get(OutboxMessage, message_id)
                assert message is not None
                return message

    return Outbox()


def test_a_queued_message_is_pending_and_due_at_once(outbox, clock):
    [message_id] = outbox.queue()
    message = outbox.get(message_id)
    assert (message.status, message.attempts, message.next_attempt_at) == (OutboxStatus.PENDING, 0, clock())
    assert message.claimed_by is None and message.delivered_at is None


def test_a_claimed_message_is_sending_under_a_lease_that_keeps_everyone_else_off_until_it_runs_out(outbox, clock):
    [message_id] = outbox.queue()
    assert outbox.claim("worker-a") == [message_id]
    message = outbox.get(message_id)
    assert (message.status, message.claimed_by) == (OutboxStatus.SENDING, "worker-a")
    assert message.claim_expires_at == clock() + POLICY.lease
    assert outbox.claim("worker-b") == []
    clock.advance(seconds=POLICY.lease.total_seconds() - 1)
    assert outbox.claim("worker-b") == []
    clock.advance(seconds=1)  # worker-a died: its lease ran out, so the message is due again
    assert outbox.claim("worker-b") == [message_id]
    assert outbox.get(message_id).claimed_by == "worker-b"


def test_claims_take_the_oldest_first_and_no_more_than_the_batch(outbox):
    ids = outbox.queue(5)
    assert outbox.claim("worker-a", limit=2) == ids[:2]
    assert outbox.claim("worker-b", limit=2) == ids[2:4]
    assert outbox.claim("worker-c", limit=2) == ids[4:]


def test_a_delivered_message_is_never_claimed_again(outbox, clock):
    [message_id] = outbox.queue()
    outbox.claim()
    outbox.deliver(message_id)
    message = outbox.get(message_id)
    assert (message.status, message.attempts, message.delivered_at) == (OutboxStatus.DELIVERED, 1, clock())
    assert message.claimed_by is None and message.claim_expires_at is None
    clock.advance(days=30)
    assert outbox.claim() == []


def test_a_failed_attempt_goes_back_to_pending_and_waits_its_backoff(outbox, clock):
    [message_id] = outbox.queue()
    outbox.claim()
    assert outbox.fail(message_id) is False
    message = outbox.get(message_id)
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.PENDING, 1, "HTTP 500")
    assert message.claimed_by is None and message.claim_expires_at is None
    wait = message.next_attempt_at - clock()
    assert timedelta(seconds=1.6) <= wait <= timedelta(seconds=2.4)
    clock.advance(seconds=1.5)
    assert outbox.claim() == []
    clock.advance(seconds=1)
    assert outbox.claim() == [message_id]


def test_every_failed_attempt_waits_about_twice_as_long_as_the_one_before_up_to_five_minutes(outbox, clock):
    [message_id] = outbox.queue()
    waits = []
    for _ in range(10):
        clock.now = outbox.get(message_id).next_attempt_at
        assert outbox.claim() == [message_id]
        outbox.fail(message_id)
        waits.append((outbox.get(message_id).next_attempt_at - clock()).total_seconds())
    nominal = [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert all(0.8 * n <= wait <= 1.2 * n for n, wait in zip(nominal, waits, strict=True)), waits
    assert outbox.get(message_id).attempts == 10


def test_a_rate_limited_message_waits_exactly_as_long_as_slack_asked(outbox, clock):
    [message_id] = outbox.queue()
    outbox.claim()
    outbox.fail(message_id, retry_after=90)
    assert outbox.get(message_id).next_attempt_at == clock() + timedelta(seconds=90)


def test_a_permanent_error_fails_the_message_at_once_and_it_is_never_claimed_again(outbox, clock):
    [message_id] = outbox.queue()
    outbox.claim()
    assert outbox.fail(message_id, permanent=True) is True
    message = outbox.get(message_id)
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 1)
    clock.advance(days=2)
    assert outbox.claim() == []


def test_it_keeps_retrying_for_a_day_then_gives_up(outbox, clock):
    [message_id] = outbox.queue()
    clock.advance(hours=23, minutes=59)
    outbox.claim()
    assert outbox.fail(message_id) is False
    assert outbox.get(message_id).status == OutboxStatus.PENDING
    clock.advance(minutes=1)  # 24 hours after it was queued
    assert outbox.claim() == [message_id]
    assert outbox.fail(message_id) is True
    assert outbox.get(message_id).status == OutboxStatus.FAILED


def test_a_postponed_message_waits_without_using_up_an_attempt(outbox, session_factory, clock):
    [message_id] = outbox.queue()
    outbox.claim()
    with session_factory.begin() as session:
        postpone(session.get(OutboxMessage, message_id), until=clock() + timedelta(seconds=30))
    message = outbox.get(message_id)
    assert (message.status, message.attempts, message.claimed_by) == (OutboxStatus.PENDING, 0, None)
    clock.advance(seconds=29)
    assert outbox.claim() == []
    clock.advance(seconds=1)
    assert outbox.claim() == [message_id]


def test_a_dedupe_key_admits_one_message_and_a_duplicate_undoes_only_itself(session_factory, clock):
    with session_factory.begin() as session:
        repo.ensure_workspace(session, WORKSPACE, now=clock())
        assert enqueue(session, workspace_id=WORKSPACE, kind=OutboxKind.DIGEST, now=clock(), dedupe_key="digest:1")
    with session_factory.begin() as session:
        record_audit(session, workspace_id=WORKSPACE, actor="U0REP", action="digest.requested", now=clock())
        again = enqueue(session, workspace_id=WORKSPACE, kind=OutboxKind.DIGEST, now=clock(), dedupe_key="digest:1")
        assert again is False
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        # The caller's own change in the same transaction was kept: only the duplicate's savepoint rolled back.
        assert session.scalars(select(AuditEvent.action)).all() == ["digest.requested"]


def test_a_dedupe_key_holds_after_delivery_and_after_giving_up(outbox):
    [delivered] = outbox.queue(key="alert:1")
    outbox.claim()
    outbox.deliver(delivered)
    [_, failed] = outbox.queue(key="alert:2")
    outbox.claim()
    outbox.fail(failed, permanent=True)
    assert outbox.queue(key="alert:1") == [delivered, failed]
    assert outbox.queue(key="alert:2") == [delivered, failed]


def test_the_same_dedupe_key_in_another_workspace_is_another_message(outbox):
    assert len(outbox.queue(key="digest:1:2026-11-23")) == 1
    assert len(outbox.queue(key="digest:1:2026-11-23", workspace="T0GLOBEX")) == 2


def test_messages_without_a_dedupe_key_are_never_merged(outbox):
    assert len(outbox.queue(3)) == 3


def test_a_failed_message_revived_starts_afresh_and_only_a_failed_one_can_be(outbox, session_factory, clock):
    [message_id] = outbox.queue(key="handoff:1:alert")
    outbox.claim()
    outbox.fail(message_id, permanent=True)
    clock.advance(days=3)
    with session_factory.begin() as session:
        assert revive_failed(session, workspace_id=WORKSPACE, dedupe_key="handoff:1:alert", now=clock()) is True
    message = outbox.get(message_id)
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.PENDING, 0, None)
    assert message.created_at == message.next_attempt_at == clock()  # a new day before it gives up again
    with session_factory.begin() as session:
        assert revive_failed(session, workspace_id=WORKSPACE, dedupe_key="handoff:1:alert", now=clock()) is False
        assert revive_failed(session, workspace_id=WORKSPACE, dedupe_key="handoff:9:alert", now=clock()) is False
    assert outbox.claim() == [message_id]


def test_failed_messages_are_listed_newest_first_per_workspace(outbox, session_factory):
    ids = outbox.queue(3)
    [other] = [i for i in outbox.queue(workspace="T0GLOBEX") if i not in ids]
    outbox.claim()
    for message_id in [*ids, other]:
        outbox.fail(message_id, permanent=True)
    with session_factory() as session:
        assert [m.id for m in failed_messages(session, workspace_id=WORKSPACE)] == ids[::-1]
        assert [m.id for m in failed_messages(session, workspace_id=WORKSPACE, limit=2)] == ids[:0:-1]
