"""Run a study (sensitivity sweep or Monte Carlo) on any ``concurrent.futures.Executor``.

Points are split into contiguous chunks. Each task receives plain data only (the scenario as a
dict, the levers, the chunk's points), builds the model once per worker process (cached for the
worker's later chunks), applies each point in place and re-solves warm (:mod:`workforce.solver.warm`).
HiGHS runs one thread per worker. Results come back to this process, which writes each point's
partition atomically (:mod:`workforce.studies.store`), records failures per point, and shows a progress
bar (tqdm, silent when not on a terminal).

The default executor is a local process pool; pass ``executor=client.get_executor()`` (Dask
distributed) to run on a cluster.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workforce.allow import ALLOWED_FOLDERS
from workforce.errors import ScenarioError, WorkforceError
from workforce.scenario import Scenario, load_scenario
from workforce.solver.levers import Lever, scenario_with, value_at
from workforce.studies.dask_connect import Stalled, answered, stalled_message, task_limit
from workforce.studies.interrupted import StudyInterrupted
from workforce.studies.labels import scenario_labels
from workforce.studies.main_guard import check_main_guard
from workforce.studies.pool import default_executor
from workforce.studies.spec import StudySpec, box, load_study, points, study_from_dict
from workforce.studies.store import StudyStore
from workforce.studies.write_faults import study_writes
from workforce.working_folder import workers_start_in

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
    damaged: list[int] = field(default_factory=list)
    """Points whose partition from an earlier run was damaged (set aside in ``damaged/``) and
    were solved again."""
    labels: dict[str, Any] = field(default_factory=dict)
    """What the charts call things: the scenario's name and sha256, and the names and units of its
    roles, funding streams and programmes (see :func:`scenario_labels`)."""

    @property
    def failed(self) -> pd.DataFrame:
        return self.points[self.points["status"] == "failed"]

    _read: dict[tuple[str, ...] | None, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    def results(self, measures: list[str] | None = None) -> pd.DataFrame:
        """Long table of every finished point's key results (WarmModel.key_results), read once per measures."""
        key = tuple(measures) if measures else None
        if key not in self._read:
            self._read[key] = StudyStore(self.out).read(measures)
        return self._read[key].copy()

    def totals(self, measure: str = "shortfall") -> pd.DataFrame:
        """``measure`` summed over regions: one row per point and year, one column per item."""
        df = self.results([measure])
        return df.groupby(["point", "year", "item"])["value"].sum().unstack("item")

    def summary(self) -> str:
        p = self.points
        ok = int((p["status"] == "ok").sum())
        lines = [f"{self.spec.name}: {ok} of {len(p)} points solved, {len(self.failed)} failed, "
                 f"{self.skipped} already done ({self.seconds:.1f} s) -> {self.out}"]
        if self.damaged:
            shown = ", ".join(map(str, self.damaged[:10])) + (" ..." if len(self.damaged) > 10 else "")
            lines.append(f"  {len(self.damaged)} damaged partition(s) from the earlier run (points {shown}) were "
                         f"set aside in {self.out / 'damaged'} and solved again")
        if self.labels.get("horizon"):
            h = self.labels["horizon"]
            lines.append(f"  results show {h['reported_years']}; each point's objective covers the planned years "
                         f"{h['planned_years']} (horizon.plan_to)")
        if "how" in p:
            for how, n in p.loc[p["status"] == "ok", "how"].value_counts().items():
                lines.append(f"  {n} solved {how}")
            reasons = p.loc[p["how"] == "rebuild", "reason"].dropna().unique()
            for r in reasons:
                lines.append(f"  rebuilt because {r}")
        params = list(p.columns[:p.columns.get_loc("status")]) if "status" in p else []
        for point, row in self.failed.head(5).iterrows():
            values = ", ".join(f"{k}={row[k]:g}" if isinstance(row[k], int | float) else f"{k}={row[k]}"
                               for k in params)
            lines.append(f"  point {point} ({values}) failed: {failure_reason(row.get('error'))}")
        if len(self.failed):
            more = f"{len(self.failed) - 5} more failed points are in" if len(self.failed) > 5 else "Full reasons:"
            lines.append(f"  {more} {self.out / 'points.csv'} and {self.out / 'failures'}/")
        return "\n".join(lines)


