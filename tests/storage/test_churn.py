"""Churn is not a handoff: nobody accepts a lost customer (DESIGN.md §2)."""

from __future__ import annotations

from sqlalchemy import select

from lifecycle.activity import move_stage
from lifecycle.customers import add_customer
from lifecycle.stages import Stage
from lifecycle.states import HandoffStatus
from storage.models import Handoff


def test_churn_opens_no_handoff_and_retires_one_that_was_waiting(session_factory, clock):
    with session_factory.begin() as session:
        lost = add_customer(
            session,
            workspace_id="T0ACME",
            name="Lost Deal",
            stage=Stage.ACQUISITION,
            owner="U0REP",
            actor="U0REP",
            now=clock(),
        )
        move_stage(
            session,
            workspace_id="T0ACME",
            customer=lost.id,
            to=Stage.CHURNED,
            actor="U0REP",
            reason="Chose a competitor",
            now=clock(),
        )
        waiting = add_customer(
            session,
            workspace_id="T0ACME",
            name="Waiting Co",
            stage=Stage.ACQUISITION,
            owner="U0REP",
            actor="U0REP",
            now=clock(),
        )
        move_stage(
            session,
            workspace_id="T0ACME",
            customer=waiting.id,
            to=Stage.CONVERSION,
            actor="U0REP",
            reason=None,
            now=clock(),
        )
        move_stage(
            session,
            workspace_id="T0ACME",
            customer=waiting.id,
            to=Stage.CHURNED,
            actor="U0REP",
            reason="Went bust",
            now=clock(),
        )
    with session_factory() as session:
        statuses = {(row.customer_id, row.status) for row in session.scalars(select(Handoff))}
    assert statuses == {(waiting.id, HandoffStatus.SUPERSEDED)}
