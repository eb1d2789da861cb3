"""National scale: 153 local authorities, several roles, 20 years, end to end against HiGHS alone.

Run from the repository root (takes a few minutes on 2 cores; ``--quick`` for a smoke run):

    python benchmarks/national_scale.py              # small, medium and large, 3 runs each
    python benchmarks/national_scale.py --runs 5 --sizes medium
    python benchmarks/national_scale.py --profile medium   # cProfile of one end-to-end run

For each size it generates a synthetic local-authority scenario through the public API
(``scenario_from_dict``), then, in a fresh process per size:

* times ``workforce.solve(scenario)`` from the validated scenario object to the Plan's tables, and
  reports the library's own stage timings (prepare, build, compile, hand-off, solve, verify,
  extract) from ``plan.summary["timings_seconds"]``;
* times the floor: the same LP (the compiled arrays with the weighted cost) passed once to a fresh
  ``highspy.Highs`` and solved with ``run()`` alone, with the same options;
* reports medians of ``--runs`` runs, the ratio end to end / floor, and peak memory per stage
  (tracemalloc, Python allocations, in a separate pass so that tracing does not slow the timed
  runs) plus the process's peak resident set size (which includes HiGHS);
* times validation (``scenario_from_dict``) of the scenario dict, and loading the same scenario
  from YAML with its 153-area tables in CSV files (``load_scenario``; target under 1 s).

Sizes the issue names that the current model cannot express yet are listed as HOOKS below and
skipped with a note: training terms (3 terms a year) and integer cohorts are not in the model.

Synthetic magnitudes (per authority, scaled by a seeded log-normal size factor with mean 1): about
143 schools (England: 21,890 state-funded schools / 153), 181 early-years group settings
(27,740 / 153) and 19 FTE educational psychologists (2,914 FTE demand / 153); the seven extra
roles of the 10-role size are SEND-adjacent staff with plausible but invented magnitudes. Rates,
costs and budgets follow the England baseline (configs/england_baseline.yaml). This is a
performance fixture, not a plan of England.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_AREAS = 153
FIRST_YEAR = 2026

# name: (areas, roles, years, terms, integer cohorts)
SIZES: dict[str, dict[str, Any]] = {
    "small": {"areas": 17, "roles": 3, "years": 20},
    "medium": {"areas": N_AREAS, "roles": 3, "years": 20},
    "large": {"areas": N_AREAS, "roles": 10, "years": 20},
}
# HOOKS: sizes the issue names that need model features not built yet (issue 4 adds terms and
# integer cohorts). When they land, give `synthetic_scenario` a `terms`/`integer` argument that
# writes the new scenario keys, and move these into SIZES.
HOOKS: dict[str, str] = {
    "large_terms": "153 areas x 10 roles x 20 years x 3 terms: needs training terms in the model (issue 4)",
    "medium_integer": "153 x 3 x 20 with integer cohorts: needs integer cohorts in the model (issue 4)",
    "large_terms_integer": "153 x 10 x 20 x 3 terms with integer cohorts: needs terms and integer cohorts (issue 4)",
}

# Role templates: (id, name, unit, demand per authority, stock share of demand, attrition,
# attrition of new entrants, shortfall penalty, programme (duration, completion, [course costs]),
# hiring cost or None, agency cost or None, supervision ratio or None).
ROLE_TEMPLATES = [
    ("senco", "Qualified SENCOs", "people", 143.0, 0.913, 0.07, None, 20.0, (1, 0.82, [0.92, 0.73]), 3.0, None, None),
    ("ey_senco", "Level 3 early-years SENCOs", "people", 181.0, 0.15, 0.12, None, 5.0, (0, 0.90, [0.945]), None, None, None),
    ("ep", "Educational psychologists", "FTE", 19.0, 0.77, 0.09, 0.03, 200.0, (3, 0.90, [28.2, 28.15, 28.15]), 10.0, 100.0, 0.12),
    ("slt", "Speech and language therapists", "FTE", 28.0, 0.85, 0.10, 0.06, 120.0, (2, 0.88, [9.0, 9.0, 4.0]), 6.0, 80.0, 0.2),
    ("ot", "Occupational therapists", "FTE", 14.0, 0.85, 0.10, 0.06, 100.0, (2, 0.88, [9.0, 9.0, 4.0]), 6.0, 75.0, 0.2),
    ("qtvi", "Qualified teachers of visual impairment", "FTE", 3.0, 0.80, 0.08, None, 150.0, (2, 0.92, [8.0, 8.0]), 5.0, 70.0, None),
    ("qtod", "Qualified teachers of deaf children", "FTE", 4.0, 0.80, 0.08, None, 150.0, (2, 0.92, [8.0, 8.0]), 5.0, 70.0, None),
    ("spec_teacher", "Specialist SEN teachers", "FTE", 35.0, 0.90, 0.09, None, 60.0, (1, 0.90, [4.0, 2.0]), 4.0, 55.0, None),
    ("sen_ta", "Higher-level SEN teaching assistants", "people", 260.0, 0.88, 0.15, 0.20, 10.0, (0, 0.85, [1.2]), 1.0, None, None),
    ("caseworker", "EHC plan coordinators", "FTE", 22.0, 0.90, 0.16, 0.25, 40.0, (0, 0.95, [2.5]), 2.0, 65.0, None),
]


def synthetic_scenario(areas: int = N_AREAS, roles: int = 3, years: int = 20, seed: int = 20261) -> dict[str, Any]:
    """A local-authority scenario as the dict ``scenario_from_dict`` takes (the YAML's keys)."""
    rng = np.random.default_rng(seed)
    codes = [f"LA{i:03d}" for i in range(1, areas + 1)]
    size = rng.lognormal(mean=-0.18, sigma=0.6, size=areas)  # mean ~1, from a few tiny to ~4x
    size *= areas / size.sum() * (N_AREAS / areas) if areas else 1.0
    year_list = list(range(FIRST_YEAR, FIRST_YEAR + years))
    growth = rng.uniform(0.0, 0.025, size=areas)  # demand growth per year, per authority

    def per_area(base: float, digits: int = 1) -> dict[str, float]:
        return {c: round(float(base * s), digits) for c, s in zip(codes, size, strict=True)}

    def per_area_year(base: float, digits: int = 1) -> dict[str, dict[int, float]]:
        return {
            c: {t: round(float(base * s * (1 + g) ** (t - FIRST_YEAR)), digits) for t in year_list}
            for c, s, g in zip(codes, size, growth, strict=True)
        }

    spec: dict[str, Any] = {
        "name": f"Synthetic national scale {areas}x{roles}x{years}",
        "description": "Benchmark fixture: synthetic local authorities with realistic magnitudes (not a plan of England).",
        "horizon": {"first_year": FIRST_YEAR, "last_year": FIRST_YEAR + years - 1},
        "regions": [{"code": c, "name": f"Authority {c[2:]}"} for c in codes],
        "roles": {},
        "programmes": {},
        "funding_streams": {"la": {"name": "Local authorities"}},
    }
    for (k, name, unit, demand, stock, attr, attr_new, penalty, prog, hire, agency, sup) in ROLE_TEMPLATES[:roles]:
        role: dict[str, Any] = {
            "name": name,
            "unit": unit,
            "initial_stock": per_area(demand * stock),
            "attrition": {c: round(float(attr * rng.uniform(0.8, 1.2)), 4) for c in codes},
            "demand": per_area_year(demand),
            "shortfall_penalty": penalty,
        }
        if attr_new is not None:
            role["attrition_new_entrants"] = attr_new
        if hire is not None:
            role["hiring"] = {"max": per_area(demand * 0.02, 2), "cost": hire, "stream": "la"}
        if agency is not None:
            role["flexible_supply"] = {"agency": {"name": f"Agency {name.lower()}", "fte_per_unit": 1.0, "cost": agency,
                                                  "max": per_area(demand * 0.08, 2), "stream": "la"}}
        spec["roles"][k] = role
        duration, completion, costs = prog
        stream = f"dfe_{k}"
        steady = demand * N_AREAS * attr / completion  # national starters a year to hold the stock
        per_starter = sum(costs)
        spec["funding_streams"][stream] = {
            "name": f"DfE {name.lower()} training",
            "budget": {t: round(steady * per_starter * 1.1, 1) for t in year_list},
        }
        programme: dict[str, Any] = {
            "name": f"{name} training",
            "role": k,
            "duration": duration,
            "completion_rate": completion,
            "course_costs": [{stream: c} for c in costs],
            "places": per_area(demand * attr * 2.5, 1),
            "national_places": round(steady * 1.6),
            "intake_min": per_area(demand * attr * 0.3, 2),
        }
        if sup is not None:
            programme["supervision_ratio"] = sup
        for back in range(1, duration + 1):
            programme["prior_intake"] = programme.get("prior_intake", {})
            programme["prior_intake"][FIRST_YEAR - back] = per_area(demand * attr / completion, 2)
        spec["programmes"][f"{k}_training"] = programme
    return spec


def write_yaml_with_csvs(spec: dict[str, Any], folder: Path) -> Path:
    """Write ``spec`` as YAML with every region x year and per-region table in a wide CSV."""
    import yaml

    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    out = json.loads(json.dumps(spec))  # deep copy with string keys

    def to_csv(table: dict[str, Any], name: str) -> dict[str, str]:
        first = next(iter(table.values()))
        if isinstance(first, dict):
            years = list(first)
            lines = ["region," + ",".join(years)] + [f"{r}," + ",".join(str(v[y]) for y in years) for r, v in table.items()]
        else:
            lines = ["region,value"] + [f"{r},{v}" for r, v in table.items()]
        (data / f"{name}.csv").write_text("\n".join(lines) + "\n")
        return {"file": f"data/{name}.csv"}

    for k, role in out["roles"].items():
        for key in ("initial_stock", "attrition", "demand"):
            role[key] = to_csv(role[key], f"{k}_{key}")
        if "hiring" in role:
            role["hiring"]["max"] = to_csv(role["hiring"]["max"], f"{k}_hires_max")
        for o, opt in role.get("flexible_supply", {}).items():
            opt["max"] = to_csv(opt["max"], f"{k}_{o}_max")
    for p, prog in out["programmes"].items():
        for key in ("places", "intake_min"):
            prog[key] = to_csv(prog[key], f"{p}_{key}")
        prog["prior_intake"] = {int(y): to_csv(v, f"{p}_prior_{y}") for y, v in prog.get("prior_intake", {}).items()}
    for stream in out["funding_streams"].values():
        if "budget" in stream:
            stream["budget"] = {int(t): v for t, v in stream["budget"].items()}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(out, sort_keys=False))
    return path


