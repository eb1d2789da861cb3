"""`workforce compare` prints roles, streams, programmes and objective terms in the scenario's own
names, not ids such as `ep` or `dfe_ep` (issue 17); results.csv keeps the ids."""

from __future__ import annotations

import pandas as pd

from workforce.studies.compare import Comparison, comparison_text, named_items

LABELS = {"roles": {"ep": {"name": "Educational psychologists", "unit": "FTE"}},
          "streams": {"dfe_ep": "DfE EP grant"}, "programmes": {"dedpsy": "Doctorate"}}


def table() -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples(
        [("shortfall", "ep", "E1"), ("shortfall_last_year", "ep", "E1"), ("spend", "dfe_ep", ""),
         ("intake", "dedpsy", ""), ("objective", "objective", ""), ("objective", "training_cost", "")],
        names=["measure", "item", "region"])
    return pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "b": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}, index=index)


def test_the_printed_key_results_use_the_scenarios_names():
    inputs = pd.DataFrame({"a": [], "b": []}, index=pd.Index([], name="key"))
    text = comparison_text(Comparison(names=["a", "b"], inputs=inputs, results=table(), labels=LABELS))
    for name in ("Educational psychologists (FTE)", "DfE EP grant", "Doctorate", "training cost"):
        assert name in text
    rows = text.split("Key results")[1]
    assert "shortfall, last year" in rows
    for code in (" ep ", "dfe_ep", "dedpsy", "training_cost", "shortfall_last_year"):
        assert code not in rows


def test_an_id_without_a_label_is_kept():
    names = named_items(table().index, {})
    assert [i for _, i, _ in names] == ["ep", "ep", "dfe_ep", "dedpsy", "objective", "training cost"]


def test_the_notebook_view_uses_the_scenarios_names_too():
    from workforce.output.display import comparison_html

    inputs = pd.DataFrame({"a": [], "b": []}, index=pd.Index([], name="key"))
    page = comparison_html(Comparison(names=["a", "b"], inputs=inputs, results=table(), labels=LABELS))
    assert "Educational psychologists (FTE)" in page and "DfE EP grant" in page and "Doctorate" in page
    assert "dfe_ep" not in page and "dedpsy" not in page


def test_the_plain_repr_uses_whole_names():
    from workforce.output.display import comparison_repr

    inputs = pd.DataFrame({"a": [], "b": []}, index=pd.Index([], name="key"))
    text = comparison_repr(Comparison(names=["a", "b"], inputs=inputs, results=table(), labels=LABELS))
    assert "Educational psychologists (FTE)" in text and "DfE EP grant" in text
    assert "dfe_ep" not in text and "dedpsy" not in text
