"""Slow study faults: a 200-point sweep killed with SIGKILL at random moments and resumed, 20 times.

The scenario has ties on purpose: four identical regions share one budget, so many regional
splits are optimal and only a solver started from the same state for every point returns the
same plan whatever the interruptions. The grid moves the budget (40 values) and the attrition
(5 values). The script

1. runs the sweep once, uninterrupted (``--workers 2``), as the reference;
2. starts the same sweep in another folder, kills the whole command with ``kill -9`` at a random
   moment (seeded: a quarter of the kills during start-up, the rest after a random number of
   new partitions, so the kills spread over the 200 points), checks that no process of it
   survives (workers die with it), and starts it again, 20 times; then lets it finish;
3. compares the two folders: the results table (every point's every value, written as CSV with
   exact float repr) and points.csv without its bookkeeping columns (``seconds``, and the counts
   of model entries changed from the previous point: see ``BOOKKEEPING``) must be equal byte for
   byte; the columns that differ at all are listed, damaged partitions set aside are counted.

Run: python benchmarks/study_kill_resume.py [kills] [seed]   (default 20 kills, seed 1)
"""

from __future__ import annotations

import io
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCENARIO = {
    "name": "ties",
    "horizon": {"first_year": 2026, "last_year": 2030},
    "regions": [{"code": c, "name": f"Area {c}"} for c in "ABCD"],
    "roles": {"ep": {"name": "EPs", "initial_stock": 20, "attrition": 0.05, "demand": 30, "shortfall_penalty": 100}},
    "programmes": {"course": {"name": "Course", "role": "ep", "duration": 1, "completion_rate": 0.9,
                              "course_costs": [{"f": 1}, {"f": 0.5}]}},
    "funding_streams": {"f": {"name": "Fund", "budget": 40}},
}
STUDY = {
    "name": "kill and resume",
    "scenario": "ties.yaml",
    "grid": {"parameters": {
        "budget": {"path": "funding_streams.f.budget", "op": "scale", "low": 0.25, "high": 4, "steps": 40},
        "attrition": {"path": "roles.ep.attrition", "values": [0.0, 0.02, 0.05, 0.08, 0.1]},
    }},
}


def command(folder: Path, out: Path) -> list[str]:
    script = Path(sys.executable).parent / "workforce"
    return [str(script), "sweep", str(folder / "study.yaml"), "--out", str(out), "--workers", "2", "--no-progress"]


def session_alive(sid: int) -> list[int]:
    """Processes of session ``sid`` that are not zombies."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    state = fh.read().rsplit(")", 1)[1].split()[0]
                if os.getsid(int(entry)) == sid and state != "Z":
                    out.append(int(entry))
            except OSError:
                continue
    return out


def partitions(out: Path) -> int:
    return len(list((out / "results").glob("point=*"))) if (out / "results").exists() else 0


def canonical(out: Path) -> tuple[bytes, bytes]:
    """The results table and points.csv without timings, as bytes."""
    from workforce.studies.store import StudyStore

    df = StudyStore(out).read().sort_values(["point", "measure", "item", "region", "year"], kind="stable")
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format="%r")
    points = pd.read_csv(out / "points.csv").drop(columns=list(BOOKKEEPING), errors="ignore")
    return buf.getvalue().encode(), points.to_csv(index=False, float_format="%r").encode()


BOOKKEEPING = ("seconds", "bounds", "coefficients", "costs")
"""points.csv columns about how a point was computed rather than its result: its seconds, and how
many row bounds, coefficients and costs had to change from the state the previous point left in
the worker's model (they depend on which point a worker solved before)."""


def differing_columns(a: Path, b: Path) -> list[str]:
    pa, pb = pd.read_csv(a / "points.csv"), pd.read_csv(b / "points.csv")
    return [c for c in pa.columns if c not in pb or not pa[c].equals(pb[c])]


def main() -> int:
    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    folder = Path(tempfile.mkdtemp(prefix="study-kill-resume-"))
    try:
        (folder / "ties.yaml").write_text(yaml.safe_dump(SCENARIO))
        (folder / "study.yaml").write_text(yaml.safe_dump(STUDY))
        t = time.perf_counter()
        subprocess.run(command(folder, folder / "reference"), check=True, stdout=subprocess.DEVNULL)
        full = time.perf_counter() - t
        print(f"uninterrupted run: {full:.1f} s")
        out = folder / "killed"
        survivors = 0
        for i in range(kills):
            proc = subprocess.Popen(command(folder, out), start_new_session=True, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            t0 = time.perf_counter()
            if rng.random() < 0.25:  # while starting (reading, validating, starting workers)
                time.sleep(rng.uniform(0.3, 3.0))
            else:  # while solving and writing: after a random number of new partitions
                target = partitions(out) + rng.randint(1, max(2, 2 * 200 // kills))
                while proc.poll() is None and partitions(out) < target:
                    time.sleep(0.01)
            wait = time.perf_counter() - t0
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            deadline = time.monotonic() + 10
            while session_alive(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            left = session_alive(proc.pid)
            survivors += len(left)
            for pid in left:  # only processes this script started
                os.kill(pid, signal.SIGKILL)
            done = partitions(out)
            print(f"kill {i + 1:2d} after {wait:4.1f} s: {done:3d} partitions on disk, "
                  f"{len(left)} process(es) survived")
        final = subprocess.run(command(folder, out), stdout=subprocess.PIPE, text=True)
        print(final.stdout.strip().splitlines()[0] if final.stdout.strip() else "(no summary)")
        damaged = len(list((out / "damaged").iterdir())) if (out / "damaged").exists() else 0
        ref, got = canonical(folder / "reference"), canonical(out)
        same_results, same_points = ref[0] == got[0], ref[1] == got[1]
        print(f"results table equal byte for byte: {same_results} ({len(ref[0]):,} bytes)")
        print(f"points.csv without {', '.join(BOOKKEEPING)} equal byte for byte: {same_points}")
        print(f"points.csv columns that differ at all: {differing_columns(folder / 'reference', out) or 'none'}")
        print(f"damaged partitions set aside: {damaged}; surviving processes after kills: {survivors}")
        ok = same_results and same_points and survivors == 0 and final.returncode == 0
        if ok:
            (folder / "ok").touch()
        else:
            print(f"kept for inspection: {folder}")
        return 0 if ok else 1
    finally:
        if (folder / "ok").exists() or not (folder / "killed").exists():
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
