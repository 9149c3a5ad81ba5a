"""Undoing a touchpoint (the Undo button under /touch): it is gone, and the customer's counters are as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lifecycle.activity import log_touchpoint
from lifecycle.customers import add_customer
from lifecycle.stages import Stage
from lifecycle.touchpoints import TouchpointKind
from lifecycle.undo import CannotUndo, undo_change
from storage.models import AuditEvent, Customer, Touchpoint

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WS = "T0ACME"


def _touch(session_factory, customer_id: int, kind: TouchpointKind, now: datetime) -> int:
    with session_factory.begin() as session:
        logged = log_touchpoint(
            session, workspace_id=WS, customer=customer_id, kind=kind, note="", actor="U0REP", now=now
        )
        assert logged.audit is not None
        return logged.audit.id


@pytest.fixture
def acme(session_factory) -> int:
    with session_factory.begin() as session:
        return add_customer(
            session, workspace_id=WS, name="Acme", stage=Stage.RETENTION, owner="U0REP", actor="U0REP", now=NOW
        ).id


def test_undoing_a_touch_removes_it_and_restores_last_touch_and_loyalty(session_factory, acme):
    _touch(session_factory, acme, TouchpointKind.CALL, NOW)
    with session_factory() as session:
        before = session.get(Customer, acme)
        last_touch, loyalty = before.last_touch_at, before.loyalty_events
    later = NOW + timedelta(hours=1)
    event_id = _touch(session_factory, acme, TouchpointKind.RENEWAL, later)
    with session_factory.begin() as session:
        undone = undo_change(session, workspace_id=WS, event_id=event_id, user="U0REP", now=later)
        assert undone.original.action == "touchpoint.logged"
    with session_factory() as session:
        after = session.get(Customer, acme)
        assert (after.last_touch_at, after.loyalty_events) == (last_touch, loyalty)
        assert session.scalar(select(func.count()).select_from(Touchpoint)) == 1
        assert session.get(AuditEvent, event_id).undone_at is not None


def test_a_touch_undone_once_stays_undone(session_factory, acme):
    event_id = _touch(session_factory, acme, TouchpointKind.CALL, NOW)
    with session_factory.begin() as session:
        undo_change(session, workspace_id=WS, event_id=event_id, user="U0REP", now=NOW)
    with pytest.raises(CannotUndo, match="undone already"), session_factory.begin() as session:
        undo_change(session, workspace_id=WS, event_id=event_id, user="U0REP", now=NOW)
