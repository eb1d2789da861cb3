"""Load a scenario: YAML (and the CSVs it references) → validated, immutable :class:`Scenario`.

This is the only place input is read, so it is where every input error is raised, each with the
file, the line and the key path.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from workforce.errors import Problem, ScenarioError, shown
from workforce.scenario.checks import ScenarioCheckError
from workforce.scenario.compose import _unwrap, merge
from workforce.scenario.csvio import read_table_csv
from workforce.scenario.fileio import check_path_text
from workforce.scenario.forecasts import expand_demand_forecasts
from workforce.scenario.numbers import plain_numbers
from workforce.scenario.paths import ALLOW_HINT, allowing, may_read, safe_resolve
from workforce.scenario.schema import Scenario, spoofing_character
from workforce.scenario.tables import DECIMAL_COMMA, TableValueError, did_you_mean
from workforce.scenario.yamlio import dotted, read_yaml

Source = tuple[str, int | None]

MAX_EXTENDS_DEPTH = 8
"""Most files in one ``extends:`` chain (the scenario itself included); a variant of a variant of
the baseline needs 3."""


def load_scenario(
    path: str | Path,
    *,
    variants: tuple[str | Path, ...] | list[str | Path] = (),
    allow_external_paths: bool = False,
    allow_paths: Sequence[str | Path] = (),
) -> Scenario:
    """Read, validate and freeze the scenario in ``path``.

    CSV files named with ``{file: ...}`` are read relative to the YAML file that names them; paths
    that leave that file's folder are refused unless they lead into the bundled scenarios' folder or
    a folder in ``allow_paths``, or ``allow_external_paths`` is true (:mod:`workforce.scenario.paths`). A scenario
    may start from another with ``extends: <path>`` (merge rules in :mod:`workforce.scenario.compose`).

    ``variants`` combines named overrides: each variant file's own keys are merged, in the order
    given, on top of ``path`` (a variant's ``extends:``, if any, must name ``path`` or a file that
    ``path`` itself extends, so that a variant is never applied to a base it was not written for).
    """
    path = _path_argument(path, "load_scenario")
    with allowing(allow_paths):
        return _load(path, tuple(map(Path, variants)), allow_external_paths)


def _path_argument(path: Any, function: str) -> Path:
    if isinstance(path, str | Path):
        return Path(path)
    raise TypeError(f"{function}() needs the path of a scenario YAML file (a str or pathlib.Path), "
                    f"not {type(path).__name__}; for a scenario held in Python data use scenario_from_dict()")


def _load(path: Path, variants: tuple[Path, ...], allow_external_paths: bool) -> Scenario:
    display = " + ".join([str(path), *map(str, variants)])
    data, sources, inputs = _load_tree(path, allow_external_paths, ())
    chain = _extends_chain(path, allow_external_paths)
    for variant in variants:
        layer, layer_sources, layer_inputs, base, extends_line = _load_layer(variant, allow_external_paths)
        if base is not None and base.resolve() not in chain:
            raise ScenarioError(
                Problem(
                    f"this variant extends {base}, not {path} (or a file it extends); combine variants "
                    "written for the same base",
                    file=str(variant),
                    line=extends_line,
                    key="extends",
                )
            )
        data, sources = merge(data, sources, layer, layer_sources)
        inputs = {**inputs, **layer_inputs}
    return _validate(data, sources, inputs, display)


def _extends_chain(path: Path, allow_external: bool) -> set[Path]:
    """``path`` and every file it extends, directly or not."""
    chain: set[Path] = set()
    current: Path | None = path
    while current is not None and safe_resolve(current) not in chain:
        chain.add(safe_resolve(current) or current)
        current = _load_layer(current, allow_external)[3]
    return chain


def _load_layer(
    path: Path, allow_external: bool, chain: tuple[Path, ...] = ()
) -> tuple[dict[str, Any], dict[tuple[Any, ...], Source], dict[str, str], Path | None, int | None]:
    """One file's own keys (tables read), without merging its base; also the base it extends (with
    the line of its ``extends:``)."""
    display = str(path)
    data, lines = read_yaml(path)
    sources: dict[tuple[Any, ...], Source] = {k: (display, v) for k, v in lines.items()}
    inputs = {display: hashlib.sha256(path.read_bytes()).hexdigest()}
    if not isinstance(data, dict):
        raise ScenarioError(Problem("the scenario must be a mapping of keys to values", file=display, line=1))
    if not data:
        raise ScenarioError(Problem("the scenario file is empty (or holds only comments); a scenario needs at least name, horizon "
                                    "and roles", file=display, line=1))
    base_ref = data.pop("extends", None)
    extends_line = sources.pop(("extends",), (display, None))[1]
    data = _read_files(data, (), path.parent, display, sources, inputs, allow_external)
    base = None if base_ref is None else _base_path(base_ref, path, extends_line, allow_external, chain)
    return data, sources, inputs, base, extends_line


def read_scenario_data(
    path: str | Path, *, allow_external_paths: bool = False, allow_paths: Sequence[str | Path] = ()
) -> tuple[dict[str, Any], dict[tuple[Any, ...], Source], dict[str, str]]:
    """The unvalidated data of ``path`` after ``extends:`` merging and table reading, with the
    (file, line) of every key path and the sha256 of every file read. For tools that compose
    scenarios further (merge with :func:`workforce.scenario.compose.merge`, then validate)."""
    with allowing(allow_paths):
        return _load_tree(_path_argument(path, "read_scenario_data"), allow_external_paths, ())


def _load_tree(
    path: Path, allow_external: bool, chain: tuple[Path, ...]
) -> tuple[dict[str, Any], dict[tuple[Any, ...], Source], dict[str, str]]:
    """One file's data with its tables read, merged into the file it extends (if any)."""
    data, sources, inputs, base, _ = _load_layer(path, allow_external, chain)
    if base is None:
        return data, sources, inputs
    base_data, base_sources, base_inputs = _load_tree(base, allow_external, (*chain, safe_resolve(path) or path))
    merged, merged_sources = merge(base_data, base_sources, data, sources)
    return merged, merged_sources, {**base_inputs, **inputs}


