"""Run a study (sensitivity sweep or Monte Carlo) on any ``concurrent.futures.Executor``.

Points are split into contiguous chunks. Each task receives plain data only (the scenario as a
dict, the levers, the chunk's points), builds the model once per worker process (cached for the
worker's later chunks), applies each point in place and re-solves warm (:mod:`workforce.warm`).
HiGHS runs one thread per worker. Results come back to this process, which writes each point's
partition atomically (:mod:`workforce.store`), records failures per point, and shows a progress
bar (tqdm, silent when not on a terminal).

The default executor is a local process pool; pass ``executor=client.get_executor()`` (Dask
distributed) to run on a cluster.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workforce.errors import ScenarioError, WorkforceError
from workforce.levers import Lever, scenario_with, value_at
from workforce.scenario import Scenario, load_scenario
from workforce.store import StudyStore
from workforce.study import StudySpec, box, load_study, points, study_from_dict

_CACHE = threading.local()


@dataclass
class StudyResult:
    """A finished (or partly finished) study and its folder."""

    spec: StudySpec
    out: Path
    points: pd.DataFrame
    """One row per point: parameter values, status, how it was solved, objective, seconds, error."""
    seconds: float
    skipped: int
    """Points already finished by an earlier run and not solved again."""

    @property
    def failed(self) -> pd.DataFrame:
        return self.points[self.points["status"] == "failed"]

    def results(self, measures: list[str] | None = None) -> pd.DataFrame:
        """Long table of every finished point's key results (see WarmModel.key_results)."""
        return StudyStore(self.out).read(measures)

    def totals(self, measure: str = "shortfall") -> pd.DataFrame:
        """``measure`` summed over regions: one row per point and year, one column per item."""
        df = self.results([measure])
        return df.groupby(["point", "year", "item"])["value"].sum().unstack("item")

    def summary(self) -> str:
        p = self.points
        ok = int((p["status"] == "ok").sum())
        lines = [f"{self.spec.name}: {ok} of {len(p)} points solved, {len(self.failed)} failed, "
                 f"{self.skipped} already done ({self.seconds:.1f} s) -> {self.out}"]
        if "how" in p:
            for how, n in p.loc[p["status"] == "ok", "how"].value_counts().items():
                lines.append(f"  {n} solved {how}")
            reasons = p.loc[p["how"] == "rebuild", "reason"].dropna().unique()
            for r in reasons:
                lines.append(f"  rebuilt because {r}")
        for point, row in self.failed.head(5).iterrows():
            first = str(row.get("error", "")).splitlines()[0] if row.get("error") else ""
            lines.append(f"  point {point} failed: {first}")
        if len(self.failed) > 5:
            lines.append(f"  ... and {len(self.failed) - 5} more (see {self.out / 'points.csv'})")
        return "\n".join(lines)


def _warm_model(task: Mapping[str, Any]) -> Any:
    """This worker's model of the task's scenario (built on first use, then reused)."""
    from workforce.scenario import scenario_from_dict
    from workforce.warm import WarmModel

    cache = getattr(_CACHE, "models", None)
    if cache is None:
        cache = _CACHE.models = {}
    key = task["scenario_key"]
    if key not in cache:
        cache.clear()
        scenario = scenario_from_dict(task["scenario"], name=task["scenario_name"])
        cache[key] = WarmModel(scenario, threads=1, time_limit=task["time_limit"])
    return cache[key]


def run_chunk(task: Mapping[str, Any]) -> dict[str, Any]:
    """Solve a chunk of points in one worker. Takes and returns plain data only."""
    model = _warm_model(task)
    levers = {name: Lever(name, tuple(path), op) for name, path, op in task["levers"]}
    fixed = task.get("fixed_intake")
    model.fix_intake({(p, r, int(t)): v for p, r, t, v in fixed} if fixed else None)
    records, values_of, templates = [], {}, {id(model): model.template}
    for point, values, validate in task["points"]:
        t0 = time.perf_counter()
        record: dict[str, Any] = {"point": int(point)}
        try:
            info, used, note = model.solve_point(values, levers, validate=validate)
            templates.setdefault(id(used), used.template)
            values_of[int(point)] = (id(used), used.key_values(info))
            record.update(status="ok", objective=info.objective, plan=info.status, **note)
        except WorkforceError as exc:
            record.update(status="failed", error=str(exc), error_type=type(exc).__name__)
        except Exception as exc:  # a failure of one point never stops the others
            record.update(status="failed", error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}",
                          error_type=type(exc).__name__)
        record["seconds"] = time.perf_counter() - t0
        records.append(record)
    return {"records": records, "values": values_of, "templates": templates}


