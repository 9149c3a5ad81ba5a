"""Demo data for `lifecycle-bot sandbox --demo`: six months of a plausible workspace, seeded through the product.

Every customer, touchpoint, feedback, stage move and acceptance goes through the real lifecycle functions with a
moving `now`, so stored health, intents, red flags, handoffs and the outbox are what the product computes. The
history is seeded before any channel is routed and its red flags are recorded silently; only a few fresh events
after routing post alerts, so the channels come alive without a flood.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox import people
from bot.sandbox.demo_cast import (
    DEMO_AT_RISK_CUSTOMERS,
    DEMO_CURRENCY,
    DEMO_FRESH_HANDOFF_CUSTOMER,
    DEMO_HANDOFF_CUSTOMER,
    DEMO_LOST_CUSTOMER,
    DEMO_LOST_REASON,
    DEMO_NEWLY_LOYAL_CUSTOMERS,
    DEMO_WATCH_CUSTOMERS,
    FORWARD_REASONS,
    GRUMBLES,
    JOURNEY_DAYS,
    NOTES,
    PRAISE,
    REPEAT_BUSINESS,
    SPACING,
    STAY,
    TEAM_USER,
    TIMEZONE,
    _stories,
    _Story,
    annual_value,
    renews_in,
)
from lifecycle.activity import log_touchpoint, move_stage, record_feedback
from lifecycle.currency import set_currency
from lifecycle.customer_edits import set_customer_fact
from lifecycle.customers import add_customer
from lifecycle.handoffs import accept_handoff, pending_handoff
from lifecycle.names import name_key
from lifecycle.risk import refresh_in_session
from lifecycle.routing import set_route
from lifecycle.schedules import ScheduleRequest, create_schedule
from lifecycle.sla import SlaChange, check_slas, update_sla
from lifecycle.stages import FUNNEL, Stage, Team, owning_team
from lifecycle.states import FeedbackSource
from lifecycle.touchpoints import TouchpointKind as K
from storage.models import Customer

logger = logging.getLogger(__name__)

Action = Callable[[Session, datetime], object]

DEMO_SEED = 20261123
TEAM_ID = people.TEAM_ID
HISTORY_DAYS = 180.0  # the team adopted the bot then, adding the customers it had
FACT_DELAY = 0.003  # days after signing (about four minutes) that the owner fills in value and renewal
PAYING = (Stage.CONVERSION, Stage.RETENTION, Stage.LOYALTY)  # customers with a contract to renew
ROUTED_AGO = timedelta(minutes=55)  # the manager routes the channels just before the fresh events


class _Timeline:
    """Changes to make, each some days before `now`, played in time order through the lifecycle functions."""

    def __init__(self, now: datetime, ids: dict[str, int]) -> None:
        self.now, self.ids, self.events = now, ids, list[tuple[float, int, Action]]()  # ids: customers by name

    def at(self, days_ago: float, action: Action) -> None:
        """Make a change `days_ago` before now."""
        self.events.append((days_ago, len(self.events), action))

    def play(self, session: Session) -> None:
        """Make every change, oldest first."""
        for days_ago, _, action in sorted(self.events, key=lambda event: (-event[0], event[1])):
            action(session, self.now - timedelta(days=days_ago))

    def create(self, name: str, stage: Stage, days_ago: float) -> None:
        """The customer is added by its stage's team, which owns it."""
        owner = TEAM_USER[owning_team(stage)]

        def create(session: Session, at: datetime) -> None:
            self.ids[name] = add_customer(
                session, workspace_id=TEAM_ID, name=name, stage=stage, owner=owner, actor=owner, now=at
            ).id

        self.at(days_ago, create)

    def touch(self, name: str, days_ago: float, kind: K, note: str, actor: str) -> None:
        """A touchpoint is logged."""
        self.at(days_ago, lambda session, at: log_touchpoint(
            session, workspace_id=TEAM_ID, customer=self.ids[name], kind=kind, note=note, actor=actor, now=at
        ))  # fmt: skip

    def feedback(self, name: str, days_ago: float, text: str, actor: str) -> None:
        """Customer feedback is recorded."""
        self.at(days_ago, lambda session, at: record_feedback(
            session, workspace_id=TEAM_ID, customer=self.ids[name], text=text, source=FeedbackSource.COMMAND,
            actor=actor, now=at,
        ))  # fmt: skip

    def move(self, name: str, days_ago: float, to: Stage, actor: str, reason: str | None) -> None:
        """The customer moves to another stage."""
        self.at(days_ago, lambda session, at: move_stage(
            session, workspace_id=TEAM_ID, customer=self.ids[name], to=to, actor=actor, reason=reason, now=at
        ))  # fmt: skip

    def fact(self, name: str, days_ago: float, fact: str, value: Decimal | date, actor: str) -> None:
        """The customer's annual value or renewal date is set, as `/customer set` does."""
        self.at(days_ago, lambda session, at: set_customer_fact(
            session, workspace_id=TEAM_ID, customer=self.ids[name], fact=fact, value=value, actor=actor, now=at
        ))  # fmt: skip

    def accept(self, name: str, days_ago: float, user: str) -> None:
        """Someone of the receiving team accepts the customer's open handoff, if its move opened one."""

        def accept(session: Session, at: datetime) -> None:
            handoff = pending_handoff(session, self.ids[name])
            if handoff is not None:  # a churn opens none
                accept_handoff(session, workspace_id=TEAM_ID, handoff_id=handoff.id, user=user, now=at)

        self.at(days_ago, accept)


