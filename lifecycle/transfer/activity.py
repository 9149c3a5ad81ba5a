"""Importing touchpoints and feedback: scored like Slack's, keyed by a digest of the row, for known customers only."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy.orm import Session

from lifecycle.names import name_key
from lifecycle.risk import mark_stale
from lifecycle.states import FeedbackSource
from lifecycle.text import MAX_NOTE_LENGTH, bound_text
from lifecycle.touchpoints import LOYALTY_EVENTS, TouchpointKind
from lifecycle.transfer.columns import FileKind
from lifecycle.transfer.common import (
    ImportOptions,
    ImportStopped,
    People,
    SessionScope,
    batched,
    finish_import,
    record_stopped,
    start_result,
)
from lifecycle.transfer.report import ImportResult
from lifecycle.transfer.scoring import Scored, TextScorer
from lifecycle.transfer.source import Cells, Row, open_rows
from lifecycle.transfer.values import BadValue, parse_crm_kind, parse_moment
from storage import bulk
from storage.models import Feedback, Touchpoint

CACHE_SIZE = 100_000  # customers remembered by name (and names known to be unknown)
# FeedbackSource has no "import" member (lifecycle/states.py); imported feedback is told apart by its import_key.
IMPORTED_FEEDBACK_SOURCE = FeedbackSource.COMMAND


@dataclass(slots=True)
class _Pending:
    line: int
    key: str  # the customer's folded name
    shown: str  # the customer as written, for the report
    kind: TouchpointKind | None  # None for feedback
    when: datetime
    text: str
    author: str
    import_key: str
    customer_id: int = 0


@dataclass(frozen=True)
class _Batch:
    last_line: int
    rows: list[_Pending]


RowBuilder = Callable[[_Pending, Scored | None, ImportOptions], dict[str, Any]]


@dataclass(frozen=True)
class _Spec:
    kind: FileKind
    model: type[Touchpoint] | type[Feedback]
    text_column: str
    time_column: str
    build: RowBuilder


def import_touchpoints(writing: SessionScope, stream: TextIO, options: ImportOptions) -> ImportResult:
    """Store the touchpoints of a CSV file for customers that exist; a row stored before is skipped."""
    return _import(_TOUCHPOINTS, writing, stream, options)


def import_feedback(writing: SessionScope, stream: TextIO, options: ImportOptions) -> ImportResult:
    """Store and score the feedback of a CSV file for customers that exist; a row stored before is skipped."""
    return _import(_FEEDBACK, writing, stream, options)


def import_key(customer_key: str, kind: str, when: datetime, text: str, author: str) -> str:
    """The digest an imported row is stored under: the same row imported again hits the unique index."""
    # The author as written (not as resolved), so a rerun with a Slack token finds the rows stored without one.
    material = "\x1f".join((customer_key, kind, when.isoformat(), text, author.casefold()))
    return hashlib.sha256(material.encode()).hexdigest()


def _import(spec: _Spec, writing: SessionScope, stream: TextIO, options: ImportOptions) -> ImportResult:
    result = start_result(spec.kind.value, options)
    layout, rows = open_rows(stream, spec.kind, result)
    reader = _Reader(spec, Cells(layout), People(options.resolve_owner, result, "author"), result, options)
    customers = _Customers(writing, options.workspace_id)

    def batches() -> Any:
        for batch in batched(rows, options.batch_size):
            result.rows += len(batch)
            parsed = [found for row in batch if (found := reader.parse(row)) is not None]
            yield _Batch(batch[-1].line, customers.known(parsed, result))

    try:
        with TextScorer[_Batch](options.workers) as scorer:
            for batch, scores in scorer.run(batches(), lambda batch: (row.text for row in batch.rows if row.text)):
                with writing() as session:
                    _store(spec, session, batch, scores, result, options)
                result.committed_line = batch.last_line
    except (Exception, KeyboardInterrupt) as error:
        record_stopped(writing, result, options)
        raise ImportStopped(result, error) from error
    return finish_import(writing, result, options)


class _Reader:
    """Turns a row into a pending touchpoint or feedback, or rejects it with its reason."""

    def __init__(self, spec: _Spec, cells: Cells, people: People, result: ImportResult, options: ImportOptions):
        self._spec = spec
        self._cells = cells
        self._people = people
        self._result = result
        self._options = options
        self._keys: dict[str, str] = {}

    def parse(self, row: Row) -> _Pending | None:
        """The row's values, checked; None when it was rejected."""
        get, spec, result = self._cells.get, self._spec, self._result
        shown = get(row, "customer")
        key = self._key(shown)
        if not key:
            result.reject(row.line, "missing customer", "missing customer")
            return None
        written_time = get(row, spec.time_column)
        if not written_time:
            result.reject(row.line, "missing date", f"missing {spec.time_column}")
            return None
        try:
            kind = parse_crm_kind(get(row, "kind")) if spec.kind is FileKind.TOUCHPOINTS else None
            when = parse_moment(written_time, zone=self._options.zone)
        except BadValue as error:
            result.reject(row.line, error.code, error.message)
            return None
        if when > self._options.now:
            result.reject(row.line, "future date", f"{spec.time_column} “{written_time}” is in the future")
            return None
        text = self._text(row)
        if not text and spec.kind is FileKind.FEEDBACK:
            result.reject(row.line, "missing text", "missing text: feedback needs its words")
            return None
        written_author = get(row, "author")
        author = self._people.user_id(written_author)
        digest = import_key(key, kind.value if kind else "feedback", when, text, written_author)
        return _Pending(row.line, key, shown, kind, when, text, author, digest)

    def _key(self, shown: str) -> str:
        key = self._keys.get(shown)
        if key is None:
            if len(self._keys) >= CACHE_SIZE:
                self._keys.clear()
            key = self._keys[shown] = name_key(shown)
        return key

    def _text(self, row: Row) -> str:
        text = self._cells.get(row, self._spec.text_column)
        subject = self._cells.get(row, "subject") if self._spec.kind is FileKind.TOUCHPOINTS else ""
        if subject:
            # CRM activities carry a subject line beside the body; both are the note.
            text = f"{subject} — {text}" if text else subject
        bounded = bound_text(text, MAX_NOTE_LENGTH)
        if bounded.truncated:
            self._result.note(f"{self._spec.text_column} shortened to {MAX_NOTE_LENGTH} characters")
        return bounded.text


