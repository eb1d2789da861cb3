"""Every way a planner can get a scenario wrong is refused with file, line, key path and a clear message.

Line numbers refer to ``MINIMAL_YAML`` (listing in ``tests/scenarios.py``); an edit that adds lines
says so next to the expected number.
"""

from __future__ import annotations

import time

import pytest
import yaml

from workforce import ScenarioError, load_scenario, prepare, scenario_from_dict
from workforce.scenario.yamlio import MAX_YAML_BYTES

from scenarios import (  # isort: skip
    MINIMAL_YAML,
    assert_problem,
    edit,
    find_problem,
    load_problem,
    load_problems,
    minimal_scenario,
    only_problem,
    problems_of,
    write_scenario,
)

T = MINIMAL_YAML
LEX_LINE = "  lexicographic: [[shortfall], [training_cost, hiring_cost]]\n"


@pytest.fixture
def yaml_file(tmp_path):
    """The path problems in ``tmp_path/scenario.yaml`` must name."""
    return str(tmp_path / "scenario.yaml")


def add_after_places(text: str) -> str:
    """Lines added after ``places: 5`` (line 38) start at line 39."""
    return edit(T, "    places: 5\n", "    places: 5\n" + text)


# --------------------------------------------------------------------------------------------
# A valid scenario
# --------------------------------------------------------------------------------------------


def test_template_lines():
    """The line numbers the tests assert on are the template's real lines."""
    lines = T.splitlines()
    assert len(lines) == 45
    expected = {
        1: "name: Tiny scenario",
        9: "  - code: E2",
        14: "    initial_stock: {E1: 10, E2: 20}",
        15: "    attrition: 0.1",
        17: "      E1: {2026: 10, 2027: 11, 2028: 12}",
        23: "      stream: la",
        25: "    name: SENCOs",
        28: "    demand: 50",
        33: "    role: ep",
        34: "    duration: 3",
        37: "      - {dfe: 30}",
        38: "    places: 5",
        45: LEX_LINE.rstrip("\n"),
    }
    for number, text in expected.items():
        assert lines[number - 1] == text, number
    assert yaml.safe_load(T) == minimal_scenario()


def test_minimal_scenario_loads_from_yaml_and_from_dict(tmp_path):
    from_yaml = load_scenario(write_scenario(tmp_path))
    from_dict = scenario_from_dict(minimal_scenario())
    assert from_yaml.model_dump() == from_dict.model_dump()
    assert from_yaml.sha256() == from_dict.sha256()
    assert from_yaml.years == [2026, 2027, 2028]
    assert [r.code for r in from_yaml.regions] == ["E1", "E2"]
    assert from_yaml.source_of(("roles", "ep", "attrition")) == (str(tmp_path / "scenario.yaml"), 15)
    assert prepare(from_yaml).demand[("ep", "E1", 2027)] == 11.0


def test_loaded_scenario_is_frozen(tmp_path):
    scenario = load_scenario(write_scenario(tmp_path))
    with pytest.raises(TypeError, match="immutable.*derive"):
        scenario.name = "Changed"
    with pytest.raises(TypeError, match="immutable.*derive"):
        scenario.horizon.first_year = 2000
    with pytest.raises(TypeError, match="immutable.*derive"):
        scenario.roles["ep"].shortfall_penalty = 0


def test_scenario_from_dict_is_frozen():
    scenario = scenario_from_dict(minimal_scenario())
    with pytest.raises(TypeError, match="immutable.*derive"):
        scenario.programmes["dedpsy"].duration = 1


def test_tables_cannot_be_changed_after_validation():
    scenario = scenario_from_dict(minimal_scenario())
    with pytest.raises(TypeError):
        scenario.roles["ep"].initial_stock["E1"] = -5  # would bypass the "zero or more" check


def test_yaml_exactly_at_the_size_limit_loads(tmp_path):
    padding = MAX_YAML_BYTES - len(T.encode()) - 2
    text = T + "#" + "x" * padding + "\n"
    assert len(text.encode()) == MAX_YAML_BYTES
    load_scenario(write_scenario(tmp_path, text))


def test_quoted_yaml_11_words_are_text(tmp_path):
    text = edit(T, "    name: South\n", "    name: 'On'\n")
    text = edit(text, "    name: SENCOs\n", "    name: '12:30'\n")
    scenario = load_scenario(write_scenario(tmp_path, text))
    assert scenario.regions[1].name == "On"
    assert scenario.roles["senco"].name == "12:30"


# --------------------------------------------------------------------------------------------
# Reading YAML: files, encodings, anchors, tags, duplicate keys
# --------------------------------------------------------------------------------------------


def test_missing_scenario_file(tmp_path):
    p = only_problem(lambda: load_scenario(tmp_path / "nope.yaml"))
    assert_problem(p, file=tmp_path / "nope.yaml", says="file not found")


def test_scenario_path_is_a_folder(tmp_path):
    p = only_problem(lambda: load_scenario(tmp_path))
    assert_problem(p, file=tmp_path, says="is a folder, not a scenario file")


def test_yaml_over_one_megabyte_is_refused(tmp_path, yaml_file):
    text = T + "#" + "x" * (MAX_YAML_BYTES - len(T.encode()) - 1) + "\n"  # one byte over the limit
    assert len(text.encode()) == MAX_YAML_BYTES + 1
    p = load_problem(tmp_path, text)
    assert_problem(p, file=yaml_file, line=None, says=("1,000,001 bytes", "limited to 1,000,000 bytes", "CSV"))


