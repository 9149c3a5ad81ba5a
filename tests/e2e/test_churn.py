"""Churn is not a handoff: a reason is needed, a customer lost is announced, a lost deal is only counted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from bot.scheduler import run_sla_sweep
from lifecycle.states import HandoffStatus, OutboxKind
from storage.models import Customer, Handoff, OutboxMessage, Workspace
from tests.e2e.helpers import blocks_text, deliver_everything_due, reply_text, route, run, snapshot

SERVICES = "C0ONBOARD"
SUCCESS = "C0CS"
MANAGERS = "C0MGMT"


def posts_to(bot, channel: str) -> list:
    return [
        call
        for call in bot.standin.calls_to("chat.postMessage")
        if call.params.get("channel") == channel and not call.failed_with
    ]


def set_facts(bot, name: str, *, value: str | None = None, renewal: date | None = None, currency: str | None = None):
    # As /customer set and /lifecycle currency store them (those commands are tested with their parsers).
    with bot.session_factory.begin() as session:
        customer = session.scalars(select(Customer).where(Customer.name == name)).one()
        customer.value = Decimal(value) if value else None
        customer.renewal_date = renewal
        session.get(Workspace, customer.workspace_id).currency = currency


def test_churn_from_retention_tells_success_and_the_managers_once_each(bot):
    route(bot, "success", SUCCESS)
    route(bot, "managers", MANAGERS)
    run(bot, "/customer", 'add "Acme Corp" retention <@U0CSM|cs>')
    run(bot, "/touch", "acme call They asked about cancelling")
    set_facts(bot, "Acme Corp", value="12000", renewal=date(2027, 3, 1), currency="EUR")

    reply = reply_text(run(bot, "/stage", "acme churned went with a competitor"))
    assert "A customer lost: I'm telling <#C0CS> and <#C0MGMT>." in reply
    assert "Handoff" not in reply

    deliver_everything_due(bot)
    [to_success], [to_managers] = posts_to(bot, SUCCESS), posts_to(bot, MANAGERS)
    for notice in (to_success, to_managers):
        text = blocks_text(notice.params["blocks"])
        for expected in [
            "Customer lost: Acme Corp",
            "churned from *Retention*, marked by <@U0REP>",
            "*Why:* went with a competitor",
            "EUR 12,000 a year",
            "1 Mar 2027",
            "<@U0CSM>",
            "They asked about cancelling",
        ]:
            assert expected in text, expected
    with bot.session_factory() as session:
        assert session.scalars(select(Handoff)).all() == []
        kinds = session.scalars(select(OutboxMessage.kind)).all()
    assert kinds.count(OutboxKind.CUSTOMER_LOST) == 2


def test_success_and_managers_sharing_a_channel_get_one_notice(bot):
    route(bot, "success", SUCCESS)
    route(bot, "managers", SUCCESS)
    run(bot, "/customer", 'add "Acme Corp" loyalty')
    run(bot, "/stage", "acme lost price")
    deliver_everything_due(bot)
    [notice] = posts_to(bot, SUCCESS)
    assert "Customer lost: Acme Corp" in notice.params["text"]
    assert "Value*\nnot on record" in blocks_text(notice.params["blocks"])


def test_a_lost_deal_posts_nothing_but_counts_in_the_funnel_and_the_digest(bot):
    route(bot, "sales", "C0SALES")
    route(bot, "success", SUCCESS)
    route(bot, "managers", MANAGERS)
    run(bot, "/customer", 'add "Initech" acquisition')
    run(bot, "/customer", 'add "Acme Corp" retention')
    reply = reply_text(run(bot, "/stage", "initech churned no budget"))
    assert "A lost deal: it counts in the funnel and the digest" in reply
    deliver_everything_due(bot)
    assert bot.standin.calls_to("chat.postMessage") == []

    run(bot, "/stage", "acme churned bad service")
    bot.clock.advance(minutes=1)  # the window ends now, and takes what happened before
    funnel = reply_text(run(bot, "/lifecycle", "funnel"))
    assert "Churned this period: 2 (1 deal lost, 1 customer lost)" in funnel
    run(bot, "/lifecycle", "digest now")
    deliver_everything_due(bot)
    [digest] = [call for call in posts_to(bot, MANAGERS) if "digest" in call.params["text"]]
    assert "1 deal lost, 1 customer lost" in blocks_text(digest.params["blocks"])


def test_churn_without_a_reason_is_refused_with_common_reasons_and_changes_nothing(bot):
    route(bot, "success", SUCCESS)
    run(bot, "/customer", 'add "Acme Corp" retention')
    before = snapshot(bot)
    reply = reply_text(run(bot, "/stage", "acme churned"))
    assert "Marking Acme Corp as churned needs a reason" in reply
    assert "went with a competitor, price, no budget" in reply
    assert snapshot(bot) == before
    deliver_everything_due(bot)
    assert bot.standin.calls_to("chat.postMessage") == []


def test_churn_closes_a_waiting_handoff_so_it_is_never_reminded_or_escalated(bot):
    route(bot, "services", SERVICES)
    route(bot, "success", SUCCESS)
    route(bot, "managers", MANAGERS)
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    run(bot, "/stage", "acme conversion Signed")
    deliver_everything_due(bot)
    run(bot, "/stage", "acme churned went out of business")
    deliver_everything_due(bot)
    with bot.session_factory() as session:
        assert session.scalars(select(Handoff.status)).all() == [HandoffStatus.SUPERSEDED]
    [update] = bot.standin.calls_to("chat.update")
    assert "No longer needed: *Acme Corp* was lost (churned)" in blocks_text(update.params["blocks"])
    assert "Accept" not in str(update.params["blocks"])

    bot.clock.advance(days=7)
    assert run_sla_sweep(bot.session_factory, clock=bot.clock, notify=bot.dispatcher.nudge) == 0
    deliver_everything_due(bot)
    assert len(posts_to(bot, SERVICES)) == 1  # the alert only: no reminder
    assert [call.params["text"] for call in posts_to(bot, MANAGERS)] == [
        "Customer lost: Acme Corp (from Conversion): went out of business"
    ]


def test_reactivating_a_churned_customer_is_a_normal_move(bot):
    route(bot, "sales", "C0SALES")
    route(bot, "success", SUCCESS)
    run(bot, "/customer", 'add "Acme Corp" retention')
    run(bot, "/stage", "acme churned price")
    reply = reply_text(run(bot, "/stage", "acme retention"))  # no reason needed, same team: no handoff
    assert "Moved *Acme Corp*: *Churned* → *Retention*" in reply
    assert "lost" not in reply and "Handoff" not in reply
    deliver_everything_due(bot)
    assert len(posts_to(bot, SUCCESS)) == 1  # the notice of the churn, nothing about coming back

    run(bot, "/stage", "acme churned price")
    reply = reply_text(run(bot, "/stage", "acme acquisition"))  # back to sales: the usual handoff
    assert "Handoff to Sales" in reply
    with bot.session_factory() as session:
        assert session.scalars(select(Customer.stage)).one() == "acquisition"
