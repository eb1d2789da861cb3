"""Variants: ``extends:`` merges a variant into its base; errors point at the file that wrote the value."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workforce import load_scenario, prepare

from scenarios import MINIMAL_YAML, assert_problem, only_problem, write_scenario  # isort: skip


def variant(folder: Path, text: str, name: str = "variant.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_variant_changes_only_what_it_writes(tmp_path):
    base = write_scenario(tmp_path, name="base.yaml")
    path = variant(tmp_path, "extends: base.yaml\nname: Higher attrition\nroles:\n  ep:\n    attrition: 0.2\n")
    s, b = load_scenario(path), load_scenario(base)
    assert s.name == "Higher attrition"
    assert s.roles["ep"].attrition == 0.2
    assert s.roles["ep"].demand == b.roles["ep"].demand
    assert s.roles["senco"] == b.roles["senco"]
    assert s.programmes == b.programmes
    # Each value keeps the file and line that wrote it.
    assert s.source_of(("roles", "ep", "attrition")) == (str(path), 5)
    assert s.source_of(("roles", "ep", "initial_stock")) == (str(base), 14)
    assert set(s.input_hashes) == {str(path), str(base)}


def test_tables_and_lists_replace_rather_than_merge(tmp_path):
    write_scenario(tmp_path, name="base.yaml")
    # Base demand is E1 by year plus E2: 20. A variant table naming only E1 is a whole new table.
    path = variant(tmp_path, "extends: base.yaml\nroles:\n  ep:\n    demand: {E1: 7}\n")
    assert_problem(only_problem(path), file=str(path), line=4, key="roles.ep.demand",
                   says="no value for region(s) E2")
    path = variant(tmp_path, "extends: base.yaml\nroles:\n  ep:\n    demand: 7\n"
                   "programmes:\n  dedpsy:\n    duration: 1\n    course_costs: [{dfe: 10}, {la: 5}]\n")
    s = load_scenario(path)
    assert s.roles["ep"].demand == 7
    assert [dict(c) for c in s.programmes["dedpsy"].course_costs] == [{"dfe": 10}, {"la": 5}]
    assert s.programmes["dedpsy"].places == 5  # untouched key of a merged mapping


def test_null_removes_and_alternatives_drop_the_other_key(tmp_path):
    write_scenario(tmp_path, name="base.yaml")
    path = variant(tmp_path, "extends: base.yaml\nroles:\n  ep:\n    hiring: null\n"
                   "    demand_forecast:\n      driver: {E1: 10, E2: 20}\n      method: flat\n")
    s = load_scenario(path)
    assert s.roles["ep"].hiring is None
    assert prepare(s).demand["ep", "E2", 2028] == 20


def test_file_paths_resolve_beside_the_file_that_wrote_them(tmp_path):
    text = MINIMAL_YAML.replace("    initial_stock: {E1: 10, E2: 20}", "    initial_stock: {file: data/stock.csv}")
    write_scenario(tmp_path / "base", text, {"data/stock.csv": "region,value\nE1,11\nE2,22\n"}, name="base.yaml")
    (tmp_path / "base" / "v").mkdir()
    path = variant(tmp_path / "base" / "v", "extends: ../base.yaml\n", "v.yaml")
    assert_problem(only_problem(path), file=str(path), line=1, key="extends", says="leaves the folder")
    path = variant(tmp_path / "base", "extends: base.yaml\nroles:\n  senco:\n    demand: {file: data/demand.csv}\n")
    (tmp_path / "base" / "data" / "demand.csv").write_text("region,2026,2027,2028\nE1,1,2,3\nE2,4,5,-6\n")
    assert_problem(only_problem(path), file=str(tmp_path / "base" / "data" / "demand.csv"), line=3,
                   says="is negative")
    (tmp_path / "base" / "data" / "demand.csv").write_text("region,2026,2027,2028\nE1,1,2,3\nE2,4,5,6\n")
    s = load_scenario(path)
    d = prepare(s)
    assert d.stock_initial["ep", "E2"] == 22 and d.demand["senco", "E2", 2028] == 6


def test_errors_in_inherited_values_point_at_the_base(tmp_path):
    base = write_scenario(tmp_path, MINIMAL_YAML.replace("    attrition: 0.1\n", "    attrition: 1.5\n"), name="base.yaml")
    path = variant(tmp_path, "extends: base.yaml\nname: V\n")
    assert_problem(only_problem(path), file=str(base), line=15, key="roles.ep.attrition")


def test_chains_cycles_and_missing_bases(tmp_path):
    write_scenario(tmp_path, name="base.yaml")
    variant(tmp_path, "extends: base.yaml\nroles:\n  ep:\n    attrition: 0.2\n", "mid.yaml")
    top = variant(tmp_path, "extends: mid.yaml\nroles:\n  ep:\n    shortfall_penalty: 7\n", "top.yaml")
    s = load_scenario(top)
    assert (s.roles["ep"].attrition, s.roles["ep"].shortfall_penalty) == (0.2, 7)
    a = variant(tmp_path, "name: A\nextends: b.yaml\n", "a.yaml")
    variant(tmp_path, "extends: a.yaml\n", "b.yaml")
    assert_problem(only_problem(a), key="extends", says="cycle: a.yaml -> b.yaml -> a.yaml")
    missing = variant(tmp_path, "name: M\n\nextends: nowhere.yaml\n", "m.yaml")
    assert_problem(only_problem(missing), file=str(missing), line=3, key="extends",
                   says="base scenario 'nowhere.yaml' not found")
    wrong = variant(tmp_path, "extends: data.csv\n", "w.yaml")
    assert_problem(only_problem(wrong), key="extends", says="not a .yaml file")


@pytest.mark.parametrize("name", ["variant_no_ep_expansion", "variant_budget_cut_20", "variant_high_demand",
                                  "variant_high_ep_attrition"])
def test_shipped_variants_load_and_differ_from_the_baseline(name):
    base = load_scenario("configs/england_baseline.yaml")
    s = load_scenario(f"configs/{name}.yaml")
    assert s.sha256() != base.sha256()
    assert s.horizon == base.horizon and s.regions == base.regions


# A property of the merge rules: for plain nested mappings (no table fields), the merge keeps every
# base key the variant does not write, takes every leaf the variant writes and drops every key it
# sets to null.
_key = st.sampled_from(["name", "description", "horizon", "solver", "x", "y"])
_leaf = st.one_of(st.integers(0, 9), st.text(max_size=3), st.none())
_tree = st.recursive(_leaf, lambda inner: st.dictionaries(_key, inner, max_size=3), max_leaves=8)


def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    else:
        yield path, node


def _at(node, path):
    for k in path:
        node = node[k]
    return node


@given(base=st.dictionaries(_key, _tree, max_size=4), over=st.dictionaries(_key, _tree, max_size=4))
def test_merge_keeps_unwritten_keys_and_takes_written_leaves(base, over):
    from workforce.scenario.compose import merge

    merged, _ = merge(base, {}, over, {})
    for path, value in _leaves(over):
        if value is None:  # null removes the key
            parent = _at(merged, path[:-1])
            assert path[-1] not in parent
        else:
            assert _at(merged, path) == value
    for key in base:
        if key not in over:
            assert merged[key] == base[key]
        elif over[key] is not None:
            assert key in merged
