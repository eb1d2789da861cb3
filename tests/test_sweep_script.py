"""The library called from a plain script, as the README's Python sweep example does, and a study
in which every point fails.

The scenario is test_sweep.py's hand-solved one: a budget below 3 (scale 0.5 or 0.25 of 4)
cannot pay for the 3 minimum starters, so those points are infeasible; scale 2 (budget 8) solves
with objective 100 * (10 - 8) + 8 = 208.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import textwrap

import pytest
import yaml

from tests.test_sweep import GRID, HAND
from workforce import scenario_from_dict
from workforce.studies.main_guard import guarded_lines
from workforce.studies.sweep import StudyFailedError, sweep


def test_a_study_in_which_every_point_fails_raises_with_each_reason(tmp_path):
    grid = copy.deepcopy(GRID)
    grid["grid"]["parameters"]["budget"]["values"] = [0.5, 0.25]
    with pytest.raises(StudyFailedError, match="every point failed") as caught:
        sweep(grid, scenario=scenario_from_dict(copy.deepcopy(HAND)), out=tmp_path / "s", workers=1)
    assert "point 0 (budget=0.5) failed" in str(caught.value) and "point 1 (budget=0.25) failed" in str(caught.value)
    assert "minimum intake" in str(caught.value)
    assert list(caught.value.result.points["status"]) == ["failed", "failed"]
    assert (tmp_path / "s" / "points.csv").exists()


def test_the_top_level_if_main_block_is_found():
    source = textwrap.dedent("""\
        import x
        def f():
            pass
        if __name__ == "__main__":
            f()
            f()
        if "__main__" == __name__:
            f()
        if __name__ == "other":
            f()
        """)
    assert guarded_lines(source) == [(4, 6), (7, 8)]


SCRIPT = """\
from workforce import scenario_from_dict
from workforce.studies.sweep import sweep
GRID = {grid!r}
HAND = {hand!r}
def go():
    r = sweep(GRID, scenario=scenario_from_dict(HAND), out={out!r}, workers=2, progress=False)
    print("objective", r.points.loc[1, "objective"])
{call}
"""


def _script(tmp_path, call: str) -> subprocess.CompletedProcess[str]:
    grid = copy.deepcopy(GRID)
    grid["grid"]["parameters"]["budget"]["values"] = [0.5, 2]
    path = tmp_path / "plain.py"
    path.write_text(SCRIPT.format(grid=grid, hand=HAND, out=str(tmp_path / "s"), call=call))
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=tmp_path)


def test_a_plain_script_without_the_main_guard_is_told_to_add_it_before_anything_runs(tmp_path):
    done = _script(tmp_path, "go()")
    assert done.returncode != 0
    assert 'if __name__ == "__main__":' in done.stderr and "plain.py:8" in done.stderr
    assert "BrokenProcessPool" not in done.stderr + done.stdout
    assert not (tmp_path / "s").exists()  # refused before the study folder was made


def test_the_same_script_with_the_guard_runs_on_two_workers(tmp_path):
    done = _script(tmp_path, 'if __name__ == "__main__":\n    go()')
    assert done.returncode == 0, done.stderr
    assert "objective 208.0" in done.stdout
    assert yaml.safe_load((tmp_path / "s" / "study.yaml").read_text()) if (tmp_path / "s" / "study.yaml").exists() \
        else (tmp_path / "s" / "points.csv").exists()
