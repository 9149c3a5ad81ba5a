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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox import people
from lifecycle.activity import log_touchpoint, move_stage, record_feedback
from lifecycle.business_time import BusinessCalendar
from lifecycle.customers import add_customer
from lifecycle.handoffs import accept_handoff, pending_handoff
from lifecycle.health import RedFlag
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

DEMO_SEED = 20261123
TEAM_ID = people.TEAM_ID
TIMEZONE = "Europe/London"
HISTORY_DAYS = 180.0  # the team adopted the bot then, adding the customers it had
JOURNEY_DAYS = 70.0  # a customer already in a stage this long ago was added in that stage
ROUTED_AGO = timedelta(minutes=55)  # the manager routes the channels just before the fresh events

DEMO_HANDOFF_CUSTOMER = "Brightwater Analytics"
"""In acquisition, owned by the sales rep, touched today: `/stage "…" conversion signed` hands it to services."""
DEMO_RED_FLAGS: Mapping[str, RedFlag] = {
    "Harborview Clinics": RedFlag.LEAVING_INTENT,  # "decided not to renew", in feedback
    "Copperline Manufacturing": RedFlag.LEAVING_INTENT,  # a cancellation request, fresh: alerts #success
    "Alderbrook Insurance": RedFlag.LEAVING_INTENT,  # a rep's note "they won't renew", fresh: alerts #success
    "Pinecrest Hotels": RedFlag.LOYALTY_BACKSLIDE,  # back from loyalty: "we barely use it anymore"
    "Meridian Payroll": RedFlag.REPEATED_NEGATIVE,  # a second angry complaint, fresh: alerts #success
    "Quarry Lane Foods": RedFlag.SILENCE,  # nobody in touch for two months, in retention
    "Silverleaf Architects": RedFlag.UNOWNED_HANDOFF,  # nobody in services accepted it for two business days
    "Tidewater Robotics": RedFlag.STUCK_ONBOARDING,  # seven weeks in onboarding and quiet
}
"""The customers the demo puts at risk, each with the red flag named first."""
DEMO_AT_RISK_CUSTOMERS: tuple[str, ...] = tuple(DEMO_RED_FLAGS)
DEMO_WATCH_CUSTOMERS = ("Foxglove Media", "Bluebell Learning", "Orchard Street Bakeries", "Greywell Partners")
DEMO_NEWLY_LOYAL_CUSTOMERS = ("Northgate Opticians", "Summerhill Pharmacy", "Thistledown Travel")
DEMO_LOYALTY_CANDIDATES = ("Lakeshore Veterinary", "Everly Studio")
DEMO_LATE_HANDOFF_CUSTOMER = "Silverleaf Architects"  # waiting for services, reminded and escalated
DEMO_FRESH_HANDOFF_CUSTOMER = "Kingsmere Health"  # handed to customer success in the last hour

TEAM_USER: Mapping[Team, str] = {Team.SALES: people.SALES, Team.SERVICES: people.SERVICES, Team.SUCCESS: people.SUCCESS}
# Days between two touchpoints of the history: sparser than the product's cadences (only the latest touch
# counts for health), so six months seed in a few hundred changes.
SPACING: Mapping[Stage, tuple[float, float]] = {Stage.REACH: (25, 35), Stage.ACQUISITION: (14, 20),
    Stage.CONVERSION: (12, 18), Stage.RETENTION: (50, 75), Stage.LOYALTY: (60, 90)}  # fmt: skip
# Days a customer typically spends in a stage on its way to the next one.
STAY: Mapping[Stage, tuple[float, float]] = {Stage.REACH: (10, 35), Stage.ACQUISITION: (14, 35),
    Stage.CONVERSION: (12, 26), Stage.RETENTION: (60, 110), Stage.LOYALTY: (60, 120)}  # fmt: skip
# For customers without a story: (days in their stage, days since the last touch), drawn in these ranges.
CALM: Mapping[Stage, tuple[tuple[float, float], tuple[float, float]]] = {Stage.REACH: ((4, 40), (1, 12)),
    Stage.ACQUISITION: ((4, 30), (1, 4)), Stage.CONVERSION: ((4, 20), (1, 4)), Stage.RETENTION: ((25, 130), (1, 9)),
    Stage.LOYALTY: ((15, 80), (2, 18))}  # fmt: skip
