"""The study folder: a partitioned Parquet dataset, one partition per point, each written atomically.

Layout of ``OUT/``::

    study.json                  the spec, the points and the base scenario's hash (written first)
    results/point=000012/       one folder per finished point, renamed into place when complete:
        part-0.parquet          its key results (measure, item, region, year, value); its metadata
                                says how it was solved (in place or rebuilt, why), seconds, objective
    failures/point=000013.json  a point that failed, with the error (removed when a rerun succeeds)
    damaged/point=000014/       a partition found damaged on resume (truncated, empty, its file
                                gone), set aside for inspection; its point is solved again
    points.csv                  every point's parameters, status and objective (rewritten at the end)

A point counts as finished when its folder exists, so an interrupted or partly failed study is
resumed by running it again: finished points are skipped and failed ones retried. Temporary
folders start with a dot, which Parquet readers skip, and are cleared at the next run.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from workforce.errors import WorkforceError

RECORD_KEY = b"workforce.point"
"""Parquet metadata key holding the point's record (how it was solved, seconds, objective)."""

PARQUET_HINT = "Parquet output needs pyarrow, which workforce installs: this environment lacks it (pip install pyarrow)"


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise WorkforceError(PARQUET_HINT) from None
    return pa, pq


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def publish_mode(path: Path) -> None:
    """Give a file or folder made by mkstemp/mkdtemp (private: 0600/0700) the usual permissions."""
    os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~_umask())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        publish_mode(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def partition_name(point: int) -> str:
    return f"point={point:06d}"


def _point_of(name: str) -> int | None:
    digits = name.removeprefix("point=")
    return int(digits) if digits.isdigit() else None


class StudyStore:
    """Read and write one study folder."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.results = self.out / "results"
        self.failures = self.out / "failures"
        self.damaged: list[int] = []
        """Points whose partition was found damaged by the last :meth:`finished` (and set aside)."""

    def prepare(self, study: dict[str, Any], *, restart: bool) -> None:
        """Create the folder, or check it holds the same study (resume); clear stale temporaries."""
        _pyarrow()  # fail before any solving if Parquet cannot be written
        try:
            self.results.mkdir(parents=True, exist_ok=True)
            self.failures.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkforceError(f"cannot write to {self.out}: {exc.strerror}") from None
        meta = self.out / "study.json"
        if meta.exists() and not restart:
            old = json.loads(meta.read_text())
            if old.get("spec_sha256") != study["spec_sha256"] or old.get("scenario_sha256") != study["scenario_sha256"]:
                raise WorkforceError(
                    f"{self.out} holds results of a different study (its spec or scenario changed); "
                    "choose another folder (--out), or pass --restart (restart=True in Python) to discard them"
                )
        if restart:
            for folder in (self.results, self.failures):
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
        for folder in (self.results, self.failures):
            for stale in folder.glob(".*"):
                shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        write_text_atomic(meta, json.dumps(study, indent=2, default=str) + "\n")

    def finished(self) -> set[int]:
        """Points whose partition is whole. A partition that cannot be read back (its file
        truncated, emptied or deleted) is moved to ``damaged/`` (not deleted: it is kept for
        inspection) and its point counts as not done, so a resume solves it again; the points
        moved are in :attr:`damaged`."""
        done: set[int] = set()
        self.damaged = []
        for part in sorted(self.results.glob("point=*")):
            if not part.is_dir():
                continue
            point = _point_of(part.name)
            if point is None:
                continue
            if self._whole(part):
                done.add(point)
            else:
                self._set_aside(part)
                self.damaged.append(point)
        return done

    def _whole(self, part: Path) -> bool:
        _pa, pq = _pyarrow()
        files = [f for f in part.iterdir() if not f.name.startswith(".")]
        if [f.name for f in files] != ["part-0.parquet"]:
            return False
        try:
            meta = pq.read_metadata(files[0])
            record = json.loads(meta.metadata[RECORD_KEY])
        except Exception:  # noqa: BLE001 - any failure to read it back means it is not whole
            return False
        return meta.num_rows > 0 and record.get("status") == "ok"

    def _set_aside(self, part: Path) -> None:
        aside = self.out / "damaged"
        aside.mkdir(exist_ok=True)
        target, n = aside / part.name, 1
        while target.exists():
            target, n = aside / f"{part.name}.{n}", n + 1
        os.rename(part, target)

    def write_point(self, point: int, table: pd.DataFrame, record: dict[str, Any]) -> None:
        """Write one point's partition whole, or not at all."""
        pa, pq = _pyarrow()
        tmp = Path(tempfile.mkdtemp(prefix=f".{partition_name(point)}.", dir=self.results))
        try:
            arrow = pa.Table.from_pandas(table, preserve_index=False, nthreads=1)
            meta = dict(arrow.schema.metadata or {})
            meta[RECORD_KEY] = json.dumps(record, default=float).encode()
            with open(tmp / "part-0.parquet", "wb") as fh:
                pq.write_table(arrow.replace_schema_metadata(meta), fh)
                fh.flush()
                os.fsync(fh.fileno())
            publish_mode(tmp)
            os.rename(tmp, self.results / partition_name(point))
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        (self.failures / f"{partition_name(point)}.json").unlink(missing_ok=True)

    def write_failure(self, point: int, record: dict[str, Any]) -> None:
        write_text_atomic(self.failures / f"{partition_name(point)}.json", json.dumps(record, default=float) + "\n")

    def records(self) -> pd.DataFrame:
        """How every point went: from each partition's metadata and each failure file."""
        _pa, pq = _pyarrow()
        rows = [json.loads(pq.read_schema(p / "part-0.parquet").metadata[RECORD_KEY])
                for p in sorted(self.results.glob("point=*"))]
        rows += [json.loads(p.read_text()) for p in sorted(self.failures.glob("point=*.json"))]
        if not rows:
            return pd.DataFrame(columns=["point", "status"]).set_index("point")
        return pd.DataFrame(rows).set_index("point").sort_index()

    def read(self, measures: list[str] | None = None) -> pd.DataFrame:
        """The long results table of every finished point (column ``point`` from the partition)."""
        _pyarrow()
        parts = sorted(self.results.glob("point=*"))
        if not parts:
            return pd.DataFrame(columns=["point", "measure", "item", "region", "year", "value"])
        filters = [("measure", "in", measures)] if measures else None
        df = pd.read_parquet(self.results, filters=filters)
        df["point"] = df["point"].astype(str).str.removeprefix("point=").astype("int64")
        return df.sort_values(["point"], kind="stable").reset_index(drop=True)