def failure_reason(error: Any) -> str:
    """A failed point's reason in one line: the error's first sentence and, for an infeasible
    point, the first change that would make it feasible."""
    if not isinstance(error, str) or not error.strip():
        return "no reason recorded"
    text = error.strip().splitlines()
    first = text[0].split(": no plan")[0] if text[0].startswith("the scenario is infeasible") else text[0]
    fix = next((line.strip()[2:] for line in text[1:] if line.strip().startswith("- ")), None)
    return f"{first}; {fix}" if fix else first


def _warm_model(task: Mapping[str, Any]) -> Any:
    """This worker's model of the task's scenario (built on first use, then reused)."""
    from workforce.scenario import scenario_from_dict
    from workforce.solver.warm_arrays import ArrayWarmModel

    cache = getattr(_CACHE, "models", None)
    if cache is None:
        cache = _CACHE.models = {}
    key = task["scenario_key"]
    if key not in cache:
        cache.clear()
        scenario = scenario_from_dict(task["scenario"], name=task["scenario_name"])
        scenario._sources = dict(task.get("sources") or {})
        cache[key] = ArrayWarmModel(scenario, threads=1, time_limit=task["time_limit"])
    return cache[key]


def run_chunk(task: Mapping[str, Any]) -> dict[str, Any]:
    """Solve a chunk of points in one worker. Takes and returns plain data only; the folders the
    planner allowed (``--allow-path``) travel with the task, so a worker reads what the parent may."""
    from workforce.scenario.paths import allowing

    with allowing(task.get("allow_paths") or ()):
        return _run_chunk(task)


def _run_chunk(task: Mapping[str, Any]) -> dict[str, Any]:
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
            if "mip_start" in info.timings:  # the time limit ended without a plan: rescued, beyond it
                record["rescue_seconds"] = info.timings["mip_start"]
        except WorkforceError as exc:
            record.update(status="failed", error=point_message(str(exc)), error_type=type(exc).__name__)
        except Exception as exc:  # a failure of one point never stops the others
            record.update(status="failed", error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}",
                          error_type=type(exc).__name__)
        record["seconds"] = time.perf_counter() - t0
        records.append(record)
    return {"records": records, "values": values_of, "templates": templates}


_RUN_ADVICE = {
    "; nothing was written. Raise the limit (--time-limit, or solver.time_limit in the scenario), ":
        ". Raise the study's time_limit (seconds per point) ",
}
"""Advice written for ``workforce run`` that a study point must give in the study's own terms
(the study commands have no --time-limit, and the other points are written)."""


def point_message(text: str) -> str:
    """An error message as a failed point gives it: options of `workforce run` put in study terms."""
    for run_words, study_words in _RUN_ADVICE.items():
        text = text.replace(run_words, study_words)
    return text


