"""Tables read from CSV files: accepted layouts, and every malformed file a planner could save.

The scenario is ``MINIMAL_YAML`` with one table moved to a CSV file:

* ``roles.ep.demand`` (lines 16-18) becomes ``demand: {file: data/demand.csv}`` on line 16;
* ``roles.ep.initial_stock`` (line 14) becomes ``initial_stock: {file: stock.csv}``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workforce import ScenarioError, load_scenario, prepare
from workforce.scenario.csvio import read_table_csv

from scenarios import (  # isort: skip
    MINIMAL_YAML,
    assert_problem,
    edit,
    load_problem,
    load_problems,
    write_scenario,
)

INLINE_DEMAND = "    demand:\n      E1: {2026: 10, 2027: 11, 2028: 12}\n      E2: 20\n"
WITH_DEMAND_CSV = edit(MINIMAL_YAML, INLINE_DEMAND, "    demand: {file: data/demand.csv}\n\n\n")
WITH_STOCK_CSV = edit(MINIMAL_YAML, "    initial_stock: {E1: 10, E2: 20}\n", "    initial_stock: {file: stock.csv}\n")
WITH_ATTRITION_CSV = edit(MINIMAL_YAML, "    attrition: 0.1\n", "    attrition: {file: attrition.csv}\n")
WITH_BUDGET_CSV = edit(
    MINIMAL_YAML, "    name: Local authorities\n", "    name: Local authorities\n    budget: {file: budget.csv}\n"
)

LONG = "region,year,value\nE1,2026,10\nE1,2027,11\nE1,2028,12\nE2,2026,20\nE2,2027,20\nE2,2028,20\n"
WIDE = "region,2026,2027,2028\nE1,10,11,12\nE2,20,20,20\n"
DEMAND = {"E1": {2026: 10.0, 2027: 11.0, 2028: 12.0}, "E2": {2026: 20.0, 2027: 20.0, 2028: 20.0}}


@pytest.fixture
def demand_csv(tmp_path):
    """The path problems in ``data/demand.csv`` must name."""
    return str(tmp_path / "data" / "demand.csv")


def demand_problems(tmp_path, content: str | bytes):
    return load_problems(tmp_path, WITH_DEMAND_CSV, {"data/demand.csv": content})


def demand_problem(tmp_path, content: str | bytes):
    return load_problem(tmp_path, WITH_DEMAND_CSV, {"data/demand.csv": content})


# --------------------------------------------------------------------------------------------
# Accepted layouts give the same values as inline YAML
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        LONG,
        WIDE,
        WIDE.replace("\n", "\r\n"),
        "\ufeff" + WIDE,
        "Region,Year,Value\n" + LONG.split("\n", 1)[1],
        "region,2026,2027,2028\n\nE1, 10 , 11 , 12 \n\n\nE2,20,20,20\n\n",
        'region,region_name,2026,2027,2028,source\nE1,North,10,11,1.2e1,ONS\nE2,South,20,20,20,"DfE, 2025"\n',
        "region,year,value,note\n" + "".join(f"{r},{y},{v},\n" for r, row in DEMAND.items() for y, v in row.items()),
        "year,region,value\n" + "".join(f"{y},{r},{v:g}\n" for r, row in DEMAND.items() for y, v in row.items()),
    ],
    ids=["long", "wide", "wide-crlf", "utf8-bom", "capitalised-header", "blank-lines-and-spaces",
         "ignored-columns", "empty-note-column", "columns-in-another-order"],
)
def test_csv_table_equals_inline_values(tmp_path, content):
    scenario = load_scenario(write_scenario(tmp_path, WITH_DEMAND_CSV, {"data/demand.csv": content}))
    inline_text = edit(
        MINIMAL_YAML, INLINE_DEMAND,
        "    demand:\n      E1: {2026: 10, 2027: 11, 2028: 12}\n      E2: {2026: 20, 2027: 20, 2028: 20}\n",
    )
    inline = load_scenario(write_scenario(tmp_path / "inline", inline_text))
    assert scenario.roles["ep"].demand == DEMAND
    assert scenario.model_dump() == inline.model_dump()
    assert prepare(scenario).demand == prepare(inline).demand


def test_csv_with_region_names_resolves_like_codes(tmp_path):
    content = "region,2026,2027,2028\nNorth,10,11,12\nSouth,20,20,20\n"
    scenario = load_scenario(write_scenario(tmp_path, WITH_DEMAND_CSV, {"data/demand.csv": content}))
    inline = load_scenario(write_scenario(tmp_path / "inline", MINIMAL_YAML))
    assert prepare(scenario).demand == prepare(inline).demand


def test_per_region_csv(tmp_path):
    scenario = load_scenario(write_scenario(tmp_path, WITH_STOCK_CSV, {"stock.csv": "region,value\nE1,10\nE2,20\n"}))
    assert scenario.roles["ep"].initial_stock == {"E1": 10.0, "E2": 20.0}
    assert prepare(scenario).stock_initial == prepare(load_scenario(write_scenario(tmp_path / "i"))).stock_initial


def test_per_year_csv(tmp_path):
    content = "year,value\n2026,500\n2027,510\n2028,520\n"
    scenario = load_scenario(write_scenario(tmp_path, WITH_BUDGET_CSV, {"budget.csv": content}))
    assert scenario.funding_streams["la"].budget == {2026: 500.0, 2027: 510.0, 2028: 520.0}


def test_csv_values_remember_their_file_and_line(tmp_path, demand_csv):
    path = write_scenario(tmp_path, WITH_DEMAND_CSV, {"data/demand.csv": LONG})
    scenario = load_scenario(path)
    assert scenario.source_of(("roles", "ep", "demand", "E2", 2027)) == (demand_csv, 6)
    assert scenario.source_of(("roles", "ep", "demand")) == (demand_csv, None)
    assert set(scenario.input_hashes) == {str(path), demand_csv}


def test_reading_a_csv_does_not_need_a_scenario(tmp_path):
    (tmp_path / "t.csv").write_text(WIDE)
    table, lines = read_table_csv(tmp_path / "t.csv", "t.csv")
    assert table == DEMAND
    assert lines[("E2", 2028)] == 3


# --------------------------------------------------------------------------------------------
# Bad cells: each names the CSV file, its line and the column
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("", "'' is missing; every cell needs a number (write 0 for none)"),
        ("   ", "is missing"),
        ("NA", "'NA' is missing"),
        ("n/a", "'n/a' is missing"),
        ("..", "'..' is missing"),
        ("-", "'-' is missing"),
        ("null", "is missing"),
        ("NaN", "is missing"),
        ('"1,200"', "'1,200' has a comma: write 1200 if it is a thousands separator, or 1.200 if it is a decimal comma"),
        ('"12,345,678"', "'12,345,678' has a thousands separator; write 12345678"),
        ('"276,1"', "'276,1' uses a decimal comma; write 276.1 with a decimal point"),
        ("9%", "'9%' is a percentage; write it as a fraction (0.09, not 9%)"),
        ("-3", "'-3' is negative; values must be zero or more"),
        ("-0.5", "is negative"),
        ("twenty", "'twenty' is not a number"),
        ("£20", "'£20' is not a number"),
        ("1.2.3", "is not a number"),
        ("inf", "'inf' is not a number"),
        ("=SUM(B2:B3)", "is not a number"),
        ("#REF!", "is not a number"),
    ],
    ids=["blank", "spaces", "NA", "n/a", "dots", "dash", "null", "NaN", "thousands", "thousands-2", "decimal-comma", "percent", "negative",
         "negative-fraction", "word", "currency", "two-dots", "inf", "formula", "excel-error"],
)
def test_bad_cell_in_a_wide_table(tmp_path, demand_csv, cell, says):
    p = demand_problem(tmp_path, WIDE.replace("E2,20,20,20", f"E2,20,{cell},20"))
    assert_problem(p, file=demand_csv, line=3, says=("column 2027", says))


@pytest.mark.parametrize(
    ("cell", "says"),
    [("", "is missing"), ('"1,200"', "thousands separator"), ("7%", "percentage"), ("-1", "negative"),
     ("ten", "not a number")],
    ids=["blank", "thousands", "percent", "negative", "word"],
)
def test_bad_cell_in_a_long_table(tmp_path, demand_csv, cell, says):
    p = demand_problem(tmp_path, LONG.replace("E2,2027,20", f"E2,2027,{cell}"))
    assert_problem(p, file=demand_csv, line=6, says=("column value", says))


def test_attrition_written_as_a_percentage(tmp_path):
    p = load_problem(tmp_path, WITH_ATTRITION_CSV, {"attrition.csv": "region,value\nE1,0.1\nE2,12%\n"})
    assert_problem(p, file=tmp_path / "attrition.csv", line=3, says="write it as a fraction (0.09, not 9%)")


def test_attrition_above_one_in_a_csv(tmp_path):
    p = load_problem(tmp_path, WITH_ATTRITION_CSV, {"attrition.csv": "region,value\nE1,0.1\nE2,12\n"})
    assert_problem(p, file=tmp_path / "attrition.csv", key="roles.ep.attrition",
                   says="must be between 0 and 1, got 12")


def test_every_bad_cell_is_reported(tmp_path, demand_csv):
    content = "region,2026,2027,2028\nE1,x,11,NA\nE2,20,\"1,000\",-4\n"
    problems = demand_problems(tmp_path, content)
    assert [(p.file, p.line) for p in problems] == [(demand_csv, 2), (demand_csv, 2), (demand_csv, 3), (demand_csv, 3)]
    assert [p.message.split(":")[0] for p in problems] == ["column 2026", "column 2028", "column 2027", "column 2028"]


def test_problem_list_is_capped(tmp_path):
    content = "region,year,value\n" + "".join(f"E1,{2026 + i % 3},x\n" for i in range(80))
    problems = demand_problems(tmp_path, content)
    assert len(problems) == 50
    assert problems[0].line == 2
    assert problems[-1].line == 51


# --------------------------------------------------------------------------------------------
# Bad files and rows
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "line", "says"),
    [
        (LONG + "E1,2027,99\n", 8, "duplicate row for E1 2027 (also on line 3)"),
        (LONG.replace("E2,2026", "E1,2026"), 5, "duplicate row for E1 2026 (also on line 2)"),
        ("region,2026,2027,2028,2027\nE1,10,11,12,1\nE2,20,20,20,2\n", 1, "duplicate column(s) 2027"),
        ("region,year,value,value\nE1,2026,1,1\n", 1, "duplicate column(s) value"),
        (WIDE.replace(",", ";"), 1, "uses ';' as separator"),
        (LONG.replace(",", ";").replace("E1;2026;10", "E1;2026;10,5"), 1, "uses ';' as separator"),
        ("region,year,value,comment\nE1,2026,10,ok\n", 1,
         "unexpected column(s) comment; a long table has columns region, year, value"),
        ("region,2026,2027,2028,total\nE1,10,11,12,33\nE2,20,20,20,60\n", 1,
         "unexpected column(s) total; a wide table has a region column and one column per year"),
        ("region,2026,2027,2028,26/27\nE1,10,11,12,1\n", 1, "unexpected column(s) 26/27"),
        ("area,2026,2027,2028\nE1,10,11,12\n", 1, "cannot tell the layout"),
        ("2026,2027,2028\n10,11,12\n", 1, "cannot tell the layout"),
        ("region\tyear\tvalue\nE1\t2026\t10\n", 1, "cannot tell the layout"),
        ("# demand in FTE\n" + WIDE, 1, "cannot tell the layout"),
        ("region,year,amount\nE1,2026,10\n", 1, "found region, year, amount"),
        (LONG.replace("E2,2027,20", "E2,27,20"), 6, "year '27' is not a four-digit year"),
        (LONG.replace("E2,2027,20", "E2,2027/28,20"), 6, "year '2027/28' is not a four-digit year"),
        (LONG.replace("E2,2027,20", ",2027,20"), 6, "the region cell is blank"),
        (WIDE.replace("E2,20,20,20", " ,20,20,20"), 3, "the region cell is blank"),
        (LONG.replace("E2,2027,20", "E2,2027,20,"), 6, "expected 3 cells, found 4"),
        (LONG.replace("E2,2027,20", "E2,2027"), 6, "expected 3 cells, found 2"),
        (WIDE.replace("E2,20,20,20", "E2,20,1,200,20"), 3, "expected 4 cells, found 5"),
    ],
    ids=["duplicate-row", "duplicate-row-typo", "duplicate-year-column", "duplicate-value-column", "semicolons",
         "semicolons-decimal-comma", "unexpected-long-column", "unexpected-wide-column", "academic-year-column",
         "no-region-column", "only-year-columns", "tab-separated", "comment-line", "no-value-column", "two-digit-year",
         "academic-year", "blank-region-long", "blank-region-wide", "trailing-comma", "missing-cell",
         "unquoted-thousands"],
)
def test_malformed_csv(tmp_path, demand_csv, content, line, says):
    problems = demand_problems(tmp_path, content)
    assert_problem(problems[0], file=demand_csv, line=line, says=says)


def test_duplicate_region_row_in_a_wide_table(tmp_path, demand_csv):
    problems = demand_problems(tmp_path, WIDE + "E1,1,1,1\n")
    assert {(p.file, p.line) for p in problems} == {(demand_csv, 4)}
    assert [p.message for p in problems] == ["duplicate row for E1 (also on line 2)"]


@pytest.mark.parametrize(
    ("content", "says"),
    [("", "the CSV file is empty"), ("\n \n,,\n", "the CSV file is empty"),
     ("region,year,value\n", "header but no data rows"), ("region,2026,2027,2028\n\n", "header but no data rows")],
    ids=["empty", "blank-lines", "long-header-only", "wide-header-only"],
)
def test_csv_without_data(tmp_path, demand_csv, content, says):
    p = demand_problem(tmp_path, content)
    assert_problem(p, file=demand_csv, line=None, says=says)


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("region,region_name,2026,2027,2028\nE1,North,10,11,12\nE2,Sud\u00e9,20,20,20\n".encode("cp1252"), 3),
        ("\u00e9,2026\n".encode("latin-1"), 1),
        (WIDE.encode("utf-16"), 1),
    ],
    ids=["windows-1252", "latin-1-header", "utf-16"],
)
def test_csv_that_is_not_utf8(tmp_path, demand_csv, raw, line):
    p = demand_problem(tmp_path, raw)
    assert_problem(p, file=demand_csv, line=line, says=("not UTF-8", "CSV UTF-8"))


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("region,2026,2027,2028\n\nE1,10,11,12\n\n\nE2,20,x,20\n", 6),
        ("region,2026,2027,2028\r\nE1,10,11,12\r\nE2,20,x,20\r\n", 3),
        ('region,name,2026,2027,2028\nE1,"North\nEast",10,11,12\nE2,South,20,x,20\n', 4),
    ],
    ids=["blank-lines", "crlf", "quoted-line-break"],
)
def test_csv_line_numbers_count_text_lines(tmp_path, demand_csv, content, line):
    p = demand_problem(tmp_path, content)
    assert_problem(p, file=demand_csv, line=line, says="'x' is not a number")


# --------------------------------------------------------------------------------------------
# Regions and years in a CSV are checked against the scenario, pointing at the CSV row
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "line", "key", "says"),
    [
        (WIDE.replace("E2,", "E3,"), 3, "roles.ep.demand.E3", ("unknown region 'E3'", "regions are E1, E2")),
        (WIDE.replace("E2,", "Soth,"), 3, "roles.ep.demand.Soth", ("did you mean 'South'",)),
        (WIDE.replace("E2,", "e2,"), 3, "roles.ep.demand.e2", ("unknown region 'e2'",)),
        (WIDE + "North,1,1,1\n", 4, "roles.ep.demand.North", ("region E1 is given twice",)),
        (LONG.replace("E2,2027,20\n", ""), 5, "roles.ep.demand.E2", ("no value for year(s) 2027",)),
        ("region,2026,2027,2028,2031\nE1,10,11,12,1\n" + "E2,20,20,20,1\n", 2, "roles.ep.demand",
         ("year(s) 2031 are outside the horizon 2026-2028 (rows E1, E2)",)),
    ],
    ids=["unknown-code", "misspelt-name", "lower-case-code", "code-and-name", "missing-year", "outside-horizon"],
)
def test_table_problem_in_a_csv_points_at_the_row(tmp_path, demand_csv, content, line, key, says):
    problems = demand_problems(tmp_path, content)
    assert_problem(problems[0], file=demand_csv, line=line, key=key, says=says)


def test_missing_year_column_is_reported_once_naming_every_row(tmp_path, demand_csv):
    p = demand_problem(tmp_path, "region,2026,2028\nE1,10,12\nE2,20,20\n")
    assert_problem(p, file=demand_csv, line=2, key="roles.ep.demand", says="no value for year(s) 2027 (rows E1, E2)")


def test_missing_region_in_a_csv(tmp_path, demand_csv):
    p = demand_problem(tmp_path, "region,2026,2027,2028\nE1,10,11,12\n")
    assert_problem(p, file=demand_csv, line=None, key="roles.ep.demand", says="no value for region(s) E2")


def test_years_in_a_per_region_csv(tmp_path):
    content = "region,year,value\nE1,2026,10\nE2,2026,20\n"
    p = load_problem(tmp_path, WITH_STOCK_CSV, {"stock.csv": content})
    assert_problem(p, file=tmp_path / "stock.csv", line=2, key="roles.ep.initial_stock",
                   says=("cannot vary by year", "(rows E1, E2)"))


def test_regions_in_a_per_year_csv(tmp_path):
    content = "region,year,value\nE1,2026,10\nE2,2026,20\n"
    p = load_problem(tmp_path, WITH_BUDGET_CSV, {"budget.csv": content})
    assert_problem(p, file=tmp_path / "budget.csv", key="funding_streams.la.budget",
                   says="cannot vary by region; give one value per year")


def test_problems_in_yaml_and_csv_are_reported_together(tmp_path, demand_csv):
    text = edit(WITH_DEMAND_CSV, "    role: ep\n", "    role: epp\n")
    problems = load_problems(tmp_path, text, {"data/demand.csv": WIDE})
    assert [(p.line, p.key) for p in problems] == [(33, "programmes.dedpsy.role")]
    text = edit(WITH_DEMAND_CSV, "    initial_stock: {E1: 10, E2: 20}\n", "    initial_stock: {E1: 10, E3: 20}\n")
    problems = load_problems(tmp_path / "2", text, {"data/demand.csv": WIDE.replace("E2,", "E4,")})
    assert sorted((p.file, p.line, p.key) for p in problems) == sorted([
        (str(tmp_path / "2" / "scenario.yaml"), 14, "roles.ep.initial_stock.E3"),
        (str(tmp_path / "2" / "data" / "demand.csv"), 3, "roles.ep.demand.E4"),
    ])


# --------------------------------------------------------------------------------------------
# `file:` references
# --------------------------------------------------------------------------------------------


@pytest.fixture
def yaml_file(tmp_path):
    return str(tmp_path / "scenario.yaml")


@pytest.mark.parametrize(
    ("ref", "says"),
    [
        ("../stock.csv", "path '../stock.csv' leaves the scenario's folder"),
        ("data/../../stock.csv", "leaves the scenario's folder"),
        ("/etc/stock.csv", "absolute path '/etc/stock.csv' refused"),
        ("stock.xlsx", "'stock.xlsx' is not a .csv file"),
        ("stock", "is not a .csv file"),
        ("''", "`file:` needs a path to a CSV file"),
        ("' '", "`file:` needs a path to a CSV file"),
        ("5", "`file:` needs a path to a CSV file"),
        ("[a.csv, b.csv]", "`file:` needs a path to a CSV file"),
    ],
    ids=["parent-folder", "parent-via-subfolder", "absolute", "excel", "no-suffix", "empty", "blank", "number",
         "list"],
)
def test_bad_file_reference(tmp_path, yaml_file, ref, says):
    text = edit(WITH_STOCK_CSV, "{file: stock.csv}", f"{{file: {ref}}}")
    p = load_problem(tmp_path, text, {"stock.xlsx": "x", "stock": "x"})
    assert_problem(p, file=yaml_file, line=14, key="roles.ep.initial_stock", says=says)


def test_symlink_leaving_the_folder_is_refused(tmp_path, yaml_file):
    secret = tmp_path.parent / f"{tmp_path.name}-outside.csv"
    secret.write_text("region,value\nE1,1\nE2,2\n")
    os.symlink(secret, tmp_path / "stock.csv")
    p = load_problem(tmp_path, WITH_STOCK_CSV)
    assert_problem(p, file=yaml_file, line=14, key="roles.ep.initial_stock", says="leaves the scenario's folder")


def test_external_paths_can_be_allowed(tmp_path):
    shared = tmp_path / "shared" / "stock.csv"
    shared.parent.mkdir()
    shared.write_text("region,value\nE1,10\nE2,20\n")
    relative = edit(WITH_STOCK_CSV, "{file: stock.csv}", "{file: ../shared/stock.csv}")
    absolute = edit(WITH_STOCK_CSV, "{file: stock.csv}", f"{{file: '{shared}'}}")
    for name, text in [("rel", relative), ("abs", absolute)]:
        path = write_scenario(tmp_path / name, text)
        assert_problem(load_problem(tmp_path / name, text), line=14, says="--allow-path DIR")
        scenario = load_scenario(path, allow_external_paths=True)
        assert scenario.roles["ep"].initial_stock == {"E1": 10.0, "E2": 20.0}
        # Naming the shared folder is enough; naming a sibling folder is not.
        assert load_scenario(path, allow_paths=[shared.parent]).roles["ep"].initial_stock == {"E1": 10.0, "E2": 20.0}
        with pytest.raises(ScenarioError):
            load_scenario(path, allow_paths=[tmp_path / "elsewhere"])


def test_csv_in_a_subfolder(tmp_path):
    text = edit(WITH_STOCK_CSV, "{file: stock.csv}", "{file: data/2025/stock.csv}")
    scenario = load_scenario(write_scenario(tmp_path, text, {"data/2025/stock.csv": "region,value\nE1,1\nE2,2\n"}))
    assert scenario.roles["ep"].initial_stock == {"E1": 1.0, "E2": 2.0}


def test_missing_csv_file(tmp_path):
    p = load_problem(tmp_path, WITH_STOCK_CSV)
    assert_problem(p, file=tmp_path / "scenario.yaml", says="not found")


def test_csv_path_is_a_folder(tmp_path):
    (tmp_path / "stock.csv").mkdir()
    p = load_problem(tmp_path, WITH_STOCK_CSV)
    assert_problem(p, file=tmp_path / "stock.csv", says="is a folder, not a CSV file")


def test_bad_cell_names_the_key_that_references_the_csv(tmp_path, demand_csv):
    p = demand_problem(tmp_path, WIDE.replace("E2,20,20,20", "E2,20,9%,20"))
    assert_problem(p, file=demand_csv, line=3, key="roles.ep.demand", says="percentage")


def test_missing_csv_names_the_reference(tmp_path):
    p = load_problem(tmp_path, WITH_STOCK_CSV)
    assert p.key == "roles.ep.initial_stock"
    assert "stock.csv" in str(p)


def test_csv_with_only_a_value_column(tmp_path):
    path = write_scenario(tmp_path, WITH_STOCK_CSV, {"stock.csv": "value,source\n15,ONS\n"})
    try:  # reading it as one number for every region, or refusing it, would both be fine
        scenario = load_scenario(path)
    except ScenarioError as exc:
        assert_problem(exc.problems[0], file=tmp_path / "stock.csv")
    else:
        assert scenario.roles["ep"].initial_stock == 15


def test_extra_key_beside_file(tmp_path, yaml_file):
    text = edit(WITH_STOCK_CSV, "{file: stock.csv}", "{file: stock.csv, note: ONS 2025}")
    p = load_problem(tmp_path, text, {"stock.csv": "region,value\nE1,10\nE2,20\n"})
    assert_problem(p, file=yaml_file, line=14, key="roles.ep.initial_stock", says="note")
    assert "load_scenario" not in p.message


@pytest.mark.parametrize(
    ("content", "first", "second"),
    [("region,year,value,Value\nE1,2026,1,2\n", "value", "Value"),
     ("region,Region,year,value\nE1,E2,2026,1\n", "region", "Region"),
     ("Region,2026,2027,2028,REGION\nE1,10,11,12,E2\n", "Region", "REGION")],
    ids=["value-Value", "region-Region", "Region-REGION"],
)
def test_columns_differing_only_by_case_are_refused(tmp_path, demand_csv, content, first, second):
    """Columns are matched case-blind, so the second of two case twins used to be read silently."""
    problems = demand_problems(tmp_path, content)
    assert_problem(problems[0], file=demand_csv, line=1,
                   says=f"columns {first!r} and {second!r} differ only by case")


def test_a_one_year_csv_for_a_value_that_cannot_vary_by_year_says_to_use_a_value_column(tmp_path):
    """initial_stock is one number per region; a table by year (here a single 2026 column) gives one
    problem naming the file and saying what to write, not one 'cannot vary by year' per region."""
    import shutil

    from workforce.errors import ScenarioError
    from workforce.scenario import load_scenario

    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "configs", tmp_path / "configs")
    data = tmp_path / "configs" / "data" / "ep_initial_stock.csv"
    lines = data.read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in lines[1:] if line.strip()]
    data.write_text("region,2026\n" + "".join(f"{r[0]},{r[2]}\n" for r in rows), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "configs" / "england_baseline.yaml")
    problems = caught.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    text = str(problems[0])
    assert "ep_initial_stock.csv" in text and "roles.ep.initial_stock" in text
    assert "given by year (2026)" in text and "region,value" in text and "rename its year column to value" in text
