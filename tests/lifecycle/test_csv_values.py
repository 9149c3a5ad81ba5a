"""Cell values as CRMs export them: dates, amounts, stages, kinds and people (pure, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from lifecycle.stages import Stage
from lifecycle.touchpoints import TouchpointKind
from lifecycle.transfer.values import (
    BadValue,
    is_email,
    is_slack_user_id,
    parse_crm_kind,
    parse_crm_stage,
    parse_day,
    parse_moment,
    parse_money,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-01-31", datetime(2024, 1, 31, tzinfo=UTC)),
        ("2024-01-31 10:15", datetime(2024, 1, 31, 10, 15, tzinfo=UTC)),  # HubSpot
        ("2024-01-31T10:15:00.000Z", datetime(2024, 1, 31, 10, 15, tzinfo=UTC)),  # Salesforce Data Loader
        ("2024-01-31T10:15:00+01:00", datetime(2024, 1, 31, 9, 15, tzinfo=UTC)),
        ("2024-01-31T10:15:00.123456+00:00", datetime(2024, 1, 31, 10, 15, 0, 123456, tzinfo=UTC)),  # our export
        ("01/31/2024", datetime(2024, 1, 31, tzinfo=UTC)),  # US, Salesforce reports
        ("1/31/2024", datetime(2024, 1, 31, tzinfo=UTC)),
        ("01/31/2024 10:15 PM", datetime(2024, 1, 31, 22, 15, tzinfo=UTC)),
        ("1/31/2024, 10:15 AM", datetime(2024, 1, 31, 10, 15, tzinfo=UTC)),
        ("2024/01/31 10:15", datetime(2024, 1, 31, 10, 15, tzinfo=UTC)),
        ("  2024-01-31  ", datetime(2024, 1, 31, tzinfo=UTC)),
    ],
)
def test_dates_are_read_as_crms_write_them_and_a_time_without_zone_is_utc(written, expected):
    assert parse_moment(written) == expected
    assert parse_moment(written).tzinfo is UTC


def test_a_time_without_zone_is_read_in_the_zone_given():
    assert parse_moment("2024-07-01 10:00", zone=BERLIN) == datetime(2024, 7, 1, 8, 0, tzinfo=UTC)
    assert parse_moment("2024-07-01T10:00:00Z", zone=BERLIN) == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("written", ["31/01/2024", "yesterday", "2024-13-01", "1899-12-31", "2024-01-31 25:00"])
def test_an_unreadable_date_says_which_formats_work(written):
    with pytest.raises(BadValue) as raised:
        parse_moment(written)
    assert raised.value.code == "bad date"
    assert written in raised.value.message


def test_a_renewal_is_the_calendar_date_as_written():
    assert parse_day("2027-01-31") == date(2027, 1, 31)
    assert parse_day("12/31/2026") == date(2026, 12, 31)
    assert parse_day("2027-01-31T23:30:00-05:00") == date(2027, 1, 31)  # not moved to the next day in UTC


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("12000", "12000.00"),
        ("12,000", "12000.00"),
        ("$12,000.50", "12000.50"),
        ("12000 EUR", "12000.00"),
        ("USD 1,200,000.00", "1200000.00"),
        ("12.000,50 €", "12000.50"),
        ("12,5", "12.50"),
        ("1.000.000", "1000000.00"),
        ("1'200", "1200.00"),
        ("€ 99", "99.00"),
        ("1200000.0", "1200000.00"),
        ("0.005", "0.01"),
    ],
)
def test_amounts_are_read_with_their_currency_and_separators(written, expected):
    assert parse_money(written) == Decimal(expected)


@pytest.mark.parametrize("written", ["-5", "twelve", "12 000 000 000 000", "$", "1,2,3.4.5"])
def test_an_unreadable_or_negative_or_huge_amount_is_a_bad_value(written):
    with pytest.raises(BadValue) as raised:
        parse_money(written)
    assert raised.value.code == "bad value"


@pytest.mark.parametrize(
    ("written", "stage"),
    [
        # HubSpot lifecycle stages, internal values and display labels
        ("subscriber", Stage.REACH),
        ("lead", Stage.REACH),
        ("marketingqualifiedlead", Stage.ACQUISITION),
        ("Marketing Qualified Lead", Stage.ACQUISITION),
        ("salesqualifiedlead", Stage.ACQUISITION),
        ("Sales Qualified Lead", Stage.ACQUISITION),
        ("opportunity", Stage.ACQUISITION),
        ("customer", Stage.RETENTION),
        ("Customer", Stage.RETENTION),
        ("evangelist", Stage.LOYALTY),
        ("other", Stage.REACH),
        # Salesforce account types and opportunity stages
        ("Prospect", Stage.ACQUISITION),
        ("Customer - Direct", Stage.RETENTION),
        ("Customer - Channel", Stage.RETENTION),
        ("Former Customer", Stage.CHURNED),
        ("Prospecting", Stage.REACH),
        ("Negotiation/Review", Stage.ACQUISITION),
        ("Closed Won", Stage.CONVERSION),
        ("Closed Lost", Stage.CHURNED),
        # ours, and our aliases, in any case
        ("RETENTION", Stage.RETENTION),
        ("awareness", Stage.REACH),
        ("lost", Stage.CHURNED),
        ("onboarding", Stage.CONVERSION),
        ("", Stage.REACH),
    ],
)
def test_crm_stages_map_to_ours(written, stage):
    assert parse_crm_stage(written) == stage


def test_an_unknown_stage_names_the_ones_we_know():
    with pytest.raises(BadValue) as raised:
        parse_crm_stage("Technology Partner")
    assert raised.value.code == "unknown stage"
    assert "“Technology Partner”" in raised.value.message and "retention" in raised.value.message


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("CALL", TouchpointKind.CALL),
        ("Calls", TouchpointKind.CALL),
        ("EMAIL", TouchpointKind.EMAIL),
        ("INCOMING_EMAIL", TouchpointKind.EMAIL),
        ("Forwarded email", TouchpointKind.EMAIL),
        ("MEETING", TouchpointKind.MEETING),
        ("Event", TouchpointKind.MEETING),
        ("NOTE", TouchpointKind.NOTE),
        ("TASK", TouchpointKind.NOTE),
        ("Other", TouchpointKind.NOTE),
        ("LINKEDIN_MESSAGE", TouchpointKind.CHAT),
        ("WHATS_APP", TouchpointKind.CHAT),
        ("Case", TouchpointKind.TICKET),
        ("renewal", TouchpointKind.RENEWAL),
        ("", TouchpointKind.NOTE),
    ],
)
def test_crm_activity_types_map_to_our_kinds(written, kind):
    assert parse_crm_kind(written) == kind


def test_an_unknown_kind_lists_ours():
    with pytest.raises(BadValue) as raised:
        parse_crm_kind("FAX")
    assert raised.value.code == "unknown kind"
    assert "call, email, meeting" in raised.value.message


def test_slack_user_ids_and_emails_are_told_apart():
    assert is_slack_user_id("U0ANA") and is_slack_user_id("W012ABCDE")
    assert not is_slack_user_id("u0ana") and not is_slack_user_id("Ana Lopez") and not is_slack_user_id("U")
    assert is_email("ana@acme.example") and is_email("ana.lopez+crm@sub.acme.example")
    assert not is_email("Ana Lopez") and not is_email("ana@localhost") and not is_email("<ana@acme.example>")
