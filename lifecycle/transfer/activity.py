"""Importing touchpoints and feedback: scored like Slack's, keyed by a digest of the row, for known customers only."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
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
from lifecycle.transfer.report import ImportResult, Rejected
from lifecycle.transfer.scoring import Scored, TextScorer
from lifecycle.transfer.source import Cells, Row, open_rows
from lifecycle.transfer.values import BadValue, parse_crm_kind, parse_moment
from storage import bulk
from storage.models import Feedback, Touchpoint

IMPORT_KEY_LENGTH = 32
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
    rejected: list[Rejected]  # reported when the batch is stored, with its unknown customers, in line order


RowBuilder = Callable[[_Pending, Scored | None, ImportOptions], dict[str, Any]]


@dataclass(frozen=True)
class _Spec:
    kind: FileKind
    model: type[Touchpoint] | type[Feedback]
    text_column: str
    time_column: str
    build: RowBuilder

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns read from each row, in the order parse unpacks them."""
        extra = ("kind", "subject") if self.kind is FileKind.TOUCHPOINTS else ()
        return ("customer", self.time_column, self.text_column, "author", *extra)


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
    # 128 bits are plenty against collisions, and half the width keeps the unique index in SQLite's cache
    # longer (measured: +20% rows/s at 1M rows).
    return hashlib.sha256(material.encode()).hexdigest()[:IMPORT_KEY_LENGTH]


def _import(spec: _Spec, writing: SessionScope, stream: TextIO, options: ImportOptions) -> ImportResult:
    result = start_result(spec.kind.value, options)
    layout, rows = open_rows(stream, spec.kind, result)
    reader = _Reader(
        spec, Cells(layout, spec.columns), People(options.resolve_owner, result, "author"), result, options
    )
    customers = _Customers(options.workspace_id)

    def batches() -> Iterator[_Batch]:
        for batch in batched(rows, options.batch_size):
            result.rows += len(batch)
            parsed: list[_Pending] = []
            rejected: list[Rejected] = []
            for row in batch:
                found = reader.parse(row)
                if isinstance(found, _Pending):
                    parsed.append(found)
                else:
                    rejected.append(found)
            yield _Batch(batch[-1].line, parsed, rejected)

    try:
        # The scorer's processes score the next batches while this one is stored; each holds a batch or two.
        # (A writer thread was tried: SQLite takes and gives back the GIL for every row, so two threads ran
        # slower than one.)
        with TextScorer[_Batch](options.workers) as scorer:
            for batch, scores in scorer.run(batches(), lambda batch: (row.text for row in batch.rows if row.text)):
                with writing() as session:
                    bulk.prepare_for_bulk(session)
                    known = customers.known(session, batch, result)
                    _store(spec, session, known, scores, customers, result, options)
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
        self._kinds: dict[str, TouchpointKind | BadValue] = {}

    def parse(self, row: Row) -> _Pending | Rejected:
        """The row's values, checked, or why it is rejected."""
        spec = self._spec
        shown, written_time, text, written_author, *more = self._cells.pick(row)
        key = self._key(shown)
        if not key:
            return Rejected(row.line, "missing customer", "missing customer")
        if not written_time:
            return Rejected(row.line, "missing date", f"missing {spec.time_column}")
        try:
            kind = self._kind(more[0]) if more else None
            when = parse_moment(written_time, zone=self._options.zone)
        except BadValue as error:
            return Rejected(row.line, error.code, error.message)
        if when > self._options.now:
            return Rejected(row.line, "future date", f"{spec.time_column} “{written_time}” is in the future")
        text = self._text(text, more[1] if more else "")
        if not text and kind is None:
            return Rejected(row.line, "missing text", "missing text: feedback needs its words")
        author = self._people.user_id(written_author)
        digest = import_key(key, kind.value if kind else "feedback", when, text, written_author)
        return _Pending(row.line, key, shown, kind, when, text, author, digest)

    def _kind(self, written: str) -> TouchpointKind:
        # A file has a handful of distinct kinds: each is read once.
        found = self._kinds.get(written)
        if found is None:
            try:
                found = self._kinds[written] = parse_crm_kind(written)
            except BadValue as error:
                found = self._kinds[written] = error
        if isinstance(found, BadValue):
            raise found
        return found

    def _key(self, shown: str) -> str:
        key = self._keys.get(shown)
        if key is None:
            if len(self._keys) >= CACHE_SIZE:
                self._keys.clear()
            key = self._keys[shown] = name_key(shown)
        return key

    def _text(self, text: str, subject: str) -> str:
        if subject:
            # CRM activities carry a subject line beside the body; both are the note.
            text = f"{subject} — {text}" if text else subject
        if len(text) > MAX_NOTE_LENGTH:  # cut as bound_text cuts a note typed in Slack (the cells are stripped)
            self._result.note(f"{self._spec.text_column} shortened to {MAX_NOTE_LENGTH} characters")
            return bound_text(text, MAX_NOTE_LENGTH).text
        return text


