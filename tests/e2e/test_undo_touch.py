"""Undo under /touch: a touchpoint logged on the wrong customer or day is taken back, counters and health with it."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Customer, Touchpoint
from tests.e2e.helpers import buttons, click, reply_text, run

MEMBER = "U0MEMBER"  # not a workspace admin


def undo_of(reply: dict) -> dict:
    [undo] = [button for button in buttons(reply) if button["action_id"] == "undo_change"]
    return undo


def test_undo_takes_the_touchpoint_back_with_its_counters(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    bot.clock.advance(days=3)
    assert "dated" in reply_text(run(bot, "/touch", '"Acme Corp" call 2d ago checked in'))
    with bot.session_factory() as session:
        before = session.scalars(select(Customer)).one()
        last_touch, loyalty = before.last_touch_at, before.loyalty_events
    logged = run(bot, "/touch", '"Acme Corp" renewal renewed for two years')
    assert "You can undo this for 10 minutes." in reply_text(logged)
    undone = click(bot, undo_of(logged))
    assert "Undone" in reply_text(undone)
    with bot.session_factory() as session:
        after = session.scalars(select(Customer)).one()
        assert session.scalar(select(func.count()).select_from(Touchpoint)) == 1
        assert (after.last_touch_at, after.loyalty_events) == (last_touch, loyalty)
    again = click(bot, undo_of(logged))
    assert "already" in reply_text(again).lower()


def test_only_the_rep_who_logged_it_or_an_admin_can_undo_it(bot):
    run(bot, "/customer", 'add "Acme Corp" retention', user_id=MEMBER)
    logged = run(bot, "/touch", '"Acme Corp" call', user_id=MEMBER)
    refused = click(bot, undo_of(logged), user_id="U0OTHER")
    assert "⚠️" in reply_text(refused)
    with bot.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Touchpoint)) == 1


def test_undo_expires_after_ten_minutes(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    logged = run(bot, "/touch", '"Acme Corp" call')
    bot.clock.advance(minutes=11)
    expired = reply_text(click(bot, undo_of(logged)))
    assert "expired" in expired and "log a `note`" in expired
    with bot.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Touchpoint)) == 1
