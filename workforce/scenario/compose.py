"""Variants: a scenario that ``extends:`` another and writes only what differs.

Merge rules (applied after each file's ``{file: ...}`` tables are read relative to that file):

* The base file is loaded first (it may itself extend another file); the variant is merged into it.
* Mappings merge key by key, recursively: a key the variant writes replaces or extends the base's
  key; keys the variant does not write keep the base's value.
* Lists and tables replace: a table (any per-region/per-year value, inline or ``{file: ...}``) or a
  list (``regions``, ``course_costs``, ``objective.lexicographic``) written in the variant replaces
  the base's whole value; it is never merged cell by cell.
* ``null`` removes the key, so the schema's default applies (``hiring: null`` removes a role's
  hiring, ``flexible_supply: {agency: null}`` one option; a required key removed is an error).
  An empty mapping ``{}`` changes nothing.
* A role's ``demand`` and ``demand_forecast`` are alternatives: a variant that writes one drops
  the other inherited from the base.
* Every value keeps the file and line that wrote it, so errors point at the variant or the base.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, PlainValidator

from workforce.scenario.schema import Scenario
from workforce.scenario.tables import _check_table

KeyPath = tuple[Any, ...]
Sources = dict[KeyPath, tuple[str, int | None]]

ALTERNATIVES = {"demand": "demand_forecast", "demand_forecast": "demand"}
"""Keys of a role that exclude each other across a merge."""


def merge(base: Any, base_sources: Sources, over: Any, over_sources: Sources) -> tuple[Any, Sources]:
    """Merge the variant ``over`` into ``base``; return the data and the merged line map."""
    sources = dict(base_sources)
    data = _merge(base, over, (), sources, over_sources)
    return data, sources


def _merge(base: Any, over: Any, path: KeyPath, sources: Sources, over_sources: Sources) -> Any:
    if isinstance(over, dict) and not is_table_path(path):
        if not isinstance(base, dict):
            _drop(path, sources)
            base = {}
        out = dict(base)
        for key, value in over.items():
            sub = (*path, key)
            if value is None:
                out.pop(key, None)
                _drop(sub, sources)
                if sub in over_sources:  # the null's own line: a required key removed is reported there
                    sources[sub] = over_sources[sub]
                continue
            if key in out or isinstance(value, dict):
                out[key] = _merge(out.get(key, {}), value, sub, sources, over_sources)
            else:
                _replace(sub, sources, over_sources)
                out[key] = value
            other = ALTERNATIVES.get(key) if len(path) == 2 and path[0] == "roles" else None
            if other is not None and other in out and other not in over:
                del out[other]
                _drop((*path, other), sources)
            if sub in over_sources:
                sources[sub] = over_sources[sub]
        return out
    _replace(path, sources, over_sources)
    return over


def _drop(path: KeyPath, sources: Sources) -> None:
    n = len(path)
    for key in [k for k in sources if k[:n] == path]:
        del sources[key]


def _replace(path: KeyPath, sources: Sources, over_sources: Sources) -> None:
    _drop(path, sources)
    n = len(path)
    sources.update({k: v for k, v in over_sources.items() if k[:n] == path})


def is_table_path(path: KeyPath) -> bool:
    """Whether the value at ``path`` is a table field of the schema (so it replaces, not merges)."""
    tp: Any = Scenario
    for part in path:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return False
            tp = _with_metadata(field.annotation, field.metadata)
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return False
    return _is_table_type(tp)


def _with_metadata(annotation: Any, metadata: list[Any]) -> Any:
    return typing.Annotated[annotation, *metadata] if metadata else annotation


def _is_table_type(tp: Any) -> bool:
    return any(
        typing.get_origin(arg) is typing.Annotated
        and any(isinstance(m, PlainValidator) and m.func is _check_table for m in arg.__metadata__)
        for arg in _union_args(tp)
    )


def _union_args(tp: Any) -> list[Any]:
    if typing.get_origin(tp) in (typing.Union, __import__("types").UnionType):
        return list(typing.get_args(tp))
    return [tp]


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, __import__("types").UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp
