"""Plan tables in other shapes: an ``xarray.Dataset`` for analysts who work with labelled arrays.

xarray is an optional extra (``pip install "workforce[xarray]"``); the rest of the package does
not need it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workforce.plan.results import Plan


def _xarray() -> Any:
    try:
        import xarray
    except ImportError:
        raise ImportError(
            "Plan.to_xarray needs xarray, an optional extra: pip install \"workforce[xarray]\" "
            "(or pip install xarray)"
        ) from None
    return xarray


def plan_to_xarray(plan: Plan) -> Any:
    """One Dataset holding every plan table, each column a variable over its table's index levels.

    Dimensions: ``programme``, ``role``, ``region``, ``year``, ``stream``, ``item``. Variables:
    the columns of ``intake`` [programme, region, year], ``workforce`` and ``flows`` [role, region,
    year] (columns that both tables hold, such as ``flexible``, appear once), ``spend`` [stream,
    year] and ``spent_by_item`` from ``spend_detail`` [stream, year, item]. Each variable's
    ``attrs["unit"]`` is the unit of its column and ``attrs["table"]`` the table it came from;
    the Dataset's attrs hold the status, the objective and each term. A region coordinate
    ``region_name`` gives the readable names. Cells a table does not have (for example an item of
    another funding stream) are NaN. Tables only some plans have (``tenure`` [role, region, year,
    band], ``compliance`` [role, region, year], ``intake_terms`` [programme, region, year,
    intake_point]) give variables named ``<table>_<column>``.
    """
    xr = _xarray()
    parts = []
    attrs: dict[str, dict[str, str]] = {}
    seen: set[str] = set()
    from workforce.plan.results import TABLES

    for name, table in plan.tables().items():
        frame = table.rename(columns={"spent": "spent_by_item"}) if name == "spend_detail" else table
        if name not in TABLES:  # tenure, compliance, intake_terms: their columns would clash with the core ones
            frame = frame.rename(columns={c: f"{name}_{c}" for c in frame.columns})
            frame = frame.rename_axis(index={"intake": "intake_point"})  # 'intake' is a variable already
            units = {f"{name}_{c}": u for c, u in table.attrs.get("units", {}).items()}
            frame.attrs["units"] = units
        frame = frame[[c for c in frame.columns if c not in seen]]
        seen.update(frame.columns)
        units = frame.attrs.get("units", {}) if name not in TABLES else table.attrs.get("units", {})
        parts.append(xr.Dataset.from_dataframe(frame))
        for column in frame.columns:
            original = "spent" if column == "spent_by_item" else column
            attrs[column] = {"unit": units.get(original, ""), "table": name}
    out = xr.merge(parts, join="outer", compat="no_conflicts", combine_attrs="drop")
    d = plan.data
    order = {"programme": d.PROGRAMMES, "role": d.ROLES, "region": d.REGIONS, "stream": d.STREAMS}
    out = out.reindex({dim: labels for dim, labels in order.items() if dim in out.dims})  # scenario order
    if "region" in out.coords:
        out = out.assign_coords(region_name=("region", [d.region_names.get(r, r) for r in out["region"].values]))
    for column, meta in attrs.items():
        out[column].attrs = meta
    s = plan.summary
    out.attrs = {
        "scenario": plan.scenario_name,
        "status": s["status"],
        "objective": float(s["objective"]),
        **{f"objective_{term}": float(value) for term, value in s["terms"].items()},
        "money_unit": "GBP thousands",
        "scenario_sha256": s.get("scenario_sha256", ""),
    }
    return out
