"""Progressive hedging through mpi-sppy (models/stochastic.md §7, ``stochastic.method: mpisppy``).

Each scenario is the Pyomo model ``workforce.model.build.build_model`` builds (the written
formulation), its first-stage decisions attached as mpi-sppy's root node. mpi-sppy's hub-and-spoke
machinery (``WheelSpinner``) runs progressive hedging in the hub with HiGHS (Pyomo's
``appsi_highs``) on every subproblem; the proximal term is linearised (HiGHS has no mixed-integer
QP). With 2 or more MPI ranks a Lagrangian spoke computes outer bounds from the hub's multipliers,
with 3 or more an x̄ spoke computes incumbents. In one process (no ``mpiexec``) the hub runs alone
and its bound is the wait-and-see bound at W = 0.

The figures this module reports do not rest on mpi-sppy's word alone: the bound is mpi-sppy's best
outer bound, where a subproblem that HiGHS did not solve to optimality counts as −∞ (mpi-sppy 0.14
keeps that scenario's previous bound instead); the incumbent is the first stage at the hub's x̄
(integer columns rounded) with every scenario's recourse re-optimised on its arrays, as the
home-made decomposition does (``decompose.py``).

Run under MPI: ``mpiexec -n 3 python -m workforce.studies.stochastic.mpi STUDY.yaml``.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from workforce.errors import ScenarioError, SolveError
from workforce.studies.stochastic.decompose import Decomposition, _runner, as_sub
from workforce.studies.stochastic.model import Block, Risk, shared_keys
from workforce.studies.stochastic.solve import EFSolution

SOLVER = "appsi_highs"
"""Pyomo's persistent HiGHS interface, the subproblem solver mpi-sppy is given."""


class NotRoot(Exception):
    """Raised on every MPI rank but the hub's first, once the wheel has stopped: only rank 0 goes on
    to measure and report the plan (``workforce.studies.stochastic.mpi`` exits on it)."""


def available() -> str | None:
    """None when mpi-sppy and mpi4py import, else what to install."""
    try:
        import mpi4py  # noqa: F401
        import mpisppy  # noqa: F401
    except ImportError as exc:
        return f"stochastic.method: mpisppy needs mpi-sppy and mpi4py ({exc}); install them: pip install 'workforce[mpi]'"
    return None


def no_log_files() -> None:
    """Keep mpi-sppy from writing into the user's folder. Its cylinder modules (hub, x̂ spokes,
    ``utils.xhat_eval``) call ``mpisppy.log.setup_logger(name, "hub.log")`` when they are imported,
    which opens (and truncates) ``hub.log``, ``xhateval.log`` and others in the current folder. This
    replaces that function before those modules are imported: a file target gets a NullHandler,
    a stream target (stdout/stderr) is set up as before."""
    import logging

    import mpisppy.log

    original = mpisppy.log.setup_logger
    if getattr(original, "_workforce_no_files", False):
        return

    def setup_logger(name: str, out: Any, level: int = logging.DEBUG, mode: str = "w", fmt: str | None = None) -> None:
        if out in (sys.stdout, sys.stderr):
            original(name, out, level=level, mode=mode, fmt=fmt)
            return
        log = logging.getLogger(name)
        log.setLevel(level)
        log.propagate = False
        log.addHandler(logging.NullHandler())

    setup_logger._workforce_no_files = True  # type: ignore[attr-defined]
    mpisppy.log.setup_logger = setup_logger


def cylinders(ranks: int) -> int:
    """How many cylinders (hub, Lagrangian spoke, x̄ spoke) ``ranks`` MPI ranks carry: mpi-sppy
    needs the ranks to divide evenly among them."""
    for n in (3, 2):
        if ranks >= n and ranks % n == 0:
            return n
    return 1


def scenario_creator(name: str, blocks: dict[str, Block] | None = None, lower: np.ndarray | None = None,
                     upper: np.ndarray | None = None) -> Any:
    """The scenario's Pyomo model (``build_model``) with its first-stage decisions, in the order of
    the shared keys and held to the shared bounds (as in the extensive form), as the root node."""
    from mpisppy.utils import sputils

    from workforce.model.build import build_model

    b = blocks[name]
    m = build_model(b.data)
    first = [m.find_component(var)[index] for var, index in b.first_keys]
    for v, lo, hi in zip(first, lower, upper, strict=True):
        v.setlb(None if math.isinf(lo) else float(lo))
        v.setub(None if math.isinf(hi) else float(hi))
    cost = b.cost[b.first]
    sputils.attach_root_node(m, sum(float(c) * v for c, v in zip(cost, first, strict=True)), first)
    m._mpisppy_probability = b.probability
    m._workforce_first_cost = cost
    return m


