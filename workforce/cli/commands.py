"""The ``workforce`` command: a thin shell over the library.

Exit codes (:data:`EXIT_CODES`, the README's table): 0 solved, 1 invalid input (including usage
errors), 2 infeasible (or unbounded), 3 no plan within the time limit, 4 outputs could not be
written (or --out names something the tool may not replace), 5 the plan failed its re-check, 6 a
study finished with failed points, 70 internal error (a bug), 130 interrupted. Errors print as
plain messages; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from workforce.errors import WorkforceError


def finite_positive(value: float | None) -> float | None:
    """A --time-limit: None or a finite number above zero (nan, inf, 0 and negatives are refused)."""
    import math

    if value is not None and not (math.isfinite(value) and value > 0):
        raise click.BadParameter(f"{value} is not a finite number of seconds above 0 (for example 60)")
    return value


def bundled_config(name: str = "england_baseline.yaml") -> Path:
    """Path of a scenario shipped with the package (configs/ in a source checkout)."""
    here = Path(__file__).resolve().parent.parent  # workforce/ (this module is workforce/cli/commands.py)
    for candidate in (here / "configs" / name, here.parent / "configs" / name):
        if candidate.exists():
            try:  # shorter messages (and no machine paths in outputs) when run from the checkout
                return candidate.relative_to(Path.cwd())
            except (ValueError, OSError):  # OSError: the current folder was deleted
                return candidate
    raise WorkforceError(f"the bundled scenario {name} is missing from this installation")


EXIT_CODES = {
    0: "solved",
    1: "invalid input (including usage errors: an unknown option, a bad value, a folder for a file)",
    2: "infeasible or unbounded",
    3: "time limit",
    4: "outputs could not be written, or --out names something workforce may not replace",
    5: "the plan failed its re-check",
    6: "a study finished with failed points",
    70: "internal error (a bug)",
    130: "interrupted",
}
"""Every exit code a command can give; the README's exit-code table lists exactly these."""

INTERNAL_ERROR = 70
"""Exit code of an unexpected internal error (EX_SOFTWARE), kept apart from input errors (1)."""


def _friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.pop("debug", False)
        try:
            return func(*args, **kwargs)
        except WorkforceError as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted: no outputs were written", err=True)
            sys.exit(130)
        except BrokenPipeError:  # standard output closed by its reader (click would exit 1 for it)
            from workforce.entry import stdout_closed

            stdout_closed()
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug in workforce, not a problem with the planner's input
            if debug:
                raise
            click.echo(
                f"internal error (a bug in workforce, not in your scenario): {type(exc).__name__}: {exc}\n"
                "No outputs were written. Re-run with --debug for the traceback and report it.",
                err=True,
            )
            sys.exit(INTERNAL_ERROR)

    return click.option("--debug", is_flag=True, help="Show the full traceback on errors.")(wrapper)


OUTPUT_OPTIONS = ("out", "reference")
"""Options naming where outputs go: a usage error in one of them exits 4, like any output problem."""


class Workforce(click.Group):
    """The command group, with click's usage errors (exit 2 in click, which here means
    "infeasible") mapped onto the documented codes: 4 for an output path, 1 for anything else
    (an unknown option, a bad value, a folder where a file is expected, a missing argument)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.UsageError as exc:
            exc.show()
            param = getattr(exc, "param", None)
            sys.exit(4 if param is not None and param.name in OUTPUT_OPTIONS else 1)
        except click.ClickException as exc:
            exc.show()
            sys.exit(1)
        except click.Abort:
            click.echo("interrupted: no outputs were written", err=True)
            sys.exit(130)


@click.group(cls=Workforce)
@click.version_option(package_name="workforce")
def main() -> None:
    """Plan the training of England's SEND workforce: SENCOs, early-years SENCOs and EPs."""


VARIANT_OPTION = click.option(
    "--variant", "variants", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
    help="A variant file whose keys are merged on top of SCENARIO; repeat to combine several, in order.",
)


