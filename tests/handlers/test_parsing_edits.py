"""Parsing /customer rename|merge|owner|archive|restore|set and /lifecycle currency, phrased as people type them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from handlers.parsing import UsageError, parse_customer_command
from handlers.parsing_lifecycle import parse_lifecycle_command
from handlers.requests import (
    ArchiveCustomer,
    MergeCustomers,
    RenameCustomer,
    SetCurrency,
    SetCustomerFact,
    SetOwner,
)
from lifecycle.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('rename "Acme" "Acme Corp"', RenameCustomer("Acme", "Acme Corp")),
        ("rename “Acme” “Acme Corp”", RenameCustomer("Acme", "Acme Corp")),
        ('rename acme "Acme Corp"', RenameCustomer("acme", "Acme Corp")),
        ("rename initech Initech", RenameCustomer("initech", "Initech")),
        ('rename "Acme" to "Acme Corp"', RenameCustomer("Acme", "Acme Corp")),
        ("rename acme corp to Acme Corporation", RenameCustomer("acme corp", "Acme Corporation")),
        ('RENAME "Acme" Acme Corp', RenameCustomer("Acme", "Acme Corp")),
    ],
)
def test_rename(text, expected):
    assert parse_customer_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rename", "Which customer should I rename, and to what?"),
        ('rename "Acme"', "Which customer should I rename, and to what?"),
        ("rename acme corp acme", "I can't tell where the old name ends and the new one starts"),
    ],
)
def test_rename_mistakes_show_the_syntax_and_an_example(text, message):
    with pytest.raises(UsageError, match=message) as raised:
        parse_customer_command(text)
    assert '/customer rename "<old name>" "<new name>"' in str(raised.value.hint)
    assert '/customer rename "Acme" "Acme Corp"' in str(raised.value.hint)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('merge "Acme Inc" into "Acme Corp"', MergeCustomers("Acme Inc", "Acme Corp")),
        ("merge acme corp into acme", MergeCustomers("acme corp", "acme")),
        ("merge initech INTO Initech", MergeCustomers("initech", "Initech")),
        ('merge "Into the Woods" into woods', MergeCustomers("Into the Woods", "woods")),
    ],
)
def test_merge(text, expected):
    assert parse_customer_command(text) == expected


@pytest.mark.parametrize("text", ["merge", 'merge "Acme" "Acme Corp"', "merge acme into", "merge into acme"])
def test_merge_needs_into_between_two_names(text):
    with pytest.raises(UsageError, match="Put `into` between them"):
        parse_customer_command(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('owner "Acme Corp" <@U0OLGA|olga>', SetOwner("Acme Corp", "U0OLGA")),
        ("owner acme <@U0OLGA>", SetOwner("acme", "U0OLGA")),
        ("owner acme corp to <@U0OLGA|olga>", SetOwner("acme corp", "U0OLGA")),
        ("owner <@U0OLGA|olga> initech", SetOwner("initech", "U0OLGA")),
    ],
)
def test_owner(text, expected):
    assert parse_customer_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("owner acme @olga", "I can't tell who @olga is"),
        ("owner acme", "Who should own it?"),
        ("owner acme <@U0A> <@U0B>", "A customer has one owner"),
        ("owner <@U0OLGA|olga>", "Which customer?"),
    ],
)
def test_owner_mistakes(text, message):
    with pytest.raises(UsageError, match=message):
        parse_customer_command(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('archive "Acme Corp"', ArchiveCustomer("Acme Corp")),
        ("archive initech", ArchiveCustomer("initech")),
        ("archive blue called them", ArchiveCustomer("blue called them")),
        ('restore "Acme Corp"', ArchiveCustomer("Acme Corp", restore=True)),
        ("unarchive initech", ArchiveCustomer("initech", restore=True)),
    ],
)
def test_archive_and_restore(text, expected):
    assert parse_customer_command(text) == expected


@pytest.mark.parametrize("verb", ["archive", "restore"])
def test_archive_and_restore_need_a_name(verb):
    with pytest.raises(UsageError, match=f"Which customer should I {verb}?"):
        parse_customer_command(verb)


@pytest.mark.parametrize(
    ("typed", "value", "currency"),
    [
        ("12000", "12000", None),
        ("12,000", "12000", None),
        ("12k", "12000", None),
        ("12K", "12000", None),
        ("1.5m", "1500000", None),
        ("€12,000", "12000", "€"),
        ("12000 EUR", "12000", "EUR"),
        ("12000 eur", "12000", "EUR"),
        ("EUR 12,000", "12000", "EUR"),
        ("$1,200.50", "1200.50", "$"),
        ("12.000,50", "12000.50", None),
        ("1 000 000", "1000000", None),
        ("0", "0", None),
    ],
)
def test_set_value_reads_amounts_as_people_write_them(typed, value, currency):
    parsed = parse_customer_command(f'set "Acme Corp" value {typed}')
    assert parsed == SetCustomerFact("Acme Corp", "value", Decimal(value), currency)


@pytest.mark.parametrize("cleared", ["none", "-", "None", "clear"])
def test_none_clears_a_value_or_a_renewal(cleared):
    assert parse_customer_command(f"set acme value {cleared}") == SetCustomerFact("acme", "value", None)
    assert parse_customer_command(f"set acme renewal {cleared}") == SetCustomerFact("acme", "renewal", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('set "Acme Corp" renewal 2027-03-31', SetCustomerFact("Acme Corp", "renewal", date(2027, 3, 31))),
        ("set acme corp renewal date 2027-03-31", SetCustomerFact("acme corp", "renewal", date(2027, 3, 31))),
        ("set acme corp arr 40k", SetCustomerFact("acme corp", "value", Decimal("40000"))),
        ("set initech value to 5000", SetCustomerFact("initech", "value", Decimal("5000"))),
    ],
)
def test_set_names_with_spaces_and_other_words_for_the_facts(text, expected):
    assert parse_customer_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("set acme value -5", "A value can't be negative"),
        ("set acme value −5", "A value can't be negative"),
        ("set acme value lots", "“lots” is not an amount"),
        ("set acme value 12 EURO", "is not an amount"),
        ("set acme value 12 ABC", "“ABC” is not an ISO 4217 currency code"),
        ("set acme value 99999999999999", "more than I can store"),
        ("set acme renewal 2027-02-30", "“2027-02-30” is not a date"),
        ("set acme renewal next year", "“next year” is not a date"),
        ("set acme renewal 31/03/2027", "is not a date"),
        ("set acme value", "What should the value be?"),
        ("set acme colour blue", "its `value` or its `renewal` date"),
        ("set", "its `value` or its `renewal` date"),
    ],
)
def test_set_mistakes_say_what_was_wrong(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_customer_command(text)


def test_every_usage_error_shows_the_syntax_and_an_example():
    with pytest.raises(UsageError) as raised:
        parse_customer_command("set acme colour blue")
    assert '/customer set "<name>" value <amount>' in str(raised.value.hint)
    assert '/customer set "Acme Corp" value 12,000' in str(raised.value.hint)


@pytest.mark.parametrize(("typed", "code"), [("EUR", "EUR"), ("eur", "EUR"), ("chf", "CHF"), ("JPY", "JPY")])
def test_currency_takes_an_iso_code_in_any_case(typed, code):
    assert parse_lifecycle_command(f"currency {typed}") == SetCurrency(code)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("currency EURO", "not an ISO 4217"),
        ("currency XYZ", "not an ISO 4217"),
        ("currency", "Which currency?"),
        ("currency eur usd", "Which currency?"),
    ],
)
def test_currency_mistakes(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_lifecycle_command(text)
