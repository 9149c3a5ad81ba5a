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


# What reps write instead of the kind's name: "acme called about the renewal", "met initech", plurals.
KIND_WORDS: dict[str, TouchpointKind] = {
    **{kind.value: kind for kind in TouchpointKind},
    **{f"{kind.value}s": kind for kind in TouchpointKind},
    "called": TouchpointKind.CALL,
    "phoned": TouchpointKind.CALL,
    "emailed": TouchpointKind.EMAIL,
    "e-mail": TouchpointKind.EMAIL,
    "mail": TouchpointKind.EMAIL,
    "met": TouchpointKind.MEETING,
    "demoed": TouchpointKind.DEMO,
    "chatted": TouchpointKind.CHAT,
    "renewed": TouchpointKind.RENEWAL,
    "purchased": TouchpointKind.PURCHASE,
    "bought": TouchpointKind.PURCHASE,
    "referred": TouchpointKind.REFERRAL,
}
# Kinds said with a verb: the verb stays in the note, where it reads as the rep wrote it ("called them about…").
VERB_KINDS = frozenset(word for word in KIND_WORDS if word.endswith("ed") or word in ("met", "bought"))


def parse_kind(text: str) -> TouchpointKind:
    """Turn a kind name (or what reps write for it: "called", "emails"), in any case, into a TouchpointKind."""
    key = text.strip().casefold()
    if key in KIND_WORDS:
        return KIND_WORDS[key]
    raise UnknownKind(f"“{text}” is not a touchpoint kind.", hint=f"Kinds: {kind_names()}.")


def looks_like_kind(text: str) -> bool:
    """True when the text names a touchpoint kind."""
    return text.strip().casefold() in KIND_WORDS
