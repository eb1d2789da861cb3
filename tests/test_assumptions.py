"""Every number in configs/ is listed in models/assumptions.md (rules at the top of that file)."""

from __future__ import annotations

import re
from pathlib import Path

from workforce.scenario.csvio import read_table_csv
from workforce.scenario.yamlio import read_yaml

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "models" / "assumptions.md"
STATUSES = {"published", "derived", "estimate", "assumption"}
ROW = re.compile(r"^\| `([^`]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$")


def logged() -> dict[str, dict[str, tuple[float, str, str]]]:
    """{section file: {key or table file: (value, status, range)}} from the log's tables."""
    sections: dict[str, dict[str, tuple[float, str, str]]] = {}
    current = None
    for line in LOG.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = {}
            continue
        match = ROW.match(line)
        if match and current is not None:
            key, value, _unit, status, _source, rng = (g.strip() for g in match.groups())
            assert key not in sections[current], f"{key} is listed twice under {current}"
            sections[current][key] = (float(value.replace(",", "")), status, rng)
    return sections


def numbers(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from numbers(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from numbers(v, (*path, i))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield ".".join(map(str, path)), float(node)


def checksum(table) -> float:
    if isinstance(table, dict):
        return sum(checksum(v) for v in table.values())
    return float(table)


def test_every_yaml_number_is_logged_with_its_value():
    log = logged()
    problems = []
    for path in sorted((ROOT / "configs").glob("*.yaml")):
        rel = path.relative_to(ROOT).as_posix()
        data, _ = read_yaml(path)
        found = dict(numbers(data))
        listed = log.get(rel, {})
        problems += [f"{rel}: {k} = {v:g} is not in models/assumptions.md" for k, v in found.items() if k not in listed]
        problems += [f"{rel}: {k} is {v:g} but the log says {listed[k][0]:g}"
                     for k, v in found.items() if k in listed and abs(listed[k][0] - v) > 1e-9]
        problems += [f"{rel}: the log lists {k}, which the file does not have" for k in listed if k not in found]
    assert not problems, "\n".join(problems)


def test_every_table_is_logged_with_its_checksum():
    listed = logged()["Tables (configs/data/)"]
    problems = []
    files = sorted((ROOT / "configs" / "data").glob("*.csv"))
    for path in files:
        table, _ = read_table_csv(path, str(path))
        total = checksum(table)
        if path.name not in listed:
            problems.append(f"configs/data/{path.name} (checksum {total:g}) is not in models/assumptions.md")
        elif abs(listed[path.name][0] - total) > 1e-6 * max(1, abs(total)):
            problems.append(f"configs/data/{path.name}: checksum is {total:g} but the log says {listed[path.name][0]:g}")
    problems += [f"the log lists {name}, which configs/data/ does not have"
                 for name in listed if name not in {p.name for p in files}]
    assert not problems, "\n".join(problems)


def test_every_row_has_a_status_and_a_range():
    for section, rows in logged().items():
        for key, (_value, status, rng) in rows.items():
            assert status in STATUSES, f"{section} {key}: status {status!r} is not one of {sorted(STATUSES)}"
            assert rng, f"{section} {key}: no sensitivity range"
