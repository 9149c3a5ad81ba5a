"""Alembic environment: runs migrations online with our engine settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from storage.db import make_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata
# slack_sdk's installation and OAuth state stores (migration 0008) live beside our tables but are not our models;
# autogenerate must not propose dropping them. tests/storage/test_migrations.py checks them against slack_sdk's.
SLACK_STORE_TABLES = frozenset({"slack_installations", "slack_bots", "slack_oauth_states"})


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Everything but the Slack store tables (and their indexes) is compared with our models."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", None) not in SLACK_STORE_TABLES


def run_migrations_online() -> None:
    """Run migrations in a transaction on a connection of our own engine."""
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # Batch migrations copy and drop tables; with foreign keys on, dropping a parent table would cascade
        # and delete its children (every customer's history). SQLite only honours this outside a transaction.
        # Straight on the driver connection (autocommit): SQLAlchemy's own execute would open a transaction first.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only alter tables by copying them
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
