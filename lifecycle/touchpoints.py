"""Touchpoint kinds."""

from __future__ import annotations

from enum import StrEnum

from lifecycle.errors import UnknownKind


class TouchpointKind(StrEnum):
    """What kind of contact a touchpoint records."""

    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    DEMO = "demo"
    CHAT = "chat"
    TICKET = "ticket"
    NOTE = "note"
    PURCHASE = "purchase"
    RENEWAL = "renewal"
    REFERRAL = "referral"
    SURVEY = "survey"


# Repeat business: what loyalty suggestions count (kept per customer as Customer.loyalty_events).
LOYALTY_EVENTS = frozenset({TouchpointKind.PURCHASE, TouchpointKind.RENEWAL, TouchpointKind.REFERRAL})


def kind_names() -> str:
    """The kinds as a user-facing list."""
    return ", ".join(kind.value for kind in TouchpointKind)


def parse_kind(text: str) -> TouchpointKind:
    """Turn a kind name, in any case, into a TouchpointKind."""
    key = text.strip().casefold()
    if key in TouchpointKind._value2member_map_:
        return TouchpointKind(key)
    raise UnknownKind(f"“{text}” is not a touchpoint kind.", hint=f"Kinds: {kind_names()}.")


def looks_like_kind(text: str) -> bool:
    """True when the text names a touchpoint kind."""
    return text.strip().casefold() in TouchpointKind._value2member_map_
