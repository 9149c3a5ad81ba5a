"""The HTTP surface: request signing, the 5-minute window, health, events and the no-5xx rule."""

from __future__ import annotations

import time

import requests

from lifecycle import activity
from tests.e2e.helpers import reply_text, run, snapshot


def test_a_forged_signature_is_rejected_with_401_and_changes_nothing(bot):
    before = snapshot(bot)
    sent = bot.slack.command("/customer", 'add "Evil Corp"', signing_secret="not-the-secret")
    assert sent.response.status_code == 401
    assert snapshot(bot) == before


def test_a_request_older_than_five_minutes_is_rejected_with_401(bot):
    sent = bot.slack.command("/customer", 'add "Replayed Corp"', timestamp=int(time.time()) - 6 * 60)
    assert sent.response.status_code == 401
    assert snapshot(bot)["customers"] == []


def test_health_check_answers_when_the_database_does(bot):
    response = requests.get(f"{bot.url}/healthz", timeout=5)
    assert response.status_code == 200 and response.json() == {"ok": True, "database": "up"}
    assert requests.get(f"{bot.url}/nowhere", timeout=5).status_code == 404


def test_an_unexpected_failure_is_an_apology_not_a_5xx_and_saves_nothing(bot, monkeypatch):
    run(bot, "/customer", 'add "Acme Corp"')
    before = snapshot(bot)

    def broken_scorer(text):
        raise RuntimeError("simulated outage")

    monkeypatch.setattr(activity, "score_text", broken_scorer)
    sent = bot.slack.command("/feedback", "acme Lovely")
    assert sent.response.status_code == 200
    reply = bot.standin.wait_for_response_posts(url=sent.response_url)[0].body
    assert "Sorry, something went wrong on our side and nothing was saved" in reply_text(reply)
    assert snapshot(bot) == before


def test_commands_are_acknowledged_well_within_three_seconds(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    started = time.monotonic()
    sent = bot.slack.command("/touch", "acme call Follow-up")
    assert sent.response.status_code == 200
    assert time.monotonic() - started < 1.0


def test_the_home_tab_shows_help_and_a_retried_event_is_harmless(bot):
    event = {"type": "app_home_opened", "user": "U0REP", "channel": "D0HOME", "tab": "home"}
    assert bot.slack.event(event, event_id="Ev1").response.status_code == 200
    assert bot.slack.event(event, event_id="Ev1", retry_num=1).response.status_code == 200
    calls = bot.standin.wait_for_calls("views.publish", count=2)
    view = calls[0].params["view"]
    assert "/customer add" in str(view)
