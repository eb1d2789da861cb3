"""Property tests: random malformed input never escapes as anything but ScenarioError, and random
valid scenarios give plans that pass the re-check and survive an export round trip."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workforce import Scenario, ScenarioError, load_scenario, scenario_from_dict, solve
from workforce.plan.verify import verify_plan

from scenarios import MINIMAL_YAML, minimal_scenario  # isort: skip
from test_invariants import scenarios  # isort: skip

YAML_CHARS = st.sampled_from(list(":{}[]-&*!|>'\"#%@`,?~=+.\t\n 0123456789eE_xyzE1E2") + ["\\", "\u00a3", "\x00", "\ufeff"])
SNIPPET = st.text(YAML_CHARS, min_size=1, max_size=12) | st.sampled_from([
    "&a", "*a", "!!python/object:os.system", "!!binary", "<<: {}", "? ", "--- ", "...", "%YAML 1.1\n", ".nan", ".inf",
    "-.inf", "0x1F", "010", "1_000", "12:30", "2026-09-01", "yes", "no", "~", "null", "1e400", "-0", "[", "{", "'", '"',
    "file: x.csv", "file: ../../etc/passwd.csv", "file: /abs.csv", "file: data", "\n  ", "\n\t",
])


def load_text(text: str | bytes, csv: str | bytes | None = None) -> Scenario | None:
    """Load ``text`` as a scenario file (with an optional x.csv beside it)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        if csv is not None:
            (Path(folder) / "x.csv").write_bytes(csv if isinstance(csv, bytes) else csv.encode("utf-8", "surrogatepass"))
        return load_scenario(path)


def only_scenario_error(action) -> None:
    try:
        result = action()
    except ScenarioError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
        assert str(exc)
        return
    assert isinstance(result, Scenario)


@st.composite
def mutated_yaml(draw):
    """The valid template with a few random cuts, insertions and line swaps."""
    text = MINIMAL_YAML
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace-line", "duplicate-line", "indent"]))
        lines = text.split("\n")
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if kind == "insert":
            pos = draw(st.integers(0, len(text)))
            text = text[:pos] + draw(SNIPPET) + text[pos:]
        elif kind == "delete":
            pos = draw(st.integers(0, len(text)))
            text = text[:pos] + text[pos + draw(st.integers(1, 20)):]
        elif kind == "replace-line":
            lines[i] = lines[i].split(":")[0] + ": " + draw(SNIPPET)
            text = "\n".join(lines)
        elif kind == "duplicate-line":
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        else:
            lines[i] = draw(st.sampled_from(["", " ", "  ", "\t"])) + lines[i].lstrip()
            text = "\n".join(lines)
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_yaml())
def test_mutated_scenario_text_raises_only_scenario_error(text):
    only_scenario_error(lambda: load_text(text))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_scenario_error(data):
    only_scenario_error(lambda: load_text(data))


scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False)
           | st.text(max_size=8) | st.sampled_from(["E1", "North", "ep", "dfe", 2026, 2027, "file"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(scalars.filter(lambda k: k is not None and not isinstance(k, float)), inner, max_size=3),
                      max_leaves=8)


@st.composite
def spliced_scenarios(draw):
    """The valid scenario with one subtree replaced by random data (as Python data)."""
    spec = minimal_scenario()
    node = spec
    path = []
    while isinstance(node, dict) and node and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(node, key=str)))
        path.append(key)
        if not isinstance(node[key], dict):
            break
        node = node[key]
    target = spec
    for key in path[:-1]:
        target = target[key]
    target[path[-1] if path else draw(st.sampled_from(["name", "horizon", "regions", "roles", "objective", "solver"]))] = draw(values)
    return spec


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spliced_scenarios())
def test_random_values_anywhere_raise_only_scenario_error(spec):
    only_scenario_error(lambda: scenario_from_dict(spec))
    try:
        text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
    except yaml.YAMLError:
        return
    only_scenario_error(lambda: load_text(text))


@settings(max_examples=100, deadline=None)
@given(st.text(st.sampled_from(list("region,year,value;2026E1E2 \"\n\r\t-.%0123456789NA\u00a3")), max_size=80))
def test_random_csv_tables_raise_only_scenario_error(csv):
    text = MINIMAL_YAML.replace("    places: 5\n", "    places: {file: x.csv}\n")
    only_scenario_error(lambda: load_text(text, csv))


@pytest.mark.parametrize("depth", [200, 5000])
def test_deeply_nested_yaml_is_refused_cleanly(depth):
    only_scenario_error(lambda: load_text("name: " + "[" * depth + "]" * depth + "\n"))
    only_scenario_error(lambda: load_text("name: x\n" + "".join(" " * i + f"k{i}:\n" for i in range(depth))))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_plans_pass_the_recheck_and_round_trip_through_every_format(spec):
    plan = solve(scenario_from_dict(spec))
    report = verify_plan(plan)
    assert report["passed"] and report["worst_relative_violation"] <= plan.data.scenario.solver.verify_tolerance
    with tempfile.TemporaryDirectory() as folder:
        out = plan.export(Path(folder) / "run", "csv,parquet")
        for name, table in plan.tables().items():
            pd.testing.assert_frame_equal(pd.read_parquet(out / f"{name}.parquet"), table)
            back = pd.read_csv(out / f"{name}.csv", index_col=list(table.index.names))
            pd.testing.assert_frame_equal(back, table, check_dtype=False, rtol=1e-9, atol=1e-12)


def test_csv_with_bare_carriage_returns_reads_like_any_other():
    """Old Excel for Mac ends rows with a bare CR; the hypothesis test above found that it crashed."""
    text = MINIMAL_YAML.replace("    places: 5\n", "    places: {file: x.csv}\n")
    scenario = load_text(text, "region,2026,2027,2028\rE1,5,6,7\rE2,5,5,5\r")
    assert scenario.programmes["dedpsy"].places["E1"][2027] == 6