@dataclass(slots=True)
class _Seen:
    """What this import knows of a customer: its derived columns as last read or written, and if it cleared them."""

    last_touch_at: datetime | None
    updated_at: datetime
    health_cleared: bool = False


class _Customers:
    """Customers by folded name, looked up once for the names not seen yet, with their derived columns."""

    def __init__(self, workspace_id: str) -> None:
        self._workspace_id = workspace_id
        self._ids: dict[str, int | None] = {}
        self.seen: dict[int, _Seen] = {}

    def known(self, session: Session, batch: _Batch, result: ImportResult) -> list[_Pending]:
        """The batch's rows whose customer exists (with its id); the others are reported with the batch's rejections."""
        if len(self._ids) >= CACHE_SIZE:
            self._ids.clear()
            self.seen.clear()
        missing = {pending.key for pending in batch.rows if pending.key not in self._ids}
        if missing:
            found = bulk.customers_by_key(session, self._workspace_id, missing)
            for key in missing:
                customer = found.get(key)
                self._ids[key] = customer.id if customer else None
                if customer is not None:
                    self.seen[customer.id] = _Seen(customer.last_touch_at, customer.updated_at)
        kept = []
        rejected = list(batch.rejected)
        for pending in batch.rows:
            customer_id = self._ids[pending.key]
            if customer_id is None:
                why = f"unknown customer “{pending.shown}”: import it with the customers file first, or check the name"
                rejected.append(Rejected(pending.line, "unknown customer", why))
                continue
            pending.customer_id = customer_id
            kept.append(pending)
        for item in sorted(rejected, key=lambda item: item.line):
            result.reject(item.line, item.code, item.reason)
        return kept


def _store(
    spec: _Spec,
    session: Session,
    rows: list[_Pending],
    scores: Mapping[str, Scored],
    customers: _Customers,
    result: ImportResult,
    options: ImportOptions,
) -> None:
    """Insert the batch's new rows and move their customers' derived columns forward in the same transaction."""
    pending_by_key: dict[str, tuple[_Pending, dict[str, Any]]] = {}
    for pending in rows:
        if pending.import_key in pending_by_key:
            result.already_there += 1  # the same row twice in the file
            continue
        row = spec.build(pending, scores.get(pending.text) if pending.text else None, options)
        pending_by_key[pending.import_key] = (pending, row)
    table = bulk.table_of(spec.model)
    # Repeat business is counted per customer, so those few rows say which of them were new; the others are
    # only counted (on SQLite a plain executemany, the fastest way in), as the latest touch is a maximum that
    # the rows stored before do not change.
    loyal = [row for pending, row in pending_by_key.values() if pending.kind in LOYALTY_EVENTS]
    others = [row for pending, row in pending_by_key.values() if pending.kind not in LOYALTY_EVENTS]
    new_loyal = [pending_by_key[key][0] for (key,) in bulk.insert_new(session, table, loyal, table.c.import_key)]
    imported = bulk.insert_counted(session, table, others) + len(new_loyal)
    result.imported += imported
    result.already_there += len(pending_by_key) - imported
    if not imported:
        return
    latest: dict[int, datetime] = {}
    for pending, _ in pending_by_key.values():
        latest[pending.customer_id] = max(latest.get(pending.customer_id, pending.when), pending.when)
    loyalty: dict[int, int] = {}
    for pending in new_loyal:
        loyalty[pending.customer_id] = loyalty.get(pending.customer_id, 0) + 1
    touches = spec.kind is FileKind.TOUCHPOINTS  # what log_touchpoint keeps in step; feedback moves updated_at only
    changes = []
    for customer_id, when in latest.items():
        seen = customers.seen[customer_id]
        newer_touch = touches and (seen.last_touch_at is None or seen.last_touch_at < when)
        newer_activity = seen.updated_at < when
        # Only what moves: a history in random order raises a customer's latest touch a few times, not per batch.
        if newer_touch or newer_activity or customer_id in loyalty:
            changes.append(
                {
                    "customer_id": customer_id,
                    "touched_at": when if touches else None,
                    "loyalty": loyalty.get(customer_id, 0),
                    "active_at": when,
                }
            )
            seen.last_touch_at = when if newer_touch else seen.last_touch_at
            seen.updated_at = max(seen.updated_at, when)
    bulk.record_activity(session, changes)
    uncleared = [customer_id for customer_id in latest if not customers.seen[customer_id].health_cleared]
    bulk.clear_health(session, uncleared)
    mark_stale(session, workspace_id=options.workspace_id)
    for customer_id in uncleared:
        customers.seen[customer_id].health_cleared = True


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
