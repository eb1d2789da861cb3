"""The ``workforce`` command: a thin shell over the library.

Exit codes: 0 solved, 1 invalid input, 2 infeasible (or unbounded), 3 no plan within the time
limit, 130 interrupted. Errors print as plain messages; ``--debug`` shows the traceback.
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


def bundled_config(name: str = "england_baseline.yaml") -> Path:
    """Path of a scenario shipped with the package (configs/ in a source checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "configs" / name, here.parent / "configs" / name):
        if candidate.exists():
            return candidate
    raise WorkforceError(f"the bundled scenario {name} is missing from this installation")


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

    return click.option("--debug", is_flag=True, help="Show the full traceback on errors.")(wrapper)


@click.group()
@click.version_option(package_name="workforce")
def main() -> None:
    """Plan the training of England's SEND workforce: SENCOs, early-years SENCOs and EPs."""


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@_friendly
def validate(scenario: Path | None) -> None:
    """Check SCENARIO (YAML and the CSVs it names) without solving it."""
    from workforce.scenario import load_scenario

    path = scenario or bundled_config()
    s = load_scenario(path)
    click.echo(
        f"{path}: valid. {len(s.regions)} regions, {s.horizon.first_year}-{s.horizon.last_year}, "
        f"{len(s.roles)} roles, {len(s.programmes)} programmes, {len(s.funding_streams)} funding streams."
    )


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the outputs (default: results/<scenario name>).")
@click.option("--time-limit", type=float, default=None, help="Seconds HiGHS may spend (overrides the scenario).")
@_friendly
def run(scenario: Path | None, out: Path | None, time_limit: float | None) -> None:
    """Solve SCENARIO (default: the bundled England baseline) and write the plan's tables."""
    from workforce.report import summary_text
    from workforce.scenario import load_scenario
    from workforce.solve import solve

    path = scenario or bundled_config()
    s = load_scenario(path)
    plan = solve(s, time_limit=time_limit)
    out = out or Path("results") / path.stem
    plan.to_csv(out)
    click.echo(summary_text(plan))
    click.echo(f"\nWrote intake.csv, workforce.csv, flows.csv, spend.csv, spend_detail.csv, summary.json to {out}/")
    if plan.status != "optimal":
        sys.exit(3)


from workforce import study_cli  # noqa: E402,F401  (registers compare, sweep and montecarlo)

if __name__ == "__main__":  # pragma: no cover
    main()
