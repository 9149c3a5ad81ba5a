"""On-demand benchmark: workspace-wide customer health (grouped queries) against one assessment per customer.

What is measured
    One workspace seeded at two sizes, each in its own fresh database (a temp SQLite file, then a
    throwaway PostgreSQL database), schema built by the real migrations (storage.migrate.upgrade):

        SIZES customers                 stages spread over the funnel (STAGE_WEIGHTS), ~20 owners
        ~TOUCHPOINTS_PER_CUSTOMER each  over the customer's life; customers.last_touch_at = the latest one,
                                        as log_touchpoint keeps it (a few customers were never touched)
        ~FEEDBACK_PER_CUSTOMER each     over the last ACTIVITY_WINDOW days; compound from a per-customer
                                        mood (happy, neutral, unhappy, souring), label from label_for
        ~MOVES_PER_CUSTOMER moves each  over the last ACTIVITY_WINDOW days, BACKWARD_SHARE of them backward,
                                        plus the "created" stage change add_customer writes; the customer's
                                        stage and stage_entered_at match its last move
        PENDING_HANDOFFS                pending handoffs for customers whose last move changed team recently
                                        (the workspace row keeps the default SLA and business hours)

    Rows go in with Core bulk inserts (INSERT_CHUNK_ROWS per statement, via the storage benchmark's
    helpers). Each operation runs in its own Session, as one bot command or job would; we report the
    median of TIMED_RUNS runs after WARMUP_RUNS warm-up runs:

        assess_customers, whole workspace     lifecycle.assessment.assess_customers (no customer_ids)
        at_risk_customers                     lifecycle.assessment.at_risk_customers
        loyalty_candidates                    lifecycle.loyalty.loyalty_candidates
        newly_loyal                           lifecycle.loyalty.newly_loyal (last 7 days)

    Baseline, in the same run: the naive approach, assess_customers(..., customer_ids=[id]) once per
    customer, in one session, for NAIVE_SAMPLE randomly chosen assessed (non-churned) customers. The
    sample's time and statement count are EXTRAPOLATED linearly to every assessed customer of the
    workspace; ratio = naive extrapolation / operation. The sample's answers must equal the grouped ones.

    SQL statements per operation are counted with a `before_cursor_execute` listener in one extra,
    untimed run (on SQLite the count includes the app's BEGIN IMMEDIATE).

    Statistics: PostgreSQL gets VACUUM ANALYZE after seeding; SQLite gets no ANALYZE (the app never runs
    one) - the same choice as tests/benchmarks/test_storage_lookups.py.

Targets (checked at every size, asserted after the table is printed, so a miss is reported, not hidden)
    * the whole-workspace assessment's median is under TARGET_MAX_SECONDS;
    * it is at least TARGET_MIN_SPEEDUP times faster than the naive extrapolation.

How to run (pytest's default addopts skip tests/benchmarks; needs PostgreSQL on 127.0.0.1:5432, see
tests/conftest.py; takes several minutes):

    .venv/bin/pytest tests/benchmarks/test_health_at_scale.py -s -p no:cacheprovider

Add `-k sqlite`, `-k postgresql`, `-k 10k` or `-k 100k` for a part. Environment switches, for digging:
HEALTH_BENCH_PROFILE=1 prints a cProfile of one whole-workspace assessment; HEALTH_BENCH_EXPLAIN=1 prints
the query plan of every statement that assessment and loyalty_candidates issue. Nothing is written into
the repository.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, text
from sqlalchemy.orm import Session, sessionmaker

from lifecycle.assessment import assess_customers
from lifecycle.health import RiskLevel
from lifecycle.loyalty import loyalty_candidates, newly_loyal
from lifecycle.risk import at_risk_customers
from lifecycle.sentiment import label_for
from lifecycle.stages import DEFAULT_OWNERSHIP, FUNNEL, Stage, is_backward
from lifecycle.states import FeedbackSource, HandoffStatus
from lifecycle.touchpoints import TouchpointKind
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Feedback, Handoff, StageChange, Touchpoint, Workspace
from tests.benchmarks.test_storage_lookups import (
    NOTES,
    NOW,
    OWNER_COUNT,
    STAGE_WEIGHTS,
    _bulk_insert,
    _customer_name,
    _customer_row,
    _insert_customers,
    _owner,
    _run_once,
    refresh_statistics,
)
from tests.conftest import _postgres_database

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

# --- Measurement --------------------------------------------------------------------------------------
WARMUP_RUNS = 1
TIMED_RUNS = 5
NAIVE_SAMPLE = 200
TARGET_MAX_SECONDS = 5.0
TARGET_MIN_SPEEDUP = 20.0
BENCHMARK_TIMEOUT_S = 3600
PROFILE_TOP = 25
PROFILE_SWITCH = "HEALTH_BENCH_PROFILE"
EXPLAIN_SWITCH = "HEALTH_BENCH_EXPLAIN"

ASSESS = "assess_customers, whole workspace"
AT_RISK = "at_risk_customers"
LOYALTY = "loyalty_candidates"
NEWLY_LOYAL = "newly_loyal (7 days)"
NAIVE = "naive: assess one by one (extrapolated)"
COMPARED_WITH_NAIVE = (ASSESS, AT_RISK)  # the operations that do the naive loop's job


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


# --- Operations ---------------------------------------------------------------------------------------
Operation = Callable[[Session], object]


@dataclass
class Answers:
    """What the operations returned in their last run (printed, and checked against the naive loop)."""

    assessed: dict[int, tuple[int, RiskLevel, tuple[str, ...]]] = field(default_factory=dict)
    levels: Counter[RiskLevel] = field(default_factory=Counter)
    at_risk_total: int = 0
    loyalty_candidates: int = 0
    newly_loyal: int = 0
    naive: dict[int, tuple[int, RiskLevel, tuple[str, ...]]] = field(default_factory=dict)


def _summary(report: Any) -> tuple[int, RiskLevel, tuple[str, ...]]:
    return report.score, report.level, tuple(reason.text for reason in report.reasons)


def operations(seeded: Seeded, sample: list[int], answers: Answers) -> dict[str, Operation]:
    def assess(session: Session) -> None:
        results = assess_customers(session, workspace_id=WORKSPACE, now=NOW)
        assert len(results) == len(seeded.assessed_ids)
        answers.assessed = {item.customer_id: _summary(item.report) for item in results}
        answers.levels = Counter(item.report.level for item in results)

    def at_risk(session: Session) -> None:
        answers.at_risk_total = at_risk_customers(session, workspace_id=WORKSPACE, now=NOW).total

    def loyalty(session: Session) -> None:
        answers.loyalty_candidates = len(loyalty_candidates(session, workspace_id=WORKSPACE, now=NOW))

    def loyal_lately(session: Session) -> None:
        answers.newly_loyal = len(newly_loyal(session, workspace_id=WORKSPACE, now=NOW, days=7))

    def naive_sample(session: Session) -> None:
        for customer_id in sample:
            (item,) = assess_customers(session, workspace_id=WORKSPACE, now=NOW, customer_ids=[customer_id])
            answers.naive[customer_id] = _summary(item.report)

    return {ASSESS: assess, AT_RISK: at_risk, LOYALTY: loyalty, NEWLY_LOYAL: loyal_lately, NAIVE: naive_sample}


# --- Measuring ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Measurement:
    median_seconds: float
    runs: int
    statements: int


@contextmanager
def recording_statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every (statement, parameters) sent to the database while the block runs."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def measure(engine: Engine, session_factory: sessionmaker[Session], operation: Operation) -> Measurement:
    with recording_statements(engine) as seen:  # an untimed run, so the listener costs nothing below
        _run_once(session_factory, operation)
    for _ in range(WARMUP_RUNS):
        _run_once(session_factory, operation)
    samples = [_run_once(session_factory, operation) for _ in range(TIMED_RUNS)]
    return Measurement(statistics.median(samples), len(samples), len(seen))


def extrapolated(sample: Measurement, sample_size: int, population: int) -> Measurement:
    """The naive loop over the sample, scaled linearly to the whole population."""
    scale = population / sample_size
    return Measurement(sample.median_seconds * scale, sample.runs, round(sample.statements * scale))


# --- Digging (optional) -------------------------------------------------------------------------------
def print_profile(session_factory: sessionmaker[Session], title: str) -> None:
    profiler = cProfile.Profile()
    with session_factory() as session:
        profiler.runcall(assess_customers, session, workspace_id=WORKSPACE, now=NOW)
    for order in ("tottime", "cumulative"):
        print(f"\n{title} cProfile of one whole-workspace assessment, top {PROFILE_TOP} by {order}")
        pstats.Stats(profiler).strip_dirs().sort_stats(order).print_stats(PROFILE_TOP)


def print_query_plans(engine: Engine, session_factory: sessionmaker[Session], title: str) -> None:
    for name, operation in (
        (ASSESS, lambda s: assess_customers(s, workspace_id=WORKSPACE, now=NOW)),
        (LOYALTY, lambda s: loyalty_candidates(s, workspace_id=WORKSPACE, now=NOW)),
    ):
        with recording_statements(engine) as seen:
            _run_once(session_factory, operation)
        explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
        with engine.connect() as connection:
            for statement, parameters in seen:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                plan = connection.exec_driver_sql(explain + statement, parameters).all()
                print(f"\n{title} {name}: plan of\n{statement}\n" + "\n".join(" | ".join(map(str, r)) for r in plan))


# --- Report -------------------------------------------------------------------------------------------
def format_table(title: str, results: dict[str, Measurement], naive: Measurement) -> str:
    header = f"{'operation':<40} {'median s':>10} {'runs':>5} {'statements':>11} {'vs naive':>9}"
    lines = [title, header, "-" * len(header)]
    for name, result in results.items():
        ratio = f"{naive.median_seconds / result.median_seconds:>8.1f}x" if name in COMPARED_WITH_NAIVE else "      n/a"
        lines.append(f"{name:<40} {result.median_seconds:>10.3f} {result.runs:>5} {result.statements:>11,} {ratio}")
    lines.append(f"{NAIVE:<40} {naive.median_seconds:>10.3f} {naive.runs:>5} {naive.statements:>11,}      1.0x")
    return "\n".join(lines)


def missed_targets(results: dict[str, Measurement], naive: Measurement) -> list[str]:
    grouped = results[ASSESS]
    misses = []
    if grouped.median_seconds >= TARGET_MAX_SECONDS:
        misses.append(f"{ASSESS}: {grouped.median_seconds:.2f} s (target < {TARGET_MAX_SECONDS:.0f} s)")
    speedup = naive.median_seconds / grouped.median_seconds
    if speedup < TARGET_MIN_SPEEDUP:
        misses.append(f"{ASSESS}: only {speedup:.1f}x faster than naive (target >= {TARGET_MIN_SPEEDUP:.0f}x)")
    return misses


# --- The benchmark ------------------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new empty database per test: a temp SQLite file, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'health.db'}"
    else:
        yield from _postgres_database()


@pytest.mark.timeout(BENCHMARK_TIMEOUT_S)
@pytest.mark.parametrize("customer_count", SIZES, ids=[f"{size // 1000}k" for size in SIZES])
def test_health_at_scale(fresh_database_url: str, customer_count: int) -> None:
    upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    backend = engine.dialect.name
    title = f"[{backend}, {customer_count:,} customers]"
    try:
        seeded = seed(engine, customer_count)
        session_factory = make_session_factory(engine)
        sample = random.Random(RANDOM_SEED).sample(seeded.assessed_ids, NAIVE_SAMPLE)
        answers = Answers()
        ops = operations(seeded, sample, answers)
        results = {name: measure(engine, session_factory, op) for name, op in ops.items() if name != NAIVE}
        naive_sample = measure(engine, session_factory, ops[NAIVE])
        if os.environ.get(PROFILE_SWITCH) == "1":
            print_profile(session_factory, title)
        if os.environ.get(EXPLAIN_SWITCH) == "1":
            print_query_plans(engine, session_factory, title)
    finally:
        engine.dispose()

    naive = extrapolated(naive_sample, NAIVE_SAMPLE, len(seeded.assessed_ids))
    rows = ", ".join(f"{count:,} {table}" for table, count in seeded.rows.items())
    print(f"\n\n{title} seeded {rows} in {seeded.seconds:.1f} s")
    print(
        f"{title} answers: {len(answers.assessed):,} assessed ("
        + ", ".join(f"{answers.levels[level]:,} {level.value}" for level in RiskLevel)
        + f"); at_risk total {answers.at_risk_total:,}; {answers.loyalty_candidates:,} loyalty candidates; "
        f"{answers.newly_loyal:,} newly loyal"
    )
    print(format_table(f"{title} median of {TIMED_RUNS} runs after {WARMUP_RUNS} warm-up", results, naive))
    print(
        f"{title} naive row EXTRAPOLATED: {NAIVE_SAMPLE} random assessed customers one by one took "
        f"{naive_sample.median_seconds:.3f} s ({naive_sample.median_seconds / NAIVE_SAMPLE * 1000:.2f} ms and "
        f"{naive_sample.statements / NAIVE_SAMPLE:.2f} statements each), scaled x"
        f"{len(seeded.assessed_ids) / NAIVE_SAMPLE:,.0f} to {len(seeded.assessed_ids):,} assessed customers"
    )

    differing = [id_ for id_ in sample if answers.naive[id_] != answers.assessed[id_]]
    assert not differing, f"{backend}: naive and grouped assessments differ for customers {differing[:10]}"
    misses = missed_targets(results, naive)
    for miss in misses:
        print(f"{title} TARGET MISSED: {miss}")
    assert not misses, f"{title} " + "; ".join(misses)
