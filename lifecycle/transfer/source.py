"""Reading a CSV file as a stream of rows with their line numbers, whatever its delimiter."""

from __future__ import annotations

import csv
import itertools
import operator
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from lifecycle.errors import InvalidInput
from lifecycle.transfer.columns import FileKind, Layout, read_header
from lifecycle.transfer.report import ImportResult

if TYPE_CHECKING:
    from _csv import Reader

# A cell may be long (an email body); longer than this is not a CRM export. Stored text is cut to 4000 anyway.
MAX_CELL_CHARS = 1_000_000
DELIMITERS = ",;\t"
# A spreadsheet runs a cell starting with these as a formula (CSV injection): export puts a quote before them,
# which is taken off again here.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Row:
    """One record of the file: the line it starts on and its cells."""

    line: int
    cells: list[str]


def _cell(text: str) -> str:
    text = text.strip()
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        return text[1:].strip()
    return text


class Cells:
    """Reads our columns from a row ("" when the file has no such column or the row is short), stripped."""

    def __init__(self, layout: Layout, names: tuple[str, ...] = ()) -> None:
        self._positions = layout.positions
        self._width = layout.width
        # For `pick`: a missing column reads the "" appended after the row's cells.
        self._picker = (
            operator.itemgetter(
                *(layout.positions[name] if layout.positions[name] is not None else -1 for name in names)
            )
            if names
            else None
        )

    def get(self, row: Row, name: str) -> str:
        """The cell of `name` in `row`."""
        index = self._positions[name]
        if index is None or index >= len(row.cells):
            return ""
        return _cell(row.cells[index])

    def pick(self, row: Row) -> list[str]:
        """The cells of the names given at construction, in their order (one call per row for big files)."""
        assert self._picker is not None
        cells = row.cells
        if len(cells) < self._width:
            cells.extend([""] * (self._width - len(cells)))
        cells.append("")
        picked = self._picker(cells)
        values = [text.strip() for text in (picked if isinstance(picked, tuple) else (picked,))]
        for index, text in enumerate(values):
            if text[:1] == "'":
                values[index] = _cell(text)
        return values


def open_rows(stream: TextIO, kind: FileKind, result: ImportResult) -> tuple[Layout, Iterator[Row]]:
    """The file's layout (from its header) and its rows, read one at a time; unreadable rows are rejected."""
    first = stream.readline()
    if not first.strip():
        raise InvalidInput(f"The {kind.value} file is empty: it needs a header line first.")
    # European spreadsheets write ";" and some exports tabs: the header's most frequent one wins.
    delimiter = max(DELIMITERS, key=first.count)
    if csv.field_size_limit() < MAX_CELL_CHARS:
        csv.field_size_limit(MAX_CELL_CHARS)
    reader = csv.reader(itertools.chain([first], stream), delimiter=delimiter)
    layout = read_header(kind, next(reader))
    result.ignored_columns = layout.ignored
    return layout, _rows(reader, result)


def _rows(reader: Reader, result: ImportResult) -> Iterator[Row]:
    # line_num counts physical lines, so a record with a quoted line break starts one after the previous end.
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            result.rows += 1
            result.reject(start, "unreadable row", f"unreadable row: {error}")
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if any(cells):  # a row of blanks is a typo, not data (one of spaces is read, and rejected as such)
            yield Row(line, cells)
