"""The requests slash commands parse into: plain values, one class per thing a user can ask for.

Customer requests can be held while the user picks a customer ("did you mean"); they are stored as JSON with a
stable tag per type (not the class name, so renaming a class never breaks a held command).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar, get_args

from lifecycle.errors import InvalidInput
from lifecycle.schedules import ScheduleRequest
from lifecycle.sla import SlaChange
from lifecycle.stages import Stage, Team
from lifecycle.touchpoints import TouchpointKind

# --- requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddCustomer:
    """/customer add "<name>" [stage] [@owner]"""

    name: str
    stage: Stage = Stage.REACH
    owner: str | None = None
    # "Create anyway": the user saw the existing customer the name folds to (or looks like) and wants a new one.
    confirmed: bool = False


@dataclass(frozen=True)
class ShowCustomer:
    """/customer "<name>" """

    TAG: ClassVar[str] = "show_customer"
    customer: str | int


@dataclass(frozen=True)
class ListCustomers:
    """/customer list [stage|mine]"""

    stage: Stage | None = None
    mine: bool = False


@dataclass(frozen=True)
class LogTouch:
    """/touch "<name>" <kind> [when] [note]"""

    TAG: ClassVar[str] = "touch"
    customer: str | int
    kind: TouchpointKind
    note: str = ""
    when: str | None = None  # lifecycle.dates.When.text: "yesterday", "friday", "3d ago", "2026-11-02"
    # The unquoted name and what follows it, so another reading (a shorter name that exists) can win.
    whole: str | None = field(default=None, compare=False)
    message_author: str | None = None  # logged from a Slack message: who wrote it, and a link to it
    permalink: str | None = None


@dataclass(frozen=True)
class MoveStage:
    """/stage "<name>" <stage> [reason]"""

    TAG: ClassVar[str] = "stage"
    customer: str | int
    stage: Stage
    reason: str = ""
    whole: str | None = field(default=None, compare=False)  # as LogTouch.whole


@dataclass(frozen=True)
class RecordFeedback:
    """/feedback "<name>" <text>"""

    TAG: ClassVar[str] = "feedback"
    customer: str | int
    text: str
    # The whole unquoted line, so a known multi-word name ("Acme Corp hates…") can win over its first word.
    whole: str | None = None
    message_author: str | None = None  # recorded from a Slack message: who wrote it, and a link to it
    permalink: str | None = None


@dataclass(frozen=True)
class ExportCustomer:
    """/customer export "<name>": the whole record as a JSON file in a DM."""

    customer: str | int


@dataclass(frozen=True)
class EraseCustomer:
    """/customer erase "<name>": admins only, behind a confirmation button."""

    customer: str | int


# --- fixing mistakes and facts on the record (/customer rename|merge|owner|archive|restore|set) -------------------


@dataclass(frozen=True)
class RenameCustomer:
    """/customer rename "<old>" "<new>" """

    customer: str | int
    new_name: str


@dataclass(frozen=True)
class MergeCustomers:
    """/customer merge "<duplicate>" into "<keep>": asks first (a button), then moves everything to the kept one."""

    duplicate: str | int
    keep: str | int


@dataclass(frozen=True)
class SetOwner:
    """/customer owner "<name>" @user"""

    customer: str | int
    owner: str


@dataclass(frozen=True)
class ArchiveCustomer:
    """/customer archive "<name>" (restore=False) and /customer restore "<name>" (restore=True)."""

    customer: str | int
    restore: bool = False


@dataclass(frozen=True)
class SetCustomerFact:
    """/customer set "<name>" value <amount> | renewal <YYYY-MM-DD>; None clears it ("none", "-")."""

    customer: str | int
    fact: str  # "value" or "renewal"
    value: Decimal | date | None
    currency: str | None = None  # as typed with the amount ("EUR", "€"); must be the workspace's


EditRequest = RenameCustomer | MergeCustomers | SetOwner | ArchiveCustomer | SetCustomerFact


@dataclass(frozen=True)
class OpenModal:
    """A command typed without arguments: open its form."""

    command: str


@dataclass(frozen=True)
class ShowHelp:
    """Help for one command or for everything."""

    command: str | None = None


@dataclass(frozen=True)
class SetRoute:
    """/lifecycle route <team> <#channel>"""

    team: Team
    channel_id: str


