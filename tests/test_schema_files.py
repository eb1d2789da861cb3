"""Editor support: the committed JSON Schema and YAML reference match the code, and the schema
accepts what the loader accepts and flags what it refuses."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel

from workforce import scenario_from_dict
from workforce.cli.commands import main
from workforce.output.generated import REFERENCE_PATH, REGENERATE, SCHEMA_PATH, VARIANT_SCHEMA_PATH
from workforce.scenario import jsonschema as js
from workforce.scenario.checks import table_fields
from workforce.scenario.load import _unwrap
from workforce.scenario.reference import yaml_reference
from workforce.scenario.schema import Scenario

from scenarios import MINIMAL_YAML, minimal_scenario  # isort: skip

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))


def test_committed_schema_is_current():
    committed = (ROOT / SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == js.schema_text(), f"{SCHEMA_PATH} is stale; regenerate it with: {REGENERATE}"


def test_committed_yaml_reference_is_current():
    committed = (ROOT / REFERENCE_PATH).read_text(encoding="utf-8")
    assert committed == yaml_reference(), f"{REFERENCE_PATH} is stale; regenerate it with: {REGENERATE}"


def test_the_cli_writes_exactly_the_committed_files(tmp_path):
    result = CliRunner().invoke(main, ["schema", "--out", str(tmp_path / "s.json"),
                                       "--reference", str(tmp_path / "ref.md")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == (ROOT / SCHEMA_PATH).read_text(encoding="utf-8")
    assert (tmp_path / "ref.md").read_text(encoding="utf-8") == (ROOT / REFERENCE_PATH).read_text(encoding="utf-8")
    printed = CliRunner().invoke(main, ["schema", "--out", "-"])
    assert json.loads(printed.output)["title"] == "workforce scenario"


def test_the_cli_reports_an_unwritable_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["schema", "--out", str(blocker / "schema.json")])
    assert result.exit_code == 4  # outputs could not be written (the README's table)
    assert "could not write" in result.output and "a part of the path is a file" in result.output
    assert "Traceback" not in result.output


def _is_variant(config: Path) -> bool:
    return "extends" in (yaml.safe_load(config.read_text(encoding="utf-8")) or {})


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_every_config_points_editors_at_the_schema(config):
    first = config.read_text(encoding="utf-8").splitlines()[0]
    name = "schema.variant.json" if _is_variant(config) else "schema.json"
    assert first == f"# yaml-language-server: $schema={name}"
    assert (config.parent / name).exists()


def test_committed_variant_schema_is_current():
    committed = (ROOT / VARIANT_SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == js.variant_schema_text(), f"{VARIANT_SCHEMA_PATH} is stale; regenerate it with: {REGENERATE}"


def test_the_variant_schema_requires_extends_and_nothing_else():
    validator = jsonschema.Draft202012Validator(js.variant_json_schema())
    assert [e.message for e in validator.iter_errors({"roles": {"ep": {"attrition": 0.1}}})] == [
        "'extends' is a required property"
    ]
    assert list(validator.iter_errors({"extends": "base.yaml", "roles": {"ep": {"attrition": 0.1}}})) == []
    wrong = list(validator.iter_errors({"extends": "base.yaml", "roles": {"ep": {"atrition": 0.1}}}))
    assert wrong and "atrition" in wrong[0].message  # typos are still flagged in a variant


def _as_editor_sees_it(node: Any) -> Any:
    """YAML keys as the editor's validator sees them: JSON object keys are strings."""
    if isinstance(node, dict):
        return {str(k): _as_editor_sees_it(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_editor_sees_it(v) for v in node]
    return node


def _errors(document: Any) -> list[tuple[list[Any], str]]:
    validator = jsonschema.Draft202012Validator(js.scenario_json_schema())
    return [(list(e.absolute_path), e.message) for e in validator.iter_errors(_as_editor_sees_it(document))]


def test_the_schema_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(js.scenario_json_schema())


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_shipped_scenarios_raise_no_editor_errors(config):
    schema = js.variant_json_schema() if _is_variant(config) else js.scenario_json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    document = _as_editor_sees_it(yaml.safe_load(config.read_text(encoding="utf-8")))
    assert [(list(e.absolute_path), e.message) for e in validator.iter_errors(document)] == []


def test_the_test_scenarios_raise_no_editor_errors():
    assert _errors(yaml.safe_load(MINIMAL_YAML)) == []
    assert _errors(minimal_scenario()) == []


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d["roles"]["ep"].update(atrition=0.1), ["roles", "ep"]),           # misspelt key
        (lambda d: d["roles"]["ep"].update(demand={"E1": -3}), ["roles", "ep", "demand"]),  # negative table value
        (lambda d: d["roles"].update(EP=d["roles"]["ep"]), ["roles"]),                 # not an id
        (lambda d: d["programmes"]["dedpsy"].update(completion_rate=1.5), ["programmes", "dedpsy", "completion_rate"]),
        (lambda d: d["roles"]["ep"].update(unit="heads"), ["roles", "ep", "unit"]),
        (lambda d: d["objective"].update(weights={"shortfal": 2}), ["objective", "weights"]),
        (lambda d: d.pop("horizon"), []),                                                # required key
    ],
)
def test_the_schema_flags_what_the_loader_refuses(edit, where):
    document = minimal_scenario()
    edit(document)
    assert where in [path for path, _ in _errors(document)]
    with pytest.raises(ValueError):
        scenario_from_dict(document)


