"""Parsing the text of /lifecycle into plain request values (no Slack calls, no database)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import time

from handlers.parsing import Token, UsageError, risk_request, tokenize
from handlers.parsing_edits import parse_currency
from handlers.parsing_roles import parse_admins, parse_audit, parse_team_roles
from handlers.requests import (
    CancelDigest,
    DigestNow,
    LifecycleRequest,
    ListDigests,
    ScheduleDigest,
    SetHealthSetting,
    SetRoute,
    SetSla,
    ShowFunnel,
    ShowHealthSettings,
    ShowHelp,
    ShowLoyal,
    ShowRoutes,
    ShowSla,
)
from handlers.slack_text import parse_channel_mention
from lifecycle.business_time import parse_hours, parse_timezone, parse_weekdays
from lifecycle.durations import read_duration
from lifecycle.errors import InvalidInput
from lifecycle.schedules import FREQUENCIES, ScheduleRequest, parse_weekday
from lifecycle.sla import SlaChange
from lifecycle.stages import parse_team


def parse_lifecycle_command(text: str, *, caller: str = "") -> LifecycleRequest:
    """Parse the text of /lifecycle."""
    command = "/lifecycle"
    tokens = tokenize(text, command=command, structured=3)
    if not tokens or tokens[0].value.casefold() == "help":
        return ShowHelp(None)
    verb = tokens[0].value.casefold()
    risk = risk_request(tokens)
    if risk is not None and len(tokens) <= 2:
        return risk
    if verb in _PLAIN_VERBS:
        return _PLAIN_VERBS[verb]()
    if verb in _VERB_PARSERS:
        return _VERB_PARSERS[verb](tokens[1:], command, caller)
    raise _unknown_verb(tokens[0].value)


def _unknown_verb(typed: str) -> InvalidInput:
    """One line: what wasn't understood and the closest command; the usage block is for `help`."""
    known = ["help", "at-risk", "watch", "currency", *_PLAIN_VERBS, *_VERB_PARSERS]
    close = difflib.get_close_matches(typed.casefold(), known, n=1, cutoff=0.6)
    error = InvalidInput(
        f"I don't know `/lifecycle {typed}`."
        + (f" Did you mean `/lifecycle {close[0]}`?" if close else " `/lifecycle help` lists what I can do.")
    )
    error.show_usage = False
    return error


def _parse_health(tokens: list[Token], command: str, caller: str) -> ShowHealthSettings | SetHealthSetting:
    if not tokens:
        return ShowHealthSettings()
    if len(tokens) >= 3 and tokens[0].value.casefold() == "set":
        words = [token.value for token in tokens[2:]]
        duration = read_duration(words)
        if duration is not None and duration[1] == len(words) and duration[0].unit in ("days", "weeks"):
            # Windows and cadences are in days: "4 weeks" is 28, "30 days" is 30.
            return SetHealthSetting(key=tokens[1].value.casefold(), value=f"{duration[0].in_days():g}")
        if len(words) == 1:
            return SetHealthSetting(key=tokens[1].value.casefold(), value=words[0])
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
    "admins": parse_admins,
    "admin": parse_admins,
    "team": parse_team_roles,
    "teams": parse_team_roles,
    "audit": parse_audit,
    "currency": parse_currency,
}


_HOUR_RANGE = re.compile(r"\d{1,2}:\d{2}-\d{1,2}:\d{2}")
_DAYS = re.compile(r"[a-z]{3,9}([-,][a-z]{3,9})*", re.IGNORECASE)


def _parse_sla(tokens: list[Token], command: str) -> SetSla:
    """Each setting is recognised by its shape, so they can come in any order."""
    hours = days = opens = closes = weekdays = timezone = None
    index = 0
    while index < len(tokens):
        value = tokens[index].value
        index += 1
        if duration := read_duration([token.value for token in tokens[index - 1 :]]):
            span, used = duration
            index += used - 1
            # An SLA runs in business time: "2 days" are working days, a week is five of them.
            working_days = {"days": span.amount, "weeks": span.amount * 5}.get(span.unit or "")
            hours = None if working_days is not None else span.amount / (60 if span.unit == "minutes" else 1)
            days = working_days
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
    return SetSla(SlaChange(hours=hours, days=days, opens=opens, closes=closes, weekdays=weekdays, timezone=timezone))


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
