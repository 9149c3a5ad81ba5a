"""Importing touchpoints and feedback (SQLite and PostgreSQL): scored like Slack's, idempotent, no alert for history."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from lifecycle.activity import log_touchpoint, record_feedback
from lifecycle.customers import add_customer
from lifecycle.health import RedFlag, RiskLevel
from lifecycle.stages import Stage
from lifecycle.states import FeedbackSource
from lifecycle.touchpoints import TouchpointKind
from lifecycle.transfer.common import ImportStopped
from storage.models import Customer, Feedback, OutboxMessage, Touchpoint
from tests.storage.import_support import NOW, TEAM, route_every_team, rows_of, run_import, run_sample


def _customers(sessions, workspace=TEAM) -> dict[str, Customer]:
    with sessions.begin() as session:
        return {c.name: c for c in session.scalars(select(Customer).where(Customer.workspace_id == workspace))}


def _touchpoints(sessions, workspace=TEAM) -> list[Touchpoint]:
    with sessions.begin() as session:
        query = select(Touchpoint).where(Touchpoint.workspace_id == workspace)
        return list(session.scalars(query.order_by(Touchpoint.occurred_at, Touchpoint.id)))


def _as_slack_scores(sessions, note: str) -> tuple[object, ...]:
    """What log_touchpoint stores for this note (in a workspace of its own)."""
    with sessions.begin() as session:
        customer = add_customer(
            session,
            workspace_id="T0SLACK",
            name=f"c{abs(hash(note))}",
            stage=Stage.REACH,
            owner="U1",
            actor="U1",
            now=NOW,
        )
        logged = log_touchpoint(
            session,
            workspace_id="T0SLACK",
            customer=customer.id,
            kind=TouchpointKind.CALL,
            note=note,
            actor="U1",
            now=NOW,
        ).touchpoint
        return logged.sentiment_compound, logged.sentiment_label, logged.intent, logged.intent_phrase


def test_a_hubspot_activity_export_becomes_touchpoints_scored_exactly_as_in_slack(session_factory):
    run_sample("customers", session_factory, "hubspot_companies.csv")
    result = run_sample("touchpoints", session_factory, "hubspot_activities.csv")
    assert (result.rows, result.imported, result.rejected) == (6, 6, 0)
    assert "Associated Contact" in result.ignored_columns
    ids = {c.id: name for name, c in _customers(session_factory).items()}
    stored = [
        (ids[t.customer_id], t.kind, t.note, t.occurred_at, t.author_user_id) for t in _touchpoints(session_factory)
    ]
    assert stored == [
        ("Globex", TouchpointKind.MEETING, "Discovery — Budget approved for Q1; they want a demo first",
         datetime(2026, 10, 2, 11, 30, tzinfo=UTC), "ben@acme.example"),
        ("Umbrella Health", TouchpointKind.NOTE, "Referred us to two other hospitals.\nVery happy customer.",
         datetime(2026, 11, 1, 10, tzinfo=UTC), "U0ANA"),
        ("Umbrella Health", TouchpointKind.NOTE, "Send renewal quote", datetime(2026, 11, 10, 8, tzinfo=UTC), "U0ANA"),
        ("Acme Corp", TouchpointKind.EMAIL, "Re: invoice",
         datetime(2026, 11, 18, 9, 30, tzinfo=UTC), "ana@acme.example"),
        ("Acme Corp", TouchpointKind.CALL, "Quarterly check-in — Great call, the team loves the new dashboard.",
         datetime(2026, 11, 20, 16, 2, tzinfo=UTC), "ana@acme.example"),
        ("Acme Corp", TouchpointKind.EMAIL, "Contract — We have decided not to renew, we are moving to a competitor.",
         datetime(2026, 11, 21, 13, 5, tzinfo=UTC), "ana@acme.example"),
    ]  # fmt: skip
    for touchpoint in _touchpoints(session_factory):
        scores = (
            touchpoint.sentiment_compound,
            touchpoint.sentiment_label,
            touchpoint.intent,
            touchpoint.intent_phrase,
        )
        assert scores == _as_slack_scores(session_factory, touchpoint.note), touchpoint.note
    leaving = _touchpoints(session_factory)[-1]
    assert leaving.intent == "churn" and leaving.sentiment_label == "negative"
    assert all(t.created_at == NOW and t.import_key and len(t.import_key) == 32 for t in _touchpoints(session_factory))


def test_imported_touches_keep_the_columns_log_touchpoint_keeps_and_a_newer_touch_stays(session_factory):
    customers = "name,stage,created_at\nAcme,retention,2026-01-01\nGlobex,reach,2026-01-01\n"
    run_import("customers", session_factory, customers)
    with session_factory.begin() as session:
        log_touchpoint(
            session, workspace_id=TEAM, customer="Globex", kind=TouchpointKind.CALL, note="", actor="U1", now=NOW
        )
    touches = """customer,kind,occurred_at,note