def _base_path(ref: Any, path: Path, line: int | None, allow_external: bool, chain: tuple[Path, ...]) -> Path:
    display = str(path)

    def fail(message: str) -> ScenarioError:
        return ScenarioError(Problem(message, file=display, line=line, key="extends"))

    if not isinstance(ref, str) or not ref.strip():
        raise fail("`extends:` needs the path of the scenario this one starts from")
    check_path_text(ref, display, line=line, key="extends")
    rel = Path(ref)
    base = path.parent / rel
    if not may_read(base, path.parent, allow_external):
        raise fail(f"path {ref!r} leaves the folder of {display}; keep a variant beside its base, {ALLOW_HINT}")
    if base.is_dir():
        raise fail(f"{ref!r} is a folder; `extends:` names a scenario file (.yaml) in it")
    if base.suffix.lower() not in {".yaml", ".yml"}:
        raise fail(f"{ref!r} is not a .yaml file; a scenario extends another scenario file")
    if not base.exists():
        raise fail(f"base scenario {ref!r} not found (looked for {base})")
    seen = (*chain, safe_resolve(path) or path)
    here = safe_resolve(base) or base
    if here in seen:
        cycle = " -> ".join(p.name for p in (*seen[seen.index(here):], here))
        raise fail(f"`extends:` makes a cycle: {cycle}")
    if len(seen) >= MAX_EXTENDS_DEPTH:
        raise fail(f"`extends:` chains are limited to {MAX_EXTENDS_DEPTH} files (this would be file "
                   f"{len(seen) + 1}); extend the base directly rather than a variant of a variant")
    return base


def scenario_from_dict(data: Mapping[str, Any], *, name: str = "<python>") -> Scenario:
    """Validate a scenario given as Python data (the same keys as the YAML)."""
    if not isinstance(data, Mapping):
        hint = " (for a YAML file use load_scenario(path))" if isinstance(data, str | Path) else ""
        raise TypeError(f"scenario_from_dict() needs a mapping (dict) of the scenario's keys (name, horizon, "
                        f"roles, ...), not {type(data).__name__}{hint}")
    return _validate(dict(data), {}, {}, name)


def validate_data(
    data: dict[str, Any], sources: dict[tuple[Any, ...], Source], inputs: dict[str, str], display: str
) -> Scenario:
    """Validate scenario data with the (file, line) of each key path: a Scenario or ScenarioError."""
    return _validate(data, sources, inputs, display)


def _validate(
    data: dict[str, Any],
    sources: dict[tuple[Any, ...], Source],
    inputs: dict[str, str],
    display: str,
) -> Scenario:
    data, too_large = plain_numbers(data)
    if too_large:
        raise ScenarioError([_locate(tuple(p), m, sources, display) for p, m in too_large])
    data, found = expand_demand_forecasts(data)
    if found:
        raise ScenarioError([_locate(tuple(p), m, sources, display) for p, m in found])
    roles = data.get("roles")
    for k, role in roles.items() if isinstance(roles, dict) else ():
        if isinstance(role, dict) and role.get("demand_forecast") is not None:
            sources.setdefault(("roles", k, "demand"), sources.get(("roles", k, "demand_forecast"), (display, None)))
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, data, sources, display)) from None
    scenario._sources = sources
    scenario._inputs = inputs
    scenario._origin = display
    return scenario


