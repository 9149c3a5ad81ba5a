"""Cell values as CRMs export them: dates, amounts, stages, activity types and people.

Every parser raises BadValue with a reason fit for the import report ("bad date “31/01/2024”: …").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lifecycle.errors import UnknownKind, UnknownStage
from lifecycle.stages import Stage, parse_stage, stage_names
from lifecycle.touchpoints import TouchpointKind, kind_names, parse_kind

# Who owns or wrote an imported row when the file does not say (shown as such until someone reassigns it).
PLACEHOLDER_USER = "import"
MAX_USER_ID_LENGTH = 32  # the width of the user id columns
# Numeric(14, 2): twelve digits before the decimal point.
MAX_VALUE = Decimal(10) ** 12
EARLIEST_YEAR = 1900


class BadValue(ValueError):
    """A cell that cannot be read; `code` groups the report ("bad date"), the message says which cell and why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def compact(text: str) -> str:
    """Letters and digits only, case-folded: "Marketing Qualified Lead" and "marketingqualifiedlead" meet."""
    return "".join(character for character in text.casefold() if character.isalnum())


# --- Dates ---------------------------------------------------------------------------------------------
# ISO 8601 (and HubSpot's "2024-01-31 10:15") go through datetime.fromisoformat; these are the others.
_OTHER_FORMATS = (
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y, %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
)


def parse_moment(text: str, *, zone: tzinfo = UTC) -> datetime:
    """An aware UTC datetime from ISO dates and datetimes, HubSpot's and US dates; a time without zone is in `zone`."""
    cleaned = text.strip()
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        moment = _other_format(cleaned)
    if moment.year < EARLIEST_YEAR:
        raise BadValue("bad date", f"bad date “{cleaned}”: the year {moment.year} is too early")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC) if zone is UTC else moment.replace(tzinfo=zone).astimezone(UTC)
    return moment.astimezone(UTC)


def _other_format(cleaned: str) -> datetime:
    for layout in _OTHER_FORMATS:
        try:
            return datetime.strptime(cleaned, layout)
        except ValueError:
            continue
    raise BadValue(
        "bad date", f"bad date “{cleaned}”: use YYYY-MM-DD, YYYY-MM-DD HH:MM (optionally with a zone) or MM/DD/YYYY"
    )


def parse_day(text: str, *, zone: tzinfo = UTC) -> date:
    """A calendar date (renewals): the date as written, whatever its time of day or zone."""
    cleaned = text.strip()
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        moment = _other_format(cleaned)
    if moment.year < EARLIEST_YEAR:
        raise BadValue("bad date", f"bad date “{cleaned}”: the year {moment.year} is too early")
    return moment.date()


# --- Amounts -------------------------------------------------------------------------------------------
_MONEY = re.compile(
    r"(?P<before>[A-Za-z]{0,3}\s?[$€£¥]?)\s*(?P<sign>-?)\s*(?P<number>\d[\d.,'’\s]*?)\s*(?P<after>[$€£¥]?\s?[A-Za-z]{0,3})"
)
_GROUPED_COMMAS = re.compile(r"\d{1,3}(,\d{3})+")
_GROUPED_DOTS = re.compile(r"\d{1,3}(\.\d{3})+")


def parse_money(text: str) -> Decimal:
    """An amount as people and CRMs write it: "12,000", "$12,000.50", "12000 EUR", "12.000,50 €", "1'200"."""
    cleaned = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    found = _MONEY.fullmatch(cleaned)
    if found is None:
        raise BadValue("bad value", f"bad value “{cleaned}”: write an amount such as 12000, 12,000.50 or $12,000")
    number = re.sub(r"[\s'’]", "", found.group("number"))
    if found.group("sign"):
        raise BadValue("bad value", f"bad value “{cleaned}”: a customer's value can't be negative")
    amount = _decimal(number, cleaned)
    if amount >= MAX_VALUE:
        raise BadValue("bad value", f"bad value “{cleaned}”: at most 999,999,999,999.99")
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _decimal(number: str, shown: str) -> Decimal:
    """Read "12,000.50", "12.000,50", "12,5", "1.000.000": the last separator is decimal unless it groups thousands."""
    if "," in number and "." in number:
        decimal_mark = "," if number.rfind(",") > number.rfind(".") else "."
        grouping = "." if decimal_mark == "," else ","
        number = number.replace(grouping, "").replace(decimal_mark, ".")
    elif "," in number:
        # "12,000" groups thousands (the US and CRM exports); "12,5" is a decimal comma.
        number = number.replace(",", "") if _GROUPED_COMMAS.fullmatch(number) else number.replace(",", ".")
    elif number.count(".") > 1 and _GROUPED_DOTS.fullmatch(number):
        number = number.replace(".", "")
    try:
        return Decimal(number)
    except InvalidOperation:
        raise BadValue("bad value", f"bad value “{shown}”: write an amount such as 12000 or 12,000.50") from None


