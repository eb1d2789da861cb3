"""Write the 153-authority tables of configs/england_local_authorities.yaml from the regional ones.

Run from the repository root: ``python configs/data/local_authorities/make_tables.py``; with
``--only E08000025 E08000029 --out my/data`` it writes the rows of those authorities alone into
another folder, to start a local authority's own copy (docs/local_authorities.md). It reads

* the regional tables in ``configs/data/`` (the baseline's inputs, see ``configs/data/SOURCES.md``);
* the published authority figures copied into ``published/`` (see ``SOURCES.md`` beside this file):
  EHC plans in January 2019-2025 and new EHC plans in calendar 2024 by authority (DfE SEN2), and
  state-funded primary and secondary pupils on roll in 2024/25 by authority (DfE school places
  scorecards);

and writes ``authorities.csv`` and one table per regional table, with the same file names. Every
additive regional number is split over the region's authorities by a stated share and rounded by
largest remainder, so the authorities of a region sum to the regional number exactly (to the
table's last decimal). A local authority that replaces these tables with its own numbers does not
need this script.
"""

from __future__ import annotations

import argparse
import csv
import math
from collections.abc import Mapping
from pathlib import Path

HERE = Path(__file__).resolve().parent
REGIONAL = HERE.parent
PUBLISHED = HERE / "published"

CASELOAD_YEARS = list(range(2019, 2026))
"""January caseloads published by authority (SEN2 2025 release); 2026 is apportioned."""

SCORECARD_CODES = {"E06000060": "E10000002", "E06000065": "E10000023", "E06000066": "E10000027"}
"""The scorecards use ONS's current codes for Buckinghamshire, North Yorkshire and Somerset;
SEN2 still keys them by their county codes, which this scenario keeps."""

PREDECESSORS = {
    # authority: (year its own figures start, predecessor codes whose figures stand in before then)
    "E06000058": (2020, ["E06000028", "E06000029"]),  # Bournemouth, Christchurch and Poole (April 2019)
    "E06000059": (2020, ["E10000009"]),  # Dorset unitary (April 2019) <- Dorset county
    "E06000061": (2022, ["E10000021"]),  # North Northamptonshire (April 2021), shares of 2022
    "E06000062": (2022, ["E10000021"]),  # West Northamptonshire (April 2021), shares of 2022
    "E06000063": (2024, ["E10000006"]),  # Cumberland (April 2023), shares of 2024
    "E06000064": (2024, ["E10000006"]),  # Westmorland and Furness (April 2023), shares of 2024
}
RECODED = {"E10000002": ["E06000060"]}
"""SEN2 keyed Buckinghamshire as E06000060 in January 2021-2023 and as E10000002 otherwise."""

SHARES = {
    # table: (share used to split the regional value, decimals kept)
    "state_funded_schools.csv": ("pupils", 0),
    "senco_initial_stock.csv": ("pupils", 0),
    "senco_hires_max.csv": ("pupils", 0),
    "npq_intake_min.csv": ("pupils", 0),
    "senco_prior_intake_2025.csv": ("pupils", 0),
    "ey_group_settings.csv": ("primary", 0),
    "ey_childminders.csv": ("primary", 0),
    "ey_senco_initial_stock.csv": ("primary", 0),
    "ey_intake_min.csv": ("primary", 2),
    "ey_places.csv": ("primary", 2),
    "ep_initial_stock.csv": ("new_plans", 2),
    "ep_hires_max.csv": ("new_plans", 2),
    "ep_agency_max.csv": ("new_plans", 2),
    "ep_cohort_allocation.csv": ("new_plans", 2),
    "ep_places.csv": ("new_plans", 2),
}
SHARE_TEXT = {
    "pupils": "the authority's share of its region's state-funded primary and secondary pupils on roll 2024/25 "
              "(DfE school places scorecards)",
    "primary": "the authority's share of its region's state-funded primary pupils on roll 2024/25 "
               "(DfE school places scorecards)",
    "new_plans": "the authority's share of its region's new EHC plans in calendar 2024 (DfE SEN2 2025)",
}
RATIOS = {"ep_statutory_share.csv"}
"""Ratios with no authority figure: every authority takes its region's value."""


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def apportion(total: float, weights: Mapping[str, float], decimals: int) -> dict[str, float]:
    """Split ``total`` in proportion to ``weights``, rounded to ``decimals`` by largest remainder
    (ties to the earlier key), so the parts sum to ``total`` rounded to ``decimals`` exactly."""
    unit = 10**decimals
    whole = round(total * unit)
    weight_sum = sum(weights.values())
    exact = {k: whole * w / weight_sum for k, w in weights.items()}
    parts = {k: math.floor(v) for k, v in exact.items()}
    left = whole - sum(parts.values())
    for k in sorted(exact, key=lambda k: -(exact[k] - parts[k]))[:left]:
        parts[k] += 1
    return {k: (v / unit if decimals else int(v)) for k, v in parts.items()}


def authorities() -> list[dict[str, str]]:
    """The 153 authorities of the January 2025 SEN2 caseload, in region then code order."""
    rows = [r for r in read(PUBLISHED / "sen2_ehc_plans_january_by_la.csv") if r["year"] == "2025"]
    return sorted(rows, key=lambda r: (r["region_code"], r["new_la_code"]))


