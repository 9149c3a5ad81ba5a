"""The workspace the health benchmarks seed: customers, touchpoints, feedback, moves and handoffs at 10k and 100k."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, text

from lifecycle.sentiment import label_for
from lifecycle.stages import DEFAULT_OWNERSHIP, FUNNEL, Stage, is_backward
from lifecycle.states import FeedbackSource, HandoffStatus
from lifecycle.touchpoints import TouchpointKind
from storage.models import Feedback, Handoff, StageChange, Touchpoint, Workspace
from tests.benchmarks.lookup_workspace import (
    NOTES,
    NOW,
    OWNER_COUNT,
    STAGE_WEIGHTS,
    _bulk_insert,
    _customer_name,
    _customer_row,
    _insert_customers,
    _owner,
    refresh_statistics,
)

# --- Data set ---------------------------------------------------------------------------------------
RANDOM_SEED = 20261124
WORKSPACE = "T0HEALTH"
SIZES = (10_000, 100_000)
TOUCHPOINTS_PER_CUSTOMER = 10  # on average: 0..2x uniformly, so ~5% of customers were never touched
MEAN_DAYS_SINCE_LAST_TOUCH = 12.0  # exponential; the stage cadences are 7 to 30 days
ACTIVITY_WINDOW = timedelta(days=120)  # feedback and stage moves happen in the last 120 days
FEEDBACK_PER_CUSTOMER = 2  # on average: 0..2x uniformly
MOVE_COUNT_WEIGHTS = {0: 15, 1: 35, 2: 35, 3: 15}  # 1.5 moves per customer on average
BACKWARD_SHARE = 0.2
PENDING_HANDOFFS = 300
HANDOFF_MAX_AGE = timedelta(days=14)  # pending handoffs come from moves this recent
LOYALTY_EVENTS = frozenset({TouchpointKind.PURCHASE, TouchpointKind.RENEWAL, TouchpointKind.REFERRAL})


@dataclass(frozen=True)
class Mood:
    """How a customer's feedback scores are drawn: a mean before and within the last RECENT_DAYS."""

    earlier_mean: float
    recent_mean: float


MOOD_SPREAD = 0.35  # standard deviation of a compound score around the mood's mean
RECENT_DAYS = 30  # lifecycle.health's negative window
MOODS = {  # mood -> share of customers
    Mood(earlier_mean=0.5, recent_mean=0.5): 55,  # happy
    Mood(earlier_mean=0.0, recent_mean=0.0): 20,  # neutral
    Mood(earlier_mean=-0.45, recent_mean=-0.45): 15,  # unhappy
    Mood(earlier_mean=0.5, recent_mean=-0.4): 10,  # souring: the trend signal
}
FEEDBACK_TEXTS = {
    "positive": ("Love the new dashboard, thanks!", "Support was quick and helpful.", "Great onboarding session."),
    "neutral": ("Can we move the call to Thursday?", "Please resend the invoice.", "We use it mostly for reports."),
    "negative": (
        "The export keeps failing, very frustrating.",
        "Too expensive for what we get.",
        "Still waiting on a fix, this is unacceptable.",
    ),
}


# --- Seeding ------------------------------------------------------------------------------------------
@dataclass
class PlannedCustomer:
    """One customer and its history, decided before anything is inserted (ids come with the insert)."""

    row: dict[str, Any]
    initial_stage: Stage
    moves: list[tuple[Stage, Stage, datetime]]  # from, to, when; oldest first
    touchpoint_count: int
    feedback: list[tuple[datetime, float]]  # when, compound
    id: int = 0


@dataclass(frozen=True)
class Seeded:
    assessed_ids: list[int]  # customers not churned: those a whole-workspace assessment covers
    rows: dict[str, int]  # table -> rows inserted
    seconds: float


def _moment_between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def _previous_stage(rng: random.Random, current: Stage) -> Stage:
    """The stage a move into `current` came from: usually earlier in the funnel, sometimes later (backward)."""
    if current == Stage.CHURNED:
        return rng.choice(FUNNEL)
    position = FUNNEL.index(current)
    earlier, later = FUNNEL[:position], FUNNEL[position + 1 :]
    if later and (not earlier or rng.random() < BACKWARD_SHARE):
        return rng.choice(later)
    return earlier[-1]