def rho_setter(m: Any, **_: Any) -> list[tuple[int, float]]:
    """ρ_j = max(|c_j|, 10⁻³) of each first-stage decision (cost-proportional, as decompose.py)."""
    nonants = m._mpisppy_node_list[0].nonant_vardata_list
    return [(id(v), max(abs(float(c)), 1e-3)) for v, c in zip(nonants, m._workforce_first_cost, strict=True)]


def _config(target_gap: float, max_iterations: int, mip_gap: float, time_limit: float | None) -> Any:
    from mpisppy.utils import config

    cfg = config.Config()
    cfg.popular_args()
    cfg.two_sided_args()
    cfg.ph_args()
    cfg.lagrangian_args()
    cfg.xhatxbar_args()
    cfg.solver_name = SOLVER
    cfg.default_rho = 1.0
    cfg.max_iterations = int(max_iterations)
    cfg.linearize_proximal_terms = True
    cfg.rel_gap = float(target_gap)
    cfg.solver_options = f"mip_rel_gap={mip_gap} threads=1"
    if time_limit is not None:
        cfg.time_limit = float(time_limit)
    return cfg


def _guarded_lagrangian() -> type:
    """mpi-sppy's Lagrangian spoke, with a scenario that HiGHS did not solve counting as −∞."""
    from mpisppy.cylinders.lagrangian_bounder import LagrangianOuterBound

    class GuardedLagrangian(LagrangianOuterBound):
        def lagrangian(self, *args: Any, **kwargs: Any) -> Any:
            for s in self.opt.local_scenarios.values():
                s._mpisppy_data.outer_bound = -math.inf
            return super().lagrangian(*args, **kwargs)

    return GuardedLagrangian


def _post_bound(opt: Any) -> float:
    """mpi-sppy's Lagrangian bound at the hub's last multipliers W (``PHBase.post_solve_bound``: every
    subproblem with its W term and no proximal term), a scenario that HiGHS did not solve counting
    as −∞. In one process this is the only bound beyond the wait-and-see bound."""
    for s in opt.local_scenarios.values():
        s._mpisppy_data.outer_bound = -math.inf
    return float(opt.post_solve_bound())  # its printed warning is about integers outside the first stage


def spin(blocks: Sequence[Block], *, target_gap: float, max_iterations: int, mip_gap: float,
         time_limit: float | None, comm: Any = None) -> tuple[float, np.ndarray | None, float, int]:
    """Run the wheel on ``comm`` (default MPI.COMM_WORLD). Returns, on every rank, mpi-sppy's best
    outer bound, the hub's x̄ (on rank 0; None elsewhere), its best inner bound and the iterations."""
    no_log_files()  # before the cylinder modules are imported
    import mpisppy.utils.cfg_vanilla as vanilla
    from mpi4py import MPI
    from mpisppy.spin_the_wheel import WheelSpinner

    comm = MPI.COMM_WORLD if comm is None else comm
    keys = shared_keys(blocks)
    lower = np.max([b.compiled.col_lower[b.first] for b in blocks], axis=0)
    upper = np.min([b.compiled.col_upper[b.first] for b in blocks], axis=0)
    by_name = {b.name: b for b in blocks}
    kwargs = {"blocks": by_name, "lower": lower, "upper": upper}
    names = list(by_name)
    cfg = _config(target_gap, max_iterations, mip_gap, time_limit)
    rho = rho_setter
    hub = vanilla.ph_hub(cfg, scenario_creator, None, names, scenario_creator_kwargs=kwargs, rho_setter=rho)
    spokes = []
    n = cylinders(comm.Get_size())
    if n >= 2:
        spoke = vanilla.lagrangian_spoke(cfg, scenario_creator, None, names, scenario_creator_kwargs=kwargs,
                                         rho_setter=rho)
        spoke["spoke_class"] = _guarded_lagrangian()
        spokes.append(spoke)
    if n >= 3:
        spokes.append(vanilla.xhatxbar_spoke(cfg, scenario_creator, None, names, scenario_creator_kwargs=kwargs))
    wheel = WheelSpinner(hub, spokes)
    with warnings.catch_warnings():
        # mpi-sppy 0.14's hub calls logging's deprecated Logger.warn when it runs without an outer-bound spoke
        warnings.filterwarnings("ignore", message="The 'warn' method is deprecated", category=DeprecationWarning)
        wheel.spin(comm_world=comm)
    post = _post_bound(wheel.spcomm.opt) if wheel.on_hub() else -math.inf
    xbar = None
    if comm.Get_rank() == 0:
        opt = wheel.spcomm.opt
        first = next(iter(opt.local_scenarios.values()))
        xbar = np.array([float(first._mpisppy_model.xbars[i].value) for i in sorted(first._mpisppy_model.xbars)])
        if xbar.size != len(keys):
            raise SolveError(f"mpi-sppy returned {xbar.size} first-stage averages for {len(keys)} decisions")
        iterations = int(getattr(opt, "_PHIter", 0))
    else:
        iterations = 0
    bound = comm.bcast(max(wheel.BestOuterBound, post) if comm.Get_rank() == 0 else None, root=0)
    inner = comm.bcast(wheel.BestInnerBound if comm.Get_rank() == 0 else None, root=0)
    iterations = comm.bcast(iterations, root=0)
    return float(bound), xbar, float(inner), iterations


