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
    return m


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
    for w in workers:
        run(draws, w, "mpisppy" if "--mpisppy" in sys.argv else "decomposition", wide)


if __name__ == "__main__":
    main()
