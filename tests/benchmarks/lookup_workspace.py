"""The workspace the storage-lookup benchmark seeds, and the probes each lookup is run with."""

from __future__ import annotations

import bisect
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, text

from lifecycle.names import fold_name, name_key
from lifecycle.stages import Stage
from lifecycle.touchpoints import TouchpointKind
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
        "fold_key": fold_name(name),  # as add_customer stores it, so the forgiving lookups have their key
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
