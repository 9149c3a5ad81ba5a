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
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from lifecycle.assessment import assess_customers
from lifecycle.health import RiskLevel
from lifecycle.loyalty import loyalty_candidates, newly_loyal
from lifecycle.risk import at_risk_customers
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from tests.benchmarks.health_workspace import (
    RANDOM_SEED,
    SIZES,
    WORKSPACE,
    Seeded,
    seed,
)
from tests.benchmarks.test_storage_lookups import (
    NOW,
    _run_once,
)
from tests.conftest import _postgres_database

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
