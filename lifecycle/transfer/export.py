"""Exporting a workspace as the three CSV files import reads, streamed from the database."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.orm import Session

from lifecycle.transfer.columns import FileKind, export_header
from lifecycle.transfer.source import FORMULA_STARTS
from storage import bulk

Progress = Callable[[FileKind, int], None]
"""Told how many more rows of a file were written."""

PROGRESS_EVERY = 1_000


@dataclass
class ExportResult:
    """Where the files went and how many rows each has."""

    directory: Path
    rows: dict[FileKind, int] = field(default_factory=dict)


def export_workspace(
    session: Session, *, workspace_id: str, directory: Path, progress: Progress | None = None
) -> ExportResult:
    """Write customers.csv, touchpoints.csv and feedback.csv of one workspace (erased customers left out)."""
    directory.mkdir(parents=True, exist_ok=True)
    result = ExportResult(directory)
    sources: dict[FileKind, Callable[[], Iterable[Sequence[Any]]]] = {
        FileKind.CUSTOMERS: lambda: bulk.stream_customers(session, workspace_id),
        FileKind.TOUCHPOINTS: lambda: bulk.stream_touchpoints(session, workspace_id),
        FileKind.FEEDBACK: lambda: bulk.stream_feedback(session, workspace_id),
    }
    for kind, rows in sources.items():
        target = directory / f"{kind.value}.csv"
        partial = target.with_name(f".{target.name}.partial")
        # Written beside the target and renamed when complete: an interrupted export leaves no half file.
        with partial.open("w", encoding="utf-8", newline="") as stream:
            result.rows[kind] = write_rows(stream, kind, rows(), progress)
        os.replace(partial, target)
    return result


def write_rows(stream: TextIO, kind: FileKind, rows: Iterable[Sequence[Any]], progress: Progress | None = None) -> int:
    """Write the header and the rows of one file; how many rows were written."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(export_header(kind))
    count = 0
    for row in rows:
        writer.writerow([cell(value) for value in row])
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(kind, PROGRESS_EVERY)
    if progress is not None:
        progress(kind, count % PROGRESS_EVERY)
    return count


def cell(value: object) -> str:
    """A value as its CSV cell: ISO dates and times, plain decimals, enum values, text safe from spreadsheets."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