# ---------------------------------------------------------------------------------------------
# Measurement (runs in a child process per size so that peak RSS belongs to that size alone)


def floor_lp(scenario: Any) -> dict[str, Any]:
    """The scenario's LP as plain arrays (weighted-sum cost), compiled once by the library.

    Only arrays are kept, so the Pyomo model they came from is freed before anything is timed."""
    from workforce.data import prepare
    from workforce.model import build_model
    from workforce.scenario.schema import TERMS
    from workforce.solve import compile_model

    data = prepare(scenario)
    compiled = compile_model(build_model(data))
    weights = np.array([data.weights[t] for t in TERMS])
    A = compiled.A
    return {"cost": weights @ compiled.term_costs, "offset": float(weights @ compiled.term_offsets),
            "col_lower": compiled.col_lower, "col_upper": compiled.col_upper,
            "row_lower": compiled.row_lower, "row_upper": compiled.row_upper,
            "start": A.indptr.copy(), "index": A.indices.copy(), "value": A.data.copy()}


def floor_solve(lp_arrays: dict[str, Any], options: dict[str, Any]) -> tuple[float, float, float]:
    """HiGHS alone on the same LP: pass the arrays to a fresh Highs, time ``run()`` only.

    Returns (seconds in run(), CPU seconds in run(), objective). Same options as the library
    (threads, seed, silent)."""
    import highspy

    from workforce.solve import new_highs

    a = lp_arrays
    h = new_highs()
    h.setOptionValue("threads", int(options["threads"]))
    h.setOptionValue("random_seed", int(options["random_seed"]))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(a["col_lower"]), len(a["row_lower"])
    lp.col_cost_ = a["cost"]
    lp.col_lower_, lp.col_upper_ = a["col_lower"], a["col_upper"]
    lp.row_lower_, lp.row_upper_ = a["row_lower"], a["row_upper"]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a["start"], a["index"], a["value"]
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
    h.passModel(lp)
    t, cpu = time.perf_counter(), time.process_time()
    h.run()
    elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal, h.modelStatusToString(h.getModelStatus())
    return elapsed, cpu, float(h.getInfo().objective_function_value + a["offset"])


