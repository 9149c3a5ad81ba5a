"""An archived customer is hidden from lists, health, digests, the App Home and SLA reminders; its data is kept."""

from __future__ import annotations

from sqlalchemy import func, select

from lifecycle.sla import check_slas
from storage.models import Handoff, OutboxMessage, Touchpoint
from tests.e2e.helpers import deliver_everything_due, reply_text, route, run


def test_an_archived_customer_s_open_handoff_is_neither_reminded_nor_escalated_nor_waiting(bot):
    route(bot, "services", "C0SERV")
    route(bot, "managers", "C0MGR")
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    run(bot, "/touch", '"Acme Corp" call signed')
    run(bot, "/stage", '"Acme Corp" conversion Signed the contract')
    deliver_everything_due(bot)
    assert "⚠️" not in reply_text(run(bot, "/customer", 'archive "Acme Corp"'))
    bot.clock.advance(days=3)
    with bot.session_factory.begin() as session:
        check_slas(session, now=bot.clock())
        outbox = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind.in_(["handoff.reminder", "handoff.escalation"]))
        )
        assert outbox == 0
        assert session.scalar(select(func.count()).select_from(Handoff)) == 1  # kept, just not chased
        assert session.scalar(select(func.count()).select_from(Touchpoint)) == 1
    run(bot, "/customer", 'restore "Acme Corp"')
    bot.clock.advance(minutes=1)
    with bot.session_factory.begin() as session:
        check_slas(session, now=bot.clock())
        reminded = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind.in_(["handoff.reminder", "handoff.escalation"]))
        )
    assert reminded == 2  # restored: late as it really is


def test_an_archived_customer_is_not_suggested_for_loyalty(bot):
    run(bot, "/customer", 'add "Loyal Co" retention')
    for _ in range(3):
        run(bot, "/touch", '"Loyal Co" renewal renewed happily')
    run(bot, "/feedback", '"Loyal Co" We love it, great service')
    bot.clock.advance(days=120)
    assert "Loyal Co" in reply_text(run(bot, "/lifecycle", "loyal"))
    run(bot, "/customer", 'archive "Loyal Co"')
    assert "Loyal Co" not in reply_text(run(bot, "/lifecycle", "loyal"))
