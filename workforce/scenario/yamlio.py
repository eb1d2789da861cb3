"""Read scenario YAML safely, keeping the line of every key.

PyYAML's safe loader is used to compose the node tree; this module then builds plain Python data
from the nodes itself so that it can

* refuse anchors and aliases (billion-laughs files), explicit tags (``!!python/object``) and
  timestamps, and duplicate keys (PyYAML would silently keep the last one);
* record, for every key path, the line it was written on, so that errors can point at it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from workforce.errors import Problem, ScenarioError, shown
from workforce.scenario.fileio import read_capped

MAX_YAML_BYTES = 1_000_000
"""Scenario files larger than this are refused: bulk data belongs in CSV files."""

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists accepted (a scenario needs about 6); deeper files are
refused before PyYAML's recursive composer could exhaust the stack."""

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}

KeyPath = tuple[Any, ...]
LineMap = dict[KeyPath, int]


def read_yaml(path: Path) -> tuple[Any, LineMap]:
    """Return the data in ``path`` and a map from key path to 1-based line number."""
    name = str(path)
    raw = read_capped(path, name, MAX_YAML_BYTES, "scenario file",
                      "Put large tables in CSV files and reference them with `file:`")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            Problem("the file is not UTF-8 text; save it as UTF-8", file=name, line=line)
        ) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str = "<scenario>") -> tuple[Any, LineMap]:
    """Parse YAML text (see :func:`read_yaml`)."""
    _refuse_unprintable(text, name)
    try:
        node = _compose(text, name, FAST_LOADER)
    except yaml.YAMLError:  # the pure loader says what is wrong, in the words the docs and tests know
        node = _compose(text, name, yaml.SafeLoader)
    lines: LineMap = {}
    if node is None:
        return {}, lines
    return _build(node, (), lines, name), lines


FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it (it parses the 153-authority scenario about ten times
faster; its nodes carry the same tags and lines); a file it refuses is read again by the pure
loader, whose messages name the problem."""


def _compose(text: str, name: str, loader: Any) -> Any:
    """The node tree of ``text`` (anchors, aliases and deep nesting refused first); with the pure
    loader a YAML error becomes a :class:`ScenarioError`, with the fast one it is raised as it is."""
    _refuse_anchors(text, name, loader)
    try:
        return yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        if loader is not yaml.SafeLoader:
            raise
        raise _invalid(exc, name) from None


def _invalid(exc: yaml.YAMLError, name: str) -> ScenarioError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    return ScenarioError(Problem(f"not valid YAML: {problem}", file=name, line=line))


def _refuse_unprintable(text: str, name: str) -> None:
    """A NUL byte or another character YAML refuses, located by line (PyYAML gives only an offset)."""
    bad = _UNPRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise ScenarioError(Problem(f"the file holds the control character U+{ord(bad.group()):04X}"
                                    f"{' (a NUL byte)' if bad.group() == chr(0) else ''}, which YAML does not "
                                    "allow; delete it (it is often left by a copy from another program)",
                                    file=name, line=line))


_UNPRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
"""Characters outside YAML's printable set (YAML 1.1, section 5.1)."""


