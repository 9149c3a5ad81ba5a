"""Parsing slash-command text into plain request values (no Slack calls, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.requests import (
    AddCustomer,
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
from lifecycle.errors import InvalidInput
from lifecycle.stages import Stage, looks_like_stage, parse_stage
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


CUSTOMER_DATA_VERBS: dict[str, type[ExportCustomer | EraseCustomer]] = {
    "export": ExportCustomer,
    "erase": EraseCustomer,
}


def parse_customer_command(
    text: str,
) -> AddCustomer | ShowCustomer | ListCustomers | ShowAtRisk | ShowWatch | ShowHelp | ExportCustomer | EraseCustomer:
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