def decompose_mpisppy(blocks: Sequence[Block], *, risk: Risk | None = None, target_gap: float = 0.01,
                      max_iterations: int = 50, workers: int = 1, mip_gap: float = 1e-4, seed: int = 0,
                      time_limit: float | None = None, comm: Any = None,
                      **_: Any) -> tuple[EFSolution, Decomposition]:
    """Solve the stochastic plan of ``blocks`` by progressive hedging in mpi-sppy. Returns the
    incumbent (first stage at mpi-sppy's x̄) as an :class:`EFSolution` whose ``bound`` is mpi-sppy's
    best outer bound. On MPI ranks other than 0 raises :class:`NotRoot` once the wheel stops."""
    if risk is not None and risk.weight > 0:
        raise ScenarioError("stochastic.method: mpisppy minimises expected cost; a risk term (stochastic.risk) "
                            "couples the scenarios and needs method: extensive")
    missing = available()
    if missing:
        raise ScenarioError(missing)
    start = time.perf_counter()
    bound, xbar, inner, iterations = spin(blocks, target_gap=target_gap, max_iterations=max_iterations,
                                          mip_gap=mip_gap, time_limit=time_limit, comm=comm)
    if xbar is None:
        raise NotRoot
    lower = np.max([b.compiled.col_lower[b.first] for b in blocks], axis=0)
    upper = np.min([b.compiled.col_upper[b.first] for b in blocks], axis=0)
    subs = [as_sub(b, lower, upper) for b in blocks]
    run = _runner(subs, workers, {"mip_gap": mip_gap, "seed": seed})
    try:
        fixed = run([None] * len(subs), np.clip(xbar, lower, upper))
    finally:
        run.close()  # type: ignore[attr-defined]
    costs = np.array([o[0] for o in fixed])
    if not np.all(np.isfinite(costs)):
        raise SolveError("mpi-sppy's first-stage average x̄ leaves a scenario without a feasible recourse; "
                         "use stochastic.method: extensive or decomposition")
    p = np.array([b.probability for b in blocks])
    objective = float(p @ costs)
    gap = max(0.0, (objective - bound) / max(1.0, abs(objective)))
    xs = [o[2] for o in fixed]
    seconds = time.perf_counter() - start
    sol = EFSolution(status="optimal" if gap <= target_gap else "provisional", objective=objective, bound=bound,
                     gap=gap, first=xs[0][subs[0].first].copy(), x=xs, costs=costs, seconds=seconds,
                     n_rows=sum(s.csc.shape[0] for s in subs), n_cols=sum(s.csc.shape[1] for s in subs))
    sol._probs = p
    history = [{"iteration": iterations, "bound": bound, "incumbent": objective, "gap": gap,
                "mpisppy_incumbent": inner}]
    return sol, Decomposition(bound=bound, objective=objective, gap=gap, iterations=iterations, history=history,
                              seconds=seconds, workers=workers)
