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
(environment: REPEAT=3 for medians of 3 runs of the stochastic plan; MEASURES=0 to stop after it,
without the EV plan, EEV and wait-and-see solves; TIE_BREAK=0 without the tie-break stage)

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


def end_to_end(spec, base, levers, draws, workers, options) -> dict:
    """One run from the study to the stochastic plan, wall and CPU seconds per phase."""
    st = spec.stochastic
    wall: dict[str, float] = {}
    cpus: dict[str, float] = {}
    t0, c0 = time.perf_counter(), cpu()
    mark = [t0, c0]

    def phase(name: str) -> None:
        t, c = time.perf_counter(), cpu()
        wall[name], cpus[name] = t - mark[0], c - mark[1]
        mark[:] = [t, c]

    data = base.model_dump()
    for lever in levers.values():
        value_at(data, lever)
    table = draw_table(spec, draws=draws)
    compiler = WarmCompiler(base, levers, workers)
    scenarios = compiler.scenarios(data, table, "draw")
    phase("draws validated and built")
    datas = [prepare(s) for s in scenarios]
    phase("draws prepared (model data)")
    p = np.full(draws, 1.0 / draws)
    blocks = [compile_block(f"draw {i}", p[i], s, st.commit_years, st.first_stage, data=d, compiler=compiler)
              for i, (s, d) in enumerate(zip(scenarios, datas, strict=True))]
    phase(f"draws compiled (in place, {workers} proc.)")
    ef = extensive_form(blocks)
    phase("extensive form stacked")
    rp = solve_extensive(ef, blocks, **options, tie_break=os.environ.get("TIE_BREAK", "1") != "0")
    phase("HiGHS hand-off, solve, re-check")
    wall["end to end"], cpus["end to end"] = time.perf_counter() - t0, cpu() - c0
    return {"wall": wall, "cpu": cpus, "highs": rp.seconds, "stages": rp.stage_seconds,
            "keep": (ef, rp, compiler, blocks, table, datas, p)}


def main() -> None:
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    repeat = int(os.environ.get("REPEAT", "1"))
    spec, base_dir = load_stochastic_study(ROOT / "configs" / "studies" / "stochastic" / "ep_places.yaml")
    if len(sys.argv) > 4 and sys.argv[4] == "wide":
        from workforce.studies.spec import load_study

        wide, _ = load_study(ROOT / "configs" / "studies" / "ep_montecarlo.yaml")
        spec = spec.model_copy(update={"name": "wider uncertainty", "montecarlo": spec.montecarlo.model_copy(
            update={"parameters": wide.montecarlo.parameters})})
    st = spec.stochastic
    base = load_scenario(base_dir / spec.scenario)
    options = {"mip_gap": st.mip_gap, "time_limit": st.time_limit, "threads": threads, "seed": 0}

    levers = spec.levers()
    runs = [end_to_end(spec, base, levers, draws, workers, options) for _ in range(repeat)]
    ef, rp, compiler, blocks, table, datas, p = runs[-1]["keep"]
    walls = {k: float(np.median([r["wall"][k] for r in runs])) for k in runs[0]["wall"]}
    cpus = {k: float(np.median([r["cpu"][k] for r in runs])) for k in runs[0]["cpu"]}
    highs = float(np.median([r["highs"] for r in runs]))
    main_solve = float(np.median([r["stages"][0] for r in runs]))
    total = walls["end to end"]
    print(f"Two-stage stochastic plan, {draws} draws of the England baseline "
          f"({', '.join(levers)} uncertain; first {st.commit_years} years committed); "
          f"{'median of ' + str(repeat) + ' runs' if repeat > 1 else 'one run'}")
    print(f"  extensive form: {ef.csc.shape[0]:,} rows x {ef.csc.shape[1]:,} columns, {ef.csc.nnz:,} nonzeros, "
          f"{int(ef.integrality.sum()) if ef.integrality is not None else 0:,} integer columns "
          f"({len(ef.first_keys)} first-stage decisions); {compiler.rebuilt} draws rebuilt, the rest compiled in place")
    print(f"  HiGHS, main solve of the extensive form: {main_solve:8.2f} s  gap {rp.gap:.3%} ({rp.status}; target 0.5% in < 60 s)")
    if rp.tie_break is not None:
        print(f"  HiGHS, tie-break stage (models/stochastic.md 3.3): {rp.stage_seconds[1]:8.2f} s "
              f"({rp.tie_break.status}; expected intake change {rp.tie_break.intake_change:,.1f})")
    print("  phase                                   wall s    CPU s")
    for k in walls:
        print(f"    {k:36s} {walls[k]:8.2f} {cpus[k]:8.2f}")
    print(f"  end to end / HiGHS (all stages):        {total:8.2f} s / {highs:.2f} s = {total / highs:.2f}x "
          f"(target <= 1.3x); / main solve alone {total / main_solve:.2f}x")
    print(f"  CPU: end to end {cpus['end to end']:.1f} s, HiGHS hand-off + solve {cpus['HiGHS hand-off, solve, re-check']:.1f} s "
          f"({cpus['end to end'] / cpus['HiGHS hand-off, solve, re-check']:.2f}x); load average "
          f"{' / '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores (shared machine: wall times inflated)")
    print(f"  peak memory after the solve:        {peak_gb():8.2f} GB")

    if os.environ.get("MEASURES", "1") == "0":  # the stochastic plan's timings only
        return
    t, c = time.perf_counter(), cpu()
    ev = compile_block("expected value", 1.0, mean_data(datas, p), st.commit_years, st.first_stage)
    first_ev = ms.deterministic_first_stage(ev, blocks[0].first_keys, **options)
    eev_costs, eev_xs, eev_bounds = ms.evaluate_fixed(blocks, first_ev, **options)
    t_eev, c_eev = time.perf_counter() - t, cpu() - c
    t, c = time.perf_counter(), cpu()
    ws, ws_bounds = ms.wait_and_see(blocks, **options)
    t_ws, c_ws = time.perf_counter() - t, cpu() - c
    print(f"\nEV plan and EEV ({draws} fixed-first-stage solves): {t_eev:.1f} s wall, {c_eev:.1f} s CPU; "
          f"wait-and-see ({draws} solves): {t_ws:.1f} s wall, {c_ws:.1f} s CPU; load {os.getloadavg()[0]:.1f}")
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
    differ = fs[fs["difference"].abs() > 1e-6]
    print(f"\nFirst-stage decisions that differ from the deterministic plan: {len(differ)} of {len(fs)} "
          f"(largest {differ['difference'].abs().max() if len(differ) else 0:.3g})")
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
