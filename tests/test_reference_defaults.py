"""The YAML reference says which keys are required, and only those (issue 17 §4): `extends` is
optional (a plain scenario has none), and a key that may be replaced by another says so."""

from __future__ import annotations

from workforce.scenario.reference import yaml_reference


def row(key: str) -> list[str]:
    (line,) = [line for line in yaml_reference().splitlines() if line.startswith(f"| `{key}` |")]
    return [cell.strip() for cell in line.strip("|").split(" | ")]


def test_extends_is_optional_and_either_or_keys_say_so():
    assert row("extends")[3] == "none"
    assert row("roles")[3] == "required"
    assert row("roles.<id>.demand")[3] == "required unless `demand_forecast` is given"
    assert row("roles.<id>.demand_forecast")[3] == "required unless `demand` is given"
    assert row("programmes.<id>.duration")[3] == "required unless `calendar` is given"


def test_a_bound_that_excludes_its_value_is_shown():
    """The discount rate must be at least 0 and below 1 (pydantic lt=1, JSON Schema
    exclusiveMaximum); the reference used to show only "number ≥ 0"."""
    assert row("objective.discount.rate")[1] == "number ≥ 0, below 1"
    assert row("horizon.terminal_value.discount_rate")[1] == "number 0–0.2"
