"""Time workforce's explanations on the England baseline and on an infeasible variant of it.

Run from the repository root with the package installed, or as
``PYTHONPATH=. python benchmarks/explain_timings.py``. Prints seconds per step
(best of three); nothing is asserted. The infeasible variant cuts the DfE EP budget from £11.2m
to £8m a year, below the minimum EP cohorts, in a temporary copy of configs/.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from workforce import InfeasibleScenarioError, load_scenario, prepare, solve
from workforce.model import build_model
from workforce.solver.core import compile_model
from workforce.solver.diagnose import irreducible_conflict

ROOT = Path(__file__).resolve().parents[1]


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    scenario = load_scenario(ROOT / "configs" / "england_baseline.yaml")
    plan = solve(scenario)
    print(f"baseline: {plan.summary['size']['variables']} variables, {plan.summary['size']['constraints']} rows")
    print(f"solve (prepare, build, compile, HiGHS, tables)   {best(lambda: solve(scenario)):7.3f} s")
    print(f"explain, no what-ifs                              {best(lambda: plan.explain(what_if=0)):7.3f} s")
    print(f"explain, 5 what-if re-solves (the default)        {best(lambda: plan.explain()):7.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(ROOT / "configs", Path(tmp) / "configs")
        path = Path(tmp) / "configs" / "england_baseline.yaml"
        path.write_text(path.read_text().replace("budget: 11200 ", "budget: 8000 ", 1))
        cut = load_scenario(path)

        def elastic() -> None:
            try:
                solve(cut)
            except InfeasibleScenarioError:
                return
            raise SystemExit("the variant should be infeasible")

        print(f"infeasible variant: solve + elastic diagnosis      {best(elastic):7.3f} s")
        data = prepare(cut)
        compiled = compile_model(build_model(data))
        print(f"infeasible variant: strict IIS (compiled model)   {best(lambda: irreducible_conflict(compiled, data)):7.3f} s")


if __name__ == "__main__":
    main()
