"""The audit trail: every change leaves an entry; /lifecycle audit shows them, paged; nothing rewrites them."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from storage.models import AuditEvent
from tests.conftest import SIGNING_SECRET
from tests.e2e.helpers import buttons, click, reply_text, route, run
from tests.e2e.test_handoffs import SERVICES, buttons_of, click_in_channel
from tests.slack_requests import SlackSender

ROOT = Path(__file__).resolve().parents[2]


def actions_recorded(bot) -> list[str]:
    with bot.session_factory() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_every_change_made_in_slack_leaves_an_audit_entry(bot):
    route(bot, "services", SERVICES)  # setup, not under test
    steps = [
        ("/customer", 'add "Acme Corp" acquisition', "customer.created"),
        ("/touch", "acme call Talked pricing", "touchpoint.logged"),
        ("/feedback", "acme Great onboarding so far", "feedback.recorded"),
        ("/stage", "acme conversion Signed", "stage.changed"),
        ("/lifecycle", "route success <#C0CS|cs>", "route.set"),
        ("/lifecycle", "sla 6h", "sla.changed"),
        ("/lifecycle", "health set at_risk_below 50", "health.setting_changed"),
        ("/lifecycle", "digest schedule daily 09:00 <#C0MGMT|mgmt>", "digest.scheduled"),
        ("/lifecycle", "admins add <@U0ANA|ana>", "role.granted"),
        ("/lifecycle", "team services add <@U0SAM|sam>", "role.granted"),
        ("/lifecycle", "team services remove <@U0SAM|sam>", "role.revoked"),
    ]
    for command, text, action in steps:
        before = len(actions_recorded(bot))
        run(bot, command, text)
        assert action in actions_recorded(bot)[before:], f"{command} {text} left no {action}"
    [alert] = bot.standin.wait_for_calls("chat.postMessage")
    click_in_channel(bot, alert, buttons_of(alert)[0], user_id="U0REP")
    assert actions_recorded(bot)[-1] == "handoff.accepted"
    listed = reply_text(run(bot, "/lifecycle", "digest list"))
    digest_id = re.search(r"#(\d+)", listed).group(1)
    assert "Cancelled digest" in reply_text(run(bot, "/lifecycle", f"digest cancel {digest_id}"))
    assert actions_recorded(bot)[-1] == "digest.cancelled"


def test_audit_settings_shows_who_changed_what(bot):
    run(bot, "/lifecycle", "sla 6h")
    run(bot, "/customer", 'add "Acme Corp"')
    run(bot, "/lifecycle", "health set trend_drop 0.3")
    shown = reply_text(run(bot, "/lifecycle", "audit settings", user_id="U0MEMBER"))
    assert "Settings changes" in shown
    assert "<@U0REP> set health `trend_drop` to 0.3 (was " in shown
    assert "<@U0REP> set the SLA to 6.0 business hours" in shown
    assert "Acme" not in shown  # customers' changes are not settings


def test_a_customers_audit_is_paged_newest_first_with_an_older_button(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    for number in range(20):
        run(bot, "/touch", f'"Acme Corp" call number {number}')
    first = run(bot, "/lifecycle", 'audit "acme corp"')
    text = reply_text(first)
    assert text.startswith("Audit trail of Acme Corp")
    assert text.count("logged a call") == 15
    [older] = buttons(first)
    second = click(bot, older)
    rest = reply_text(second)
    assert rest.count("logged a call") == 5 and "created it in reach" in rest
    assert buttons(second) == []


def test_an_older_button_carrying_another_workspaces_customer_shows_nothing_of_it(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    with bot.session_factory() as session:
        acme = session.scalars(select(AuditEvent.customer_id)).first()
    forged = {"action_id": "audit_older", "value": f"c:{acme}|999999"}
    other = SlackSender(bot.slack.bot_url, SIGNING_SECRET, team_id="T0OTHER", standin=bot.standin)
    sent = other.block_action(forged["action_id"], forged["value"], user_id="U0SPY")
    assert sent.response.status_code == 200
    body = bot.standin.wait_for_response_posts(count=1, url=sent.response_url)[0].body
    assert "Acme" not in reply_text(body) and "I couldn't find a customer" in reply_text(body)


def test_an_unknown_customer_in_audit_gets_did_you_mean(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    assert "I couldn't find a customer called “acne”" in reply_text(run(bot, "/lifecycle", "audit acne"))


def test_no_code_path_updates_or_deletes_audit_rows_except_erasure_redaction():
    offenders = []
    for path in [*ROOT.glob("lifecycle/**/*.py"), *ROOT.glob("handlers/**/*.py"), *ROOT.glob("bot/**/*.py")]:
        source = path.read_text()
        for match in re.finditer(r"(update|delete)\(\s*AuditEvent", source):
            function = source[: match.start()].rsplit("\ndef ", 1)[-1].split("(", 1)[0]
            if (path.name, function) != ("audit.py", "redact_customer"):
                offenders.append(f"{path.relative_to(ROOT)}:{function}")
        if "AuditEvent" in source and re.search(r"session\.delete\(\s*(event|audit)", source):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
