"""Per-region and per-year values: shapes a planner may write, and their resolution to tables.

A *table* value in a scenario may be written as

* a single number, used for every region and year;
* a mapping by region (ONS code or name): ``{E12000001: 89, London: 646}``;
* a mapping by year: ``{2026: 10500, 2027: 10500}``;
* a mapping region -> year -> value;
* ``{file: data/x.csv}``: a CSV beside the scenario (see :mod:`workforce.scenario.csvio`),
  which the loader reads into the nested mapping before validation.

Which dimensions a table may vary over is declared by the field (``region``, ``year`` or both).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import PlainValidator, WithJsonSchema

from workforce.errors import shown
from workforce.scenario.derive import IMMUTABLE
from workforce.scenario.horizon_extend import held_years

_NUMBER_SCHEMA = {"type": "number", "minimum": 0}
_TABLE_SCHEMA = {
    "anyOf": [
        _NUMBER_SCHEMA,
        {
            "type": "object",
            "description": "mapping by region code or name, or by year; or {file: path.csv}",
            "additionalProperties": {
                "anyOf": [
                    _NUMBER_SCHEMA,
                    {"type": "string"},
                    {"type": "object", "additionalProperties": _NUMBER_SCHEMA},
                ]
            },
        },
    ]
}


class ReadOnlyDict(dict):
    """A dict that refuses changes, so a validated scenario cannot be edited behind its checks."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(IMMUTABLE)

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        # pickle (process pools, Dask) rebuilds a dict by setting items, which this class refuses.
        return (ReadOnlyDict, (dict(self),))


class ReadOnlyList(list):
    """A list that refuses changes (see :class:`ReadOnlyDict`)."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(IMMUTABLE)

    __setitem__ = __delitem__ = append = extend = insert = pop = remove = clear = sort = reverse = _refuse  # type: ignore[assignment]
    __iadd__ = __imul__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (ReadOnlyList, (list(self),))


def freeze(value: Any) -> Any:
    """Read-only copy of nested dicts and lists."""
    if isinstance(value, dict):
        return ReadOnlyDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return ReadOnlyList(freeze(v) for v in value)
    return value


class TableValueError(ValueError):
    """A bad entry inside a table; ``subpath`` locates it below the field."""

    def __init__(self, message: str, subpath: tuple[Any, ...] = ()):
        self.subpath = subpath
        super().__init__(message)


DECIMAL_COMMA = re.compile(r"^[-+]?[0-9]+,[0-9]+$")
"""A number written with a decimal comma (0,09 or 276,1), as many European locales do."""

THOUSANDS = re.compile(r"^[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$")
"""A number written with thousands separators (1,200 or 12,345.6)."""


def number_hint(text: str) -> str:
    """Why a text that looks like a number is not one, in the planner's words ('' if no idea)."""
    text = text.strip()
    if THOUSANDS.match(text) and "." not in text and DECIMAL_COMMA.match(text):
        return (f"has a comma: write {text.replace(',', '')} if it is a thousands separator, or "
                f"{text.replace(',', '.')} if it is a decimal comma")
    if THOUSANDS.match(text):
        return f"has a thousands separator; write {text.replace(',', '')}"
    if DECIMAL_COMMA.match(text):
        return f"uses a decimal comma; write {text.replace(',', '.')} with a decimal point"
    return ""


def table_number(value: Any, subpath: tuple[Any, ...] = ()) -> float:
    """One value of a table: a finite number, zero or more, as a float; otherwise a
    TableValueError at ``subpath`` (the keys inside the table) saying what is wrong."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        hint = number_hint(value) if isinstance(value, str) else ""
        raise TableValueError(f"expected a number, got {shown(value)}{'; ' + hint if hint else ''}", subpath)
    if not math.isfinite(value):
        raise TableValueError(f"expected a finite number, got {value!r}", subpath)
    if value < 0:
        raise TableValueError(f"must be zero or more, got {value!r}", subpath)
    return float(value)


_number = table_number  # its earlier private name


def _check_table(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return table_number(value, ())
    if "file" in value:
        raise TableValueError(
            "a `file:` table can only be read when the scenario is loaded from a YAML file "
            "(load_scenario); in Python pass the values as a mapping"
        )
    out: dict[Any, Any] = {}
    for key, inner in value.items():
        if isinstance(key, bool) or not isinstance(key, str | int):
            raise TableValueError(f"keys must be region codes or years, got {key!r}", (key,))
        if isinstance(inner, Mapping):
            if isinstance(key, int):
                raise TableValueError(
                    "write region -> year -> value, not year -> region -> value", (key,)
                )
            row = {}
            for year, v in inner.items():
                if isinstance(year, bool) or not isinstance(year, int):
                    raise TableValueError(f"expected a year, got {year!r}", (key, year))
                row[year] = table_number(v, (key, year))
            out[key] = ReadOnlyDict(row)
        else:
            out[key] = table_number(inner, (key,))
    return ReadOnlyDict(out)


Table = Annotated[Any, PlainValidator(_check_table), WithJsonSchema(_TABLE_SCHEMA)]
"""Type of a table field: a number, a mapping by region and/or year, or ``{file: ...}``."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean X?)' hint, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