def staged_memory(scenario: Any) -> dict[str, float]:
    """Peak traced Python memory (MB) of each stage, run one by one under tracemalloc."""
    from workforce.data import prepare
    from workforce.model import build_model
    from workforce.results import make_plan
    from workforce.solve import check_rows, compile_model, run

    peaks: dict[str, float] = {}
    tracemalloc.start()

    def mark(stage: str) -> None:
        peaks[stage] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.reset_peak()

    data = prepare(scenario)
    mark("prepare")
    m = build_model(data)
    mark("build")
    compiled = compile_model(m)
    mark("compile")
    s = scenario.solver
    info = run(compiled, data, {"time_limit": None, "threads": s.threads, "random_seed": s.random_seed}, {})
    mark("handoff+solve")
    check_rows(compiled, info.x, s.verify_tolerance)
    mark("verify")
    make_plan(data, m, compiled, info)
    mark("extract")
    peaks["held_at_end"] = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    return peaks


def measure(size: str, runs: int) -> dict[str, Any]:
    import workforce
    from workforce import scenario_from_dict

    shape = SIZES[size]
    spec = synthetic_scenario(shape["areas"], shape["roles"], shape["years"])
    validate_times = []
    for _ in range(runs):
        t = time.perf_counter()
        scenario = scenario_from_dict(spec, name=size)
        validate_times.append(time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_yaml_with_csvs(spec, Path(tmp))
        n_csv = len(list((Path(tmp) / "data").glob("*.csv")))
        load_times = []
        for _ in range(runs):
            t = time.perf_counter()
            workforce.load_scenario(path)
            load_times.append(time.perf_counter() - t)

    # Floor: the compiled LP of this scenario, solved by HiGHS alone.
    lp_arrays = floor_lp(scenario)
    s = scenario.solver
    options = {"threads": s.threads, "random_seed": s.random_seed}
    gc.collect()

    e2e, floors, e2e_cpu, floor_cpu, stage_runs, objectives = [], [], [], [], [], []
    floor_objective = None
    for _ in range(runs):
        gc.collect()
        t, cpu = time.perf_counter(), time.process_time()
        plan = workforce.solve(scenario)
        e2e.append(time.perf_counter() - t)
        e2e_cpu.append(time.process_time() - cpu)
        stage_runs.append(plan.summary["timings_seconds"])
        objectives.append(plan.objective)
        size_info = plan.summary["size"]
        del plan
        gc.collect()
        elapsed, cpu, floor_objective = floor_solve(lp_arrays, options)
        floors.append(elapsed)
        floor_cpu.append(cpu)
    named = ("prepare", "build", "compile", "handoff", "solve", "extract")
    for r in stage_runs:
        r["verify+other"] = r["total"] - sum(r.get(k, 0.0) for k in named)
    stages = {k: statistics.median(r.get(k, 0.0) for r in stage_runs) for k in stage_runs[0]}
    # Peak resident memory of the timed runs (HiGHS included), before tracemalloc adds its own.
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del lp_arrays
    gc.collect()
    memory = staged_memory(scenario)
    return {
        "size": size,
        "shape": shape,
        "variables": size_info["variables"],
        "constraints": size_info["constraints"],
        "validate_s": statistics.median(validate_times),
        "load_yaml_csv_s": statistics.median(load_times),
        "csv_files": n_csv,
        "e2e_s": statistics.median(e2e),
        "floor_s": statistics.median(floors),
        "ratio": statistics.median(e2e) / statistics.median(floors),
        "cpu_ratio": statistics.median(e2e_cpu) / statistics.median(floor_cpu),
        "e2e_cpu_s": statistics.median(e2e_cpu),
        "floor_cpu_s": statistics.median(floor_cpu),
        "e2e_runs": e2e,
        "floor_runs": floors,
        "stages_s": stages,
        "objective": objectives[0],
        "floor_objective": floor_objective,
        "memory_mb": memory,
        "peak_rss_mb": peak_rss,
    }


def machine() -> dict[str, str]:
    import pandas
    import pydantic
    import pyomo.version
    import scipy

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from workforce.solve import new_highs

    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "load_avg_1min": f"{os.getloadavg()[0]:.2f}",
        "os": platform.platform(),
        "python": platform.python_version(),
        "highs": new_highs().version(),
        "highspy": importlib.metadata.version("highspy"),
        "pyomo": pyomo.version.version,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pandas.__version__,
        "pydantic": pydantic.__version__,
    }