def _refuse_anchors(text: str, name: str, loader: Any = yaml.SafeLoader) -> None:
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ScenarioError(
                        Problem(f"mappings and lists are nested more than {MAX_DEPTH} deep; a scenario needs far "
                                "fewer levels (check the indentation and brackets)",
                                file=name, line=event.start_mark.line + 1)
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            anchor = getattr(event, "anchor", None)
            if isinstance(event, yaml.AliasEvent) or anchor is not None:
                raise ScenarioError(
                    Problem(
                        "YAML anchors and aliases (&name / *name) are not allowed in scenarios; "
                        "write the values out, or use a CSV file",
                        file=name,
                        line=event.start_mark.line + 1,
                    )
                )
    except yaml.YAMLError as exc:
        if loader is not yaml.SafeLoader:
            raise
        raise _invalid(exc, name) from None


_constructor = yaml.SafeLoader("")


def _build(node: yaml.Node, path: KeyPath, lines: LineMap, name: str) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        if node.tag != "tag:yaml.org,2002:map":
            raise _tag_error(node, path, name)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError(
                    Problem(
                        "mapping keys must be plain values",
                        file=name,
                        line=key_node.start_mark.line + 1,
                        key=_dotted(path),
                    )
                )
            key = _scalar(key_node, path, name)
            if key is None or isinstance(key, bool):
                raise ScenarioError(_odd_key(key_node, path, name))
            if key == "<<":
                raise ScenarioError(
                    Problem("YAML merge keys (<<) are not allowed", file=name, line=line)
                )
            key_line = key_node.start_mark.line + 1
            if key in out:
                raise ScenarioError(
                    Problem(
                        f"duplicate key {key!r} (first written on line {lines[(*path, key)]})",
                        file=name,
                        line=key_line,
                        key=_dotted((*path, key)),
                    )
                )
            lines[(*path, key)] = key_line
            out[key] = _build(value_node, (*path, key), lines, name)
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            raise _tag_error(node, path, name)
        items = []
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            items.append(_build(item, (*path, i), lines, name))
        return items
    return _scalar(node, path, name)


_PLAIN_NUMBER = re.compile(r"^[-+]?(0|[1-9][0-9]*)(\.[0-9]*)?([eE][-+]?[0-9]+)?$|^[-+]?\.[0-9]+([eE][-+]?[0-9]+)?$")
_SPECIAL_FLOATS = {".inf", "-.inf", "+.inf", ".Inf", "-.Inf", ".INF", "-.INF", ".nan", ".NaN", ".NAN"}


def _odd_key(node: yaml.ScalarNode, path: KeyPath, name: str) -> Problem:
    if node.value in {"", "~", "null", "Null", "NULL"}:
        what = f"the key {node.value or '(empty)'!r} is read by YAML as nothing (null)"
    else:
        what = f"the key {node.value!r} is read by YAML as {'true' if node.value.lower() in _TRUE else 'false'}"
    return Problem(f"{what}; write a name, quoted if it is a code such as 'NO' or 'ON'", file=name,
                   line=node.start_mark.line + 1, key=_dotted(path) or None)


_TRUE = {"true", "yes", "y", "on"}


def _scalar(node: yaml.ScalarNode, path: KeyPath, name: str) -> Any:
    # a plain (unquoted) scalar has style None from the pure loader and '' from libyaml's
    if node.tag not in _PLAIN_TAGS:
        raise _tag_error(node, path, name)
    if node.tag == "tag:yaml.org,2002:str" and not node.style and _EXPONENT_NUMBER.match(node.value):
        # YAML 1.1 reads 1e6 (no dot, or no sign in the exponent) as text; a planner means a number.
        return _finite(float(node.value), node, path, name)
    if node.tag in {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"} and not node.style:
        text = node.value
        if text not in _SPECIAL_FLOATS and not _PLAIN_NUMBER.match(text):
            if ":" in text:
                why = "looks like a time or a base-60 number (YAML reads 12:30 as 750)"
            elif re.match(r"^[-+]?0[0-9]", text):
                why = "has a leading zero (YAML reads 010 as the octal number 8)"
            else:
                why = "is not a plain decimal number (hexadecimal, octal, binary and 1_000 forms are ambiguous)"
            raise ScenarioError(
                Problem(
                    f"{text!r} {why}; write a plain decimal number such as 750 or 10, "
                    "or quote it if you meant text",
                    file=name,
                    line=node.start_mark.line + 1,
                    key=_dotted(path),
                )
            )
    try:
        value = _constructor.construct_object(node)
    except (ValueError, KeyError, TypeError, IndexError, yaml.YAMLError):
        kind = node.tag.replace("tag:yaml.org,2002:", "")
        why = ""
        digits = sum(ch.isdigit() for ch in node.value)
        if kind == "int" and digits > 18:
            why = f" (it has {digits:,} digits)"
        raise ScenarioError(
            Problem(f"{shown(node.value)} cannot be read as {_KIND_WORDS.get(kind, kind)}"
                    f"{why}; write a plain decimal number, true or false, or quoted text",
                    file=name, line=node.start_mark.line + 1, key=_dotted(path))
        ) from None
    return _finite(value, node, path, name)


_KIND_WORDS = {"int": "a whole number", "float": "a number", "bool": "true or false", "null": "null"}
_EXPONENT_NUMBER = re.compile(r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$")


def _finite(value: Any, node: yaml.ScalarNode, path: KeyPath, name: str) -> Any:
    if isinstance(value, float) and value != value:  # .nan
        raise ScenarioError(
            Problem(
                "NaN is not a number a plan can use",
                file=name,
                line=node.start_mark.line + 1,
                key=_dotted(path),
            )
        )
    return value


def _tag_error(node: yaml.Node, path: KeyPath, name: str) -> ScenarioError:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    if tag == "!!merge":
        return ScenarioError(
            Problem("YAML merge keys (<<) are not allowed; write the keys out", file=name,
                    line=node.start_mark.line + 1, key=_dotted(path))
        )
    what = "dates and times" if tag == "!!timestamp" else f"the YAML tag {tag!r}"
    return ScenarioError(
        Problem(
            f"{what} cannot be used in a scenario; write a plain number or quoted text",
            file=name,
            line=node.start_mark.line + 1,
            key=_dotted(path),
        )
    )


def _dotted(path: KeyPath) -> str:
    return ".".join(str(p) for p in path)


def dotted(path: KeyPath) -> str:
    """Key path as the planner reads it: ``roles.ep.attrition``."""
    return _dotted(path)
