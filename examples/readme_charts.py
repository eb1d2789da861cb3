"""Draw the two charts the README shows, from the bundled England baseline.

Run from the repository root: ``python examples/readme_charts.py`` (writes docs/images/).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from workforce import load_scenario, solve  # noqa: E402
from workforce.plots.style import save  # noqa: E402

OUT = Path("docs/images")

plan = solve(load_scenario("configs/england_baseline.yaml"))
# 150 dpi keeps each PNG small enough for the repository while staying sharp on screen
save(plan.plot.capacity_map("ep"), OUT / "capacity_map_ep", formats=("png",), dpi=150)
save(plan.plot.spend(), OUT / "spend", formats=("png",), dpi=150)
for path in sorted(OUT.glob("*.png")):
    print(f"{path}: {path.stat().st_size / 1024:.0f} KB")
