"""Tiny scenarios for tests: a minimal valid scenario as a dict and as hand-written YAML.

``MINIMAL_YAML`` is written by hand so that tests can assert exact line numbers. Its layout is
fixed; the numbered listing below is the contract the tests rely on (``test_template_lines``
checks it). To make a malformed scenario, swap one line with :func:`edit` and keep the line count
unless the test says otherwise.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from workforce.errors import Problem, ScenarioError
from workforce.scenario import load_scenario

#  1 name: Tiny scenario
#  2 description: Two regions, two roles, one programme
#  3 horizon:
#  4   first_year: 2026
#  5   last_year: 2028
#  6 regions:
#  7   - code: E1
#  8     name: North
#  9   - code: E2
# 10     name: South
# 11 roles:
# 12   ep:
# 13     name: Educational psychologists
# 14     initial_stock: {E1: 10, E2: 20}
# 15     attrition: 0.1
# 16     demand:
# 17       E1: {2026: 10, 2027: 11, 2028: 12}
# 18       E2: 20
# 19     shortfall_penalty: 100
# 20     hiring:
# 21       max: 2
# 22       cost: 5
# 23       stream: la
# 24   senco:
# 25     name: SENCOs
# 26     initial_stock: 50
# 27     attrition: 0.05
# 28     demand: 50
# 29     shortfall_penalty: 10
# 30 programmes:
# 31   dedpsy:
# 32     name: Doctorate in educational psychology
# 33     role: ep
# 34     duration: 3
# 35     completion_rate: 0.9
# 36     course_costs:
# 37       - {dfe: 30}
# 38     places: 5
# 39 funding_streams:
# 40   dfe:
# 41     name: DfE training grant
# 42   la:
# 43     name: Local authorities
# 44 objective:
# 45   lexicographic: [[shortfall], [training_cost, hiring_cost]]
MINIMAL_YAML = """\
name: Tiny scenario
description: Two regions, two roles, one programme
horizon:
  first_year: 2026
  last_year: 2028
regions:
  - code: E1
    name: North
  - code: E2
    name: South
roles:
  ep:
    name: Educational psychologists
    initial_stock: {E1: 10, E2: 20}
    attrition: 0.1
    demand:
      E1: {2026: 10, 2027: 11, 2028: 12}
      E2: 20
    shortfall_penalty: 100
    hiring:
      max: 2
      cost: 5
      stream: la
  senco:
    name: SENCOs
    initial_stock: 50
    attrition: 0.05
    demand: 50
    shortfall_penalty: 10
programmes:
  dedpsy:
    name: Doctorate in educational psychology
    role: ep
    duration: 3
    completion_rate: 0.9
    course_costs:
      - {dfe: 30}
    places: 5
funding_streams:
  dfe:
    name: DfE training grant
  la:
    name: Local authorities
objective:
  lexicographic: [[shortfall], [training_cost, hiring_cost]]
"""

YEARS = (2026, 2027, 2028)
REGIONS = ("E1", "E2")


def minimal_scenario() -> dict[str, Any]:
    """A fresh, minimal valid scenario as Python data: the same content as ``MINIMAL_YAML``."""
    return copy.deepcopy(_MINIMAL)


_MINIMAL: dict[str, Any] = {
    "name": "Tiny scenario",
    "description": "Two regions, two roles, one programme",
    "horizon": {"first_year": 2026, "last_year": 2028},
    "regions": [{"code": "E1", "name": "North"}, {"code": "E2", "name": "South"}],
    "roles": {
        "ep": {
            "name": "Educational psychologists",
            "initial_stock": {"E1": 10, "E2": 20},
            "attrition": 0.1,
            "demand": {"E1": {2026: 10, 2027: 11, 2028: 12}, "E2": 20},
            "shortfall_penalty": 100,
            "hiring": {"max": 2, "cost": 5, "stream": "la"},
        },
        "senco": {
            "name": "SENCOs",
            "initial_stock": 50,
            "attrition": 0.05,
            "demand": 50,
            "shortfall_penalty": 10,
        },
    },
    "programmes": {
        "dedpsy": {
            "name": "Doctorate in educational psychology",
            "role": "ep",
            "duration": 3,
            "completion_rate": 0.9,
            "course_costs": [{"dfe": 30}],
            "places": 5,
        }
    },
    "funding_streams": {"dfe": {"name": "DfE training grant"}, "la": {"name": "Local authorities"}},
    "objective": {"lexicographic": [["shortfall"], ["training_cost", "hiring_cost"]]},
}


def edit(text: str, old: str, new: str) -> str:
    """Replace the one occurrence of ``old`` in ``text`` (fails loudly if it is not unique)."""
    count = text.count(old)
    assert count == 1, f"{old!r} occurs {count} times in the template"
    return text.replace(old, new)


def write_scenario(
    folder: Path,
    scenario: Mapping[str, Any] | str | bytes | None = None,
    csvs: Mapping[str, str | bytes] | None = None,
    name: str = "scenario.yaml",
) -> Path:
    """Write a scenario (dict, YAML text or raw bytes; default ``MINIMAL_YAML``) and its CSVs.

    CSV names are paths relative to ``folder``; sub-folders are created. Returns the YAML path.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if scenario is None:
        scenario = MINIMAL_YAML
    path = folder / name
    if isinstance(scenario, bytes):
        path.write_bytes(scenario)
    elif isinstance(scenario, str):
        path.write_text(scenario, encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(dict(scenario), sort_keys=False), encoding="utf-8")
    for rel, content in (csvs or {}).items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8", newline="")
    return path