def _allow_paths(ctx: click.Context, _param: click.Parameter, folders: tuple[Path, ...]) -> None:
    from workforce.allow import ALLOWED_FOLDERS

    for folder in folders:
        if not folder.is_dir():
            raise click.BadParameter(f"{folder} is not a folder", ctx=ctx, param_hint="--allow-path")
    token = ALLOWED_FOLDERS.set((*ALLOWED_FOLDERS.get(), *folders))
    ctx.call_on_close(lambda: ALLOWED_FOLDERS.reset(token))


ALLOW_PATH_OPTION = click.option(
    "--allow-path", multiple=True, expose_value=False, callback=_allow_paths, envvar="WORKFORCE_ALLOW_PATH",
    type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
    help="A folder the scenario may also read from (extends: and file: paths); repeat for several. "
         "The bundled scenarios' folder is always allowed.",
)


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@VARIANT_OPTION
@ALLOW_PATH_OPTION
@_friendly
def show(scenario: Path | None, variants: tuple[Path, ...]) -> None:
    """Print SCENARIO fully resolved (extends and variants merged, defaults filled in), each value
    with the file and line it came from."""
    from workforce.scenario import load_scenario
    from workforce.scenario.show import resolved_text

    click.echo(resolved_text(load_scenario(scenario or bundled_config(), variants=variants)), nl=False)


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@VARIANT_OPTION
@ALLOW_PATH_OPTION
@_friendly
def validate(scenario: Path | None, variants: tuple[Path, ...] = ()) -> None:
    """Check SCENARIO (YAML and the CSVs it names) without solving it."""
    from workforce.scenario import load_scenario
    from workforce.words import counted

    path = scenario or bundled_config()
    s = load_scenario(path, variants=variants)
    click.echo(
        f"{' + '.join(map(str, [path, *variants]))}: valid. {counted(len(s.regions), 'region')}, "
        f"{s.horizon.first_year}-{s.horizon.last_year}"
        f"{f' (planned to {s.horizon.plan_to})' if s.horizon.plan_to is not None else ''}, {counted(len(s.roles), 'role')}, "
        f"{counted(len(s.programmes), 'programme')}, {counted(len(s.funding_streams), 'funding stream')}."
    )


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the outputs (default: results/<scenario name>).")
@click.option("--time-limit", type=float, default=None, callback=lambda ctx, param, value: finite_positive(value),
              help="Seconds HiGHS may spend, a finite positive number (overrides the scenario).")
@click.option("--format", "formats", default="csv", show_default=True, metavar="LIST",
              help="Comma-separated output formats: csv, xlsx, parquet.")
@click.option("--charts", is_flag=True, help="Also draw every chart (PNG and SVG) into OUT/charts.")
@VARIANT_OPTION
@ALLOW_PATH_OPTION
@_friendly
def run(scenario: Path | None, out: Path | None, time_limit: float | None, formats: str, charts: bool = False,
        variants: tuple[Path, ...] = ()) -> None:
    """Solve SCENARIO (default: the bundled England baseline) and write the plan's tables."""
    from workforce.output.export import check_formats
    from workforce.output.report import summary_text
    from workforce.output_safety import check_replaceable
    from workforce.scenario import load_scenario
    from workforce.solver.core import solve

    chosen = check_formats(formats)  # before solving: a missing extra should not cost a solve
    path = scenario or bundled_config()
    s = load_scenario(path, variants=variants)
    out = out or Path("results") / "+".join(p.stem for p in [path, *variants])
    check_replaceable(out, "run", s.input_hashes)  # before solving: a refused folder should not cost a solve
    plan = solve(s, time_limit=time_limit)
    if charts:
        _agg()
    plan.export(out, chosen, charts=("png", "svg") if charts else ())  # tables, charts, manifest: all or nothing
    click.echo(summary_text(plan))
    click.echo(f"\n{wrote_text(out)}")
    if plan.status != "optimal":
        gap = plan.summary.get("gap")
        gap_text = f"within {gap:.2%} of the best possible" if gap is not None else "of unknown distance from the best"
        click.echo(
            f"warning: the solver was stopped by a limit; this plan is PROVISIONAL ({gap_text}). "
            "Raise --time-limit for an optimal plan.",
            err=True,
        )
        sys.exit(3)


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--role", "roles", multiple=True, help="Role to show (default: every role with a demand_forecast).")
@click.option("--backtest", is_flag=True, help="Score each method on past years instead of showing the forecast.")
@click.option("--fit", nargs=2, type=int, default=(2019, 2023), show_default=True, help="Backtest fit window.")
@click.option("--test", "test_years", nargs=2, type=int, default=(2024, 2026), show_default=True,
              help="Backtest years to forecast and score.")