def _plan_customer(rng: random.Random, number: int) -> PlannedCustomer:
    stages, weights = list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values())
    stage = rng.choices(stages, weights)[0]
    owner = _owner(rng.randrange(OWNER_COUNT))
    row = _customer_row(WORKSPACE, _customer_name(rng, number), stage, owner, rng)
    created: datetime = row["created_at"]
    active_since = max(created, NOW - ACTIVITY_WINDOW)

    move_count = rng.choices(list(MOVE_COUNT_WEIGHTS), list(MOVE_COUNT_WEIGHTS.values()))[0]
    times = sorted(_moment_between(rng, active_since, NOW) for _ in range(move_count))
    moves: list[tuple[Stage, Stage, datetime]] = []
    current = stage
    for when in reversed(times):  # walk back from the stage the customer is in now
        previous = _previous_stage(rng, current)
        moves.append((previous, current, when))
        current = previous
    moves.reverse()

    touchpoint_count = rng.randint(0, 2 * TOUCHPOINTS_PER_CUSTOMER)
    last_touch = None
    if touchpoint_count:
        age = NOW - created
        last_touch = NOW - min(age, timedelta(days=rng.expovariate(1 / MEAN_DAYS_SINCE_LAST_TOUCH)))

    mood = rng.choices(list(MOODS), list(MOODS.values()))[0]
    feedback = []
    for _ in range(rng.randint(0, 2 * FEEDBACK_PER_CUSTOMER)):
        when = _moment_between(rng, active_since, NOW)
        mean = mood.recent_mean if NOW - when <= timedelta(days=RECENT_DAYS) else mood.earlier_mean
        feedback.append((when, round(max(-0.99, min(0.99, rng.gauss(mean, MOOD_SPREAD))), 4)))

    stage_entered = moves[-1][2] if moves else created
    row["stage_entered_at"] = stage_entered
    row["last_touch_at"] = last_touch
    row["updated_at"] = max([stage_entered, *([last_touch] if last_touch else []), *(when for when, _ in feedback)])
    return PlannedCustomer(row, current, moves, touchpoint_count, feedback)


def _stage_change_rows(plans: list[PlannedCustomer]) -> Iterator[dict[str, Any]]:
    for plan in plans:
        owner = plan.row["owner_user_id"]
        yield {
            "workspace_id": WORKSPACE,
            "customer_id": plan.id,
            "from_stage": None,
            "to_stage": plan.initial_stage,
            "actor_user_id": owner,
            "reason": "created",
            "changed_at": plan.row["created_at"],
        }
        for from_stage, to_stage, when in plan.moves:
            yield {
                "workspace_id": WORKSPACE,
                "customer_id": plan.id,
                "from_stage": from_stage,
                "to_stage": to_stage,
                "actor_user_id": owner,
                "reason": "budget frozen" if is_backward(from_stage, to_stage) else None,
                "changed_at": when,
            }


def _touchpoint_rows(plans: list[PlannedCustomer], rng: random.Random) -> Iterator[dict[str, Any]]:
    kinds = list(TouchpointKind)
    for plan in plans:
        last: datetime | None = plan.row["last_touch_at"]
        for index in range(plan.touchpoint_count):
            assert last is not None
            occurred = last if index == 0 else _moment_between(rng, plan.row["created_at"], last)
            yield {
                "workspace_id": WORKSPACE,
                "customer_id": plan.id,
                "kind": rng.choice(kinds),
                "note": rng.choice(NOTES),
                "author_user_id": plan.row["owner_user_id"],
                "occurred_at": occurred,
                "created_at": occurred,
                "sentiment_compound": None,
                "sentiment_label": None,
            }


