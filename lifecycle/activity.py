"""What reps record about a customer: touchpoints, stage moves and feedback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from lifecycle.audit import record_audit
from lifecycle.churn import LossOutcome, announce_loss, require_churn_reason
from lifecycle.customers import CustomerRef, resolve_customer
from lifecycle.dates import When, occurred_at
from lifecycle.errors import InvalidInput, RefusedValue
from lifecycle.feedback_alerts import FeedbackAlert, alert_if_strongly_negative
from lifecycle.handoffs import HandoffOutcome, record_handoff
from lifecycle.intent import Intent, detect_intents
from lifecycle.risk import RaisedFlag, refresh_customer_health
from lifecycle.sentiment import Sentiment, score_text
from lifecycle.sla import workspace_calendar
from lifecycle.stages import Stage, Team, check_transition, is_backward, is_handoff, owning_team
from lifecycle.states import FeedbackSource
from lifecycle.text import MAX_NOTE_LENGTH, MAX_REASON_LENGTH, BoundedText, bound_text
from lifecycle.touchpoints import LOYALTY_EVENTS, TouchpointKind
from storage import repositories as repo
from storage.models import AuditEvent, Customer, Feedback, StageChange, Touchpoint


@dataclass(frozen=True)
class LoggedTouchpoint:
    """A stored touchpoint and whether its note had to be shortened."""

    customer: Customer
    touchpoint: Touchpoint
    note: BoundedText
    intent: Intent | None = None
    raised: tuple[RaisedFlag, ...] = ()
    audit: AuditEvent | None = None  # its audit entry: what the reply's Undo button points at


class InvalidTouchDate(RefusedValue):
    """A touchpoint dated in the future or before its customer was added (a form points at its date picker)."""


@dataclass(frozen=True)
class MessageSource:
    """The Slack message a touchpoint or feedback was taken from (a message shortcut): who wrote it, and where."""

    author: str | None
    permalink: str | None

    def kept(self) -> MessageSource:
        """What fits the columns: a Slack user id and a permalink (a longer one is no permalink; it is dropped)."""
        author = self.author if self.author and len(self.author) <= 32 else None
        permalink = self.permalink if self.permalink and len(self.permalink) <= 500 else None
        return MessageSource(author, permalink)


def log_touchpoint(
    session: Session,
    *,
    workspace_id: str,
    customer: CustomerRef,
    kind: TouchpointKind,
    note: str,
    actor: str,
    now: datetime,
    when: When | None = None,
    source: MessageSource | None = None,
) -> LoggedTouchpoint:
    """Record a touchpoint (now, or on an earlier day: `when`, read in the workspace's time zone).

    A note is scored for sentiment like feedback, but kept apart from it.
    """
    # Locked like a stage move: concurrent touches must not lose a counter update or raise an alert twice.
    found = resolve_customer(session, workspace_id=workspace_id, customer=customer, for_update=True)
    zone = workspace_calendar(repo.ensure_workspace(session, workspace_id, now=now)).zone
    try:
        happened = occurred_at(when, now=now, zone=zone, not_before=found.created_at)
    except RefusedValue as refused:
        raise InvalidTouchDate(refused.message, hint=refused.hint) from None
    bounded = bound_text(note, MAX_NOTE_LENGTH)
    sentiment = score_text(bounded.text) if bounded.text else None
    intent = _first_intent(bounded.text)
    touchpoint = Touchpoint(
        workspace_id=workspace_id,
        customer_id=found.id,
        kind=kind,
        note=bounded.text,
        author_user_id=actor,
        occurred_at=happened,
        created_at=now,
        message_author_id=source.kept().author if source else None,
        permalink=source.kept().permalink if source else None,
        sentiment_compound=sentiment.compound if sentiment else None,
        sentiment_label=sentiment.label if sentiment else None,
        intent=intent.kind.value if intent else None,
        intent_phrase=intent.phrase[:200] if intent else None,
    )
    session.add(touchpoint)
    found.updated_at = now
    if found.last_touch_at is None or found.last_touch_at < happened:
        found.last_touch_at = happened
    if kind in LOYALTY_EVENTS:
        found.loyalty_events = (found.loyalty_events or 0) + 1
    session.flush()
    audit = record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="touchpoint.logged",
        now=now,
        customer_id=found.id,
        touchpoint_id=touchpoint.id,
        kind=kind.value,
    )
    raised = refresh_customer_health(session, workspace_id=workspace_id, customer_id=found.id, now=now)
    return LoggedTouchpoint(
        customer=found, touchpoint=touchpoint, note=bounded, intent=intent, raised=tuple(raised), audit=audit
    )


def _first_intent(text: str) -> Intent | None:
    """The most decisive intent stated in a text (leaving intents come first), if any."""
    intents = detect_intents(text) if text else ()
    return intents[0] if intents else None


@dataclass(frozen=True)
class StageMove:
    """A completed stage change, with what the rest of the app needs to react to it."""

    customer: Customer
    change: StageChange
    from_stage: Stage
    to_stage: Stage
    from_team: Team
    to_team: Team
    backward: bool
    handoff: HandoffOutcome
    raised: tuple[RaisedFlag, ...] = ()
    loss: LossOutcome | None = None  # set for a move to churned


def move_stage(
    session: Session,
    *,
    workspace_id: str,
    customer: CustomerRef,
    to: Stage,
    actor: str,
    reason: str | None,
    now: datetime,
) -> StageMove:
    """Move a customer to another stage under a row lock, so concurrent moves never lose one.

    Churn needs a reason and opens no handoff; a customer lost after the purchase is announced (lifecycle/churn.py).
    """
    found = resolve_customer(session, workspace_id=workspace_id, customer=customer, for_update=True)
    clean_reason = bound_text(reason, MAX_REASON_LENGTH).text if reason else None
    from_stage = found.stage
    check_transition(from_stage, to, clean_reason, customer_name=found.name)
    if to == Stage.CHURNED:
        require_churn_reason(found.name, clean_reason)
    change = StageChange(
        workspace_id=workspace_id,
        customer_id=found.id,
        from_stage=from_stage,
        to_stage=to,
        actor_user_id=actor,
        reason=clean_reason or None,
        changed_at=now,
    )
    session.add(change)
    found.stage = to
    found.stage_entered_at = now
    found.updated_at = now
    session.flush()
    record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="stage.changed",
        now=now,
        customer_id=found.id,
        from_stage=from_stage.value,
        to_stage=to.value,
        reason=clean_reason,
        handoff=is_handoff(from_stage, to),
    )
    handoff = record_handoff(
        session, customer=found, from_stage=from_stage, to_stage=to, actor=actor, reason=clean_reason, now=now
    )
    session.flush()
    loss = announce_loss(session, customer=found, change=change, now=now) if to == Stage.CHURNED else None
    raised = refresh_customer_health(session, workspace_id=workspace_id, customer_id=found.id, now=now)
    return StageMove(
        customer=found,
        change=change,
        from_stage=from_stage,
        to_stage=to,
        from_team=owning_team(from_stage),
        to_team=owning_team(to),
        backward=is_backward(from_stage, to),
        handoff=handoff,
        raised=tuple(raised),
        loss=loss,
    )


@dataclass(frozen=True)
class RecordedFeedback:
    """Stored feedback, its scores and whether its text had to be shortened."""

    customer: Customer
    feedback: Feedback
    sentiment: Sentiment
    text: BoundedText
    alert: FeedbackAlert = FeedbackAlert(raised=False)
    intent: Intent | None = None
    raised: tuple[RaisedFlag, ...] = ()


def record_feedback(
    session: Session,
    *,
    workspace_id: str,
    customer: CustomerRef,
    text: str,
    source: FeedbackSource,
    actor: str,
    now: datetime,
    message: MessageSource | None = None,
) -> RecordedFeedback:
    """Store customer feedback with VADER's scores (and, from a message shortcut, who wrote it and where)."""
    bounded = bound_text(text, MAX_NOTE_LENGTH)
    if not bounded.text:
        raise InvalidInput("The feedback text is empty.")
    found = resolve_customer(session, workspace_id=workspace_id, customer=customer, for_update=True)
    sentiment = score_text(bounded.text)
    intent = _first_intent(bounded.text)
    feedback = Feedback(
        workspace_id=workspace_id,
        customer_id=found.id,
        text=bounded.text,
        author_user_id=actor,
        source=source,
        compound=sentiment.compound,
        pos=sentiment.pos,
        neu=sentiment.neu,
        neg=sentiment.neg,
        label=sentiment.label,
        created_at=now,
        intent=intent.kind.value if intent else None,
        intent_phrase=intent.phrase[:200] if intent else None,
        message_author_id=message.kept().author if message else None,
        permalink=message.kept().permalink if message else None,
    )
    session.add(feedback)
    found.updated_at = now
    session.flush()
    record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="feedback.recorded",
        now=now,
        customer_id=found.id,
        feedback_id=feedback.id,
        compound=sentiment.compound,
        source=source.value,
    )
    raised = refresh_customer_health(session, workspace_id=workspace_id, customer_id=found.id, now=now)
    if any(item.alerted for item in raised):
        alert = FeedbackAlert(raised=False)  # this feedback turned the customer red: its red-flag alert says it all
    else:
        alert = alert_if_strongly_negative(session, customer=found, feedback=feedback, now=now)
    return RecordedFeedback(
        customer=found,
        feedback=feedback,
        sentiment=sentiment,
        text=bounded,
        alert=alert,
        intent=intent,
        raised=tuple(raised),
    )
