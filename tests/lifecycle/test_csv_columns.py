"""Headers, people, reports and scoring of CSV imports (pure, no database)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lifecycle.intent import detect_intents
from lifecycle.sentiment import score_text
from lifecycle.transfer.activity import import_key
from lifecycle.transfer.columns import FileKind, MissingColumn, export_header, read_header
from lifecycle.transfer.common import People
from lifecycle.transfer.report import ImportResult
from lifecycle.transfer.scoring import TextScorer, score_texts
from lifecycle.transfer.source import Cells, open_rows

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


def _header(name: str) -> list[str]:
    with (SAMPLES / name).open(newline="", encoding="utf-8-sig") as stream:
        return next(csv.reader(stream))


def _found(kind: FileKind, header: list[str]) -> dict[str, str]:
    """Our column -> the header it was read from."""
    layout = read_header(kind, header)
    return {name: header[index] for name, index in layout.positions.items() if index is not None}


def test_our_own_headers_are_read_in_any_case_and_spelling():
    assert _found(
        FileKind.CUSTOMERS, ["NAME", "Stage", "owner", "Stage Entered At", "created-at", "Value", "RenewalDate"]
    ) == {
        "name": "NAME",
        "stage": "Stage",
        "owner": "owner",
        "stage_entered_at": "Stage Entered At",
        "created_at": "created-at",
        "value": "Value",
        "renewal_date": "RenewalDate",
    }


@pytest.mark.parametrize(
    ("sample", "kind", "expected"),
    [
        (
            "hubspot_companies.csv",
            FileKind.CUSTOMERS,
            {
                "name": "Company name",
                "stage": "Lifecycle Stage",
                "owner": "Company owner",
                "created_at": "Create Date",
                "value": "Annual Revenue",
            },
        ),
        (
            "salesforce_accounts.csv",
            FileKind.CUSTOMERS,
            {
                "name": "Account Name",
                "stage": "Type",
                "owner": "Account Owner",
                "created_at": "Created Date",
                "value": "Annual Revenue",
                "renewal_date": "Contract End Date",
            },
        ),
        (
            "salesforce_accounts_dataloader.csv",
            FileKind.CUSTOMERS,
            {
                "name": "NAME",
                "stage": "TYPE",
                "owner": "OWNERID",
                "created_at": "CREATEDDATE",
                "value": "ANNUALREVENUE",
            },
        ),
        (
            "hubspot_activities.csv",
            FileKind.TOUCHPOINTS,
            {
                "customer": "Associated Company",
                "kind": "Activity type",
                "note": "Notes",
                "occurred_at": "Activity date",
                "author": "Created by",
                "subject": "Subject",
            },
        ),
        (
            "salesforce_tasks.csv",
            FileKind.TOUCHPOINTS,
            {
                "customer": "Company / Account",
                "kind": "Type",
                "note": "Comments",
                "occurred_at": "Date",
                "author": "Assigned",
                "subject": "Subject",
            },
        ),
        (
            "survey_feedback.csv",
            FileKind.FEEDBACK,
            {"customer": "Company", "text": "Comment", "created_at": "Submitted at", "author": "Recorded by"},
        ),
    ],
)
def test_hubspot_and_salesforce_export_headers_are_recognised(sample, kind, expected):
    assert _found(kind, _header(sample)) == expected


def test_columns_nobody_reads_are_listed_and_a_close_date_is_not_a_renewal():
    layout = read_header(FileKind.CUSTOMERS, _header("hubspot_companies.csv"))
    assert "Record ID" in layout.ignored and "Close Date" in layout.ignored and "Company name" not in layout.ignored


def test_our_name_wins_over_a_crm_alias_and_each_header_is_read_once():
    found = _found(FileKind.TOUCHPOINTS, ["Created date", "Activity date", "customer", "occurred_at", "Type", "kind"])
    assert found["occurred_at"] == "occurred_at" and found["kind"] == "kind"
    found = _found(FileKind.TOUCHPOINTS, ["Created date", "Activity date", "Company"])
    assert found["occurred_at"] == "Activity date"


def test_a_file_without_a_required_column_says_what_was_looked_for():
    with pytest.raises(MissingColumn) as raised:
        read_header(FileKind.TOUCHPOINTS, ["Company", "Type", "Notes"])
    assert "no occurred_at column" in raised.value.message
    assert "“activity date”" in (raised.value.hint or "") and "Company, Type, Notes" in (raised.value.hint or "")


def test_export_writes_our_own_columns():
    assert export_header(FileKind.CUSTOMERS) == [
        "name",
        "stage",
        "owner",
        "stage_entered_at",
        "created_at",
        "value",
        "renewal_date",
    ]
    assert export_header(FileKind.TOUCHPOINTS) == ["customer", "kind", "note", "occurred_at", "author"]
    assert export_header(FileKind.FEEDBACK) == ["customer", "text", "created_at", "author"]


def _rows(text: str, kind: FileKind = FileKind.FEEDBACK) -> tuple[list[tuple[int, list[str]]], ImportResult]:
    result = ImportResult(kind=kind.value, workspace_id="T0ACME", source="x.csv")
    layout, rows = open_rows(io.StringIO(text), kind, result)
    cells = Cells(layout, ("customer", "text", "created_at", "author"))
    return [(row.line, cells.pick(row)) for row in rows], result


def test_rows_carry_the_line_they_start_on_across_quoted_line_breaks_and_blank_lines():
    rows, _ = _rows('customer,text,created_at\nAcme,"two\nlines",2024-01-01\n\n,,\nGlobex,ok,2024-01-02\n')
    assert rows == [(2, ["Acme", "two\nlines", "2024-01-01", ""]), (6, ["Globex", "ok", "2024-01-02", ""])]


def test_semicolons_and_short_rows_are_read_and_a_spreadsheet_guard_quote_is_taken_off():
    rows, _ = _rows("customer;text;created_at;author\nAcme;'=1+2;2024-01-01\n")
    assert rows == [(2, ["Acme", "=1+2", "2024-01-01", ""])]


def test_an_empty_file_is_refused_before_anything_is_read():
    with pytest.raises(Exception, match="empty"):
        _rows("")


class FakeSlack:
    """users.lookupByEmail as a dict, counting the questions."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users
        self.asked: list[str] = []

    def __call__(self, email: str) -> str | None:
        self.asked.append(email)
        return self.users.get(email)


