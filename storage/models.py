"""The database schema as typed SQLAlchemy 2 models; every row belongs to one workspace."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifecycle.health import RiskLevel
from lifecycle.stages import Stage, Team
from lifecycle.states import FeedbackSource, HandoffStatus, OutboxKind, OutboxStatus
from lifecycle.touchpoints import TouchpointKind
from storage.base import Base, BigId, NameKey, SlackId, Timestamp, enum_type
from storage.types import UTCDateTime

__all__ = ["Base"]


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

    customer: Mapped[Customer] = relationship(back_populates="feedback")


class TeamRoute(Base):
    """The channel where a team's alerts go."""

    __tablename__ = "team_routes"

    workspace_id: Mapped[SlackId] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    team: Mapped[Team] = mapped_column(primary_key=True)
    channel_id: Mapped[SlackId]
    updated_by: Mapped[SlackId]
    updated_at: Mapped[Timestamp]


class WorkspaceRole(Base):
    """A lifecycle admin (role "admin") or a member of a team (role "sales", "services", "success", "managers")."""

    __tablename__ = "workspace_roles"

    workspace_id: Mapped[SlackId] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    user_id: Mapped[SlackId] = mapped_column(primary_key=True)
    added_by: Mapped[SlackId]
    added_at: Mapped[Timestamp]


class InboundRequest(Base):
    """A Slack request that changed data, kept a while so a replay or retry of it changes nothing twice.

    Keyed on the request's signature (a replay of the same signed body), a view's id (a modal submitted again)
    or an event's id (Slack's retries); written in the same transaction as the change it made.
    """

    __tablename__ = "inbound_requests"
    __table_args__ = (Index("ix_inbound_requests_received", "received_at"),)

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    workspace_id: Mapped[SlackId]
    received_at: Mapped[Timestamp]


class PendingCommand(Base):
    """A command held back by an unknown or ambiguous customer, replayed when the user picks one."""

    __tablename__ = "pending_commands"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[SlackId] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[SlackId]
    command: Mapped[str] = mapped_column(String(32))
    arguments: Mapped[dict[str, Any]]
    created_at: Mapped[Timestamp]
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """Who changed what, and when; written in the same transaction as the change."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_workspace_occurred", "workspace_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[SlackId] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    actor_user_id: Mapped[SlackId]
    action: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]]
    occurred_at: Mapped[Timestamp]


class CustomerTeamOwner(Base):
    """Who owns a customer for one team (set when someone accepts a handoff)."""

    __tablename__ = "customer_team_owners"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    team: Mapped[Team] = mapped_column(primary_key=True)
    user_id: Mapped[SlackId]
    assigned_at: Mapped[Timestamp]


class Handoff(Base):
    """A customer passing from one team to another, until someone in the receiving team accepts it."""

    __tablename__ = "handoffs"
    __table_args__ = (
        # At most one open handoff per customer: a second move updates or supersedes it.
        Index(
            "uq_handoffs_one_pending_per_customer",
            "customer_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_handoffs_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[SlackId] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    from_stage: Mapped[Stage]
    to_stage: Mapped[Stage]
    from_team: Mapped[Team]
    to_team: Mapped[Team]
    moved_by: Mapped[SlackId]
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[HandoffStatus]
    # Bumped on every change, so a message rendered from an older version is refreshed.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]
    accepted_by: Mapped[str | None] = mapped_column(String(32))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    rendered_version: Mapped[int | None]
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    customer: Mapped[Customer] = relationship()


class OutboxMessage(Base):
    """A Slack message to deliver, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        # One alert, one reminder, one escalation per handoff, ever, whatever the number of processes.
        UniqueConstraint("workspace_id", "dedupe_key", name="uq_outbox_workspace_dedupe_key"),
        Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[SlackId] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[OutboxKind]
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    feedback_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE", name="fk_outbox_feedback_id")
    )
    # What a digest covers (schedule, period, recipient): digests are rendered from it when sent.
    payload: Mapped[dict[str, Any] | None]
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[OutboxStatus]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[Timestamp]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[Timestamp]
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DigestSchedule(Base):
    """A recurring digest: when (in which time zone) and to whom."""

    __tablename__ = "digest_schedules"
    __table_args__ = (Index("ix_digest_schedules_workspace", "workspace_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[SlackId] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    frequency: Mapped[str] = mapped_column(String(10))  # daily, weekdays or weekly
    weekday: Mapped[int | None]  # 0 = Monday, for weekly digests
    time_of_day: Mapped[str] = mapped_column(String(5))  # HH:MM, local to `timezone`
    timezone: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(String(32))  # None: the managers channel at send time
    user_id: Mapped[str | None] = mapped_column(String(32))  # a DM to this user instead of a channel
    created_by: Mapped[SlackId]
    created_at: Mapped[Timestamp]
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
