"""On-demand benchmark: the storage lookups the bot runs on every command, with and without indexes.

What is measured
    One workspace with 100,000 customers (names like "Brave Falcon Labs 4242", stages spread over the
    funnel, ~20 owners, one "created" stage change each, as add_customer writes) and 1,000,000
    touchpoints spread uniformly over customers and two years, plus a small second workspace that
    shares some of the names, so every lookup also proves it filters by workspace. The schema is built
    by the real migrations (storage.migrate.upgrade); rows go in with Core bulk inserts. Each hot path
    runs through the real lifecycle function with a fresh Session (as one bot command would) and we
    report the median of REPETITIONS runs after WARMUP_RUNS warm-up runs (an operation slower than
    MAX_SECONDS_PER_OPERATION in total stops after MIN_REPETITIONS; the table shows the run counts):

        exact name, unique prefix, ambiguous prefix     lifecycle.customers.resolve_customer
        unknown name: a typo, and nothing close         resolve_customer -> suggest_customers
        list by stage, list by owner (first page)       lifecycle.customers.list_customers
        profile                                         lifecycle.customers.customer_profile

    Then the secondary indexes are dropped (BASELINE_INDEXES, plus the unique constraint the name
    lookups use) and the same operations are timed again. On PostgreSQL that is DROP INDEX / ALTER TABLE
    DROP CONSTRAINT; SQLite cannot drop a table constraint, so customers is rebuilt without it by
    Alembic's batch mode (copy into a new table, drop the old one, rename), as a migration would.

    Statistics: PostgreSQL gets VACUUM ANALYZE after seeding (what autovacuum does soon after a bulk
    load); SQLite gets no ANALYZE, because the app never runs one.

Targets (asserted after the tables are printed, so a miss is reported, not hidden)
    * with indexes, every hot path's median is under TARGET_MAX_MS on both backends;
    * the name-prefix lookups and the by-stage list are at least TARGET_MIN_SPEEDUP times faster
      with indexes than without.

How to run (pytest's default addopts skip tests/benchmarks; it needs PostgreSQL on 127.0.0.1:5432
and takes a few minutes):

    .venv/bin/pytest tests/benchmarks/test_storage_lookups.py -s -p no:cacheprovider

Add `-k sqlite` or `-k postgresql` for one backend. Nothing is written into the repository.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from lifecycle.customers import customer_profile, list_customers, resolve_customer
from lifecycle.errors import AmbiguousCustomer, CustomerNotFound
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from tests.benchmarks.lookup_workspace import (
    CUSTOMER_COUNT,
    MAIN_WORKSPACE,
    NOW,
    TOUCHPOINT_COUNT,
    Probes,
    Seeded,
    refresh_statistics,
    seed,
)

# --- Measurement --------------------------------------------------------------------------------------
WARMUP_RUNS = 3
REPETITIONS = 50
# A slow operation stops early (after at least MIN_REPETITIONS) so one bad plan cannot stall the run.
MIN_REPETITIONS = 5
MAX_SECONDS_PER_OPERATION = 15.0
PAGE_SIZE = 20  # the first page of /customers
PROFILE_TIMELINE = 8  # customer_profile's default timeline length
TARGET_MAX_MS = 50.0
TARGET_MIN_SPEEDUP = 5.0
BENCHMARK_TIMEOUT_S = 1800

UNIQUE_NAME_CONSTRAINT = "uq_customers_workspace_name_key"
BASELINE_INDEXES = {
    "customers": (
        "ix_customers_workspace_stage_updated",
        "ix_customers_workspace_owner_updated",
        "ix_customers_workspace_updated",
    ),
    "touchpoints": ("ix_touchpoints_customer_occurred", "ix_touchpoints_workspace_occurred"),
}
EXACT_NAME = "exact name"
UNIQUE_PREFIX = "unique prefix"
AMBIGUOUS_PREFIX = "ambiguous prefix"
TYPO_SUGGESTIONS = "unknown (typo), suggests"
UNKNOWN_NO_MATCH = "unknown, nothing close"
LIST_BY_STAGE = "list by stage, page 1"
LIST_BY_OWNER = "list by owner, page 1"
PROFILE = "profile"
MUST_BE_MUCH_FASTER_WITH_INDEXES = (UNIQUE_PREFIX, AMBIGUOUS_PREFIX, LIST_BY_STAGE)

# --- Operations: each one is what one bot command does, and checks its own answer ---------------------
Operation = Callable[[Session], object]


@dataclass
class Observations:
    """Things worth reporting that are not timings (filled in while the operations run)."""

    typo_suggestions: list[str]


def operations(seeded: Seeded, probes: Probes, observations: Observations) -> dict[str, Operation]:
    def exact_name(session: Session) -> None:
        found = resolve_customer(session, workspace_id=MAIN_WORKSPACE, customer=probes.exact.name.upper())
        assert found.id == probes.exact.id

    def unique_prefix(session: Session) -> None:
        # The small workspace has another name with this prefix: a missing workspace filter would make it ambiguous.
        found = resolve_customer(session, workspace_id=MAIN_WORKSPACE, customer=probes.unique_prefix)
        assert found.id == probes.unique_prefix_target.id

    def ambiguous_prefix(session: Session) -> None:
        with pytest.raises(AmbiguousCustomer) as raised:
            resolve_customer(session, workspace_id=MAIN_WORKSPACE, customer=probes.ambiguous_prefix)
        candidates = raised.value.candidates
        assert candidates and all(choice.id in seeded.ids for choice in candidates)

    def typo_suggestions(session: Session) -> None:
        with pytest.raises(CustomerNotFound) as raised:
            resolve_customer(session, workspace_id=MAIN_WORKSPACE, customer=probes.typo)
        observations.typo_suggestions = [choice.name for choice in raised.value.suggestions]

    def unknown_name(session: Session) -> None:
        with pytest.raises(CustomerNotFound):
            resolve_customer(session, workspace_id=MAIN_WORKSPACE, customer=probes.unknown)

    def by_stage(session: Session) -> None:
        page = list_customers(session, workspace_id=MAIN_WORKSPACE, stage=probes.stage, limit=PAGE_SIZE)
        assert len(page.rows) == PAGE_SIZE and page.total == seeded.stage_totals[probes.stage]
        assert all(
            row.last_touch_at is not None or seeded.touchpoints_per_customer[row.customer.id] == 0 for row in page.rows
        )

    def by_owner(session: Session) -> None:
        page = list_customers(session, workspace_id=MAIN_WORKSPACE, owner=probes.owner, limit=PAGE_SIZE)
        assert len(page.rows) == PAGE_SIZE and page.total == seeded.owner_totals[probes.owner]

    def profile(session: Session) -> None:
        shown = customer_profile(session, workspace_id=MAIN_WORKSPACE, customer=probes.profiled.name, now=NOW)
        expected = min(PROFILE_TIMELINE, seeded.touchpoints_per_customer[probes.profiled.id])
        assert shown.customer.id == probes.profiled.id and len(shown.touchpoints) == expected

    return {
        EXACT_NAME: exact_name,
        UNIQUE_PREFIX: unique_prefix,
        AMBIGUOUS_PREFIX: ambiguous_prefix,
        TYPO_SUGGESTIONS: typo_suggestions,
        UNKNOWN_NO_MATCH: unknown_name,
        LIST_BY_STAGE: by_stage,
        LIST_BY_OWNER: by_owner,
        PROFILE: profile,
    }


@dataclass(frozen=True)
class Timing:
    median_ms: float
    runs: int


def _run_once(session_factory: sessionmaker[Session], operation: Operation) -> float:
    """Seconds for one operation in its own session, opened and closed as one command would."""
    start = time.perf_counter()
    with session_factory() as session:
        operation(session)
    return time.perf_counter() - start


def time_operation(session_factory: sessionmaker[Session], operation: Operation) -> Timing:
    for _ in range(WARMUP_RUNS):
        _run_once(session_factory, operation)
    samples: list[float] = []
    deadline = time.perf_counter() + MAX_SECONDS_PER_OPERATION
    while len(samples) < REPETITIONS and (len(samples) < MIN_REPETITIONS or time.perf_counter() < deadline):
        samples.append(_run_once(session_factory, operation))
    return Timing(median_ms=statistics.median(samples) * 1000, runs=len(samples))


def time_all(engine: Engine, ops: dict[str, Operation]) -> dict[str, Timing]:
    session_factory = make_session_factory(engine)
    return {name: time_operation(session_factory, operation) for name, operation in ops.items()}


# --- Baseline -----------------------------------------------------------------------------------------
def drop_secondary_indexes(url: str) -> None:
    """Drop BASELINE_INDEXES and the unique name constraint.

    A plain engine, not make_engine: on SQLite, foreign keys must stay off while Alembic's batch mode
    rebuilds customers, or dropping the old table would cascade into touchpoints.
    """
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            operations_ = Operations(MigrationContext.configure(connection))
            with operations_.batch_alter_table("customers") as batch:
                for index in BASELINE_INDEXES["customers"]:
                    batch.drop_index(index)
                batch.drop_constraint(UNIQUE_NAME_CONSTRAINT, type_="unique")
            with operations_.batch_alter_table("touchpoints") as batch:
                for index in BASELINE_INDEXES["touchpoints"]:
                    batch.drop_index(index)
    finally:
        engine.dispose()


def remaining_indexes(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('customers', 'touchpoints')"
        else:
            query = "SELECT indexname FROM pg_indexes WHERE tablename IN ('customers', 'touchpoints')"
        return sorted(connection.exec_driver_sql(query).scalars())


# --- Report -------------------------------------------------------------------------------------------
def format_table(title: str, indexed: dict[str, Timing], baseline: dict[str, Timing]) -> str:
    header = f"{'operation':<26} {'with idx ms':>12} {'without ms':>12} {'ratio':>8}  runs with/without"
    lines = [title, header]
    for name, fast in indexed.items():
        slow = baseline[name]
        lines.append(
            f"{name:<26} {fast.median_ms:>12.2f} {slow.median_ms:>12.2f} "
            f"{slow.median_ms / fast.median_ms:>7.1f}x  {fast.runs}/{slow.runs}"
        )
    return "\n".join(lines)


def missed_targets(indexed: dict[str, Timing], baseline: dict[str, Timing]) -> list[str]:
    misses = [
        f"{name}: {timing.median_ms:.1f} ms with indexes (target < {TARGET_MAX_MS:.0f} ms)"
        for name, timing in indexed.items()
        if timing.median_ms >= TARGET_MAX_MS
    ]
    for name in MUST_BE_MUCH_FASTER_WITH_INDEXES:
        speedup = baseline[name].median_ms / indexed[name].median_ms
        if speedup < TARGET_MIN_SPEEDUP:
            misses.append(f"{name}: only {speedup:.1f}x faster with indexes (target >= {TARGET_MIN_SPEEDUP:.0f}x)")
    return misses


# --- The benchmark ------------------------------------------------------------------------------------
@pytest.mark.timeout(BENCHMARK_TIMEOUT_S)
def test_storage_lookups(database_url: str) -> None:
    """database_url (tests/conftest.py) is a temp SQLite file, then a throwaway PostgreSQL database."""
    upgrade(database_url)
    engine = make_engine(database_url)
    backend = engine.dialect.name
    try:
        started = time.perf_counter()
        seeded = seed(engine)
        refresh_statistics(engine)
        seed_seconds = time.perf_counter() - started
        probes = Probes.choose(seeded)
        observations = Observations(typo_suggestions=[])
        ops = operations(seeded, probes, observations)

        indexed = time_all(engine, ops)
        engine.dispose()  # SQLite rebuilds customers next; no pooled connection may hold it open
        drop_secondary_indexes(database_url)
        left = remaining_indexes(engine)
        baseline = time_all(engine, ops)
    finally:
        engine.dispose()

    print(
        f"\n\n[{backend}] seeded {CUSTOMER_COUNT:,} customers and {TOUCHPOINT_COUNT:,} touchpoints "
        f"in {seed_seconds:.1f} s; indexes left for the baseline: {', '.join(left) or 'none (rowid primary keys)'}"
    )
    title = f"[{backend}] median per operation, {WARMUP_RUNS} warm-up runs first"
    print(format_table(title, indexed, baseline))
    suggested = probes.typo_target.name in observations.typo_suggestions
    print(
        f"[{backend}] typo {probes.typo!r} for {probes.typo_target.name!r} -> suggestions "
        f"{observations.typo_suggestions}: the intended customer is {'' if suggested else 'NOT '}among them"
    )
    misses = missed_targets(indexed, baseline)
    for miss in misses:
        print(f"[{backend}] TARGET MISSED: {miss}")
    assert not misses, f"{backend}: " + "; ".join(misses)
