"""health settings, last touch, feedback alerts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 23:47:02.378332
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_touch_at", storage.types.UTCDateTime(timezone=True), nullable=True))
    # Backfill from the touchpoints already logged.
    op.execute(
        "UPDATE customers SET last_touch_at = "
        "(SELECT max(occurred_at) FROM touchpoints WHERE touchpoints.customer_id = customers.id)"
    )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("feedback_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.create_foreign_key("fk_outbox_feedback_id", "feedback", ["feedback_id"], ["id"], ondelete="CASCADE")

    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("health_settings", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("health_settings")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbox_feedback_id", type_="foreignkey")
        batch_op.drop_column("feedback_id")

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("last_touch_at")