def _feedback_rows(plans: list[PlannedCustomer], rng: random.Random) -> Iterator[dict[str, Any]]:
    sources = list(FeedbackSource)
    for plan in plans:
        for when, compound in plan.feedback:
            label = label_for(compound)
            strength = abs(compound)
            pos = round(0.1 + 0.5 * strength, 3) if compound > 0 else round(0.05 * rng.random(), 3)
            neg = round(0.1 + 0.5 * strength, 3) if compound < 0 else round(0.05 * rng.random(), 3)
            yield {
                "workspace_id": WORKSPACE,
                "customer_id": plan.id,
                "text": rng.choice(FEEDBACK_TEXTS[label]),
                "author_user_id": plan.row["owner_user_id"],
                "source": rng.choice(sources),
                "compound": compound,
                "pos": pos,
                "neu": round(1 - pos - neg, 3),
                "neg": neg,
                "label": label,
                "created_at": when,
            }


def _pending_handoff_rows(plans: list[PlannedCustomer], rng: random.Random) -> list[dict[str, Any]]:
    """Pending handoffs for customers whose last move, a recent one, went to another team."""
    eligible = [
        plan
        for plan in plans
        if plan.moves
        and plan.row["stage"] != Stage.CHURNED
        and NOW - plan.moves[-1][2] <= HANDOFF_MAX_AGE
        and DEFAULT_OWNERSHIP[plan.moves[-1][0]] != DEFAULT_OWNERSHIP[plan.moves[-1][1]]
    ]
    rows = []
    for plan in rng.sample(eligible, min(PENDING_HANDOFFS, len(eligible))):
        from_stage, to_stage, when = plan.moves[-1]
        rows.append(
            {
                "workspace_id": WORKSPACE,
                "customer_id": plan.id,
                "from_stage": from_stage,
                "to_stage": to_stage,
                "from_team": DEFAULT_OWNERSHIP[from_stage],
                "to_team": DEFAULT_OWNERSHIP[to_stage],
                "moved_by": plan.row["owner_user_id"],
                "reason": None,
                "status": HandoffStatus.PENDING,
                "version": 1,
                "created_at": when,
                "updated_at": when,
            }
        )
    return rows


def _counted(rows: Iterator[dict[str, Any]], counts: Counter[str], table: str) -> Iterator[dict[str, Any]]:
    for row in rows:
        counts[table] += 1
        yield row


def seed(engine: Engine, customer_count: int) -> Seeded:
    """One workspace (default SLA settings) with `customer_count` customers and their history."""
    started = time.perf_counter()
    rng = random.Random(RANDOM_SEED)
    plans = [_plan_customer(rng, number) for number in range(1, customer_count + 1)]
    counts: Counter[str] = Counter()
    with engine.begin() as connection:
        connection.execute(insert(Workspace), [{"id": WORKSPACE, "created_at": NOW}])
        ids = _insert_customers(connection, WORKSPACE, [plan.row for plan in plans])
        for plan, id_ in zip(plans, ids, strict=True):
            plan.id = id_
        counts["customers"] = len(ids)
        _bulk_insert(connection, StageChange, _counted(_stage_change_rows(plans), counts, "stage_changes"))
        _bulk_insert(connection, Touchpoint, _counted(_touchpoint_rows(plans, rng), counts, "touchpoints"))
        # The repeat-business counter log_touchpoint keeps, filled as migration 0006 does.
        connection.execute(
            text(
                "UPDATE customers SET loyalty_events = (SELECT count(*) FROM touchpoints WHERE "
                "touchpoints.customer_id = customers.id AND touchpoints.kind IN ('purchase', 'renewal', 'referral'))"
            )
        )
        _bulk_insert(connection, Feedback, _counted(_feedback_rows(plans, rng), counts, "feedback"))
        handoffs = _pending_handoff_rows(plans, rng)
        connection.execute(insert(Handoff), handoffs)
        counts["pending handoffs"] = len(handoffs)
    refresh_statistics(engine)
    assessed = [plan.id for plan in plans if plan.row["stage"] != Stage.CHURNED]
    return Seeded(assessed_ids=assessed, rows=dict(counts), seconds=time.perf_counter() - started)
