"""Write the corpus cases added for issue 14 (tests/corpus/<case>/ and their index entries).

Each case is the corpus base scenario with one fault: an edit of scenario.yaml and/or files of its
own. The expected file, line, key and phrase are written here by hand; tests/test_corpus.py checks
them. Run ``python tests/corpus_grow.py`` from the repository root; existing cases are left alone.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

CORPUS = Path(__file__).parent / "corpus"
BASE = (CORPUS / "negative-budget" / "scenario.yaml").read_text().replace("budget: -500", "budget: 500")
DATA = CORPUS / "negative-budget" / "data"

DEMAND = "region,2026,2027,2028\nE1,10,11,12\nE2,20,20,20\n"
PLACES = "region,year,value\nE1,2026,5\nE1,2027,5\nE1,2028,5\nE2,2026,5\nE2,2027,5\nE2,2028,5\n"

# (old, new) edits of the base scenario by line
PEN = "    shortfall_penalty: 100"
STOCK = "    initial_stock: {E1: 10, E2: 20}"
ATTR = "    attrition: 0.1"
BUDGET = "    budget: 500"
COST = "      - {dfe: 30}"
DUR = "    duration: 2"
COMP = "    completion_rate: 0.9"
NAME = "name: Corpus base scenario"
RNAME = "    name: North"
ROLE_NAME = "    name: Educational psychologists"
PROG_NAME = "    name: Doctorate in educational psychology"
FS_NAME = "    name: DfE training grant"
DEMAND_REF = "    demand: {file: data/demand.csv}"
PLACES_REF = "    places: {file: data/places.csv}"
CODE2 = "  - code: E2"
UNIT = "    unit: FTE"
LAST = "  last_year: 2028"


def case(name, fault, line, key, says, edits=(), files=None, file="scenario.yaml", text=None):
    return dict(case=name, fault=fault, line=line, key=key, says=says, edits=list(edits), files=files or {},
                file=file, text=text)


CASES = [
    # --- magnitudes the solver refuses
    case("huge-penalty-1e300", "a penalty of 1e300", 17, "roles.ep.shortfall_penalty", "too large for the solver",
         [(PEN, "    shortfall_penalty: 1.0e300")]),
    case("huge-penalty-1e20", "a penalty of 1e20 (HiGHS's infinity)", 17, "roles.ep.shortfall_penalty",
         "between -1e12 and 1e12", [(PEN, "    shortfall_penalty: 1e20")]),
    case("huge-stock", "an initial stock of 1e20", 14, "roles.ep.initial_stock.E1", "too large for the solver",
         [(STOCK, "    initial_stock: {E1: 1.0e+20, E2: 20}")]),
    case("huge-budget", "a budget of 1e21", 30, "funding_streams.dfe.budget", "too large for the solver",
         [(BUDGET, "    budget: 1000000000000000000000")]),
    case("huge-course-cost", "a course cost of 1e15", 25, "programmes.dedpsy.course_costs.0.dfe",
         "too large for the solver", [(COST, "      - {dfe: 1e15}")]),
    case("huge-demand-in-csv", "a CSV demand of 1e20", 2, "roles.ep.demand.E1.2026", "too large for the solver",
         files={"data/demand.csv": "region,2026,2027,2028\nE1,1e20,11,12\nE2,20,20,20\n"}, file="data/demand.csv"),
    case("huge-places-in-csv", "CSV places of 5e13", 4, "programmes.dedpsy.places.E1.2028", "too large for the solver",
         files={"data/places.csv": PLACES.replace("E1,2028,5", "E1,2028,5e13")}, file="data/places.csv"),
    case("huge-negative-number", "a number below -1e12", 15, "roles.ep.attrition", "too large for the solver",
         [(ATTR, "    attrition: -1e13")]),
    case("hundred-digit-integer", "a 100-digit integer", 17, "roles.ep.shortfall_penalty", "100-digit number",
         [(PEN, "    shortfall_penalty: " + "7" * 100)]),
    case("huge-exponent-no-dot", "1e13 written without a dot", 14, "roles.ep.initial_stock.E2",
         "too large for the solver", [(STOCK, "    initial_stock: {E1: 10, E2: 1e13}")]),
    case("infinite-penalty", "a penalty of .inf", 17, "roles.ep.shortfall_penalty", "finite",
         [(PEN, "    shortfall_penalty: .inf")]),
    # --- explicit tags whose values do not parse
    case("tag-float-abc", "!!float on text", 15, "roles.ep.attrition", "'abc' cannot be read as a number",
         [(ATTR, '    attrition: !!float "abc"')]),
    case("tag-bool-maybe", "!!bool on a word that is not a truth value", 15, "roles.ep.attrition",
         "cannot be read as true or false", [(ATTR, '    attrition: !!bool "maybe"')]),
    case("tag-int-hex-garbage", "!!int on text", 22, "programmes.dedpsy.duration", "cannot be read as a whole number",
         [(DUR, '    duration: !!int "2x"')]),
    case("tag-int-empty", "!!int on an empty string", 22, "programmes.dedpsy.duration",
         "cannot be read as a whole number", [(DUR, '    duration: !!int ""')]),
    case("tag-float-empty", "!!float on an empty string", 23, "programmes.dedpsy.completion_rate",
         "cannot be read as a number", [(COMP, '    completion_rate: !!float ""')]),
    case("tag-bool-number", "!!bool on a number", 15, "roles.ep.attrition", "cannot be read as true or false",
         [(ATTR, '    attrition: !!bool "2"')]),
    case("tag-binary", "a !!binary value", 12, "roles.ep.name", "the YAML tag '!!binary'",
         [(ROLE_NAME, "    name: !!binary aGVsbG8=")]),
    case("tag-set", "a !!set mapping", 14, "roles.ep.initial_stock", "the YAML tag '!!set'",
         [(STOCK, "    initial_stock: !!set {E1, E2}")]),
    case("tag-omap", "a !!omap list", 14, "roles.ep.initial_stock", "the YAML tag '!!omap'",
         [(STOCK, "    initial_stock: !!omap [{E1: 10}, {E2: 20}]")]),
    case("tag-custom", "a custom local tag", 15, "roles.ep.attrition", "the YAML tag '!percent'",
         [(ATTR, "    attrition: !percent 10")]),
    case("tag-python-name", "a !!python/name tag", 1, "name", "the YAML tag '!!python/name:os.system'",
         [(NAME, "name: !!python/name:os.system ''")]),
    case("tag-timestamp-explicit", "an explicit !!timestamp", 3, "horizon.first_year", "dates and times",
         [("  first_year: 2026", "  first_year: !!timestamp 2026-09-01")]),
    # --- integers too long to convert
    case("integer-5000-digits", "an integer literal of 5,000 digits", 17, "roles.ep.shortfall_penalty",
         "(it has 5,000 digits)", [(PEN, "    shortfall_penalty: " + "9" * 5000)]),
    case("integer-5000-digits-in-stock", "a 5,000-digit stock", 14, "roles.ep.initial_stock.E1",
         "(it has 5,000 digits)", [(STOCK, "    initial_stock: {E1: " + "1" * 5000 + ", E2: 20}")]),
    case("integer-5000-digits-budget", "a 5,000-digit budget", 30, "funding_streams.dfe.budget",
         "(it has 5,000 digits)", [(BUDGET, "    budget: " + "2" * 5000)]),
    # --- null and boolean keys
    case("null-key-in-role", "a null: key in a role", 15, "roles.ep", "read by YAML as nothing",
         [(ATTR, "    null: 0.1")]),
    case("tilde-key-in-role", "a ~ key in a role", 15, "roles.ep", "read by YAML as nothing", [(ATTR, "    ~: 0.1")]),
    case("capital-null-key-in-role", "a Null: key in a role", 15, "roles.ep", "read by YAML as nothing",
         [(ATTR, "    Null: 0.1")]),
    case("null-key-top-level", "a null: key at the top level", 1, None, "read by YAML as nothing",
         [(NAME, "NULL: Corpus base scenario")]),
    case("no-key-region-table", "region code NO unquoted as a table key", 14, "roles.ep.initial_stock",
         "'NO' is read by YAML as false", [(STOCK, "    initial_stock: {E1: 10, NO: 20}")]),
    case("yes-key-in-role", "a yes: key in a role", 13, "roles.ep", "'yes' is read by YAML as true",
         [(UNIT, "    yes: FTE")]),
    case("on-key-top-level", "an on: key at the top level", 1, None, "'on' is read by YAML as true",
         [(NAME, "on: Corpus base scenario")]),
    case("no-as-region-code-upper", "region code NO unquoted", 8, "regions.1.code", "quote text ('NO')",
         [(CODE2, "  - code: NO")]),
    case("off-as-unit", "unit off read as false", 13, "roles.ep.unit", "quote text", [(UNIT, "    unit: off")]),
    # --- NUL and control characters in YAML
    case("nul-byte-in-yaml", "a NUL byte in the scenario", 15, None, "(a NUL byte)",
         [(ATTR, "    attrition: 0.1\x00")]),
    case("nul-byte-first-line", "a NUL byte on the first line", 1, None, "(a NUL byte)",
         [(NAME, "name: Corpus\x00 base scenario")]),
    case("bell-character-in-yaml", "a BEL control character", 20, None, "U+0007", [(PROG_NAME, PROG_NAME + "\x07")]),
    case("escape-character-in-yaml", "an ESC control character", 29, None, "U+001B", [(FS_NAME, FS_NAME + "\x1b[31m")]),
    case("nul-byte-in-quoted-name", "an escaped NUL in a quoted name", 7, "regions.0.name", "control characters",
         [(RNAME, '    name: "Nor\\0th"')]),
    # --- decimal commas
    case("decimal-comma-yaml", "attrition written 0,1", 15, "roles.ep.attrition", "decimal comma",
         [(ATTR, "    attrition: 0,1")]),
    case("decimal-comma-csv", "276,1 in a CSV cell", 3, "roles.ep.demand", "uses a decimal comma; write 276.1",
         files={"data/demand.csv": 'region,2026,2027,2028\nE1,10,11,12\nE2,"276,1",20,20\n'}, file="data/demand.csv"),
    case("decimal-comma-long-csv", "0,5 in a long CSV", 4, "programmes.dedpsy.places", "uses a decimal comma",
         files={"data/places.csv": PLACES.replace("E1,2028,5", 'E1,2028,"0,5"')}, file="data/places.csv"),
    case("decimal-comma-completion", "completion rate 0,9", 23, "programmes.dedpsy.completion_rate", "decimal comma",
         [(COMP, "    completion_rate: 0,9")]),
    case("thousands-separators-many", "12,345,678 in a CSV cell", 3, "roles.ep.demand",
         "has a thousands separator; write 12345678",
         files={"data/demand.csv": 'region,2026,2027,2028\nE1,10,11,12\nE2,"12,345,678",20,20\n'}, file="data/demand.csv"),
    # --- invisible (bidi, zero-width) characters in names
    case("bidi-override-in-scenario-name", "RIGHT-TO-LEFT OVERRIDE in the scenario name", 1, "name",
         "RIGHT-TO-LEFT OVERRIDE", [(NAME, "name: Corpus \u202ebase scenario")]),
    case("zero-width-space-in-region-name", "ZERO WIDTH SPACE in a region name", 7, "regions.0.name",
         "ZERO WIDTH SPACE", [(RNAME, "    name: Nor\u200bth")]),
    case("bidi-isolate-in-role-name", "LEFT-TO-RIGHT ISOLATE in a role name", 12, "roles.ep.name",
         "LEFT-TO-RIGHT ISOLATE", [(ROLE_NAME, "    name: Educational \u2066psychologists")]),
    case("bom-inside-programme-name", "U+FEFF inside a programme name", 20, "programmes.dedpsy.name",
         "ZERO WIDTH NO-BREAK SPACE", [(PROG_NAME, "    name: Doctorate\ufeff in educational psychology")]),
    case("zero-width-joiner-in-stream-name", "ZERO WIDTH JOINER in a funding stream name", 29,
         "funding_streams.dfe.name", "ZERO WIDTH JOINER", [(FS_NAME, "    name: DfE\u200d training grant")]),
    case("rtl-mark-in-description", "RIGHT-TO-LEFT MARK in the description", 2, "description",
         "RIGHT-TO-LEFT MARK", [(NAME, NAME + "\ndescription: Baseline \u200f2026")], text=None),
    case("rtl-embedding-in-unit", "RIGHT-TO-LEFT EMBEDDING leading a region name", 9, "regions.1.name",
         "RIGHT-TO-LEFT EMBEDDING", [("    name: South", "    name: \u202bSouth")]),
    case("word-joiner-in-role-name", "WORD JOINER in a role name", 12, "roles.ep.name", "WORD JOINER",
         [(ROLE_NAME, "    name: Educational\u2060psychologists")]),
    # --- control characters in names and descriptions (a carriage return splits a CSV row)
    case("carriage-return-leading-name", "a name that begins with a carriage return", 12, "roles.ep.name",
         "cannot be used as a name", [(ROLE_NAME, '    name: "\\rEducational psychologists"')]),
    case("carriage-return-in-description", "a description with a carriage return", 2, "description",
         "a carriage return can split a row", [(NAME, NAME + '\ndescription: "\\r=HYPERLINK(1)"')]),
    case("delete-character-in-name", "a DEL character in a name", 7, "regions.0.name", "cannot be used as a name",
         [(RNAME, '    name: "Nor\\x7fth"')]),
    case("tab-leading-name", "a name that begins with a tab", 20, "programmes.dedpsy.name", "cannot be used as a name",
         [(PROG_NAME, '    name: "\\tDoctorate"')]),
    case("vertical-tab-in-description", "a vertical tab in the description", 2, "description",
         "cannot be used as a description", [(NAME, NAME + '\ndescription: "a\\vb"')]),
    # --- over-long values are echoed shortened
    case("ten-thousand-character-name", "a 10,000-character name", 1, "name", "(10,000 characters)",
         [(NAME, "name: " + "Long" * 2500)]),
    case("ten-thousand-character-code", "a 10,000-character region code", 6, "regions.0.code",
         "(10,000 characters)", [("  - code: E1", "  - code: " + "E" * 10000)]),
    case("long-text-for-number", "a 5,000-character word where a number belongs", 15, "roles.ep.attrition",
         "(5,000 characters)", [(ATTR, "    attrition: " + "ab" * 2500)]),
    # --- files that are not regular files, and paths no file system opens
    case("csv-path-is-folder", "a CSV path naming a folder", None, "roles.ep.demand", "is a folder, not a CSV file",
         [(DEMAND_REF, "    demand: {file: data/sub.csv}")], files={"data/sub.csv/": None}, file="data/sub.csv"),
    case("csv-symlink-loop", "a CSV that is a symlink loop", None, "roles.ep.demand", "symbolic link loop",
         files={"data/demand.csv": ("symlink", "demand.csv")}, file="data/demand.csv"),
    case("csv-symlink-to-dev-zero", "a CSV linked to /dev/zero", 16, "roles.ep.demand", "leaves the scenario's folder",
         files={"data/demand.csv": ("symlink", "/dev/zero")}),
    case("csv-path-with-nul", "a CSV path with a NUL byte", 16, "roles.ep.demand", "NUL byte",
         [(DEMAND_REF, '    demand: {file: "data/dem\\0and.csv"}')]),
    case("csv-path-over-long", "a CSV path of 5,000 characters", 16, "roles.ep.demand", "paths are limited to 4,096",
         [(DEMAND_REF, "    demand: {file: " + "d/" * 2500 + "x.csv}")]),
    case("csv-name-too-long", "a CSV file name of 300 characters", None, "roles.ep.demand", "too long",
         [(DEMAND_REF, "    demand: {file: data/" + "n" * 300 + ".csv}")], file="data/" + "n" * 300 + ".csv"),
    case("csv-path-through-a-file", "a CSV path that goes through a file", 16, "roles.ep.demand",
         "not found", [(DEMAND_REF, "    demand: {file: data/places.csv/x.csv}")]),
    case("csv-symlink-dangling", "a CSV symlink to nothing", None, "roles.ep.demand", "file not found",
         files={"data/demand.csv": ("symlink", "gone.csv")}, file="data/demand.csv"),
    # --- extends:
    case("extends-a-folder", "extends: naming a folder", 1, "extends", "is a folder",
         [(NAME, "extends: base.yaml\n" + NAME)], files={"base.yaml/": None}),
    case("extends-too-deep", "an extends: chain of nine files", 1, "extends", "limited to 8 files",
         [(NAME, "extends: f1.yaml\n" + NAME)],
         files={**{f"f{i}.yaml": f"extends: f{i + 1}.yaml\nname: F{i}\n" for i in range(1, 8)}, "f8.yaml": BASE},
         file="f7.yaml"),
    case("extends-not-yaml", "extends: naming a CSV", 1, "extends", "is not a .yaml file",
         [(NAME, "extends: data/demand.csv\n" + NAME)]),
    case("extends-missing-file", "extends: naming a file that is not there", 1, "extends", "not found",
         [(NAME, "extends: nothere.yaml\n" + NAME)]),
    case("extends-itself", "a scenario that extends itself", 1, "extends", "makes a cycle",
         [(NAME, "extends: scenario.yaml\n" + NAME)]),
    case("extends-outside", "extends: leaving the folder", 1, "extends", "--allow-path DIR",
         [(NAME, "extends: ../negative-budget/scenario.yaml\n" + NAME)]),
    case("extends-empty", "an empty extends:", 1, "extends", "needs the path", [(NAME, "extends: ''\n" + NAME)]),
    case("extends-nul", "extends: with a NUL byte", 1, "extends", "NUL byte", [(NAME, 'extends: "b\\0.yaml"\n' + NAME)]),
    case("extends-a-number", "extends: 3", 1, "extends", "needs the path", [(NAME, "extends: 3\n" + NAME)]),
    # --- wrong shapes and values not yet in the corpus
    case("attrition-as-list", "attrition written as a list", 15, "roles.ep.attrition", "expected a number, got [0.1, 0.2]",
         [(ATTR, "    attrition: [0.1, 0.2]")]),
    case("name-as-mapping", "a name written as a mapping", 1, "name", "valid string", [(NAME, "name: {a: 1}")]),
    case("horizon-as-list", "a horizon written as a list", 2, "horizon", "valid dictionary",
         [("horizon:\n  first_year: 2026\n  last_year: 2028", "horizon: [2026, 2028]")]),
    case("duration-negative", "a programme of minus one year", 22, "programmes.dedpsy.duration", "greater than or equal to 0",
         [(DUR, "    duration: -1")]),
    case("duration-fraction", "a duration of 1.5 years", 22, "programmes.dedpsy.duration", "valid integer",
         [(DUR, "    duration: 1.5")]),
    case("completion-negative", "a negative completion rate", 23, "programmes.dedpsy.completion_rate",
         "greater than or equal to 0", [(COMP, "    completion_rate: -0.1")]),
    case("budget-as-text", "a budget written as words", 30, "funding_streams.dfe.budget", "expected a number, got 'five hundred'",
         [(BUDGET, "    budget: five hundred")]),
    case("course-costs-as-mapping", "course costs as a mapping, not a list", 24, "programmes.dedpsy.course_costs",
         "valid list", [("    course_costs:\n      - {dfe: 30}", "    course_costs:\n      dfe: 30")]),
    case("unknown-stream-in-cost", "a course cost paid by an unknown stream", 25,
         "programmes.dedpsy.course_costs.0.la", "unknown funding stream", [(COST, "      - {la: 30}")]),
    case("horizon-year-text", "a horizon year written as text", 4, "horizon.last_year", "valid integer",
         [(LAST, "  last_year: twenty")]),
    case("horizon-too-long", "a horizon of 200 years", 4, "horizon.last_year", "less than or equal to 2100",
         [(LAST, "  last_year: 2226")]),
    case("region-code-with-space", "a region code with a space", 8, "regions.1.code", "not a valid region code",
         [(CODE2, "  - code: E 2")]),
    case("role-id-upper-case", "a role id in capitals", 11, "roles.EP", "not a valid id", [("  ep:\n", "  EP:\n")]),
    case("csv-with-nul-byte", "a NUL byte inside a CSV", 3, "roles.ep.demand", "'2\\x000' is not a number",
         files={"data/demand.csv": "region,2026,2027,2028\nE1,10,11,12\nE2,20,2\x000,20\n"}, file="data/demand.csv"),
    case("csv-formula-cell", "a formula in a CSV value cell", 3, "roles.ep.demand", "is not a number",
         files={"data/demand.csv": "region,2026,2027,2028\nE1,10,11,12\nE2,=1+1,20,20\n"}, file="data/demand.csv"),
    case("csv-long-cell", "a 5,000-character CSV cell", 3, "roles.ep.demand", "(5,000 characters)",
         files={"data/demand.csv": "region,2026,2027,2028\nE1,10,11,12\nE2," + "x" * 5000 + ",20,20\n"},
         file="data/demand.csv"),
    case("csv-exponent-too-large", "1e300 in a CSV", 3, "roles.ep.demand.E2.2026", "too large for the solver",
         files={"data/demand.csv": "region,2026,2027,2028\nE1,10,11,12\nE2,1e300,20,20\n"}, file="data/demand.csv"),
]


def write(spec: dict) -> None:
    folder = CORPUS / spec["case"]
    if folder.exists():
        return
    folder.mkdir()
    shutil.copytree(DATA, folder / "data")
    text = BASE
    for old, new in spec["edits"]:
        assert text.count(old) == 1, (spec["case"], old)
        text = text.replace(old, new)
    (folder / "scenario.yaml").write_bytes(text.encode("utf-8"))
    for rel, content in spec["files"].items():
        target = folder / rel
        if rel.endswith("/"):
            target.mkdir(parents=True)
            (target / ".keep").write_text("a folder where a file belongs\n")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() or target.is_symlink():
            target.unlink()
        if isinstance(content, tuple):
            os.symlink(content[1], target)
        else:
            target.write_bytes(content.encode("utf-8"))


def main() -> None:
    index = CORPUS / "index.yaml"
    known = {c["case"] for c in yaml.safe_load(index.read_text())}
    entries = []
    for spec in CASES:
        write(spec)
        if spec["case"] in known:
            continue
        entries.append({k: spec[k] for k in ("case", "fault", "file", "line", "key", "says")})
    if entries:
        with index.open("a", encoding="utf-8") as fh:
            fh.write("\n# Added for issue 14 by tests/corpus_grow.py\n")
            fh.write(yaml.safe_dump(entries, sort_keys=False, allow_unicode=False, width=200))


if __name__ == "__main__":
    main()
