"""Bulk statements for CSV import and export: batched inserts that skip what is stored, streamed reads.

Like the repositories, nothing here commits: the importer commits once per batch.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Column, Dialect, Table, bindparam, case, func, insert, null, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Customer, Feedback, Touchpoint, Workspace
from storage.types import UTCDateTime

# Bound parameters per IN list: well under SQLite's 32766 and PostgreSQL's 65535.
IN_CHUNK = 5_000
READ_CHUNK = 2_000
HEALTH_COLUMNS = ("health_score", "risk_level", "health_reasons", "red_flags", "health_assessed_at")


def table_of(model: type[Any]) -> Table:
    """The Core table of a model, for executemany."""
    return cast(Table, model.__table__)


def prepare_for_bulk(session: Session) -> None:
    """Give this SQLite connection a bigger page cache and fewer WAL checkpoints for a long run of inserts.

    The import keys' unique index takes random pages; with SQLite's 2 MB default cache every batch re-reads
    them, and checkpointing every 1000 pages writes the same index pages again and again (measured: +25%
    rows/s). Per connection, bounded (64 MB), and harmless to whoever uses the connection next.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA cache_size = -65536"))
        session.execute(text("PRAGMA wal_autocheckpoint = 16384"))


def workspace_ids(session: Session) -> list[str]:
    """Every workspace the database knows, by id."""
    return list(session.scalars(select(Workspace.id).order_by(Workspace.id)))


def add_workspace(session: Session, workspace_id: str, *, now: datetime) -> None:
    """Create a workspace row with its defaults."""
    session.add(Workspace(id=workspace_id, created_at=now))
    session.flush()


def count_customers(session: Session, workspace_id: str) -> int:
    """How many customers a workspace has."""
    return int(
        session.scalar(select(func.count()).select_from(Customer).where(Customer.workspace_id == workspace_id)) or 0
    )


def insert_new(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *returning: Column[Any]
) -> list[Sequence[Any]]:
    """Insert rows in batches, skipping those a unique constraint already holds; `returning` of the inserted ones."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # No conflict target: any unique constraint or unique partial index (the import keys) makes a row a no-op.
    statement = dialect_insert(table).on_conflict_do_nothing().returning(*returning)
    return list(session.connection().execute(statement, list(rows)))


def insert_counted(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert rows, skipping those a unique constraint already holds; how many were inserted (values hashable)."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect
    sql, names, processors, positional = _compiled_insert(dialect, table, tuple(rows[0]))
    # The statement the dialect compiles and the columns' own bind processors (UTC datetimes, enums by value),
    # applied here: SQLAlchemy's per-row bookkeeping for an executemany costs more than the database's own
    # work (~20 µs a row on SQLite). One statement run per row by the driver, nothing sent back: sqlite3 and
    # psycopg (3.1+) sum the rows each run changed.
    pick = operator.itemgetter(*names)
    # Remembered per batch: a batch's rows share their created_at, kind and author, and often their day.
    processing: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = [
        (index, process, {}) for index, process in enumerate(processors) if process is not None
    ]
    values: list[Any] = []
    for row in rows:
        picked = list(pick(row))
        for index, process, seen in processing:
            value = picked[index]
            done = seen.get(value)
            if done is None:
                done = seen[value] = process(value)
            picked[index] = done
        values.append(tuple(picked) if positional else dict(zip(names, picked, strict=True)))
    return int(session.connection().exec_driver_sql(sql, values).rowcount)


@functools.cache
def _compiled_insert(
    dialect: Dialect, table: Table, keys: tuple[str, ...]
) -> tuple[str, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...], bool]:
    """INSERT … ON CONFLICT DO NOTHING for these columns as the dialect compiles it, and how to pass each row."""
    dialect_insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    compiled = dialect_insert(table).on_conflict_do_nothing().compile(dialect=dialect, column_keys=list(keys))
    positional = bool(compiled.positiontup)  # SQLite's "?" in order; psycopg's %(name)s by name
    names = tuple(compiled.positiontup or keys)
    assert set(names) == set(keys) and len(names) > 1, "every column given is a parameter"
    # dialect_impl: the dialect's own type (SQLite's DATETIME writes the text the ORM writes, not the driver's).
    processors = tuple(table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
    return str(compiled), names, processors, positional


def insert_all(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows in one executemany."""
    if rows:
        session.connection().execute(insert(table), list(rows))


class KnownCustomer(NamedTuple):
    """A customer's id and the derived columns an import moves forward."""

    id: int
    last_touch_at: datetime | None
    updated_at: datetime


