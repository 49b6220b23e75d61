r"""Exact capacitated p-median for integral demands: bound, fixing, enumeration.

1. *Root bound* (:mod:`~deploy_opt.location._colgen`): column generation on
   the set-partitioning master from the incumbent's clusters, then rounds of
   triple cuts.
2. *Master heuristic*: a node-limited set-partitioning MIP over the master's
   clusters for a better incumbent.
3. *Reduced-cost fixing* of (point, site) pairs
   (:mod:`~deploy_opt.location._cg_pricing`).
4. *Enumeration* (:mod:`~deploy_opt.location._column_enum`) of every cluster
   that can be in a solution at most a target ``t``, and the partition MIP over
   them: optimal there is optimal overall; infeasible means no solution costs
   at most ``t``, which becomes the bound. ``t`` starts just below the
   incumbent; when the clusters are too many it restarts a little above the
   bound and moves up by the same step after each infeasible answer (the step
   halving while the clusters are still too many), so a weak incumbent costs
   time, not the proof.

When even that enumeration is too large, the caller gets the fixed pairs for
the compact model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from deploy_opt.location._colgen import root_bound
from deploy_opt.location._column_enum import enumerate_columns
from deploy_opt.location._partition import mip_heuristic, search
from deploy_opt.location._problem import Instance, median_objective

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Node limit of the MIP over the master's clusters.
MASTER_MIP_NODES = 200
#: Most clusters enumerated for the partition MIP.
MAX_COLUMNS = 60_000
#: First target above the bound, relative to the bound.
FIRST_GAP = 0.0025
#: Targets tried: too many clusters halve the step above the bound, an
#: infeasible partition search raises the bound to the target.
MAX_TARGETS = 10


@dataclass
class ExactOutcome:
    """Best assignment (``None`` if none), a valid bound, whether it is proven
    optimal (or, with no assignment, infeasible), what was done, and the pairs
    left for the compact model when the enumeration did not finish."""

    assignment: IntArray | None
    bound: float
    proven: bool
    method: str
    usable: BoolArray | None = None


def solve_by_columns(
    inst: Instance,
    allowed: BoolArray,
    p: int,
    incumbent: IntArray | None,
    deadline: float | None,
) -> ExactOutcome:
    """The capacitated p-median by root bound, fixing and enumeration.

    Demands and capacities must be integral (see
    :func:`~deploy_opt.location._colgen.cg_applicable`).
    """
    caps = inst.capacities
    assert caps is not None
    cost = np.where(allowed, inst.weighted, np.inf)
    dem = np.round(inst.demands).astype(np.intp)
    cap = np.round(caps).astype(np.intp)
    ub = np.inf if incumbent is None else median_objective(inst, incumbent)
    assign = incumbent

    step = 1.0 - 1e-6 if inst.integral else 0.0

    def below(value: float) -> float:
        """Largest cost of interest: strictly better than ``value``."""
        if not np.isfinite(value):
            return np.inf
        return value - (step if inst.integral else 1e-9 * max(1.0, abs(value)))

    root = root_bound(cost, dem, cap, inst.required, p, incumbent, below(ub), deadline)
    bound = root.bound
    method = f"column generation ({root.iterations} it, DW {root.dw_bound:.6g})"
    if root.cuts:
        method += f", {root.cuts} triple cuts"
    if bound > below(ub):
        return ExactOutcome(assign, bound, assign is not None, method)
    master = root.master
    found = mip_heuristic(
        cost,
        master.sites,
        master.members,
        inst.required,
        p,
        root.triples,
        below(ub),
        MASTER_MIP_NODES,
        deadline,
    )
    if found is not None and median_objective(inst, found) < ub:
        assign, ub = found, median_objective(inst, found)
        method += ", master MIP"
    if bound > below(ub):
        return ExactOutcome(assign, bound, assign is not None, method)

    mult = root.multipliers
    pair = mult.pair_bounds(cost, dem, cap, root.triples, inst.required, p)
    base = mult.site_bases(inst.required, p)
    tri, tau = mult.active(root.triples)
    assert mult.lam is not None
    hi = below(ub)
    delta = FIRST_GAP * max(1.0, abs(bound))
    t = hi  # straight to the proof when the clusters are few enough
    guess = False  # whether t is a guess below the incumbent
    for _ in range(MAX_TARGETS):
        if deadline is not None and time.perf_counter() > deadline:
            break
        usable = allowed & (pair <= t)
        cols = enumerate_columns(
            cost,
            dem,
            cap,
            usable,
            mult.lam,
            tri,
            tau,
            base + (t - mult.value),
            MAX_COLUMNS,
        )
        if cols is None:  # too many: a target nearer the bound
            if guess:
                delta *= 0.5
            guess = True
            t = min(hi, bound + delta)
            continue
        sites, members = cols
        status, found, dual = search(
            cost, sites, members, inst.required, p, root.triples, t, step, deadline
        )
        method += f", partition search on {sites.size} clusters (<= {t:.6g})"
        if status == "optimal":
            assert found is not None
            return ExactOutcome(found, median_objective(inst, found), True, method)
        if status == "infeasible":
            if t >= hi:  # nothing better than the incumbent
                return ExactOutcome(assign, ub, assign is not None, method)
            bound = max(bound, t)
            t = min(hi, bound + delta)
            continue
        # time limit: HiGHS's bound holds for solutions at most t
        bound = max(bound, min(dual, t))
        break
    if not np.isfinite(hi):
        return ExactOutcome(assign, bound, False, method, allowed & np.isfinite(pair))
    return ExactOutcome(assign, bound, False, method, allowed & (pair <= hi))