# --- Stages --------------------------------------------------------------------------------------------
# CRM stages in their compact form (see `compact`), beside our own stages and aliases (lifecycle.stages).
CRM_STAGES: Mapping[str, Stage] = {
    # HubSpot lifecycle stages (internal values and display labels compact alike).
    "subscriber": Stage.REACH,
    "lead": Stage.REACH,
    "other": Stage.REACH,
    "marketingqualifiedlead": Stage.ACQUISITION,
    "mql": Stage.ACQUISITION,
    "salesqualifiedlead": Stage.ACQUISITION,
    "sql": Stage.ACQUISITION,
    "opportunity": Stage.ACQUISITION,
    "customer": Stage.RETENTION,
    "evangelist": Stage.LOYALTY,
    # Salesforce account types.
    "prospect": Stage.ACQUISITION,
    "customerdirect": Stage.RETENTION,
    "customerchannel": Stage.RETENTION,
    "formercustomer": Stage.CHURNED,
    # Salesforce opportunity stages.
    "prospecting": Stage.REACH,
    "qualification": Stage.ACQUISITION,
    "needsanalysis": Stage.ACQUISITION,
    "valueproposition": Stage.ACQUISITION,
    "iddecisionmakers": Stage.ACQUISITION,
    "perceptionanalysis": Stage.ACQUISITION,
    "proposalpricequote": Stage.ACQUISITION,
    "negotiationreview": Stage.ACQUISITION,
    "closedwon": Stage.CONVERSION,
    "closedlost": Stage.CHURNED,
    # The words /stage also accepts.
    "onboarding": Stage.CONVERSION,
    "advocate": Stage.LOYALTY,
    "churn": Stage.CHURNED,
}


def parse_crm_stage(text: str) -> Stage:
    """Our stages and aliases, then HubSpot's lifecycle stages and Salesforce's types and stages; empty is reach."""
    if not text.strip():
        return Stage.REACH
    try:
        return parse_stage(text)
    except UnknownStage:
        pass
    found = CRM_STAGES.get(compact(text))
    if found is None:
        raise BadValue(
            "unknown stage",
            f"unknown stage “{text.strip()}”: use {stage_names()}, or a HubSpot lifecycle stage or Salesforce stage",
        )
    return found


# --- Activity types ------------------------------------------------------------------------------------
CRM_KINDS: Mapping[str, TouchpointKind] = {
    # HubSpot activity and engagement types.
    "incomingemail": TouchpointKind.EMAIL,
    "forwardedemail": TouchpointKind.EMAIL,
    "emailreply": TouchpointKind.EMAIL,
    "loggedemail": TouchpointKind.EMAIL,
    "sentemail": TouchpointKind.EMAIL,
    "linkedinmessage": TouchpointKind.CHAT,
    "sms": TouchpointKind.CHAT,
    "whatsapp": TouchpointKind.CHAT,
    "conversation": TouchpointKind.CHAT,
    "postalmail": TouchpointKind.NOTE,
    "task": TouchpointKind.NOTE,
    "notes": TouchpointKind.NOTE,
    # Salesforce task and event types and subtypes.
    "listemail": TouchpointKind.EMAIL,
    "event": TouchpointKind.MEETING,
    "case": TouchpointKind.TICKET,
    "other": TouchpointKind.NOTE,
    "cadence": TouchpointKind.NOTE,
    "linkedin": TouchpointKind.CHAT,
    # What people type.
    "phone": TouchpointKind.CALL,
    "phonecall": TouchpointKind.CALL,
    "loggedcall": TouchpointKind.CALL,
    "outboundcall": TouchpointKind.CALL,
    "inboundcall": TouchpointKind.CALL,
    "mail": TouchpointKind.EMAIL,
    "message": TouchpointKind.CHAT,
    "supportticket": TouchpointKind.TICKET,
    "nps": TouchpointKind.SURVEY,
    "csat": TouchpointKind.SURVEY,
}


def parse_crm_kind(text: str) -> TouchpointKind:
    """Our touchpoint kinds, then HubSpot and Salesforce activity types; an empty kind is a note."""
    if not text.strip():
        return TouchpointKind.NOTE
    try:
        return parse_kind(text)
    except UnknownKind:
        pass
    found = CRM_KINDS.get(compact(text))
    if found is None:
        found = CRM_KINDS.get(compact(text).removesuffix("s"))  # "Calls", "Meetings"
    if found is None:
        try:
            return parse_kind(compact(text).removesuffix("s"))
        except UnknownKind:
            raise BadValue("unknown kind", f"unknown kind “{text.strip()}”: use {kind_names()}") from None
    return found


# --- People --------------------------------------------------------------------------------------------
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


def is_slack_user_id(text: str) -> bool:
    """True for a Slack user id (U…, or W… on Enterprise Grid)."""
    return _SLACK_USER_ID.fullmatch(text) is not None


def is_email(text: str) -> bool:
    """True for something shaped like an email address."""
    return _EMAIL.fullmatch(text) is not None
