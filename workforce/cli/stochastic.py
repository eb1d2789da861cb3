"""``workforce stochastic STUDY --out DIR`` (registered on the CLI group)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from workforce.cli.commands import ALLOW_PATH_OPTION, _friendly, main

if TYPE_CHECKING:
    from workforce.studies.stochastic.plan import StochasticResult

FORMATS = ("csv",)


@main.command(name="stochastic")
@click.argument("study", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Run folder for the tables, summary.json, manifest.json and stochastic.png "
                   "(default: results/stochastic/<study file name>).")
@click.option("--draws", type=int, default=None, help="Number of scenarios to draw (default: the study's montecarlo.draws).")
@click.option("--threads", type=int, default=0, help="HiGHS threads (default 0: HiGHS decides).")
@click.option("--workers", type=int, default=1,
              help="Processes that compile the draws (default 1: in this process, changing one model in place).")
@ALLOW_PATH_OPTION
@_friendly
def stochastic(study: Path, out: Path | None, draws: int | None, threads: int, workers: int) -> None:
    """Solve the two-stage stochastic plan of STUDY (a study file with a `stochastic:` section):
    what to commit now, VSS, EVPI and both plans' outcomes across the scenarios."""
    import matplotlib

    matplotlib.use("Agg")
    from workforce.errors import WorkforceError
    from workforce.output_safety import check_replaceable
    from workforce.studies.stochastic.spec import load_stochastic_study, run_stochastic_study

    if draws is not None and draws < 1:
        raise WorkforceError(f"--draws must be at least 1 (got {draws})")
    if workers < 1:
        raise WorkforceError(f"--workers must be at least 1 (got {workers})")
    spec, base_dir = load_stochastic_study(study)
    refuse_ranks_without_mpisppy(spec.stochastic.method, study)
    out = out if out is not None else Path("results") / "stochastic" / study.stem
    check_replaceable(out, "run", [study])  # before solving: a refused folder costs no solve
    from workforce.studies.stochastic.mpisppy_engine import NotRoot

    try:
        result = run_stochastic_study(spec, base_dir=base_dir, draws=draws, threads=threads, workers=workers)
    except NotRoot:  # under mpiexec (stochastic.method: mpisppy) MPI rank 0 alone reports and writes
        return
    click.echo(result.summary_text())
    write_result(result, out)
    click.echo(f"Wrote first_stage.csv, scenarios.csv, shortfall.csv, spend.csv, scenario_plans.csv, summary.json, "
               f"manifest.json and stochastic.png to {out}/")


def mpi_ranks() -> int:
    """How many processes ``mpiexec`` started beside this one (1 when not under MPI), read from the
    launcher's environment (MPICH/Hydra: PMI_SIZE; Open MPI: OMPI_COMM_WORLD_SIZE), not from mpi4py,
    so that the check costs no MPI start-up."""
    import os

    for name in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE"):
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return 1


def refuse_ranks_without_mpisppy(method: str, study: Path) -> None:
    """Under ``mpiexec -n K`` (K > 1) only `method: mpisppy` shares the work among the ranks; any
    other method would solve the whole study K times and write the same folder K times."""
    ranks = mpi_ranks()
    if ranks > 1 and method != "mpisppy":
        from workforce.errors import WorkforceError

        raise WorkforceError(f"{study}: stochastic.method is {method!r}, which runs in one process, but mpiexec "
                             f"started {ranks}; set `stochastic.method: mpisppy` in the study to share the work "
                             "among MPI ranks, or run without mpiexec")


def write_result(result: StochasticResult, out: str | Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write the result's tables, summary.json and manifest.json into the run folder ``out`` (replaced
    as a whole, never a folder the tool did not write), ``stochastic.png`` in the same transaction."""
    from workforce.output.export import check_formats

    formats = check_formats(formats)
    if "xlsx" in formats:
        from workforce.errors import WorkforceError

        raise WorkforceError("a stochastic plan is written as csv or parquet tables (xlsx is for single plans)")
    fig = result.chart()  # drawn before anything is written: a chart that fails leaves no partial run folder
    return export_with_chart(result, fig, out, formats)


def export_with_chart(result: StochasticResult, fig: Any, out: str | Path, formats: tuple[str, ...]) -> list[Path]:
    """Write the tables, summary.json and ``stochastic.png`` into one staging folder, then the
    manifest (which lists the chart's hash like every other output) and swap it in: the chart is
    part of the same all-or-nothing transaction as the tables."""
    from workforce.output.export import write_outputs
    from workforce.output.manifest import build_manifest
    from workforce.output_safety import write_folder
    from workforce.plots.style import save

    def fill(staging: Path) -> None:
        write_outputs(result, staging, formats)  # type: ignore[arg-type]  (a result has tables(), summary and data)
        save(fig, staging / "stochastic", formats=("png",))

    names = write_folder(out, "run", fill, protected=result.data.scenario.input_hashes,
                         manifest=lambda files: build_manifest(result, formats, files))  # type: ignore[arg-type]
    return [Path(out) / name for name in names]