def test_owners_are_slack_ids_or_looked_up_by_email_once_and_the_rest_is_kept_and_reported():
    slack = FakeSlack({"ana@acme.example": "U0ANA"})
    result = ImportResult(kind="customers", workspace_id="T0ACME", source="x.csv")
    people = People(slack, result, "owner")
    written = ["ana@acme.example", "U0BEN", "ana@acme.example", "bob@acme.example", "Gavin Belson", "", "import"]
    assert [people.user_id(text) for text in written] == [
        "U0ANA",
        "U0BEN",
        "U0ANA",
        "bob@acme.example",
        "Gavin Belson",
        "import",
        "import",
    ]
    assert slack.asked == ["ana@acme.example", "bob@acme.example"]
    assert result.notes == {
        "owner kept as bob@acme.example: no Slack user has that email": 1,
        "owner kept as Gavin Belson: not a Slack user id or an email": 1,
        "no owner given: set to “import”": 1,
    }


def test_without_a_token_addresses_are_kept_and_reported_and_a_failed_lookup_says_why():
    result = ImportResult(kind="customers", workspace_id="T0ACME", source="x.csv")
    assert People(None, result, "owner").user_id("ana@acme.example") == "ana@acme.example"
    assert "owner kept as ana@acme.example: no Slack token to look it up" in result.notes

    def refused(email: str) -> str | None:
        raise LookupError("missing_scope")

    long_address = "someone.with.a.very.long.name@subsidiary.acme.example"
    assert People(refused, result, "author").user_id(long_address) == "import"
    assert any("too long to keep" in note and "missing_scope" in note for note in result.notes)


def test_the_summary_lists_rejections_by_reason_in_line_order_and_keeps_only_a_sample():
    result = ImportResult(kind="touchpoints", workspace_id="T0ACME", source="x.csv", rows=3)
    sink: list[int] = []
    result.on_reject = lambda rejected: sink.append(rejected.line)
    result.reject(9, "bad date", "bad date “soon”")
    result.reject(4, "unknown customer", "unknown customer “Acme Crop”")
    for line in range(100, 160):
        result.reject(line, "bad date", "bad date “soon”")
    lines = result.summary_lines()
    assert lines[0] == "Touchpoints: 3 rows read; 0 imported, 0 already there, 62 rejected."
    assert lines[1] == "Rejected rows (61 bad date, 1 unknown customer):"
    assert lines[2] == "  line 4: unknown customer “Acme Crop”" and lines[3] == "  line 9: bad date “soon”"
    assert lines[-1].startswith("  …and 12 more") and len(sink) == 62


def test_texts_are_scored_exactly_as_slack_scores_them_in_process_and_on_a_pool():
    texts = [
        "We have decided not to renew.",
        "Great call, they love it!",
        "Left voicemail",
        "Great call, they love it!",
    ]
    expected = []
    for text in texts:
        sentiment, intents = score_text(text), detect_intents(text)
        intent = (intents[0].kind.value, intents[0].phrase) if intents else (None, None)
        expected.append((sentiment.compound, sentiment.pos, sentiment.neu, sentiment.neg, sentiment.label, *intent))
    assert [tuple(item) for item in score_texts(texts)] == expected
    assert expected[0][5] == "churn" and expected[1][4] == "positive"
    for workers in (0, 1):
        with TextScorer[list[str]](workers) as scorer:
            batches = [texts[:2], texts[2:], texts]
            scored = list(scorer.run(batches, lambda batch: batch))
        assert [batch for batch, _ in scored] == batches
        for batch, scores in scored:
            assert [tuple(scores[text]) for text in batch] == [expected[texts.index(text)] for text in batch]
        assert scorer.scored == 3  # each distinct text once


def test_the_import_key_depends_on_every_part_of_the_row_but_not_on_case_of_the_author():
    when = datetime(2024, 1, 31, 10, 15, tzinfo=UTC)
    key = import_key("acme corp", "call", when, "Called", "ana@acme.example")
    assert key == import_key("acme corp", "call", when, "Called", "ANA@acme.example")
    assert (
        len(
            {
                key,
                import_key("acme", "call", when, "Called", "ana@acme.example"),
                import_key("acme corp", "email", when, "Called", "ana@acme.example"),
                import_key("acme corp", "call", when.replace(minute=16), "Called", "ana@acme.example"),
                import_key("acme corp", "call", when, "Called!", "ana@acme.example"),
                import_key("acme corp", "call", when, "Called", "U0ANA"),
            }
        )
        == 6
    )
