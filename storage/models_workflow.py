"""Workflow tables: routing, roles, audit, handoffs, the outbox and digest schedules."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifecycle.stages import Stage, Team
from lifecycle.states import HandoffStatus, OutboxKind, OutboxStatus
from storage.base import Base, BigId, SlackId, Timestamp
from storage.types import UTCDateTime

if TYPE_CHECKING:
    from storage.models import Customer


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
    # Set when the change was undone with the button in its reply (each change can be undone once).
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


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