def test_non_utf8_yaml_names_the_line(tmp_path, yaml_file):
    raw = T.encode().replace(b"name: SENCOs", b"name: SENCO\xe9s")  # Latin-1 é on line 25
    p = load_problem(tmp_path, raw)
    assert_problem(p, file=yaml_file, line=25, says="not UTF-8")


def test_utf16_yaml_is_refused(tmp_path, yaml_file):
    p = load_problem(tmp_path, T.encode("utf-16"))
    assert_problem(p, file=yaml_file, line=1, says="save it as UTF-8")


def test_utf8_bom_is_accepted(tmp_path):
    scenario = load_scenario(write_scenario(tmp_path, "\ufeff" + T))
    assert scenario.name == "Tiny scenario"


def test_duplicate_key_names_both_lines(tmp_path, yaml_file):
    text = edit(T, "    shortfall_penalty: 10\n", "    attrition: 0.2\n")  # line 29 repeats line 27
    p = load_problem(tmp_path, text)
    assert_problem(
        p, file=yaml_file, line=29, key="roles.senco.attrition",
        says=("duplicate key 'attrition'", "first written on line 27"),
    )


def test_duplicate_role_id(tmp_path, yaml_file):
    text = edit(T, "  senco:\n", "  ep:\n")  # second `ep:` on line 24, first on 12
    p = load_problem(tmp_path, text)
    assert_problem(p, file=yaml_file, line=24, key="roles.ep", says=("duplicate key 'ep'", "line 12"))


def test_duplicate_key_in_a_flow_mapping(tmp_path, yaml_file):
    text = edit(T, "    initial_stock: {E1: 10, E2: 20}\n", "    initial_stock: {E1: 10, E1: 20}\n")
    p = load_problem(tmp_path, text)
    assert_problem(p, file=yaml_file, line=14, key="roles.ep.initial_stock.E1", says="duplicate key 'E1'")


def test_duplicate_year_written_as_float(tmp_path, yaml_file):
    text = edit(
        T,
        "      E1: {2026: 10, 2027: 11, 2028: 12}\n",
        "      E1: {2026: 10, 2027: 11, 2028: 12, 2026.0: 3}\n",
    )
    p = load_problem(tmp_path, text)
    assert_problem(p, file=yaml_file, line=17, says="duplicate key")


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("    initial_stock: 50\n", "    initial_stock: &stock 50\n", 26),
        ("    demand: 50\n", "    demand: *stock\n", 28),
        ("    demand: 50\n", "    <<: *base\n", 28),
    ],
    ids=["anchor", "alias", "merge-alias"],
)
def test_anchors_and_aliases_are_refused(tmp_path, yaml_file, old, new, line):
    p = load_problem(tmp_path, edit(T, old, new))
    assert_problem(p, file=yaml_file, line=line, says="anchors and aliases")


def test_billion_laughs_is_refused_fast(tmp_path, yaml_file):
    names = "abcdefghij"
    bomb = "name: Bomb\n" + f"{names[0]}: &{names[0]} [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for prev, cur in zip(names, names[1:], strict=False):
        bomb += f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    path = write_scenario(tmp_path, bomb)
    start = time.perf_counter()
    p = only_problem(path)
    assert time.perf_counter() - start < 1.0
    assert_problem(p, file=yaml_file, line=2, says="anchors and aliases")


def test_merge_key_is_refused(tmp_path, yaml_file):
    text = edit(T, "    demand: 50\n", "    <<: {demand: 50}\n")
    p = load_problem(tmp_path, text)
    assert_problem(p, file=yaml_file, line=28, key="roles.senco")
    assert "merge" in p.message or "<<" in p.message


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("!!python/object/apply:os.system ['echo hi']", "'!!python/object/apply:os.system'"),
        ("!!python/object:os.system 50", "'!!python/object:os.system'"),
        ("!custom 50", "'!custom'"),
        ("!!set {a, b}", "'!!set'"),
        ("!!binary aGVsbG8=", "'!!binary'"),
    ],
    ids=["python-apply", "python-object", "local-tag", "set", "binary"],
)
def test_explicit_tags_are_refused(tmp_path, yaml_file, value, shown):
    p = load_problem(tmp_path, edit(T, "    demand: 50\n", f"    demand: {value}\n"))
    assert_problem(p, file=yaml_file, line=28, key="roles.senco.demand", says=(f"YAML tag {shown}", "cannot be used"))


@pytest.mark.parametrize(
    ("old", "new", "line", "key"),
    [
        ("  first_year: 2026\n", "  first_year: 2026-09-01\n", 4, "horizon.first_year"),
        ("    demand: 50\n", "    demand: 2026-09-01 12:00:00\n", 28, "roles.senco.demand"),
        (
            "      E1: {2026: 10, 2027: 11, 2028: 12}\n",
            "      E1: {2026-09-01: 10, 2027: 11, 2028: 12}\n",
            17,
            "roles.ep.demand.E1",
        ),
    ],
    ids=["date-value", "datetime-value", "date-as-year-key"],
)
def test_dates_are_refused(tmp_path, yaml_file, old, new, line, key):
    p = load_problem(tmp_path, edit(T, old, new))
    assert_problem(p, file=yaml_file, line=line, key=key, says="dates and times cannot be used")


@pytest.mark.parametrize("nan", [".nan", ".NaN", ".NAN"])
def test_nan_is_refused(tmp_path, yaml_file, nan):
    p = load_problem(tmp_path, edit(T, "    demand: 50\n", f"    demand: {nan}\n"))
    assert_problem(p, file=yaml_file, line=28, key="roles.senco.demand", says="NaN")


