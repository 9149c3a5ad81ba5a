"""The columns of each CSV file, and the HubSpot and Salesforce headers recognised as each of them.

Headers are compared in their compact form (letters and digits, case-folded), so "Create Date", "create_date",
"CreatedDate" and "Created Date" all meet their alias. Where a file has several headers for one column, the
earlier alias in the list wins (our own name first, then the CRM's closest one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from lifecycle.errors import InvalidInput
from lifecycle.transfer.values import compact


class FileKind(StrEnum):
    """Which file: what its rows become."""

    CUSTOMERS = "customers"
    TOUCHPOINTS = "touchpoints"
    FEEDBACK = "feedback"


@dataclass(frozen=True)
class Column:
    """One column of a file: its name (as export writes it), whether a file must have it, and its aliases."""

    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    exported: bool = True  # False for columns only read (a CRM's subject line, folded into the note)


_CUSTOMER_NAMES = ("customer", "customer name", "company name", "account name", "company", "account")
_ACTIVITY_CUSTOMER = (
    "customer name",
    "company name",
    "account name",
    "associated company",
    "associated companies",
    "company",
    "account",
    "company / account",
    "related to",
    "what name",
    "organization",
)

COLUMNS: dict[FileKind, tuple[Column, ...]] = {
    FileKind.CUSTOMERS: (
        Column("name", required=True, aliases=(*_CUSTOMER_NAMES, "organization", "organisation")),
        Column("stage", aliases=("lifecycle stage", "customer stage", "account type", "type", "opportunity stage")),
        Column(
            "owner",
            aliases=(
                "owner email",
                "company owner",
                "account owner",
                "contact owner",
                "hubspot owner",
                "deal owner",
                "opportunity owner",
                "owner id",
            ),
        ),
        Column("stage_entered_at", aliases=("stage entered", "in stage since", "stage since", "stage changed at")),
        Column("created_at", aliases=("create date", "created date", "created", "creation date", "date created")),
        Column(
            "value",
            aliases=(
                "annual value",
                "contract value",
                "annual contract value",
                "acv",
                "arr",
                "annual revenue",
                "amount",
                "deal value",
            ),
        ),
        # Not "Close Date": on a HubSpot company it is when the customer was won, not when it renews.
        Column("renewal_date", aliases=("renewal", "next renewal date", "contract end date", "contract renewal date")),
    ),
    FileKind.TOUCHPOINTS: (
        Column("customer", required=True, aliases=_ACTIVITY_CUSTOMER),
        Column(
            "kind",
            aliases=("activity type", "engagement type", "type", "task type", "task subtype", "subtype", "activity"),
        ),
        Column(
            "note",
            aliases=(
                "notes",
                "note body",
                "body",
                "body preview",
                "call notes",
                "activity note",
                "email body",
                "meeting description",
                "description",
                "full comments",
                "comments",
                "details",
            ),
        ),
        Column(
            "occurred_at",
            required=True,
            aliases=(
                "activity date",
                "date",
                "timestamp",
                "completed date",
                "start date",
                "start time",
                "due date",
                "created date",
                "create date",
                "created at",
            ),
        ),
        Column(
            "author",
            aliases=(
                "created by",
                "activity assigned to",
                "assigned to",
                "assigned",
                "activity owner",
                "owner",
                "hubspot owner",
                "logged by",
                "user",
            ),
        ),
        Column(
            "subject",
            aliases=("title", "call title", "email subject", "meeting name", "activity subject"),
            exported=False,
        ),
    ),
    FileKind.FEEDBACK: (
        Column("customer", required=True, aliases=_ACTIVITY_CUSTOMER),
        Column(
            "text",
            required=True,
            aliases=("feedback", "comment", "comments", "response", "body", "message", "note", "notes", "answer"),
        ),
        Column(
            "created_at",
            required=True,
            aliases=(
                "date",
                "submitted at",
                "submitted",
                "submission date",
                "created date",
                "create date",
                "timestamp",
                "response date",
            ),
        ),
        Column("author", aliases=("created by", "recorded by", "owner", "logged by", "user")),
    ),
}


def export_header(kind: FileKind) -> list[str]:
    """The header export writes (our own column names, in order)."""
    return [column.name for column in COLUMNS[kind] if column.exported]


@dataclass(frozen=True)
class Layout:
    """Where each of our columns is in a file's rows (None: not there), and the headers nobody reads."""

    kind: FileKind
    positions: dict[str, int | None]
    ignored: tuple[str, ...]
    width: int

    def position(self, name: str) -> int | None:
        """The index of a column in each row, or None when the file does not have it."""
        return self.positions[name]


class MissingColumn(InvalidInput):
    """A file without a column it cannot do without."""


def read_header(kind: FileKind, header: Sequence[str]) -> Layout:
    """Match a file's header to our columns; raise MissingColumn naming what is missing and what was looked for."""
    by_compact: dict[str, int] = {}
    for index, title in enumerate(header):
        by_compact.setdefault(compact(title), index)
    positions: dict[str, int | None] = {}
    used: set[int] = set()
    for column in COLUMNS[kind]:
        found = next(
            (
                by_compact[key]
                for key in map(compact, (column.name, *column.aliases))
                if key in by_compact and by_compact[key] not in used
            ),
            None,
        )
        if found is None and column.required:
            looked_for = ", ".join(f"“{name}”" for name in (column.name, *column.aliases[:4]))
            raise MissingColumn(
                f"The {kind.value} file has no {column.name} column.",
                hint=f"Looked for {looked_for}… (case and spaces do not matter). The header was: {', '.join(header)}",
            )
        if found is not None:
            used.add(found)
        positions[column.name] = found
    ignored = tuple(title for index, title in enumerate(header) if index not in used and title.strip())
    return Layout(kind=kind, positions=positions, ignored=ignored, width=len(header))
