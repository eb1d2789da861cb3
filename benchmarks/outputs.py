"""Time the post-solve stages on the England baseline: the pandas re-check and each export format.

Run from the repository root: ``python benchmarks/outputs.py``. Prints seconds (best of 5).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from workforce import load_scenario, solve
from workforce.cli.commands import bundled_config
from workforce.plan.verify import verify_plan


def best_of(action, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    plan = solve(load_scenario(bundled_config()))
    print(f"baseline: {plan.summary['size']['variables']} variables, {plan.summary['size']['constraints']} rows")
    print(f"solve (prepare to extract):  {plan.summary['timings_seconds']['total'] - plan.summary['timings_seconds'].get('verify', 0):.3f} s")
    print(f"verify_plan:                 {best_of(lambda: verify_plan(plan)):.3f} s "
          f"({plan.summary['verification']['values_checked']} values)")
    with tempfile.TemporaryDirectory() as folder:
        for formats in ("csv", "parquet", "xlsx", "csv,xlsx,parquet"):
            seconds = best_of(lambda f=formats: plan.export(Path(folder) / "run", f))
            size = sum(p.stat().st_size for p in (Path(folder) / "run").iterdir())
            print(f"export {formats:<18}     {seconds:.3f} s, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
