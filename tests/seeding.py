"""Short ways to give a test workspace some history, through the real lifecycle functions."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecycle.activity import log_touchpoint, move_stage, record_feedback
from lifecycle.customers import add_customer
from lifecycle.handoffs import accept_handoff
from lifecycle.stages import Stage
from lifecycle.states import FeedbackSource, HandoffStatus
from lifecycle.touchpoints import TouchpointKind
from storage.models import Handoff


class History:
    """Adds customers, touchpoints, feedback and moves in one workspace, `days_ago` before `now`."""

    def __init__(self, session: Session, *, now: datetime, workspace_id: str = "T0ACME", owner: str = "U0CSM") -> None:
        self.session, self.now, self.workspace_id, self.owner = session, now, workspace_id, owner

    def _at(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=days_ago)

    def touches(self, customer: int, *, first_days_ago: float, last_days_ago: float, every: float) -> None:
        """Regular calls from `first_days_ago` to `last_days_ago`, every `every` days."""
        days = first_days_ago
        while days >= last_days_ago:
            self.touch(customer, days_ago=days)
            days -= every

    def customer(self, name: str, stage: Stage, *, days_ago: float) -> int:
        return add_customer(
            self.session,
            workspace_id=self.workspace_id,
            name=name,
            stage=stage,
            owner=self.owner,
            actor="U0REP",
            now=self._at(days_ago),
        ).id

    def touch(
        self, customer: int, *, days_ago: float, kind: TouchpointKind = TouchpointKind.CALL, note: str = ""
    ) -> None:
        log_touchpoint(
            self.session,
            workspace_id=self.workspace_id,
            customer=customer,
            kind=kind,
            note=note,
            actor=self.owner,
            now=self._at(days_ago),
        )

    def feedback(self, customer: int, text: str, *, days_ago: float) -> None:
        record_feedback(
            self.session,
            workspace_id=self.workspace_id,
            customer=customer,
            text=text,
            source=FeedbackSource.COMMAND,
            actor=self.owner,
            now=self._at(days_ago),
        )

    def move(
        self, customer: int, to: Stage, *, days_ago: float, actor: str = "U0CSM", reason: str | None = None
    ) -> None:
        move_stage(
            self.session,
            workspace_id=self.workspace_id,
            customer=customer,
            to=to,
            actor=actor,
            reason=reason,
            now=self._at(days_ago),
        )

    def accept(self, customer: int, *, days_ago: float, user: str = "U0CSM") -> None:
        """Someone in the receiving team accepts the customer's pending handoff."""
        handoff = self.session.scalars(
            select(Handoff).where(Handoff.customer_id == customer, Handoff.status == HandoffStatus.PENDING)
        ).one()
        accept_handoff(
            self.session, workspace_id=self.workspace_id, handoff_id=handoff.id, user=user, now=self._at(days_ago)
        )


def sign_and_hand_over(session: Session, *, workspace_id: str, name: str, now: datetime) -> int:
    """Add a customer in acquisition and move it to conversion (sales to services: one handoff); its id."""
    customer = add_customer(
        session, workspace_id=workspace_id, name=name, stage=Stage.ACQUISITION, owner="U0REP", actor="U0REP", now=now
    )
    move_stage(
        session,
        workspace_id=workspace_id,
        customer=customer.id,
        to=Stage.CONVERSION,
        actor="U0REP",
        reason="signed",
        now=now,
    )
    return customer.id
