"""Whole cohorts for every programme (issue 19 section 4): HiGHS alone against the library's help.

For the ``_all`` sizes of benchmarks/national_scale.py (153 x 3 x 20, and with 3 terms) the
compiled model is solved by HiGHS at the size's time limit three ways:

* ``alone``: HiGHS as ``workforce.solve`` calls it;
* ``cuts``: with the cohort_capacity_cut rows (``solver.cohort_strengthening``, formulation 12.6);
* ``cuts+start``: also started from the rounded-and-repaired relaxation
  (``workforce.solver.mip_start.start_solution``, its seconds counted in the time limit);
* ``regions``: the region decomposition first (``solver.region_decomposition``, formulation 12.7:
  half the time limit at most), its plan as HiGHS's start, HiGHS for the rest of the limit; the bound
  is the larger of HiGHS's and the decomposition's (both valid).

Printed per size and way: the root bound (HiGHS's dual bound after its root cuts, read from its
log), the bound and incumbent at the limit, and the gap HiGHS proves, (incumbent − bound) /
incumbent, never a figure HiGHS (or the decomposition's weak-duality bound) does not certify. Also the plain continuous relaxation with and
without the cuts. The machine's load average and the CPU seconds of the process are printed with every
run: on a shared machine a wall-clock limit buys less search (CPU seconds are close to what the same
work takes on an idle machine), so compare ways within one invocation only. A long run of HiGHS alone
(``--ways alone --time-scale 24``) shows how far the bound and incumbent move.

    python benchmarks/milp_bounds.py [--sizes medium_integer_all ...] [--runs 1] [--time-scale 1]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from national_scale import size_spec  # noqa: E402

from workforce import scenario_from_dict  # noqa: E402
from workforce.model.data import prepare  # noqa: E402
from workforce.scenario.derive import validated  # noqa: E402
from workforce.scenario.schema import TERMS  # noqa: E402
from workforce.solver.cohort_cuts import add_capacity_cuts  # noqa: E402
from workforce.solver.core import _highs, compile_scenario  # noqa: E402
from workforce.solver.mip_start import give_start, start_solution  # noqa: E402
from workforce.solver.policy import stage_cost  # noqa: E402
from workforce.solver.region_solve import region_start  # noqa: E402

SIZES = ["medium_integer_all", "medium_terms_integer_all"]
TARGETS = {"medium_integer_all": (0.005, 30.0), "medium_terms_integer_all": (0.01, 60.0)}
"""Issue 19 section 4: (certified gap, seconds) per size."""
WAYS = ["alone", "cuts", "cuts+start", "regions"]
DEFAULT_WAYS = ["alone", "regions"]


def setup(size: str) -> tuple[Any, Any, np.ndarray, float, dict[str, Any]]:
    """The size's data, compiled model, single-stage cost and constant, and HiGHS options."""
    scenario = scenario_from_dict(size_spec(size), name=size)
    data = prepare(validated(scenario, "benchmark"))
    _, compiled = compile_scenario(data)
    cost, offset, _ = stage_cost(compiled, data, list(TERMS))
    s = scenario.solver
    options = {"threads": s.threads, "random_seed": s.random_seed, "time_limit": s.time_limit, "mip_gap": s.mip_gap}
    return data, compiled, cost, offset, options


def relaxation(data: Any, compiled: Any, cost: np.ndarray, offset: float, cuts: bool) -> float:
    """The continuous relaxation's optimum, with or without the cuts."""
    h = _highs(compiled, {"threads": 1}, integer=False)
    h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
    if cuts:
        add_capacity_cuts(h, compiled, data)
    h.run()
    return h.getInfo().objective_function_value + offset