NOTES: Mapping[Stage, tuple[tuple[K, str], ...]] = {
    Stage.REACH: (
        (K.EMAIL, "Intro email after the webinar; asked who owns reporting today."),
        (K.CALL, "Cold call: reached the ops lead, sending a one-pager."),
        (K.NOTE, "Met at the regional meetup; interested in handoff tracking."),
        (K.EMAIL, "Follow-up with the case study from a similar firm."),
    ),
    Stage.ACQUISITION: (
        (K.DEMO, "Demo for the ops team; questions about SSO and data export."),
        (K.CALL, "Pricing call with finance; they prefer annual billing."),
        (K.EMAIL, "Sent the security questionnaire back."),
        (K.MEETING, "Trial workspace set up for five users."),
        (K.CALL, "Champion confirmed budget; legal is reviewing the MSA."),
    ),
    Stage.CONVERSION: (
        (K.MEETING, "Kick-off: goals, timeline and admins agreed."),
        (K.CALL, "Data import done; two fields still need mapping."),
        (K.MEETING, "Admin training for six people."),
        (K.CHAT, "SSO configured with their IT team."),
        (K.TICKET, "CSV import fails on dates; workaround sent."),
    ),
    Stage.RETENTION: (
        (K.CALL, "Monthly check-in; usage steady across teams."),
        (K.MEETING, "QBR: reviewed adoption, agreed two goals for next quarter."),
        (K.TICKET, "Question about report filters, solved the same day."),
        (K.SURVEY, "NPS survey answered: 9."),
        (K.EMAIL, "Shared the release notes with their admin."),
    ),
    Stage.LOYALTY: (
        (K.MEETING, "Quarterly business review; rolling out to a second office."),
        (K.CALL, "Recorded a case study interview."),
        (K.MEETING, "Joined the customer advisory board session."),
        (K.EMAIL, "Beta feedback on the forecasting module."),
    ),
}
PRAISE = (
    "The new dashboards are great, the team loves them.", "Really happy with the support this quarter.",
    "Quick answers from support, appreciated.", "The weekly summary email is really useful for our managers.",
    "Solid quarter, no complaints.", "Love the new forecasting view.",
    "Good product, support could reply a bit faster.", "We mostly use the reporting module.",
)  # fmt: skip
GRUMBLES = ("The app is slow on Monday mornings.", "The invoice layout is confusing.")
REPEAT_BUSINESS = ((K.RENEWAL, "Renewed for another year."), (K.PURCHASE, "Added 15 seats for the new region."),
                   (K.REFERRAL, "Referred us to a peer at a partner firm."))  # fmt: skip
FORWARD_REASONS: Mapping[Stage, str] = {Stage.ACQUISITION: "Qualified: budget and a champion",
    Stage.CONVERSION: "Signed", Stage.RETENTION: "Onboarding complete, live",
    Stage.LOYALTY: "Renewed early and referring others"}  # fmt: skip
FB = None  # in a story's words: feedback, not a touchpoint


@dataclass(frozen=True)
class _Story:
    """One demo customer: where it is now, since when, and the words that tell its story."""

    name: str
    stage: Stage
    in_stage: float  # days since it entered `stage`
    quiet: float  # days since its last routine touchpoint
    came_from: Stage | None = None  # the stage before, when not the funnel's previous one (churn, a slide back)
    reason: str | None = None  # of the last move
    pending: bool = False  # nobody accepted its last handoff
    said: tuple[tuple[float, K | None, str], ...] = ()  # (days ago, touchpoint kind or FB, words)
    repeat_business: int = 0  # renewals, purchases and referrals in its current stage


