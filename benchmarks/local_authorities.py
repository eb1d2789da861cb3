"""The 153-authority England scenario (configs/england_local_authorities.yaml): run time against HiGHS alone.

Run from the repository root (about a minute on 2 cores):

    python benchmarks/local_authorities.py            # 3 runs, medians
    python benchmarks/local_authorities.py --runs 5

Prints, as medians of ``--runs`` runs with the machine's load:

* validation: ``load_scenario`` of the YAML and its 18 CSV tables, in a warm process (target under 1 s);
* ``workforce run``: wall time of ``python -m workforce run <scenario> --out <tmp>`` in a fresh
  process, from interpreter start to the written outputs (import, validation, build, solve,
  verify, writing), and the library's own stage timings of in-process solves
  (``plan.summary["timings_seconds"]``);
* HiGHS alone: the same LP (the library's compiled arrays with the weighted cost) passed to a
  fresh ``highspy.Highs``, ``run()`` timed alone, with the same options (see national_scale.py);
* the ratio ``workforce run`` / HiGHS alone (issue 19 target: at most 2x).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SCENARIO = ROOT / "configs" / "england_local_authorities.yaml"


def validation_seconds(runs: int) -> list[float]:
    """Seconds to read and validate the scenario from YAML and CSV (imports already done)."""
    from workforce.scenario.load import load_scenario

    load_scenario(SCENARIO)  # warm: imports and first-use caches are not validation
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        load_scenario(SCENARIO)
        times.append(time.perf_counter() - t)
    return times


def run_seconds(runs: int) -> list[float]:
    """Wall seconds of ``workforce run`` in a fresh process, from interpreter start to written files."""
    walls = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "plan"
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "workforce", "run", str(SCENARIO), "--out", str(out)],
                           check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
            walls.append(time.perf_counter() - t)
            assert (out / "summary.json").exists()
    return walls


def stage_seconds(runs: int) -> list[dict[str, float]]:
    """The library's own stage timings (``plan.summary["timings_seconds"]``) of in-process solves."""
    from workforce import load_scenario, solve

    scenario = load_scenario(SCENARIO)
    return [dict(solve(scenario).summary["timings_seconds"]) for _ in range(runs)]


def highs_alone(runs: int) -> tuple[list[float], dict[str, Any]]:
    """Seconds of HiGHS ``run()`` alone on the scenario's LP, and the LP's size."""
    from national_scale import floor_lp, floor_solve

    from workforce.scenario.load import load_scenario

    scenario = load_scenario(SCENARIO)
    lp = floor_lp(scenario)
    s = scenario.solver
    options = {"threads": s.threads, "random_seed": s.random_seed, "mip_gap": s.mip_gap, "time_limit": s.time_limit}
    times = [floor_solve(lp, options)[0] for _ in range(runs)]
    size = {"columns": len(lp["col_lower"]), "rows": len(lp["row_lower"]), "nonzeros": len(lp["value"]),
            "integer": lp["integrality"] is not None}
    return times, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from national_scale import machine

    m = machine()
    print(f"Machine: {m['cpu']}, {m['cores']} cores, load {m['load_avg_1min']} (1 min); "
          f"HiGHS {m['highs']}, Python {m['python']}")
    valid = validation_seconds(args.runs)
    floor, size = highs_alone(args.runs)
    walls = run_seconds(args.runs)
    stages = stage_seconds(args.runs)
    v, f, w = statistics.median(valid), statistics.median(floor), statistics.median(walls)
    print(f"Scenario: {SCENARIO.relative_to(ROOT)} ({size['columns']:,} columns, {size['rows']:,} rows, "
          f"{size['nonzeros']:,} nonzeros, {'MILP' if size['integer'] else 'LP'})")
    print(f"Medians of {args.runs} runs:")
    print(f"  validation from YAML + CSV     {v:7.2f} s   target < 1 s: {'met' if v < 1 else 'NOT met'}")
    print(f"  HiGHS alone (run() only)       {f:7.2f} s")
    print(f"  workforce run (import->files)  {w:7.2f} s   = {w / f:.2f}x HiGHS alone; "
          f"target <= 2x: {'met' if w <= 2 * f else 'NOT met'}")
    keys = list(dict.fromkeys(k for s in stages for k in s))
    if keys:
        print("  library stages (median s): " + ", ".join(
            f"{k} {statistics.median(s.get(k, 0.0) for s in stages):.2f}" for k in keys))
    print(f"  (load average now {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
