"""Time each chart of the England baseline: build, PNG and SVG (prints figures; not a test).

Run from the repository root: ``python benchmarks/chart_timings.py``.
"""

import io
import time

import matplotlib

matplotlib.use("Agg")

from workforce import load_scenario, solve  # noqa: E402
from workforce.plots import chart_requests  # noqa: E402
from workforce.plots.style import DPI  # noqa: E402

plan = solve(load_scenario("configs/england_baseline.yaml"))
print(f"{'chart':<30} {'build s':>8} {'png s':>8} {'png KB':>8} {'svg s':>8} {'svg KB':>8}")
totals = [0.0, 0.0, 0.0]
for stem, draw in chart_requests(plan):
    t0 = time.perf_counter()
    fig = draw()
    t1 = time.perf_counter()
    sizes = []
    times = []
    for fmt in ("png", "svg"):
        buf = io.BytesIO()
        start = time.perf_counter()
        fig.savefig(buf, format=fmt, dpi=DPI)
        times.append(time.perf_counter() - start)
        sizes.append(len(buf.getvalue()) / 1024)
    totals = [totals[0] + t1 - t0, totals[1] + times[0], totals[2] + times[1]]
    print(f"{stem:<30} {t1 - t0:>8.2f} {times[0]:>8.2f} {sizes[0]:>8.0f} {times[1]:>8.2f} {sizes[1]:>8.0f}")
print(f"{'total':<30} {totals[0]:>8.2f} {totals[1]:>8.2f} {'':>8} {totals[2]:>8.2f}")
