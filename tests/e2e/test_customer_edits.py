"""Fixing a record by command: rename, owner, archive and restore, value and renewal, the workspace currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from storage.models import AuditEvent, Customer, CustomerTeamOwner, Workspace
from tests.e2e.helpers import buttons, reply_text, route, run, snapshot

MEMBER = "U0MEMBER"


def customer(bot, name: str) -> Customer:
    with bot.session_factory() as session:
        return session.scalars(select(Customer).where(Customer.name == name)).one()


def actions_of(bot) -> list[str]:
    with bot.session_factory() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_rename_keeps_everything_and_finds_the_customer_by_its_new_name(bot):
    run(bot, "/customer", 'add "Acme" acquisition')
    run(bot, "/touch", "acme call kickoff")
    reply = run(bot, "/customer", 'rename "Acme" "Acme Corp"')
    assert reply_text(reply).startswith("✏️ Renamed *Acme* to *Acme Corp*.")
    assert [button["text"]["text"] for button in buttons(reply)] == ["Undo"]
    renamed = customer(bot, "Acme Corp")
    assert (renamed.name_key, renamed.fold_key, renamed.stage.value) == ("acme corp", "acme", "acquisition")
    assert "Acme Corp" in reply_text(run(bot, "/customer", '"acme corp"'))
    assert actions_of(bot)[-1] == "customer.renamed"


def test_rename_takes_unquoted_single_words_and_to(bot):
    run(bot, "/customer", "add initech")
    assert "Renamed *initech* to *Initech*" in reply_text(run(bot, "/customer", "rename initech Initech"))
    assert "Renamed *Initech* to *Initech Ltd*" in reply_text(run(bot, "/customer", "rename initech to Initech Ltd"))


def test_rename_refuses_a_name_another_customer_has_or_reads_as(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    run(bot, "/customer", 'add "Acme Labs"')
    before = snapshot(bot)
    taken = reply_text(run(bot, "/customer", 'rename "Acme Labs" "acme corp"'))
    assert "There is already a customer called “Acme Corp”" in taken
    assert '/customer merge "Acme Labs" into "Acme Corp"' in taken
    lookalike = reply_text(run(bot, "/customer", 'rename "Acme Labs" "ACME Corp."'))
    assert "There is already a customer called “Acme Corp”" in lookalike
    assert snapshot(bot) == before


def test_bad_rename_syntax_answers_with_the_syntax_and_an_example(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    before = snapshot(bot)
    reply = reply_text(run(bot, "/customer", "rename acme corp acme"))
    assert "I can't tell where the old name ends and the new one starts" in reply
    assert '/customer rename "Acme" "Acme Corp"' in reply
    assert "Which customer should I rename" in reply_text(run(bot, "/customer", "rename"))
    assert snapshot(bot) == before


def test_an_unknown_name_is_refused_with_close_names_and_nothing_changes(bot):
    run(bot, "/customer", 'add "Initech"')
    before = snapshot(bot)
    reply = reply_text(run(bot, "/customer", "archive initek"))
    assert "I couldn't find a customer called “initek”" in reply
    assert "Did you mean “Initech”?" in reply
    assert snapshot(bot) == before


def test_owner_makes_the_user_owner_also_for_the_current_team(bot):
    run(bot, "/customer", 'add "Acme Corp" conversion')
    reply = reply_text(run(bot, "/customer", 'owner "Acme Corp" <@U0OLGA|olga>'))
    assert "👤 <@U0OLGA> now owns *Acme Corp* (was <@U0REP>)." in reply
    assert "&lt;" not in reply
    acme = customer(bot, "Acme Corp")
    assert acme.owner_user_id == "U0OLGA"
    with bot.session_factory() as session:
        assert session.get(CustomerTeamOwner, (acme.id, "services")).user_id == "U0OLGA"


def test_owner_without_a_real_mention_is_refused(bot):
    run(bot, "/customer", "add initech")
    before = snapshot(bot)
    reply = reply_text(run(bot, "/customer", "owner initech @olga"))
    assert "I can't tell who @olga is" in reply and "/customer owner" in reply
    assert "Who should own it?" in reply_text(run(bot, "/customer", "owner initech"))
    assert snapshot(bot) == before


def test_an_archived_customer_leaves_lists_and_risk_lists_but_opens_by_name(bot, clock):
    run(bot, "/customer", 'add "Initech" retention')
    run(bot, "/customer", 'add "Globex" retention')
    clock.advance(days=90)  # silent for long: both at risk
    assert "Initech" in reply_text(run(bot, "/lifecycle", "at-risk"))
    reply = reply_text(run(bot, "/customer", "archive initech", user_id=MEMBER))
    assert "🗄️ Archived *Initech*: it is hidden from lists, health and digests, and its data is kept." in reply
    assert "Initech" not in reply_text(run(bot, "/customer", "list"))
    assert "Initech" not in reply_text(run(bot, "/lifecycle", "at-risk"))
    clock.advance(minutes=20)  # stored health gets old: the re-assessment leaves archived customers out
    assert "Initech" not in reply_text(run(bot, "/lifecycle", "at-risk"))
    assert "Globex" in reply_text(run(bot, "/lifecycle", "at-risk"))
    assert "Initech" in reply_text(run(bot, "/customer", '"Initech"'))
    assert customer(bot, "Initech").risk_level is None


def test_restore_brings_it_back_and_assesses_it_again(bot, clock):
    run(bot, "/customer", 'add "Initech" retention')
    clock.advance(days=90)
    run(bot, "/customer", "archive initech")
    reply = reply_text(run(bot, "/customer", "restore Initech"))
    assert "📤 Restored *Initech*: it is back in lists, health and digests." in reply
    assert "Initech" in reply_text(run(bot, "/customer", "list"))
    assert customer(bot, "Initech").risk_level is not None
    assert "Initech is not archived" in reply_text(run(bot, "/customer", "restore initech"))


def test_set_value_reads_amounts_as_people_write_them(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    for typed, stored in [("12000", "12000"), ("12,000.50", "12000.50"), ("12k", "12000"), ("1.5m", "1500000")]:
        run(bot, "/customer", f'set "Acme Corp" value {typed}')
        assert customer(bot, "Acme Corp").value == Decimal(stored), typed
    reply = reply_text(run(bot, "/customer", "set acme value none"))
    assert "💰 *Acme Corp* now has no value." in reply
    assert customer(bot, "Acme Corp").value is None


def test_a_value_in_another_currency_than_the_workspaces_is_refused(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    run(bot, "/lifecycle", "currency eur")
    assert "💰 *Acme Corp* now has a value of EUR 12,000 a year." in reply_text(
        run(bot, "/customer", 'set "Acme Corp" value €12,000')
    )
    before = snapshot(bot)
    refused = reply_text(run(bot, "/customer", 'set "Acme Corp" value 12000 USD'))
    assert "Values in this workspace are in EUR (Euro), not USD." in refused
    assert "A value can't be negative" in reply_text(run(bot, "/customer", 'set "Acme Corp" value -5'))
    assert "“lots” is not an amount" in reply_text(run(bot, "/customer", 'set "Acme Corp" value lots'))
    assert snapshot(bot) == before


def test_set_renewal_takes_a_date_or_none(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    reply = reply_text(run(bot, "/customer", 'set "Acme Corp" renewal 2027-03-31'))
    assert "📅 *Acme Corp* now has a renewal date of 31 March 2027." in reply
    assert customer(bot, "Acme Corp").renewal_date == date(2027, 3, 31)
    before = snapshot(bot)
    assert "“2027-02-30” is not a date" in reply_text(run(bot, "/customer", "set acme renewal 2027-02-30"))
    assert "“next spring” is not a date" in reply_text(run(bot, "/customer", "set acme renewal next spring"))
    assert snapshot(bot) == before
    run(bot, "/customer", "set acme renewal none")
    assert customer(bot, "Acme Corp").renewal_date is None


def test_currency_is_for_admins_validated_and_announced_to_the_managers(bot):
    route(bot, "managers", "C0MGR")
    before = snapshot(bot)
    refused = reply_text(run(bot, "/lifecycle", "currency EUR", user_id=MEMBER))
    assert "Only workspace admins and owners can change the currency" in refused
    unknown = reply_text(run(bot, "/lifecycle", "currency EURO"))
    assert "“EURO” is not an ISO 4217 currency code" in unknown
    assert snapshot(bot) == before
    done = reply_text(run(bot, "/lifecycle", "currency chf"))
    assert "💱 Customer values are now in CHF (Swiss Franc)." in done
    with bot.session_factory() as session:
        assert session.get(Workspace, "T0ACME").currency == "CHF"
    [announced] = bot.standin.wait_for_calls("chat.postMessage")
    assert announced.params["channel"] == "C0MGR" and "set the currency to CHF" in announced.params["text"]