@ALLOW_PATH_OPTION
@_friendly
def forecast(scenario: Path | None, roles: tuple[str, ...], backtest: bool, fit: tuple[int, int],
             test_years: tuple[int, int]) -> None:
    """Show SCENARIO's demand forecasts, or (--backtest) the error of each method per region."""
    import pandas as pd

    from workforce.errors import Problem, ScenarioError
    from workforce.scenario import load_scenario
    from workforce.scenario.projection import ForecastError, forecast_roles, markdown, role_backtest
    from workforce.scenario.tables import resolve

    path = scenario or bundled_config()
    s = load_scenario(path)
    names = {r.code: r.name for r in s.regions}
    for k in roles or forecast_roles(s):
        spec = s.roles[k].demand_forecast if k in s.roles else None
        try:
            if backtest and not roles and spec.method == "flat":
                click.echo(f"{s.roles[k].name}: driver held flat ({spec.driver_name or 'series'}); nothing to backtest\n")
                continue
            if backtest:
                table = role_backtest(s, k, fit, test_years)
                click.echo(f"{s.roles[k].name}: driver {spec.driver_name or 'series'}; MAPE (%) of each method, "
                           f"fit {fit[0]}-{fit[1]}, forecast {test_years[0]}-{test_years[1]}")
                click.echo(markdown(table, 2) + "\n")
                continue
            if spec is None:
                role_backtest(s, k, fit, test_years)  # raises the explanation
            values, _ = resolve(s.roles[k].demand, ("region", "year"), s.region_keys(), s.years)
            table = pd.Series(values).unstack().rename(index=names)
            table.index.name = "region"
            table.loc["England"] = table.sum()
            click.echo(f"{s.roles[k].name}: demand ({s.roles[k].unit}) forecast by {spec.method} trend of "
                       f"{spec.driver_name or 'the driver'}")
            click.echo(markdown(table, 0) + "\n")
        except ForecastError as exc:
            raise ScenarioError(Problem(str(exc), file=str(path), key=f"roles.{k}.demand_forecast")) from None


@main.command()
@click.option("--attrition", "rates", multiple=True, type=float,
              help="Attrition rate(s) to run besides the implied ones (default 0.05 and 0.09).")
@_friendly
def backcast(rates: tuple[float, ...]) -> None:
    """Run the EP stock from 2015 with the historical funded intakes and compare it with the published stocks."""
    from workforce.scenario.projection import markdown
    from workforce.studies.backcast import EP_OBSERVATIONS, backcast_table, implied_attrition

    implied = {o: implied_attrition(o) for o in EP_OBSERVATIONS}
    columns = {f"attrition {a:.1%}": a for a in rates or (0.05, 0.09)}
    columns.update({f"implied {a:.1%}": a for a in implied.values()})
    click.echo("EP stock at the end of each academic year (2015 = 2015/16), from 1,650 in 2015, "
               "funded intakes 160/yr (206 from 2020, 200 from 2023), completion 0.90, first-year attrition 0.03")
    click.echo(markdown(backcast_table(columns), 0))
    click.echo("")
    for o, a in implied.items():
        click.echo(f"Attrition that reproduces {o.label}: {a:.2%} a year")


@main.command()
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("configs/schema.json"),
              show_default=True, help="Where to write the JSON Schema ('-' for standard output).")