def _path(story: _Story, rng: random.Random) -> list[tuple[Stage, float]]:
    """The stages the customer went through and when it entered each (days ago), oldest first."""
    path = [(story.stage, story.in_stage)]
    stage = story.came_from or _before(story.stage)
    while stage is not None:
        entered = path[0][1] + rng.uniform(*STAY[stage])
        if entered >= JOURNEY_DAYS:  # a customer from before: added in the stage it was in
            path.insert(0, (stage, round(min(entered, HISTORY_DAYS - rng.uniform(0, 12)), 2)))
            break
        path.insert(0, (stage, round(entered, 2)))
        stage = _before(stage)
    return path


def _before(stage: Stage) -> Stage | None:
    return FUNNEL[FUNNEL.index(stage) - 1] if stage in FUNNEL[1:] else None


def _plan(timeline: _Timeline, story: _Story, rng: random.Random) -> None:
    """Queue a customer's whole history: creation, moves with accepted handoffs, touchpoints and feedback."""
    path = _path(story, rng)
    timeline.create(story.name, *path[0])
    for number, ((before, left), (stage, entered)) in enumerate(itertools.pairwise(path), start=2):
        last = number == len(path)
        mover, user = TEAM_USER[owning_team(before)], TEAM_USER[owning_team(stage)]
        _touches(timeline, story.name, before, (left, entered + 1), mover, rng, moves_on=True)
        reason = (story.reason if last else None) or FORWARD_REASONS.get(stage)
        timeline.move(story.name, entered, stage, mover, reason)
        if stage == Stage.CONVERSION:
            timeline.touch(story.name, entered - 0.01, K.PURCHASE, "Contract signed, annual plan.", mover)
        if owning_team(before) != owning_team(stage) and not (last and story.pending):
            timeline.accept(story.name, entered - rng.uniform(0.04, 0.25), user)
    _facts(timeline, story, path)
    stage, entered = path[-1]
    user = TEAM_USER[owning_team(stage)]
    if stage != Stage.CHURNED:
        _touches(timeline, story.name, stage, (entered, story.quiet), user, rng)
        for number in range(story.repeat_business):
            days_ago = entered - (number + 1) * (entered - story.quiet) / 3
            timeline.touch(story.name, days_ago, *REPEAT_BUSINESS[number], user)
    for days_ago, said_kind, words in story.said:
        if said_kind is None:
            timeline.feedback(story.name, days_ago, words, user)
        else:
            timeline.touch(story.name, days_ago, said_kind, words, user)


def _facts(timeline: _Timeline, story: _Story, path: list[tuple[Stage, float]]) -> None:
    """The deal's value once past reach, and a paying customer's renewal date, a year from signing."""
    qualified = next(((s, days) for s, days in path if s not in (Stage.REACH, Stage.CHURNED)), None)
    if qualified is None:  # lost while still in reach: never priced
        return
    stage, entered = qualified
    owner = TEAM_USER[owning_team(stage)]
    value = annual_value(story.name, stage)
    if value is not None:
        timeline.fact(story.name, entered - FACT_DELAY, "value", Decimal(value), owner)
    if story.stage not in PAYING:
        return
    # Signed in the history (its move to conversion), or before it (added already a customer).
    signed = next((days for s, days in path if s == Stage.CONVERSION), path[0][1])
    renewal = timeline.now + timedelta(days=renews_in(story.name, signed))
    owner = TEAM_USER[owning_team(story.stage)]
    timeline.fact(story.name, signed - 2 * FACT_DELAY, "renewal", renewal.astimezone(ZoneInfo(TIMEZONE)).date(), owner)