def test_every_numeric_key_has_a_unit_in_schema_and_reference():
    assert js.missing_units() == []
    reference = yaml_reference()
    for key in ("£k a year", "fraction a year (0-1)", "trainees (starters) a year", "£k per starter, per course year"):
        assert key in reference
    demand = js.scenario_json_schema()["$defs"]["Role"]["properties"]["demand"]
    assert demand["unit"] == js.ROLE_UNIT and "Unit: role unit" in demand["description"]


def test_a_numeric_key_without_a_unit_is_caught(monkeypatch):
    monkeypatch.delitem(js.UNITS, "Role.demand")
    monkeypatch.delitem(js.UNITS, "SolverSettings.threads")
    assert js.missing_units() == ["Role.demand", "SolverSettings.threads"]


def test_every_key_of_the_models_is_in_the_reference():
    reference = yaml_reference()

    def walk(model: type[BaseModel], prefix: str, ancestors: tuple[type, ...] = ()) -> None:
        if model in ancestors:  # a recursive model (demand_forecast.plus) is listed once, then referred to
            return
        for name, field in model.model_fields.items():
            key = f"{prefix}{name}"
            assert f"| `{key}` |" in reference, key
            tp = _unwrap(field.annotation)
            suffix = ""
            if typing.get_origin(tp) is dict:
                tp, suffix = _unwrap(typing.get_args(tp)[1]), ".<id>"
            elif typing.get_origin(tp) is list:
                tp, suffix = _unwrap(typing.get_args(tp)[0]), "[]"
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                if tp in (*ancestors, model):
                    assert "Same keys as" in reference.split(f"| `{key}` |")[1].split("\n")[0], key
                walk(tp, f"{key}{suffix}.", (*ancestors, model))

    walk(Scenario, "")


def _model_field(path: tuple[Any, ...]) -> str:
    """'Model.field' of a scenario key path such as ('roles', 'ep', 'hiring', 'max')."""
    tp: Any = Scenario
    owner = "Scenario"
    skip_key = False
    for part in path:
        if skip_key:
            skip_key = False
            continue
        tp = _unwrap(tp)
        owner = tp.__name__
        tp = tp.model_fields[part].annotation
        inner = _unwrap(tp)
        if typing.get_origin(inner) is dict:
            tp = typing.get_args(inner)[1]
            skip_key = True
    return f"{owner}.{path[-1] if not isinstance(path[-1], int) else path[-2]}"


def test_table_dimensions_match_the_loader():
    spec = minimal_scenario()
    ep = spec["roles"]["ep"]
    ep.update(attrition_new_entrants=0.05, surplus_max=3, required_share=0.5, exits={"enabled": True, "max": 1},
              flexible_supply={"agency": {"name": "Agency", "fte_per_unit": 1, "cost": 1, "max": 1}},
              unit="FTE", fte_per_head=0.8)
    spec["programmes"]["dedpsy"].update(national_places=8, intake_min=0, intake_max=5, prior_intake={2025: 1})
    spec["funding_streams"]["dfe"]["budget"] = 100
    spec["surplus_groups"] = {"g": {"roles": ["ep", "senco"], "max": 9}}
    words = {("region",): "region", ("year",): "year", ("region", "year"): "region × year"}
    found = {}
    for path, _value, dims, _years in table_fields(scenario_from_dict(spec)):
        found[_model_field(path)] = words[dims]
    assert set(found) == set(js.TABLE_DIMS), "TABLE_DIMS lists other fields than checks.table_fields"
    for key, dims in found.items():
        assert js.TABLE_DIMS[key].startswith(dims), key
