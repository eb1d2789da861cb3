"""An Excel export on a real full disk (issue 14 §2, §5): the failure happens inside the xlsx
writer (a third-party writer that reports a full disk in its own way), and still nothing partial is
left, the earlier run is untouched and the command exits 4 ("outputs could not be written", the
README's exit-code table) with one line and no traceback."""

from __future__ import annotations

import errno
import gc

import pytest
from click.testing import CliRunner

import workforce.output.export as export
from tests.test_output_safety import _fill, assert_same, proj, small_disk, snapshot  # noqa: F401  (fixtures)
from workforce import load_scenario, solve
from workforce.cli.commands import main
from workforce.errors import ExportError
from workforce.output_safety import is_file_create_error


@pytest.fixture
def spied(monkeypatch):
    """What the xlsx writer raised, if anything: the test proves the disk filled inside it."""
    raised: list[BaseException] = []
    real = export.write_workbook

    def spy(plan, path):
        try:
            real(plan, path)
        except BaseException as exc:
            raised.append(exc)
            raise

    monkeypatch.setattr(export, "write_workbook", spy)
    return raised


def _full_disk_error(exc: BaseException) -> bool:
    inner = exc.__context__ or exc.__cause__ if is_file_create_error(exc) else exc
    return getattr(inner, "errno", None) == errno.ENOSPC


def test_xlsx_on_a_full_disk_from_the_command_line(proj, small_disk, spied):  # noqa: F811
    out = small_disk / "run"
    first = CliRunner().invoke(main, ["run", "s.yaml", "--out", str(out), "--format", "csv,xlsx"])
    assert first.exit_code == 0, first.output
    assert (out / "plan.xlsx").stat().st_size > 4096
    _fill(small_disk)
    before = snapshot(small_disk)
    result = CliRunner().invoke(main, ["run", "s.yaml", "--out", str(out), "--format", "xlsx"])
    gc.collect()  # a writer object left half-closed would report its error here ("Exception ignored")
    assert result.exit_code == 4, result.output
    assert len(spied) == 1 and _full_disk_error(spied[0]), spied  # the workbook writer met the full disk
    assert "the disk is full" in result.output and "Traceback" not in result.output
    assert str(out) in result.output
    assert_same(small_disk, before)  # the earlier run byte for byte, no staging or temporary file


def test_xlsx_on_a_full_disk_from_python(proj, small_disk, spied):  # noqa: F811
    plan = solve(load_scenario(proj / "s.yaml"))
    out = plan.export(small_disk / "run", ("csv", "xlsx"))
    _fill(small_disk)
    before = snapshot(small_disk)
    with pytest.raises(ExportError, match="the disk is full"):
        plan.export(out, ("xlsx",))
    gc.collect()
    assert len(spied) == 1 and _full_disk_error(spied[0])
    assert_same(small_disk, before)
