"""The facts on a customer's record (annual value, renewal date), written the same in every message."""

from __future__ import annotations

from datetime import date, datetime

from handlers.blocks.common import mention
from lifecycle.money import format_money
from storage.models import Customer


def value_text(customer: Customer, currency: str | None) -> str | None:
    """'EUR 12,000 a year', or None when no value is on record."""
    if customer.value is None:
        return None
    return f"{format_money(customer.value, currency)} a year"


def renewal_text(renewal: date | None, now: datetime) -> str | None:
    """'1 Mar 2027 (in 98 days)', or None when no renewal date is on record."""
    if renewal is None:
        return None
    days = (renewal - now.date()).days
    if days == 0:
        when = "today"
    elif days > 0:
        when = "tomorrow" if days == 1 else f"in {days:,} days"
    else:
        when = "yesterday" if days == -1 else f"{-days:,} days ago"
    return f"{renewal.day} {renewal.strftime('%b %Y')} ({when})"


def record_facts(customer: Customer, currency: str | None, now: datetime) -> list[tuple[str, str]]:
    """The value and renewal fields that are on record (none when neither is)."""
    facts = []
    if (value := value_text(customer, currency)) is not None:
        facts.append(("Value", value))
    if (renewal := renewal_text(customer.renewal_date, now)) is not None:
        facts.append(("Renewal", renewal))
    return facts


def _safe_link(url: str | None) -> str | None:
    # A permalink Slack gave us; anything that could break out of <url|label> is not shown as a link.
    if not url or not url.startswith("https://") or any(char in url for char in "<>| \n"):
        return None
    return url


def from_message(author: str | None, permalink: str | None) -> str:
    """' (from <@U…>'s message)', linked to the message when we have its permalink; '' when not from one."""
    link = _safe_link(permalink)
    if author is None and link is None:
        return ""
    words = f"<{link}|message>" if link else "message"
    who = f"{mention(author)}'s " if author else "a "
    return f" (from {who}{words})"
