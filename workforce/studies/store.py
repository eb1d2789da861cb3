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
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from workforce.errors import ExportError, WorkforceError
from workforce.output_safety import guard_target, json_text

STUDY_FOLDER = "study"
STUDY_FORMAT = 1
RESULT_FILES = ("points.csv", "sweep.png", "fan_shortfall.csv", "fan_shortfall.png", "miss_probability.csv")
"""Files a study writes at its top level besides study.json (rewritten at the end of each run)."""
TOP_LEVEL = re.compile(r"^(study\.json|points\.csv|sweep\.png|fan_shortfall\.(csv|png)|miss_probability\.csv"
                       r"|\.(study\.json|points\.csv|fan_shortfall\.csv|miss_probability\.csv|sweep|fan_shortfall)\..+)$")
STUDY_JSON_TEMPORARY = re.compile(r"^\.study\.json\.[A-Za-z0-9_]{8}$")
"""The temporary study.json of write_text_atomic (tempfile.mkstemp: the prefix, then 8 characters)."""
PARTITION = re.compile(r"^\.?point=\d{6}(\..+)?$")
FAILURE = re.compile(r"^\.?point=\d{6}\.json(\..+)?$")

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


def marker() -> dict[str, Any]:
    """The keys of study.json that mark a study folder this tool made."""
    return {"tool": "workforce", "folder": STUDY_FOLDER, "folder_format": STUDY_FORMAT}


def _read_json(path: Path) -> Any:
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 << 20:
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _only_parts(entry: Path) -> bool:
    """A partition folder holds only part-0.parquet (and its temporaries); a failure is a file."""
    if not entry.is_dir():
        return entry.is_file()
    return all(p.is_file() and not p.is_symlink() and (p.name == "part-0.parquet" or p.name.startswith("."))
               for p in entry.iterdir())


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

    def prepare(self, study: dict[str, Any], *, restart: bool, protected: Iterable[str | Path] = ()) -> None:
        """Create the folder, or check it holds the same study (resume); clear stale temporaries.

        An existing folder is used only when it is a study folder this tool made (``study.json``
        carries the marker) holding nothing but the study's own files; ``restart`` then removes
        those files and nothing else, and only for the same study. Anything else is refused with
        exit 4, naming the file in the way. No file that ``protected`` names is ever touched."""
        _pyarrow()  # fail before any solving if Parquet cannot be written
        guard_target(self.out, protected)
        old = self._existing(study)
        if old is not None and not restart and (
                old.get("spec_sha256") != study["spec_sha256"] or old.get("scenario_sha256") != study["scenario_sha256"]):
            raise ExportError(
                f"{self.out} holds results of a different study (its spec or scenario changed); "
                "choose another output folder, or add --restart to discard them"
            )
        if old is not None and restart and old.get("name") != study["name"]:
            raise ExportError(
                f"{self.out} holds the study {old.get('name')!r}, not {study['name']!r}; --restart discards only "
                "a folder made for the same study, so nothing was removed. Choose another output folder"
            )
        existed = self.out.exists()
        try:
            for path in self._own_files(temporaries_only=not restart):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
            self.results.mkdir(parents=True, exist_ok=True)
            self.failures.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.out / "study.json", json_text({**marker(), **study}))
        except OSError as exc:
            from workforce.studies.write_faults import remove_new_folders, study_write_error

            remove_new_folders(self.out, existed)  # so that "nothing was written" is true
            raise study_write_error(exc, self.out) from None

    def _existing(self, study: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The study.json of a study folder this tool made, None for an absent or empty folder (or
        one left by this study killed while it started); refuses (exit 4) any other folder,
        naming the file in the way."""
        if not self.out.exists() and not self.out.is_symlink():
            return None
        if self.out.is_symlink() or not self.out.is_dir():
            raise ExportError(f"cannot write the study to {self.out}: it is a file, not a folder; choose another --out")
        entries = sorted(self.out.iterdir())
        if not entries:
            return None
        meta = self.out / "study.json"
        record = _read_json(meta)
        if not isinstance(record, dict) or any(record.get(k) != v for k, v in marker().items()):
            if study is not None and self._unfinished_start(study):
                return None  # its leftovers are temporaries and empty folders: cleared, then started again
            first = next((self.out / n for n in ("study.json", "manifest.json") if (self.out / n).exists()), entries[0])
            raise ExportError(
                f"cannot write the study to {self.out}: {first} is in the way (workforce did not write it as part "
                "of a study folder); workforce writes studies only into a new folder or one it made, and nothing "
                "was changed. Choose another --out"
            )
        foreign = self._foreign()
        if foreign is not None:
            raise ExportError(
                f"cannot write the study to {self.out}: {foreign} is in the way (a study folder holds only the "
                "study's own files) and nothing was changed; move it away or choose another --out"
            )
        return record

    def _unfinished_start(self, study: dict[str, Any]) -> bool:
        """A folder left by this study killed (``kill -9``) while it started, between creating the
        folder and renaming study.json into place: it holds nothing but empty ``results/`` and
        ``failures/`` folders and a temporary of study.json whose bytes begin the study.json this
        run writes (or none yet). Anything else there is refused as usual."""
        expected = json_text({**marker(), **study}).encode()
        for entry in self.out.iterdir():
            if entry.is_symlink():
                return False
            if entry.name in ("results", "failures") and entry.is_dir():
                if any(entry.iterdir()):
                    return False
            elif not (STUDY_JSON_TEMPORARY.match(entry.name) and entry.is_file()
                      and entry.stat().st_size <= len(expected) and expected.startswith(entry.read_bytes())):
                return False
        return True

    def _foreign(self) -> Path | None:
        """The first entry of the study folder that is not one of the study's own files."""
        for entry in sorted(self.out.iterdir()):
            if entry.is_symlink():
                return entry
            if entry.name == "damaged" and entry.is_dir():
                # partitions this tool set aside on a resume (see finished()); their contents are
                # whatever was damaged, so only their names are checked
                inner = next((i for i in sorted(entry.iterdir()) if i.is_symlink() or not PARTITION.match(i.name)), None)
                if inner is not None:
                    return inner
            elif entry.name in ("results", "failures") and entry.is_dir():
                pattern = PARTITION if entry.name == "results" else FAILURE
                for inner in sorted(entry.iterdir()):
                    if inner.is_symlink() or not pattern.match(inner.name) or not _only_parts(inner):
                        return inner
            elif not (TOP_LEVEL.match(entry.name) and entry.is_file()):
                return entry
        return None

    def _own_files(self, *, temporaries_only: bool) -> list[Path]:
        """The study's own files to clear: stale temporaries, or (restart) every result."""
        if not self.out.is_dir():
            return []
        found = []
        for folder in (self.out, self.results, self.failures):
            if folder.is_dir():
                found += [p for p in folder.iterdir() if p.name.startswith(".") and not p.is_symlink()]
        if not temporaries_only:
            found += [p for p in (self.results, self.failures, self.out / "damaged") if p.is_dir()]
            found += [p for p in self.out.iterdir() if p.is_file() and p.name in RESULT_FILES]
        return found

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
            meta[RECORD_KEY] = json_text(record, indent=None).encode()
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
        write_text_atomic(self.failures / f"{partition_name(point)}.json", json_text(record, indent=None))

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
