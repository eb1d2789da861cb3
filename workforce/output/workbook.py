"""The xlsx export: one workbook, a README sheet, a summary sheet and a sheet per table."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workforce.output.cells import neutralise, stable_summary

if TYPE_CHECKING:
    from workforce.plan.results import Plan


TABLE_DOCS: dict[str, str] = {
    "intake": "Starters per training programme, region and academic year, with the limits that applied.",
    "workforce": "Supply against demand per role, region and year: staff in post, flexible supply, shortfall "
    "and surplus.",
    "flows": "The stock balance of each role, region and year term by term: "
    "stock_end = stock_start - leavers + completions + hires - retraining_out - exits "
    "(+ moved_in - moved_out when staff move between regions).",
    "spend": "Money spent by each funding stream in each year against its annual budget.",
    "spend_detail": "Spend by funding stream, year and item (a programme's course costs, hiring, exits, "
    "flexible supply).",
}

COLUMN_DOCS: dict[str, str] = {
    "programme": "training programme id (programmes.<id> in the scenario)",
    "role": "role id (roles.<id> in the scenario)",
    "region": "region code (regions[].code in the scenario)",
    "year": "academic year (2026 means 2026/27)",
    "stream": "funding stream id (funding_streams.<id> in the scenario)",
    "item": "what the money paid for: a programme id, hiring:<role>, exits:<role> or flexible:<role>.<option>",
    "intake": "people starting the programme in the year",
    "expected_completions": "starters expected to qualify (intake x completion rate)",
    "qualifies_in": "year the starters join the role",
    "places_max": "training places: most starters (less later course years where places count them; blank: no limit)",
    "supervision_max": "most starters the supervising staff can take (blank: no supervision limit, or none on starters)",
    "intake_min": "fewest starters required",
    "intake_max": "most starters allowed by policy (blank: no cap)",
    "supply": "qualified staff in post at the end of the year",
    "flexible": "supply added (or removed) by flexible options such as agency staff",
    "demand": "staff needed",
    "shortfall": "demand not met",
    "surplus": "supply above demand",
    "shortfall_rate": "shortfall as a share of demand",
    "stock_start": "staff in post at the start of the year",
    "leavers": "staff leaving through attrition",
    "completions": "trainees qualifying into the role (in the role's unit: people x fte_per_head for an FTE role)",
    "hires": "already-qualified staff hired (in the role's unit: people x fte_per_head for an FTE role)",
    "retraining_out": "staff leaving the role to retrain into another (in the role's unit, as hires)",
    "exits": "staff released (early release, redundancy; in the role's unit, as hires)",
    "moved_in": "staff moving in from other regions (roles.<id>.movement; only when staff move)",
    "moved_out": "staff moving out to other regions (roles.<id>.movement; only when staff move)",
    "moves_in": "staff moved in from other regions by the plan (roles.<id>.moves; only when a role has moves)",
    "moves_out": "staff moved out to other regions by the plan (roles.<id>.moves; only when a role has moves)",
    "origin": "region staff are moved out of (roles.<id>.moves)",
    "destination": "region staff are moved into (roles.<id>.moves)",
    "people": "people moved on the route in the year",
    "stock_end": "staff in post at the end of the year",
    "spent": "money spent",
    "budget": "annual budget (blank: no annual limit)",
    "headroom": "budget minus spend",
}

_XLSX_CREATED = datetime(2000, 1, 1)

def write_workbook(plan: Plan, path: Path) -> None:
    """One workbook: a README sheet, a summary sheet, then one typed sheet per table.

    The workbook is assembled in memory and written to ``path`` by an ordinary file write: on a
    full disk the write fails with a plain OSError, and xlsxwriter's zip file, never opened on
    disk, cannot fail again when it is garbage-collected (an "Exception ignored" traceback)."""
    import io

    buffer = io.BytesIO()
    _fill_workbook(plan, buffer)
    with open(path, "wb") as fh:
        fh.write(buffer.getbuffer())


def _fill_workbook(plan: Plan, target: Any) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(target, {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    try:
        wb.set_properties({"title": f"workforce plan: {plan.scenario_name}", "created": _XLSX_CREATED})
        bold = wb.add_format({"bold": True})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        formats = {
            "year": wb.add_format({"num_format": "0"}),
            "fraction": wb.add_format({"num_format": "0.0%"}),
            "£k": wb.add_format({"num_format": "#,##0.0"}),
            "number": wb.add_format({"num_format": "#,##0.00"}),
        }
        tables = plan.tables()
        _readme_sheet(wb.add_worksheet("README"), plan, tables, bold, wrap)
        _summary_sheet(wb.add_worksheet("summary"), plan, bold)
        for name, table in tables.items():
            _table_sheet(wb.add_worksheet(name), table, bold, formats)
    finally:
        wb.close()

def _readme_sheet(ws: Any, plan: Plan, tables: dict[str, pd.DataFrame], bold: Any, wrap: Any) -> None:
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 34)
    ws.set_column(3, 3, 90)
    ws.write_string(0, 0, neutralise(f"Plan for scenario: {plan.scenario_name}"), bold)
    ws.write_string(1, 0, f"Status: {plan.status}. Money is in £ thousands (£k). Years are academic years "
                          "(2026 means 2026/27). The run's inputs, versions and solver record are in manifest.json.")
    ws.write_row(3, 0, ["sheet", "column", "unit", "meaning"], bold)
    row = 4
    for name, table in tables.items():
        ws.write_string(row, 0, name, bold)
        ws.write_string(row, 3, TABLE_DOCS.get(name, ""), wrap)
        row += 1
        units = table.attrs.get("units", {})
        for col in [*table.index.names, *table.columns]:
            ws.write_string(row, 0, name)
            ws.write_string(row, 1, str(col))
            ws.write_string(row, 2, neutralise(_unit_of(col, units)))
            ws.write_string(row, 3, neutralise(COLUMN_DOCS.get(str(col), "")), wrap)
            row += 1
    ws.write_string(row + 1, 0, "summary", bold)
    ws.write_string(row + 1, 3, "Status, objective and each objective term of the plan (as in summary.json).", wrap)

def _unit_of(col: Any, units: dict[str, str]) -> str:
    if col in units:
        return units[col]
    return {"year": "academic year"}.get(str(col), "id")

def _summary_sheet(ws: Any, plan: Plan, bold: Any) -> None:
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 70)
    ws.write_row(0, 0, ["key", "value"], bold)
    for i, (key, value) in enumerate(_flatten(stable_summary(plan.summary)), start=1):
        ws.write_string(i, 0, key)
        _write_cell(ws, i, 1, value, None)

def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for k, v in value.items():
            out += _flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(value, list | tuple):
        if all(not isinstance(v, dict | list | tuple) for v in value):
            return [(prefix, ", ".join(map(str, value)))]
        out = []
        for i, v in enumerate(value):
            out += _flatten(v, f"{prefix}[{i}]")
        return out
    return [(prefix, value)]

def _write_cell(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool | np.bool_):
        ws.write_boolean(row, col, bool(value), fmt)
    elif isinstance(value, int | float | np.integer | np.floating):
        if isinstance(value, np.floating | float) and not np.isfinite(value):
            ws.write_blank(row, col, None, fmt)
        else:
            ws.write_number(row, col, value.item() if isinstance(value, np.generic) else value, fmt)
    else:
        ws.write_string(row, col, neutralise(str(value)), fmt)

def _table_sheet(ws: Any, table: pd.DataFrame, bold: Any, formats: dict[str, Any]) -> None:
    flat = table.reset_index()
    units = table.attrs.get("units", {})
    ws.write_row(0, 0, [str(c) for c in flat.columns], bold)
    ws.freeze_panes(1, 0)
    for j, col in enumerate(flat.columns):
        unit = units.get(col, "")
        if col in {"year", "qualifies_in"}:
            fmt = formats["year"]
        elif "fraction" in unit:
            fmt = formats["fraction"]
        elif unit == "£k":
            fmt = formats["£k"]
        elif pd.api.types.is_numeric_dtype(flat[col]):
            fmt = formats["number"]
        else:
            fmt = None
        ws.set_column(j, j, max(10, min(40, len(str(col)) + 4)))
        for i, value in enumerate(flat[col].tolist(), start=1):
            _write_cell(ws, i, j, value, fmt)
    if len(flat):
        ws.autofilter(0, 0, len(flat), len(flat.columns) - 1)