def _chunks(items: list[Any], n: int) -> list[list[Any]]:
    size = max(1, -(-len(items) // n))
    return [items[i:i + size] for i in range(0, len(items), size)]


def default_executor(workers: int | None) -> cf.Executor:
    """A local process pool (forkserver where available: workers start clean, without this
    process's threads)."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return cf.ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=ctx)


def _fixed_intake(spec: StudySpec, base: Path | None, scenario: Scenario) -> list[list[Any]] | None:
    mc = spec.montecarlo
    if mc is None or mc.mode != "evaluate":
        return None
    if mc.plan is not None:
        path = (base or Path.cwd()) / mc.plan
        try:
            table = pd.read_csv(path)
        except (OSError, ValueError) as exc:
            raise ScenarioError(f"{path}: cannot read the plan to evaluate: {exc}") from None
        missing = {"programme", "region", "year", "intake"} - set(table.columns)
        if missing:
            raise ScenarioError(f"{path}: the plan needs columns programme, region, year, intake "
                                f"(an intake.csv from `workforce run`); missing {', '.join(sorted(missing))}")
        return [[str(r.programme), str(r.region), int(r.year), float(r.intake)] for r in table.itertuples()]
    from workforce.warm import WarmModel

    model = WarmModel(scenario)
    plan = model.intake_plan(model.solve())
    return [[p, r, t, v] for (p, r, t), v in plan.items()]


def sweep(
    study: str | Path | StudySpec | Mapping[str, Any],
    *,
    out: str | Path | None = None,
    scenario: Scenario | None = None,
    executor: cf.Executor | None = None,
    workers: int | None = None,
    restart: bool = False,
    progress: bool | None = None,
    chunks_per_worker: int = 4,
    draws: int | None = None,
) -> StudyResult:
    """Run a sweep (grid or Latin hypercube) or a Monte Carlo study and return its result.

    ``study`` is a study file, a validated :class:`StudySpec` or the same data as a dict.
    ``scenario`` overrides the spec's scenario file. ``executor`` is any
    ``concurrent.futures.Executor`` (e.g. Dask's ``client.get_executor()``); by default a local
    process pool with ``workers`` processes, or this process alone when ``workers=1``. Points
    already in ``out`` are skipped unless ``restart``. ``progress`` None shows a bar on terminals.
    ``draws`` overrides a Monte Carlo study's number of draws (e.g. a quick look with 50).
    """
    t0 = time.perf_counter()
    spec, base_dir = _resolve(study)
    if draws is not None:
        if spec.montecarlo is None:
            raise WorkforceError(f"{spec.name} is a {spec.kind} study: only a Monte Carlo study has draws")
        spec = spec.model_copy(update={"montecarlo": spec.montecarlo.model_copy(update={"draws": int(draws)})})
    if scenario is None:
        scenario = load_scenario((base_dir or Path.cwd()) / spec.scenario)
    out = Path(out) if out is not None else Path("results") / "studies" / _slug(spec.name)
    levers = spec.levers()
    table = points(spec)
    base = scenario.model_dump()
    for lever in levers.values():  # a path that does not exist is an error in the spec, not per point
        value_at(base, lever)
    validate = _validation_plan(spec, table, base, levers, scenario.name)
    fixed = _fixed_intake(spec, base_dir, scenario)
    store = StudyStore(out)
    store.prepare({
        "name": spec.name, "kind": spec.kind, "spec": spec.model_dump(mode="json"), "spec_sha256": spec.sha256(),
        "scenario": scenario.name, "scenario_sha256": scenario.sha256(), "points": len(table),
    }, restart=restart, protected=_inputs(study, spec, base_dir, scenario))
    done = store.finished()
    pending = [i for i in table.index if i not in done]
    lever_list = [[n, list(lv.path), lv.op] for n, lv in levers.items()]
    items = [[int(i), {n: float(table.at[i, n]) for n in levers}, bool(validate[i])] for i in pending]
    common = {
        "scenario": base, "scenario_name": scenario.name, "levers": lever_list, "time_limit": spec.time_limit,
        "scenario_key": hashlib.sha256(json.dumps(base, sort_keys=True, default=str).encode()).hexdigest(),
        "fixed_intake": fixed,
    }
    _execute(items, common, store, executor, workers, progress, chunks_per_worker)
    records = store.records()
    summary = table.join(records, how="left")
    summary["status"] = summary["status"].fillna("not run")
    from workforce.store import write_text_atomic

    write_text_atomic(out / "points.csv", summary.to_csv())
    return StudyResult(spec=spec, out=out, points=summary, seconds=time.perf_counter() - t0, skipped=len(done))


def _inputs(study: Any, spec: StudySpec, base_dir: Path | None, scenario: Scenario) -> list[Path | str]:
    """Every file the study reads: the study file, the scenario's files and a plan to evaluate."""
    read: list[Path | str] = list(scenario.input_hashes)
    if isinstance(study, str | Path):
        read.append(study)
    if spec.montecarlo is not None and spec.montecarlo.plan is not None:
        read.append((base_dir or Path.cwd()) / spec.montecarlo.plan)
    return read


def _resolve(study: str | Path | StudySpec | Mapping[str, Any]) -> tuple[StudySpec, Path | None]:
    if isinstance(study, str | Path):
        return load_study(study)
    if isinstance(study, StudySpec):
        return study, None
    return study_from_dict(dict(study)), None


def _validation_plan(spec: StudySpec, table: pd.DataFrame, base: dict[str, Any], levers: dict[str, Lever],
                     name: str) -> pd.Series:
    """Which points must be validated one by one. A grid or Latin hypercube whose every corner
    validates needs none: each lever moves values linearly (or monotonically), so the checks
    that hold at the corners of the box hold inside it. Monte Carlo draws are each validated."""
    bounds = box(spec)
    if bounds is None or len(bounds) > 10:
        return pd.Series(True, index=table.index)
    import itertools

    for corner in itertools.product(*bounds.values()):
        try:
            scenario_with(base, dict(zip(bounds, corner, strict=True)), levers, name)
        except ScenarioError:
            return pd.Series(True, index=table.index)
    return pd.Series(False, index=table.index)


def _execute(items: list[Any], common: dict[str, Any], store: StudyStore, executor: cf.Executor | None,
             workers: int | None, progress: bool | None, chunks_per_worker: int) -> None:
    """Solve the chunks and write their points; writing (fsync) runs on its own thread so that it
    overlaps the solving."""
    if not items:
        return
    bar = _progress_bar(len(items), progress)
    own = executor is None and (workers or os.cpu_count() or 1) > 1
    writer = cf.ThreadPoolExecutor(1, thread_name_prefix="workforce-writer")
    writes: list[cf.Future[None]] = []
    try:
        if executor is None and not own:
            for chunk in _chunks(items, chunks_per_worker):
                writes.append(writer.submit(_store, run_chunk({**common, "points": chunk}), store))
                bar.update(len(chunk))
            return
        pool = default_executor(workers) if own else executor
        n_workers = workers or os.cpu_count() or 1
        try:
            futures = {pool.submit(run_chunk, {**common, "points": chunk}): chunk  # type: ignore[union-attr]
                       for chunk in _chunks(items, n_workers * chunks_per_worker)}
            for future in cf.as_completed(futures):
                chunk = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # a worker died: record its points, keep the rest going
                    result = {"records": [{"point": point, "status": "failed", "error_type": type(exc).__name__,
                                           "error": f"worker failed: {type(exc).__name__}: {exc}"}
                                          for point, _values, _v in chunk]}
                writes.append(writer.submit(_store, result, store))
                bar.update(len(chunk))
        finally:
            if own:
                pool.shutdown(wait=True, cancel_futures=True)  # type: ignore[union-attr]
    finally:
        writer.shutdown(wait=True)
        bar.close()
        for w in writes:
            w.result()  # the first write error, if any


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, progress: bool | None) -> Any:
    """A tqdm bar (None: only on a terminal); without tqdm installed, no bar unless asked for."""
    if progress is False:  # not even the import: tqdm.auto warns in a kernel without ipywidgets
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if progress:
            raise WorkforceError("a progress bar needs tqdm: pip install 'workforce[progress]'") from None
        return _NoBar()
    return tqdm(total=total, unit="point", disable=None if progress is None else not progress)


def _store(result: dict[str, Any], store: StudyStore) -> None:
    for record in result["records"]:
        point = record["point"]
        try:
            if record["status"] == "ok":
                template, values = result["values"][point]
                store.write_point(point, result["templates"][template].assign(value=values), record)
            else:
                store.write_failure(point, record)
        except OSError as exc:
            raise WorkforceError(f"cannot write point {point} to {store.out}: {exc.strerror or exc}; "
                                 "points written so far are kept") from None


def _slug(name: str) -> str:
    slug = "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")
    return "_".join(filter(None, slug.split("_"))) or "study"


def monte_carlo(study: str | Path | StudySpec | Mapping[str, Any], **kwargs: Any) -> StudyResult:
    """Run a Monte Carlo study (a study whose design is ``montecarlo:``); see :func:`sweep`."""
    spec, base_dir = _resolve(study)
    if spec.montecarlo is None:
        raise WorkforceError(f"{spec.name} is a {spec.kind} study, not a Monte Carlo; use sweep()")
    return sweep(study, **kwargs)


__all__ = ["StudyResult", "monte_carlo", "run_chunk", "sweep"]
