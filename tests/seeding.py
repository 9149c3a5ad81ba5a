"""Short ways to give a test workspace some history, through the real lifecycle functions."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from lifecycle.activity import log_touchpoint, move_stage, record_feedback
from lifecycle.customers import add_customer
from lifecycle.stages import Stage
from lifecycle.touchpoints import TouchpointKind
from storage.models import FeedbackSource


class History:
    """Adds customers, touchpoints, feedback and moves in one workspace, `days_ago` before `now`."""

    def __init__(self, session: Session, *, now: datetime, workspace_id: str = "T0ACME", owner: str = "U0CSM") -> None:
        self.session, self.now, self.workspace_id, self.owner = session, now, workspace_id, owner

    def _at(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=days_ago)

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

    def touch(self, customer: int, *, days_ago: float, kind: TouchpointKind = TouchpointKind.CALL) -> None:
        log_touchpoint(
            self.session,
            workspace_id=self.workspace_id,
            customer=customer,
            kind=kind,
            note="",
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

    def move(self, customer: int, to: Stage, *, days_ago: float, actor: str = "U0CSM") -> None:
        move_stage(
            self.session,
            workspace_id=self.workspace_id,
            customer=customer,
            to=to,
            actor=actor,
            reason=None,
            now=self._at(days_ago),
        )
