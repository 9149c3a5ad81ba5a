"""Helpers shared by the CSV import tests: running an import from text or a sample file, and reading tables back."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from lifecycle.stages import Team
from lifecycle.transfer.activity import import_feedback, import_touchpoints
from lifecycle.transfer.common import ImportOptions
from lifecycle.transfer.customers import import_customers
from lifecycle.transfer.report import ImportResult
from storage import repositories as repo
from storage.models import TeamRoute

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TEAM = "T0ACME"
SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"
IMPORTERS = {"customers": import_customers, "touchpoints": import_touchpoints, "feedback": import_feedback}


def run_import(
    kind: str, sessions: sessionmaker[Session], text: str, *, now: datetime = NOW, **options: Any
) -> ImportResult:
    """Import CSV text as the CLI would (in batches of 2, so batching is exercised on small files)."""
    settings: dict[str, Any] = {"workspace_id": TEAM, "now": now, "source": f"{kind}.csv", "batch_size": 2} | options
    with sessions.begin() as session:
        repo.ensure_workspace(session, settings["workspace_id"], now=now)
    return IMPORTERS[kind](sessions.begin, io.StringIO(text, newline=""), ImportOptions(**settings))


def run_sample(kind: str, sessions: sessionmaker[Session], name: str, **options: Any) -> ImportResult:
    """Import one of tests/data_samples (read as the CLI reads files: UTF-8, with or without a BOM)."""
    return run_import(kind, sessions, (SAMPLES / name).read_text(encoding="utf-8-sig"), **options)


def route_every_team(sessions: sessionmaker[Session]) -> None:
    """Give every team a channel, so any alert an import wrongly raised would be queued."""
    with sessions.begin() as session:
        repo.ensure_workspace(session, TEAM, now=NOW)
        for team in Team:
            session.add(
                TeamRoute(
                    workspace_id=TEAM,
                    team=team,
                    channel_id=f"C0{team.value.upper()}",
                    updated_by="U0REP",
                    updated_at=NOW,
                )
            )


def rows_of(
    sessions: sessionmaker[Session], model: type[Any], *, leave_out: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Every row of a table as dicts (ordered by id or primary key), without the columns left out."""
    table = model.__table__
    with sessions.begin() as session:
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).mappings().all()
    return [{key: value for key, value in row.items() if key not in leave_out} for row in rows]
