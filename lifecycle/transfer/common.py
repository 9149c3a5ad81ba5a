"""What every import shares: its options, the workspace it goes to, people, and how it ends (health, audit)."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TypeVar

from sqlalchemy.orm import Session

from lifecycle.audit import record_audit
from lifecycle.errors import InvalidInput
from lifecycle.risk import refresh_in_session
from lifecycle.transfer.report import ImportResult, RejectSink
from lifecycle.transfer.values import MAX_USER_ID_LENGTH, PLACEHOLDER_USER, is_email, is_slack_user_id
from storage import bulk

logger = logging.getLogger(__name__)

SessionScope = Callable[[], AbstractContextManager[Session]]
OwnerResolver = Callable[[str], str | None]
"""Slack user id for an email address, None when no user has it; may raise LookupError("why it could not ask")."""

T = TypeVar("T")
PEOPLE_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class ImportOptions:
    """How to import one file: where to, as of when, and how to treat people, zones and batches."""

    workspace_id: str
    now: datetime
    source: str = ""  # the file's name, for the report and the audit trail
    zone: tzinfo = UTC  # for times written without a zone
    resolve_owner: OwnerResolver | None = None  # None: no Slack token, addresses are kept as written
    workers: int = 0  # scoring processes (0: in this process)
    batch_size: int = 20_000  # rows per transaction (1M rows: 5% faster than 10,000, ~20 MB more)
    on_reject: RejectSink | None = None


class ImportStopped(Exception):
    """An import that stopped part way (Ctrl-C, an unreadable file, the database): `result` says how far it got."""

    def __init__(self, result: ImportResult, cause: BaseException) -> None:
        super().__init__(str(cause) or cause.__class__.__name__)
        self.result = result
        self.cause = cause


def start_result(kind: str, options: ImportOptions) -> ImportResult:
    """An empty result for an import about to start."""
    return ImportResult(
        kind=kind, workspace_id=options.workspace_id, source=options.source, on_reject=options.on_reject
    )


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of at most `size` items, read lazily."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def choose_workspace(session: Session, team: str | None, *, may_create: bool, now: datetime) -> str:
    """The workspace to import into or export: the given one, or the only one there is; else InvalidInput.

    An id the database does not know is refused (a typo must not start a workspace beside yours), except in a
    database without any workspace yet, where `may_create` lets a first import name it.
    """
    known = bulk.workspace_ids(session)
    if team is None:
        if len(known) == 1:
            return known[0]
        if not known:
            raise InvalidInput(
                "The database has no workspace yet.", hint="Pass --team T… with your Slack workspace (team) id."
            )
        raise InvalidInput(f"The database has {len(known)} workspaces: {', '.join(known)}. Pass --team with one.")
    team = team.strip()
    if team in known:
        return team
    if may_create and not known and team[:1] in ("T", "E") and team.isalnum() and team.isupper():
        bulk.add_workspace(session, team, now=now)
        return team
    listing = f"known: {', '.join(known)}" if known else "the database has none yet"
    raise InvalidInput(f"There is no workspace {team} here ({listing}).")


class People:
    """Turns owners and authors as a CRM writes them into Slack user ids, asking Slack once per address."""

    def __init__(self, resolve: OwnerResolver | None, result: ImportResult, role: str) -> None:
        self._resolve = resolve
        self._result = result
        self._role = role
        self._cache: dict[str, tuple[str, str | None]] = {}

    def user_id(self, written: str) -> str:
        """A Slack user id, the text as written (noted in the report), or the placeholder when there is none."""
        found = self._cache.get(written)
        if found is None:
            if len(self._cache) >= PEOPLE_CACHE_SIZE:
                self._cache.clear()
            found = self._cache[written] = self._read(written)
        user, note = found
        if note is not None:
            self._result.note(note)
        return user

    def _read(self, written: str) -> tuple[str, str | None]:
        if not written:
            return PLACEHOLDER_USER, f"no {self._role} given: set to “{PLACEHOLDER_USER}”"
        if is_slack_user_id(written) or written == PLACEHOLDER_USER:
            return written, None
        if is_email(written):
            if self._resolve is None:
                return self._keep(written, "no Slack token to look it up")
            try:
                user = self._resolve(written)
            except LookupError as error:
                return self._keep(written, f"Slack could not be asked ({error})")
            if user is not None:
                return user, None
            return self._keep(written, "no Slack user has that email")
        return self._keep(written, "not a Slack user id or an email")

    def _keep(self, written: str, why: str) -> tuple[str, str]:
        if len(written) > MAX_USER_ID_LENGTH:
            return (
                PLACEHOLDER_USER,
                f"{self._role} “{written}” is too long to keep ({why}): set to “{PLACEHOLDER_USER}”",
            )
        return written, f"{self._role} kept as {written}: {why}"


def finish_import(writing: SessionScope, result: ImportResult, options: ImportOptions) -> ImportResult:
    """Bring stored health up to date without alerting history, and record the import in the audit trail."""
    with writing() as session:
        # Imported and touched customers have no stored health (see bulk.clear_health): a refresh assesses them
        # as it does after a migration, recording their red flags without an alert. Others get the refresh the
        # scheduler would give them.
        refresh_in_session(session, workspace_id=options.workspace_id, now=options.now, force=True)
        result.customers_refreshed = bulk.count_customers(session, options.workspace_id)
        result.complete = True
        _audit(session, result, options)
    return result


def record_stopped(writing: SessionScope, result: ImportResult, options: ImportOptions) -> None:
    """Record in the audit trail how far an interrupted import got (best effort: the database may be the cause)."""
    if result.imported == 0:
        return
    try:
        with writing() as session:
            _audit(session, result, options)
    except Exception:
        logger.exception("Could not record the interrupted import in the audit trail")


def _audit(session: Session, result: ImportResult, options: ImportOptions) -> None:
    record_audit(
        session,
        workspace_id=options.workspace_id,
        actor=PLACEHOLDER_USER,
        action=f"import.{result.kind}",
        now=options.now,
        **result.audit_details(),
    )
