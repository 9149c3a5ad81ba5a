"""90-day customer histories, as a CS manager lives them: who is at risk, and the decisive reason first.

Each history is played through the real lifecycle functions with a moving clock (History), then the
workspace is assessed as of NOW through the stored health that lists and digests read.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lifecycle.customers import customer_profile
from lifecycle.health import RedFlag, RiskLevel
from lifecycle.risk import at_risk_customers, refresh_in_session, risk_list
from lifecycle.routing import set_route
from lifecycle.stages import Stage, Team
from tests.seeding import History

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
WS = "T0ACME"


def retention_customer(history: History, name: str, *, last_touch_days_ago: float = 3) -> int:
    """Bought 120 days ago, onboarded, in retention for 90 days, touched every 10 days, happy early on."""
    customer = history.customer(name, Stage.ACQUISITION, days_ago=150)
    history.move(customer, Stage.CONVERSION, days_ago=120)
    history.accept(customer, days_ago=119.9, user="U0ONBOARD")
    history.move(customer, Stage.RETENTION, days_ago=90)
    history.accept(customer, days_ago=89.9)
    history.touches(customer, first_days_ago=89, last_days_ago=last_touch_days_ago, every=10)
    if last_touch_days_ago < 89:
        history.touch(customer, days_ago=last_touch_days_ago)
    history.feedback(customer, "Onboarding went smoothly, the team is great.", days_ago=85)
    return customer


def assess(session, customer: int):
    """The stored health of one customer as of NOW, after a refresh, and the same from the live profile."""
    refresh_in_session(session, workspace_id=WS, now=NOW, force=True)
    profile = customer_profile(session, workspace_id=WS, customer=customer, now=NOW)
    assert profile.health is not None
    return profile.health


@pytest.fixture
def history(session_factory):
    with session_factory.begin() as session:
        yield History(session, now=NOW, workspace_id=WS)


def test_a_retention_customer_silent_for_60_days_is_at_risk_for_the_silence(history):
    acme = retention_customer(history, "Silent Acme", last_touch_days_ago=60)
    report = assess(history.session, acme)
    assert report.level == RiskLevel.AT_RISK
    assert report.reasons[0].flag == RedFlag.SILENCE
    assert report.reasons[0].text == "no touchpoint for 60 days, over 3× the 14-day cadence in retention"


def test_stated_non_renewal_in_feedback_is_at_risk_with_the_words_that_said_it(history):
    acme = retention_customer(history, "Leaving Acme")
    history.feedback(
        acme,
        "We have decided not to renew our contract and will move to another vendor next quarter",
        days_ago=1,
    )
    report = assess(history.session, acme)
    assert report.level == RiskLevel.AT_RISK
    first = report.reasons[0]
    assert first.flag == RedFlag.LEAVING_INTENT
    assert first.text.startswith("stated intent to leave in feedback yesterday: read as churn intent: “")
    assert "renew" in first.text


def test_a_reps_note_that_they_wont_renew_is_at_risk_too(history):
    acme = retention_customer(history, "Quiet Leaver")
    history.touch(acme, days_ago=2, note="Call with their CFO: they told us they won't renew in March.")
    report = assess(history.session, acme)
    assert report.level == RiskLevel.AT_RISK
    assert report.reasons[0].flag == RedFlag.LEAVING_INTENT
    assert report.reasons[0].text.startswith("stated intent to leave in a rep's note 2 days ago: read as churn intent")


def test_a_cancellation_request_is_at_risk(history):
    acme = retention_customer(history, "Cancelling Co")
    history.feedback(acme, "Hi, please cancel our subscription at the end of the month.", days_ago=0.5)
    report = assess(history.session, acme)
    assert report.level == RiskLevel.AT_RISK
    assert report.reasons[0].flag == RedFlag.LEAVING_INTENT
    assert "read as cancellation" in report.reasons[0].text


def test_an_outage_with_support_silent_is_at_risk_until_someone_follows_up(history):
    acme = retention_customer(history, "Outage Inc", last_touch_days_ago=4)
    history.feedback(
        acme, "Our platform has been down for two days and support still hasn't answered our ticket.", days_ago=1
    )
    report = assess(history.session, acme)
    assert report.level == RiskLevel.AT_RISK
    assert report.reasons[0].flag == RedFlag.UNANSWERED_COMPLAINT
    assert report.reasons[0].text.startswith("strongly negative feedback yesterday (−")
    assert report.reasons[0].text.endswith("and no touchpoint since")

    history.touch(acme, days_ago=0.1)  # the CSM calls them
    assert assess(history.session, acme).level == RiskLevel.WATCH


def test_onboarding_stuck_with_no_recent_contact_is_at_risk(history):
    acme = history.customer("Stuck Ltd", Stage.ACQUISITION, days_ago=90)
    history.move(acme, Stage.CONVERSION, days_ago=50)
    history.accept(acme, days_ago=49.9, user="U0ONBOARD")
    history.touches(acme, first_days_ago=49, last_days_ago=12, every=6)
    report = assess(history.session, acme)
    assert report.level == RiskLevel.AT_RISK
    assert report.reasons[0].flag == RedFlag.STUCK_ONBOARDING
    assert report.reasons[0].text.startswith("onboarding stuck: 50 days in conversion (typical 30) and no touchpoint")


def test_a_handoff_nobody_accepts_leaves_the_customer_without_an_owner(history):
    set_route(history.session, workspace_id=WS, team=Team.SERVICES, channel_id="C0SERVICES", actor="U0ADMIN", now=NOW)
    acme = history.customer("Orphan LLC", Stage.ACQUISITION, days_ago=30)
    history.touches(acme, first_days_ago=29, last_days_ago=1, every=4)
    history.move(acme, Stage.CONVERSION, days_ago=4, actor="U0REP")  # Thursday 09:00: 2 business days ago
    report = assess(history.session, acme)
    assert report.level == RiskLevel.AT_RISK
    assert report.reasons[0].flag == RedFlag.UNOWNED_HANDOFF
    assert "nobody owns this customer" in report.reasons[0].text


def test_a_slide_back_from_loyalty_with_barely_any_use_is_at_risk(history):
    acme = retention_customer(history, "Fading Fans")
    history.move(acme, Stage.LOYALTY, days_ago=60)
    history.move(acme, Stage.RETENTION, days_ago=5, reason="usage dropped")
    history.feedback(acme, "Honestly we barely use the product anymore", days_ago=3)
    report = assess(history.session, acme)
    assert report.level == RiskLevel.AT_RISK
    assert report.reasons[0].flag == RedFlag.LOYALTY_BACKSLIDE
    assert report.reasons[0].text.startswith("moved back from loyalty to retention and sentiment is negative (−")


def test_sentiment_sliding_from_praise_to_three_complaints_in_a_month_is_at_risk(history):
    acme = retention_customer(history, "Souring Corp")
    history.feedback(acme, "Love the new dashboards, great work!", days_ago=55)
    history.feedback(acme, "Really happy with the support team, thanks!", days_ago=40)
    history.feedback(acme, "The export keeps failing and nobody has explained why.", days_ago=25)
    history.feedback(acme, "Reports are slow again this week, it's frustrating.", days_ago=12)
    history.feedback(acme, "Still waiting for an answer on the billing error.", days_ago=2)
    report = assess(history.session, acme)
    assert report.level == RiskLevel.AT_RISK
    assert report.reasons[0].flag == RedFlag.REPEATED_NEGATIVE
    assert report.reasons[0].text.startswith("3 ")
    assert "negative feedback in 30 days, latest −" in report.reasons[0].text
    assert any(reason.text.startswith("sentiment falling") for reason in report.reasons)


def test_customers_who_are_fine_stay_healthy(history):
    lead = history.customer("New Lead", Stage.REACH, days_ago=1)
    loyal = retention_customer(history, "Quiet Loyal")
    history.move(loyal, Stage.LOYALTY, days_ago=80)
    history.touch(loyal, days_ago=25)  # loyalty's cadence is 30 days
    recovered = retention_customer(history, "Recovered Co")
    history.feedback(recovered, "The sync was down all day and nobody answered. Terrible.", days_ago=70)
    history.feedback(recovered, "Thanks for fixing it so quickly, works great now.", days_ago=20)
    polite = retention_customer(history, "Polite Pty")
    history.feedback(polite, "Could you please send the invoice again? Thanks!", days_ago=1)
    session = history.session
    for customer in (lead, loyal, recovered, polite):
        report = assess(session, customer)
        assert (report.level, report.reasons) == (RiskLevel.HEALTHY, ()), report
    assert at_risk_customers(session, workspace_id=WS, now=NOW).total == 0


def test_the_stored_lists_match_the_live_profile_and_order_worst_first(history):
    silent = retention_customer(history, "Silent Acme", last_touch_days_ago=60)
    leaving = retention_customer(history, "Leaving Acme")
    history.feedback(leaving, "We will not renew, we are switching to a competitor.", days_ago=1)
    watch = retention_customer(history, "Watch Me", last_touch_days_ago=28)
    healthy = retention_customer(history, "Fine Co")
    session = history.session
    risks = at_risk_customers(session, workspace_id=WS, now=NOW)
    assert {entry.customer_id for entry in risks.customers} == {silent, leaving}
    assert risks.total == 2
    for entry in risks.customers:
        live = customer_profile(session, workspace_id=WS, customer=entry.customer_id, now=NOW).health
        assert live is not None
        assert (entry.score, entry.reasons[0]) == (live.score, live.reasons[0].text)
    watched = risk_list(session, workspace_id=WS, level=RiskLevel.WATCH)
    assert [entry.customer_id for entry in watched.customers] == [watch]
    assert watched.customers[0].reasons[0].startswith("no touchpoint for 28 days")
    assert healthy not in {entry.customer_id for entry in risks.customers + watched.customers}