def solve_way(way: str, data: Any, compiled: Any, cost: np.ndarray, offset: float, options: dict[str, Any],
              time_scale: float) -> dict[str, Any]:
    """One MIP solve: bound, incumbent, proven gap, root bound, seconds, load."""
    limit = float(options["time_limit"]) * time_scale
    load = os.getloadavg()[0]
    t, cpu = time.perf_counter(), time.process_time()
    h = _highs(compiled, {**options, "time_limit": limit}, integer=True)
    h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
    lines: list[str] = []
    h.setOptionValue("output_flag", True)
    h.setOptionValue("log_to_console", False)
    h.cbLogging.subscribe(lambda event: lines.append(event.message))
    if way in ("cuts", "cuts+start"):
        add_capacity_cuts(h, compiled, data)
    if way == "cuts+start":
        x, _ = start_solution(compiled, cost, options)
        if x is not None:
            give_start(h, x)
        h.setOptionValue("time_limit", max(1.0, limit - (time.perf_counter() - t)))
    region: dict[str, Any] = {"bound": -np.inf}
    if way == "regions":
        region = region_start(h, compiled, data, cost, offset, {**options, "time_limit": limit}, 0.5 * limit)
        if region["x"] is not None:
            give_start(h, region["x"])
        h.setOptionValue("time_limit", max(1.0, limit - (time.perf_counter() - t)))
    h.run()
    info = h.getInfo()
    incumbent = info.objective_function_value + offset if info.primal_solution_status == 2 else float("inf")
    bound = max(info.mip_dual_bound + offset, region["bound"])
    return {"way": way, "load": (load + os.getloadavg()[0]) / 2, "seconds": time.perf_counter() - t,
            "cpu": time.process_time() - cpu, "bound": bound, "incumbent": incumbent,
            "highs_bound": info.mip_dual_bound + offset, "region": region,
            "gap": (incumbent - bound) / max(1.0, abs(incumbent)) if np.isfinite(incumbent) else float("inf"),
            "root_bound": root_bound(lines, offset), "status": h.modelStatusToString(h.getModelStatus())}


def root_bound(lines: list[str], offset: float) -> float | None:
    """The last node-0 BestBound in HiGHS's log (its root bound after cut rounds), plus ``offset``."""
    best = None
    for line in "".join(lines).splitlines():
        parts = line.split()
        if len(parts) > 5 and parts[0] in ("0", *"BCFHIJLPRSTUXYZlpuz"):
            nums = parts[1:] if parts[0].isalpha() else parts
            if nums[0] == "0" and len(nums) > 4:
                with contextlib.suppress(ValueError):
                    best = float(nums[4]) + offset
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=SIZES, choices=SIZES)
    parser.add_argument("--ways", nargs="+", default=DEFAULT_WAYS, choices=WAYS)
    parser.add_argument("--runs", type=int, default=1, help="runs per way (medians printed)")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="multiply the size's time limit (e.g. by the load on a shared machine)")
    args = parser.parse_args()
    for size in args.sizes:
        data, compiled, cost, offset, options = setup(size)
        print(f"{size}: {compiled.csc.shape[0]} rows, {compiled.csc.shape[1]} columns, "
              f"{int(np.sum(compiled.integrality))} integer; time limit {options['time_limit'] * args.time_scale:g} s",
              flush=True)
        plain, strong = (relaxation(data, compiled, cost, offset, c) for c in (False, True))
        print(f"  continuous relaxation {plain:,.0f}; with the cuts {strong:,.0f} ({(strong - plain) / plain:+.2%})",
              flush=True)
        for way in args.ways:
            runs = [solve_way(way, data, compiled, cost, offset, options, args.time_scale) for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in runs) for k in ("bound", "incumbent", "gap", "seconds", "load", "cpu")}
            roots = [r["root_bound"] for r in runs if r["root_bound"] is not None]
            root = f"{statistics.median(roots):,.0f}" if roots else "-"
            print(f"  {way:11s} gap {med['gap']:.2%}  bound {med['bound']:,.0f}  incumbent {med['incumbent']:,.0f}  "
                  f"root bound {root}  {med['seconds']:.1f} s wall  {med['cpu']:.1f} s CPU  load {med['load']:.1f}  "
                  f"({'median of ' + str(args.runs) if args.runs > 1 else '1 run'}; {runs[-1]['status']})", flush=True)
            if way == "regions":
                for r in runs:
                    g = r["region"]
                    print(f"      decomposition: {g.get('blocks', 0)} blocks, {len(g.get('rounds', []))} rounds, "
                          f"bound {g['bound']:,.0f}, plan {g.get('value', float('inf')):,.0f}, {g.get('seconds', 0):.1f} s wall; "
                          f"HiGHS's own bound {r['highs_bound']:,.0f}", flush=True)
            met = all(r["gap"] <= TARGETS[size][0] for r in runs)
            print(f"      target {TARGETS[size][0]:.1%} in {TARGETS[size][1]:g} s: {'met' if met else 'NOT met'} "
                  f"(certified gap {med['gap']:.2%} at a {float(options['time_limit']) * args.time_scale:g} s limit)", flush=True)


if __name__ == "__main__":
    main()