def test_infinity_in_a_table_is_refused(tmp_path, yaml_file):
    p = load_problem(tmp_path, edit(T, "    demand: 50\n", "    demand: .inf\n"))
    assert_problem(p, file=yaml_file, line=28, key="roles.senco.demand", says="finite number")


def test_infinity_as_a_penalty_is_refused(tmp_path, yaml_file):
    p = load_problem(tmp_path, edit(T, "    shortfall_penalty: 10\n", "    shortfall_penalty: .inf\n"))
    assert_problem(p, file=yaml_file, line=29, key="roles.senco.shortfall_penalty", says="finite")


@pytest.mark.parametrize(
    ("new", "line", "says"),
    [
        ("    demand: [50\n", 29, "not valid YAML"),
        ("\tdemand: 50\n", 28, "'\\t'"),
        ("    demand: 50\n  bad indent: 1\n   worse: 2\n", 30, "not valid YAML"),
        ("    demand: \"50\n", 46, "not valid YAML"),
    ],
    ids=["unclosed-bracket", "tab-indent", "bad-indent", "unclosed-quote"],
)
def test_yaml_syntax_errors_name_the_line(tmp_path, yaml_file, new, line, says):
    p = load_problem(tmp_path, edit(T, "    demand: 50\n", new))
    assert_problem(p, file=yaml_file, line=line, says=says)


def test_two_yaml_documents_are_refused(tmp_path, yaml_file):
    p = load_problem(tmp_path, T + "---\nname: Second\n")
    assert_problem(p, file=yaml_file, line=46, says=("not valid YAML", "another document"))


def test_mapping_key_that_is_a_list(tmp_path, yaml_file):
    p = load_problem(tmp_path, edit(T, "    demand: 50\n", "    ? [E1, E2]\n    : 50\n"))
    assert_problem(p, file=yaml_file, line=28, key="roles.senco", says="mapping keys must be plain values")


@pytest.mark.parametrize("text", ["- name: Tiny\n- horizon: 2026\n", "Tiny scenario\n"], ids=["list", "text"])
def test_scenario_must_be_a_mapping(tmp_path, yaml_file, text):
    p = load_problem(tmp_path, text)
    assert_problem(p, file=yaml_file, line=1, says="must be a mapping")


@pytest.mark.parametrize("text", ["", "# nothing yet\n"], ids=["empty", "comment-only"])
def test_empty_scenario_says_so_and_names_the_required_keys(tmp_path, yaml_file, text):
    p = load_problem(tmp_path, text)
    assert_problem(p, file=yaml_file, line=1, says=("is empty", "name, horizon and roles"))


# --------------------------------------------------------------------------------------------
# YAML 1.1 traps
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "got"),
    [
        ("  - code: E2\n", "  - code: no\n", 9, "regions.1.code", "False"),
        ("  - code: E2\n", "  - code: NO\n", 9, "regions.1.code", "False"),
        ("  - code: E2\n", "  - code: off\n", 9, "regions.1.code", "False"),
        ("    name: South\n", "    name: on\n", 10, "regions.1.name", "True"),
        ("    name: SENCOs\n", "    name: yes\n", 25, "roles.senco.name", "True"),
        ("    name: SENCOs\n", "    name: 2026\n", 25, "roles.senco.name", "2026"),
        ("    name: SENCOs\n", "    name: null\n", 25, "roles.senco.name", "None"),
    ],
    ids=["code-no", "code-NO", "code-off", "name-on", "name-yes", "name-number", "name-null"],
)
def test_unquoted_words_that_yaml_turns_into_other_types(tmp_path, yaml_file, old, new, line, key, got):
    p = load_problem(tmp_path, edit(T, old, new))
    assert_problem(p, file=yaml_file, line=line, key=key, says=("valid string", f"got {got}"))


@pytest.mark.parametrize(
    ("old", "new", "line", "key"),
    [
        ("    name: SENCOs\n", "    name: 12:30\n", 25, "roles.senco.name"),
        ("description: Two regions, two roles, one programme\n", "description: 10:30\n", 2, "description"),
    ],
    ids=["name-12:30", "description-10:30"],
)
def test_unquoted_times_are_refused_where_they_are_read(tmp_path, yaml_file, old, new, line, key):
    """YAML 1.1 reads 12:30 as the base-60 number 750; the reader refuses it and says why."""
    p = load_problem(tmp_path, edit(T, old, new))
    assert_problem(p, file=yaml_file, line=line, key=key, says=("looks like a time", "quote it"))


def test_accented_names_are_accepted(tmp_path):
    scenario = load_scenario(write_scenario(tmp_path, edit(T, "    name: SENCOs\n", "    name: Ëducation – SENCOs\n")))
    assert scenario.roles["senco"].name == "Ëducation – SENCOs"


def test_yes_as_a_number_is_refused(tmp_path, yaml_file):
    p = load_problem(tmp_path, edit(T, "    demand: 50\n", "    demand: yes\n"))
    assert_problem(p, file=yaml_file, line=28, key="roles.senco.demand", says="expected a number, got True")


def test_yes_as_money_is_refused(tmp_path, yaml_file):
    p = load_problem(tmp_path, edit(T, "    shortfall_penalty: 10\n", "    shortfall_penalty: yes\n"))
    assert_problem(p, file=yaml_file, line=29, key="roles.senco.shortfall_penalty", says="valid number")