_LOOK_ALIKES = dict(zip(
    "АВЕКМНОРСТХаеорсухіјѕԁΑΒΕΖΗΙΚΜΝΟΡΤΥΧον",
    "ABEKMHOPCTXaeopcyxijsdABEZHIKMNOPTYXov", strict=True))
"""Cyrillic and Greek letters drawn like Latin ones (a code pasted from another document)."""


def normalised_region(key: str, regions: Mapping[str, str]) -> str | None:
    """The region code ``key`` names once both are in Unicode's composed form (NFC): a name
    typed or exported in decomposed form (``I`` + combining circumflex) is the same name."""
    import unicodedata

    nfc = unicodedata.normalize("NFC", key)
    for name, code in regions.items():
        if unicodedata.normalize("NFC", name) == nfc:
            return code
    return None


def look_alike(key: str, regions: Mapping[str, str]) -> str:
    """A hint when ``key`` matches a region only once look-alike letters are read as Latin."""
    import unicodedata

    latin = "".join(_LOOK_ALIKES.get(c, c) for c in key)
    if latin == key or latin not in regions:
        return ""
    odd = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in dict.fromkeys(key) if c in _LOOK_ALIKES)
    return f" (it looks like {latin!r} but contains {odd}; retype it in Latin letters)"


def resolve(
    value: Any,
    dims: tuple[str, ...],
    regions: Mapping[str, str],
    years: list[int],
) -> tuple[dict[tuple[Any, ...], float], list[tuple[tuple[Any, ...], str]]]:
    """Expand a validated table to a dense mapping over ``dims``.

    ``regions`` maps every accepted region key (code and name) to its code; ``years`` lists the
    years the table must cover. Returns ``(values, problems)`` where each problem is
    ``(subpath, message)``; values are keyed by ``(region,)``, ``(year,)`` or ``(region, year)``.
    """
    codes = list(dict.fromkeys(regions.values()))
    problems: list[tuple[tuple[Any, ...], str]] = []
    by_region = "region" in dims
    by_year = "year" in dims
    out: dict[tuple[Any, ...], float] = {}

    def key_of(region: str | None, year: int | None) -> tuple[Any, ...]:
        if by_region:
            return (region, year) if by_year else (region,)
        return (year,) if by_year else ()

    if not isinstance(value, Mapping):
        for r in codes if by_region else [None]:
            for t in years if by_year else [None]:
                out[key_of(r, t)] = float(value)
        return out, problems

    region_keys = [k for k in value if isinstance(k, str)]
    year_keys = [k for k in value if isinstance(k, int)]
    if region_keys and year_keys:
        problems.append(((), "mix of region and year keys; write region -> year -> value"))
        return out, problems
    if year_keys:
        if not by_year:
            problems.append(((), "this value cannot vary by year; give one value per region"))
            return out, problems
        series = {(): dict(value)}
    else:
        if not by_region:
            problems.append(((), "this value cannot vary by region; give one value per year"))
            return out, problems
        series = {}
        seen: dict[str, str] = {}
        for key, inner in value.items():
            code = regions.get(key)
            if code is None:
                code = normalised_region(key, regions)  # a Mac's decomposed 'Île' is the same name
            if code is None:
                problems.append(
                    ((key,), f"unknown region {key!r}{look_alike(key, regions) or did_you_mean(key, regions)}; "
                     f"the scenario's regions are {', '.join(codes)}")
                )
                continue
            if code in seen:
                problems.append(((key,), f"region {code} is given twice (also as {seen[code]!r})"))
                continue
            seen[code] = key
            series[(code,)] = inner
        missing = [c for c in codes if (c,) not in series]
        if missing and not problems:
            problems.append(((), f"no value for region(s) {', '.join(missing)}"))
    for rkey, inner in series.items():
        region = rkey[0] if rkey else None
        if isinstance(inner, Mapping):
            if not by_year:
                shown = ", ".join(map(str, sorted(inner, key=str)[:5])) + (", ..." if len(inner) > 5 else "")
                problems.append((rkey, f"this value cannot vary by year, but it is given by year ({shown}); give "
                                       "one value per region: in a CSV, columns region,value (a one-year table: "
                                       "rename its year column to value)"))
                continue
            bad = sorted(set(inner) - set(years))
            if bad:
                problems.append(
                    (rkey, f"year(s) {', '.join(map(str, bad))} are outside the horizon "
                     f"{years[0]}-{years[-1]}")
                )
            held = held_years(years, inner)  # years after the reported ones hold the last given value (section 10.4)
            missing_years = [t for t in years if t not in inner and t not in held]
            if missing_years:
                problems.append((rkey, f"no value for year(s) {_years_text(missing_years)}"))
            for t in years:
                if t in inner or t in held:
                    targets = codes if region is None and by_region else [region]
                    for r in targets:
                        out[key_of(r, t)] = float(inner[held.get(t, t)])
        else:
            for r in [region] if region is not None else (codes if by_region else [None]):
                for t in years if by_year else [None]:
                    out[key_of(r, t)] = float(inner)
    return out, problems


def _years_text(years: list[int]) -> str:
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))
