r"""Exact capacitated p-median for integral demands: bound, fixing, enumeration.

1. *Root bound* (:mod:`~deploy_opt.location.capacitated.columns._root_bound`):
   column generation on the set-partitioning master from the incumbent's
   clusters, then rounds of triple cuts.
2. *Reduced-cost fixing* of (point, site) pairs
   (:mod:`~deploy_opt.location.capacitated.columns._pricing`).
3. *Enumeration* (:mod:`~deploy_opt.location.capacitated.columns._enumeration`)
   of every cluster that can be in a solution at most a target ``t``, and the
   partition search over them: optimal there is optimal overall; infeasible
   means no solution costs at most ``t``, which becomes the bound. ``t`` is
   just below the incumbent when those clusters are few enough, else the
   largest target (found by bisection) whose clusters are; so a weak incumbent
   costs time, not the proof.

When even that enumeration is too large, the caller gets the fixed pairs for
the compact model.

Every phase counts its steps (iterations, cut rounds, targets, bisections,
nodes), so for a given incumbent the outcome depends on timing only where the
deadline cuts a phase; the incumbent itself comes from the time-limited
heuristic.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from deploy_opt.location._arrays import BoolArray, IntArray
from deploy_opt.location._problem import Instance, median_objective
from deploy_opt.location.capacitated.columns._enumeration import enumerate_columns
from deploy_opt.location.capacitated.columns._partition import search
from deploy_opt.location.capacitated.columns._root_bound import root_bound

#: Most clusters enumerated for the partition MIP.
MAX_COLUMNS = 20_000
#: Without an incumbent, the first targets lie within this share above the bound.
FIRST_GAP = 0.02
#: Partition searches at most, and bisection steps to pick each one's target.
MAX_TARGETS = 6
BISECTIONS = 5


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
    :func:`~deploy_opt.location.capacitated.columns._root_bound.cg_applicable`).
    """
    caps = inst.require_capacities()
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
    mult = root.multipliers
    pair = mult.pair_bounds(cost, dem, cap, root.triples, inst.required, p)
    base = mult.site_bases(inst.required, p)
    tri, tau = mult.active(root.triples)
    lam = mult.multipliers()
    hi = below(ub)

    def clusters(t: float) -> tuple[IntArray, BoolArray] | None:
        usable = allowed & (pair <= t)
        return enumerate_columns(
            cost,
            dem,
            cap,
            usable,
            lam,
            tri,
            tau,
            base + (t - mult.value),
            MAX_COLUMNS,
        )

    # the clusters below the incumbent, once: the loop only lowers targets
    below_incumbent = clusters(hi) if np.isfinite(hi) else None
    for _ in range(MAX_TARGETS):
        if deadline is not None and time.perf_counter() > deadline:
            break
        t, cols = hi, below_incumbent
        if cols is None:  # the largest target whose clusters fit, by bisection
            low, high = (
                bound,
                hi if np.isfinite(hi) else bound + FIRST_GAP * max(1.0, abs(bound)),
            )
            for _ in range(BISECTIONS):
                mid = 0.5 * (low + high)
                if inst.integral:  # solutions at most t are those at most floor(t)
                    mid = float(np.floor(mid)) + 1e-6
                    if mid <= low or mid >= high:
                        break
                found_cols = clusters(mid)
                if found_cols is None:
                    high = mid
                else:
                    low, t, cols = mid, mid, found_cols
            if cols is None:
                break
        sites, members = cols
        status, found, dual = search(
            cost, sites, members, inst.required, p, root.triples, t, step, deadline
        )
        method += f", partition search on {sites.size} clusters (<= {t:.6g})"
        if status == "optimal" and found is not None:
            return ExactOutcome(found, median_objective(inst, found), True, method)
        if status == "infeasible":
            if t >= hi:  # nothing better than the incumbent
                return ExactOutcome(assign, ub, assign is not None, method)
            bound = max(bound, float(np.floor(t)) + 1.0 if inst.integral else t)
            continue
        # time limit: the search's bound holds for solutions at most t; a
        # solution it found on the way may beat the incumbent
        if found is not None and median_objective(inst, found) < ub:
            assign, ub = found, median_objective(inst, found)
            hi = below(ub)
        bound = max(bound, min(dual, t))
        break
    if not np.isfinite(hi):
        return ExactOutcome(assign, bound, False, method, allowed & np.isfinite(pair))
    return ExactOutcome(assign, bound, False, method, allowed & (pair <= hi))