def _stories(now: datetime, rng: random.Random) -> list[_Story]:
    """The customers with a story to tell, then the calm ones, with times drawn from the seeded generator."""
    late = _business_days_ago(now, 2)
    told = [
        _Story(DEMO_HANDOFF_CUSTOMER, Stage.ACQUISITION, 24, 2,
               said=((1.2, K.DEMO, "Final demo for the CFO; they loved the forecasting view."),)),
        _Story("Harborview Clinics", Stage.RETENTION, 95, 8,
               said=((6, FB, "We've decided not to renew when our contract ends in March."),)),
        _Story("Copperline Manufacturing", Stage.RETENTION, 120, 6),
        _Story("Alderbrook Insurance", Stage.RETENTION, 70, 11),
        _Story("Pinecrest Hotels", Stage.RETENTION, 18, 9, Stage.LOYALTY, "Usage dropped after their reorg",
               said=((12, FB, "Honestly, we barely use it anymore since the reorg."),)),
        _Story("Meridian Payroll", Stage.RETENTION, 85, 3, said=(
            (9, FB, "The export failed again and nobody from support answered for three days. Really frustrating."),
            (8, K.CALL, "Apologised; escalated the export bug to engineering."))),
        _Story("Quarry Lane Foods", Stage.RETENTION, 100, 61),
        _Story(DEMO_LATE_HANDOFF_CUSTOMER, Stage.CONVERSION, late, late - 0.02, pending=True),
        _Story("Tidewater Robotics", Stage.CONVERSION, 50, 10),
        _Story("Foxglove Media", Stage.RETENTION, 75, 24,
               said=((10, FB, "The invoice layout is confusing and finance keeps asking us about it."),)),
        _Story("Bluebell Learning", Stage.ACQUISITION, 62, 13),
        _Story("Orchard Street Bakeries", Stage.LOYALTY, 70, 45, said=((20, FB, GRUMBLES[0]),)),
        _Story("Greywell Partners", Stage.CONVERSION, 38, 10, said=((6, FB, "The invoice layout is confusing."),)),
        _Story("Northgate Opticians", Stage.LOYALTY, 1, 1, repeat_business=1),
        _Story("Summerhill Pharmacy", Stage.LOYALTY, 3, 3, repeat_business=1),
        _Story("Thistledown Travel", Stage.LOYALTY, 6, 2, repeat_business=1),
        _Story("Lakeshore Veterinary", Stage.RETENTION, 120, 4, repeat_business=2,
               said=((15, FB, "Happy to be a reference customer."),)),
        _Story("Everly Studio", Stage.RETENTION, 95, 6, repeat_business=2,
               said=((20, FB, "Training was excellent, everyone is on board now."),)),
        _Story(DEMO_FRESH_HANDOFF_CUSTOMER, Stage.CONVERSION, 24, 2),  # its handoff is one of the fresh events
        _Story("Redfern Outdoor", Stage.CHURNED, 25, 0, Stage.ACQUISITION, "Went with another vendor"),
        _Story("Stonebridge Legal", Stage.CHURNED, 50, 0, Stage.REACH, "No budget this year"),
        _Story("Oakhurst Retail", Stage.CHURNED, 40, 0, Stage.RETENTION, "Moved to a competitor after their merger",
               said=((55, FB, "After the merger we are switching to another vendor."),)),
        _Story("Brackenfield Schools", Stage.CHURNED, 12, 0, Stage.RETENTION, "Budget cut; contract not renewed"),
        _Story("Ashgrove Labs", Stage.CHURNED, 5, 0, Stage.CONVERSION, "Project cancelled after their acquisition"),
    ]  # fmt: skip
    calm = {
        Stage.REACH: ("Amberfield Dental", "Birchway Logistics", "Cobalt Ridge Energy", "Driftwood Hospitality",
                      "Elmstead Architects", "Fernhill Nurseries", "Glenmore Insurance Brokers",
                      "Hollowell Engineering", "Ironbark Construction", "Juniper Creek Wines"),
        Stage.ACQUISITION: ("Larkspur Clinics", "Maplestone Property", "Nettlebed Media", "Osterley Freight",
                            "Pebblebrook Schools", "Quayside Marine", "Rowan & Finch Legal", "Saltmarsh Studios"),
        Stage.CONVERSION: ("Upland Coffee Roasters", "Vesper Biotech", "Wrenfield Accounting", "Yarrow Home Care"),
        Stage.RETENTION: ("Ashcombe Packaging", "Beaconsfield Gyms", "Cedarline Software", "Dunmore Farms",
                          "Fairhaven Realty", "Gladstone Printing", "Hartwell Consulting"),
        Stage.LOYALTY: ("Westbury Flooring", "Kestrel Freight", "Larchmont Accountants", "Millbrook Brewing",
                        "Primrose Florists"),
    }  # fmt: skip
    for stage, names in calm.items():
        (low, high), (near, far) = CALM[stage]
        for name in names:
            in_stage = round(rng.uniform(low, high), 2)
            quiet = min(round(rng.uniform(near, far), 2), in_stage)
            told.append(_Story(name, stage, in_stage, quiet, repeat_business=rng.choice((0, 0, 1))))
    told.append(_Story("Marigold Events", Stage.CHURNED, 30, 0, Stage.REACH, "Went quiet after two calls"))
    return told


def _business_days_ago(now: datetime, days: int) -> float:
    """How many days back `days` business days (of the workspace's calendar) began, to the hour."""
    calendar, hours = BusinessCalendar(timezone=TIMEZONE), 0
    while calendar.business_hours_between(now - timedelta(hours=hours), now) < 8 * days + 0.5:
        hours += 1
    return hours / 24


Action = Callable[[Session, datetime], object]


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

    def accept(self, name: str, days_ago: float, user: str) -> None:
        """Someone of the receiving team accepts the customer's open handoff, if its move opened one."""

        def accept(session: Session, at: datetime) -> None:
            handoff = pending_handoff(session, self.ids[name])
            if handoff is not None:  # today a churn opens one too; a lost deal is closed by taking it
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
