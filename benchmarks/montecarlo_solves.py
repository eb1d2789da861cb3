"""Benchmark: what one Monte Carlo draw of the England baseline costs, part by part, and how the
ways of solving it compare (issue 19: 10,000 draws in under 5 minutes on 2 cores).

In this process, on the draws of configs/studies/ep_montecarlo.yaml: the CPU time of each part of a
draw in a worker (validation of the drawn scenario, the change in place, the solve, the key results),
then, on the same changed model, the MIP solved by HiGHS in the ways issue 19 suggested (defaults;
the base plan or the previous draw's plan given as a MIP start with ``setSolution``; symmetry
detection off; presolve off; heuristics off) against the warm strengthened relaxation the library
uses (workforce/solver/warm_relaxed.py). CPU time (``time.process_time``) hardly depends on the
machine's load, which is printed; medians over the draws.
Run: python benchmarks/montecarlo_solves.py [draws]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import highspy
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workforce.scenario import load_scenario  # noqa: E402
from workforce.solver.levers import scenario_with  # noqa: E402
from workforce.solver.warm_arrays import ArrayWarmModel  # noqa: E402
from workforce.studies.spec import load_study, points  # noqa: E402

VALIDATION = "validation (studies now validate the corners)"
"""A drawn scenario's full validation: measured, though a study validates only its box's corners."""
WAYS = {
    "MIP, as before (HiGHS defaults, cold)": {},
    "MIP, base plan as MIP start": {"start": "base"},
    "MIP, previous draw's plan as MIP start": {"start": "previous"},
    "MIP, symmetry detection off": {"mip_detect_symmetry": False},
    "MIP, presolve off": {"presolve": "off"},
    "MIP, heuristics off": {"mip_heuristic_effort": 0.0},
}


def main() -> None:
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    spec, base = load_study(ROOT / "configs" / "studies" / "ep_montecarlo.yaml")
    spec = spec.model_copy(update={"montecarlo": spec.montecarlo.model_copy(update={"draws": draws})})
    scenario = load_scenario(base / spec.scenario)
    levers, table = spec.levers(), points(spec)
    values = [{n: float(table.at[i, n]) for n in levers} for i in table.index]
    t = time.process_time()
    model = ArrayWarmModel(scenario, threads=1)
    build = time.process_time() - t
    base_x = model.solve().x.copy()
    parts: dict[str, list[float]] = {VALIDATION: [], "change in place": [], "solve": [], "key results": []}
    ways: dict[str, list[float]] = {name: [] for name in WAYS}
    objective_gap, previous = 0.0, base_x
    for v in values:
        t0 = time.process_time()
        scenario_with(model.base, v, levers, name=scenario.name)
        t1 = time.process_time()
        model.apply(v, levers)
        t2 = time.process_time()
        info = model.solve()
        t3 = time.process_time()
        model.key_values(info)
        t4 = time.process_time()
        for name, a, b in ((VALIDATION, t0, t1), ("change in place", t1, t2), ("solve", t2, t3),
                           ("key results", t3, t4)):
            parts[name].append(b - a)
        lp = model.h.getLp()  # the draw's MIP as the model holds it (integer columns integer)
        for name, how in WAYS.items():
            seconds, x, objective = _mip(lp, model, how, base_x, previous)
            ways[name].append(seconds)
            objective_gap = max(objective_gap, abs(objective - info.objective) / abs(info.objective))
            if not how:
                previous = x
    load = os.getloadavg()
    print(f"{draws} draws of the England baseline's Monte Carlo study, CPU time per draw in one process "
          f"(load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}); model built once in {build * 1e3:.0f} ms CPU")
    for name, times in parts.items():
        print(f"  {name:<44} {np.median(times) * 1e3:7.1f} ms  (mean {np.mean(times) * 1e3:.1f})")
    in_worker = sum(np.median(t) for n, t in parts.items() if n != VALIDATION)
    print(f"  {'a draw in a worker (no validation)':<44} {in_worker * 1e3:7.1f} ms")
    print("The solve of the same changed model, CPU per draw (median):")
    print(f"  {'warm strengthened relaxation (the library)':<44} {np.median(parts['solve']) * 1e3:7.1f} ms  "
          "(including the bound tightening and the plan's re-check)")
    for name, times in ways.items():
        print(f"  {name:<44} {np.median(times) * 1e3:7.1f} ms")
    print(f"  largest objective difference, relaxation against every MIP way: {objective_gap:.1e} (relative)")


def _mip(lp: highspy.HighsLp, model: ArrayWarmModel, how: dict, base_x: np.ndarray,
         previous: np.ndarray) -> tuple[float, np.ndarray, float]:
    """CPU seconds of ``Highs.run`` on a fresh HiGHS holding the draw's MIP, set up ``how``; its plan and objective."""
    h = highspy.Highs()
    h.silent()
    for name, value in model.options.items():
        if value is not None:
            h.setOptionValue("mip_rel_gap" if name == "mip_gap" else name, value)
    for name, value in how.items():
        if name != "start":
            h.setOptionValue(name, value)
    h.passModel(lp)
    if "start" in how:
        start = highspy.HighsSolution()
        start.col_value = list(base_x if how["start"] == "base" else previous)
        start.value_valid = True
        h.setSolution(start)
    t = time.process_time()
    h.run()
    seconds = time.process_time() - t
    x = np.asarray(h.getSolution().col_value)
    c = model.compiled
    objective = float(model._weights @ (c.term_costs @ x + c.term_offsets))
    return seconds, x, objective


if __name__ == "__main__":
    main()