@click.option("--reference", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the YAML reference (Markdown) here, e.g. docs/yaml-reference.md.")
@_friendly
def schema(out: Path, reference: Path | None) -> None:
    """Write the scenario JSON Schema, for YAML editors (completion, hover help, inline errors).

    Point a scenario at it with a first line `# yaml-language-server: $schema=schema.json`, and a
    variant (a file with `extends:`) at the schema.variant.json written beside it.
    """
    from workforce.output.generated import write_generated
    from workforce.scenario.jsonschema import schema_text, variant_schema_text

    if str(out) == "-":
        click.echo(schema_text(), nl=False)
    else:
        click.echo(f"wrote {write_generated(out, schema_text())}")
        variant = out.with_name(out.stem + ".variant" + out.suffix)
        click.echo(f"wrote {write_generated(variant, variant_schema_text())} (for files with extends:)")
    if reference is not None:
        from workforce.scenario.reference import yaml_reference

        click.echo(f"wrote {write_generated(reference, yaml_reference())}")


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True,
              help="For an infeasible scenario, also list an irreducible set of conflicting limits (HiGHS IIS).")
@click.option("--top", type=int, default=12, show_default=True, help="How many binding limits to list per group.")
@click.option("--what-if", "what_if", type=int, default=5, show_default=True,
              help="How many of the most valuable limits to re-solve loosened by one step.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write the explanation tables as explain_*.csv into this folder.")
@ALLOW_PATH_OPTION
@_friendly
def explain(scenario: Path | None, strict: bool, top: int, what_if: int, out: Path | None) -> None:
    """Explain SCENARIO: marginal values, binding limits, what £1m or a place buys; or why it is infeasible."""
    from workforce.errors import InfeasibleScenarioError
    from workforce.scenario import load_scenario
    from workforce.solver.core import solve

    path = scenario or bundled_config()
    s = load_scenario(path)
    try:
        plan = solve(s)
    except InfeasibleScenarioError as exc:
        click.echo(f"{path}: {exc}")
        if strict:
            from workforce.solver.diagnose import strict_text

            click.echo("")
            click.echo(strict_text(s))
        sys.exit(exc.exit_code)
    e = plan.explain(what_if=what_if)
    click.echo(e.text(top=top))
    if out is not None:
        from workforce.output_safety import write_folder

        write_folder(out, "explain", e.write_tables, protected=s.input_hashes)
        click.echo(f"\n{wrote_text(out)}")


@main.command()
@click.argument("results_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the charts (default: RESULTS_DIR/charts).")
@click.option("--format", "formats", type=click.Choice(["png", "svg", "pdf"]), multiple=True,
              help="Image format; repeat for several (default: png and svg).")
@_friendly
def plot(results_dir: Path, out: Path | None, formats: tuple[str, ...]) -> None:
    """Draw every chart of a saved run (the folder `workforce run` wrote) as PNG and SVG."""
    from workforce.output_safety import write_folder
    from workforce.plan.tables import load_plan

    tables = load_plan(results_dir)
    formats = formats or ("png", "svg")
    target = out or results_dir / "charts"
    _agg()
    from workforce.plots import draw_into

    read = [p for p in results_dir.iterdir() if p.name != "charts"] if results_dir.is_dir() else []
    written = write_folder(target, "charts", lambda folder: draw_into(tables, folder, formats), protected=read)
    stems = sorted({Path(name).stem for name in written if name != "manifest.json"})
    click.echo(f"Drew {len(stems)} charts ({', '.join(formats)}) to {target}/: {', '.join(stems)}")


def _agg() -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display needed, whatever MPLBACKEND says


def wrote_text(out: Path) -> str:
    """``Wrote a.csv, b.csv, ... to OUT/``: every file the command wrote, by name."""
    names = []
    for p in sorted(out.iterdir()):
        inner = sum(1 for q in p.rglob("*") if q.is_file()) if p.is_dir() else 0
        names.append(f"{p.name}/ ({inner} files)" if p.is_dir() else p.name)
    return f"Wrote {', '.join(names)} to {out}/"


from workforce.cli import stochastic as stochastic_cli  # noqa: E402,F401  (registers stochastic)
from workforce.cli import studies as study_cli  # noqa: E402,F401  (registers compare, sweep and montecarlo)

if __name__ == "__main__":  # pragma: no cover
    main()
