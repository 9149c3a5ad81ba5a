"""Delivery rules: what an outbox message does given its handoff, digest or customer (pure, no database, no Slack)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lifecycle.deliveries import (
    WAIT_FOR_ALERT,
    WAIT_FOR_DIGEST,
    DeliveryState,
    Destination,
    Outcome,
    QuoteSource,
    Settle,
    chart_digest_key,
    chart_waits,
    delivery_state,
    digest_destination,
    escalation_destination,
    flag_anchor,
    flag_reason,
    needs_fresh_health,
    quote_source,
    refresh_destination,
    reminder_destination,
    shows_an_old_version,
    to_channel,
)
from lifecycle.health import HealthReport, Reason, RedFlag, RiskLevel
from lifecycle.states import HandoffStatus, OutboxKind, OutboxStatus
from storage.models import Handoff

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LIFECYCLE = Path(__file__).resolve().parents[2] / "lifecycle"


def handoff(status: HandoffStatus = HandoffStatus.PENDING, *, posted: bool = False) -> Handoff:
    """A handoff in memory; `posted` once its alert is in the channel C0ONBOARD as message 1700.0001."""
    return Handoff(
        status=status,
        channel_id="C0ONBOARD" if posted else None,
        message_ts="1700.0001" if posted else None,
        version=1,
    )


def report(*reasons: Reason) -> HealthReport:
    return HealthReport(score=20, level=RiskLevel.AT_RISK, reasons=reasons)


# --- how far another message got --------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (None, DeliveryState.ABSENT),
        (OutboxStatus.PENDING, DeliveryState.UNDERWAY),
        (OutboxStatus.SENDING, DeliveryState.UNDERWAY),
        (OutboxStatus.DELIVERED, DeliveryState.DELIVERED),
        (OutboxStatus.FAILED, DeliveryState.FAILED),
    ],
)
def test_a_failed_message_is_never_read_as_delivered(status, state):
    assert delivery_state(status) == state


def test_every_outbox_status_has_a_delivery_state():
    assert {delivery_state(status) for status in OutboxStatus} <= set(DeliveryState)


# --- handoffs ----------------------------------------------------------------------------------


def test_a_message_for_a_team_without_a_channel_fails_for_good_saying_so():
    assert to_channel(None, missing="team has no channel") == Settle.fail("team has no channel")
    assert to_channel("C0ONBOARD", missing="team has no channel") == Destination("C0ONBOARD")


def test_a_refresh_replaces_the_posted_alert():
    assert refresh_destination(handoff(posted=True)) == Destination("C0ONBOARD", replaces_ts="1700.0001")


def test_a_refresh_of_an_alert_not_posted_yet_is_done_because_the_alert_will_show_the_latest_state():
    assert refresh_destination(handoff(posted=False)) == Settle.done()


def test_a_reminder_goes_in_its_alerts_thread():
    to = reminder_destination(handoff(posted=True), alert=DeliveryState.DELIVERED, now=NOW)
    assert to == Destination("C0ONBOARD", thread_ts="1700.0001")


@pytest.mark.parametrize("status", [HandoffStatus.ACCEPTED, HandoffStatus.SUPERSEDED])
def test_no_reminder_once_the_handoff_was_accepted_or_moved_on(status):
    assert reminder_destination(handoff(status, posted=True), alert=DeliveryState.DELIVERED, now=NOW) == Settle.done()


def test_a_reminder_waits_for_an_alert_still_on_its_way():
    settle = reminder_destination(handoff(), alert=DeliveryState.UNDERWAY, now=NOW)
    assert settle == Settle.postpone(NOW + WAIT_FOR_ALERT)


@pytest.mark.parametrize("alert", [DeliveryState.FAILED, DeliveryState.ABSENT, DeliveryState.DELIVERED])
def test_a_reminder_whose_alert_never_reached_the_channel_fails_for_good(alert):
    assert reminder_destination(handoff(), alert=alert, now=NOW) == Settle.fail("the alert was never posted")


def test_an_escalation_goes_to_the_managers_while_nobody_accepted():
    assert escalation_destination(handoff(), managers_channel="C0MGMT") == Destination("C0MGMT")
    assert escalation_destination(handoff(), managers_channel=None) == Settle.fail("managers have no channel")
    accepted = handoff(HandoffStatus.ACCEPTED)
    assert escalation_destination(accepted, managers_channel="C0MGMT") == Settle.done()


def test_a_message_rendered_from_an_older_handoff_version_needs_a_refresh():
    assert shows_an_old_version(rendered=1, current=2)
    assert not shows_an_old_version(rendered=2, current=2)


# --- red flags ---------------------------------------------------------------------------------


def test_a_red_flag_still_up_gives_its_reason():
    health = report(Reason("no touch for 60 days", 20, RedFlag.SILENCE), Reason("low usage", 5))
    assert flag_reason(health, RedFlag.SILENCE) == "no touch for 60 days"


def test_a_red_flag_that_went_down_gives_no_reason_so_no_stale_alert_is_posted():
    health = report(Reason("no touch for 60 days", 20, RedFlag.SILENCE))
    assert flag_reason(health, RedFlag.LEAVING_INTENT) is None
    assert flag_reason(None, RedFlag.SILENCE) is None  # churned: not assessed any more


def test_the_anchor_is_read_from_the_alerts_key():
    assert flag_anchor("red-flag:12:leaving_intent:feedback:40") == "feedback:40"
    assert flag_anchor("red-flag:12:silence:2026-11-01T09:00:00+00:00") == "2026-11-01T09:00:00+00:00"
    assert flag_anchor(None) == ""


@pytest.mark.parametrize(
    ("flag", "anchor", "source"),
    [
        (RedFlag.LEAVING_INTENT, "feedback:40", QuoteSource("feedback", 40)),
        (RedFlag.LEAVING_INTENT, "note:7", QuoteSource("touchpoint", 7)),
        (RedFlag.LEAVING_INTENT, "", None),
        (RedFlag.REPEATED_NEGATIVE, "", QuoteSource("feedback")),
        (RedFlag.LOYALTY_BACKSLIDE, "2026-11-01", QuoteSource("feedback")),
        (RedFlag.UNANSWERED_COMPLAINT, "", QuoteSource("feedback")),
        (RedFlag.SILENCE, "never", None),
        (RedFlag.STUCK_ONBOARDING, "2026-11-01", None),
    ],
)
def test_an_alert_quotes_the_words_behind_its_flag(flag, anchor, source):
    assert quote_source(flag, anchor) == source


# --- digests and their charts ------------------------------------------------------------------


def test_a_digest_goes_to_the_channel_or_person_it_was_asked_for_else_to_the_managers():
    asked_in_channel = {"channel_id": "C0SALES", "user_id": None}
    asked_in_dm = {"channel_id": None, "user_id": "U0BOSS"}
    assert digest_destination(asked_in_channel, managers_channel="C0MGMT") == Destination("C0SALES")
    assert digest_destination(asked_in_dm, managers_channel="C0MGMT") == Destination("U0BOSS")
    assert digest_destination({}, managers_channel="C0MGMT") == Destination("C0MGMT")
    assert digest_destination({}, managers_channel=None) == Settle.fail("managers have no channel")


def test_a_weekly_chart_follows_the_digest_with_its_key():
    assert chart_digest_key("digest:3:2026-11-23:chart") == "digest:3:2026-11-23"
    assert chart_digest_key(None) is None  # on demand: nothing to follow


def test_a_chart_waits_while_its_digest_is_on_its_way():
    assert chart_waits(DeliveryState.UNDERWAY, now=NOW) == Settle.postpone(NOW + WAIT_FOR_DIGEST)


@pytest.mark.parametrize("digest", [DeliveryState.DELIVERED, DeliveryState.ABSENT])
def test_a_chart_goes_once_its_digest_went_or_when_it_has_none(digest):
    assert chart_waits(digest, now=NOW) is None


def test_a_chart_whose_digest_failed_for_good_fails_too_instead_of_waiting_or_going_alone():
    assert chart_waits(DeliveryState.FAILED, now=NOW) == Settle.fail("its digest was never posted")


def test_only_a_digest_refreshes_stored_health_before_it_is_drawn():
    assert [kind for kind in OutboxKind if needs_fresh_health(kind)] == [OutboxKind.DIGEST]


# --- settling ----------------------------------------------------------------------------------


def test_settle_outcomes_are_an_enum_with_what_each_needs():
    assert Settle.done().outcome is Outcome.DONE
    assert Settle.postpone(NOW + timedelta(seconds=30)) == Settle(Outcome.POSTPONE, until=NOW + timedelta(seconds=30))
    assert Settle.fail("gone") == Settle(Outcome.FAIL, error="gone")
    assert Settle.fail_later("blip") == Settle(Outcome.RETRY, error="blip")


def test_lifecycle_never_imports_slack():
    for path in LIFECYCLE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not [name for name in names if name.split(".")[0] in ("slack_sdk", "slack_bolt")], path.name
