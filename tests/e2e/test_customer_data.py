"""One customer's data: /customer export sends the whole record in a DM; /customer erase removes it for good."""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select

from lifecycle.digest import funnel_counts
from storage.models import AuditEvent, Customer, Feedback, Handoff, StageChange, Touchpoint
from tests.conftest import SIGNING_SECRET
from tests.e2e.helpers import buttons, click, reply_text, route, run
from tests.e2e.test_handoffs import SERVICES
from tests.slack_requests import SlackSender

WS = "T0ACME"
MEMBER = "U0MEMBER"


def acme_with_history(bot) -> int:
    route(bot, "services", SERVICES)
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    run(bot, "/touch", '"Acme Corp" call Spoke with Jane Doe about the Acme renewal')
    run(bot, "/feedback", '"Acme Corp" Jane says the Acme dashboard is too slow')
    run(bot, "/stage", '"Acme Corp" conversion Acme signed with Jane')
    bot.standin.wait_for_calls("chat.postMessage")  # the handoff alert, naming Acme
    with bot.session_factory() as session:
        return session.scalars(select(Customer.id).where(Customer.name == "Acme Corp")).one()


def test_export_sends_the_whole_record_as_a_json_file_in_a_dm_and_audits_it(bot):
    acme = acme_with_history(bot)
    reply = reply_text(run(bot, "/customer", "export acme", user_id=MEMBER))
    assert "I sent you everything stored about *Acme Corp* as a JSON file in our DM" in reply
    [opened] = bot.standin.calls_to("conversations.open")
    assert opened.params["users"] == MEMBER
    [completed] = bot.standin.wait_for_calls("files.completeUploadExternal")
    assert completed.params["channel_id"] == "D0MEMBER"
    [content] = bot.standin.uploads.values()
    record = json.loads(content)
    assert record["customer"]["name"] == "Acme Corp" and record["customer"]["id"] == acme
    assert [change["to_stage"] for change in record["stage_changes"]] == ["acquisition", "conversion"]
    assert record["touchpoints"][0]["note"] == "Spoke with Jane Doe about the Acme renewal"
    assert record["feedback"][0]["text"] == "Jane says the Acme dashboard is too slow"
    assert record["handoffs"][0]["to_team"] == "services"
    with bot.session_factory() as session:
        assert session.scalars(
            select(AuditEvent.actor_user_id).where(AuditEvent.action == "customer.exported")
        ).all() == [MEMBER]


def test_erase_is_for_admins_and_the_refusal_says_so(bot):
    acme_with_history(bot)
    reply = reply_text(run(bot, "/customer", "erase acme", user_id=MEMBER))
    assert "Only workspace admins and owners can erase customers" in reply


def test_erase_asks_first_and_cancel_changes_nothing(bot):
    acme_with_history(bot)
    asked = run(bot, "/customer", 'erase "Acme Corp"')
    assert "Erase *Acme Corp* for good?" in reply_text(asked)
    erase, cancel = buttons(asked)
    assert erase["style"] == "danger"
    assert "Nothing was erased" in reply_text(click(bot, cancel))
    with bot.session_factory() as session:
        assert session.scalars(select(Customer.name)).one() == "Acme Corp"


def test_erasing_removes_names_and_text_everywhere_and_keeps_the_counts(bot):
    acme = acme_with_history(bot)
    with bot.session_factory() as session:
        funnel_before = funnel_counts(session, workspace_id=WS)
        counts_before = [session.scalar(select(func.count()).select_from(model)) for model in (Touchpoint, Feedback)]
    [erase, _] = buttons(run(bot, "/customer", "erase acme"))
    done = reply_text(click(bot, erase))
    assert f"The customer is now *Erased customer #{acme}*" in done
    with bot.session_factory() as session:
        assert funnel_counts(session, workspace_id=WS) == funnel_before
        assert [session.scalar(select(func.count()).select_from(model)) for model in (Touchpoint, Feedback)] == (
            counts_before
        )
        stored = " ".join(
            str(value)
            for model in (Customer, Touchpoint, Feedback, StageChange, Handoff, AuditEvent)
            for row in session.scalars(select(model))
            for value in vars(row).values()
        )
    for personal in ("Acme", "Jane", "dashboard", "renewal"):
        assert personal not in stored, personal
    assert "I couldn't find a customer called “acme”" in reply_text(run(bot, "/customer", "acme"))
    assert "Acme" not in reply_text(run(bot, "/lifecycle", "funnel"))


def test_the_posted_handoff_alert_is_redrawn_without_the_name(bot):
    acme_with_history(bot)
    [erase, _] = buttons(run(bot, "/customer", "erase acme"))
    click(bot, erase)
    [update] = bot.standin.wait_for_calls("chat.update")
    assert "Acme" not in json.dumps(update.params) and "Jane" not in json.dumps(update.params)


def test_an_expired_or_forged_confirmation_erases_nothing(bot):
    acme = acme_with_history(bot)
    stale = json.dumps({"c": acme, "t": int(time.time()) - 31 * 60})
    sent = bot.slack.block_action("erase_customer", stale)
    expired = bot.standin.wait_for_response_posts(count=1, url=sent.response_url)[0].body
    assert "This confirmation expired" in reply_text(expired)
    other = SlackSender(bot.slack.bot_url, SIGNING_SECRET, team_id="T0OTHER", standin=bot.standin)
    bot.standin.workspace_admins.add("U0SPY")
    sent = other.block_action("erase_customer", json.dumps({"c": acme, "t": int(time.time())}), user_id="U0SPY")
    forged = bot.standin.wait_for_response_posts(count=1, url=sent.response_url)[0].body
    assert "That customer no longer exists" in reply_text(forged)
    with bot.session_factory() as session:
        assert session.scalars(select(Customer.name)).one() == "Acme Corp"


def test_erasing_twice_says_it_was_already_erased(bot):
    acme_with_history(bot)
    [erase, _] = buttons(run(bot, "/customer", "erase acme"))
    click(bot, erase)
    again = click(bot, erase)
    assert "was already erased" in reply_text(again)


def test_erasing_also_forgets_the_names_merged_into_it(bot):
    acme = acme_with_history(bot)
    run(bot, "/customer", 'add "Acme Holdings"')
    [merge, _] = buttons(run(bot, "/customer", 'merge "Acme Holdings" into "Acme Corp"'))
    click(bot, merge)
    assert "Acme Corp" in reply_text(run(bot, "/customer", '"Acme Holdings"'))  # the alias finds the kept one
    [erase, _] = buttons(run(bot, "/customer", "erase acme"))
    click(bot, erase)
    with bot.session_factory() as session:
        names = [customer.name for customer in session.scalars(select(Customer))]
        keys = " ".join(f"{c.name_key} {c.fold_key}" for c in session.scalars(select(Customer)))
    assert all(name.startswith("Erased customer #") for name in names), names
    assert "acme" not in keys
    for typed in ('"Acme Holdings"', "acme", '"Acme Corp."'):
        assert "I couldn't find" in reply_text(run(bot, "/customer", typed)), typed
    assert acme