def caseload_series(las: list[dict[str, str]]) -> dict[str, dict[int, int]]:
    """Published January caseload 2019-2025 per current authority; before a reorganisation the
    predecessor's figure is split by the successors' shares in their first published year."""
    raw: dict[tuple[str, int], int] = {}
    for r in read(PUBLISHED / "sen2_ehc_plans_january_by_la.csv"):
        raw[(r["new_la_code"], int(r["year"]))] = int(r["ehcplans"])
    for new, old in RECODED.items():
        for (code, year), v in list(raw.items()):
            if code in old:
                raw[(new, year)] = v
    series: dict[str, dict[int, int]] = {r["new_la_code"]: {} for r in las}
    for code in series:
        for year in CASELOAD_YEARS:
            if (code, year) in raw:
                series[code][year] = raw[(code, year)]
    for code, (start, before) in PREDECESSORS.items():
        siblings = [c for c, (s, b) in PREDECESSORS.items() if b == before]
        for year in range(CASELOAD_YEARS[0], start):
            total = sum(raw[(p, year)] for p in before)
            split = apportion(total, {s: raw[(s, start)] for s in siblings}, 0)
            series[code][year] = int(split[code])
    return series


def keep_only(out: Path, codes: list[str]) -> None:
    """Drop every row of the tables in ``out`` but those of ``codes`` (shares stay those of the whole region)."""
    for path in sorted(out.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        write(path, rows[0], [r for r in rows[1:] if r[0] in codes])


def main(out: Path = HERE, only: list[str] | None = None) -> None:
    """Write the tables into ``out`` (default: beside this script), all 153 authorities or ``only`` those."""
    las = authorities()
    unknown = sorted(set(only or []) - {r["new_la_code"] for r in las})
    if unknown:
        raise SystemExit(f"unknown authority code(s) {', '.join(unknown)}: see {HERE / 'authorities.csv'} for the 153 codes")
    region_of = {r["new_la_code"]: r["region_code"] for r in las}
    name_of = {r["new_la_code"]: r["la_name"] for r in las}
    by_region: dict[str, list[str]] = {}
    for code, reg in region_of.items():
        by_region.setdefault(reg, []).append(code)
    write(out / "authorities.csv", ["code", "name", "region_code", "region_name", "source"],
          [[r["new_la_code"], r["la_name"], r["region_code"], r["region_name"],
            "DfE Education, health and care plans 2025 (SEN2), local authorities with January 2025 caseloads"]
           for r in las])

    pupils = {SCORECARD_CODES.get(r["new_la_code"], r["new_la_code"]): r
              for r in read(PUBLISHED / "scorecard_pupils_on_roll_2024_25_by_la.csv")}
    new_plans = {r["new_la_code"]: int(r["new_ehc_plans"])
                 for r in read(PUBLISHED / "sen2_new_ehc_plans_2024_by_la.csv")}
    weights = {
        "pupils": {c: int(pupils[c]["PriNOR"]) + int(pupils[c]["SecNOR"]) for c in region_of},
        "primary": {c: int(pupils[c]["PriNOR"]) for c in region_of},
        "new_plans": new_plans,
    }
    series = caseload_series(las)

    # EHC plans: published 2019-2025; January 2026 by the authority's share of its region's 2025 caseload.
    regional = {r["region"]: r for r in read(REGIONAL / "ehcp_caseload.csv")}
    jan2026: dict[str, float] = {}
    for reg, codes in by_region.items():
        jan2026.update(apportion(float(regional[reg]["2026"]), {c: series[c][2025] for c in codes}, 0))
    rows = []
    for code in region_of:
        values = [series[code][y] for y in CASELOAD_YEARS] + [int(jan2026[code])]
        rows.append([code, name_of[code], *values,
                     "DfE SEN2 2025 release, EHC plans 0-25 in January 2019-2025 (published); "
                     "January 2026 ASSUMPTION: region's published 2026 total x authority's share of its 2025 caseload"])
    write(out / "ehcp_caseload.csv", ["region", "region_name", *map(str, CASELOAD_YEARS), "2026", "source"], rows)

    # New plans per plan: published new plans 2024 / published caseload January 2025.
    write(out / "ep_new_plans_per_plan.csv", ["region", "region_name", "value", "source"],
          [[c, name_of[c], round(new_plans[c] / series[c][2025], 4),
            "derived: new EHC plans in calendar 2024 / EHC plans in January 2025 (DfE SEN2 2025, published)"]
           for c in region_of])

    for table in sorted(SHARES) + sorted(RATIOS):
        src = read(REGIONAL / table)
        value_col = "value" if "value" in src[0] else next(k for k in src[0] if k.isdigit())
        rows = []
        for reg_row in src:
            reg = reg_row["region"]
            if table in RATIOS:
                parts = {c: float(reg_row[value_col]) for c in by_region[reg]}
                note = f"ASSUMPTION: the region's value ({reg_row['region_name']}); no authority figure"
            else:
                share, decimals = SHARES[table]
                parts = apportion(float(reg_row[value_col]), {c: weights[share][c] for c in by_region[reg]}, decimals)
                note = (f"ASSUMPTION: {reg_row['region_name']} {reg_row[value_col]} (regional table, "
                        f"configs/data/{table}) x {SHARE_TEXT[share]}")
            rows += [[c, name_of[c], parts[c], note] for c in by_region[reg]]
        order = {c: i for i, c in enumerate(region_of)}
        rows.sort(key=lambda row: order[row[0]])
        write(out / table, ["region", "region_name", value_col, "source"], rows)
    if only:
        keep_only(out, only)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Write the local-authority tables.")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: beside this script)")
    parser.add_argument("--only", nargs="+", metavar="CODE", help="write only these authorities' rows")
    args = parser.parse_args()
    if args.out.resolve() != HERE:
        taken = sorted(p.name for p in args.out.glob("*.csv")) if args.out.is_dir() else []
        if taken:
            raise SystemExit(f"{args.out} already holds {', '.join(taken)}: give an empty or new folder "
                             "(this script never overwrites tables it did not write)")
    args.out.mkdir(parents=True, exist_ok=True)
    main(args.out, args.only)
