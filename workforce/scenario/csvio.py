"""Read a table from a CSV file referenced by a scenario (``{file: data/demand.csv}``).

Accepted layouts, one row per region (or per year):

* long: columns ``region``, ``year``, ``value`` (``year`` may be absent for per-region tables and
  ``region`` for per-year tables);
* wide: a ``region`` column and one column per year (``region,2026,2027,...``).
* movement (``roles.<k>.movement``): columns ``from``, ``to``, ``share`` and optionally ``year``.

Columns named ``source``, ``note`` or ``name`` are kept for people and ignored by the model.
Cells are checked one by one: blanks, ``NA``, ``1,200``, ``7%`` and negative numbers are refused
with the row and column, duplicate rows are refused rather than summed or overwritten.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import Any

from workforce.errors import Problem, ScenarioError, shown
from workforce.scenario.fileio import read_capped
from workforce.scenario.tables import number_hint

MAX_CSV_BYTES = 50_000_000
IGNORED_COLUMNS = {"source", "note", "notes", "name", "region_name"}
_YEAR = re.compile(r"^\d{4}$")
_NUMBER = re.compile(r"^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def read_table_csv(path: Path, display: str) -> tuple[dict[Any, Any], dict[tuple[Any, ...], int]]:
    """Return the table as a nested mapping and, per sub-key, the CSV line it came from."""
    raw = _read_bytes(path, display)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            Problem(
                "the file is not UTF-8 (perhaps saved as Windows-1252 by Excel); "
                "save it as 'CSV UTF-8' and try again",
                file=display,
                line=line,
            )
        ) from None
    # Old Excel for Mac writes bare carriage returns between rows; read them as line ends.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ScenarioError(Problem(f"cannot read the CSV: {exc}", file=display)) from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise ScenarioError(Problem("the CSV file is empty", file=display))
    header = [h.strip() for h in rows[0]]
    if len(header) == 1 and ";" in header[0]:
        raise ScenarioError(
            Problem(
                "the file uses ';' as separator; the scenario needs comma-separated values",
                file=display,
                line=1,
            )
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ScenarioError(Problem(f"duplicate column(s) {', '.join(dupes)}", file=display, line=1))
    _refuse_case_twins(header, display)
    cols = {h.lower(): i for i, h in enumerate(header)}
    year_cols = [h for h in header if _YEAR.match(h)]
    problems: list[Problem] = []
    data: dict[Any, Any] = {}
    lines: dict[tuple[Any, ...], int] = {}
    # Line numbers: csv rows after blank-line filtering still map 1:1 to text lines in practice;
    # compute them from the original text so that messages point at the right line.
    line_of = _line_numbers(text)

    def put(key: tuple[Any, ...], value: float, line: int) -> None:
        if key in lines:
            problems.append(
                Problem(
                    f"duplicate row for {' '.join(map(str, key))} (also on line {lines[key]})",
                    file=display,
                    line=line,
                )
            )
            return
        lines[key] = line
        node = data
        for k in key[:-1]:
            node = node.setdefault(k, {})
        node[key[-1]] = value

    if "value" in cols and "region" not in cols and "year" not in cols:
        raise ScenarioError(
            Problem(
                "a table with a value column also needs a region column, a year column, or both",
                file=display,
                line=1,
            )
        )
    if {"from", "to", "share"} <= set(cols):  # a movement matrix (workforce.scenario.movement)
        _movement_rows(rows, header, cols, line_of, display, problems, put)
    elif "value" in cols:
        known = {"region", "year", "value"} | IGNORED_COLUMNS
        extra = [h for h in header if h.lower() not in known]
        if extra:
            raise ScenarioError(
                Problem(
                    f"unexpected column(s) {', '.join(extra)}; a long table has columns "
                    "region, year, value (and optionally source/note)",
                    file=display,
                    line=1,
                )
            )
        for n, row in enumerate(rows[1:], start=1):
            line = line_of[n]
            if len(row) != len(header):
                problems.append(Problem(f"expected {len(header)} cells, found {len(row)}", file=display, line=line))
                continue
            key: list[Any] = []
            if "region" in cols:
                key.append(_region(row[cols["region"]], display, line, problems))
            if "year" in cols:
                key.append(_year(row[cols["year"]], display, line, problems))
            value = _value(row[cols["value"]], "value", display, line, problems)
            if None not in key and value is not None:
                put(tuple(key), value, line)
    elif "region" in cols and year_cols:
        extra = [h for h in header if h.lower() not in {"region"} | IGNORED_COLUMNS and h not in year_cols]
        if extra:
            raise ScenarioError(
                Problem(
                    f"unexpected column(s) {', '.join(extra)}; a wide table has a region column "
                    "and one column per year (e.g. 2026)",
                    file=display,
                    line=1,
                )
            )
        region_lines: dict[str, int] = {}
        for n, row in enumerate(rows[1:], start=1):
            line = line_of[n]
            if len(row) != len(header):
                problems.append(Problem(f"expected {len(header)} cells, found {len(row)}", file=display, line=line))
                continue
            region = _region(row[cols["region"]], display, line, problems)
            if region is not None and region in region_lines:
                problems.append(Problem(f"duplicate row for {region} (also on line {region_lines[region]})",
                                        file=display, line=line))
                continue
            if region is not None:
                region_lines[region] = line
            for h in year_cols:
                value = _value(row[header.index(h)], h, display, line, problems)
                if region is not None and value is not None:
                    put((region, int(h)), value, line)
    else:
        raise ScenarioError(
            Problem(
                "cannot tell the layout: expected columns region,year,value (long) or "
                f"region,2026,2027,... (wide); found {', '.join(header)}",
                file=display,
                line=1,
            )
        )
    if problems:
        raise ScenarioError(problems[:50])
    if not data:
        raise ScenarioError(Problem("the CSV file has a header but no data rows", file=display))
    return data, lines


def _movement_rows(rows: list[list[str]], header: list[str], cols: dict[str, int], line_of: list[int],
                   display: str, problems: list[Problem], put: Any) -> None:
    """Rows ``from, to, share[, year]`` of a movement matrix, as origin -> destination (-> year) -> share."""
    extra = [h for h in header if h.lower() not in {"from", "to", "share", "year"} | IGNORED_COLUMNS]
    if extra:
        raise ScenarioError(Problem(f"unexpected column(s) {', '.join(extra)}; a movement table has columns "
                                    "from, to, share and optionally year (and source/note)", file=display, line=1))
    for n, row in enumerate(rows[1:], start=1):
        line = line_of[n]
        if len(row) != len(header):
            problems.append(Problem(f"expected {len(header)} cells, found {len(row)}", file=display, line=line))
            continue
        key: list[Any] = [_region(row[cols["from"]], display, line, problems),
                          _region(row[cols["to"]], display, line, problems)]
        if "year" in cols:
            key.append(_year(row[cols["year"]], display, line, problems))
        value = _value(row[cols["share"]], "share", display, line, problems)
        if None not in key and value is not None:
            put(tuple(key), value, line)


def _refuse_case_twins(header: list[str], display: str) -> None:
    """Columns are matched without regard to case, so two that differ only by case (``value`` and
    ``Value``) would leave one of them silently unread: refuse the header, naming both."""
    seen: dict[str, str] = {}
    for h in header:
        other = seen.setdefault(h.casefold(), h)
        if other != h:
            raise ScenarioError(Problem(
                f"columns {other!r} and {h!r} differ only by case, so one of them would be ignored; "
                "rename or remove one", file=display, line=1))


def _read_bytes(path: Path, display: str) -> bytes:
    return read_capped(path, display, MAX_CSV_BYTES, "CSV file")


def _line_numbers(text: str) -> list[int]:
    """1-based text line of each non-blank CSV record, in order (header first)."""
    out = []
    reader = csv.reader(io.StringIO(text))
    start = 1
    for record in reader:
        if any(cell.strip() for cell in record):
            out.append(start)
        start = reader.line_num + 1
    return out


def _region(cell: str, file: str, line: int, problems: list[Problem]) -> str | None:
    value = cell.strip()
    if not value:
        problems.append(Problem("the region cell is blank", file=file, line=line))
        return None
    return value


def _year(cell: str, file: str, line: int, problems: list[Problem]) -> int | None:
    value = cell.strip()
    if not _YEAR.match(value):
        problems.append(Problem(f"year {shown(cell)} is not a four-digit year", file=file, line=line))
        return None
    return int(value)


def _value(cell: str, column: str, file: str, line: int, problems: list[Problem]) -> float | None:
    value = cell.strip()
    hint = ""
    if not value or value.upper() in {"NA", "N/A", "NAN", "NONE", "NULL", "-", ".."}:
        hint = "is missing; every cell needs a number (write 0 for none)"
    elif "," in value:
        hint = number_hint(value) or "has a comma; write the number with digits and a decimal point only"
    elif value.endswith("%"):
        hint = "is a percentage; write it as a fraction (0.09, not 9%)"
    elif value.startswith("-") and _NUMBER.match(value[1:]):
        hint = "is negative; values must be zero or more"
    elif not _NUMBER.match(value):
        hint = "is not a number"
    if hint:
        problems.append(Problem(f"column {column}: {shown(cell)} {hint}", file=file, line=line))
        return None
    number = float(value)
    if not math.isfinite(number):
        problems.append(Problem(f"column {column}: {shown(cell)} is not finite", file=file, line=line))
        return None
    return number
