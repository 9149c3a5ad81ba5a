"""Facts on the record, message sources and the customer-lost notice, as Block Kit within Slack's limits."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from handlers.blocks.facts import from_message, record_facts, renewal_text
from handlers.blocks.handoffs import alert_link
from handlers.blocks.lost_notice import customer_lost_notice
from lifecycle.money import format_money, total_value
from lifecycle.stages import Stage
from tests.handlers.block_checks import (
    HOSTILE,
    LONG_NAME,
    NOW,
    assert_safe_message,
    make_change,
    make_customer,
    make_touchpoint,
    rendered_texts,
)


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        (Decimal("12000"), None, "12,000"),
        (Decimal("12000.00"), "EUR", "EUR 12,000"),
        (Decimal("1234567.5"), "USD", "USD 1,234,567.50"),
        (Decimal("0.99"), "GBP", "GBP 0.99"),
        (3000, "CHF", "CHF 3,000"),
    ],
)
def test_money_reads_the_same_everywhere(value, currency, shown):
    assert format_money(value, currency) == shown


def test_a_total_counts_only_the_values_on_record():
    assert total_value([Decimal("1.50"), None, Decimal("2")]) == Decimal("3.50")
    assert total_value([None, None]) is None


@pytest.mark.parametrize(
    ("days", "shown"),
    [(0, "23 Nov 2026 (today)"), (1, "24 Nov 2026 (tomorrow)"), (98, "1 Mar 2027 (in 98 days)"), (-3, "3 days ago")],
)
def test_a_renewal_says_when_from_today(days, shown):
    assert shown in (renewal_text(NOW.date() + timedelta(days=days), NOW) or "")


def test_only_the_facts_on_record_are_shown():
    assert record_facts(make_customer(), "EUR", NOW) == []
    both = make_customer(value=Decimal("48000"), renewal_date=date(2027, 3, 1))
    assert record_facts(both, "EUR", NOW) == [("Value", "EUR 48,000 a year"), ("Renewal", "1 Mar 2027 (in 98 days)")]


def test_a_message_source_links_only_a_real_permalink():
    link = "https://acme.slack.com/archives/C0SALES/p1700000000000900"
    assert from_message("U0CUST", link) == f" (from <@U0CUST>'s <{link}|message>)"
    assert from_message("U0CUST", None) == " (from <@U0CUST>'s message)"
    assert from_message(None, None) == ""
    forged = "https://evil.example|your invoice>"
    assert from_message("U0CUST", forged) == " (from <@U0CUST>'s message)"
    assert from_message("<!channel>", None) == " (from &lt;!channel&gt;'s message)"


def test_an_alert_link_is_built_from_where_the_alert_was_posted():
    assert alert_link("C0ONBOARD", "1700000000.000100") == "https://slack.com/archives/C0ONBOARD/p1700000000000100"
    assert alert_link("C0ONBOARD", None) is None and alert_link(None, "1.2") is None


def test_the_lost_notice_stays_within_limits_and_escapes_what_users_wrote():
    customer = make_customer(LONG_NAME, stage=Stage.CHURNED, value=Decimal("999999999999.99"))
    change = make_change(7, Stage.RETENTION, Stage.CHURNED, HOSTILE * 40)
    touchpoints = [make_touchpoint(i, HOSTILE * 20, hours_ago=i) for i in range(1, 4)]
    reply = customer_lost_notice(customer=customer, change=change, touchpoints=touchpoints, currency="EUR", now=NOW)
    assert_safe_message(reply)
    text = "\n".join(rendered_texts(reply.blocks))
    assert "EUR 999,999,999,999.99 a year" in text and "churned from *Retention*" in text
