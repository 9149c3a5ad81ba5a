"""Parsing slash-command text into plain request values (no Slack calls, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.requests import (
    AddCustomer,
    EditRequest,
    EraseCustomer,
    ExportCustomer,
    ListCustomers,
    LogTouch,
    MoveStage,
    OpenModal,
    RecordFeedback,
    ShowAtRisk,
    ShowCustomer,
    ShowHelp,
    ShowWatch,
)
from handlers.slack_text import parse_user_mention, to_plain_text, unescape_entities
from lifecycle.dates import read_when
from lifecycle.errors import InvalidInput
from lifecycle.stages import Stage, looks_like_stage, parse_stage
from lifecycle.touchpoints import VERB_KINDS, kind_names, looks_like_kind, parse_kind

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


CUSTOMER_DATA_VERBS: dict[str, type[ExportCustomer | EraseCustomer]] = {
    "export": ExportCustomer,
    "erase": EraseCustomer,
}


def parse_customer_command(
    text: str,
) -> (
    AddCustomer
    | ShowCustomer
    | ListCustomers
    | ShowAtRisk
    | ShowWatch
    | ShowHelp
    | ExportCustomer
    | EraseCustomer
    | EditRequest
):
    """Parse the text of /customer."""
    command = "/customer"
    tokens = tokenize(text, command=command, structured=2)
    if not tokens:
        raise UsageError("Tell me which customer, or what to do.", command=command)
    first = tokens[0]
    verb = "" if first.quoted else first.value.casefold()
    if verb == "help" or _asks_for_help(tokens):
        return ShowHelp(command)
    if verb == "add":
        return _parse_add(tokens[1:], command)
    if verb == "list":
        return _parse_list(tokens[1:], command)
    from handlers.parsing_edits import EDIT_VERBS, parse_edit_command  # imports this module: import when used

    if verb in EDIT_VERBS:
        return parse_edit_command(verb, tokens[1:])
    if verb in CUSTOMER_DATA_VERBS:
        if len(tokens) < 2:
            raise UsageError(
                f"Which customer should I {verb}?", command=command, hint=f'`/customer {verb} "Acme Corp"`'
            )
        name = tokens[1].value if tokens[1].quoted else _name(tokens[1:], len(tokens) - 1)
        return CUSTOMER_DATA_VERBS[verb](customer=name)
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


def risk_request(tokens: list[Token]) -> ShowAtRisk | ShowWatch | None:
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
    risk = risk_request(tokens)
    if risk is not None and len(tokens) <= 2:
        return risk
    if len(tokens) > 1:
        raise UsageError("`/customer list` takes at most one filter.", command=command)
    word = tokens[0].value.casefold()
    if word == "mine":
        return ListCustomers(mine=True)
    return ListCustomers(stage=parse_stage(tokens[0].value))


def parse_touch_command(text: str) -> LogTouch | OpenModal | ShowHelp:
    """Parse the text of /touch: `"<name>" <kind> [when] [note]`."""
    command = "/touch"
    tokens = tokenize(text, command=command)
    if not tokens:
        return OpenModal(command)
    if _asks_for_help(tokens):
        return ShowHelp(command)
    readings = touch_readings(text, tokens)
    if readings:
        return readings[0]
    if len(tokens) > 1:
        parse_kind(_word(tokens[1]))  # "acme calll": says which word is not a kind, and lists the kinds
    raise UsageError(
        "What kind of touchpoint was it?", command=command, hint=f"Put the kind after the customer: {kind_names()}."
    )


def touch_readings(text: str, tokens: list[Token] | None = None) -> list[LogTouch]:
    """Every way to read an unquoted line as name + `<kind> [when] [note]`, the first kind word first.

    `/touch blue called them about the renewal` reads as "blue" + called… and as "blue called them about the"
    + renewal; the caller takes the reading that names an existing customer.
    """
    tokens = tokens if tokens is not None else tokenize(text, command="/touch")
    whole = None if tokens[0].quoted else to_plain_text(text).strip()
    readings: list[LogTouch] = []
    for end in _marker_positions(tokens, lambda token: not token.quoted and looks_like_kind(_word(token))):
        word = _word(tokens[end]).casefold()
        # "called them…": the verb stays in the note, where it reads as the rep wrote it.
        note_from = end if word in VERB_KINDS else end + 1
        when = read_when([token.value for token in tokens[note_from:]]) if note_from == end + 1 else None
        if when is not None:
            note_from += when[1]
        readings.append(
            LogTouch(
                customer=_name(tokens, end),
                kind=parse_kind(word),
                note=rest_of_line(text, tokens, note_from),
                when=when[0].text if when else None,
                whole=whole,
            )
        )
    return readings


def parse_stage_command(text: str) -> MoveStage | OpenModal | ShowHelp:
    """Parse the text of /stage: `"<name>" [to] <stage> [reason]`."""
    command = "/stage"
    tokens = tokenize(text, command=command)
    if not tokens:
        return OpenModal(command)
    if _asks_for_help(tokens):
        return ShowHelp(command)
    readings = stage_readings(text, tokens)
    if readings:
        return readings[0]
    after_name = [token for token in tokens[1:] if _word(token).casefold() not in _CONNECTORS]
    if after_name:
        parse_stage(_word(after_name[0]))  # "initech churnd": says which word is not a stage, and lists the stages
    raise UsageError("Which stage should the customer move to?", command=command)


def stage_readings(text: str, tokens: list[Token] | None = None) -> list[MoveStage]:
    """Every way to read an unquoted line as name + `[to] <stage> [reason]`, the first stage word first."""
    tokens = tokens if tokens is not None else tokenize(text, command="/stage")
    whole = None if tokens[0].quoted else to_plain_text(text).strip()
    readings: list[MoveStage] = []
    for end in _marker_positions(tokens, lambda token: not token.quoted and looks_like_stage(_word(token))):
        # "acme corp to conversion": `to` belongs to neither the name nor the stage.
        name_end = end - 1 if end > 1 and _word(tokens[end - 1]).casefold() in _CONNECTORS else end
        readings.append(
            MoveStage(
                customer=_name(tokens, name_end),
                stage=parse_stage(_word(tokens[end])),
                reason=rest_of_line(text, tokens, end + 1),
                whole=whole,
            )
        )
    return readings


_CONNECTORS = ("to", "into", "->", "→")


def _marker_positions(tokens: list[Token], is_marker: Any) -> list[int]:
    """Where the kind or stage word may be: right after a quoted name (or after `to`); else any marker word."""
    if tokens[0].quoted:
        skip = 2 if len(tokens) > 2 and _word(tokens[1]).casefold() in _CONNECTORS else 1
        return [skip] if len(tokens) > skip and is_marker(tokens[skip]) else []
    return [index for index in range(1, len(tokens)) if is_marker(tokens[index])]


def _asks_for_help(tokens: list[Token]) -> bool:
    """`help` (or `?`) typed alone after any command: the command's usage, never a warning."""
    return len(tokens) == 1 and not tokens[0].quoted and tokens[0].value.casefold() in ("help", "?", "-h", "--help")


def parse_feedback_command(text: str) -> RecordFeedback | OpenModal | ShowHelp:
    """Parse the text of /feedback: the first word (or quoted name) is the customer."""
    command = "/feedback"
    tokens = tokenize(text, command=command)
    if not tokens:
        return OpenModal(command)
    if _asks_for_help(tokens):
        return ShowHelp(command)
    feedback = rest_of_line(text, tokens, 1)
    if not feedback:
        raise UsageError("What did the customer say?", command=command)
    whole = None if tokens[0].quoted else to_plain_text(text).strip()
    return RecordFeedback(customer=tokens[0].value, text=feedback, whole=whole)