def test_quoted_yes_is_not_a_boolean(tmp_path, yaml_file):
    text = edit(T, "    shortfall_penalty: 10\n", "    shortfall_penalty: 10\n    exits: {enabled: 'yes'}\n")
    p = load_problem(tmp_path, text)
    assert_problem(p, file=yaml_file, line=30, key="roles.senco.exits.enabled", says="valid boolean")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    shortfall_penalty: 10\n", "    shortfall_penalty: 12:30\n"),
        ("    demand: 50\n", "    demand:\n      2026:50\n"),  # a missing space: demand becomes 121610
        ("    initial_stock: {E1: 10, E2: 20}\n", "    initial_stock: {E1: 1:30, E2: 20}\n"),
    ],
    ids=["penalty", "year-without-space", "table-cell"],
)
def test_sexagesimal_numbers_are_refused(tmp_path, old, new):
    load_problems(tmp_path, edit(T, old, new))


def test_zero_padded_number_is_not_octal(tmp_path):
    path = write_scenario(tmp_path, edit(T, "    demand: 50\n", "    demand: 010\n"))
    try:
        scenario = load_scenario(path)
    except ScenarioError:
        return  # refusing it is fine too
    assert scenario.roles["senco"].demand == 10


def test_year_without_space_in_flow_mapping_is_refused(tmp_path, yaml_file):
    text = edit(T, "      E1: {2026: 10, 2027: 11, 2028: 12}\n", "      E1: {2026:10, 2027:11, 2028:12}\n")
    problems = load_problems(tmp_path, text)
    assert {(p.file, p.line) for p in problems} == {(yaml_file, 17)}
    assert all(p.key.startswith("roles.ep.demand.E1") for p in problems)


@pytest.mark.parametrize("value", ["1e3", "1E3", "1.0e3", "1.0e+3", "10e2", "+1e3"])
def test_exponent_numbers_are_read_as_numbers(tmp_path, value):
    """YAML 1.1 reads 1e3 (no dot, or no sign in the exponent) as text; a planner means 1000."""
    scenario = load_scenario(write_scenario(tmp_path, edit(T, "    demand: 50\n", f"    demand: {value}\n")))
    assert scenario.roles["senco"].demand == 1000.0


@pytest.mark.parametrize(
    ("value", "says"),
    [("1,000", "'1,000'"), ("9%", "'9%'"), ("'50'", "'50'"), ("~", "None"), ("", "None"), ("'1e3'", "'1e3'")],
    ids=["thousands", "percent", "quoted", "null", "blank", "quoted-exponent"],
)
def test_table_value_that_is_not_a_number(tmp_path, yaml_file, value, says):
    p = load_problem(tmp_path, edit(T, "    demand: 50\n", f"    demand: {value}\n"))
    assert_problem(p, file=yaml_file, line=28, key="roles.senco.demand", says=f"expected a number, got {says}")


# --------------------------------------------------------------------------------------------
# Formula-like names
# --------------------------------------------------------------------------------------------


def quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


FORMULAS = ['=HYPERLINK("http://example.com","click")', "+44 20 7946 0000", "@SUM(A1:A9)", "-2+3", "=1+1"]


@pytest.mark.parametrize("formula", FORMULAS, ids=["hyperlink", "plus", "at", "minus", "equals"])
def test_formula_like_role_name_is_refused(tmp_path, yaml_file, formula):
    p = load_problem(tmp_path, edit(T, "    name: SENCOs\n", f"    name: {quoted(formula)}\n"))
    assert_problem(p, file=yaml_file, line=25, key="roles.senco.name", says=("cannot be used as a name", "formula", repr(formula)))


@pytest.mark.parametrize(
    ("old", "line", "key"),
    [
        ("name: Tiny scenario\n", 1, "name"),
        ("    name: North\n", 8, "regions.0.name"),
        ("    name: Doctorate in educational psychology\n", 32, "programmes.dedpsy.name"),
        ("    name: DfE training grant\n", 41, "funding_streams.dfe.name"),
    ],
    ids=["scenario", "region", "programme", "funding-stream"],
)
def test_formula_like_names_are_refused_everywhere(tmp_path, yaml_file, old, line, key):
    indent = old[: len(old) - len(old.lstrip())]
    new = f"{indent}name: {quoted(FORMULAS[0])}\n"
    p = load_problem(tmp_path, edit(T, old, new))
    assert_problem(p, file=yaml_file, line=line, key=key, says="cannot be used as a name")


def test_formula_like_region_code_is_refused(tmp_path, yaml_file):
    p = load_problem(tmp_path, edit(T, "  - code: E2\n", "  - code: '=E2'\n"))
    assert_problem(p, file=yaml_file, line=9, key="regions.1.code", says="not a valid region code")


def test_formula_like_name_is_refused_from_python():
    data = minimal_scenario()
    data["roles"]["ep"]["name"] = "@x"
    p = only_problem(lambda: scenario_from_dict(data, name="planner.py"))
    assert_problem(p, file="planner.py", line=None, key="roles.ep.name", says="cannot be used as a name")


# --------------------------------------------------------------------------------------------
# Schema: unknown and missing keys, types, ranges
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "hint"),
    [
        ("    attrition: 0.1\n", "    attritoin: 0.1\n", 15, "roles.ep.attritoin", "attrition"),
        ("    duration: 3\n", "    duraton: 3\n", 34, "programmes.dedpsy.duraton", "duration"),
        ("      cost: 5\n", "      costs: 5\n", 22, "roles.ep.hiring.costs", "cost"),
        ("    name: DfE training grant\n", "    nmae: DfE training grant\n", 41, "funding_streams.dfe.nmae", "name"),
        ("  first_year: 2026\n", "  first_yr: 2026\n", 4, "horizon.first_yr", "first_year"),
        (LEX_LINE, "  lexicographical: [[shortfall]]\n", 45, "objective.lexicographical", "lexicographic"),
    ],
    ids=["role", "programme", "hiring", "stream", "horizon", "objective"],
)
def test_unknown_key_suggests_the_right_one(tmp_path, yaml_file, old, new, line, key, hint):
    problems = load_problems(tmp_path, edit(T, old, new))
    p = find_problem(problems, "unknown key")
    assert_problem(p, file=yaml_file, line=line, key=key, says=(f"did you mean '{hint}'", "allowed keys here"))


