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

import bisect
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Connection, Engine, create_engine, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from lifecycle.customers import customer_profile, list_customers, resolve_customer
from lifecycle.errors import AmbiguousCustomer, CustomerNotFound
from lifecycle.names import name_key
from lifecycle.stages import Stage
from lifecycle.touchpoints import TouchpointKind
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Customer, StageChange, Touchpoint, Workspace

# --- Data set ---------------------------------------------------------------------------------------
RANDOM_SEED = 20261123
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HISTORY = timedelta(days=2 * 365)
MAIN_WORKSPACE = "T0BENCH"
SMALL_WORKSPACE = "T0SMALL"
CUSTOMER_COUNT = 100_000
TOUCHPOINT_COUNT = 1_000_000
OWNER_COUNT = 20
SMALL_WORKSPACE_EXTRA_CUSTOMERS = 200
SMALL_WORKSPACE_TOUCHPOINTS_PER_CUSTOMER = 3
INSERT_CHUNK_ROWS = 10_000
# A funnel: many customers are early, fewer further along.
STAGE_WEIGHTS = {
    Stage.REACH: 30,
    Stage.ACQUISITION: 20,
    Stage.CONVERSION: 15,
    Stage.RETENTION: 15,
    Stage.LOYALTY: 10,
    Stage.CHURNED: 10,
}
ADJECTIVES = (  # noqa: SIM905 - a word list reads better as one string
    "Acme Agile Amber Ancient Arctic Azure Blue Bold Brave Bright Brisk Calm Clever Coastal Cosmic Crimson "
    "Crystal Daring Eager Electric Emerald Epic Fierce Flying Golden Grand Green Happy Hidden Iron Jade "
    "Jolly Keen Lucky Lunar Mighty Noble Nordic Northern Open Polar Prime Quantum Quick Rapid Red Royal "
    "Silent Silver Smart Solar Sonic Steady Summit Swift True Urban Vivid Wild Zen"
).split()
NOUNS = (  # noqa: SIM905 - a word list reads better as one string
    "Anchor Apex Arrow Atlas Badger Beacon Bear Birch Bison Bridge Canyon Cedar Cloud Comet Coral Crane "
    "Delta Dragon Eagle Echo Falcon Fern Forge Fox Harbor Hawk Heron Horizon Island Lantern Lion Lotus "
    "Maple Meadow Mesa Orbit Otter Owl Panda Peak Pine Pioneer Prairie Raven River Rocket Sage Signal Spark "
    "Sparrow Spruce Stone Storm Tiger Tundra Valley Vertex Willow Wolf Café Müller Straße"
).split()
SUFFIXES = (
    "Labs",
    "Inc.",
    "GmbH",
    "& Co",
    "Systems",
    "Holdings",
    "Partners",
    "Group",
    "Analytics",
    "Ltd",
    "S.A.",
    "Logistics",
)
NOTES = ("Intro call", "Sent pricing", "Demo went well", "Renewal talk", "Support ticket", "Quarterly check-in")

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


# --- Seeding ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeededCustomer:
    id: int
    name: str
    key: str
    stage: Stage
    owner: str


@dataclass(frozen=True)
class Seeded:
    """What the probes need to know about the main workspace."""

    customers: list[SeededCustomer]
    ids: frozenset[int]
    sorted_keys: list[str]
    touchpoints_per_customer: Counter[int]
    stage_totals: Counter[Stage]
    owner_totals: Counter[str]


def _owner(number: int) -> str:
    return f"U0OWNER{number:02d}"


def _random_moment(rng: random.Random) -> datetime:
    return NOW - timedelta(seconds=rng.randrange(int(HISTORY.total_seconds())))


def _customer_name(rng: random.Random, number: int) -> str:
    return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(SUFFIXES)} {number}"