@dataclass(frozen=True)
class ShowRoutes:
    """/lifecycle routes"""


@dataclass(frozen=True)
class ShowSla:
    """/lifecycle sla"""


@dataclass(frozen=True)
class ShowAtRisk:
    """/lifecycle at-risk, /customer list at-risk"""


@dataclass(frozen=True)
class ShowWatch:
    """/lifecycle watch, /customer list watch"""


@dataclass(frozen=True)
class ShowLoyal:
    """/lifecycle loyal"""


@dataclass(frozen=True)
class ShowFunnel:
    """/lifecycle funnel"""


@dataclass(frozen=True)
class DigestNow:
    """/lifecycle digest now [#channel]"""

    channel_id: str | None = None


@dataclass(frozen=True)
class ScheduleDigest:
    """/lifecycle digest schedule <daily|weekdays|weekly <day>> <HH:MM> [time zone] [#channel|me]"""

    request: ScheduleRequest


@dataclass(frozen=True)
class ListDigests:
    """/lifecycle digest list"""


@dataclass(frozen=True)
class CancelDigest:
    """/lifecycle digest cancel <id>"""

    schedule_id: int


@dataclass(frozen=True)
class ShowHealthSettings:
    """/lifecycle health"""


@dataclass(frozen=True)
class SetHealthSetting:
    """/lifecycle health set <key> <value>"""

    key: str
    value: str


@dataclass(frozen=True)
class SetSla:
    """/lifecycle sla [4h] [09:00-17:00] [mon-fri] [Europe/Berlin], in any order"""

    change: SlaChange


@dataclass(frozen=True)
class ShowRoles:
    """/lifecycle admins, /lifecycle team [<team>]: who holds a role (None: every team)."""

    role: str | None


@dataclass(frozen=True)
class ChangeRoles:
    """/lifecycle admins add|remove @user…, /lifecycle team <team> add|remove @user…"""

    role: str
    add: bool
    users: tuple[str, ...]


@dataclass(frozen=True)
class SetCurrency:
    """/lifecycle currency <ISO code>: the currency customer values are in (admins)."""

    code: str


@dataclass(frozen=True)
class ShowAudit:
    """/lifecycle audit ["<name>"|settings]: who changed what, newest first."""

    scope: str  # "all", "settings" or "customer"
    customer: str | int | None = None
    before_id: int | None = None  # paging: entries older than this id


CustomerRequest = ShowCustomer | LogTouch | MoveStage | RecordFeedback
REQUEST_TYPES: dict[str, type[CustomerRequest]] = {cls.TAG: cls for cls in get_args(CustomerRequest)}
# Held before the tags existed, a request was stored under its class name: still understood.
_LEGACY_TAGS = {cls.__name__: cls.TAG for cls in get_args(CustomerRequest)}
_ENUM_FIELDS: dict[str, type[StrEnum]] = {"stage": Stage, "kind": TouchpointKind}


def request_to_arguments(request: CustomerRequest) -> dict[str, Any]:
    """A JSON-safe form of a customer request, to hold it while the user picks a customer."""
    values = {field.name: getattr(request, field.name) for field in fields(request)}
    return {"type": request.TAG, **{k: (str(v) if isinstance(v, StrEnum) else v) for k, v in values.items()}}


def request_from_arguments(arguments: dict[str, Any], *, customer_id: int) -> CustomerRequest:
    """Rebuild a held request, now pointing at the customer the user picked."""
    values = dict(arguments)
    tag = str(values.pop("type", ""))
    cls = REQUEST_TYPES.get(_LEGACY_TAGS.get(tag, tag))
    if cls is None:
        raise InvalidInput("That button no longer works. Please run the command again.")
    for name, enum_type in _ENUM_FIELDS.items():
        if values.get(name) is not None:
            values[name] = enum_type(values[name])
    values["customer"] = customer_id
    return cls(**values)


LifecycleRequest = (
    ShowHelp
    | SetRoute
    | ShowRoutes
    | ShowSla
    | SetSla
    | ShowAtRisk
    | ShowWatch
    | ShowLoyal
    | ShowFunnel
    | ShowHealthSettings
    | SetHealthSetting
    | DigestNow
    | ScheduleDigest
    | ListDigests
    | CancelDigest
    | ShowRoles
    | ChangeRoles
    | ShowAudit
    | SetCurrency
)
