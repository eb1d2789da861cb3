"""The fully resolved scenario as YAML, each value with the file and line it came from."""

from __future__ import annotations

from typing import Any

import yaml

from workforce.scenario.schema import Scenario


def provenance(scenario: Scenario, path: tuple[Any, ...]) -> str:
    """'file:line' where ``path`` was written, the CSV it was read from, or 'default'."""
    sources = scenario._sources
    if len(path) >= 3 and path[0] == "roles" and path[2] == "demand" and path not in sources:
        role = scenario.roles.get(path[1])
        if role is not None and role.demand_forecast is not None:
            file, line = scenario.source_of(("roles", path[1], "demand_forecast"))
            return f"computed by demand_forecast ({file}:{line})" if line else "computed by demand_forecast"
    if path in sources:
        file, line = sources[path]
        return f"{file}:{line}" if line else file
    for depth in range(len(path) - 1, 0, -1):
        if path[:depth] in sources:
            file, line = sources[path[:depth]]
            if file.lower().endswith(".csv"):
                return f"{file}:{line}" if line else file
            break
    return "default"


def resolved_text(scenario: Scenario) -> str:
    """Every key of the validated scenario (defaults included) as YAML, with provenance comments.

    Tables (mappings of numbers by region or year) are printed one row per line in flow style.
    """
    data = scenario.model_dump(mode="python")
    lines = [f"# {scenario.name}: fully resolved ({scenario._origin})", ""]
    _emit(scenario, data, (), 0, lines)
    return "\n".join(lines) + "\n"


def _is_row(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(isinstance(v, int | float) for v in value.values())


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False).strip()
    return text[: -len("...")].strip() if text.endswith("\n...") else text


def _emit(scenario: Scenario, node: Any, path: tuple[Any, ...], depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    if isinstance(node, dict):
        for key, value in node.items():
            here = (*path, key)
            label = _flow(key) if not isinstance(key, str) else key
            if isinstance(value, dict) and value and not _is_row(value):
                lines.append(f"{pad}{label}:  # {provenance(scenario, here)}")
                _emit(scenario, value, here, depth + 1, lines)
            elif isinstance(value, list) and value and any(isinstance(v, dict | list) for v in value):
                lines.append(f"{pad}{label}:  # {provenance(scenario, here)}")
                for i, item in enumerate(value):
                    lines.append(f"{pad}  - {_flow(item)}  # {provenance(scenario, (*here, i))}")
            else:
                lines.append(f"{pad}{label}: {_flow(value)}  # {provenance(scenario, here)}")
