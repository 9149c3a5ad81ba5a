"""The demo's cast: the customers `lifecycle-bot sandbox --demo` tells the story of, and what each one lived."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.sandbox import people
from lifecycle.business_time import BusinessCalendar
from lifecycle.health import RedFlag
from lifecycle.stages import Stage, Team
from lifecycle.touchpoints import TouchpointKind as K

TIMEZONE = "Europe/London"

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
DEMO_CURRENCY = "USD"
DEMO_RENEWING_CUSTOMER = "Alderbrook Insurance"  # at risk ("they won't renew") and renewing within weeks: red flag
DEMO_RENEWS_IN_DAYS = 23
DEMO_LOST_CUSTOMER = "Hazelmere Dental"  # churned in the last hour, after the purchase: the customer-lost notice
DEMO_LOST_REASON = "went with a competitor: half the price per seat"
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
ANNUAL_VALUES = (6_000, 8_400, 12_000, 15_000, 18_000, 24_000, 30_000, 36_000, 48_000, 60_000, 84_000, 120_000)
JOURNEY_DAYS = 70.0  # a customer already in a stage this long ago was added in that stage (demo.py seeds so)


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
    # Last, so its history draws nothing the others' did; demo.py churns it among the fresh events.
    told.append(_Story(DEMO_LOST_CUSTOMER, Stage.RETENTION, 140, 9))
    return told


def annual_value(name: str, stage: Stage) -> int | None:
    """What a customer is worth a year (a prospect: its deal); none yet for one only just reached."""
    if stage == Stage.REACH:
        return None
    # Drawn from the name, not the demo's generator, so the history's dates stay as they were without values.
    return random.Random(f"value:{name}").choice(ANNUAL_VALUES)


def renews_in(name: str, signed_days_ago: float) -> int:
    """Days until a paying customer's renewal: a year after signing, or (signed before the history) any day."""
    if name == DEMO_RENEWING_CUSTOMER:
        return DEMO_RENEWS_IN_DAYS
    if signed_days_ago < JOURNEY_DAYS:
        return round(365 - signed_days_ago)
    # Well past the 60-day warning, so only the customer above carries the renewal flag.
    return random.Random(f"renewal:{name}").randint(75, 340)


def _business_days_ago(now: datetime, days: int) -> float:
    """How many days back `days` business days (of the workspace's calendar) began, to the hour."""
    calendar, hours = BusinessCalendar(timezone=TIMEZONE), 0
    while calendar.business_hours_between(now - timedelta(hours=hours), now) < 8 * days + 0.5:
        hours += 1
    return hours / 24
