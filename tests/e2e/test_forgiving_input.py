"""Phrasings reps type, answered as they meant them, through the running bot (issue 13)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from storage.models import Customer, Touchpoint, Workspace
from tests.e2e.helpers import reply_text, run, snapshot

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def acme(bot):
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    run(bot, "/customer", 'add "Initech" acquisition')
    return bot


def _touches(bot, name: str) -> list[Touchpoint]:
    with bot.session_factory() as session:
        customer = session.scalars(select(Customer).where(Customer.name == name)).one()
        return list(session.scalars(select(Touchpoint).where(Touchpoint.customer_id == customer.id)))


@pytest.mark.parametrize("command", ["/touch", "/stage", "/feedback", "/customer", "/lifecycle"])
def test_help_as_the_first_word_shows_the_usage_not_a_warning(bot, command):
    text = reply_text(run(bot, command, "help"))
    assert "⚠️" not in text
    assert command in text


def test_a_lifecycle_typo_gets_one_line_with_the_closest_command(bot):
    body = run(bot, "/lifecycle", "rotues")
    text = reply_text(body)
    assert "Did you mean `/lifecycle routes`?" in text
    assert "Usage" not in text and len(body["blocks"]) == 1


def test_stage_with_to_before_the_stage(acme):
    text = reply_text(run(acme, "/stage", "acme corp to conversion"))
    assert "Moved *Acme Corp*" in text and "*Conversion*" in text


@pytest.mark.parametrize(("alias", "label"), [("onboarding", "Conversion"), ("advocate", "Loyalty")])
def test_new_stage_aliases(acme, alias, label):
    text = reply_text(run(acme, "/stage", f"initech {alias} fast track"))
    assert f"*{label}*" in text


def test_churn_is_a_stage_word(acme):
    text = reply_text(run(acme, "/stage", "initech churn went with a competitor"))
    assert "*Churned*" in text
    assert "not a stage" not in text


@pytest.mark.parametrize("text", ["at risk", "at-risk"])
def test_at_risk_with_a_space_in_both_commands(acme, text):
    for command, words in (("/lifecycle", text), ("/customer", f"list {text}")):
        reply = reply_text(run(acme, command, words))
        assert "at risk" in reply.lower()
        assert "⚠️" not in reply


def test_sla_durations_as_people_write_them(bot):
    assert "⚠️" not in reply_text(run(bot, "/lifecycle", "sla 4 hours"))
    with bot.session_factory() as session:
        assert session.get(Workspace, "T0ACME").sla_hours == 4.0
    run(bot, "/lifecycle", "sla 2 days")  # two working days of 09:00-17:00
    with bot.session_factory() as session:
        assert session.get(Workspace, "T0ACME").sla_hours == 16.0


def test_a_touch_dated_yesterday_is_yesterday_in_the_workspace_s_time_zone(acme):
    run(acme, "/lifecycle", "sla Europe/Berlin")
    # 23:30 UTC on Monday is already Tuesday 00:30 in Berlin: "yesterday" there is Monday.
    acme.clock.now = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    text = reply_text(run(acme, "/touch", '"Acme Corp" call yesterday talked pricing'))
    assert "dated" in text
    (touch,) = _touches(acme, "Acme Corp")
    assert touch.occurred_at.astimezone(BERLIN).date() == date(2026, 11, 23)
    assert touch.note == "talked pricing"


def test_a_weekday_and_days_ago(acme):
    acme.clock.now = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # a Friday
    run(acme, "/touch", "acme meeting monday kickoff")
    run(acme, "/touch", "acme email 2d ago sent the quote")
    days = sorted(touch.occurred_at.date() for touch in _touches(acme, "Acme Corp"))
    assert days == [date(2026, 11, 23), date(2026, 11, 25)]


@pytest.mark.parametrize(
    ("when", "expected"),
    [("2026-11-30", "in the future"), ("2026-11-01", "before this customer was added")],
)
def test_a_future_or_too_early_date_is_refused_and_changes_nothing(acme, when, expected):
    before = snapshot(acme)
    text = reply_text(run(acme, "/touch", f"acme call {when} hello"))
    assert expected in text
    assert "Usage" not in text  # the syntax was right: no usage block, just why
    assert snapshot(acme) == before


def test_people_stay_mentions_and_emails_and_links_read_plainly(acme):
    typed = "call with <@U0CS|cs>, wrote <mailto:bob@acme.com|bob@acme.com> about <http://acme.com|acme.com>"
    text = reply_text(run(acme, "/touch", f'"Acme Corp" {typed}'))
    assert "<@U0CS>" in text
    assert "bob@acme.com" in text and "mailto" not in text
    assert "acme.com (" not in text
    assert "&lt;@" not in text and "|cs" not in text
    profile = reply_text(run(acme, "/customer", '"Acme Corp"'))
    assert "<@U0CS>" in profile and "mailto" not in profile
