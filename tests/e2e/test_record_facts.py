"""The facts on a record (annual value, renewal date, archived) everywhere a rep or manager looks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from lifecycle.risk import refresh_customer_health
from lifecycle.stages import Stage
from storage.models import Customer, Workspace
from tests.e2e.helpers import blocks_text, deliver_everything_due, reply_text, route, run
from tests.seeding import History

WS = "T0ACME"
MANAGERS = "C0MGMT"


def set_facts(bot, name: str, *, value: str | None = None, renews_in: int | None = None, currency: str | None = None):
    """As `/customer set` and `/lifecycle currency` store them; the customer is re-assessed, as after any change."""
    with bot.session_factory.begin() as session:
        customer = session.scalars(select(Customer).where(Customer.name == name)).one()
        customer.value = Decimal(value) if value else None
        customer.renewal_date = bot.clock().date() + timedelta(days=renews_in) if renews_in is not None else None
        session.get(Workspace, WS).currency = currency
        session.flush()
        refresh_customer_health(session, workspace_id=WS, customer_id=customer.id, now=bot.clock())


def customers_with_history(bot) -> None:
    """Globex quiet for 28 days (on watch by itself), Initech quiet for 30, Hooli in touch (healthy)."""
    with bot.session_factory.begin() as session:
        history = History(session, now=bot.clock())
        for name, quiet in (("Globex", 28), ("Initech", 30), ("Hooli", 2), ("Umbrella", 28)):
            customer = history.customer(name, Stage.RETENTION, days_ago=120)
            history.touch(customer, days_ago=quiet)


def test_the_profile_shows_value_and_renewal_with_the_workspace_currency(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    assert "Value" not in reply_text(run(bot, "/customer", '"Acme Corp"'))
    set_facts(bot, "Acme Corp", value="12000", renews_in=98)
    profile = reply_text(run(bot, "/customer", '"Acme Corp"'))
    assert "*Value*\n12,000 a year" in profile
    assert "*Renewal*\n1 Mar 2027 (in 98 days)" in profile
    set_facts(bot, "Acme Corp", value="12000.50", renews_in=98, currency="EUR")
    assert "*Value*\nEUR 12,000.50 a year" in reply_text(run(bot, "/customer", '"Acme Corp"'))


def test_an_archived_customer_says_so_in_its_profile(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    with bot.session_factory.begin() as session:
        session.scalars(select(Customer)).one().archived_at = bot.clock()
    profile = reply_text(run(bot, "/customer", '"Acme Corp"'))
    assert "Acme Corp (archived)" in profile and '`/customer restore "Acme Corp"`' in profile


def test_the_handoff_alert_shows_value_and_renewal(bot):
    route(bot, "services", "C0ONBOARD")
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    set_facts(bot, "Acme Corp", value="48000", renews_in=365, currency="USD")
    run(bot, "/stage", "acme conversion Signed")
    [alert] = bot.standin.wait_for_calls("chat.postMessage")
    text = blocks_text(alert.params["blocks"])
    assert "*Value*\nUSD 48,000 a year" in text and "*Renewal*\n23 Nov 2027 (in 365 days)" in text


def test_a_close_renewal_while_on_watch_is_a_red_flag_with_the_value(bot):
    customers_with_history(bot)
    set_facts(bot, "Globex", value="12000", renews_in=23, currency="EUR")  # on watch, renewal in the window
    set_facts(bot, "Umbrella", value="5000", renews_in=90, currency="EUR")  # on watch, renewal beyond it
    set_facts(bot, "Hooli", value="90000", renews_in=10, currency="EUR")  # healthy: a renewal is no worry
    profile = reply_text(run(bot, "/customer", "globex"))
    assert "🔴 at risk\n• renews in 23 days (EUR 12,000 a year)\n• no touchpoint for 28 days" in profile
    assert "renews in" not in reply_text(run(bot, "/customer", "umbrella"))
    assert "🟡 watch" in reply_text(run(bot, "/customer", "umbrella"))
    assert "🟢 healthy" in reply_text(run(bot, "/customer", "hooli"))
    at_risk = reply_text(run(bot, "/lifecycle", "at-risk"))
    assert "Globex" in at_risk and "Hooli" not in at_risk and "Umbrella" not in at_risk


def test_the_digest_shows_the_value_at_stake_of_the_at_risk_list(bot):
    route(bot, "managers", MANAGERS)
    customers_with_history(bot)
    set_facts(bot, "Globex", value="12000", renews_in=23, currency="EUR")
    set_facts(bot, "Initech", value="3000.50", renews_in=40, currency="EUR")
    set_facts(bot, "Umbrella", value="5000", currency="EUR")  # on watch: not at stake
    run(bot, "/lifecycle", "digest now")
    deliver_everything_due(bot)
    [digest] = [call for call in bot.standin.calls_to("chat.postMessage") if "digest" in call.params["text"]]
    text = blocks_text(digest.params["blocks"])
    assert "*🔴 At risk (2) · EUR 15,000.50 a year at stake*" in text
    assert "*Globex* — Retention · <@U0CSM> · *" in text and "/100 · 💰 EUR 12,000\n" in text
    assert "💰 EUR 3,000.50" in text
    assert "💰 EUR 5,000" not in text


def test_setting_a_close_renewal_on_a_customer_on_watch_alerts_its_team_once(bot):
    route(bot, "success", "C0CS")
    customers_with_history(bot)
    renewal = (bot.clock().date() + timedelta(days=23)).isoformat()
    run(bot, "/customer", f"set globex renewal {renewal}")
    run(bot, "/customer", "set globex value 12000")
    deliver_everything_due(bot)
    alerts = [call for call in bot.standin.calls_to("chat.postMessage") if call.params["channel"] == "C0CS"]
    assert len(alerts) == 1
    text = blocks_text(alerts[0].params["blocks"])
    assert "Globex" in text and "renews in 23 days" in text