def _customer_row(workspace: str, name: str, stage: Stage, owner: str, rng: random.Random) -> dict[str, Any]:
    created = _random_moment(rng)
    updated = created + (NOW - created) * rng.random()
    return {
        "workspace_id": workspace,
        "name": name,
        "name_key": name_key(name),
        "stage": stage,
        "stage_entered_at": updated,
        "owner_user_id": owner,
        "created_by": owner,
        "created_at": created,
        "updated_at": updated,
    }


def _touchpoint_row(workspace: str, customer_id: int, rng: random.Random) -> dict[str, Any]:
    occurred = _random_moment(rng)
    return {
        "workspace_id": workspace,
        "customer_id": customer_id,
        "kind": rng.choice(list(TouchpointKind)),
        "note": rng.choice(NOTES),
        "author_user_id": _owner(rng.randrange(OWNER_COUNT)),
        "occurred_at": occurred,
        "created_at": occurred,
        "sentiment_compound": None,
        "sentiment_label": None,
    }


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == INSERT_CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _bulk_insert(connection: Connection, model: type[Any], rows: Iterator[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        connection.execute(insert(model), chunk)


def _insert_customers(connection: Connection, workspace: str, rows: list[dict[str, Any]]) -> list[int]:
    """Insert customers and return their ids in insertion order (the keys are unique per workspace)."""
    _bulk_insert(connection, Customer, iter(rows))
    ids = dict(
        connection.execute(select(Customer.name_key, Customer.id).where(Customer.workspace_id == workspace)).all()
    )
    return [ids[row["name_key"]] for row in rows]


def _creation_stage_changes(workspace: str, rows: list[dict[str, Any]], ids: list[int]) -> Iterator[dict[str, Any]]:
    # add_customer records every customer's first stage; the profile reads these.
    for row, customer_id in zip(rows, ids, strict=True):
        yield {
            "workspace_id": workspace,
            "customer_id": customer_id,
            "from_stage": None,
            "to_stage": row["stage"],
            "actor_user_id": row["created_by"],
            "reason": "created",
            "changed_at": row["created_at"],
        }


def seed(engine: Engine) -> Seeded:
    """Fill both workspaces; the small one reuses a slice of the main one's names on purpose."""
    rng = random.Random(RANDOM_SEED)
    stages, weights = list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values())
    main_rows = [
        _customer_row(
            MAIN_WORKSPACE,
            _customer_name(rng, number),
            rng.choices(stages, weights)[0],
            _owner(rng.randrange(OWNER_COUNT)),
            rng,
        )
        for number in range(1, CUSTOMER_COUNT + 1)
    ]
    with engine.begin() as connection:
        connection.execute(
            insert(Workspace),
            [{"id": MAIN_WORKSPACE, "created_at": NOW}, {"id": SMALL_WORKSPACE, "created_at": NOW}],
        )
        main_ids = _insert_customers(connection, MAIN_WORKSPACE, main_rows)
        _bulk_insert(connection, StageChange, _creation_stage_changes(MAIN_WORKSPACE, main_rows, main_ids))
        touched: Counter[int] = Counter()

        def main_touchpoints() -> Iterator[dict[str, Any]]:
            for _ in range(TOUCHPOINT_COUNT):
                customer_id = main_ids[rng.randrange(CUSTOMER_COUNT)]
                touched[customer_id] += 1
                yield _touchpoint_row(MAIN_WORKSPACE, customer_id, rng)

        _bulk_insert(connection, Touchpoint, main_touchpoints())
        # The app keeps each customer's last touchpoint on its row; bulk inserts bypass that, so fill it in
        # the way migration 0004 backfills it.
        connection.execute(
            text(
                "UPDATE customers SET last_touch_at = "
                "(SELECT max(occurred_at) FROM touchpoints WHERE touchpoints.customer_id = customers.id)"
            )
        )
    customers = [
        SeededCustomer(id=id_, name=row["name"], key=row["name_key"], stage=row["stage"], owner=row["owner_user_id"])
        for row, id_ in zip(main_rows, main_ids, strict=True)
    ]
    seeded = Seeded(
        customers=customers,
        ids=frozenset(main_ids),
        sorted_keys=sorted(customer.key for customer in customers),
        touchpoints_per_customer=touched,
        stage_totals=Counter(customer.stage for customer in customers),
        owner_totals=Counter(customer.owner for customer in customers),
    )
    _seed_small_workspace(engine, seeded, rng)
    return seeded


def _seed_small_workspace(engine: Engine, seeded: Seeded, rng: random.Random) -> None:
    """A second workspace holding the probes' names (and names extending the unique prefix) plus a few more."""
    probes = Probes.choose(seeded)
    names = [probes.exact.name, probes.unique_prefix_target.name + " Europe", probes.ambiguous_prefix + " One"]
    names += [_customer_name(rng, CUSTOMER_COUNT + n) for n in range(SMALL_WORKSPACE_EXTRA_CUSTOMERS)]
    rows = [
        _customer_row(SMALL_WORKSPACE, name, rng.choice(list(Stage)), _owner(rng.randrange(OWNER_COUNT)), rng)
        for name in names
    ]
    with engine.begin() as connection:
        ids = _insert_customers(connection, SMALL_WORKSPACE, rows)
        _bulk_insert(
            connection,
            Touchpoint,
            (
                _touchpoint_row(SMALL_WORKSPACE, customer_id, rng)
                for customer_id in ids
                for _ in range(SMALL_WORKSPACE_TOUCHPOINTS_PER_CUSTOMER)
            ),
        )


def refresh_statistics(engine: Engine) -> None:
    """PostgreSQL: VACUUM ANALYZE, as autovacuum would soon after a bulk load. SQLite: nothing (see docstring)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


# --- Probes: the inputs each operation is run with ---------------------------------------------------------
def _keys_with_prefix(sorted_keys: Sequence[str], prefix: str) -> int:
    start = bisect.bisect_left(sorted_keys, prefix)
    end = start
    while end < len(sorted_keys) and sorted_keys[end].startswith(prefix):
        end += 1
    return end - start


def _typo(name: str) -> str:
    """Swap two letters inside the second word: "Brave Falcon Labs 7" -> "Brave Flacon Labs 7"."""
    words = name.split(" ")
    noun = words[1]
    words[1] = noun[0] + noun[2] + noun[1] + noun[3:]
    return " ".join(words)


@dataclass(frozen=True)
class Probes:
    exact: SeededCustomer
    unique_prefix: str
    unique_prefix_target: SeededCustomer
    ambiguous_prefix: str
    typo: str
    typo_target: SeededCustomer
    unknown: str
    stage: Stage
    owner: str
    profiled: SeededCustomer

    @classmethod
    def choose(cls, seeded: Seeded) -> Probes:
        """Deterministic probes from the middle of the data set (not the first rows a scan would meet)."""
        middle = len(seeded.customers) // 2
        exact = max(seeded.customers[middle : middle + 100], key=lambda c: seeded.touchpoints_per_customer[c.id])
        unique_target, unique_prefix = next(
            (customer, customer.key[:-2])
            for customer in seeded.customers[middle + 100 :]
            if len(customer.key.rsplit(" ", 1)[-1]) >= 3
            and _keys_with_prefix(seeded.sorted_keys, customer.key[:-2]) == 1
        )
        typo_target = next(
            customer
            for customer in seeded.customers[middle + 200 :]
            if _keys_with_prefix(seeded.sorted_keys, name_key(_typo(customer.name))) == 0
        )
        ambiguous = " ".join(exact.name.split(" ")[:2])
        assert _keys_with_prefix(seeded.sorted_keys, name_key(ambiguous)) > 1
        return cls(
            exact=exact,
            unique_prefix=unique_prefix.upper(),
            unique_prefix_target=unique_target,
            ambiguous_prefix=ambiguous,
            typo=_typo(typo_target.name),
            typo_target=typo_target,
            unknown="Xylophone Qwerty Zzyzx",
            stage=Stage.RETENTION,
            owner=_owner(OWNER_COUNT // 2),
            profiled=exact,
        )


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
