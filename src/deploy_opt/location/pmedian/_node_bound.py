r"""Lagrangian bound of one branch-and-bound node (deflected subgradient).

A node restricts the p-median to some pairs, fixes sites open or closed and
bounds how many sites of some clusters open. Relaxing the assignment
constraints with multipliers :math:`\lambda` leaves

.. math::

    L(\lambda) = \sum_i \lambda_i + \min_{Y} \sum_{j \in Y} \rho_j, \qquad
    \rho_j = \sum_{i:\,(i,j)\ \text{kept}} \min(0, c_{ij} - \lambda_i),

with :math:`Y` any site set allowed at the node, found exactly by
:class:`~deploy_opt.location.pmedian._laminar.LaminarSelector`. Every
:math:`\lambda` gives a valid bound. :func:`node_bound` raises it by subgradient
steps of Polyak length towards the incumbent, each direction deflected by half
the previous one (Camerini, Fratta & Maffioli 1975), the step halved after
``_STALL`` iterations without progress. It also averages the relaxed site sets
(a primal estimate of the LP openings, as in the Volume algorithm), which the
branching rule reads.

Only pairs with :math:`c_{ij} < \lambda_i` count, a few per point: each
iteration works on those below a cap with slack, taken from a *pool* (pairs
below a larger cap) that a node hands down to its children.

:func:`fix_sites` and :func:`keep_pairs` are the reduced-cost tests that shrink
a subtree: a site or pair is dropped when using it would lift the bound past the
threshold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location.pmedian._laminar import LaminarSelector
from deploy_opt.location.pmedian._sorted_pairs import Pairs

#: Iterations without progress before the step is halved; the run stops when
#: the step factor falls below ``_THETA_MIN``.
_STALL = 15
_THETA = 1.0
_THETA_MIN = 1e-3
#: Weight of the previous direction added to the subgradient.
_DEFLECT = 0.5
#: Relative slack of the caps of the pairs an iteration uses, and of the pool.
_SLACK = 0.05
_POOL_SLACK = 0.3
#: Weight of the newest relaxed solution in the averaged opening.
_AVERAGE = 0.1


@dataclass(frozen=True)
class Pool:
    """The pairs of a node below ``cap`` (per point)."""

    cap: FloatArray
    pairs: Pairs

    def restrict(self, active: BoolArray, closed: BoolArray) -> Pool:
        """The pool of a subtree: pairs still active (by id), open sites only."""
        keep = active[self.pairs.ids] & ~closed[self.pairs.cols]
        return Pool(self.cap, self.pairs.subset(keep))

    def close(self, closed: BoolArray) -> Pool:
        """The pool without the pairs of closed sites."""
        return Pool(self.cap, self.pairs.subset(~closed[self.pairs.cols]))


@dataclass
class Relaxed:
    """Best multipliers of a node and what they give."""

    bound: float
    lam: FloatArray
    rho: FloatArray
    chosen: IntArray
    #: The relaxed solution serves every point once: it is the node's optimum.
    feasible: bool
    #: Averaged relaxed openings (a primal estimate).
    average: FloatArray
    iterations: int
    pool: Pool


def node_bound(
    full: Callable[[], Pairs],
    pool: Pool | None,
    selector: LaminarSelector,
    lam: FloatArray,
    ub: float,
    threshold: Callable[[], float],
    iterations: int,
    *,
    extend_above: float = np.inf,
    extended: int = 0,
    average_openings: bool = True,
) -> Relaxed | None:
    """Raise the node's Lagrangian bound from ``lam``; ``None`` if infeasible.

    Parameters
    ----------
    full
        The node's pairs; called only when a multiplier leaves ``pool``.
    pool
        Pairs inherited from the parent, or ``None``.
    selector
        The node's site subproblem.
    lam
        Starting multipliers.
    ub
        Incumbent cost (target of the step lengths).
    threshold
        Bound above which the node is pruned (the run stops there).
    iterations
        Iteration budget.
    extend_above, extended
        Once the bound passes ``extend_above`` the budget becomes ``extended``:
        near the threshold, pruning is worth more iterations.
    average_openings
        Whether to average the relaxed site sets (``Relaxed.average``; zeros
        otherwise).

    Returns
    -------
    Relaxed or None
        The best bound found and its multipliers.
    """
    n, m = lam.size, selector.m
    best: Relaxed | None = None
    average = np.zeros(m)
    theta = _THETA
    stall = 0
    cap = lam + _SLACK * np.abs(lam) + 1e-9
    current = _widen(pool, cap, lam, full)
    counts, rows, cols, costs = current.pairs.near(cap)
    is_chosen = np.zeros(m, dtype=bool)
    direction: npt.NDArray[np.floating[Any]] | None = None
    limit = iterations
    it = 0
    for it in range(max(iterations, extended)):
        if it >= limit:
            if best is None or best.bound < extend_above:
                break
            limit = extended
        if it > 0 and bool((lam > cap).any()):
            cap = lam + _SLACK * np.abs(lam) + 1e-9
            current = _widen(current, cap, lam, full)
            counts, rows, cols, costs = current.pairs.near(cap)
        # Whole-array passes: boolean indexing costs more than it saves here.
        reduced = np.minimum(costs - np.repeat(lam, counts), 0.0)
        rho = np.bincount(cols, weights=reduced, minlength=m).astype(
            np.float64, copy=False
        )
        chosen = selector.select(rho)
        if chosen is None:
            return None
        value = float(lam.sum() + rho[chosen].sum())
        is_chosen[:] = False
        is_chosen[chosen] = True
        if average_openings:
            average = is_chosen.astype(np.float64) if it == 0 else average
            average += _AVERAGE * (is_chosen - average)
        served = np.flatnonzero(is_chosen[cols] & (reduced < 0.0))
        grad = 1.0 - np.bincount(rows[served], minlength=n)
        feasible = not grad.any()
        if direction is not None:
            grad = grad + _DEFLECT * direction
        direction = grad
        norm = float(grad @ grad)
        gained = best is None or value > best.bound + 1e-6 * max(1.0, abs(best.bound))
        stall = 0 if gained else stall + 1
        if best is None or value > best.bound:
            best = Relaxed(value, lam, rho, chosen, feasible, average, 0, current)
        if value > threshold() or feasible or norm == 0.0:
            break
        if stall >= _STALL:
            theta /= 2.0
            stall = 0
            if theta < _THETA_MIN:
                break
        goal = ub if np.isfinite(ub) else abs(value) * 1.05 + 1.0
        step = theta * max(goal - value, 1e-9 * max(1.0, abs(goal))) / norm
        lam = lam + step * grad
    if best is not None:
        best.average = average
        best.iterations = it + 1
        best.pool = current
    return best


def _widen(
    pool: Pool | None, cap: FloatArray, lam: FloatArray, full: Callable[[], Pairs]
) -> Pool:
    """``pool`` if it holds every pair below ``cap``, else a new, wider pool."""
    if pool is None or bool((cap > pool.cap).any()):
        pool_cap = lam + _POOL_SLACK * np.abs(lam) + 1e-9
        return Pool(pool_cap, full().below(pool_cap))
    return pool


def fix_sites(
    rel: Relaxed,
    threshold: float,
    p: int,
    fixed_open: BoolArray,
    closed: BoolArray,
) -> None:
    """Close or open free sites whose flip would lift the bound past the threshold.

    Valid only without cluster bounds: the penalties assume the subproblem takes
    the ``p`` smallest ``rho`` (swapping a site in or out of that set).
    """
    free = ~fixed_open & ~closed
    in_chosen = np.zeros(rel.rho.size, dtype=bool)
    in_chosen[rel.chosen] = True
    free_in = free & in_chosen
    free_out = free & ~in_chosen
    if not free_in.any() or int(fixed_open.sum()) >= p:
        return
    rho_last = rel.rho[free_in].max()
    closed |= free_out & (rel.bound + rel.rho - rho_last > threshold)
    if free_out.any():
        rho_next = rel.rho[free_out].min()
        fixed_open |= free_in & (rel.bound + rho_next - rel.rho > threshold)


def keep_pairs(
    pairs: Pairs,
    rel: Relaxed,
    threshold: float,
    closed: BoolArray,
    *,
    penalties: bool,
) -> BoolArray:
    """Pairs that may still appear below the threshold in this subtree.

    Using pair ``(i, j)`` costs at least ``max(0, c_ij - lambda_i)`` more, plus,
    when ``penalties`` (no cluster bounds), the price of swapping ``j`` into the
    chosen set.
    """
    open_penalty = np.zeros(pairs.m)
    if penalties:
        in_chosen = np.zeros(pairs.m, dtype=bool)
        in_chosen[rel.chosen] = True
        free_in = in_chosen & ~closed
        rho_last = rel.rho[free_in].max() if free_in.any() else 0.0
        open_penalty = np.where(in_chosen, 0.0, np.maximum(rel.rho - rho_last, 0.0))
    pair_bound = (
        rel.bound
        + np.maximum(pairs.costs - rel.lam[pairs.rows], 0.0)
        + open_penalty[pairs.cols]
    )
    return (pair_bound <= threshold) & ~closed[pairs.cols]
