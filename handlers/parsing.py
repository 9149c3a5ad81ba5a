"""Parsing slash-command text into plain request values (no Slack calls, no database)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from typing import Any

from handlers.requests import (
    AddCustomer,
    CancelDigest,
    DigestNow,
    LifecycleRequest,
    ListCustomers,
    ListDigests,
    LogTouch,
    MoveStage,
    OpenModal,
    RecordFeedback,
    ScheduleDigest,
    SetHealthSetting,
    SetRoute,
    SetSla,
    ShowAtRisk,
    ShowCustomer,
    ShowFunnel,
    ShowHealthSettings,
    ShowHelp,
    ShowLoyal,
    ShowRoutes,
    ShowSla,
    ShowWatch,
)
from handlers.slack_text import parse_channel_mention, parse_user_mention, to_plain_text, unescape_entities
from lifecycle.business_time import parse_hours, parse_timezone, parse_weekdays
from lifecycle.errors import InvalidInput
from lifecycle.schedules import FREQUENCIES, ScheduleRequest, parse_weekday
from lifecycle.sla import SlaChange
from lifecycle.stages import Stage, looks_like_stage, parse_stage, parse_team
from lifecycle.touchpoints import looks_like_kind, parse_kind

# macOS and iOS turn " into smart quotes (and ' into ‘…’; a straight ' stays an apostrophe, as in O'Brien).
OPENING_QUOTES = {'"': '"', "“": "”", "„": "“", "”": "”", "‘": "’"}


class UsageError(InvalidInput):
    """Input that does not fit the command's syntax; the reply shows the syntax and an example."""

    def __init__(self, message: str, *, command: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.command = command


@dataclass(frozen=True)
class Token:
    """One word of command text, with its position so the rest of the line can be kept verbatim."""

    raw: str
    value: str
    quoted: bool
    start: int
    end: int


def tokenize(text: str, *, command: str, structured: int = 1) -> list[Token]:
    """Split on whitespace, honouring "double" or “smart” quotes and keeping <…> markup whole.

    An unclosed quote among the first `structured` tokens (the name…) is an error; later it is free text.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] in OPENING_QUOTES:
            closing = OPENING_QUOTES[text[i]]
            end = next((j for j in range(i + 1, n) if text[j] in (closing, '"', "”")), -1)
            if end != -1:
                value = unescape_entities(text[i + 1 : end]).strip()
                tokens.append(Token(text[start : end + 1], value, True, start, end + 1))
                i = end + 1
                continue
            if len(tokens) < structured:
                raise UsageError(
                    f"There is an opening quote without a closing one: {text[start : start + 40]}",
                    command=command,
                    hint='Put names with spaces in a pair of quotes, like "Acme Corp".',
                )
            # A stray quote after the name belongs to free text (a note, a reason): read it as a plain word.
        while i < n and not text[i].isspace():
            if text[i] == "<":
                close = text.find(">", i)
                i = close + 1 if close != -1 else i + 1
            else:
                i += 1
        raw = text[start:i]
        tokens.append(Token(raw, unescape_entities(raw), False, start, i))
    return tokens


def rest_of_line(text: str, tokens: list[Token], index: int) -> str:
    """Plain text from token `index` to the end, spacing preserved."""
    if index >= len(tokens):
        return ""
    return to_plain_text(text[tokens[index].start :]).strip()


# --- parsers -------------------------------------------------------------------------------


def _split_name(tokens: list[Token], is_marker: Any) -> int:
    """Index of the first token after the customer name.

    A quoted first token is the whole name; otherwise the name runs up to the first token that
    is_marker accepts (a kind, a stage…), so `acme corp call` works without quotes.
    """
    if not tokens or tokens[0].quoted:
        return 1
    for index in range(1, len(tokens)):
        if is_marker(tokens[index]):
            return index
    return 1


def _word(token: Token) -> str:
    """A marker word without the punctuation people type after it ("call," "conversion:")."""
    return token.value.rstrip(",:;.!-–—")


def _name(tokens: list[Token], end: int) -> str:
    return " ".join(token.value for token in tokens[:end]).strip()


def parse_customer_command(
    text: str,
) -> AddCustomer | ShowCustomer | ListCustomers | ShowAtRisk | ShowWatch | ShowHelp:
    """Parse the text of /customer."""
    command = "/customer"
    tokens = tokenize(text, command=command, structured=2)
    if not tokens:
        raise UsageError("Tell me which customer, or what to do.", command=command)
    first = tokens[0]
    verb = "" if first.quoted else first.value.casefold()
    if verb == "help":
        return ShowHelp(command)
    if verb == "add":
        return _parse_add(tokens[1:], command)
    if verb == "list":
        return _parse_list(tokens[1:], command)
    return ShowCustomer(customer=_name(tokens, 1 if first.quoted else len(tokens)))


def _parse_add(tokens: list[Token], command: str) -> AddCustomer:
    if not tokens:
        raise UsageError("What is the new customer called?", command=command)

    def is_marker(token: Token) -> bool:
        return not token.quoted and (looks_like_stage(token.value) or parse_user_mention(token.raw) is not None)

    end = _split_name(tokens, is_marker)
    name = _name(tokens, end)
    stage, owner = Stage.REACH, None
    for token in tokens[end:]:
        user = parse_user_mention(token.raw)
        if user is not None and owner is None:
            owner = user
        elif looks_like_stage(token.value) and not token.quoted:
            stage = parse_stage(token.value)
        elif token.value.startswith("@"):
            raise UsageError(
                f"I can't tell who {token.value} is.",
                command=command,
                hint="Pick the owner from Slack's @-mention list so it becomes a real mention.",
            )
        else:
            raise UsageError(
                f"I don't understand “{token.value}” after the name.",
                command=command,
                hint='Names with spaces need quotes: /customer add "Acme Corp" acquisition @owner',
            )
    return AddCustomer(name=name, stage=stage, owner=owner)


AT_RISK_WORDS = {"at-risk", "atrisk", "risk", "at_risk", "at risk", "risky"}
WATCH_WORDS = {"watch", "watching", "on-watch", "on watch", "watchlist", "watch-list"}


def _risk_request(tokens: list[Token]) -> ShowAtRisk | ShowWatch | None:
    """`at-risk`, `at risk` (two words), `watch`, `on watch`: the risk lists."""
    words = " ".join(token.value.casefold() for token in tokens[:2])
    first = tokens[0].value.casefold() if tokens else ""
    if words in AT_RISK_WORDS or (len(tokens) == 1 and first in AT_RISK_WORDS):
        return ShowAtRisk()
    if words in WATCH_WORDS or (len(tokens) == 1 and first in WATCH_WORDS):
        return ShowWatch()
    return None


def _parse_list(tokens: list[Token], command: str) -> ListCustomers | ShowAtRisk | ShowWatch:
    if not tokens:
        return ListCustomers()
    risk = _risk_request(tokens)
    if risk is not None and len(tokens) <= 2:
        return risk
    if len(tokens) > 1:
        raise UsageError("`/customer list` takes at most one filter.", command=command)
    word = tokens[0].value.casefold()
    if word == "mine":
        return ListCustomers(mine=True)
    return ListCustomers(stage=parse_stage(tokens[0].value))


def parse_touch_command(text: str) -> LogTouch | OpenModal:
    """Parse the text of /touch."""
    command = "/touch"
    tokens = tokenize(text, command=command)
    if not tokens:
        return OpenModal(command)
    end = _split_name(tokens, lambda token: not token.quoted and looks_like_kind(_word(token)))
    if end >= len(tokens):
        raise UsageError("What kind of touchpoint was it?", command=command, hint=None)
    kind = parse_kind(_word(tokens[end]))
    return LogTouch(customer=_name(tokens, end), kind=kind, note=rest_of_line(text, tokens, end + 1))


def parse_stage_command(text: str) -> MoveStage | OpenModal:
    """Parse the text of /stage."""
    command = "/stage"
    tokens = tokenize(text, command=command)
    if not tokens:
        return OpenModal(command)
    end = _split_name(tokens, lambda token: not token.quoted and looks_like_stage(_word(token)))
    if end >= len(tokens):
        raise UsageError("Which stage should the customer move to?", command=command)
    stage = parse_stage(_word(tokens[end]))
    return MoveStage(customer=_name(tokens, end), stage=stage, reason=rest_of_line(text, tokens, end + 1))


def parse_feedback_command(text: str) -> RecordFeedback | OpenModal:
    """Parse the text of /feedback: the first word (or quoted name) is the customer."""
    command = "/feedback"
    tokens = tokenize(text, command=command)
    if not tokens:
        return OpenModal(command)
    feedback = rest_of_line(text, tokens, 1)
    if not feedback:
        raise UsageError("What did the customer say?", command=command)
    whole = None if tokens[0].quoted else to_plain_text(text).strip()
    return RecordFeedback(customer=tokens[0].value, text=feedback, whole=whole)


def parse_lifecycle_command(text: str, *, caller: str = "") -> LifecycleRequest:
    """Parse the text of /lifecycle."""
    command = "/lifecycle"
    tokens = tokenize(text, command=command, structured=3)
    if not tokens or tokens[0].value.casefold() == "help":
        return ShowHelp(None)
    verb = tokens[0].value.casefold()
    risk = _risk_request(tokens)
    if risk is not None and len(tokens) <= 2:
        return risk
    if verb in _PLAIN_VERBS:
        return _PLAIN_VERBS[verb]()
    if verb in _VERB_PARSERS:
        return _VERB_PARSERS[verb](tokens[1:], command, caller)
    raise UsageError(f"I don't know `/lifecycle {tokens[0].value}`.", command=command)


def _parse_health(tokens: list[Token], command: str, caller: str) -> ShowHealthSettings | SetHealthSetting:
    if not tokens:
        return ShowHealthSettings()
    if len(tokens) == 3 and tokens[0].value.casefold() == "set":
        return SetHealthSetting(key=tokens[1].value.casefold(), value=tokens[2].value)
    raise UsageError(
        "Use `/lifecycle health` to see the settings, or `/lifecycle health set <key> <value>`.", command=command
    )


def _parse_route(tokens: list[Token], command: str, caller: str) -> SetRoute:
    if len(tokens) != 2:
        raise UsageError("`route` needs a team and a channel.", command=command)
    team = parse_team(tokens[0].value)
    channel_id = parse_channel_mention(tokens[1].raw)
    if channel_id is None:
        raise UsageError(
            f"“{tokens[1].value}” is not a channel.",
            command=command,
            hint="Type # and pick the channel from Slack's list: `/lifecycle route cs #success`.",
        )
    return SetRoute(team=team, channel_id=channel_id)


def _parse_sla_verb(tokens: list[Token], command: str, caller: str) -> ShowSla | SetSla:
    return _parse_sla(tokens, command) if tokens else ShowSla()


def _parse_digest_verb(tokens: list[Token], command: str, caller: str) -> LifecycleRequest:
    return _parse_digest(tokens, command, caller=caller)


_PLAIN_VERBS: dict[str, type[ShowRoutes | ShowLoyal | ShowFunnel]] = {
    "routes": ShowRoutes,
    "loyal": ShowLoyal,
    "loyalty": ShowLoyal,
    "funnel": ShowFunnel,
}
_VERB_PARSERS: dict[str, Callable[[list[Token], str, str], LifecycleRequest]] = {
    "sla": _parse_sla_verb,
    "digest": _parse_digest_verb,
    "health": _parse_health,
    "route": _parse_route,
}


_SLA_HOURS = re.compile(r"(\d+(?:\.\d+)?)\s*h?", re.IGNORECASE)
_HOUR_RANGE = re.compile(r"\d{1,2}:\d{2}-\d{1,2}:\d{2}")
_DAYS = re.compile(r"[a-z]{3,9}([-,][a-z]{3,9})*", re.IGNORECASE)


def _parse_sla(tokens: list[Token], command: str) -> SetSla:
    """Each setting is recognised by its shape, so they can come in any order."""
    hours = opens = closes = weekdays = timezone = None
    for token in tokens:
        value = token.value
        if match := _SLA_HOURS.fullmatch(value):
            hours = float(match.group(1))
        elif _HOUR_RANGE.fullmatch(value):
            opens, closes = parse_hours(value)
        elif "/" in value or value.upper() == "UTC":
            timezone = parse_timezone(value)
        elif _DAYS.fullmatch(value):
            weekdays = parse_weekdays(value)
        else:
            raise UsageError(
                f"I don't understand “{value}” in the SLA settings.",
                command=command,
                hint="Give any of: hours to accept (4h), business hours (09:00-17:00), days (mon-fri), "
                "time zone (Europe/Berlin).",
            )
    return SetSla(SlaChange(hours=hours, opens=opens, closes=closes, weekdays=weekdays, timezone=timezone))


_TIME = re.compile(r"(\d{1,2}):(\d{2})")


def _parse_digest(
    tokens: list[Token], command: str, *, caller: str
) -> DigestNow | ScheduleDigest | ListDigests | CancelDigest:
    verb = tokens[0].value.casefold() if tokens else ""
    if verb == "now":
        channel = parse_channel_mention(tokens[1].raw) if len(tokens) > 1 else None
        if len(tokens) > 1 and channel is None:
            raise UsageError(
                f"“{tokens[1].value}” is not a channel.",
                command=command,
                hint="Type # and pick the channel from Slack's list.",
            )
        return DigestNow(channel_id=channel)
    if verb == "list":
        return ListDigests()
    if verb == "cancel":
        if len(tokens) != 2 or not tokens[1].value.lstrip("#").isdigit():
            raise UsageError("Which digest? Give its number from `/lifecycle digest list`.", command=command)
        return CancelDigest(int(tokens[1].value.lstrip("#")))
    if verb == "schedule":
        return ScheduleDigest(_parse_schedule(tokens[1:], command, caller=caller))
    raise UsageError("`digest` takes now, schedule, list or cancel.", command=command)


def _parse_schedule(tokens: list[Token], command: str, *, caller: str) -> ScheduleRequest:
    words = [token.value for token in tokens]
    if not words or words[0].casefold() not in FREQUENCIES:
        raise UsageError("How often? Use daily, weekdays or weekly <day>.", command=command)
    frequency, rest, weekday = words[0].casefold(), tokens[1:], None
    if frequency == "weekly":
        if not rest:
            raise UsageError("Which day of the week?", command=command)
        weekday, rest = parse_weekday(rest[0].value), rest[1:]
    if not rest or not (match := _TIME.fullmatch(rest[0].value)):
        raise UsageError("At what time? Give it as HH:MM, e.g. 09:00.", command=command)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise UsageError(f"“{rest[0].value}” is not a time of day.", command=command)
    timezone = channel = user = None
    for token in rest[1:]:
        if (found := parse_channel_mention(token.raw)) is not None:
            channel = found
        elif token.value.casefold() in {"me", "dm"}:
            user = caller
        else:
            timezone = parse_timezone(token.value)
    return ScheduleRequest(frequency, weekday, time(hour, minute), timezone, channel, user)
