"""The YAML reference: every scenario key with its type, unit, default and meaning, from the schema.

``workforce schema --reference docs/yaml-reference.md`` writes it; a test fails when the
committed page differs from what this module generates, so the page cannot drift from the code.
"""

from __future__ import annotations

import json
from typing import Any

from workforce.scenario.jsonschema import scenario_json_schema

INTRO = """\
# YAML reference

Every key a scenario file may contain, generated from the pydantic models in
`workforce/scenario/schema.py` by `workforce schema --reference docs/yaml-reference.md` (do not edit
by hand). `<id>` stands for an identifier you choose: lower-case letters, digits and underscores,
starting with a letter, at most 40 characters.

**Units.** Money is in £ thousands (£k). Rates are fractions (0.09 = 9% a year). Years are academic
years (2026 = 2026/27). A *role unit* is the role's `unit`: people or FTE.

**Tables.** A key of type *table* takes one number (the same everywhere), a mapping by region
(ONS code or name) `{E12000007: 646, North East: 89}`, a mapping by year `{2026: 200, 2027: 210}`,
a mapping region → year → value, or `{file: data/x.csv}`, a CSV file beside the scenario with one
row per region and one column per year. The *type* column says which of region and year the table
may vary over.

**Defaults.** *required* means the key must be given; *none* means the feature is off or
unlimited, as the meaning says.
"""


def yaml_reference() -> str:
    """The reference page as Markdown."""
    schema = scenario_json_schema()
    defs = schema.get("$defs", {})
    sections: list[str] = []
    _section("Top level", "", schema, defs, sections, set())
    return INTRO + "\n" + "\n".join(sections)


def _section(
    title: str,
    prefix: str,
    node: dict[str, Any],
    defs: dict[str, Any],
    out: list[str],
    seen: set[str],
    ancestors: dict[str, str] | None = None,
) -> None:
    ancestors = ancestors or {}
    required = set(node.get("required", []))
    rows = []
    nested: list[tuple[str, str, dict[str, Any]]] = []
    for field, prop in node.get("properties", {}).items():
        key = f"{prefix}{field}"
        default = "required" if field in required else _either(field, node) or _default(prop)
        rows.append(
            f"| `{key}` | {_type(prop, defs)} | {_cell(prop.get('unit', ''))} | {default} | "
            f"{_cell(_meaning(prop))} |"
        )
        child = _child(prop, defs)
        if child is not None:
            suffix, ref = child
            if ref in ancestors:  # a recursive definition: refer back instead of expanding forever
                rows[-1] = rows[-1][:-2] + f" Same keys as `{ancestors[ref]}`. |"
            else:
                nested.append((f"{key}{suffix}", f"{key}{suffix}.", ref))
    heading = title if not prefix else f"`{title}`"
    out.append(f"## {heading}\n")
    out.append("| Key | Type | Unit | Default | Meaning |")
    out.append("| --- | --- | --- | --- | --- |")
    out.extend(rows)
    out.append("")
    for child_title, child_prefix, ref in nested:
        if child_title not in seen:
            seen.add(child_title)
            _section(child_title, child_prefix, defs[ref], defs, out, seen, {**ancestors, ref: child_title})


def _either(field: str, node: dict[str, Any]) -> str | None:
    """"required unless `x` is given" for a key of a one-of-these-keys requirement (``anyOf``)."""
    alternatives = [k for option in node.get("anyOf", []) for k in option.get("required", [])]
    if field not in alternatives:
        return None
    others = " or ".join(f"`{k}`" for k in alternatives if k != field)
    return f"required unless {others} is given"


