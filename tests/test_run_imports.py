"""A plain `workforce run` solves through the array generator and never imports Pyomo's modelling
layer (about 0.9 s of a 153-authority run's start-up, issue 19); only explain, diagnosis and the
Pyomo reference construction load it, and they still do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.scenarios import MINIMAL_YAML

PROBE = """
import json, sys
from workforce.cli.commands import main
main(["run", sys.argv[1], "--out", sys.argv[2]], standalone_mode=False)
print(json.dumps(sorted(m for m in sys.modules if m.startswith(("pyomo.environ", "pyomo.core", "pyomo.repn")))))
"""


def test_run_does_not_import_pyomo_modelling(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(MINIMAL_YAML, encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", PROBE, str(scenario), str(tmp_path / "plan")],
                         capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded == [], f"a plain run imported {loaded[:5]}"
    assert (tmp_path / "plan" / "manifest.json").exists()  # the run was whole


def test_pyomo_model_still_built_on_request() -> None:
    """The lazy ``workforce.model.build_model`` (PEP 562) is the Pyomo builder itself."""
    import pyomo.environ as pyo

    from tests.scenarios import minimal_scenario
    from workforce import scenario_from_dict
    from workforce.model import build_model
    from workforce.model.build import build_model as direct
    from workforce.model.data import prepare

    assert build_model is direct
    m = build_model(prepare(scenario_from_dict(minimal_scenario())))
    assert isinstance(m, pyo.ConcreteModel) and m.nconstraints() > 0
