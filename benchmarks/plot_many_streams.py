"""Slow study fault (issue 21, "Hangs"): `workforce plot` of a plan with 2,000 funding streams.

It used to draw one panel per stream: 530 s and 2.8 GB for one chart, 246 inches tall. Charts
now show the largest streams plus "other" at report size; the fast case (300 streams) is
tests/test_study_faults.py::test_a_plan_with_hundreds_of_funding_streams_is_charted_as_the_largest_plus_other.

The scenario: 2,000 streams (stream s_i with a budget of i + 1, GBP k a year) pay for 10 courses,
s_i paying 1 a starter of course c_(i mod 10) (demand far above what money buys). A second
argument sets the number of courses: with one per stream (e.g. `300 300`) the cohort chart has
hundreds of programmes too (it draws the largest that fit 14 inches; it was 129 inches tall).
The script runs `workforce run` and then `workforce plot` on the run folder, each as its own
process, and prints for `plot` its wall time, its peak memory (the child's max RSS) and the
height of every chart drawn. It fails (exit 1) if `plot` fails, takes over 120 s, uses over 1 GB
or draws a chart taller than 14 inches (the cohort chart's cap; the spend chart stays under 12).

Run: python benchmarks/plot_many_streams.py [streams] [courses]   (default 2000 streams, 10 courses)
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

MAX_SECONDS, MAX_BYTES, MAX_INCHES = 120, 1 << 30, 14  # 14: the cohort chart's cap
COURSES = 10


def scenario(n: int) -> dict:
    return {
        "name": f"{n} funding streams",
        "horizon": {"first_year": 2026, "last_year": 2026},
        "regions": [{"code": "A", "name": "Area A"}],
        "roles": {"ep": {"name": "EPs", "initial_stock": 0, "attrition": 0, "demand": 1e6, "shortfall_penalty": 100}},
        "programmes": {f"c{j}": {"name": f"Course {j}", "role": "ep", "duration": 0, "completion_rate": 1,
                                 "course_costs": [{f"s{i}": 1 for i in range(j, n, COURSES)}]}
                       for j in range(min(n, COURSES))},
        "funding_streams": {f"s{i}": {"name": f"Stream {i}", "budget": i + 1} for i in range(n)},
    }


def workforce(*args: str) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run `workforce ARGS`; its wall seconds and peak RSS in bytes (Linux reports KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "workforce", *args], capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) * 1024
    return seconds, peak, done


def main() -> int:
    global COURSES
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    from importlib.metadata import version

    print(f"workforce {version('workforce')}, highspy {version('highspy')}, matplotlib {version('matplotlib')}, "
          f"Python {sys.version.split()[0]}")
    COURSES = int(sys.argv[2]) if len(sys.argv) > 2 else COURSES
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "s.yaml").write_text(yaml.safe_dump(scenario(n), sort_keys=False))
        seconds, _peak, done = workforce("run", str(folder / "s.yaml"), "--out", str(folder / "run"))
        print(f"run: exit {done.returncode} in {seconds:.1f} s (load {os.getloadavg()[0]:.2f})")
        if done.returncode != 0:
            print(done.stderr)
            return 1
        seconds, peak, done = workforce("plot", str(folder / "run"), "--out", str(folder / "charts"))
        print(f"plot: exit {done.returncode} in {seconds:.1f} s, peak memory {peak / 2**20:.0f} MB "
              f"(load {os.getloadavg()[0]:.2f})")
        if done.returncode != 0:
            print(done.stderr)
            return 1
        from PIL import Image

        heights = {}
        for png in sorted((folder / "charts").glob("*.png")):
            with Image.open(png) as image:
                dpi = image.info.get("dpi", (100, 100))[1] or 100
                heights[png.name] = image.height / dpi
        for name, inches in heights.items():
            print(f"  {name}: {inches:.1f} inches tall")
        ok = seconds <= MAX_SECONDS and peak <= MAX_BYTES and heights and max(heights.values()) <= MAX_INCHES
        print("PASS" if ok else f"FAIL: limits are {MAX_SECONDS} s, {MAX_BYTES >> 20} MB, {MAX_INCHES} inches")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
