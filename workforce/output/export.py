"""Export stage: write a plan's tables as CSV, Excel and Parquet, all or nothing.

A run directory is complete or absent. Every file is written into a staging folder beside the
run directory (each through :func:`atomic_write`: a temporary file with the real extension in the
same folder, flushed and fsynced, then renamed over its target), ``manifest.json`` last; the
staging folder is then renamed into place, replacing an earlier run as a whole, and only when
that earlier run is provably this tool's (:mod:`workforce.output_safety`). If anything fails
(a full disk, a read-only folder, Ctrl-C) the staging folder is removed and the earlier run is
left exactly as it was. Staging folders orphaned by a killed process are removed on the next run.

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab, a carriage return or NUL) are written with a leading apostrophe in CSV and Excel (OWASP
CSV injection guidance); numbers are never touched, and Parquet keeps the raw values.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workforce.errors import ExportError, WorkforceError
from workforce.output.cells import TRIGGERS as TRIGGERS
from workforce.output.cells import VOLATILE_SUMMARY_KEYS as VOLATILE_SUMMARY_KEYS
from workforce.output.cells import neutralise as neutralise
from workforce.output.cells import neutralise_frame as neutralise_frame
from workforce.output.cells import stable_summary as stable_summary
from workforce.output.csv_text import write_csv
from workforce.output.workbook import COLUMN_DOCS as COLUMN_DOCS
from workforce.output.workbook import TABLE_DOCS as TABLE_DOCS
from workforce.output.workbook import write_workbook as write_workbook
from workforce.output_safety import atomic_write, json_text, write_folder

if TYPE_CHECKING:
    from workforce.plan.results import Plan


FORMATS = ("csv", "xlsx", "parquet")

EXTRAS = {"xlsx": ("xlsxwriter", "excel"), "parquet": ("pyarrow", "parquet")}

"""Format → (module it needs, pip extra that installs it)."""

"""Summary entries that differ between identical runs; they go to the manifest's timing section,
not to summary.json."""

"""First characters that make a spreadsheet treat text as a formula."""

CSV_FLOAT_FORMAT = "%.10g"

"""Fixed workbook timestamp, so identical plans give byte-identical workbooks (the time of the run
is in manifest.json's timing section)."""

# ----------------------------------------------------------------------------------------------
# Public entry points
# ----------------------------------------------------------------------------------------------


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """``"csv,xlsx"`` or ``["csv", "xlsx"]`` → ``("csv", "xlsx")``; unknown names are refused."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out: list[str] = []
    for item in items:
        name = str(item).strip().lower().lstrip(".")
        if not name:
            continue
        if name == "excel":
            name = "xlsx"
        if name not in FORMATS:
            close = difflib.get_close_matches(name, FORMATS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise WorkforceError(f"unknown output format {item!r}{hint}; choose from {', '.join(FORMATS)}")
        if name not in out:
            out.append(name)
    if not out:
        raise WorkforceError(f"no output format given; choose from {', '.join(FORMATS)}")
    return tuple(out)

def check_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Parse ``formats`` and make sure the libraries they need are installed (before solving)."""
    parsed = parse_formats(formats)
    for fmt in parsed:
        _require(fmt)
    return parsed

def export(plan: Plan, out_dir: str | Path, formats: str | Iterable[str] = ("csv",), *,
           manifest: bool = True, charts: Iterable[str] = ()) -> Path:
    """Write the plan into the run directory ``out_dir``, complete or not at all.

    ``formats`` is any of ``csv`` (one file per table), ``xlsx`` (one workbook ``plan.xlsx``, a
    sheet per table plus README and summary sheets) and ``parquet`` (one file per table). Every
    run also writes ``summary.json`` and, last, ``manifest.json``; ``charts`` (image formats such
    as ``("png", "svg")``) also draws every chart into ``charts/`` within the same transaction.
    An existing folder is replaced only when it is a run folder this tool wrote and nothing in it
    changed (see :mod:`workforce.output_safety`); anything else is refused with exit 4, and no
    file the scenario reads is ever written over.
    """
    formats = check_formats(formats)
    images = tuple(charts)
    out = Path(out_dir)

    def fill(staging: Path) -> None:
        write_outputs(plan, staging, formats)
        if images:
            from workforce.conveniences import provider  # the charts are the plots stage's (a sibling)

            draw_all = provider("plan.charts")
            write_folder(staging / "charts", "charts", lambda folder: draw_all(plan, folder, images), what="charts")

    def record(files: dict[str, str]) -> dict[str, Any]:
        from workforce.output.manifest import build_manifest

        return build_manifest(plan, formats, files) if manifest else {}

    write_folder(out, "run", fill, protected=plan.data.scenario.input_hashes, manifest=record)
    return out

def write_outputs(plan: Plan, folder: Path, formats: tuple[str, ...]) -> list[str]:
    """Write every output file of ``formats`` plus summary.json into ``folder``; return their names."""
    written: list[str] = []
    tables = plan.tables()
    if "csv" in formats:
        for name, table in tables.items():
            atomic_write(folder / f"{name}.csv", lambda p, t=table: write_csv(p, neutralise_frame(t), CSV_FLOAT_FORMAT))
            written.append(f"{name}.csv")
    if "parquet" in formats:
        for name, table in tables.items():
            atomic_write(folder / f"{name}.parquet", lambda p, t=table: t.to_parquet(p, engine="pyarrow", index=True))
            written.append(f"{name}.parquet")
    if "xlsx" in formats:
        atomic_write(folder / "plan.xlsx", lambda p: write_workbook(plan, p))
        written.append("plan.xlsx")
    atomic_write(folder / "summary.json", lambda p: p.write_text(json_text(stable_summary(plan.summary)), encoding="utf-8"))
    written.append("summary.json")
    return written

def _require(fmt: str) -> None:
    if fmt not in EXTRAS:
        return
    module, extra = EXTRAS[fmt]
    try:
        __import__(module)
    except ImportError:
        raise ExportError(
            f"writing {fmt} needs the {module} package, which is not installed; "
            f"install it with: pip install 'workforce[{extra}]'"
        ) from None
