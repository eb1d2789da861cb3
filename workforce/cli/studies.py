"""``workforce compare``, ``workforce sweep`` and ``workforce montecarlo`` (registered on the CLI group)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from workforce.cli.commands import ALLOW_PATH_OPTION, _friendly, main, wrote_text
from workforce.errors import WorkforceError
from workforce.output_safety import check_replaceable, write_folder

SOME_FAILED = 6
"""Exit code of a study in which some points failed (they are listed in points.csv; rerun to retry),
kept apart from 4 (outputs could not be written)."""


def _agg() -> None:
    import matplotlib

    matplotlib.use("Agg")


def dask_client(address: str, timeout: float | None = None) -> Any:
    """A Dask client of the scheduler at ``address``, every wait limited (see :mod:`workforce.studies.dask_connect`)."""
    from workforce.studies.dask_connect import TIMEOUT, connect

    return connect(address, TIMEOUT if timeout is None else timeout)


def dask_threads(client: Any) -> int:
    """Worker threads on the cluster (used to size the chunks)."""
    return sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()) or 1


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for inputs.csv, results.csv and comparison.png.")
@ALLOW_PATH_OPTION
@_friendly
def compare(scenarios: tuple[Path, ...], out: Path | None) -> None:
    """Solve two or more SCENARIOS and compare their inputs and key results."""
    from workforce.scenario import load_scenario
    from workforce.solver.core import solve
    from workforce.studies.compare import compare as compare_plans
    from workforce.studies.compare import comparison_text

    if len(scenarios) < 2:
        raise WorkforceError("compare needs at least two scenario files")
    plans, read = {}, []
    for path in scenarios:
        name, n = path.stem, 2
        while name in plans:
            name, n = f"{path.stem} ({n})", n + 1
        scenario = load_scenario(path)
        read += list(scenario.input_hashes)
        plans[name] = solve(scenario)
    if out is not None:  # before printing anything: a refused folder is refused up front
        check_replaceable(out, "compare", read)
    c = compare_plans(plans)
    click.echo(comparison_text(c))
    if out is not None:
        _agg()
        from workforce.plots.studies import save_figure

        def fill(folder: Path) -> None:
            c.write_tables(folder)
            save_figure(c.chart(), folder / "comparison.png")

        write_folder(out, "compare", fill, protected=read)
        click.echo(f"\n{wrote_text(out)}")


def _study_options(func: Any) -> Any:
    options = [
        click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Study folder (default: results/studies/<name>). Reruns resume in it."),
        click.option("--workers", type=int, default=None, help="Local worker processes (default: all cores; 1 runs here)."),
        click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="Run on a Dask distributed scheduler, e.g. tcp://10.0.0.5:8786."),
        click.option("--scheduler-timeout", type=click.FloatRange(min=0, min_open=True), default=None,
                     metavar="SECONDS", help="Longest wait for the scheduler to answer and for a first worker "
                                             "(default 30)."),
        click.option("--task-timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
                     help="With --scheduler: longest wait for the next task to come back (default 600, or twice "
                          "a task's time limit); past it the points still out are recorded as failed (exit 6)."),
        click.option("--restart", is_flag=True, help="Discard earlier results in the folder and start again."),
        click.option("--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal)."),
        ALLOW_PATH_OPTION,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run_study(spec: Path, out: Path | None, workers: int | None, scheduler: str | None, restart: bool,
               progress: bool | None, monte: bool, draws: int | None = None,
               scheduler_timeout: float | None = None, task_timeout: float | None = None) -> None:
    from workforce.studies.sweep import monte_carlo, sweep

    _agg()
    executor, client = None, None
    if scheduler:
        client = dask_client(scheduler, scheduler_timeout)
        executor, workers = client.get_executor(), dask_threads(client)
    runner = monte_carlo if monte else sweep
    try:
        more: dict[str, Any] = {"draws": draws} if draws is not None else {}
        if task_timeout is not None:
            more["task_timeout"] = task_timeout
        result = runner(spec, out=out, executor=executor, workers=workers, restart=restart, progress=progress, **more)
    except KeyboardInterrupt as exc:  # StudyInterrupted once the study folder is prepared
        from workforce.studies.write_faults import interrupted_text

        click.echo(str(exc) or interrupted_text(spec, out), err=True)  # the points kept, counted
        sys.exit(130)
    except BrokenPipeError:
        raise  # standard output closed by its reader: exit 130 (workforce.cli.commands._friendly)
    except OSError as exc:  # a full disk or a read-only folder after the study folder was prepared
        raise _study_write_error(exc, out) from None
    finally:
        if client is not None:
            client.close()
    try:
        _study_outputs(result)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _study_write_error(exc, result.out, "the charts and tables") from None
    if len(result.failed):
        sys.exit(SOME_FAILED)


def _study_write_error(exc: OSError, out: Path | None, what: str = "") -> WorkforceError:
    from workforce.studies.write_faults import study_write_error

    return study_write_error(exc, out, what)


def _study_outputs(result: Any) -> None:
    """Write the study's charts and tables beside the points, then print its summary: written
    first, so that a standard output closed early (``| head -1``) loses none of them."""
    lines = [result.summary(), *_study_files(result)]
    click.echo("\n".join(lines))


def _study_files(result: Any) -> list[str]:
    """Write the charts and tables; the lines that describe them."""
    from workforce.plots.studies import save_figure, sweep_chart

    ok = int((result.points["status"] == "ok").sum())
    if ok and result.spec.montecarlo is not None:
        from workforce.plots.studies import fan_chart
        from workforce.studies import montecarlo as mc
        from workforce.studies.store import write_text_atomic

        fan = mc.fan_data(result)
        write_text_atomic(result.out / "fan_shortfall.csv", fan.to_csv(float_format="%.6g"))
        write_text_atomic(result.out / "miss_probability.csv", mc.miss_probability(result).to_csv(float_format="%.4g"))
        save_figure(fan_chart(fan, title=f"{result.spec.name}: shortfall across draws"), result.out / "fan_shortfall.png",
                    vouched=True)  # the study store admits only the study's own files
        return [mc.describe(result),
                f"Wrote points.csv, fan_shortfall.csv/.png and miss_probability.csv to {result.out}/"]
    if ok:
        save_figure(sweep_chart(result), result.out / "sweep.png", vouched=True)
        return [f"Wrote points.csv and sweep.png to {result.out}/ (results/ holds the Parquet dataset)"]
    return []


def _study_command(name: str, monte: bool, doc: str) -> Any:
    @main.command(name=name, help=doc)
    @click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
    @_study_options
    @_friendly
    def command(spec: Path, out: Path | None, workers: int | None, scheduler: str | None,
                scheduler_timeout: float | None, task_timeout: float | None, restart: bool, progress: bool | None,
                draws: int | None = None) -> None:
        _run_study(spec, out, workers, scheduler, restart, progress, monte=monte, draws=draws,
                   scheduler_timeout=scheduler_timeout, task_timeout=task_timeout)

    if monte:
        command = click.option("--draws", type=int, default=None,  # checked by sweep(): an input error, exit 1
                               help="Number of draws (default: the study's montecarlo.draws).")(command)
    return command


sweep_command = _study_command(
    "sweep", False, "Run the sensitivity sweep (grid or Latin hypercube) or Monte Carlo study in SPEC.")
montecarlo_command = _study_command(
    "montecarlo", True, "Run the Monte Carlo study in SPEC: percentiles, fan chart and miss probabilities.")
