"""Parsing the /customer subcommands that fix a record (rename, merge, owner, archive, restore, set) and
/lifecycle currency: plain values, no Slack calls, no database."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from handlers.parsing import Token, UsageError
from handlers.requests import (
    ArchiveCustomer,
    EditRequest,
    MergeCustomers,
    RenameCustomer,
    SetCurrency,
    SetCustomerFact,
    SetOwner,
)
from handlers.slack_text import parse_user_mention
from lifecycle.currency import CLEARING_WORDS, currency_code, parse_amount

COMMAND = "/customer"
# The syntax and an example of each verb, shown with every mistake.
SYNTAX: dict[str, tuple[str, str]] = {
    "rename": ('/customer rename "<old name>" "<new name>"', '/customer rename "Acme" "Acme Corp"'),
    "merge": ('/customer merge "<duplicate>" into "<customer to keep>"', '/customer merge "Acme Inc" into "Acme Corp"'),
    "owner": ('/customer owner "<name>" @user', '/customer owner "Acme Corp" @rita'),
    "archive": ('/customer archive "<name>"', "/customer archive initech"),
    "restore": ('/customer restore "<name>"', "/customer restore initech"),
    "set": (
        '/customer set "<name>" value <amount>\n/customer set "<name>" renewal <YYYY-MM-DD>',
        '/customer set "Acme Corp" value 12,000',
    ),
}
# Words for the two facts on a record, as reps say them.
FACT_WORDS = {
    "value": "value",
    "arr": "value",
    "acv": "value",
    "deal": "value",
    "contract": "value",
    "amount": "value",
    "renewal": "renewal",
    "renews": "renewal",
    "renewal-date": "renewal",
    "renewal_date": "renewal",
}


def usage(verb: str, message: str) -> UsageError:
    """A mistake in one verb: the message, then that verb's syntax and an example."""
    syntax, example = SYNTAX[verb]
    return UsageError(message, command=COMMAND, hint=f"Use `{syntax}`, e.g. `{example}`.".replace("\n", "` or `"))


def _word(token: Token) -> str:
    return "" if token.quoted else token.value.casefold()


def _name(tokens: list[Token]) -> str:
    """A name from its tokens: a quoted one as is, unquoted words joined (best effort for spaces)."""
    return " ".join(token.value for token in tokens).strip()


def _split_at(tokens: list[Token], word: str) -> int | None:
    """Index of the first unquoted `word` that has something on both sides."""
    return next((i for i in range(1, len(tokens) - 1) if _word(tokens[i]) == word), None)


def _parse_rename(tokens: list[Token]) -> RenameCustomer:
    if len(tokens) < 2:
        raise usage("rename", "Which customer should I rename, and to what?")
    if tokens[0].quoted:
        old, rest = tokens[0].value, tokens[1:]
        if len(rest) > 1 and _word(rest[0]) == "to":
            rest = rest[1:]
    elif (at := _split_at(tokens, "to")) is not None:
        old, rest = _name(tokens[:at]), tokens[at + 1 :]
    elif len(tokens) == 2 or tokens[-1].quoted:
        old, rest = _name(tokens[:-1]), tokens[-1:]
    else:
        raise usage("rename", "I can't tell where the old name ends and the new one starts: put both in quotes.")
    return RenameCustomer(customer=old, new_name=_name(rest))


def _parse_merge(tokens: list[Token]) -> MergeCustomers:
    at = _split_at(tokens, "into")
    if at is None:
        raise usage("merge", "Which customer is the duplicate, and which one do you keep? Put `into` between them.")
    return MergeCustomers(duplicate=_name(tokens[:at]), keep=_name(tokens[at + 1 :]))


def _parse_owner(tokens: list[Token]) -> SetOwner:
    users = [(i, user) for i, token in enumerate(tokens) if (user := parse_user_mention(token.raw)) is not None]
    if not users:
        strays = [token.value for token in tokens if token.value.startswith("@")]
        if strays:
            raise usage("owner", f"I can't tell who {strays[0]} is: pick them from Slack's @-mention list.")
        raise usage("owner", "Who should own it? Mention them with @.")
    if len(users) > 1:
        raise usage("owner", "A customer has one owner: mention just one person.")
    index, owner = users[0]
    name = [token for i, token in enumerate(tokens) if i != index and not (i == index - 1 and _word(token) == "to")]
    if not name:
        raise usage("owner", "Which customer? Give its name before the @-mention.")
    return SetOwner(customer=_name(name), owner=owner)


def _parse_archive(tokens: list[Token], *, restore: bool) -> ArchiveCustomer:
    verb = "restore" if restore else "archive"
    if not tokens:
        raise usage(verb, f"Which customer should I {verb}?")
    return ArchiveCustomer(customer=_name(tokens), restore=restore)


def _parse_set(tokens: list[Token]) -> SetCustomerFact:
    at = 1 if tokens and tokens[0].quoted else None
    if at is None:
        at = next((i for i in range(1, len(tokens)) if _word(tokens[i]) in FACT_WORDS), None)
    if not tokens or at is None or at >= len(tokens) or _word(tokens[at]) not in FACT_WORDS:
        raise usage("set", "Which customer, and which fact: its `value` or its `renewal` date?")
    fact, rest = FACT_WORDS[_word(tokens[at])], tokens[at + 1 :]
    if rest and _word(rest[0]) in {"date", "to", "=", "of"}:  # "renewal date 2027-03-31", "value to 12k"
        rest = rest[1:]
    text = _name(rest)
    if not text:
        raise usage("set", f"What should the {fact} be? Give it after the word `{fact}` (`none` clears it).")
    name = _name(tokens[:at])
    if fact == "renewal":
        return SetCustomerFact(customer=name, fact=fact, value=_renewal(text))
    amount = parse_amount(text)
    return SetCustomerFact(
        customer=name,
        fact=fact,
        value=amount.value if amount else None,
        currency=amount.currency if amount else None,
    )


def _renewal(text: str) -> date | None:
    if text.casefold() in CLEARING_WORDS:
        return None
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass  # 2027-02-30: shaped like a date, but none
    raise usage("set", f"“{text}” is not a date. Give the renewal date as YYYY-MM-DD, e.g. 2027-03-31.")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


EDIT_PARSERS: dict[str, Callable[[list[Token]], EditRequest]] = {
    "rename": _parse_rename,
    "merge": _parse_merge,
    "owner": _parse_owner,
    "archive": lambda tokens: _parse_archive(tokens, restore=False),
    "restore": lambda tokens: _parse_archive(tokens, restore=True),
    "unarchive": lambda tokens: _parse_archive(tokens, restore=True),
    "set": _parse_set,
}
EDIT_VERBS = frozenset(EDIT_PARSERS)


def parse_edit_command(verb: str, tokens: list[Token]) -> EditRequest:
    """/customer <verb> …, where `tokens` are the words after the verb."""
    return EDIT_PARSERS[verb](tokens)


def parse_currency(tokens: list[Token], command: str, caller: str) -> SetCurrency:
    """/lifecycle currency <ISO code>"""
    if len(tokens) != 1:
        raise UsageError(
            "Which currency? Give its three-letter ISO code.", command=command, hint="`/lifecycle currency EUR`"
        )
    return SetCurrency(code=currency_code(tokens[0].value))
