"""Benchmark: a two-stage stochastic plan over 100 draws of the nine-region England baseline.

Runs configs/studies/stochastic/ep_places.yaml (EP demand growth on top of the EHC-plan rule and EP
attrition uncertain; decisions of 2026 and 2027 committed; whole EP cohorts) and prints:

* the extensive form's size, its HiGHS solve time and gap (target: 0.5% in under 60 s on 2 cores);
* end to end (draws validated, compiled, stacked, solved) against the HiGHS solve of the same
  extensive form (target: at most 1.3x);
* peak memory of the process;
* VSS and EVPI with the number of scenarios, and what the stochastic plan commits for 2026-2027
  that the deterministic (expected-value) plan does not.

Run: python benchmarks/bench_stochastic.py [draws] [threads] [compile workers] [wide]

``wide`` draws from all five distributions of configs/studies/ep_montecarlo.yaml (adding EP
completion, SENCO attrition and early-years demand) instead of the EP question's two.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from workforce.model.data import prepare  # noqa: E402
from workforce.scenario import load_scenario  # noqa: E402
from workforce.solver.levers import value_at  # noqa: E402
from workforce.studies.stochastic import measures as ms  # noqa: E402
from workforce.studies.stochastic.model import extensive_form  # noqa: E402
from workforce.studies.stochastic.plan import _result  # noqa: E402
from workforce.studies.stochastic.scenarios import WarmCompiler, compile_block, mean_data  # noqa: E402
from workforce.studies.stochastic.solve import solve_extensive  # noqa: E402
from workforce.studies.stochastic.spec import draw_table, load_stochastic_study  # noqa: E402


def cpu() -> float:
    """CPU seconds of this process and its finished children (wall time depends on what else runs)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    spec, base_dir = load_stochastic_study(ROOT / "configs" / "studies" / "stochastic" / "ep_places.yaml")
    if len(sys.argv) > 4 and sys.argv[4] == "wide":
        from workforce.studies.spec import load_study

        wide, _ = load_study(ROOT / "configs" / "studies" / "ep_montecarlo.yaml")
        spec = spec.model_copy(update={"name": "wider uncertainty", "montecarlo": spec.montecarlo.model_copy(
            update={"parameters": wide.montecarlo.parameters})})
    st = spec.stochastic
    base = load_scenario(base_dir / spec.scenario)
    options = {"mip_gap": st.mip_gap, "time_limit": st.time_limit, "threads": threads, "seed": 0}

    t0, c0 = time.perf_counter(), cpu()
    data = base.model_dump()
    levers = spec.levers()
    for lever in levers.values():
        value_at(data, lever)
    table = draw_table(spec, draws=draws)
    compiler = WarmCompiler(base, levers, workers)
    scenarios = compiler.scenarios(data, table, "draw")
    t_scenarios = time.perf_counter() - t0
    t, c = time.perf_counter(), cpu()
    datas = [prepare(s) for s in scenarios]
    p = np.full(draws, 1.0 / draws)
    blocks = [compile_block(f"draw {i}", p[i], s, st.commit_years, st.first_stage, data=d, compiler=compiler)
              for i, (s, d) in enumerate(zip(scenarios, datas, strict=True))]
    t_compile, c_compile = time.perf_counter() - t, cpu() - c
    t = time.perf_counter()
    ef = extensive_form(blocks)
    t_stack = time.perf_counter() - t
    t, c = time.perf_counter(), cpu()
    rp = solve_extensive(ef, blocks, **options)
    t_solve_call, c_solve = time.perf_counter() - t, cpu() - c
    end_to_end, c_total = time.perf_counter() - t0, cpu() - c0
    memory_rp = peak_gb()

    print(f"Two-stage stochastic plan, {draws} draws of the England baseline "
          f"({', '.join(levers)} uncertain; first {st.commit_years} years committed)")
    print(f"  extensive form: {ef.csc.shape[0]:,} rows x {ef.csc.shape[1]:,} columns, {ef.csc.nnz:,} nonzeros, "
          f"{int(ef.integrality.sum()) if ef.integrality is not None else 0:,} integer columns "
          f"({len(ef.first_keys)} first-stage decisions); {compiler.rebuilt} draws rebuilt, the rest compiled in place")
    print(f"  HiGHS solve of the extensive form:  {rp.seconds:8.2f} s  gap {rp.gap:.3%} ({rp.status}; target 0.5% in < 60 s)")
    print(f"  draws validated and built:          {t_scenarios:8.2f} s")
    print(f"  draws compiled (in place, {workers} proc.): {t_compile:8.2f} s")
    print(f"  extensive form stacked:             {t_stack:8.2f} s")
    print(f"  HiGHS hand-off and re-check:        {t_solve_call - rp.seconds:8.2f} s")
    print(f"  end to end / HiGHS solve:           {end_to_end:8.2f} s / {rp.seconds:.2f} s = "
          f"{end_to_end / rp.seconds:.2f}x (target <= 1.3x)")
    print(f"  CPU seconds: compile {c_compile:.1f}, HiGHS hand-off+solve {c_solve:.1f}, end to end {c_total:.1f} "
          f"({c_total / c_solve:.2f}x); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  peak memory after the solve:        {memory_rp:8.2f} GB")

    t = time.perf_counter()
    ev = compile_block("expected value", 1.0, mean_data(datas, p), st.commit_years, st.first_stage)
    first_ev = ms.deterministic_first_stage(ev, blocks[0].first_keys, **options)
    eev_costs, eev_xs, eev_bounds = ms.evaluate_fixed(blocks, first_ev, **options)
    t_eev = time.perf_counter() - t
    t = time.perf_counter()
    ws, ws_bounds = ms.wait_and_see(blocks, **options)
    t_ws = time.perf_counter() - t
    result = _result(spec.name, st.commit_years, blocks, rp, first_ev, float(p @ eev_costs), eev_costs, eev_xs, ws,
                     p, None, table, float(p @ eev_bounds), ws_bounds)
    m = result.measures
    gaps = options["mip_gap"]
    print(f"\nMeasures ({m['scenarios']} scenarios; every solve to a {gaps:.1%} gap; the ranges use HiGHS's bounds):")
    print(f"  RP  (stochastic plan, expected cost)     {m['stochastic_objective']:16,.1f} £k  (bound {m['stochastic_bound']:,.1f})")
    print(f"  EEV (deterministic plan's first stage)   {m['deterministic_objective']:16,.1f} £k  (bound {m['deterministic_bound']:,.1f}; {t_eev:.1f} s)")
    print(f"  WS  (wait and see)                       {m['wait_and_see']:16,.1f} £k  ({t_ws:.1f} s)")
    print(f"  VSS = EEV - RP                           {m['VSS']:16,.3f} £k  (between {m['VSS_at_least']:,.1f} and {m['VSS_at_most']:,.1f})")
    print(f"  EVPI = RP - WS                           {m['EVPI']:16,.3f} £k  (between {m['EVPI_at_least']:,.1f} and {m['EVPI_at_most']:,.1f})")
    fs = result.first_stage
    ep = fs[(fs["variable"] == "intake") & (fs["item"] == "ep_doctorate")]
    print("\nEP doctorate intake committed for 2026-2027 (people): stochastic vs deterministic")
    print(ep.pivot_table(index="region", columns="year", values=["stochastic", "deterministic"]).round(1).to_string())
    totals = fs[fs["variable"].isin(["intake", "hires", "cohorts"])].groupby(["variable", "item", "year"])[
        ["stochastic", "deterministic", "difference"]].sum().round(1)
    print("\nAll first-stage decisions, national totals:")
    print(totals.to_string())
    short = result.shortfall.groupby(["plan", "role"])["shortfall"].sum().unstack("role") / draws
    print("\nMean shortfall over the horizon per scenario (unit-years), by plan and role:")
    print(short.round(1).to_string())
    spend = result.spend[result.spend["year"] <= base.horizon.first_year + st.commit_years - 1]
    use = spend.groupby(["plan", "stream", "year"])[["spend", "budget"]].mean()
    print("\nSpend against budget in the committed years, mean across scenarios (£k):")
    print(use.round(1).to_string())
    print(f"\npeak memory at the end: {peak_gb():.2f} GB")


if __name__ == "__main__":
    main()
