"""Amounts as people read them: "EUR 12,000" with the workspace's currency, or "12,000" when it has none."""

from __future__ import annotations

from decimal import Decimal


def format_money(value: Decimal | int | float, currency: str | None) -> str:
    """One format everywhere: thousands separated, cents only when there are some, the ISO code first.

    The ISO code rather than a symbol: "$" alone does not say which dollar, and a code reads the same in
    every locale and in plain-text notifications.
    """
    amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    whole = amount == amount.to_integral_value()
    number = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    return f"{currency} {number}" if currency else number


def total_value(values: list[Decimal | None]) -> Decimal | None:
    """The sum of the values known; None when none is."""
    known = [value for value in values if value is not None]
    return sum(known, Decimal(0)) if known else None