def _read_files(
    node: Any,
    path: tuple[Any, ...],
    base: Path,
    display: str,
    sources: dict[tuple[Any, ...], Source],
    inputs: dict[str, str],
    allow_external: bool,
) -> Any:
    if isinstance(node, dict):
        if "file" in node and isinstance(node["file"], str) and len(node) > 1:
            extra = sorted(str(k) for k in node if k != "file")
            line = sources.get(path, (display, None))[1]
            raise ScenarioError(
                Problem(
                    f"unknown key(s) {', '.join(map(repr, extra))} beside `file:`; a file reference takes "
                    "only `file:` (put notes in a YAML comment or a source column of the CSV)",
                    file=display,
                    line=line,
                    key=dotted(path),
                )
            )
        if set(node) == {"file"}:
            return _read_file_ref(node["file"], path, base, display, sources, inputs, allow_external)
        return {k: _read_files(v, (*path, k), base, display, sources, inputs, allow_external) for k, v in node.items()}
    if isinstance(node, list):
        return [_read_files(v, (*path, i), base, display, sources, inputs, allow_external) for i, v in enumerate(node)]
    return node


def _read_file_ref(
    ref: Any,
    path: tuple[Any, ...],
    base: Path,
    display: str,
    sources: dict[tuple[Any, ...], Source],
    inputs: dict[str, str],
    allow_external: bool,
) -> Any:
    line = sources.get((*path, "file"), (display, None))[1]
    if not isinstance(ref, str) or not ref.strip():
        raise ScenarioError(Problem("`file:` needs a path to a CSV file", file=display, line=line, key=dotted(path)))
    check_path_text(ref, display, line=line, key=dotted(path))
    rel = Path(ref)
    permitted = may_read(base / rel, base, allow_external)
    if rel.is_absolute() and not permitted:
        raise ScenarioError(
            Problem(
                f"absolute path {ref!r} refused; give a path relative to the scenario file, {ALLOW_HINT}",
                file=display,
                line=line,
                key=dotted(path),
            )
        )
    target = base / rel
    if not permitted:
        raise ScenarioError(
            Problem(
                f"path {ref!r} leaves the scenario's folder {str(base) or '.'}; keep data files "
                f"beside the scenario, {ALLOW_HINT}",
                file=display,
                line=line,
                key=dotted(path),
            )
        )
    if target.suffix.lower() != ".csv":
        raise ScenarioError(
            Problem(f"{ref!r} is not a .csv file; tables are read from CSV", file=display, line=line, key=dotted(path))
        )
    shown = str(base / rel)
    if not _exists(target):
        raise ScenarioError(
            Problem(f"CSV file {ref!r} not found (looked for {shown})", file=display, line=line, key=dotted(path))
        )
    try:
        table, rows = read_table_csv(target, shown)
    except ScenarioError as exc:
        raise ScenarioError(
            [p if p.key else dataclasses.replace(p, key=dotted(path)) for p in exc.problems]
        ) from None
    inputs[shown] = hashlib.sha256(target.read_bytes()).hexdigest()
    sources[path] = (shown, None)
    for sub, row_line in rows.items():
        for depth in range(1, len(sub) + 1):
            sources.setdefault((*path, *sub[:depth]), (shown, row_line))
    return table


def _exists(path: Path) -> bool:
    """Whether there is anything at ``path`` (a dangling link counts: the read says it is missing);
    a path the file system cannot even look up (a name too long) counts too, so the read says why."""
    try:
        return path.exists() or path.is_symlink()
    except OSError:
        return True


def _problems(
    exc: ValidationError,
    data: dict[str, Any],
    sources: dict[tuple[Any, ...], Source],
    display: str,
) -> list[Problem]:
    problems: list[Problem] = []
    errors = exc.errors()
    # A misspelt required key shows up twice (unknown 'atrition', missing 'attrition'): keep the first.
    misspelt = {
        (*_data_path(e["loc"], data)[:-1], close)
        for e in errors
        if e["type"] == "extra_forbidden"
        for close in difflib.get_close_matches(str(e["loc"][-1]), _allowed_keys(_data_path(e["loc"], data)[:-1]), n=1, cutoff=0.6)
    }
    for err in errors:
        loc = _data_path(err["loc"], data)
        if err["type"] == "missing" and loc in misspelt:
            continue
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, ScenarioCheckError):
            for sub, message in cause.problems:
                problems.append(_locate(tuple(sub), message, sources, display))
            continue
        if isinstance(cause, TableValueError):
            problems.append(_locate((*loc, *cause.subpath), str(cause), sources, display))
            continue
        message = _message(err, loc)
        if err["type"] == "missing" and loc in sources:  # only a variant's `key: null` has a line here
            message += "; the variant sets it to null, which removes it, and only optional keys can be removed"
        problems.append(_locate(loc, message, sources, display))
    # One message per place: pydantic reports each branch of a union separately.
    unique: dict[str, Problem] = {}
    for p in problems:
        unique.setdefault(f"{p.file}:{p.line}:{p.key}:{p.message}", p)
    return _merge_rows(list(unique.values()))


