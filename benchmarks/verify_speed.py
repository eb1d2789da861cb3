"""Time the pandas re-check (``workforce.plan.verify.verify_plan``) at local-authority scale.

Run from the repository root: ``python benchmarks/verify_speed.py`` (medium: 153 areas x 3 roles x
20 years, medium with three intake terms, the England baseline), ``--sizes medium,large_terms`` to
choose (large_terms: 153 x 10 x 20 with three intake terms, whose solve takes about 15 s), ``--runs N``
repeats (default 7), ``--profile NAME`` for a cProfile of one call, ``--in-solve`` to also print the verify stage of one
``solve`` (``timings_seconds``). Each plan is solved once with
``verify=False``; the figure is the median (and best) of the repeated ``verify_plan`` calls, next
to the HiGHS solve time (issue 10: ``solve`` end to end within 1.3x of it).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from national_scale import synthetic_scenario  # noqa: E402

from workforce import load_scenario, scenario_from_dict, solve  # noqa: E402
from workforce.plan.verify import verify_plan  # noqa: E402

SIZES = {
    "medium": lambda: scenario_from_dict(synthetic_scenario(153, 3, 20)),
    "medium_terms": lambda: scenario_from_dict(synthetic_scenario(153, 3, 20, terms=3)),
    "large_terms": lambda: scenario_from_dict(synthetic_scenario(153, 10, 20, terms=3)),
    "england": lambda: load_scenario(ROOT / "configs" / "england_baseline.yaml"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="medium,medium_terms,england")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", default=None, help="cProfile one verify_plan call of this size")
    parser.add_argument("--in-solve", action="store_true", help="also solve once with the re-check and print its stage time")
    args = parser.parse_args()
    for name in args.sizes.split(","):
        plan = solve(SIZES[name](), verify=False)
        solve_s = plan.summary["timings_seconds"].get("solve", float("nan"))
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            record = verify_plan(plan)
            times.append(time.perf_counter() - start)
        print(f"{name:<13} verify_plan median {statistics.median(times):.3f} s, best {min(times):.3f} s "
              f"({record['values_checked']} values; HiGHS solve {solve_s:.2f} s)", flush=True)
        if args.in_solve:
            timings = solve(SIZES[name]()).summary["timings_seconds"]
            print(f"{'':<13} inside solve: verify {timings['verify']:.3f} s, solve {timings['solve']:.2f} s, "
                  f"total {timings['total']:.2f} s", flush=True)
        if args.profile == name:
            profile = cProfile.Profile()
            profile.runcall(verify_plan, plan)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