def _chunks(items: list[Any], n: int) -> list[list[Any]]:
    size = max(1, -(-len(items) // n))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _fixed_intake(spec: StudySpec, base: Path | None, scenario: Scenario) -> list[list[Any]] | None:
    mc = spec.montecarlo
    if mc is None or mc.mode != "evaluate":
        return None
    if mc.plan is not None:
        from workforce.studies.plan_file import read_plan

        return read_plan((base or Path.cwd()) / mc.plan, scenario)
    from workforce.solver.warm_arrays import ArrayWarmModel

    model = ArrayWarmModel(scenario)
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
    task_timeout: float | None = None,
) -> StudyResult:
    """Run a sweep (grid or Latin hypercube) or a Monte Carlo study and return its result.

    ``study`` is a study file, a validated :class:`StudySpec` or the same data as a dict.
    ``scenario`` overrides the spec's scenario file. ``executor`` is any
    ``concurrent.futures.Executor`` (e.g. Dask's ``client.get_executor()``); by default a local
    process pool with ``workers`` processes, or this process alone when ``workers=1``. Points
    already in ``out`` are skipped unless ``restart``. ``progress`` None shows a bar on terminals.
    ``draws`` overrides a Monte Carlo study's number of draws (e.g. a quick look with 50).
    ``task_timeout`` limits the wait for each task on ``executor`` (default 600 s): past it the
    points still out are recorded as failed (a worker stopped answering) and the study ends.
    """
    t0 = time.perf_counter()
    if executor is None and (workers or os.cpu_count() or 1) > 1:
        check_main_guard("workforce.studies.sweep()")  # before anything is solved or written
    spec, base_dir = _resolve(study)
    if draws is not None:
        if spec.montecarlo is None:
            raise WorkforceError(f"{spec.name} is a {spec.kind} study: only a Monte Carlo study has draws")
        if not 1 <= int(draws) <= 1_000_000:
            raise WorkforceError(f"--draws {draws}: the number of draws must be from 1 to 1,000,000")
        spec = spec.model_copy(update={"montecarlo": spec.montecarlo.model_copy(update={"draws": int(draws)})})
    if scenario is None:
        scenario = load_scenario((base_dir or Path.cwd()) / spec.scenario)
    out = Path(out) if out is not None else default_out(spec)
    levers = spec.levers()
    clash = [n for n in levers if spec.montecarlo is not None and n in scenario.roles]
    if clash:  # the draws table has a column per role beside the parameters
        raise ScenarioError([spec.parameter_problem(n, f"parameter name {n!r} is a role of the scenario, whose "
                                                       "shortfall is a column of the draws table; choose another name")
                             for n in clash])
    table = points(spec)
    base = scenario.model_dump()
    for lever in levers.values():  # a path that does not exist is an error in the spec, not per point
        try:
            value_at(base, lever)
        except ScenarioError as exc:
            raise ScenarioError([spec.parameter_problem(lever.name, f"{p.message} (in the scenario {scenario.name})")
                                 for p in exc.problems]) from None
    validate = _validation_plan(spec, table, base, levers, scenario.name)
    fixed = _fixed_intake(spec, base_dir, scenario)
    store = StudyStore(out)
    store.prepare({
        "name": spec.name, "kind": spec.kind, "spec": spec.model_dump(mode="json"), "spec_sha256": spec.sha256(),
        "scenario": scenario.name, "scenario_sha256": scenario.sha256(), "points": len(table),
    }, restart=restart, protected=_inputs(study, spec, base_dir, scenario))
    done = store.finished()
    damaged = list(store.damaged)
    pending = [i for i in table.index if i not in done]
    lever_list = [[n, list(lv.path), lv.op] for n, lv in levers.items()]
    items = [[int(i), {n: float(table.at[i, n]) for n in levers}, bool(validate[i])] for i in pending]
    common = {
        "scenario": base, "scenario_name": scenario.name, "levers": lever_list, "time_limit": spec.time_limit,
        # the fixed plan is part of the key: a cached model's reference state includes it
        "scenario_key": hashlib.sha256(json.dumps([base, fixed], sort_keys=True, default=str).encode()).hexdigest(),
        "fixed_intake": fixed,
        # where each key was written (file, line): a failed point's explanation locates its limits
        "sources": dict(scenario._sources),
        "allow_paths": [str(p) for p in ALLOWED_FOLDERS.get()],
    }
    try:
        _execute(items, common, store, executor, workers, progress, chunks_per_worker, task_timeout)
    except KeyboardInterrupt:  # say what is kept: the points written before Ctrl-C
        raise StudyInterrupted(out, len(store.finished()), len(table)) from None
    records = store.records()
    summary = table.join(records, how="left")
    summary["status"] = summary["status"].fillna("not run")
    from workforce.studies.store import write_text_atomic

    with study_writes(out, "points.csv"):
        write_text_atomic(out / "points.csv", _spreadsheet_safe(summary).to_csv())
    result = StudyResult(spec=spec, out=out, points=summary, seconds=time.perf_counter() - t0, skipped=len(done),
                         damaged=damaged, labels=scenario_labels(scenario))
    if len(summary) and not (summary["status"] == "ok").any():
        raise StudyFailedError(result)
    return result


def _spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells and column names (parameter names come from the study file) that a spreadsheet
    would run as formulas get a leading apostrophe, as in every other CSV the tool writes."""
    from workforce.output_safety import neutralise, neutralise_frame

    out = neutralise_frame(table)
    out.columns = [neutralise(c) for c in out.columns]
    return out


class StudyFailedError(WorkforceError):
    """Every point of a study failed: there is no result to chart or summarise. ``result`` holds
    the points (with each one's error) for a closer look; points.csv and failures/ are written."""

    exit_code = 6

    def __init__(self, result: StudyResult):
        self.result = result
        super().__init__("every point failed, so the study has no results:\n" + result.summary())


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
    """Which points must be validated one by one. A study whose every corner validates needs none:
    each lever moves values linearly (or monotonically), so the checks that hold at the corners of
    the box hold inside it. Monte Carlo draws span the box of their smallest and largest values."""
    bounds = box(spec) if spec.montecarlo is None else {n: (float(table[n].min()), float(table[n].max())) for n in levers}
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
             workers: int | None, progress: bool | None, chunks_per_worker: int,
             task_timeout: float | None = None) -> None:
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
        n_chunks = max(n_workers * chunks_per_worker, -(-len(items) // MAX_CHUNK))
        try:
            with workers_start_in(store.out, own):  # a local pool's workers start here, never in a deleted folder
                futures = {pool.submit(run_chunk, {**common, "points": chunk}): chunk  # type: ignore[union-attr]
                           for chunk in _chunks(items, n_chunks)}
            limit = None if own else task_limit(task_timeout, common["time_limit"], MAX_CHUNK)
            for future in answered(futures, limit):
                chunk = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # a worker died: record its points, keep the rest going
                    result = {"records": [{"point": point, "status": "failed", "error_type": type(exc).__name__,
                                           "error": f"worker failed: {type(exc).__name__}: {exc}"}
                                          for point, _values, _v in chunk]}
                writes.append(writer.submit(_store, result, store))
                bar.update(len(chunk))
        except Stalled as stalled:  # a worker of the caller's executor (Dask) stopped answering
            for future in stalled.futures:
                writes.append(writer.submit(_store, {"records": [
                    {"point": point, "status": "failed", "error_type": "Stalled", "error": stalled_message(stalled.limit)}
                    for point, _values, _v in futures[future]]}, store))
        except KeyboardInterrupt:
            if own:  # stop now: the chunks in flight are lost (at most MAX_CHUNK points each), the rest kept
                _terminate(pool)
            raise
        finally:
            if own:
                pool.shutdown(wait=True, cancel_futures=True)  # type: ignore[union-attr]
    finally:
        writer.shutdown(wait=True)
        bar.close()
        for w in writes:
            w.result()  # the first write error, if any


MAX_CHUNK = 8
"""Most points in one task: on Ctrl-C the points of the tasks in flight are solved again on resume,
so they are kept few; the worker keeps its model between tasks, so small tasks cost little."""


def _terminate(pool: Any) -> None:
    """Stop a local process pool's workers at once (Ctrl-C): HiGHS does not stop on SIGINT, so
    waiting for the running tasks took as long as the longest of them."""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


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
            raise WorkforceError("a progress bar needs tqdm, which workforce installs: this environment lacks it (pip install tqdm)") from None
        return _NoBar()
    return tqdm(total=total, unit="point", disable=None if progress is None else not progress)


def _store(result: dict[str, Any], store: StudyStore) -> None:
    for record in result["records"]:
        point = record["point"]
        with study_writes(store.out, f"point {point}"):
            if record["status"] == "ok":
                template, values = result["values"][point]
                store.write_point(point, result["templates"][template].assign(value=values), record)
            else:
                store.write_failure(point, record)


def default_out(spec: StudySpec) -> Path:
    """Where a study goes without ``out``: results/studies/<its name as a slug>."""
    return Path("results") / "studies" / _slug(spec.name)


def _slug(name: str) -> str:
    slug = "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")
    return "_".join(filter(None, slug.split("_"))) or "study"


def monte_carlo(study: str | Path | StudySpec | Mapping[str, Any], **kwargs: Any) -> StudyResult:
    """Run a Monte Carlo study (a study whose design is ``montecarlo:``); see :func:`sweep`."""
    spec, base_dir = _resolve(study)
    if spec.montecarlo is None:
        raise WorkforceError(f"{spec.name} is a {spec.kind} study, not a Monte Carlo; use sweep()")
    return sweep(study, **kwargs)


__all__ = ["StudyFailedError", "StudyResult", "monte_carlo", "run_chunk", "sweep"]