def _ref_name(prop: dict[str, Any]) -> str | None:
    ref = prop.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _options(prop: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"]


def _child(prop: dict[str, Any], defs: dict[str, Any]) -> tuple[str, str] | None:
    """(path suffix, model name) of a nested model: a section of its own."""
    for option in _options(prop):
        name = _ref_name(option)
        if name:
            return "", name
        items = option.get("items")
        if isinstance(items, dict) and _ref_name(items):
            return "[]", _ref_name(items)  # type: ignore[return-value]
        for value in option.get("patternProperties", {}).values():
            if _ref_name(value):
                return ".<id>", _ref_name(value)  # type: ignore[return-value]
    return None


def _type(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "table_dims" in prop:
        return f"table by {prop['table_dims']}" + (" or none" if _nullable(prop) else "")
    kinds = [_kind(option, defs) for option in _options(prop)]
    text = " or ".join(dict.fromkeys(kinds))
    return text + (" or none" if _nullable(prop) else "")


def _nullable(prop: dict[str, Any]) -> bool:
    return any(p.get("type") == "null" for p in prop.get("anyOf", []))


def _kind(p: dict[str, Any], defs: dict[str, Any]) -> str:
    name = _ref_name(p)
    if name:
        return "mapping (section below)"
    if "enum" in p:
        return "one of " + ", ".join(f"`{v}`" for v in p["enum"])
    if "const" in p:
        return f"`{p['const']}`"
    kind = p.get("type")
    if kind in ("number", "integer"):
        return _range(p, "number" if kind == "number" else "integer")
    if kind == "boolean":
        return "true or false"
    if kind == "string":
        if p.get("pattern", "").startswith("^[a-z][a-z0-9_]"):
            return "id"
        if "maxLength" in p:
            return f"text (at most {p['maxLength']} characters)"
        return "text"
    if kind == "array":
        items = p.get("items", {})
        if _ref_name(items):
            return "list (section below)"
        return f"list of {_plural(_kind(items, defs))}"
    if kind == "object":
        if "x-shape" in p:  # a shape of its own, e.g. roles.<id>.movement
            return str(p["x-shape"])
        if "patternProperties" in p:
            (value,) = p["patternProperties"].values()
            if _ref_name(value):
                return "mapping id → entry (section below)"
            kinds = [_kind(option, defs) for option in _options(value)] or [_kind(value, defs)]
            return "mapping id → " + " or ".join(dict.fromkeys(kinds))
        keys = p.get("propertyNames", {})
        key = ("one of " + ", ".join(f"`{v}`" for v in keys["enum"])) if "enum" in keys else "year"
        value = p.get("additionalProperties", {})
        if "anyOf" in value:  # a table: keyed by region (code or name) or by year
            return "mapping by region or year, or {file: ...}"
        return f"mapping {key} → {_kind(value, defs)}"
    return str(kind)


def _plural(kind: str) -> str:
    return kind.replace("one of", "items from").replace("mapping", "mappings")


def _range(p: dict[str, Any], word: str) -> str:
    low = p.get("minimum")
    high = p.get("maximum")
    below = p.get("exclusiveMaximum")  # e.g. a discount rate: at least 0 and below 1
    upper = f", at most {_num(high)}" if high is not None else f", below {_num(below)}" if below is not None else ""
    if "exclusiveMinimum" in p:
        return f"{word} > {_num(p['exclusiveMinimum'])}" + upper
    if low is not None and high is not None:
        return f"{word} {_num(low)}–{_num(high)}"
    if low is not None:
        return f"{word} ≥ {_num(low)}" + upper
    return f"{word} below {_num(below)}" if below is not None else word


def _num(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _default(prop: dict[str, Any]) -> str:
    if "default" not in prop:  # optional without a default (the caller marks required keys)
        return "none"
    value = prop["default"]
    if value is None:
        return "none"
    if isinstance(value, list) and len(value) > 3:
        return f"{len(value)} entries (see meaning)"
    if isinstance(value, dict) and value and _child(prop, {}) is not None:
        return "see section"
    if value == {} or value == []:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    if isinstance(value, float):
        return f"`{_num(value)}`"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _meaning(prop: dict[str, Any]) -> str:
    text = prop.get("description", "")
    # The unit and the table shapes have columns and an introduction of their own.
    for marker in (" Unit: ", " A table by "):
        text = text.split(marker)[0]
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