def test_unknown_top_level_key(tmp_path, yaml_file):
    p = load_problem(tmp_path, T + "programmers: {}\n")
    assert_problem(p, file=yaml_file, line=46, key="programmers", says="did you mean 'programmes'")


def test_unknown_solver_setting(tmp_path, yaml_file):
    p = load_problem(tmp_path, T + "solver:\n  time_limt: 60\n")
    assert_problem(p, file=yaml_file, line=47, key="solver.time_limt", says="did you mean 'time_limit'")


def test_missing_required_key_points_at_its_section(tmp_path, yaml_file):
    p = load_problem(tmp_path, edit(T, "    shortfall_penalty: 10\n", "\n"))
    assert_problem(p, file=yaml_file, line=24, key="roles.senco.shortfall_penalty",
                   says="required key 'shortfall_penalty' is missing")


def test_missing_scenario_name(tmp_path, yaml_file):
    p = load_problem(tmp_path, edit(T, "name: Tiny scenario\n", "\n"))
    assert_problem(p, file=yaml_file, key="name", says="required key 'name' is missing")


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "says"),
    [
        ("  first_year: 2026\n", "  first_year: '2026'\n", 4, "horizon.first_year", "valid integer"),
        ("  first_year: 2026\n", "  first_year: 2026.0\n", 4, "horizon.first_year", "valid integer"),
        ("  first_year: 2026\n", "  first_year: 26\n", 4, "horizon.first_year", "greater than or equal to 2000"),
        ("    duration: 3\n", "    duration: three\n", 34, "programmes.dedpsy.duration", "got 'three'"),
        ("    duration: 3\n", "    duration: 11\n", 34, "programmes.dedpsy.duration", "less than or equal to 10"),
        ("    completion_rate: 0.9\n", "    completion_rate: 90\n", 35, "programmes.dedpsy.completion_rate",
         "less than or equal to 1"),
        ("    completion_rate: 0.9\n", "    completion_rate: 90%\n", 35, "programmes.dedpsy.completion_rate",
         "got '90%'"),
        ("    shortfall_penalty: 10\n", "    shortfall_penalty: -10\n", 29, "roles.senco.shortfall_penalty",
         "greater than or equal to 0"),
        ("    shortfall_penalty: 10\n", "    shortfall_penalty: 10\n    unit: fte\n", 30, "roles.senco.unit",
         "'people' or 'FTE'"),
        ("  senco:\n", "  SENCO:\n", 24, "roles.SENCO", "not a valid id"),
        ("    name: SENCOs\n", "    name: ''\n", 25, "roles.senco.name", "at least 1 character"),
        ("    name: SENCOs\n", "    name: ' leading space'\n", 25, "roles.senco.name", "may not start with"),
        ("      - {dfe: 30}\n", "      - {dfe: -30}\n", 37, "programmes.dedpsy.course_costs.0.dfe",
         "greater than or equal to 0"),
        ("      - {dfe: 30}\n", "      - 30\n", 37, "programmes.dedpsy.course_costs.0", "expected a mapping"),
        ("    course_costs:\n      - {dfe: 30}\n", "    course_costs: 30\n\n", 36, "programmes.dedpsy.course_costs",
         "valid list"),
    ],
    ids=["year-text", "year-float", "two-digit-year", "duration-word", "duration-range", "rate-percent-number",
         "rate-percent-text", "negative-penalty", "unit-case", "id-uppercase", "empty-name", "leading-space-name",
         "negative-course-cost", "course-cost-not-by-stream", "course-costs-not-a-list"],
)
def test_wrong_type_or_range(tmp_path, yaml_file, old, new, line, key, says):
    p = load_problem(tmp_path, edit(T, old, new))
    assert_problem(p, file=yaml_file, line=line, key=key, says=says)


def test_horizon_backwards(tmp_path, yaml_file):
    p = load_problem(tmp_path, edit(T, "  last_year: 2028\n", "  last_year: 2025\n"))
    assert_problem(p, file=yaml_file, line=3, key="horizon", says="last_year must not be before first_year")


def test_more_course_years_than_the_programme_lasts(tmp_path, yaml_file):
    text = edit(T, "      - {dfe: 30}\n", "      - {dfe: 30}\n" * 5)
    p = load_problem(tmp_path, text)
    assert_problem(p, file=yaml_file, line=31, key="programmes.dedpsy",
                   says="course_costs lists 5 course years but a programme of duration 3 runs for at most 4")


def test_supervisor_role_without_ratio(tmp_path, yaml_file):
    p = load_problem(tmp_path, add_after_places("    supervisor_role: senco\n"))
    assert_problem(p, file=yaml_file, line=31, key="programmes.dedpsy",
                   says="supervisor_role is set but supervision_ratio is not")


def test_flexible_option_with_zero_fte(tmp_path, yaml_file):
    text = edit(
        T,
        "    shortfall_penalty: 10\n",
        "    shortfall_penalty: 10\n"
        "    flexible_supply:\n"
        "      agency:\n"
        "        name: Agency SENCOs\n"
        "        fte_per_unit: 0\n"
        "        cost: 60\n"
        "        max: 3\n",
    )
    p = load_problem(tmp_path, text)
    assert_problem(p, file=yaml_file, line=31, key="roles.senco.flexible_supply.agency",
                   says="fte_per_unit must not be zero")


