"""Keep a chart legible when a plan has many funding streams: the largest N, the rest as "other".

``workforce plot`` with 2,000 funding streams drew 2,000 panels (530 s, 2.8 GB, a figure 246
inches tall). :func:`largest_streams` returns the plan's tables with every stream outside the
``n - 1`` largest (by spend over the horizon, then by budget) summed into one stream ``other``,
so a chart of the result has at most ``n`` panels and draws exactly the numbers of the table it
is given. The budgets of the grouped streams are summed too, so an overrun in one can offset
unspent money in another: the group's name says how many streams it holds.
:func:`largest_items` does the same for what the money paid for (the colours of the stacks).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from workforce.plan.tables import PlanTables

OTHER = "other"
"""Id of the grouped stream (a suffix is added if the plan has a stream of that id)."""


def largest_streams(t: PlanTables, n: int) -> PlanTables:
    """``t`` unchanged if it has at most ``n`` streams, else with the smallest grouped as one."""
    streams = t.streams
    if n < 2:
        raise ValueError("keep at least 2 panels: the largest stream and the rest")
    if len(streams) <= n:
        return t
    spent = t.spend["spent"].groupby(level="stream").sum().reindex(streams).fillna(0.0)
    budget = t.spend["budget"].groupby(level="stream").sum(min_count=1).reindex(streams).fillna(0.0)
    order = sorted(streams, key=lambda f: (-spent[f], -budget[f], streams.index(f)))
    keep = order[: n - 1]
    rest = [f for f in streams if f not in keep]
    other = OTHER
    while other in streams:
        other += "_"
    return dataclasses.replace(
        t,
        spend=_group(t.spend, rest, other, budget_cols=("budget", "headroom")),
        spend_detail=_group(t.spend_detail, rest, other, budget_cols=()),
        labels=dataclasses.replace(
            t.labels,
            streams={**{f: t.labels.streams[f] for f in keep},
                     other: f"Other {len(rest)} funding streams, combined"},
            financial_year_streams=[f for f in t.labels.financial_year_streams if f in keep]
            + ([other] if all(f in t.labels.financial_year_streams for f in rest) else []),
        ),
    )


def _group(table: pd.DataFrame, rest: list[str], other: str, budget_cols: tuple[str, ...]) -> pd.DataFrame:
    """Rows of the ``rest`` streams summed under ``other`` (budget columns: NaN only if all are)."""
    streams = table.index.get_level_values("stream")
    grouped = table[streams.isin(rest)]
    levels = [name for name in table.index.names if name != "stream"]
    sums = {}
    for col in grouped.columns:
        by = grouped[col].groupby(level=levels, sort=False)
        sums[col] = by.sum(min_count=1) if col in budget_cols else by.sum()
    summed = pd.DataFrame(sums)
    summed = pd.concat({other: summed}, names=["stream"]).reorder_levels(table.index.names)
    return pd.concat([table[~streams.isin(rest)], summed])


def largest_items(t: PlanTables, n: int) -> PlanTables:
    """``t`` with the spend items (programmes, hiring, ...) outside the ``n - 1`` largest by
    spend summed into one item, ``Other spending (K items)``; unchanged if there are at most ``n``."""
    detail = t.spend_detail
    items = list(dict.fromkeys(detail.index.get_level_values("item")))
    if len(items) <= n:
        return t
    spent = detail["spent"].groupby(level="item").sum()
    keep = sorted(items, key=lambda i: (-spent[i], items.index(i)))[: n - 1]
    rest = [i for i in items if i not in keep]
    name = f"Other spending ({len(rest)} items)"
    relabelled = detail.rename(index={i: name for i in rest}, level="item")
    grouped = relabelled.groupby(level=list(detail.index.names), sort=False).sum()
    return dataclasses.replace(t, spend_detail=grouped)