def report(results: list[dict[str, Any]]) -> None:
    print("\nsize     shape (areas x roles x years)   variables  rows     validate  load(YAML+CSV)")
    for r in results:
        s = r["shape"]
        print(f"{r['size']:<8} {s['areas']:>3} x {s['roles']:>2} x {s['years']:<3}"
              f"{'':>17}{r['variables']:>9,} {r['constraints']:>8,}  {r['validate_s']:7.3f}s  "
              f"{r['load_yaml_csv_s']:6.3f}s ({r['csv_files']} CSVs)")
    print("\nmedian seconds per stage (workforce.solve, from the validated scenario to the Plan's tables)")
    keys = ["prepare", "build", "compile", "handoff", "solve", "verify+other", "extract", "total"]
    print(f"{'size':<8}" + "".join(f"{k:>13}" for k in keys))
    for r in results:
        print(f"{r['size']:<8}" + "".join(f"{r['stages_s'].get(k, 0.0):13.3f}" for k in keys))
    print("\nend to end against HiGHS alone (same LP, fresh Highs, run() only; medians; the CPU-time ratio is "
          "less sensitive to other load on a shared machine)")
    print(f"{'size':<8}{'end to end':>12}{'HiGHS run':>12}{'ratio':>8}{'CPU ratio':>11}   wall seconds per run (e2e / floor)")
    for r in results:
        runs = ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(r["e2e_runs"], r["floor_runs"], strict=True))
        print(f"{r['size']:<8}{r['e2e_s']:11.3f}s{r['floor_s']:11.3f}s{r['ratio']:7.2f}x{r['cpu_ratio']:10.2f}x   {runs}")
        rel = abs(r["objective"] - r["floor_objective"]) / max(1.0, abs(r["floor_objective"]))
        if rel > 1e-6:
            print(f"         WARNING: objectives differ: plan {r['objective']:.6g} vs floor {r['floor_objective']:.6g}")
    print("\npeak memory: traced Python allocations per stage (MB, separate tracemalloc pass) and the peak RSS "
          "of the timed runs (HiGHS included)")
    mkeys = ["prepare", "build", "compile", "handoff+solve", "verify", "extract", "held_at_end"]
    print(f"{'size':<8}" + "".join(f"{k:>14}" for k in mkeys) + f"{'peak RSS':>11}")
    for r in results:
        print(f"{r['size']:<8}" + "".join(f"{r['memory_mb'][k]:14.1f}" for k in mkeys) + f"{r['peak_rss_mb']:10.0f}M")
    if len(results) > 1:
        a, b = results[0], results[-1]
        print(f"\ngrowth {a['size']} -> {b['size']}: variables x{b['variables'] / a['variables']:.1f}, "
              + ", ".join(f"{k} x{b['stages_s'][k] / max(a['stages_s'][k], 1e-9):.1f}" for k in keys)
              + f", peak RSS x{b['peak_rss_mb'] / a['peak_rss_mb']:.1f}")
    print("\nnot measured yet (model features missing):")
    for name, why in HOOKS.items():
        print(f"  {name}: {why}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["small", "medium", "large"], choices=list(SIZES))
    parser.add_argument("--runs", type=int, default=3, help="runs per size (the medians are reported)")
    parser.add_argument("--quick", action="store_true", help="only the small size, 1 run")
    parser.add_argument("--profile", choices=list(SIZES), help="cProfile one end-to-end run of this size")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.runs)))
        return
    if args.profile:
        import cProfile
        import pstats

        from workforce import scenario_from_dict, solve

        shape = SIZES[args.profile]
        scenario = scenario_from_dict(synthetic_scenario(shape["areas"], shape["roles"], shape["years"]))
        solve(scenario)  # warm imports
        prof = cProfile.Profile()
        prof.enable()
        plan = solve(scenario)
        prof.disable()
        print(json.dumps(plan.summary["timings_seconds"], indent=1))
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        return
    sizes, runs = (["small"], 1) if args.quick else (args.sizes, args.runs)
    info = machine()
    print("machine: " + "; ".join(f"{k} {v}" for k, v in info.items()))
    results = []
    for size in sizes:
        print(f"measuring {size} ({runs} runs)...", flush=True)
        out = subprocess.run([sys.executable, __file__, "--child", size, "--runs", str(runs)],
                             capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            sys.exit(f"{size} failed:\n{out.stderr}")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    report(results)
    print(f"\nload average (1 min) at the start {info['load_avg_1min']}, at the end {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} cores: figures from a busy machine are slower, ratios less so")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "results": results}, indent=1))


if __name__ == "__main__":
    main()
