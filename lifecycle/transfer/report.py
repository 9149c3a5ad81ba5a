"""What an import did: counts, the rows it rejected (with their CSV line numbers) and notes worth reading."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lifecycle.text import plural

# The report keeps the first rejections and notes for the summary; the full list streams to `on_reject`.
SAMPLE_SIZE = 50
MAX_NOTES = 50


@dataclass(frozen=True)
class Rejected:
    """A row that was not imported: where it is in the file and why."""

    line: int
    code: str  # groups the summary: "unknown customer", "bad date"…
    reason: str


RejectSink = Callable[[Rejected], None]


@dataclass
class ImportResult:
    """Counts and reasons of one import; `complete` is False while it runs and after an interruption."""

    kind: str
    workspace_id: str
    source: str
    rows: int = 0
    imported: int = 0
    already_there: int = 0  # rows stored by an earlier import (or earlier in this file): nothing changed
    rejected: int = 0
    committed_line: int = 1  # every row up to this CSV line is stored or reported
    complete: bool = False
    ignored_columns: tuple[str, ...] = ()
    customers_refreshed: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)
    sample: list[Rejected] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)  # note -> rows it applies to
    notes_dropped: int = 0
    on_reject: RejectSink | None = None

    def reject(self, line: int, code: str, reason: str) -> None:
        """Count a rejected row and pass it to the sink."""
        rejected = Rejected(line, code, reason)
        self.rejected += 1
        self.by_reason[code] += 1
        if len(self.sample) < SAMPLE_SIZE:
            self.sample.append(rejected)
        if self.on_reject is not None:
            self.on_reject(rejected)

    def note(self, text: str) -> None:
        """Something the importer did that a person should know ("owner kept as ana@acme.com: …"), once per text."""
        if text in self.notes or len(self.notes) < MAX_NOTES:
            self.notes[text] += 1
        else:
            self.notes_dropped += 1

    def audit_details(self) -> dict[str, Any]:
        """The counts recorded in the audit trail."""
        return {
            "file": self.source,
            "rows": self.rows,
            "imported": self.imported,
            "already_there": self.already_there,
            "rejected": self.rejected,
            "complete": self.complete,
            "through_line": self.committed_line,
        }

    def summary_lines(self) -> list[str]:
        """The report printed at the end: counts, then rejections by reason and the first few, then notes."""
        lines = [
            f"{self.kind.capitalize()}: {plural(self.rows, 'row')} read; {self.imported:,} imported, "
            f"{self.already_there} already there, {self.rejected} rejected."
        ]
        if self.ignored_columns:
            lines.append(f"Columns not read: {', '.join(self.ignored_columns)}.")
        if self.rejected:
            reasons = ", ".join(f"{count} {code}" for code, count in self.by_reason.most_common())
            lines.append(f"Rejected rows ({reasons}):")
            lines += [f"  line {item.line}: {item.reason}" for item in sorted(self.sample, key=lambda item: item.line)]
            if self.rejected > len(self.sample):
                lines.append(f"  …and {self.rejected - len(self.sample)} more (--report FILE lists every one).")
        for text, count in self.notes.most_common():
            lines.append(f"Note: {text} ({plural(count, 'row')}).")
        if self.notes_dropped:
            lines.append(f"Note: …and {plural(self.notes_dropped, 'row')} with other notes.")
        return lines
