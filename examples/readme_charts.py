"""Draw the charts the README shows, from the bundled England baseline and its two studies.

Run from the repository root: ``python examples/readme_charts.py`` (writes docs/images/). The
Monte Carlo study runs all its 1,000 draws (about 40 s on two cores).
"""

import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from workforce import load_scenario, solve  # noqa: E402
from workforce.plots.studies import fan_chart, save_figure, sweep_chart  # noqa: E402
from workforce.plots.style import save  # noqa: E402
from workforce.studies.montecarlo import fan_data  # noqa: E402
from workforce.studies.sweep import monte_carlo, sweep  # noqa: E402

OUT = Path("docs/images")


def main() -> None:
    plan = solve(load_scenario("configs/england_baseline.yaml"))
    # 150 dpi keeps each PNG small enough for the repository while staying sharp on screen
    save(plan.plot.capacity_map("ep"), OUT / "capacity_map_ep", formats=("png",), dpi=150)
    save(plan.plot.spend(), OUT / "spend", formats=("png",), dpi=150)

    # the study charts as `workforce sweep` and `workforce montecarlo` draw them, at 72 dpi
    with tempfile.TemporaryDirectory() as tmp:
        swept = sweep("configs/studies/ep_budget_sweep.yaml", out=Path(tmp) / "sweep", progress=False)
        save_figure(sweep_chart(swept), OUT / "ep_budget_sweep.png", dpi=72)
        drawn = monte_carlo("configs/studies/ep_montecarlo.yaml", out=Path(tmp) / "mc", progress=False)
        title = f"{drawn.spec.name}: shortfall across draws"
        save_figure(fan_chart(fan_data(drawn, "shortfall"), title=title), OUT / "ep_montecarlo_fan.png", dpi=72)

    for path in sorted(OUT.glob("*.png")):
        print(f"{path}: {path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":  # the studies' process pool re-imports this file in each worker
    main()