def test_no_roles(tmp_path, yaml_file):
    text = edit(T, "roles:\n  ep:\n", "roles: {}\nunused:\n  ep:\n")  # the roles moved under an unknown key
    problems = load_problems(tmp_path, text)
    p = find_problem(problems, "at least 1 item")
    assert_problem(p, file=yaml_file, line=11, key="roles")


def test_unknown_objective_term(tmp_path, yaml_file):
    p = load_problem(tmp_path, edit(T, LEX_LINE, "  lexicographic: [[shortfal], [training_cost]]\n"))
    assert_problem(p, file=yaml_file, line=45, key="objective.lexicographic.0.0", says=("'shortfall'", "shortfal"))


def test_unknown_weight_term(tmp_path, yaml_file):
    p = load_problem(tmp_path, edit(T, LEX_LINE, "  weights: {training_costs: 2}\n"))
    assert_problem(p, file=yaml_file, line=45, key="objective.weights.training_costs", says="'training_cost'")


def test_python_dict_errors_name_the_key_but_no_line():
    data = minimal_scenario()
    data["roles"]["ep"]["attritoin"] = data["roles"]["ep"].pop("attrition")
    problems = problems_of(lambda: scenario_from_dict(data))
    p = find_problem(problems, "unknown key")
    assert_problem(p, file="<python>", line=None, key="roles.ep.attritoin", says="did you mean 'attrition'")


def test_file_table_in_a_python_dict_is_refused():
    data = minimal_scenario()
    data["roles"]["ep"]["demand"] = {"file": "demand.csv"}
    p = only_problem(lambda: scenario_from_dict(data))
    assert_problem(p, key="roles.ep.demand", says="load_scenario")


# --------------------------------------------------------------------------------------------
# Tables: regions and years
# --------------------------------------------------------------------------------------------

STOCK = "    initial_stock: {E1: 10, E2: 20}\n"
DEMAND_E1 = "      E1: {2026: 10, 2027: 11, 2028: 12}\n"


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "says"),
    [
        (STOCK, "    initial_stock: {E1: 10, E3: 20}\n", 14, "roles.ep.initial_stock.E3",
         ("unknown region 'E3'", "regions are E1, E2")),
        (STOCK, "    initial_stock: {E1: 10, Soth: 20}\n", 14, "roles.ep.initial_stock.Soth",
         ("did you mean 'South'",)),
        (STOCK, "    initial_stock: {E1: 10}\n", 14, "roles.ep.initial_stock", ("no value for region(s) E2",)),
        (STOCK, "    initial_stock: {E1: 10, North: 10, E2: 20}\n", 14, "roles.ep.initial_stock.North",
         ("region E1 is given twice",)),
        (STOCK, "    initial_stock: {E1: 10, 2026: 20}\n", 14, "roles.ep.initial_stock",
         ("mix of region and year keys",)),
        (STOCK, "    initial_stock: {2026: 10, 2027: 20}\n", 14, "roles.ep.initial_stock",
         ("cannot vary by year",)),
        (STOCK, "    initial_stock: {E1: {2026: 10}, E2: 20}\n", 14, "roles.ep.initial_stock.E1",
         ("cannot vary by year",)),
        (STOCK, "    initial_stock: {E1: 10, E2: -20}\n", 14, "roles.ep.initial_stock.E2",
         ("must be zero or more, got -20",)),
        (STOCK, "    initial_stock: {E1: 10, E2: }\n", 14, "roles.ep.initial_stock.E2",
         ("expected a number, got None",)),
        (STOCK, "    initial_stock: {E1: 10, yes: 20}\n", 14, "roles.ep.initial_stock",
         ("the key 'yes' is read by YAML as true", "quoted")),
        (DEMAND_E1, "      E1: {2026: 10, 2028: 12}\n", 17, "roles.ep.demand.E1", ("no value for year(s) 2027",)),
        (DEMAND_E1, "      E1: {2026: 10, 2027: 11, 2028: 12, 2031: 3}\n", 17, "roles.ep.demand.E1",
         ("year(s) 2031 are outside the horizon 2026-2028",)),
        (DEMAND_E1, "      E1: {2026/27: 10, 2027: 11, 2028: 12}\n", 17, "roles.ep.demand.E1.2026/27",
         ("expected a year, got '2026/27'",)),
        (DEMAND_E1, "      2026: {E1: 10, E2: 20}\n", 17, "roles.ep.demand.2026",
         ("write region -> year -> value",)),
        ("      max: 2\n", "      max: lots\n", 21, "roles.ep.hiring.max", ("expected a number, got 'lots'",)),
    ],
    ids=["unknown-code", "misspelt-name", "missing-region", "region-twice", "mixed-keys", "by-year-for-region-table",
         "nested-years-in-region-table", "negative-cell", "blank-cell", "bool-key", "missing-year",
         "year-outside-horizon", "academic-year-key", "year-then-region", "word"],
)
def test_table_problems(tmp_path, yaml_file, old, new, line, key, says):
    p = load_problem(tmp_path, edit(T, old, new))
    assert_problem(p, file=yaml_file, line=line, key=key, says=says)


def test_missing_years_are_summarised_as_a_range(tmp_path, yaml_file):
    text = edit(T, "  last_year: 2028\n", "  last_year: 2031\n")  # demand for E1 stops at 2028
    p = load_problem(tmp_path, text)
    assert_problem(p, file=yaml_file, line=17, key="roles.ep.demand.E1", says="no value for year(s) 2029-2031")


