"""The demo workspace's contents, read from one demo seeded once per database (seeding takes seconds)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox import people
from bot.sandbox.demo import TEAM_ID, seed_demo
from bot.sandbox.demo_cast import (
    DEMO_AT_RISK_CUSTOMERS,
    DEMO_CURRENCY,
    DEMO_LOST_CUSTOMER,
    DEMO_LOST_REASON,
    DEMO_LOYALTY_CANDIDATES,
    DEMO_NEWLY_LOYAL_CUSTOMERS,
    DEMO_RED_FLAGS,
    DEMO_RENEWING_CUSTOMER,
    DEMO_RENEWS_IN_DAYS,
    DEMO_WATCH_CUSTOMERS,
)
from handlers.blocks.customers import profile
from handlers.blocks.health import at_risk_reply
from lifecycle.customers import customer_profile
from lifecycle.health import RedFlag, RiskLevel
from lifecycle.loyalty import loyalty_candidates, newly_loyal
from lifecycle.risk import refresh_in_session, risk_list
from lifecycle.routing import team_routes
from lifecycle.schedules import active_schedules
from lifecycle.stages import Stage, Team
from lifecycle.states import OutboxKind
from storage.db import make_session_factory
from storage.models import Base, Customer, Feedback, OutboxMessage, StageChange, Touchpoint, Workspace
from tests.conftest import FixedClock
from tests.sandbox.conftest import text_of

MAX_ALERTS = 10
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # as tests.conftest's clock


@pytest.fixture(scope="module")
def seeded(migrated_engine: Engine) -> Iterator[tuple[sessionmaker[Session], FixedClock]]:
    """One demo, seeded once for the tests that only read it (seeding takes seconds); emptied afterwards."""
    clock = FixedClock(START)
    sessions = make_session_factory(migrated_engine)
    seed_demo(sessions, now=clock())
    yield sessions, clock
    with migrated_engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def test_the_demo_fills_every_stage_with_months_of_history_and_routes_every_team(
    seeded: tuple[sessionmaker[Session], FixedClock],
) -> None:
    session_factory, clock = seeded

    with session_factory() as session:
        stages = Counter(session.scalars(select(Customer.stage).where(Customer.workspace_id == TEAM_ID)))
        assert set(stages) == set(Stage)
        assert min(stages.values()) >= 5
        assert 55 <= sum(stages.values()) <= 65
        customers = sum(stages.values())
        assert session.scalar(select(func.count()).select_from(Touchpoint)) >= 4 * customers
        assert session.scalar(select(func.count()).select_from(Feedback)) >= 20
        assert session.scalar(select(func.count()).where(StageChange.from_stage.is_not(None))) >= 40
        oldest = session.scalar(select(func.min(Touchpoint.occurred_at)))
        assert oldest is not None and clock() - timedelta(days=190) <= oldest <= clock() - timedelta(days=150)
        latest = session.scalar(select(func.max(Touchpoint.occurred_at)))
        assert latest is not None and latest <= clock()
        assert set(session.scalars(select(Customer.owner_user_id))) == {people.SALES, people.SERVICES, people.SUCCESS}

        routes = team_routes(session, workspace_id=TEAM_ID)
        assert {team.value: route.channel_id for team, route in routes.items()} == people.TEAM_CHANNELS
        assert {route.updated_by for route in routes.values()} == {people.MANAGER}
        schedules = active_schedules(session, workspace_id=TEAM_ID)
        weekly = [schedule for schedule in schedules if schedule.frequency == "weekly"]
        assert len(weekly) == 1
        assert (weekly[0].weekday, weekly[0].time_of_day, weekly[0].timezone) == (0, "09:00", "Europe/London")
        assert weekly[0].channel_id == people.TEAM_CHANNELS["managers"]
        assert [schedule.user_id for schedule in schedules if schedule.user_id] == [people.MANAGER]


def test_the_demo_puts_its_at_risk_customers_at_risk_for_the_intended_reason(
    seeded: tuple[sessionmaker[Session], FixedClock],
) -> None:
    session_factory, clock = seeded

    with session_factory.begin() as session:
        assert refresh_in_session(session, workspace_id=TEAM_ID, now=clock(), force=True) == []
        at_risk = {
            entry.name: entry for entry in risk_list(session, workspace_id=TEAM_ID, level=RiskLevel.AT_RISK).customers
        }
        assert set(at_risk) == set(DEMO_AT_RISK_CUSTOMERS)  # nobody else is red by accident
        for name, flag in DEMO_RED_FLAGS.items():
            assert at_risk[name].flags[0] == flag.value, name
            assert at_risk[name].reasons, name
        profile = customer_profile(session, workspace_id=TEAM_ID, customer="Quarry Lane Foods", now=clock())
        assert profile.health is not None and profile.health.reasons[0].text.startswith("no touchpoint for 61 days")

        watch = risk_list(session, workspace_id=TEAM_ID, level=RiskLevel.WATCH)
        assert {entry.name for entry in watch.customers} == set(DEMO_WATCH_CUSTOMERS)
        assert all(entry.reasons and not entry.flags for entry in watch.customers)

        loyal = newly_loyal(session, workspace_id=TEAM_ID, now=clock(), days=7)
        assert {item.name for item in loyal} == set(DEMO_NEWLY_LOYAL_CUSTOMERS)
        candidates = {item.name for item in loyalty_candidates(session, workspace_id=TEAM_ID, now=clock())}
        assert set(DEMO_LOYALTY_CANDIDATES) <= candidates


def test_the_demo_prices_its_customers_and_one_close_renewal_flags_an_at_risk_customer(
    seeded: tuple[sessionmaker[Session], FixedClock],
) -> None:
    session_factory, clock = seeded

    with session_factory() as session:
        assert session.scalar(select(Workspace.currency).where(Workspace.id == TEAM_ID)) == DEMO_CURRENCY
        customers = session.scalars(select(Customer).where(Customer.workspace_id == TEAM_ID)).all()
        in_reach = [c for c in customers if c.stage == Stage.REACH]
        assert in_reach and all(c.value is None for c in in_reach)  # nobody has priced a first contact
        paying = [c for c in customers if c.stage in (Stage.CONVERSION, Stage.RETENTION, Stage.LOYALTY)]
        assert all(c.value is not None and 5_000 <= c.value <= 150_000 for c in paying)
        assert all(c.renewal_date is not None for c in paying)
        flagged = [c.name for c in customers if RedFlag.RENEWAL_CLOSE.value in (c.red_flags or {})]
        assert flagged == [DEMO_RENEWING_CUSTOMER]  # every other renewal is beyond the 60-day warning

        renewing = customer_profile(session, workspace_id=TEAM_ID, customer=DEMO_RENEWING_CUSTOMER, now=clock())
        shown = text_of(profile(renewing, now=clock()).as_kwargs())
        assert f"{DEMO_CURRENCY} {renewing.customer.value:,.0f}" in shown, shown
        assert f"in {DEMO_RENEWS_IN_DAYS} days" in shown, shown
        at_risk = text_of(at_risk_reply(risk_list(session, workspace_id=TEAM_ID, level=RiskLevel.AT_RISK)).as_kwargs())
        line = next(line for line in at_risk.splitlines() if DEMO_RENEWING_CUSTOMER in line)
        reasons = at_risk.splitlines()[at_risk.splitlines().index(line) + 1]
        assert f"renews in {DEMO_RENEWS_IN_DAYS} days ({DEMO_CURRENCY} " in reasons, reasons

        lost = customer_profile(session, workspace_id=TEAM_ID, customer=DEMO_LOST_CUSTOMER, now=clock())
        assert lost.customer.stage == Stage.CHURNED and lost.customer.value is not None
        churn = lost.stage_changes[0]
        assert (churn.from_stage, churn.to_stage, churn.reason) == (Stage.RETENTION, Stage.CHURNED, DEMO_LOST_REASON)
        notices = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.CUSTOMER_LOST)).all()
        assert {(notice.payload or {}).get("team") for notice in notices} == {Team.SUCCESS.value, Team.MANAGERS.value}
