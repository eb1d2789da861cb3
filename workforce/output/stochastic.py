"""Writing a stochastic plan: the tables through the project's atomic run-folder export (with its
manifest), then the chart, each file whole or not at all."""

from __future__ import annotations

from pathlib import Path

from workforce.studies.stochastic.plan import StochasticResult

FORMATS = ("csv",)


def write_result(result: StochasticResult, out: str | Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write the result's tables, summary.json and manifest.json into the run folder ``out`` (replaced
    as a whole, never a folder the tool did not write), then ``stochastic.png``."""
    from workforce.output.export import check_formats, export
    from workforce.plots.style import save

    formats = check_formats(formats)
    if "xlsx" in formats:
        from workforce.errors import WorkforceError

        raise WorkforceError("a stochastic plan is written as csv or parquet tables (xlsx is for single plans)")
    fig = result.chart()  # drawn before anything is written: a chart that fails leaves no partial run folder
    folder = export(result, out, formats)  # type: ignore[arg-type]  (a result has tables(), summary and data)
    return save(fig, Path(folder) / "stochastic", formats=("png",))
