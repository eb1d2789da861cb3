"""The run manifest: exactly how a plan was produced.

``manifest.json`` is written last into every run directory (it marks the run as complete). It holds
the fully resolved scenario, the sha256 of every input file, the package, Python and HiGHS versions,
the HiGHS options, the solver's status, gap and stages, the verification result and the sha256 of
every output file. Everything except the final ``timing`` section is identical, byte for byte, for
identical inputs on the same installation; ``timing`` holds what changes from run to run: when the
run was written, how long each stage took, and the HiGHS log (whose lines carry times).
"""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workforce.plan.results import Plan

MANIFEST_VERSION = 1

PACKAGES = ("highspy", "pyomo", "numpy", "scipy", "pandas", "pydantic", "pyyaml", "click", "xlsxwriter", "pyarrow")


def package_versions() -> dict[str, str | None]:
    """Installed version of each package the run can use (None when not installed)."""
    from workforce import __version__

    versions: dict[str, str | None] = {"workforce": __version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def build_manifest(plan: Plan, formats: tuple[str, ...], outputs: dict[str, str]) -> dict[str, Any]:
    """The manifest of ``plan`` written in ``formats``; ``outputs`` maps file name → sha256."""
    s = plan.summary
    scenario = plan.data.scenario
    solver = s.get("solver", {})
    return {
        "manifest_version": MANIFEST_VERSION,
        "scenario": {
            "name": scenario.name,
            "file": Path(scenario._origin).name,
            "sha256": scenario.sha256(),
            "resolved": scenario.model_dump(mode="json"),
        },
        "inputs": {"sha256": _relative(scenario.input_hashes, scenario._origin)},
        "environment": {
            "python": platform.python_version(),
            "implementation": sys.implementation.name,
            "platform": platform.platform(),
            "packages": package_versions(),
        },
        "solver": {
            "name": "HiGHS",
            "version": s.get("highs_version"),
            "githash": solver.get("githash"),
            "options": solver.get("options", s.get("solver_options")),
            "highs_options": solver.get("highs_options"),
            "status": s["status"],
            "provisional": s["status"] != "optimal",
            "model_status": solver.get("model_status"),
            "objective": s["objective"],
            "bound": solver.get("bound"),
            "gap": s.get("gap"),
            "stages": s.get("lexicographic_stages"),
            "size": s.get("size"),
        },
        "verification": s.get("verification"),
        "outputs": {"formats": list(formats), "sha256": dict(outputs), "money_unit": "GBP thousands"},
        "timing": {
            "note": "the only section that differs between identical runs",
            "written_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "seconds": s.get("timings_seconds"),
            "solver_log": s.get("solver_log", []),
        },
    }


def _relative(hashes: dict[str, str], origin: str) -> dict[str, str]:
    """Input paths relative to the scenario's folder, so that the manifest names no user's home
    folder and compares equal wherever the scenario folder is copied."""
    folder = Path(origin).parent
    return {Path(os.path.relpath(path, folder)).as_posix(): digest for path, digest in hashes.items()}
