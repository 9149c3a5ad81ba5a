"""The demo workspace of `lifecycle-bot sandbox --demo` (SQLite and PostgreSQL): what it holds, and only once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox import people
from bot.sandbox.demo import TEAM_ID, seed_demo
from bot.sandbox.demo_cast import (
    DEMO_FRESH_HANDOFF_CUSTOMER,
    DEMO_HANDOFF_CUSTOMER,
    DEMO_LATE_HANDOFF_CUSTOMER,
)
from lifecycle.activity import move_stage
from lifecycle.customers import customer_profile
from lifecycle.handoffs import HandoffResult
from lifecycle.stages import Stage, Team
from lifecycle.states import HandoffStatus, OutboxKind
from storage.models import Base, Handoff, OutboxMessage
from tests.conftest import FixedClock

MAX_ALERTS = 10
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # as tests.conftest's clock


def row_counts(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with session_factory() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def test_the_demo_leaves_two_handoffs_waiting_and_queues_only_a_few_alerts(
    session_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    seed_demo(session_factory, now=clock())

    with session_factory.begin() as session:
        waiting = session.scalars(select(Handoff).where(Handoff.status == HandoffStatus.PENDING)).all()
        assert {(handoff.customer.name, handoff.to_team) for handoff in waiting} == {
            (DEMO_LATE_HANDOFF_CUSTOMER, Team.SERVICES),
            (DEMO_FRESH_HANDOFF_CUSTOMER, Team.SUCCESS),
        }
        late = next(handoff for handoff in waiting if handoff.to_team == Team.SERVICES)
        assert clock() - timedelta(days=5) <= late.created_at <= clock() - timedelta(days=1)
        fresh = next(handoff for handoff in waiting if handoff.to_team == Team.SUCCESS)
        assert fresh.created_at >= clock() - timedelta(hours=1)

        kinds = Counter(session.scalars(select(OutboxMessage.kind)))
        assert sum(kinds.values()) <= MAX_ALERTS
        assert kinds[OutboxKind.HANDOFF_ALERT] == 2
        assert kinds[OutboxKind.RED_FLAG] >= 2
        assert kinds[OutboxKind.DIGEST] == 0  # the weekly digest is due next Monday, not at start

        # What the browser test does: the sales rep signs the demo's deal, and services gets a handoff alert.
        profile = customer_profile(session, workspace_id=TEAM_ID, customer=DEMO_HANDOFF_CUSTOMER, now=clock())
        assert (profile.customer.stage, profile.customer.owner_user_id) == (Stage.ACQUISITION, people.SALES)
        assert profile.touchpoints[0].occurred_at >= clock() - timedelta(days=1)
        moved = move_stage(
            session,
            workspace_id=TEAM_ID,
            customer=DEMO_HANDOFF_CUSTOMER,
            to=Stage.CONVERSION,
            actor=people.SALES,
            reason="signed",
            now=clock(),
        )
        assert moved.handoff.result == HandoffResult.ALERTED
        assert moved.handoff.channel_id == people.TEAM_CHANNELS["services"]


def test_seeding_the_demo_twice_changes_nothing(session_factory: sessionmaker[Session], clock: FixedClock) -> None:
    seed_demo(session_factory, now=clock())
    before = row_counts(session_factory)
    clock.advance(days=2)

    seed_demo(session_factory, now=clock())

    assert row_counts(session_factory) == before
    assert before["customers"] >= 55
