"""csv_text writes a plan table's CSV with exactly pandas' bytes, or hands it back to pandas (issue 19).

The export writes every CSV through ``workforce.output.csv_text.write_csv``; the byte-identity of a
whole run's folder before and after was checked on configs/england_baseline.yaml and
configs/england_local_authorities.yaml when it was introduced. These tests hold it to pandas'
``to_csv(float_format="%.10g", lineterminator="\\n")`` on the shapes plan tables have and on the
shapes it must refuse.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from workforce import load_scenario, solve
from workforce.output.cells import neutralise_frame
from workforce.output.csv_text import csv_text, write_csv
from workforce.output.export import CSV_FLOAT_FORMAT

from scenarios import MINIMAL_YAML, write_scenario  # isort: skip


def _pandas(df: pd.DataFrame) -> str:
    return df.to_csv(float_format=CSV_FLOAT_FORMAT, lineterminator="\n")


def _table(floats: list[float], ints: list[int], regions: list[str]) -> pd.DataFrame:
    n = min(len(floats), len(ints), len(regions))
    index = pd.MultiIndex.from_arrays([regions[:n], list(range(2026, 2026 + n))], names=["region", "year"])
    return pd.DataFrame({"stock": floats[:n], "cohorts": np.array(ints[:n], dtype=np.int64),
                         "flag": [i % 2 == 0 for i in ints[:n]]}, index=index)


_FLOATS = st.floats(allow_infinity=False, width=64) | st.sampled_from([0.0, -0.0, 1e-12, 2.45, 36.83, 1 / 3, 1e16])
_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters=',"\r\n'), max_size=8)


@settings(max_examples=25, deadline=None)
@given(st.lists(_FLOATS, min_size=1, max_size=12), st.lists(st.integers(-10**12, 10**12), min_size=1, max_size=12),
       st.lists(_TEXT, min_size=1, max_size=12))
def test_csv_text_is_pandas_bytes(floats: list[float], ints: list[int], regions: list[str]) -> None:
    """Floats (NaN included: hypothesis draws it), whole numbers, booleans and text: the same text as pandas."""
    df = _table(floats, ints, regions)
    text = csv_text(df, CSV_FLOAT_FORMAT)
    assert text is not None
    assert text == _pandas(df)


def test_known_table_text() -> None:
    """A hand-written table: 2.45 and 36.83 as written, NaN empty, 1/3 to ten significant figures."""
    df = _table([2.45, float("nan"), 1 / 3], [3, 0, -1], ["E06000001", "E06000002", "London"])
    assert csv_text(df, CSV_FLOAT_FORMAT) == (
        "region,year,stock,cohorts,flag\n"
        "E06000001,2026,2.45,3,False\n"
        "E06000002,2027,,0,True\n"
        "London,2028,0.3333333333,-1,False\n"
    )


def test_shapes_it_cannot_write_go_to_pandas(tmp_path) -> None:
    """A cell or label needing quotes, an infinity, a float index, an unnamed index: None, and write_csv
    then writes pandas' bytes."""
    base = _table([1.5, 2.5], [1, 2], ["a", "b"])
    quoted = base.rename(index={"a": 'North, "East"'})
    infinite = base.assign(stock=[1.5, float("inf")])
    float_index = base.reset_index(drop=True).set_index(pd.Index([0.5, 1.5], name="share"))
    unnamed = base.reset_index(drop=True)
    comma_label = base.rename(columns={"stock": "stock, start"})
    for df in (quoted, infinite, float_index, unnamed, comma_label):
        assert csv_text(df, CSV_FLOAT_FORMAT) is None
        path = tmp_path / "t.csv"
        write_csv(path, df, CSV_FLOAT_FORMAT)
        assert path.read_bytes() == _pandas(df).encode("utf-8")
    path = tmp_path / "base.csv"
    write_csv(path, base, CSV_FLOAT_FORMAT)
    assert path.read_bytes() == _pandas(base).encode("utf-8")


def test_a_solved_plans_tables_take_the_fast_path(tmp_path) -> None:
    """Every table of a solved plan has the shape csv_text writes (so the export does not fall back to
    pandas' slow path unnoticed), with pandas' bytes."""
    tables = solve(load_scenario(write_scenario(tmp_path, MINIMAL_YAML))).tables()
    assert {"intake", "workforce", "flows", "spend"} <= set(tables)
    for name, table in tables.items():
        frame = neutralise_frame(table)
        assert csv_text(frame, CSV_FLOAT_FORMAT) == _pandas(frame), name
