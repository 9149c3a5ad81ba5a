"""Uninstalled workspaces on SQLite and PostgreSQL: their outbox is held, the sweeps pass them by, data stays."""

from __future__ import annotations

from datetime import time as clock_time

from sqlalchemy import select

from lifecycle.activity import move_stage
from lifecycle.customers import add_customer
from lifecycle.outbox import RetryPolicy, claim_due, enqueue
from lifecycle.roles import holds
from lifecycle.routing import set_route
from lifecycle.schedules import ScheduleRequest, active_schedules, create_schedule
from lifecycle.sla import check_slas
from lifecycle.stages import Stage, Team
from lifecycle.states import OutboxKind, OutboxStatus
from lifecycle.workspaces import (
    active_workspace_ids,
    is_active,
    mark_installed,
    mark_uninstalled,
    skipping_uninstalled,
)
from storage import repositories as repo
from storage.models import AuditEvent, Handoff, OutboxMessage, Workspace

ACME, BETA = "T0ACME", "T0BETA"


def queue_digest(session, workspace_id: str, now) -> None:
    repo.ensure_workspace(session, workspace_id, now=now)
    enqueue(session, workspace_id=workspace_id, kind=OutboxKind.DIGEST, now=now, payload={})


def test_the_outbox_holds_an_uninstalled_workspaces_messages_as_they_are(session_factory, clock):
    with session_factory.begin() as session:
        queue_digest(session, ACME, clock())
        queue_digest(session, BETA, clock())
        assert mark_uninstalled(session, workspace_id=ACME, now=clock(), reason="app_uninstalled")
    with session_factory.begin() as session:
        claimed = claim_due(session, worker="w", now=clock(), policy=RetryPolicy())
        assert [message.workspace_id for message in claimed] == [BETA]
    with session_factory.begin() as session:
        held = session.scalars(select(OutboxMessage).where(OutboxMessage.workspace_id == ACME)).one()
        assert (held.status, held.attempts, held.claimed_by) == (OutboxStatus.PENDING, 0, None)
        mark_installed(session, workspace_id=ACME, installer="U0ANA", now=clock())
    with session_factory.begin() as session:
        claimed = claim_due(session, worker="w", now=clock(), policy=RetryPolicy())
        assert [message.workspace_id for message in claimed] == [ACME]


def test_uninstalling_twice_counts_once_and_a_reinstall_makes_the_installer_an_admin(session_factory, clock):
    with session_factory.begin() as session:
        assert mark_uninstalled(session, workspace_id=ACME, now=clock(), reason="app_uninstalled")
        assert not mark_uninstalled(session, workspace_id=ACME, now=clock(), reason="tokens_revoked")
        assert not is_active(session, workspace_id=ACME)
        assert is_active(session, workspace_id=BETA)  # never seen: nothing to stop
        assert mark_installed(session, workspace_id=ACME, installer="U0ANA", now=clock())
        assert not mark_installed(session, workspace_id=ACME, installer="U0ANA", now=clock())
        assert is_active(session, workspace_id=ACME)
        assert holds(session, workspace_id=ACME, role="admin", user_id="U0ANA")
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("workspace.uninstalled") == 1 and actions.count("workspace.installed") == 2


def test_a_bot_starting_again_with_its_token_leaves_no_trace_unless_the_workspace_was_uninstalled(
    session_factory, clock
):
    with session_factory.begin() as session:
        assert not mark_installed(session, workspace_id=ACME, installer=None, now=clock())
        assert session.scalars(select(AuditEvent)).all() == []
        assert session.get(Workspace, ACME) is not None


def test_sweeps_read_no_schedule_or_handoff_of_an_uninstalled_workspace(session_factory, clock):
    with session_factory.begin() as session:
        now = clock()
        for workspace_id in (ACME, BETA):
            set_route(session, workspace_id=workspace_id, team=Team.SERVICES, channel_id="C1", actor="U0", now=now)
            customer = add_customer(
                session,
                workspace_id=workspace_id,
                name="Initech",
                stage=Stage.ACQUISITION,
                owner="U0",
                actor="U0",
                now=now,
            )
            move_stage(
                session,
                workspace_id=workspace_id,
                customer=customer.id,
                to=Stage.CONVERSION,
                actor="U0",
                reason="",
                now=now,
            )
            request = ScheduleRequest("daily", None, clock_time(8, 0), "UTC", "C2", None)
            create_schedule(session, workspace_id=workspace_id, request=request, actor="U0", now=now)
        mark_uninstalled(session, workspace_id=ACME, now=now, reason="app_uninstalled")
    clock.advance(days=2)
    with session_factory.begin() as session:
        with skipping_uninstalled(session):
            assert {schedule.workspace_id for schedule in active_schedules(session)} == {BETA}
            assert check_slas(session, now=clock()) == 1
        assert {schedule.workspace_id for schedule in active_schedules(session)} == {ACME, BETA}  # only inside
        assert active_workspace_ids(session) == [BETA]
        acme_handoff = session.scalars(select(Handoff).where(Handoff.workspace_id == ACME)).one()
        assert acme_handoff.reminded_at is None  # reminded once the workspace is back, not lost meanwhile