@pytest.mark.parametrize(
    ("where", "line", "key"),
    [
        ("    name: Local authorities\n", 44, "funding_streams.la.budget"),
        ("    places: 5\n", 39, "programmes.dedpsy.national_places"),
    ],
    ids=["budget", "national-places"],
)
def test_national_table_given_by_region(tmp_path, yaml_file, where, line, key):
    field = key.rsplit(".", 1)[1]
    p = load_problem(tmp_path, edit(T, where, f"{where}    {field}: {{E1: 5, E2: 4}}\n"))
    assert_problem(p, file=yaml_file, line=line, key=key, says="cannot vary by region; give one value per year")


def test_budget_missing_a_year(tmp_path, yaml_file):
    text = edit(T, "    name: Local authorities\n", "    name: Local authorities\n    budget: {2026: 500, 2028: 400}\n")
    p = load_problem(tmp_path, text)
    assert_problem(p, file=yaml_file, line=44, key="funding_streams.la.budget", says="no value for year(s) 2027")


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [("  - code: E2\n", "  - code: E1\n", "'E1' is used by two regions"),
     ("    name: South\n", "    name: North\n", "'North' is used by two regions"),
     ("    name: South\n", "    name: E1\n", "'E1' is used by two regions")],
    ids=["code", "name", "name-is-other-code"],
)
def test_region_defined_twice(tmp_path, yaml_file, old, new, says):
    p = load_problem(tmp_path, edit(T, old, new))
    assert_problem(p, file=yaml_file, line=9, key="regions.1", says=says)


# --------------------------------------------------------------------------------------------
# Cross-references and contradictions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "says"),
    [
        ("    role: ep\n", "    role: epp\n", 33, "programmes.dedpsy.role",
         ("unknown role 'epp'", "did you mean 'ep'", "roles: ep, senco")),
        ("    role: ep\n", "    role: ep\n    source: externel\n", 34, "programmes.dedpsy.source",
         ("unknown role 'externel'", "did you mean 'external'")),
        ("    places: 5\n", "    places: 5\n    supervision_ratio: 0.1\n    supervisor_role: sneco\n", 40,
         "programmes.dedpsy.supervisor_role", ("unknown role 'sneco'", "did you mean 'senco'")),
        ("      stream: la\n", "      stream: las\n", 23, "roles.ep.hiring.stream",
         ("unknown funding stream 'las'", "did you mean 'la'", "streams: dfe, la")),
        ("      - {dfe: 30}\n", "      - {dfe: 30, dfee: 1}\n", 37, "programmes.dedpsy.course_costs.0.dfee",
         ("unknown funding stream 'dfee'", "did you mean 'dfe'")),
        ("    shortfall_penalty: 10\n", "    shortfall_penalty: 10\n    exits: {enabled: true, stream: dfe2}\n", 30,
         "roles.senco.exits.stream", ("unknown funding stream 'dfe2'",)),
        ("    role: ep\n", "    role: ep\n    source: ep\n", 34, "programmes.dedpsy.source",
         ("cannot retrain a role into itself",)),
        ("    places: 5\n", "    places: 5\n    prior_intake: {2026: 3}\n", 39, "programmes.dedpsy.prior_intake.2026",
         ("prior intake must be before the first planning year 2026",)),
        ("    places: 5\n", "    places: 5\n    prior_intake:\n      2024: 3\n      2019: 2\n", 41,
         "programmes.dedpsy.prior_intake.2019", ("a 2019 intake completes in 2022, before the horizon",)),
        (LEX_LINE, "  lexicographic: [[shortfall], [training_cost, shortfall]]\n", 45, "objective.lexicographic",
         ("term(s) listed twice: shortfall",)),
        (LEX_LINE, "  lexicographic: []\n", 45, "objective.lexicographic", ("lists no terms",)),
        ("    places: 5\n", "    places: 5\n    intake_min: 4\n    intake_max: 3\n", 39, "programmes.dedpsy.intake_min",
         ("is above intake_max for 6 region-year(s)", "E1 2026: 4 > 3")),
        ("    places: 5\n", "    places: 5\n    intake_min: {E1: 1, E2: {2026: 1, 2027: 9, 2028: 1}}\n", 39,
         "programmes.dedpsy.intake_min", ("is above places for 1 region-year(s)", "E2 2027: 9 > 5")),
        ("    attrition: 0.1\n", "    attrition: 9\n", 15, "roles.ep.attrition",
         ("must be between 0 and 1, got 9",)),
        ("    attrition: 0.1\n", "    attrition: {E1: 0.1, E2: 12}\n", 15, "roles.ep.attrition",
         ("must be between 0 and 1, got 12",)),
        ("    attrition: 0.1\n", "    attrition: 0.1\n    attrition_new_entrants: 1.5\n", 16,
         "roles.ep.attrition_new_entrants", ("between 0 and 1, got 1.5",)),
    ],
    ids=["programme-role", "programme-source", "supervisor-role", "hiring-stream", "course-cost-stream",
         "exits-stream", "retrain-into-itself", "prior-intake-in-horizon", "prior-intake-too-old",
         "lexicographic-duplicate", "lexicographic-empty", "intake-min-above-max", "intake-min-above-places",
         "attrition-above-1", "attrition-above-1-by-region", "new-entrant-attrition-above-1"],
)
def test_cross_reference_problems(tmp_path, yaml_file, old, new, line, key, says):
    p = load_problem(tmp_path, edit(T, old, new))
    assert_problem(p, file=yaml_file, line=line, key=key, says=says)