Acme,purchase,2026-10-01,
Acme,call,2026-11-02,
Acme,renewal,2026-09-01,
Acme,referral,2026-08-01,
Acme,email,2026-10-15,
Globex,purchase,2026-11-01,
"""
    run_import("touchpoints", session_factory, touches)
    found = _customers(session_factory)
    assert found["Acme"].last_touch_at == datetime(2026, 11, 2, tzinfo=UTC) and found["Acme"].loyalty_events == 3
    assert found["Acme"].updated_at == datetime(2026, 11, 2, tzinfo=UTC)
    assert found["Globex"].last_touch_at == NOW and found["Globex"].loyalty_events == 1  # the rep's touch is newer
    run_import("touchpoints", session_factory, touches)
    again = _customers(session_factory)
    assert (again["Acme"].loyalty_events, again["Globex"].loyalty_events) == (3, 1)


def test_a_salesforce_task_report_imports_with_subjects_us_dates_and_names_kept(session_factory):
    run_sample("customers", session_factory, "salesforce_accounts.csv")
    result = run_sample("touchpoints", session_factory, "salesforce_tasks.csv")
    assert (result.imported, result.rejected) == (4, 0)
    stored = {
        (t.kind, t.note, t.occurred_at.date().isoformat(), t.author_user_id, t.intent)
        for t in _touchpoints(session_factory)
    }
    assert stored == {
        (
            TouchpointKind.CALL,
            "Call — Discussed expansion to two more plants",
            "2026-11-19",
            "bruce@acme.example",
            None,
        ),
        (TouchpointKind.EMAIL, "Email: Renewal terms", "2026-11-20", "bruce@acme.example", None),
        (
            TouchpointKind.NOTE,
            "Follow up — They asked for a refund of the last invoice",
            "2026-11-02",
            "Rachael Tyrell",
            "refund",
        ),
        (TouchpointKind.MEETING, "Meeting — Security review went fine", "2026-10-15", "U0BEN", None),
    }
    assert result.notes["author kept as Rachael Tyrell: not a Slack user id or an email"] == 1


BAD = """customer,kind,occurred_at,note,author
Acme,call,2026-11-01,fine,U1
Acme Crop,call,2026-11-01,typo in the name,U1
,call,2026-11-01,no customer,U1
Acme,call,,no date,U1
Acme,call,yesterday,bad date,U1
Acme,call,2099-01-01,future,U1
Acme,fax,2026-11-01,unknown kind,U1
Acme,,2026-11-03,no kind is a note,U1
"""


def test_bad_rows_and_rows_for_unknown_customers_are_rejected_with_their_lines(session_factory):
    run_import("customers", session_factory, "name\nAcme\n")
    seen = []
    result = run_import("touchpoints", session_factory, BAD, on_reject=seen.append)
    assert (result.rows, result.imported, result.rejected) == (8, 2, 6)
    assert [(item.line, item.code) for item in seen] == [
        (3, "unknown customer"),
        (4, "missing customer"),
        (5, "missing date"),
        (6, "bad date"),
        (7, "future date"),
        (8, "unknown kind"),
    ]
    assert "“Acme Crop”" in seen[0].reason
    assert [t.kind for t in _touchpoints(session_factory)] == [TouchpointKind.CALL, TouchpointKind.NOTE]


def test_importing_activity_twice_changes_nothing(session_factory):
    run_sample("customers", session_factory, "hubspot_companies.csv")
    run_sample("touchpoints", session_factory, "hubspot_activities.csv")
    run_sample("feedback", session_factory, "survey_feedback.csv")
    before = {model: rows_of(session_factory, model) for model in (Touchpoint, Feedback, Customer)}
    again = run_sample("touchpoints", session_factory, "hubspot_activities.csv")
    assert (again.imported, again.already_there) == (0, 6)
    assert run_sample("feedback", session_factory, "survey_feedback.csv").already_there == 3
    assert {model: rows_of(session_factory, model) for model in before} == before


def test_feedback_is_scored_as_feedback_recorded_in_slack(session_factory):
    run_sample("customers", session_factory, "hubspot_companies.csv")
    result = run_sample("feedback", session_factory, "survey_feedback.csv")
    assert (result.imported, result.rejected) == (3, 0)
    with session_factory.begin() as session:
        imported = list(session.scalars(select(Feedback).order_by(Feedback.created_at)))
        slack = record_feedback(
            session, workspace_id=TEAM, customer="Globex", text=imported[-1].text, source=FeedbackSource.COMMAND,
            actor="U0BEN", now=NOW,
        ).feedback  # fmt: skip
        assert [(f.created_at, f.author_user_id) for f in imported] == [
            (datetime(2026, 11, 2, tzinfo=UTC), "import"),
            (datetime(2026, 11, 12, 9, tzinfo=UTC), "ana@acme.example"),
            (datetime(2026, 11, 15, 13, 30, tzinfo=UTC), "U0BEN"),
        ]
        assert imported[-1].label == "negative"
        columns = ("compound", "pos", "neu", "neg", "label", "intent", "intent_phrase")
        assert [getattr(imported[-1], c) for c in columns] == [getattr(slack, c) for c in columns]


def test_history_raises_no_alert_even_for_a_customer_assessed_before(session_factory):
    route_every_team(session_factory)
    with session_factory.begin() as session:
        add_customer(
            session,
            workspace_id=TEAM,
            name="Acme",
            stage=Stage.RETENTION,
            owner="U1",
            actor="U1",
            now=NOW - timedelta(days=40),
        )
        log_touchpoint(
            session,
            workspace_id=TEAM,
            customer="Acme",
            kind=TouchpointKind.CALL,
            note="All good",
            actor="U1",
            now=NOW - timedelta(days=1),
        )
    assert _customers(session_factory)["Acme"].risk_level == RiskLevel.HEALTHY
    run_import(
        "touchpoints",
        session_factory,
        "customer,kind,occurred_at,note\nAcme,call,2026-11-22,We will cancel the contract.\n",
    )
    hate = "This is terrible, the worst support we have ever had. Awful, useless and broken."
    run_import(
        "feedback",
        session_factory,
        f"customer,text,created_at\nAcme,{hate},2026-11-20\nAcme,{hate} Again.,2026-11-21\n",
    )
    acme = _customers(session_factory)["Acme"]
    assert acme.risk_level == RiskLevel.AT_RISK and RedFlag.LEAVING_INTENT.value in (acme.red_flags or {})
    with session_factory.begin() as session:
        log_touchpoint(
            session,
            workspace_id=TEAM,
            customer="Acme",
            kind=TouchpointKind.CALL,
            note="Called back",
            actor="U1",
            now=NOW,
        )
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # fmt: skip


class _Interrupted(io.StringIO):
    """A file whose reading is interrupted (Ctrl-C) when it reaches a given line."""

    def __init__(self, text: str, stop_at: int) -> None:
        super().__init__(text, newline="")
        self.stop_at = stop_at
        self.read_lines = 0

    def __next__(self) -> str:
        self.read_lines += 1
        if self.read_lines >= self.stop_at:
            raise KeyboardInterrupt
        return super().__next__()


@pytest.mark.parametrize("workers", [0, 1])
def test_an_interrupted_import_says_how_far_it_got_and_a_rerun_completes_it(session_factory, workers):
    run_import("customers", session_factory, "name\nAcme\nGlobex\n")
    lines = ["customer,kind,occurred_at,note"] + [
        f"{'Acme' if n % 2 else 'Globex'},{'purchase' if n % 3 == 0 else 'call'},2026-10-{n % 28 + 1:02d} 10:{n:02d},"
        f"note {n % 4}"
        for n in range(40)
    ]
    text = "\n".join(lines) + "\n"
    from lifecycle.transfer.activity import import_touchpoints
    from lifecycle.transfer.common import ImportOptions

    options = ImportOptions(workspace_id=TEAM, now=NOW, batch_size=4, workers=workers)
    with pytest.raises(ImportStopped) as stopped:
        import_touchpoints(session_factory.begin, _Interrupted(text, stop_at=22), options)
    partial = stopped.value.result
    assert isinstance(stopped.value.cause, KeyboardInterrupt) and not partial.complete
    assert 1 < partial.committed_line < 22 and partial.imported == len(_touchpoints(session_factory))
    assert partial.imported == partial.committed_line - 1  # every row up to that line is stored
    done = run_import("touchpoints", session_factory, text, workers=workers)
    assert done.imported + partial.imported == 40 and done.already_there == partial.imported
    found = _customers(session_factory)
    assert found["Acme"].loyalty_events + found["Globex"].loyalty_events == 14  # n % 3 == 0 for 14 of 40


def test_imported_times_are_stored_exactly_as_the_app_stores_them(session_factory):
    # Stored text, not what SQLAlchemy reads back: SQLite compares times as strings, so one format for all rows.
    when = datetime(2026, 11, 20, 16, 2, tzinfo=UTC)
    run_import("customers", session_factory, "name\nAcme\n")
    run_import("touchpoints", session_factory, "customer,kind,occurred_at\nAcme,call,2026-11-20 16:02\n")
    with session_factory.begin() as session:
        log_touchpoint(
            session, workspace_id=TEAM, customer="Acme", kind=TouchpointKind.CALL, note="", actor="U1", now=when
        )
        stored = session.execute(
            text("SELECT CAST(occurred_at AS TEXT), import_key IS NULL FROM touchpoints ORDER BY id")
        ).all()
    assert [flag for _, flag in stored] == [False, True] and stored[0][0] == stored[1][0]


def test_a_note_longer_than_slack_allows_is_cut_as_there_and_the_report_says_so(session_factory):
    run_import("customers", session_factory, "name\nAcme\n")
    long_note = "word " * 1000
    result = run_import("touchpoints", session_factory, f"customer,occurred_at,note\nAcme,2026-11-01,{long_note}\n")
    assert result.notes["note shortened to 4000 characters"] == 1
    assert _touchpoints(session_factory)[0].note == long_note[:4000].strip()
