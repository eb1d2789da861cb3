"""Benchmark: the EP-places stochastic plan of the nine-region baseline solved by scenario
decomposition (stochastic.method: decomposition), against the extensive form where it fits.

Prints, for the given number of draws and worker processes: wall and CPU seconds, the load average
(os.getloadavg, the machine is shared), the proven lower bound, the plan's expected cost, the
certified gap and the iterations, and the process's peak memory.

With ``--mpisppy`` the plan is solved by progressive hedging in mpi-sppy (stochastic.method:
mpisppy) instead; run it under MPI for its spokes, e.g. ``mpiexec -n 3 python
benchmarks/bench_decomposition.py 10 1 --mpisppy`` (rank 0 prints; the figures are rank 0's, and
the peak memory is rank 0's and its children's, not the sum over ranks).

Run: python benchmarks/bench_decomposition.py [draws] [workers ...] [--extensive] [--wide] [--mpisppy]
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workforce.studies.stochastic.spec import load_stochastic_study, run_stochastic_study  # noqa: E402


def peak_gb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024**2


def run(draws: int, workers: int, method: str, wide: bool = False) -> dict:
    spec, base_dir = load_stochastic_study(ROOT / "configs" / "studies" / "stochastic" / "ep_places.yaml")
    if wide:  # all five distributions of the Monte Carlo study, as bench_stochastic.py's ``wide``
        from workforce.studies.spec import load_study

        five, _ = load_study(ROOT / "configs" / "studies" / "ep_montecarlo.yaml")
        spec = spec.model_copy(update={"montecarlo": spec.montecarlo.model_copy(
            update={"parameters": five.montecarlo.parameters})})
    st = spec.stochastic.model_copy(update={"method": method, "target_gap": 0.01, "wait_and_see": False,
                                          "out_of_sample": None})
    spec = spec.model_copy(update={"stochastic": st})
    load = os.getloadavg()[0]
    t = time.perf_counter()
    from workforce.studies.stochastic.mpisppy_engine import NotRoot

    try:
        r = run_stochastic_study(spec, base_dir=base_dir, draws=draws, workers=workers, threads=workers)
    except NotRoot:  # an MPI rank other than 0: rank 0 prints
        return {}
    wall = time.perf_counter() - t
    m = r.measures
    ranks = f" ranks={_ranks()}" if method == "mpisppy" else ""
    print(f"{method:13s} {'wide ' if wide else ''}draws={draws} workers={workers}{ranks} wall={wall:7.1f}s load={load:.2f}->{os.getloadavg()[0]:.2f} "
          f"objective={m['stochastic_objective']:,.1f} bound={m['stochastic_bound']:,.1f} gap={m['gap']:.3%} "
          f"iterations={m.get('decomposition_iterations')} timings={ {k: round(v, 1) for k, v in r.timings.items()} } "
          f"peak={peak_gb():.2f} GB", flush=True)
    return {"wall": wall, "timings": dict(r.timings), **m}


def _ranks() -> int:
    from mpi4py import MPI

    return MPI.COMM_WORLD.Get_size()


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    draws = int(args[0]) if args else 20
    workers = [int(a) for a in args[1:]] or [1, 2]
    wide = "--wide" in sys.argv
    if "--extensive" in sys.argv:
        run(draws, 2, "extensive", wide)
    runs = {w: run(draws, w, "mpisppy" if "--mpisppy" in sys.argv else "decomposition", wide) for w in workers}
    if 1 in runs and len(runs) > 1 and all(runs.values()):
        print(scaling(runs), flush=True)


def scaling(runs: dict[int, dict]) -> str:
    """Speed-up of each worker count against 1 worker, whole run and decomposition phase, and what it
    implies for more workers by Amdahl's law, T(k) = T(1) ((1 - f) + f / k), with the parallel share f
    fitted to the largest worker count measured (an estimate, not a measurement)."""
    one = runs[1]
    lines = ["scaling against 1 worker (wall):"]
    for w, r in sorted(runs.items()):
        phase = r["timings"].get("extensive_form")
        lines.append(f"  {w} worker(s): {r['wall']:7.1f} s, speed-up {one['wall'] / r['wall']:.2f}x"
                     + (f"; decomposition phase {phase:.1f} s, {one['timings']['extensive_form'] / phase:.2f}x"
                        if phase else ""))
    k = max(runs)
    speed = one["wall"] / runs[k]["wall"]
    f = min(1.0, max(0.0, (1 - 1 / speed) / (1 - 1 / k)))
    implied = ", ".join(f"{n} workers {one['wall'] * ((1 - f) + f / n):.0f} s" for n in (4, 8, 16))
    lines.append(f"  implied (Amdahl, parallel share {f:.0%} of the 1-worker run fitted at {k} workers): {implied}; "
                 "compiling the draws and the expected-value plan's solves run in the parent")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
