"""The workspace's currency: ISO 4217 codes, the symbols people type, and amounts as they write them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import pycountry
from sqlalchemy.orm import Session

from lifecycle.audit import record_audit
from lifecycle.errors import InvalidInput, LifecycleError
from storage import repositories as repo
from storage.models import AuditEvent

# Symbols people type before or after an amount, and the codes each may stand for ($ is many dollars).
SYMBOLS: dict[str, tuple[str, ...]] = {
    "€": ("EUR",),
    "£": ("GBP",),
    "$": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"),
    "us$": ("USD",),
    "ca$": ("CAD",),
    "a$": ("AUD",),
    "r$": ("BRL",),
    "¥": ("JPY", "CNY"),
    "₹": ("INR",),
    "₩": ("KRW",),
    "₺": ("TRY",),
    "₪": ("ILS",),
    "₽": ("RUB",),
    "₴": ("UAH",),
    "zł": ("PLN",),
    "kr": ("SEK", "NOK", "DKK", "ISK"),
    "fr": ("CHF",),
}
# Numeric(14, 2): twelve digits before the decimal point.
MAX_AMOUNT = Decimal("999999999999.99")
CLEARING_WORDS = frozenset({"none", "-", "–", "—", "clear", "unset", "nothing"})
_MULTIPLIERS = {"": 1, "k": 1_000, "m": 1_000_000, "mm": 1_000_000, "mn": 1_000_000, "b": 1_000_000_000, "bn": 10**9}
_SYMBOL_PATTERN = "|".join(re.escape(symbol) for symbol in sorted(SYMBOLS, key=len, reverse=True))
_AMOUNT = re.compile(
    rf"(?P<before>{_SYMBOL_PATTERN}|[a-z]{{3}})?\s*(?P<sign>[-−–])?\s*(?P<before2>{_SYMBOL_PATTERN})?\s*"
    r"(?P<number>\d[\d,.' _]*)\s*(?P<scale>k|mm|mn|m|bn|b)?\s*"
    rf"(?P<after>{_SYMBOL_PATTERN}|[a-z]{{3}})?",
    re.IGNORECASE,
)


def currency_code(text: str) -> str:
    """The ISO 4217 code `text` names (any case), or InvalidInput saying what a code looks like."""
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code) or pycountry.currencies.get(alpha_3=code) is None:
        raise InvalidInput(
            f"“{text.strip()}” is not an ISO 4217 currency code.",
            hint="Use the three-letter code, e.g. `/lifecycle currency EUR` (or USD, GBP, CHF, JPY…).",
        )
    return code


def currency_name(code: str) -> str:
    """'Euro' for EUR (the code itself for one pycountry does not know)."""
    found = pycountry.currencies.get(alpha_3=code)
    return str(found.name) if found is not None else code


@dataclass(frozen=True)
class Amount:
    """An amount as typed: its value, and the currency written with it (a code or a symbol), if any."""

    value: Decimal
    currency: str | None = None


def parse_amount(text: str) -> Amount | None:
    """Read 12000, 12,000, 12k, 1.5m, €12,000, 12000 EUR or 12.000,50; None for `none`/`-` (clear it).

    Raises InvalidInput for a negative amount, an unknown currency code or text that is no amount.
    """
    raw = text.strip()
    if raw.casefold() in CLEARING_WORDS:
        return None
    match = _AMOUNT.fullmatch(raw)
    if match is None:
        raise InvalidInput(f"“{raw}” is not an amount.", hint=AMOUNT_HINT)
    typed = [part for part in (match["before"], match["before2"], match["after"]) if part]
    if len(typed) > 1:
        raise InvalidInput(f"“{raw}” names a currency twice.", hint=AMOUNT_HINT)
    if match["sign"]:
        raise InvalidInput("A value can't be negative.", hint=AMOUNT_HINT)
    number = _number(match["number"].strip(), raw)
    value = number * _MULTIPLIERS[(match["scale"] or "").casefold()]
    if value > MAX_AMOUNT:
        raise InvalidInput(f"{raw} is more than I can store (at most 999,999,999,999.99).")
    currency = _currency(typed[0]) if typed else None
    return Amount(value.quantize(Decimal("0.01")), currency)


AMOUNT_HINT = "Write it like `12000`, `12,000`, `12k`, `1.5m`, `€12,000` or `12000 EUR`; `none` clears it."


def _currency(typed: str) -> str:
    lowered = typed.casefold()
    return lowered if lowered in SYMBOLS else currency_code(typed)


def _number(digits: str, raw: str) -> Decimal:
    """Thousands separators (, . space ' _) and a decimal point or comma, as people in many countries write."""
    compact = re.sub(r"[ '_]", "", digits)
    if "," in compact and "." in compact:
        decimal_mark = "," if compact.rfind(",") > compact.rfind(".") else "."
    elif compact.count(",") == 1 and not re.fullmatch(r"\d{1,3},\d{3}", compact):
        decimal_mark = ","  # 12,5 is twelve and a half; 12,000 is twelve thousand
    elif compact.count(".") > 1:
        decimal_mark = ","  # 1.000.000: dots separate thousands
    else:
        decimal_mark = "."
    thousands = "," if decimal_mark == "." else "."
    plain = compact.replace(thousands, "").replace(decimal_mark, ".")
    try:
        return Decimal(plain)
    except InvalidOperation:
        raise InvalidInput(f"“{raw}” is not an amount.", hint=AMOUNT_HINT) from None


def check_currency(typed: str | None, workspace_currency: str | None) -> None:
    """A currency written with an amount must be the workspace's: values are stored without one."""
    if typed is None:
        return
    shown = typed.upper() if len(typed) == 3 and typed.isalpha() else typed
    if workspace_currency is None:
        raise LifecycleError(
            f"This workspace has no currency yet, so I can't take an amount in {shown}.",
            hint="Give the amount without a currency (`value 12000`), or ask an admin to set one: "
            "`/lifecycle currency EUR`.",
        )
    if workspace_currency not in SYMBOLS.get(typed, (typed,)):
        raise LifecycleError(
            f"Values in this workspace are in {workspace_currency} ({currency_name(workspace_currency)}), not {shown}.",
            hint=f"Give the amount in {workspace_currency}, or without a currency. "
            "Admins change the currency with `/lifecycle currency <code>`.",
        )


def set_currency(session: Session, *, workspace_id: str, code: str, actor: str, now: datetime) -> AuditEvent:
    """Set the workspace's currency (admins; the caller checks), announced to the managers like other settings."""
    workspace = repo.ensure_workspace(session, workspace_id, now=now)
    code = currency_code(code)
    if workspace.currency == code:
        raise LifecycleError(f"Values are in {code} ({currency_name(code)}) already.")
    previous, workspace.currency = workspace.currency, code
    event = record_audit(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action="currency.changed",
        now=now,
        announce=True,
        previous=previous,
        code=code,
    )
    session.flush()  # the audit entry's id goes on the reply's Undo button
    return event
