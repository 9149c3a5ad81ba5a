"""The database schema as typed SQLAlchemy 2 models; every row belongs to one workspace."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ColumnElement, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifecycle.health import RiskLevel
from lifecycle.stages import Stage
from lifecycle.states import FeedbackSource
from lifecycle.touchpoints import TouchpointKind
from storage.base import Base, BigId, NameKey, SlackId, Timestamp, enum_type
from storage.types import UTCDateTime

__all__ = [
    "AuditEvent",
    "Base",
    "Customer",
    "CustomerTeamOwner",
    "DigestSchedule",
    "Feedback",
    "Handoff",
    "InboundRequest",
    "OutboxMessage",
    "PendingCommand",
    "StageChange",
    "TeamRoute",
    "Touchpoint",
    "Workspace",
    "WorkspaceRole",
]


class Workspace(Base):
    """A Slack workspace (team) that installed the app."""

    __tablename__ = "workspaces"

    id: Mapped[SlackId] = mapped_column(primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[Timestamp]
    # Handoff SLA: business hours to accept, counted in the workspace's time zone and working days.
    sla_hours: Mapped[float] = mapped_column(default=4.0, server_default="4")
    business_opens: Mapped[str] = mapped_column(String(5), default="09:00", server_default="09:00")
    business_closes: Mapped[str] = mapped_column(String(5), default="17:00", server_default="17:00")
    business_days: Mapped[str] = mapped_column(String(40), default="mon-fri", server_default="mon-fri")
    # Overrides of lifecycle.health.HealthConfig, e.g. {"cadence.retention": 21}.
    health_settings: Mapped[dict[str, Any] | None]
    # When every customer's stored health was last brought up to date (None: needs it now).
    health_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by app_uninstalled / tokens_revoked: no more work for this workspace; its data stays until erased.
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # ISO 4217 code customer values are in (None: not set, values show as bare numbers).
    currency: Mapped[str | None] = mapped_column(String(3))

    @classmethod
    def unsaved(cls, workspace_id: str, *, now: datetime) -> Workspace:
        """A workspace with every column default filled in, not added to any session (for read-only paths)."""
        defaults = {
            column.key: column.default.arg
            for column in cls.__table__.columns
            if column.default is not None and not callable(column.default.arg)
        }
        return cls(id=workspace_id, created_at=now, **defaults)


class Customer(Base):
    """A customer moving through the lifecycle."""

    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name_key", name="uq_customers_workspace_name_key"),
        # Lists are "most recently updated first", filtered by stage or owner: these read just one page.
        Index("ix_customers_workspace_stage_updated", "workspace_id", "stage", "updated_at", "id"),
        Index("ix_customers_workspace_owner_updated", "workspace_id", "owner_user_id", "updated_at", "id"),
        Index("ix_customers_workspace_updated", "workspace_id", "updated_at", "id"),
        # At-risk and watch lists read one page of this index, worst first.
        Index("ix_customers_workspace_risk_score", "workspace_id", "risk_level", "health_score", "id"),
        # The digest's median time in stage is read from the middle of this index.
        Index("ix_customers_workspace_stage_entered", "workspace_id", "stage", "stage_entered_at"),
        # Forgiving lookups and the picker's type-ahead: the folded name (lifecycle.names.fold_name).
        Index("ix_customers_workspace_fold_key", "workspace_id", "fold_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[SlackId] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(NameKey)
    stage: Mapped[Stage]
    stage_entered_at: Mapped[Timestamp]
    owner_user_id: Mapped[SlackId]
    created_by: Mapped[SlackId]
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]
    # Kept in step by log_touchpoint, so health over a whole workspace never scans the touchpoints.
    last_touch_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Purchases, renewals and referrals logged, kept in step by log_touchpoint (loyalty suggestions read it).
    loyalty_events: Mapped[int] = mapped_column(default=0, server_default="0")
    # Stored health (lifecycle.risk keeps it current on every change and refreshes it as time passes), so
    # lists and digests read only the customers they show.
    health_score: Mapped[int | None]
    risk_level: Mapped[RiskLevel | None]
    health_reasons: Mapped[list[str] | None] = mapped_column(JSON())
    # Red flags up now, each with the anchor of what raised it (so its alert goes out once per episode).
    red_flags: Mapped[dict[str, Any] | None]
    health_assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Annual deal or contract value, in the workspace's currency; and when the contract renews.
    value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    renewal_date: Mapped[date | None] = mapped_column(Date())
    # Erased customers keep their row (anonymous, for the funnel's counts) without names or text.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The name folded for matching: case, accents, punctuation, emoji, legal suffixes and look-alike letters.
    fold_key: Mapped[str | None] = mapped_column(NameKey)
    # Hidden from lists, health and digests; every row is kept (/customer archive, and every merged duplicate).
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A duplicate merged into another customer: its name stays an alias that finds the kept one.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL", name="fk_customers_merged_into_id")
    )

    @classmethod
    def live(cls) -> ColumnElement[bool]:
        """Not archived (merged duplicates are archived too): the customers lists, health and digests show."""
        return cls.archived_at.is_(None)

    touchpoints: Mapped[list[Touchpoint]] = relationship(back_populates="customer", passive_deletes=True)
    stage_changes: Mapped[list[StageChange]] = relationship(back_populates="customer", passive_deletes=True)
    feedback: Mapped[list[Feedback]] = relationship(back_populates="customer", passive_deletes=True)


class Touchpoint(Base):
    """One contact with a customer, logged by a rep."""

    __tablename__ = "touchpoints"
    __table_args__ = (
        # Serves "last touchpoint per customer" and a customer's timeline from the index alone.
        Index("ix_touchpoints_customer_occurred", "customer_id", "occurred_at"),
        Index("ix_touchpoints_workspace_occurred", "workspace_id", "occurred_at"),
        # Notes stating an intent are rare: red flags read them without scanning every touchpoint.
        Index(
            "ix_touchpoints_workspace_intent",
            "workspace_id",
            "occurred_at",
            postgresql_where=text("intent IS NOT NULL"),
            sqlite_where=text("intent IS NOT NULL"),
        ),
        # An imported row is stored once, however often its file is imported.
        Index(
            "uq_touchpoints_workspace_import_key",
            "workspace_id",
            "import_key",
            unique=True,
            postgresql_where=text("import_key IS NOT NULL"),
            sqlite_where=text("import_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[SlackId] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[TouchpointKind]
    note: Mapped[str] = mapped_column(Text, default="")
    author_user_id: Mapped[SlackId]
    occurred_at: Mapped[Timestamp]
    created_at: Mapped[Timestamp]
    sentiment_compound: Mapped[float | None]
    sentiment_label: Mapped[str | None] = mapped_column(String(10))
    # A stated intent (lifecycle.intent) read in the note, and the words that triggered it.
    intent: Mapped[str | None] = mapped_column(String(20))
    intent_phrase: Mapped[str | None] = mapped_column(String(200))
    # A digest of the imported CSV row this came from (None for rows logged in Slack).
    import_key: Mapped[str | None] = mapped_column(String(64))
    # Logged from a Slack message (the "Log as touchpoint" shortcut): who wrote it, and a link back to it.
    message_author_id: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(String(500))

    customer: Mapped[Customer] = relationship(back_populates="touchpoints")


class StageChange(Base):
    """A recorded move from one stage to another (from_stage is None when the customer was created)."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        Index("ix_stage_changes_customer_changed", "customer_id", "changed_at"),
        Index("ix_stage_changes_workspace_changed", "workspace_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[SlackId] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    from_stage: Mapped[Stage | None]
    to_stage: Mapped[Stage]
    actor_user_id: Mapped[SlackId]
    reason: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[Timestamp]

    customer: Mapped[Customer] = relationship(back_populates="stage_changes")


class Feedback(Base):
    """Customer feedback with VADER's scores."""

    __tablename__ = "feedback"
    __table_args__ = (
        Index("ix_feedback_customer_created", "customer_id", "created_at"),
        Index("ix_feedback_workspace_created", "workspace_id", "created_at"),
        Index(
            "ix_feedback_workspace_intent",
            "workspace_id",
            "created_at",
            postgresql_where=text("intent IS NOT NULL"),
            sqlite_where=text("intent IS NOT NULL"),
        ),
        Index(
            "uq_feedback_workspace_import_key",
            "workspace_id",
            "import_key",
            unique=True,
            postgresql_where=text("import_key IS NOT NULL"),
            sqlite_where=text("import_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[SlackId] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[SlackId]
    source: Mapped[FeedbackSource] = mapped_column(enum_type(FeedbackSource))
    compound: Mapped[float]
    pos: Mapped[float]
    neu: Mapped[float]
    neg: Mapped[float]
    label: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[Timestamp]
    # A stated intent (lifecycle.intent) read in the text, and the words that triggered it.
    intent: Mapped[str | None] = mapped_column(String(20))
    intent_phrase: Mapped[str | None] = mapped_column(String(200))
    import_key: Mapped[str | None] = mapped_column(String(64))
    # Recorded from a Slack message ("Record as feedback"): who wrote it, and a link back to it.
    message_author_id: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(String(500))

    customer: Mapped[Customer] = relationship(back_populates="feedback")


# The workflow tables live in their own module; importing them here keeps `from storage.models import X` working.
from storage.models_workflow import (  # noqa: E402
    AuditEvent,
    CustomerTeamOwner,
    DigestSchedule,
    Handoff,
    InboundRequest,
    OutboxMessage,
    PendingCommand,
    TeamRoute,
    WorkspaceRole,
)