def problems_of(action: Callable[[], Any] | Path) -> list[Problem]:
    """Run ``action`` (or load the scenario at a path) and return the problems it must raise."""
    if isinstance(action, Path):
        path = action
        action = lambda: load_scenario(path)  # noqa: E731
    with pytest.raises(ScenarioError) as info:
        action()
    problems = info.value.problems
    assert problems, "a ScenarioError must list at least one problem"
    return problems


def only_problem(action: Callable[[], Any] | Path) -> Problem:
    """The single problem ``action`` must raise."""
    problems = problems_of(action)
    assert len(problems) == 1, "expected one problem, got:\n" + "\n".join(map(str, problems))
    return problems[0]


def load_problems(
    folder: Path,
    scenario: Mapping[str, Any] | str | bytes | None = None,
    csvs: Mapping[str, str | bytes] | None = None,
    **kwargs: Any,
) -> list[Problem]:
    """Write the scenario (see :func:`write_scenario`), load it, return the problems raised."""
    path = write_scenario(folder, scenario, csvs)
    return problems_of(lambda: load_scenario(path, **kwargs))


def load_problem(
    folder: Path,
    scenario: Mapping[str, Any] | str | bytes | None = None,
    csvs: Mapping[str, str | bytes] | None = None,
    **kwargs: Any,
) -> Problem:
    """The single problem raised by loading the scenario."""
    problems = load_problems(folder, scenario, csvs, **kwargs)
    assert len(problems) == 1, "expected one problem, got:\n" + "\n".join(map(str, problems))
    return problems[0]


_ANY: Any = object()


def assert_problem(
    problem: Problem,
    *,
    file: str | Path | None = _ANY,
    line: int | None = _ANY,
    key: str | None = _ANY,
    says: tuple[str, ...] | str = (),
) -> None:
    """Check where a problem points and that its message contains every phrase in ``says``.

    Arguments left out are not checked (e.g. ``key`` for errors the YAML parser reports before any
    key is known); pass ``None`` to require that the loader does not claim to know.
    """
    where = f"problem was: file={problem.file!r} line={problem.line!r} key={problem.key!r} message={problem.message!r}"
    if file is not _ANY:
        assert problem.file == (str(file) if file is not None else None), where
    if line is not _ANY:
        assert problem.line == line, where
    if key is not _ANY:
        assert problem.key == key, where
    for phrase in (says,) if isinstance(says, str) else says:
        assert phrase in problem.message, f"{phrase!r} not in message; {where}"


def find_problem(problems: list[Problem], phrase: str) -> Problem:
    """The one problem whose message contains ``phrase``."""
    found = [p for p in problems if phrase in p.message]
    assert len(found) == 1, f"{len(found)} problems say {phrase!r}:\n" + "\n".join(map(str, problems))
    return found[0]


def baseline_reported_to_2035(tmp_factory):
    """The England baseline with ``horizon.plan_to`` left out (planned and reported to 2035), loaded from
    a copy of configs/: for tests that edit a plan and re-check one rule, where the plan's own years
    are simplest (the re-check of a plan cut to its reported years is tested in test_plan_to.py)."""
    import shutil
    from pathlib import Path

    from workforce.scenario.load import load_scenario

    folder = tmp_factory.mktemp("configs")
    shutil.copytree(Path(__file__).resolve().parents[1] / "configs", folder, dirs_exist_ok=True)
    path = folder / "england_baseline.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  plan_to:")
    path.write_text(text[:start] + text[text.index("\n", start) + 1:], encoding="utf-8")
    return load_scenario(path)