def customers_by_key(session: Session, workspace_id: str, keys: Collection[str]) -> dict[str, KnownCustomer]:
    """The customers with these name keys (erased customers have no name to match)."""
    found: dict[str, KnownCustomer] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), IN_CHUNK):
        rows = session.execute(
            select(Customer.name_key, Customer.id, Customer.last_touch_at, Customer.updated_at).where(
                Customer.workspace_id == workspace_id,
                Customer.name_key.in_(ordered[start : start + IN_CHUNK]),
                Customer.erased_at.is_(None),
            )
        )
        found.update({row.name_key: KnownCustomer(row.id, row.last_touch_at, row.updated_at) for row in rows})
    return found


def clear_health(session: Session, customer_ids: Collection[int]) -> None:
    """Forget customers' stored health, so the next refresh records what imported history says without alerting it.

    lifecycle.risk alerts a red flag only on a change from a stored assessment: a customer with none is assessed
    as after a migration, its flags recorded quietly.
    """
    ordered = sorted(customer_ids)
    for start in range(0, len(ordered), IN_CHUNK):
        session.execute(
            update(Customer)
            .where(Customer.id.in_(ordered[start : start + IN_CHUNK]))
            .values({column: null() for column in HEALTH_COLUMNS})
        )


def record_activity(session: Session, changes: Sequence[Mapping[str, Any]]) -> None:
    """Move customers' derived columns forward after imported activity, as log_touchpoint and record_feedback do.

    Each change: customer_id, touched_at (the latest imported touch, or None), loyalty (events to add) and
    active_at (the latest imported activity). Later values never go back: a rep's newer touch stays.
    """
    if not changes:
        return
    table = table_of(Customer)
    touched = bindparam("touched_at", type_=UTCDateTime())
    active = bindparam("active_at", type_=UTCDateTime())
    statement = (
        update(table)
        .where(table.c.id == bindparam("customer_id"))
        .values(
            last_touch_at=case(
                (touched.is_(None), table.c.last_touch_at),
                (table.c.last_touch_at.is_(None), touched),
                (table.c.last_touch_at < touched, touched),
                else_=table.c.last_touch_at,
            ),
            loyalty_events=table.c.loyalty_events + bindparam("loyalty"),
            updated_at=case((table.c.updated_at < active, active), else_=table.c.updated_at),
        )
    )
    # In id order, so two imports (or an import and a rep) lock customers in the same order on PostgreSQL.
    session.connection().execute(statement, sorted(changes, key=lambda change: change["customer_id"]))


def stream_customers(session: Session, workspace_id: str) -> Iterator[Sequence[Any]]:
    """The workspace's customers that were not erased, oldest first, read in chunks.

    Archived customers are exported; merged duplicates are not (their rows moved to the customer kept, and a
    row of their own would come back as a second customer on import).
    """
    yield from session.execute(
        select(
            Customer.name,
            Customer.stage,
            Customer.owner_user_id,
            Customer.stage_entered_at,
            Customer.created_at,
            Customer.value,
            Customer.renewal_date,
        )
        .where(Customer.workspace_id == workspace_id, Customer.erased_at.is_(None), Customer.merged_into_id.is_(None))
        .order_by(Customer.id)
        .execution_options(yield_per=READ_CHUNK)
    )


def stream_touchpoints(session: Session, workspace_id: str) -> Iterator[Sequence[Any]]:
    """The touchpoints of customers that were not erased, in the order they were stored, read in chunks."""
    yield from session.execute(
        select(Customer.name, Touchpoint.kind, Touchpoint.note, Touchpoint.occurred_at, Touchpoint.author_user_id)
        .join(Customer, Customer.id == Touchpoint.customer_id)
        .where(Touchpoint.workspace_id == workspace_id, Customer.erased_at.is_(None))
        .order_by(Touchpoint.id)
        .execution_options(yield_per=READ_CHUNK)
    )


def stream_feedback(session: Session, workspace_id: str) -> Iterator[Sequence[Any]]:
    """The feedback of customers that were not erased, in the order it was stored, read in chunks."""
    yield from session.execute(
        select(Customer.name, Feedback.text, Feedback.created_at, Feedback.author_user_id)
        .join(Customer, Customer.id == Feedback.customer_id)
        .where(Feedback.workspace_id == workspace_id, Customer.erased_at.is_(None))
        .order_by(Feedback.id)
        .execution_options(yield_per=READ_CHUNK)
    )
