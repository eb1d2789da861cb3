"""The 153-authority England scenario (configs/england_local_authorities.yaml): run time against HiGHS alone.

Run from the repository root (about a minute on 2 cores):

    python benchmarks/local_authorities.py            # 3 runs, medians
    python benchmarks/local_authorities.py --runs 5

Prints, as medians of ``--runs`` runs, each figure with the machine's load (1-minute average):

* validation: ``load_scenario`` of the YAML and its 18 CSV tables, in a warm process (target under 1 s);
* ``workforce run``: wall time and CPU time (the child's user + system time) of
  ``python -m workforce run <scenario> --out <tmp>`` in a fresh process, from interpreter start to the
  written outputs (import, validation, generation, solve, re-check, writing);
* the same run's phases in a fresh process (wall and CPU of each: import, validation, generation,
  HiGHS, extraction, re-check, tables and CSV, manifest, summary text), by wrapping the library's
  stage functions (no profiler, so the figures are the run's own);
* HiGHS alone: the same LP (the library's compiled arrays with the weighted cost) passed to a
  fresh ``highspy.Highs``, ``run()`` timed alone, with the same options (see national_scale.py);
* the ratios ``workforce run`` / HiGHS alone, of wall time and of CPU time (issue 19 target: at most
  2x). On a shared machine the wall ratio swings with the other load; single-threaded CPU time is
  close to the wall time the same work takes on an idle machine, so the CPU ratio is the steadier.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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


def load() -> float:
    return os.getloadavg()[0]


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


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_seconds(runs: int) -> tuple[list[float], list[float], list[float]]:
    """Wall and CPU seconds of ``workforce run`` in a fresh process (interpreter start to written
    files), and the load after each run."""
    walls, cpus, loads = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "plan"
            t, c = time.perf_counter(), children_cpu()
            subprocess.run([sys.executable, "-m", "workforce", "run", str(SCENARIO), "--out", str(out)],
                           check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
            walls.append(time.perf_counter() - t)
            cpus.append(children_cpu() - c)
            loads.append(load())
            assert (out / "manifest.json").exists()
    return walls, cpus, loads


PHASES = {  # phase -> (module, function) wrapped in the child; nested phases are included in their parents
    "validation": ("workforce.scenario", "load_scenario"),
    "generation": ("workforce.solver.core", "compile_scenario"),
    "handoff+HiGHS (all stages)": ("workforce.solver.core", "run"),
    "HiGHS run()": ("workforce.solver.core", "_run_highs"),
    "re-check rows": ("workforce.solver.core", "check_rows"),
    "extraction": ("workforce.plan.results", "make_plan"),
    "re-check tables": ("workforce.plan.verify", "verify_plan"),
    "tables+CSV": ("workforce.output.export", "write_outputs"),
    "manifest dict": ("workforce.output.manifest", "build_manifest"),
    "summary text": ("workforce.output.report", "summary_text"),
}


def child_phases(out: str) -> None:
    """In a fresh process: run ``workforce run`` in-process with the stage functions wrapped, and
    print the wall and CPU seconds of each phase as JSON."""
    import importlib

    w0, c0 = time.perf_counter(), time.process_time()
    acc: dict[str, list[float]] = {}

    def wrapped(name: str, func: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            w, c = time.perf_counter(), time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                entry = acc.setdefault(name, [0.0, 0.0])
                entry[0] += time.perf_counter() - w
                entry[1] += time.process_time() - c
        return timed

    from workforce.cli.commands import main

    for module in {m for m, _ in PHASES.values()} | {"workforce.output.export", "workforce.output.report"}:
        importlib.import_module(module)
    acc["import"] = [time.perf_counter() - w0, time.process_time() - c0]
    for name, (module, func) in PHASES.items():
        setattr(sys.modules[module], func, wrapped(name, getattr(sys.modules[module], func)))
    main(["run", str(SCENARIO), "--out", out], standalone_mode=False)
    acc["total"] = [time.perf_counter() - w0, time.process_time() - c0]
    print(json.dumps(acc))


def phase_seconds(runs: int) -> list[dict[str, list[float]]]:
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([sys.executable, __file__, "--child-phases", str(Path(tmp) / "plan")],
                                 check=True, capture_output=True, text=True, cwd=ROOT)
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def highs_alone(runs: int) -> tuple[list[float], list[float], dict[str, Any]]:
    """Wall and CPU seconds of HiGHS ``run()`` alone on the scenario's LP, and the LP's size."""
    from national_scale import floor_lp, floor_solve

    from workforce.scenario.load import load_scenario

    scenario = load_scenario(SCENARIO)
    lp = floor_lp(scenario)
    s = scenario.solver
    options = {"threads": s.threads, "random_seed": s.random_seed, "mip_gap": s.mip_gap, "time_limit": s.time_limit}
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu, _, _ = floor_solve(lp, options)
        walls.append(wall)
        cpus.append(cpu)
    size = {"columns": len(lp["col_lower"]), "rows": len(lp["row_lower"]), "nonzeros": len(lp["value"]),
            "integer": lp["integrality"] is not None}
    return walls, cpus, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child-phases", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_phases:
        child_phases(args.child_phases)
        return
    from national_scale import machine

    m = machine()
    print(f"Machine: {m['cpu']}, {m['cores']} cores, load {m['load_avg_1min']} (1 min); "
          f"HiGHS {m['highs']}, Python {m['python']}")
    valid = validation_seconds(args.runs)
    load_valid = load()
    floor, floor_cpu, size = highs_alone(args.runs)
    load_floor = load()
    walls, cpus, loads = run_seconds(args.runs)
    phases = phase_seconds(args.runs)
    load_phases = load()
    v, f, fc = statistics.median(valid), statistics.median(floor), statistics.median(floor_cpu)
    w, c = statistics.median(walls), statistics.median(cpus)
    print(f"Scenario: {SCENARIO.relative_to(ROOT)} ({size['columns']:,} columns, {size['rows']:,} rows, "
          f"{size['nonzeros']:,} nonzeros, {'MILP' if size['integer'] else 'LP'})")
    print(f"Medians of {args.runs} runs (wall = elapsed; CPU = user + system of the process; load = 1-min average):")
    print(f"  validation from YAML + CSV     wall {v:6.2f} s                 (load {load_valid:.2f})"
          f"   target < 1 s: {'met' if v < 1 else 'NOT met'}")
    print(f"  HiGHS alone (run() only)       wall {f:6.2f} s   CPU {fc:6.2f} s   (load {load_floor:.2f})")
    print(f"  workforce run (import->files)  wall {w:6.2f} s   CPU {c:6.2f} s   (load {statistics.median(loads):.2f})")
    print(f"  ratio to HiGHS alone           wall {w / f:6.2f}x    CPU {c / fc:6.2f}x   target <= 2x: "
          f"wall {'met' if w <= 2 * f else 'NOT met'}, CPU {'met' if c <= 2 * fc else 'NOT met'}")
    print(f"  phases of the run, in a fresh process (median s; nested phases are part of the ones above "
          f"them; load {load_phases:.2f}):")
    for name in ["import", *PHASES, "total"]:
        runs = [p[name] for p in phases if name in p]
        if runs:
            pw, pc = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
            print(f"    {name:30s} wall {pw:6.3f}   CPU {pc:6.3f}   ({pc / fc:4.2f}x HiGHS alone's CPU)")
    print(f"  (load average now {load():.2f} on {os.cpu_count()} cores; a busy machine inflates wall times)")


if __name__ == "__main__":
    main()
