"""Workspace-wide health from the database (SQLite and PostgreSQL): right reasons, constant query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from lifecycle.activity import log_touchpoint, move_stage, record_feedback
from lifecycle.assessment import assess_customers, weekly_sentiment
from lifecycle.customers import add_customer
from lifecycle.health import RedFlag, RiskLevel
from lifecycle.loyalty import loyalty_candidates, newly_loyal
from lifecycle.risk import at_risk_customers
from lifecycle.routing import set_route
from lifecycle.stages import Stage, Team
from lifecycle.states import FeedbackSource
from lifecycle.touchpoints import TouchpointKind

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WS = "T0ACME"


def ago(**delta) -> datetime:
    return NOW - timedelta(**delta)


def add(session, name, stage, *, when):
    return add_customer(session, workspace_id=WS, name=name, stage=stage, owner="U0REP", actor="U0REP", now=when).id


def touch(session, customer, when, kind=TouchpointKind.CALL):
    log_touchpoint(session, workspace_id=WS, customer=customer, kind=kind, note="", actor="U0REP", now=when)


def feedback(session, customer, text, when):
    record_feedback(
        session, workspace_id=WS, customer=customer, text=text, source=FeedbackSource.COMMAND, actor="U0REP", now=when
    )


def test_an_unhappy_neglected_customer_is_at_risk_for_the_right_reasons(session_factory):
    with session_factory.begin() as session:
        acme = add(session, "Acme", Stage.LOYALTY, when=ago(days=200))
        touch(session, acme, ago(days=41))
        move_stage(
            session,
            workspace_id=WS,
            customer=acme,
            to=Stage.RETENTION,
            actor="U0REP",
            reason="usage dropped",
            now=ago(days=20),
        )
        for days, text in [
            (60, "We love it, great team"),
            (20, "We are not happy with support"),
            (10, "Down since Monday, terrible"),
            (2, "We are moving to another vendor next quarter"),
        ]:
            feedback(session, acme, text, ago(days=days))
        happy = add(session, "Globex", Stage.RETENTION, when=ago(days=100))
        touch(session, happy, ago(days=2))
        feedback(session, happy, "Thanks, the new reports are great", ago(days=5))
    with session_factory() as session:
        health = {item.name: item.report for item in assess_customers(session, workspace_id=WS, now=NOW)}
    assert health["Globex"].level == RiskLevel.HEALTHY and health["Globex"].score == 100
    acme_report = health["Acme"]
    assert acme_report.level == RiskLevel.AT_RISK
    texts = [reason.text for reason in acme_report.reasons]
    assert texts[0] == (
        "stated intent to leave in feedback 2 days ago: read as move to a competitor: “moving to another vendor”"
    )
    assert acme_report.flags == (
        RedFlag.LEAVING_INTENT,
        RedFlag.LOYALTY_BACKSLIDE,
        RedFlag.REPEATED_NEGATIVE,
        RedFlag.UNANSWERED_COMPLAINT,
    )
    assert "moved back from loyalty to retention and sentiment is negative (−0.60)" in texts
    assert "2 pieces of strongly negative feedback in 30 days, latest −0.60" in texts
    assert "no touchpoint for 41 days; expected every 14 in retention" in texts
    assert any(text.startswith("sentiment falling: +0.") for text in texts)


def test_a_handoff_late_on_its_sla_is_a_risk(session_factory):
    with session_factory.begin() as session:
        set_route(session, workspace_id=WS, team=Team.SERVICES, channel_id="C0ONB", actor="U0", now=ago(days=10))
        acme = add(session, "Acme", Stage.ACQUISITION, when=ago(days=10))
        touch(session, acme, ago(days=1))
        move_stage(
            session,
            workspace_id=WS,
            customer=acme,
            to=Stage.CONVERSION,
            actor="U0REP",
            reason="signed",
            now=datetime(2026, 11, 19, 9, 0, tzinfo=UTC),
        )  # Thursday 09:00 UTC, SLA 4 business hours
    with session_factory() as session:
        [item] = assess_customers(session, workspace_id=WS, now=NOW)  # Monday 09:00: 16 business hours later (Thu, Fri)
    assert item.report.reasons[0].text == (
        "handoff to Services unaccepted 12 business hours past its SLA: nobody owns this customer"
    )


def test_the_whole_workspace_is_assessed_in_a_fixed_number_of_queries(session_factory, engine):
    def queries_for(customers: int) -> int:
        with session_factory.begin() as session:
            for number in range(customers):
                customer = add(session, f"Customer {customers}-{number}", Stage.RETENTION, when=ago(days=30))
                touch(session, customer, ago(days=number % 20))
                feedback(session, customer, "Not happy at all" if number % 3 else "Great", ago(days=number % 40))
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            with session_factory() as session:
                assert len(assess_customers(session, workspace_id=WS, now=NOW)) >= customers
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    assert queries_for(3) == queries_for(60) <= 12  # SQLite: PRAGMA busy_timeout and BEGIN IMMEDIATE open it


def test_at_risk_lists_the_worst_first(session_factory):
    with session_factory.begin() as session:
        for name, quiet_days, complaints in [("Quiet", 30, 1), ("Silent", 60, 2), ("Fine", 1, 1)]:
            customer = add(session, name, Stage.RETENTION, when=ago(days=120))
            touch(session, customer, ago(days=quiet_days))
            for day in range(complaints):
                feedback(session, customer, "This is terrible and broken, we are furious", ago(days=1 + day))
    with session_factory() as session:
        risks = at_risk_customers(session, workspace_id=WS, now=NOW)
    assert [item.name for item in risks.customers] == ["Silent", "Quiet"]
    assert risks.total == 2


def test_weekly_sentiment_buckets_feedback_by_week(session_factory):
    with session_factory.begin() as session:
        acme = add(session, "Acme", Stage.RETENTION, when=ago(days=90))
        feedback(session, acme, "Great service", ago(days=50))
        feedback(session, acme, "Terrible outage", ago(days=3))
    with session_factory() as session:
        weeks = weekly_sentiment(session, customer_id=acme, now=NOW)
    assert len(weeks) == 8 and weeks[0] is not None and weeks[0] > 0 and weeks[-1] < 0
    assert weeks[3] is None


def test_loyalty_suggestions_need_time_repeat_business_and_positive_sentiment(session_factory):
    with session_factory.begin() as session:
        ready = add(session, "Ready", Stage.RETENTION, when=ago(days=90))
        for days in (80, 40):
            touch(session, ready, ago(days=days), TouchpointKind.RENEWAL)
        feedback(session, ready, "We love working with you", ago(days=10))
        too_new = add(session, "TooNew", Stage.RETENTION, when=ago(days=20))
        touch(session, too_new, ago(days=10), TouchpointKind.PURCHASE)
        touch(session, too_new, ago(days=5), TouchpointKind.PURCHASE)
        feedback(session, too_new, "Great", ago(days=3))
        grumpy = add(session, "Grumpy", Stage.RETENTION, when=ago(days=90))
        touch(session, grumpy, ago(days=60), TouchpointKind.REFERRAL)
        touch(session, grumpy, ago(days=30), TouchpointKind.RENEWAL)
        feedback(session, grumpy, "Support is awful", ago(days=3))
        loyal = add(session, "Loyal", Stage.RETENTION, when=ago(days=90))
        move_stage(
            session, workspace_id=WS, customer=loyal, to=Stage.LOYALTY, actor="U0CSM", reason=None, now=ago(days=2)
        )
    with session_factory() as session:
        candidates = loyalty_candidates(session, workspace_id=WS, now=NOW)
        newly = newly_loyal(session, workspace_id=WS, now=NOW)
    assert [(c.name, c.loyalty_events) for c in candidates] == [("Ready", 2)]
    assert candidates[0].why.startswith("90 days in retention, 2 purchases/renewals/referrals, sentiment +0.")
    assert [(item.name, item.moved_by) for item in newly] == [("Loyal", "U0CSM")]


def test_the_digest_funnel_counts_skipped_stages_and_each_customer_once(session_factory):
    from lifecycle.digest import build_digest

    with session_factory.begin() as session:
        for number in range(4):  # reach straight to conversion
            customer = add(session, f"Jumper {number}", Stage.REACH, when=ago(days=30))
            move_stage(
                session,
                workspace_id=WS,
                customer=customer,
                to=Stage.CONVERSION,
                actor="U0REP",
                reason=None,
                now=ago(days=2),
            )
        bouncer = add(session, "Bouncer", Stage.REACH, when=ago(days=30))
        for to, reason in [(Stage.ACQUISITION, None), (Stage.REACH, "not ready"), (Stage.ACQUISITION, None)]:
            move_stage(session, workspace_id=WS, customer=bouncer, to=to, actor="U0REP", reason=reason, now=ago(days=1))
        add(session, "Waiting", Stage.REACH, when=ago(days=30))
    with session_factory() as session:
        digest = build_digest(session, workspace_id=WS, now=NOW, window_start=ago(days=7), window_end=NOW)
    reach = digest.funnel.conversions[0]
    assert (reach.moved, reach.eligible) == (5, 6)  # 4 jumpers + the bouncer, out of those 5 and "Waiting"
    acquisition = digest.funnel.conversions[1]
    assert (acquisition.moved, acquisition.eligible) == (0, 1)  # the bouncer sits in acquisition now
