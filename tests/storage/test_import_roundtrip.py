"""Export then import into an empty workspace gives the same data back; erased customers stay out (both databases)."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from lifecycle.activity import log_touchpoint, record_feedback
from lifecycle.customers import add_customer
from lifecycle.risk import refresh_customer_health
from lifecycle.stages import Stage
from lifecycle.states import FeedbackSource
from lifecycle.touchpoints import TouchpointKind
from lifecycle.transfer.export import export_workspace
from storage.models import Customer, Feedback, Touchpoint
from tests.storage.import_support import NOW, TEAM, run_import, run_sample

COPY = "T0COPY"


def _seed(sessions) -> None:
    """Imported data, data made in Slack (with microseconds and text a spreadsheet would run), an erased customer."""
    run_sample("customers", sessions, "hubspot_companies.csv")
    run_sample("customers", sessions, "salesforce_accounts.csv")
    run_sample("touchpoints", sessions, "hubspot_activities.csv")
    run_sample("touchpoints", sessions, "salesforce_tasks.csv")
    run_sample("feedback", sessions, "survey_feedback.csv")
    later = NOW - timedelta(microseconds=876544)
    with sessions.begin() as session:
        for name, stage in (("@home Inc", Stage.CONVERSION), ("Gone Ltd", Stage.RETENTION)):
            add_customer(session, workspace_id=TEAM, name=name, stage=stage, owner="U0REP", actor="U0REP", now=later)
        for customer, note in (
            ("@home Inc", '=HYPERLINK("http://evil")'),
            ("Gone Ltd", "secret"),
            ("Acme Corp", "- bullet"),
        ):
            kind = TouchpointKind.PURCHASE
            log_touchpoint(
                session, workspace_id=TEAM, customer=customer, kind=kind, note=note, actor="U0REP", now=later
            )
        record_feedback(
            session, workspace_id=TEAM, customer="Gone Ltd", text="Private words", source=FeedbackSource.COMMAND,
            actor="U0REP", now=later,
        )  # fmt: skip
        session.execute(update(Customer).where(Customer.name == "Gone Ltd").values(erased_at=NOW))
        session.execute(update(Customer).where(Customer.name == "Acme Corp").values(renewal_date=NOW.date()))
        # Re-assessed as `/customer set … renewal` does: a renewal that close is a red flag on an at-risk customer.
        acme = session.scalars(select(Customer.id).where(Customer.name == "Acme Corp")).one()
        refresh_customer_health(session, workspace_id=TEAM, customer_id=acme, now=later)


def _export(sessions, workspace: str, directory: Path):
    with sessions.begin() as session:
        return export_workspace(session, workspace_id=workspace, directory=directory)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def _state(sessions, workspace: str) -> dict[str, object]:
    with sessions.begin() as session:
        names = {c.id: c.name for c in session.scalars(select(Customer).where(Customer.workspace_id == workspace))}
        kept = select(Customer).where(Customer.workspace_id == workspace, Customer.erased_at.is_(None))
        customers = sorted(
            (c.name, c.stage, c.owner_user_id, c.value, c.renewal_date, c.created_at, c.stage_entered_at,
             c.last_touch_at, c.loyalty_events, c.risk_level, c.health_score)
            for c in session.scalars(kept)
        )  # fmt: skip
        touchpoints = sorted(
            (names[t.customer_id], t.kind, t.note, t.occurred_at, t.author_user_id, t.sentiment_compound,
             t.sentiment_label, t.intent, t.intent_phrase)
            for t in session.scalars(select(Touchpoint).where(Touchpoint.workspace_id == workspace))
            if names[t.customer_id] != "Gone Ltd"
        )  # fmt: skip
        feedback = sorted(
            (names[f.customer_id], f.text, f.created_at, f.author_user_id, f.compound, f.pos, f.neu, f.neg, f.label,
             f.intent, f.intent_phrase)
            for f in session.scalars(select(Feedback).where(Feedback.workspace_id == workspace))
            if names[f.customer_id] != "Gone Ltd"
        )  # fmt: skip
    return {"customers": customers, "touchpoints": touchpoints, "feedback": feedback}


def test_export_then_import_into_an_empty_workspace_round_trips(session_factory, tmp_path):
    _seed(session_factory)
    exported = _export(session_factory, TEAM, tmp_path / "out")
    files = {kind.value: tmp_path / "out" / f"{kind.value}.csv" for kind in exported.rows}
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "customers.csv",
        "feedback.csv",
        "touchpoints.csv",
    ]
    for kind in ("customers", "touchpoints", "feedback"):
        result = run_import(kind, session_factory, files[kind].read_text(encoding="utf-8"), workspace_id=COPY)
        assert (result.rejected, result.imported) == (
            0,
            exported.rows[next(k for k in exported.rows if k.value == kind)],
        )
    original, copy = _state(session_factory, TEAM), _state(session_factory, COPY)
    assert len(copy["customers"]) == 11 and len(copy["touchpoints"]) == 12 and len(copy["feedback"]) == 3
    assert copy == original


def test_erased_customers_and_their_activity_are_left_out_and_formulas_are_defused(session_factory, tmp_path):
    _seed(session_factory)
    _export(session_factory, TEAM, tmp_path)
    customers, touchpoints = _read(tmp_path / "customers.csv"), _read(tmp_path / "touchpoints.csv")
    feedback = _read(tmp_path / "feedback.csv")
    assert "Gone Ltd" not in {row["name"] for row in customers}
    assert "Gone Ltd" not in {row["customer"] for row in touchpoints + feedback}
    assert (
        "secret" not in (tmp_path / "touchpoints.csv").read_text()
        and "Private" not in (tmp_path / "feedback.csv").read_text()
    )
    # A spreadsheet would run these as formulas: a quote before them, taken off again by import.
    assert {row["name"] for row in customers} >= {"'@home Inc", "Acme Corp"}
    assert {row["note"] for row in touchpoints} >= {'\'=HYPERLINK("http://evil")', "'- bullet"}
    acme = next(row for row in customers if row["name"] == "Acme Corp")
    assert acme == {
        "name": "Acme Corp",
        "stage": "retention",
        "owner": "ana@acme.example",
        "stage_entered_at": "2024-01-31T10:15:00+00:00",
        "created_at": "2024-01-31T10:15:00+00:00",
        "value": "12000.50",
        "renewal_date": "2026-11-23",
    }
    purchase = next(row for row in touchpoints if row["customer"] == "'@home Inc")
    assert purchase["occurred_at"] == "2026-11-23T08:59:59.123456+00:00" and purchase["kind"] == "purchase"


def test_an_export_leaves_no_partial_file_behind(session_factory, tmp_path):
    _seed(session_factory)
    (tmp_path / "customers.csv").write_text("old")
    _export(session_factory, TEAM, tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["customers.csv", "feedback.csv", "touchpoints.csv"]
    assert (tmp_path / "customers.csv").read_text().startswith("name,stage,owner")
