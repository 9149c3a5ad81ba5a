"""The Undo button under a record change: once, for 10 minutes, by its author or an admin, never over a newer one."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from storage.models import AuditEvent, Customer, CustomerTeamOwner, Workspace
from tests.conftest import SIGNING_SECRET
from tests.e2e.helpers import buttons, click, reply_text, route, run, snapshot
from tests.slack_requests import SlackSender

MEMBER = "U0MEMBER"  # not a workspace admin
OTHER = "U0OTHER"


def undo_of(reply: dict) -> dict:
    [undo] = [button for button in buttons(reply) if button["action_id"] == "undo_change"]
    return undo


def acme(bot) -> Customer:
    with bot.session_factory() as session:
        return session.scalars(select(Customer).where(Customer.name_key.like("acme%"))).one()


def entries(bot) -> list[AuditEvent]:
    with bot.session_factory() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_undo_puts_the_old_name_back_in_place_of_the_reply_and_is_audited(bot):
    run(bot, "/customer", 'add "Acme"')
    renamed = run(bot, "/customer", 'rename "Acme" "Acme Corp"')
    undone = click(bot, undo_of(renamed))
    assert undone["replace_original"] is True
    assert reply_text(undone).startswith("↩️ Undone: *Acme Corp* is called *Acme* again.")
    assert (acme(bot).name, acme(bot).name_key, acme(bot).fold_key) == ("Acme", "acme", "acme")
    *_, rename, undo = entries(bot)
    assert (rename.action, undo.action, undo.details["undid"]) == ("customer.renamed", "change.undone", rename.id)
    assert rename.undone_at is not None
    assert "undid a rename" in reply_text(run(bot, "/lifecycle", 'audit "Acme"'))


def test_a_change_is_undone_once(bot):
    run(bot, "/customer", 'add "Acme"')
    undo = undo_of(run(bot, "/customer", 'rename "Acme" "Acme Corp"'))
    click(bot, undo)
    before = snapshot(bot)
    assert "That change was undone already." in reply_text(click(bot, undo))
    assert snapshot(bot) == before


def test_after_ten_minutes_the_button_says_it_expired_and_how_to_change_it_by_command(bot, clock):
    run(bot, "/customer", 'add "Acme"')
    undo = undo_of(run(bot, "/customer", 'rename "Acme" "Acme Corp"'))
    clock.advance(minutes=10, seconds=1)
    before = snapshot(bot)
    expired = click(bot, undo)
    assert "This Undo button expired: a change can be undone for 10 minutes." in reply_text(expired)
    assert '/customer rename "Acme Corp" "&lt;old name&gt;"' in reply_text(expired)
    assert expired["replace_original"] is False  # the change's own reply stays
    assert snapshot(bot) == before


def test_only_the_author_or_an_admin_may_undo(bot):
    run(bot, "/customer", 'add "Acme"')
    undo = undo_of(run(bot, "/customer", 'rename "Acme" "Acme Corp"', user_id=MEMBER))
    before = snapshot(bot)
    refused = reply_text(click(bot, undo, user_id=OTHER))
    assert "Only <@U0MEMBER>, who made this change, or an admin can undo it." in refused
    assert snapshot(bot) == before
    assert "Undone" in reply_text(click(bot, undo, user_id="U0REP"))  # a workspace admin


def test_undo_refuses_when_the_record_changed_since(bot):
    run(bot, "/customer", 'add "Acme"')
    first = undo_of(run(bot, "/customer", 'rename "Acme" "Acme Corp"'))
    run(bot, "/customer", 'rename "Acme Corp" "Acme Corporation"')
    before = snapshot(bot)
    refused = reply_text(click(bot, first))
    assert "It was renamed again since (to “Acme Corporation”), so I can't undo this." in refused
    assert '/customer rename "Acme Corporation" "Acme"' in refused
    assert snapshot(bot) == before


def test_undo_gives_the_customer_its_previous_owner_back(bot):
    run(bot, "/customer", 'add "Acme" conversion')
    undo = undo_of(run(bot, "/customer", "owner acme <@U0OLGA|olga>"))
    assert "↩️ Undone: <@U0REP> owns *Acme* again." in reply_text(click(bot, undo))
    with bot.session_factory() as session:
        assert session.get(CustomerTeamOwner, (acme(bot).id, "services")).user_id == "U0REP"
    assert acme(bot).owner_user_id == "U0REP"


def test_undo_of_archive_and_of_restore(bot):
    run(bot, "/customer", 'add "Acme"')
    archived = run(bot, "/customer", "archive acme")
    assert "Acme" not in reply_text(run(bot, "/customer", "list"))
    assert "is back in lists" in reply_text(click(bot, undo_of(archived)))
    assert "Acme" in reply_text(run(bot, "/customer", "list"))
    run(bot, "/customer", "archive acme")
    restored = run(bot, "/customer", 'restore "Acme"')
    assert "↩️ Undone: *Acme* is archived again." in reply_text(click(bot, undo_of(restored)))
    assert acme(bot).archived_at is not None


def test_undo_of_a_value_puts_the_previous_one_back_unless_it_changed_again(bot):
    run(bot, "/customer", 'add "Acme"')
    run(bot, "/lifecycle", "currency EUR")
    run(bot, "/customer", "set acme value 10k")
    raised = run(bot, "/customer", "set acme value 12k")
    assert "↩️ Undone: *Acme* has a value of EUR 10,000 a year again." in reply_text(click(bot, undo_of(raised)))
    assert acme(bot).value == Decimal("10000")
    first = run(bot, "/customer", "set acme renewal 2027-03-31")
    run(bot, "/customer", "set acme renewal 2027-06-30")
    assert "Its renewal was changed again since" in reply_text(click(bot, undo_of(first)))


def test_undo_of_the_currency_is_for_admins_and_announced(bot):
    route(bot, "managers", "C0MGR")
    changed = run(bot, "/lifecycle", "currency EUR")
    assert "Only an admin can undo it." in reply_text(click(bot, undo_of(changed), user_id=MEMBER))
    assert "↩️ Undone: the workspace has no currency again." in reply_text(click(bot, undo_of(changed)))
    with bot.session_factory() as session:
        assert session.get(Workspace, "T0ACME").currency is None
    texts = [call.params["text"] for call in bot.standin.wait_for_calls("chat.postMessage", count=2)]
    assert any("set the currency to EUR" in text for text in texts)
    assert any("cleared the currency (an undo)" in text for text in texts)


def test_a_forged_or_foreign_undo_changes_nothing(bot):
    run(bot, "/customer", 'add "Acme"')
    undo = undo_of(run(bot, "/customer", 'rename "Acme" "Acme Corp"'))
    before = snapshot(bot)
    assert "That button no longer works" in reply_text(click(bot, {**undo, "value": "drop table"}))
    other = SlackSender(bot.slack.bot_url, SIGNING_SECRET, team_id="T0OTHER", standin=bot.standin)
    sent = other.block_action("undo_change", undo["value"], user_id="U0REP")
    foreign = bot.standin.wait_for_response_posts(count=1, url=sent.response_url)[0].body
    assert "I couldn't find that change." in reply_text(foreign)
    created = [event.id for event in entries(bot) if event.action == "customer.created"]
    assert "That change can't be undone." in reply_text(click(bot, {**undo, "value": str(created[0])}))
    assert snapshot(bot) == before
