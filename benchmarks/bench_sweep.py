"""Benchmark: a 200-point budget sweep of the England baseline, against HiGHS alone.

Prints, for the same 200 changes of the DfE EP training budget (95% to 150%):

* HiGHS alone, warm: the compiled model loaded into highspy once, then for each point the ten
  budget rows' bounds changed, ``Highs.run()``, and the solution read as an array;
* the sweep engine (workforce.solver.warm_arrays.ArrayWarmModel): each point's levers applied in place, re-solved
  warm, the plan re-checked, and the key results computed (the values a partition stores);
* the whole ``sweep()`` in one process (adds point bookkeeping and 200 Parquet partitions written
  atomically) and on a 2-process pool (adds worker start-up);
* a cold rebuild per point (prepare, build, compile, solve) on 20 points, for scale.

The engine and HiGHS-alone loops are interleaved and repeated; medians are reported, of CPU time
(``time.process_time``, this process only, so other work on a shared machine does not count) and
of wall time.
Run: python benchmarks/bench_sweep.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import highspy
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workforce import load_scenario, prepare  # noqa: E402
from workforce.model import build_model  # noqa: E402
from workforce.scenario.schema import TERMS  # noqa: E402
from workforce.solver.core import _highs, compile_model, run  # noqa: E402
from workforce.solver.levers import Lever, parse_path, scenario_with  # noqa: E402
from workforce.solver.warm_arrays import ArrayWarmModel as WarmModel  # noqa: E402  (the engine sweep() uses)
from workforce.studies.sweep import sweep  # noqa: E402

POINTS = 200
SCALES = np.linspace(1.0, 1.5, POINTS)  # below ~96% the baseline's minimum cohorts cannot be paid for
REPEATS = 5


def highs_alone(model: WarmModel) -> tuple[float, float]:
    c, d = model.compiled, model.data
    rows = [model.row_of[("budget_limit", ("dfe_ep", t))] for t in d.YEARS]
    base_upper = c.row_upper[rows].copy()
    budget = np.array([d.budget["dfe_ep", t] for t in d.YEARS])
    h = _highs(c, model.options, integer=True)  # the same problem the engine solves (whole EP cohorts)
    cost = np.array([d.weights[t] for t in TERMS]) @ c.term_costs
    h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
    h.run()
    t0, c0 = time.perf_counter(), time.process_time()
    for s in SCALES:
        for i, up, b in zip(rows, base_upper, budget, strict=True):
            h.changeRowBounds(i, -highspy.kHighsInf, up + b * (s - 1.0))
        h.run()
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        np.asarray(h.getSolution().col_value)
    return time.process_time() - c0, time.perf_counter() - t0


def engine(model: WarmModel, levers: dict[str, Lever]) -> tuple[float, float]:
    model.solve_point({"b": 1.0}, levers, validate=False)
    t0, c0 = time.perf_counter(), time.process_time()
    for s in SCALES:
        info, used, note = model.solve_point({"b": float(s)}, levers, validate=False)
        assert note["how"] == "in place"
        used.key_values(info)
    return time.process_time() - c0, time.perf_counter() - t0


def main() -> None:
    scenario = load_scenario(ROOT / "configs" / "england_baseline.yaml")
    levers = {"b": Lever("b", parse_path("funding_streams.dfe_ep.budget"), "scale")}
    t0 = time.perf_counter()
    model = WarmModel(scenario)
    model.effect(levers["b"])
    setup = time.perf_counter() - t0
    alone, eng = [], []
    for _ in range(REPEATS):
        alone.append(highs_alone(model))
        eng.append(engine(model, levers))
    a_cpu, e_cpu = (statistics.median(x[0] for x in runs) for runs in (alone, eng))
    a_wall, e_wall = (statistics.median(x[1] for x in runs) for runs in (alone, eng))
    print(f"England baseline: {len(model.compiled.columns)} columns, {len(model.compiled.rows)} rows; "
          f"{POINTS} budget points (scale {SCALES[0]:.2f}-{SCALES[-1]:.2f}), median of {REPEATS} runs")
    print(f"  model built, compiled and probed once:          {setup:8.3f} s")
    print("                                                   CPU time    wall time")
    print(f"  HiGHS alone, warm (bounds + run + solution):    {a_cpu:8.3f} s  {a_wall:8.3f} s"
          f"  ({a_cpu / POINTS * 1e3:.2f} ms/point CPU)")
    print(f"  sweep engine, warm (apply + solve + results):   {e_cpu:8.3f} s  {e_wall:8.3f} s"
          f"  ({e_cpu / POINTS * 1e3:.2f} ms/point CPU)")
    print(f"  ratio engine / HiGHS alone:                     {e_cpu / a_cpu:8.2f} x  {e_wall / a_wall:8.2f} x"
          "  (target <= 1.5)")

    spec = {"name": "bench", "scenario": "england_baseline.yaml", "grid": {"parameters": {"b": {
        "path": "funding_streams.dfe_ep.budget", "op": "scale", "low": 1.0, "high": 1.5, "steps": POINTS}}}}
    with tempfile.TemporaryDirectory() as tmp:
        r1 = sweep(spec, scenario=scenario, out=Path(tmp) / "one", workers=1, progress=False)
        r2 = sweep(spec, scenario=scenario, out=Path(tmp) / "pool", workers=2, progress=False)
    for label, r in (("sweep(), 1 process, with 200 Parquet partitions", r1),
                     ("sweep(), 2-process pool (incl. worker start-up)", r2)):
        ok = int((r.points["status"] == "ok").sum())
        print(f"  {label + ':':<48}{r.seconds:8.3f} s  ({ok} points ok)")

    t0 = time.perf_counter()
    for s in SCALES[::10]:
        data = prepare(scenario_with(model.base, {"b": float(s)}, levers, "cold"))
        compiled = compile_model(build_model(data))
        run(compiled, data, model.options, {})
    cold = (time.perf_counter() - t0) / len(SCALES[::10])
    print(f"  cold rebuild per point (prepare, build, compile, solve): {cold * 1e3:.1f} ms/point "
          f"-> {cold * POINTS:.1f} s for {POINTS} points")


if __name__ == "__main__":
    main()