def _merge_rows(problems: list[Problem]) -> list[Problem]:
    """One message for one mistake: the same problem on every row of a CSV table (a year column
    the horizon lacks, say) is reported once, at its first row, naming the rows."""
    groups: dict[tuple[Any, ...], list[Problem]] = {}
    for p in problems:
        parent = p.key.rsplit(".", 1)[0] if p.key and "." in p.key else None
        is_csv = bool(p.file and p.file.lower().endswith(".csv"))
        groups.setdefault((p.file, parent, p.message) if is_csv and parent else (id(p),), []).append(p)
    merged = []
    for group in groups.values():
        first = group[0]
        lines = [p.line for p in group]
        if len(group) == 1 or None in lines or len(set(lines)) < len(lines):  # not one problem per row
            merged.extend(group)
            continue
        rows = ", ".join(p.key.rsplit(".", 1)[1] for p in group if p.key)
        merged.append(dataclasses.replace(first, key=first.key.rsplit(".", 1)[0] if first.key else None,
                                          message=f"{first.message} (rows {rows})"))
    return merged


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Drop the union-branch labels pydantic puts in ``loc``, keeping only real keys."""
    out: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict | list) and not _is_branch_label(part):
            out.append(part)  # a missing or unknown key: keep it for the message
            node = None
    return tuple(out)


def _is_branch_label(part: Any) -> bool:
    return isinstance(part, str) and ("[" in part or part.startswith(("constrained-", "function-")) or part in {
        "float", "int", "str", "bool", "list", "dict", "none", "Table", "is-instance"
    })


def _locate(path: tuple[Any, ...], message: str, sources: dict[tuple[Any, ...], Source], display: str) -> Problem:
    for depth in range(len(path), -1, -1):
        if path[:depth] in sources:
            file, line = sources[path[:depth]]
            return Problem(message, file=file, line=line, key=dotted(path) or None)
    return Problem(message, file=display, line=None, key=dotted(path) or None)


def _message(err: Any, loc: tuple[Any, ...]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed) if allowed else ""
        listing = f"; allowed keys here: {', '.join(allowed)}" if allowed else ""
        return f"unknown key {loc[-1]!r}{hint}{listing}"
    if kind == "missing":
        return f"required key {loc[-1]!r} is missing"
    if kind == "string_pattern_mismatch":
        return _pattern_message(str((err.get("ctx") or {}).get("pattern", "")), err.get("input"))
    if kind == "dict_type":
        return f"expected a mapping (indented key: value lines), got {type(err.get('input')).__name__} {shown(err.get('input'))}"
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    given = err.get("input")
    if kind not in {"model_type", "dict_type"} and not isinstance(given, dict | list):
        message += f" (got {shown(given)})"
        if isinstance(given, bool):
            message += ("; YAML reads unquoted yes/no/on/off/y/n/true/false (in any case, so also NO, the code for "
                        "Norway) as true or false: quote text ('NO'), write numbers as digits")
        elif isinstance(given, str) and DECIMAL_COMMA.match(given.strip()):
            message += "; that is a decimal comma: write the number with a decimal point (0.09, not 0,09)"
    return message


def _pattern_message(pattern: str, given: Any) -> str:
    """Say in words what a name or id pattern of the schema requires."""
    spoof = spoofing_character(given) if isinstance(given, str) else None
    if spoof is not None:
        return (f"{shown(given)} holds the invisible character {spoof}, which can make text show differently on "
                "screen and in spreadsheets from what it is; delete it (retype the text)")
    if pattern.startswith("^[^\\x00"):
        return (f"{shown(given)} cannot be used as a description: it may not hold control characters other than "
                "new lines and tabs (a carriage return can split a row of a CSV file)")
    if pattern.startswith("^[^=+"):
        return (f"{shown(given)} cannot be used as a name: a name may not start with =, +, -, @ or a space, which "
                "spreadsheets treat as the start of a formula, nor contain control characters")
    if pattern.startswith("^[a-z]"):
        return f"{shown(given)} is not a valid id: use lower-case letters, digits and _, starting with a letter (at most 40)"
    if pattern.startswith("^[A-Za-z0-9]"):
        return f"{shown(given)} is not a valid region code: use letters, digits, _ and -, starting with a letter or digit"
    return f"{shown(given)} does not match the required pattern {pattern}"


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the schema model that sits at ``loc``, for 'allowed keys' hints."""
    tp: Any = Scenario
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part)
            if field is None:
                return []
            tp = field.annotation
        elif typing.get_origin(tp) in (dict, list):
            tp = typing.get_args(tp)[-1]
        else:
            return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []
