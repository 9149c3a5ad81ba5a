"""stored health and stated intents

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("health_refreshed_at", storage.types.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("loyalty_events", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("health_score", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("risk_level", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("health_reasons", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("red_flags", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("health_assessed_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_customers_workspace_risk_score", ["workspace_id", "risk_level", "health_score", "id"], unique=False
        )
        batch_op.create_index(
            "ix_customers_workspace_stage_entered", ["workspace_id", "stage", "stage_entered_at"], unique=False
        )

    for table, time_column in (("touchpoints", "occurred_at"), ("feedback", "created_at")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("intent", sa.String(length=20), nullable=True))
            batch_op.add_column(sa.Column("intent_phrase", sa.String(length=200), nullable=True))
        op.create_index(
            f"ix_{table}_workspace_intent",
            table,
            ["workspace_id", time_column],
            unique=False,
            postgresql_where=sa.text("intent IS NOT NULL"),
            sqlite_where=sa.text("intent IS NOT NULL"),
        )
    # Backfill from the touchpoints already logged (the kinds lifecycle.loyalty counts).
    op.execute(
        "UPDATE customers SET loyalty_events = (SELECT count(*) FROM touchpoints WHERE touchpoints.customer_id = "
        "customers.id AND touchpoints.kind IN ('purchase', 'renewal', 'referral'))"
    )
    _backfill_intents("touchpoints", "note")
    _backfill_intents("feedback", "text")
    # Stored health stays NULL: health_refreshed_at is NULL, so the first refresh assesses every customer.


def _backfill_intents(table: str, text_column: str) -> None:
    """Read the intents already stated in stored texts, so old churn statements raise their red flags."""
    from lifecycle.intent import detect_intents  # the detector as of this release

    connection = op.get_bind()
    rows = connection.execute(sa.text(f"SELECT id, {text_column} FROM {table} WHERE {text_column} <> ''"))  # noqa: S608
    update = sa.text(f"UPDATE {table} SET intent = :intent, intent_phrase = :phrase WHERE id = :id")  # noqa: S608
    pending: list[dict[str, object]] = []
    for row_id, text in rows.fetchall():
        intents = detect_intents(text or "")
        if intents:
            pending.append({"id": row_id, "intent": intents[0].kind.value, "phrase": intents[0].phrase[:200]})
        if len(pending) >= BATCH:
            connection.execute(update, pending)
            pending = []
    if pending:
        connection.execute(update, pending)


def downgrade() -> None:
    for table in ("feedback", "touchpoints"):
        op.drop_index(f"ix_{table}_workspace_intent", table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("intent_phrase")
            batch_op.drop_column("intent")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_workspace_stage_entered")
        batch_op.drop_index("ix_customers_workspace_risk_score")
        batch_op.drop_column("health_assessed_at")
        batch_op.drop_column("red_flags")
        batch_op.drop_column("health_reasons")
        batch_op.drop_column("risk_level")
        batch_op.drop_column("health_score")
        batch_op.drop_column("loyalty_events")
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("health_refreshed_at")