def test_unknown_role_in_a_surplus_group(tmp_path, yaml_file):
    text = T + "surplus_groups:\n  educational:\n    roles: [ep, sneco]\n    max: 5\n"
    p = load_problem(tmp_path, text)
    assert_problem(p, file=yaml_file, line=48, key="surplus_groups.educational.roles.1",
                   says="did you mean 'senco'")


def test_unknown_stream_when_none_are_declared(tmp_path, yaml_file):
    text = edit(T, "funding_streams:\n  dfe:\n    name: DfE training grant\n  la:\n    name: Local authorities\n",
                "\n\n\n\n\n")
    problems = load_problems(tmp_path, text)
    p = find_problem(problems, "'la'")
    assert_problem(p, file=yaml_file, line=23, key="roles.ep.hiring.stream",
                   says="(none declared under funding_streams)")


# --------------------------------------------------------------------------------------------
# Several problems at once
# --------------------------------------------------------------------------------------------


def test_two_typos_give_two_problems(tmp_path, yaml_file):
    text = edit(T, "    attrition: 0.1\n", "    attritoin: 0.1\n")
    text = edit(text, "    duration: 3\n", "    duraton: 3\n")
    problems = load_problems(tmp_path, text)
    assert sorted((p.line, p.key) for p in problems) == [(15, "roles.ep.attritoin"), (34, "programmes.dedpsy.duraton")]
    assert {p.file for p in problems} == {yaml_file}
    assert "did you mean 'attrition'" in find_problem(problems, "'attritoin'").message
    assert "did you mean 'duration'" in find_problem(problems, "'duraton'").message


def test_type_errors_in_different_sections_are_all_reported(tmp_path):
    text = edit(T, "  first_year: 2026\n", "  first_year: '2026'\n")
    text = edit(text, "    completion_rate: 0.9\n", "    completion_rate: 90\n")
    text = edit(text, "    name: SENCOs\n", "    name: '@SENCOs'\n")
    problems = load_problems(tmp_path, text)
    assert sorted((p.line, p.key) for p in problems) == [
        (4, "horizon.first_year"), (25, "roles.senco.name"), (35, "programmes.dedpsy.completion_rate"),
    ]


def test_unknown_role_and_unknown_stream_are_both_reported(tmp_path):
    text = edit(T, "    role: ep\n", "    role: epp\n")
    text = edit(text, "      stream: la\n", "      stream: las\n")
    problems = load_problems(tmp_path, text)
    assert sorted((p.line, p.key) for p in problems) == [
        (23, "roles.ep.hiring.stream"), (33, "programmes.dedpsy.role"),
    ]


def test_problems_in_several_tables_are_all_reported(tmp_path):
    text = edit(T, STOCK, "    initial_stock: {E1: 10, E3: 20}\n")
    text = edit(text, DEMAND_E1, "      E1: {2026: 10, 2028: 12}\n")
    text = edit(text, "    attrition: 0.05\n", "    attrition: 5\n")
    problems = load_problems(tmp_path, text)
    assert sorted((p.line, p.key) for p in problems) == [
        (14, "roles.ep.initial_stock.E3"), (17, "roles.ep.demand.E1"), (27, "roles.senco.attrition"),
    ]


def test_error_text_lists_every_problem(tmp_path, yaml_file):
    text = edit(T, "    role: ep\n", "    role: epp\n")
    text = edit(text, "      stream: la\n", "      stream: las\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_scenario(tmp_path, text))
    message = str(info.value)
    assert message.startswith("2 problems in the scenario:")
    assert f"{yaml_file}:33 [programmes.dedpsy.role]: unknown role 'epp'" in message
    assert f"{yaml_file}:23 [roles.ep.hiring.stream]: unknown funding stream 'las'" in message


def test_two_problems_in_the_same_table_row_are_both_reported(tmp_path):
    text = edit(T, DEMAND_E1, "      E1: {2026: 10, 2072: 11, 2028: 12}\n")  # typo'd 2027
    problems = load_problems(tmp_path, text)
    find_problem(problems, "year(s) 2072 are outside the horizon")
    find_problem(problems, "no value for year(s) 2027")


@pytest.mark.parametrize(
    "places",
    ["{2026: 5, 2027: 5}", "{E1: 5}"],
    ids=["places-missing-a-year", "places-missing-a-region"],
)
def test_incomplete_places_with_intake_min_is_a_scenario_error(tmp_path, yaml_file, places):
    problems = load_problems(tmp_path, edit(T, "    places: 5\n", f"    places: {places}\n    intake_min: 1\n"))
    p = find_problem(problems, "no value for")
    assert_problem(p, file=yaml_file, line=38)


def test_nested_sections_cannot_be_changed_after_validation():
    scenario = scenario_from_dict(minimal_scenario())
    with pytest.raises(TypeError):
        scenario.roles["intruder"] = scenario.roles["ep"]
    with pytest.raises(TypeError):
        scenario.programmes["dedpsy"].course_costs.append({"dfe": 1.0})
    assert scenario.sha256() == scenario_from_dict(minimal_scenario()).sha256()


def test_a_validated_scenario_survives_pickling():
    """Sweeps send scenarios to worker processes: the read-only tables must pickle and unpickle."""
    import pickle

    scenario = scenario_from_dict(minimal_scenario())
    copy_ = pickle.loads(pickle.dumps(scenario))
    assert copy_ == scenario and copy_.sha256() == scenario.sha256()
    with pytest.raises(TypeError):
        copy_.roles["ep"].initial_stock["E1"] = 1
