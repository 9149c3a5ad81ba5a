"""Every kind of bad input gets a clear reply within Slack's 3 seconds and changes nothing."""

from __future__ import annotations

import time

import pytest

from tests.e2e.helpers import buttons, reply_text, run, snapshot


@pytest.fixture
def acme(bot):
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    run(bot, "/customer", 'add "Acme Labs"')
    run(bot, "/customer", 'add "Globex Industries" retention')
    return bot


BAD_INPUTS = [
    # (command, text, what the reply must say)
    ("/stage", "globex promoted", "“promoted” is not a stage"),
    ("/stage", "globex", "Which stage should the customer move to?"),
    ("/stage", '"Globex Industries" acquisition', "needs a reason"),
    ("/stage", "globex retention", "already in retention"),
    ("/touch", "globex", "What kind of touchpoint was it?"),
    ("/touch", "globex smoke-signal hello", "“smoke-signal” is not a touchpoint kind"),
    ("/touch", '"Globex Industries call', "opening quote without a closing one"),
    ("/feedback", "globex", "What did the customer say?"),
    ("/customer", "", "Tell me which customer"),
    ("/customer", "add", "What is the new customer called?"),
    ("/customer", 'add "Acme Corp"', "already a customer called “Acme Corp”"),
    ("/customer", 'add "ACME corp"', "already a customer called “Acme Corp”"),
    ("/customer", 'add "Bold*Name"', "can't contain '*'"),
    ("/customer", "add " + "x" * 81, "names can be at most 80"),
    ("/customer", 'add "New Co" stage-seven', "I don't understand “stage-seven”"),
    ("/customer", "list platinum", "“platinum” is not a stage"),
    ("/lifecycle", "route marketing <#C0MKT|marketing>", "“marketing” is not a team"),
    ("/lifecycle", "route sales marketing", "“marketing” is not a channel"),
    ("/lifecycle", "route sales", "`route` needs a team and a channel"),
    ("/lifecycle", "frobnicate", "I don't know `/lifecycle frobnicate`"),
]


@pytest.mark.parametrize(("command", "text", "expected"), BAD_INPUTS)
def test_bad_input_gets_a_helpful_reply_and_changes_nothing(acme, command, text, expected):
    before = snapshot(acme)
    started = time.monotonic()
    sent = acme.slack.command(command, text)
    assert sent.response.status_code == 200
    reply = acme.standin.wait_for_response_posts(url=sent.response_url)[0].body
    assert time.monotonic() - started < 3
    assert reply["response_type"] == "ephemeral"
    assert expected in reply_text(reply)
    assert snapshot(acme) == before


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/stage", "globex promoted"),
        ("/touch", "globex"),
        ("/customer", "add"),
        ("/lifecycle", "route sales"),
    ],
)
def test_a_syntax_error_shows_the_syntax_and_an_example(acme, command, text):
    reply = reply_text(run(acme, command, text))
    assert "*Usage*" in reply and "*Example*" in reply and command in reply


def test_unknown_kind_lists_the_valid_kinds(acme):
    reply = reply_text(run(acme, "/touch", "globex carrier-pigeon"))
    assert "call, email, meeting, demo, chat, ticket, note, purchase, renewal, referral, survey" in reply


def test_unknown_stage_lists_the_valid_stages_and_aliases(acme):
    reply = reply_text(run(acme, "/stage", "globex promoted"))
    assert "reach, acquisition, conversion, retention, loyalty, churned" in reply
    assert "awareness" in reply


def test_a_misspelt_customer_gets_did_you_mean_and_create_buttons_but_no_new_customer(acme):
    before = snapshot(acme)
    reply = run(acme, "/touch", "globx call Quick check-in")
    assert "I couldn't find a customer called “globx”" in reply_text(reply)
    labels = [button["text"]["text"] for button in buttons(reply)]
    assert labels == ["Globex Industries (Retention)", "➕ Create “globx”"]
    assert snapshot(acme) == before


def test_an_ambiguous_prefix_lists_the_matches(acme):
    reply = run(acme, "/stage", "acme conversion Signed")
    assert "“acme” matches more than one customer" in reply_text(reply)
    labels = [button["text"]["text"] for button in buttons(reply)]
    assert "Acme Corp (Acquisition)" in labels and "Acme Labs (Reach)" in labels


def test_a_unique_prefix_is_enough(acme):
    assert "*Globex Industries*" in reply_text(run(acme, "/touch", "glo call"))


def test_an_over_long_note_is_kept_up_to_the_limit_and_the_reply_says_so(acme):
    note = "word " * 1000
    reply = run(acme, "/touch", f"globex note {note}")
    text = reply_text(reply)
    assert "Your note was 4,999 characters; I kept the first 3,999." in text
    assert all(len(block.get("text", {}).get("text", "")) <= 3000 for block in reply["blocks"])


def test_slack_mentions_in_notes_become_readable_text(acme):
    reply = reply_text(run(acme, "/touch", "globex call Met <@U0BOB|bob> in <#C0CS|cs> about <https://x.io|the doc>"))
    # A person stays a real mention (Slack shows their name); a channel and a link read as text.
    assert "Met <@U0BOB> in #cs about the doc (https://x.io)" in reply


def test_channel_pings_in_user_text_are_never_sent_unescaped(acme):
    reply = run(acme, "/feedback", "globex <!channel> &lt;!here&gt; we are unhappy <!subteam^S1|@support>")
    raw = str(reply)
    assert "<!channel>" not in raw and "<!here>" not in raw and "<!subteam" not in raw
    assert "@channel" in reply_text(reply) and "&lt;!here&gt;" in reply_text(reply)


def test_sql_in_a_name_is_just_text(acme):
    evil = "Robert'); DROP TABLE customers;--"
    assert "Added *Robert'); DROP TABLE customers;--*" in reply_text(run(acme, "/customer", f'add "{evil}"'))
    assert "Robert');" in reply_text(run(acme, "/customer", f'"{evil}"'))
    assert "All customers (4)" in reply_text(run(acme, "/customer", "list"))
    percent = reply_text(run(acme, "/customer", '"%"'))
    assert "I couldn't find a customer called “%”" in percent