def _touches(
    timeline: _Timeline, name: str, stage: Stage, span: tuple[float, float], user: str, rng: random.Random,
    *, moves_on: bool = False,
) -> None:  # fmt: skip
    """Touchpoints in a stage from a few days after entering it, and now and then feedback.

    `span` is (entered, until) in days ago: `until` is the customer's latest touch, unless it `moves_on` then.
    """
    entered, until = span
    notes = itertools.cycle(rng.sample(NOTES[stage], len(NOTES[stage])))  # no note twice in a row
    days, since_feedback, first = entered - rng.uniform(1, 4), 0.0, True
    while days > until:
        first = False
        timeline.touch(name, days, *next(notes), user)
        step = rng.uniform(*SPACING[stage])
        since_feedback += step
        if stage in (Stage.RETENTION, Stage.LOYALTY) and since_feedback > 80 and days > 10:
            since_feedback = 0.0
            words = rng.choice(GRUMBLES) if days > 45 and rng.random() < 0.2 else rng.choice(PRAISE)
            timeline.feedback(name, days - 0.5, words, user)
        days -= step
    if not moves_on or first:  # the customer's latest touch, or the only one of a short stage
        timeline.touch(name, until, *next(notes), user)


def _fresh(timeline: _Timeline) -> None:
    """The last hour: the few changes that post alerts when the sandbox starts."""
    minutes = 1 / (24 * 60)
    cancel = "Please cancel our subscription at the end of this month, we have found a cheaper option."
    timeline.feedback("Copperline Manufacturing", 50 * minutes, cancel, people.SUCCESS)
    won_t = "Call with their COO: they told us they won't renew."
    timeline.touch("Alderbrook Insurance", 40 * minutes, K.CALL, won_t, people.SUCCESS)
    again = "Second time this month the sync broke and we lost a morning of work. Very disappointed."
    timeline.feedback("Meridian Payroll", 30 * minutes, again, people.SUCCESS)
    live = FORWARD_REASONS[Stage.RETENTION]
    timeline.move(DEMO_FRESH_HANDOFF_CUSTOMER, 20 * minutes, Stage.RETENTION, people.SERVICES, live)
    timeline.move(DEMO_LOST_CUSTOMER, 25 * minutes, Stage.CHURNED, people.SUCCESS, DEMO_LOST_REASON)
    nearly = "Verbal yes from their CFO; contract out for signature."
    timeline.touch(DEMO_HANDOFF_CUSTOMER, 15 * minutes, K.CALL, nearly, people.SALES)


def is_seeded(session: Session) -> bool:
    """True when the sandbox workspace holds any of the demo's marked customers."""
    names = (DEMO_HANDOFF_CUSTOMER, *DEMO_AT_RISK_CUSTOMERS, *DEMO_WATCH_CUSTOMERS, *DEMO_NEWLY_LOYAL_CUSTOMERS)
    found = session.scalar(
        select(func.count())
        .select_from(Customer)
        .where(Customer.workspace_id == TEAM_ID, Customer.name_key.in_([name_key(name) for name in names]))
    )
    return bool(found)


def seed_demo(session_factory: sessionmaker[Session], *, now: datetime) -> None:
    """Seed the sandbox workspace with the demo in one transaction; a workspace seeded already is left alone."""
    with session_factory.begin() as session:
        if is_seeded(session):
            logger.info("The sandbox workspace holds the demo already: nothing seeded.")
            return
        _seed(session, now)


def _seed(session: Session, now: datetime) -> None:
    rng, manager = random.Random(DEMO_SEED), people.MANAGER
    started = now - timedelta(days=HISTORY_DAYS + 1)
    update_sla(session, workspace_id=TEAM_ID, change=SlaChange(timezone=TIMEZONE), actor=manager, now=started)
    set_currency(session, workspace_id=TEAM_ID, code=DEMO_CURRENCY, actor=manager, now=started)
    ids: dict[str, int] = {}
    history = _Timeline(now, ids)
    for story in _stories(now, rng):
        _plan(history, story, rng)
    history.play(session)
    # No channel is routed yet: the history's red flags are recorded as of now, without an alert each.
    routed = now - ROUTED_AGO
    refresh_in_session(session, workspace_id=TEAM_ID, now=routed - timedelta(minutes=1), force=True)
    for team, channel in people.TEAM_CHANNELS.items():
        set_route(
            session,
            workspace_id=TEAM_ID,
            team=Team(team),
            channel_id=channel,
            actor=manager,
            now=routed,
            announce=False,
        )
    fresh = _Timeline(now, ids)
    _fresh(fresh)
    fresh.play(session)
    check_slas(session, now=now)  # the handoff waiting for services is reminded and escalated now, not later
    refresh_in_session(session, workspace_id=TEAM_ID, now=now, force=True)
    weekly = ScheduleRequest("weekly", 0, time(9, 0), TIMEZONE, people.TEAM_CHANNELS["managers"], None)
    daily = ScheduleRequest("weekdays", None, time(8, 30), TIMEZONE, None, manager)
    for request in (weekly, daily):
        create_schedule(session, workspace_id=TEAM_ID, request=request, actor=manager, now=now)
