"""Counts in messages read in the right number: '1 region', '2 regions' (workforce/words.py)."""

from __future__ import annotations

from click.testing import CliRunner

from workforce.cli.commands import main
from workforce.words import counted

from test_cli import tiny  # noqa: F401  # isort: skip  (the fixture: one region, one role, one programme)


def test_counted_uses_the_singular_for_one_only():
    assert counted(1, "region") == "1 region"
    assert counted(0, "region") == "0 regions"
    assert counted(153, "funding stream") == "153 funding streams"


def test_validate_and_the_run_summary_say_one_region_and_one_role(tiny, tmp_path):  # noqa: F811
    checked = CliRunner().invoke(main, ["validate", str(tiny)])
    assert checked.exit_code == 0, checked.output
    assert "valid. 1 region, 2026-2028, 1 role, 1 programme, 1 funding stream." in checked.output
    ran = CliRunner().invoke(main, ["run", str(tiny), "--out", str(tmp_path / "out")])
    assert ran.exit_code == 0, ran.output
    assert "optimal plan for 1 region, 2026-2028" in ran.output


def test_an_amount_that_rounds_to_a_thousand_pounds_k_reads_in_millions():
    """999.99 £k printed with no decimals is '£1,000k'; it reads '£1.00m', as 1,000.01 does."""
    from workforce.errors import amount_text

    assert amount_text(999.99, "£k") == "£1.00m"
    assert amount_text(1000.01, "£k") == "£1.00m"
    assert amount_text(999.4, "£k") == "£999k"