class _Customers:
    """Customer ids by folded name, looked up once per batch for the names not seen yet."""

    def __init__(self, writing: SessionScope, workspace_id: str) -> None:
        self._writing = writing
        self._workspace_id = workspace_id
        self._ids: dict[str, int | None] = {}

    def known(self, parsed: list[_Pending], result: ImportResult) -> list[_Pending]:
        """The rows whose customer exists (with its id); the others are rejected."""
        if len(self._ids) >= CACHE_SIZE:
            self._ids.clear()
        missing = {pending.key for pending in parsed if pending.key not in self._ids}
        if missing:
            with self._writing() as session:
                found = bulk.customer_ids(session, self._workspace_id, missing)
            self._ids.update({key: found.get(key) for key in missing})
        kept = []
        for pending in parsed:
            customer_id = self._ids[pending.key]
            if customer_id is None:
                result.reject(
                    pending.line,
                    "unknown customer",
                    f"unknown customer “{pending.shown}”: import it with the customers file first, or check the name",
                )
                continue
            pending.customer_id = customer_id
            kept.append(pending)
        return kept


def _store(
    spec: _Spec,
    session: Session,
    batch: _Batch,
    scores: Mapping[str, Scored],
    result: ImportResult,
    options: ImportOptions,
) -> None:
    """Insert the batch's new rows and move their customers' derived columns forward in the same transaction."""
    pending_by_key: dict[str, tuple[_Pending, dict[str, Any]]] = {}
    for pending in batch.rows:
        if pending.import_key in pending_by_key:
            result.already_there += 1  # the same row twice in the file
            continue
        row = spec.build(pending, scores.get(pending.text) if pending.text else None, options)
        pending_by_key[pending.import_key] = (pending, row)
    table = bulk.table_of(spec.model)
    inserted = bulk.insert_new(session, table, [row for _, row in pending_by_key.values()], table.c.import_key)
    result.imported += len(inserted)
    result.already_there += len(pending_by_key) - len(inserted)
    changes: dict[int, dict[str, Any]] = {}
    for (key,) in inserted:
        pending = pending_by_key[key][0]
        change = changes.get(pending.customer_id)
        if change is None:
            change = changes[pending.customer_id] = {
                "customer_id": pending.customer_id,
                "touched_at": None,
                "loyalty": 0,
                "active_at": pending.when,
            }
        change["active_at"] = max(change["active_at"], pending.when)
        if pending.kind is not None:  # what log_touchpoint keeps in step
            change["touched_at"] = max(change["touched_at"] or pending.when, pending.when)
            change["loyalty"] += pending.kind in LOYALTY_EVENTS
    if changes:
        bulk.record_activity(session, list(changes.values()))
        mark_stale(session, workspace_id=options.workspace_id)


def _touchpoint_row(pending: _Pending, scored: Scored | None, options: ImportOptions) -> dict[str, Any]:
    return {
        "workspace_id": options.workspace_id,
        "customer_id": pending.customer_id,
        "kind": pending.kind,
        "note": pending.text,
        "author_user_id": pending.author,
        "occurred_at": pending.when,
        "created_at": options.now,
        # An empty note is not scored, as in log_touchpoint.
        "sentiment_compound": scored.compound if scored else None,
        "sentiment_label": scored.label if scored else None,
        "intent": scored.intent if scored else None,
        "intent_phrase": scored.intent_phrase if scored else None,
        "import_key": pending.import_key,
    }


def _feedback_row(pending: _Pending, scored: Scored | None, options: ImportOptions) -> dict[str, Any]:
    assert scored is not None  # feedback always has text
    return {
        "workspace_id": options.workspace_id,
        "customer_id": pending.customer_id,
        "text": pending.text,
        "author_user_id": pending.author,
        "source": IMPORTED_FEEDBACK_SOURCE,
        "compound": scored.compound,
        "pos": scored.pos,
        "neu": scored.neu,
        "neg": scored.neg,
        "label": scored.label,
        "created_at": pending.when,
        "intent": scored.intent,
        "intent_phrase": scored.intent_phrase,
        "import_key": pending.import_key,
    }


_TOUCHPOINTS = _Spec(FileKind.TOUCHPOINTS, Touchpoint, "note", "occurred_at", _touchpoint_row)
_FEEDBACK = _Spec(FileKind.FEEDBACK, Feedback, "text", "created_at", _feedback_row)
