r"""Pricing, the Lagrangian bound and reduced-cost fixing for the CPMP master.

For multipliers :math:`\lambda` (points) and :math:`\sigma \le 0` (triple
cuts), site ``j`` prices

.. math::

    \rho_j = \min_S \sum_{i \in S} (w_i c_{ij} - \lambda_i)
    + \sum_T (-\sigma_T) [|S \cap T| \ge 2]
    \quad \text{s.t.} \quad \sum_{i \in S} d_i \le Q_j

(:math:`\rho_j \le 0`: the empty set), and

.. math::

    L(\lambda, \sigma) = \sum_i \lambda_i + \sum_T \sigma_T + \sum_{j \in R} \rho_j
    + \text{the } p - |R| \text{ most negative } \rho_j,\ j \notin R,

is a lower bound on every solution, for any such multipliers and any lower
bounds :math:`\rho_j` on the pricing optima: a partition meets the point rows
with equality and each cut row at most once. The cut-free DP
(:mod:`~deploy_opt.location.capacitated.columns._knapsack_tables`) prices all sites at once; sites whose
optimum takes two points of a penalised triple go through the vectorised
relaxation of :mod:`~deploy_opt.location.capacitated.columns._batch_relaxation`; those it leaves
unsolved are *pending* (their value a lower bound) and are solved one by one
(:mod:`~deploy_opt.location.capacitated.columns._frontier_dp`) only where the bound needs it:
while they are among the chosen sites.

Reduced-cost fixing: a solution with point ``i`` at site ``j`` costs at least
:math:`L - b_j + \rho_j^{(i)}`, with :math:`\rho_j^{(i)}` the pricing optimum
with ``i`` taken (bounded below by ``g_ij + h_j(Q_j - d_i)``) and :math:`b_j`
the site's share of ``L``: its own :math:`\rho_j` when chosen, else the worst
chosen free site's (0 when a free place is left, no opening when ``p`` sites are
all required).
"""

from __future__ import annotations

import numpy as np

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location.capacitated.columns._batch_relaxation import penalised_batch
from deploy_opt.location.capacitated.columns._frontier_dp import (
    forced_bounds,
    penalised_knapsack,
)
from deploy_opt.location.capacitated.columns._knapsack_tables import SiteTables
from deploy_opt.location.capacitated.columns._triple_cuts import cut_hits
from deploy_opt.location.errors import LocationSolverError


class Pricing:
    """Pricing at one point: cut-free optima first, penalised ones on demand.

    Attributes
    ----------
    rho
        Valid lower bounds on the pricing optima (exact where not ``pending``).
    members
        Feasible sets ``(m, n)`` reaching ``rho`` (where exact).
    pending
        Sites whose cut-free optimum takes two points of a penalised triple.
    exact
        Whether every exact solution so far was exact (no triple dropped).
    """

    def __init__(
        self,
        cost: FloatArray,
        dem: IntArray,
        cap: IntArray,
        lam: FloatArray,
        sigma: FloatArray,
        triples: IntArray,
    ) -> None:
        self.lam, self.sigma = lam, sigma
        self.g = cost - lam[:, None]
        self.dem, self.cap = dem, cap
        tables = SiteTables(self.g, dem, cap)
        f, members = tables.f, tables.sets(cap)
        self.members = members
        self.rho = f[np.arange(cap.size), cap]
        active = np.flatnonzero(sigma < -1e-9)
        self.triples, self.tau = triples[active], -sigma[active]
        self.pending = cut_hits(members, self.triples).any(axis=1) & (self.rho < 0)
        self.exact = True
        if self.pending.any():
            sites = np.flatnonzero(self.pending)
            value, sets, done = penalised_batch(
                self.g[:, sites],
                dem,
                cap[sites],
                self.triples,
                self.tau,
                members[sites],
            )
            self.rho[sites] = np.maximum(self.rho[sites], value)
            members[sites] = sets
            self.pending[sites[done]] = False
        self.constant = float(lam.sum() + sigma.sum())

    def resolve(self, sites: IntArray) -> None:
        """Solve the given sites' penalised knapsacks exactly."""
        for j in sites.tolist():
            value, items, ok = penalised_knapsack(
                self.g[:, j],
                self.dem,
                int(self.cap[j]),
                self.triples,
                self.tau,
                start=self.members[j],
            )
            self.rho[j] = value
            self.members[j] = False
            self.members[j, items] = True
            self.pending[j] = False
            self.exact &= ok

    def bound(self, required: IntArray, p: int) -> tuple[float, BoolArray]:
        """Resolve pending sites until the chosen ones are exact; ``L`` and the
        chosen sites."""
        while True:
            value, chosen = lagrangian(self.constant, self.rho, required, p)
            todo = np.flatnonzero(chosen & self.pending)
            if todo.size == 0:
                return value, chosen
            self.resolve(todo)


def lagrangian(
    constant: float, rho: FloatArray, required: IntArray, p: int
) -> tuple[float, BoolArray]:
    """``constant`` plus the chosen sites' ``rho``; the value and chosen sites."""
    m = rho.size
    free = np.ones(m, dtype=bool)
    free[required] = False
    cand = np.flatnonzero(free & (rho < 0))
    pick = cand[np.argsort(rho[cand], kind="stable")[: p - required.size]]
    chosen = np.zeros(m, dtype=bool)
    chosen[required] = True
    chosen[pick] = True
    return float(constant + rho[chosen].sum()), chosen


class Multipliers:
    """A point of the Lagrangian dual with its value, site values and choice."""

    def __init__(self) -> None:
        self.value = -np.inf
        self.lam: FloatArray | None = None
        self.sigma = np.zeros(0)
        self.rho = np.zeros(0)
        self.chosen = np.zeros(0, dtype=bool)

    def offer(self, priced: Pricing, value: float, chosen: BoolArray) -> None:
        """Keep ``priced``'s point if its value is the best so far."""
        if value > self.value:
            self.value = value
            self.lam, self.sigma = priced.lam.copy(), priced.sigma.copy()
            self.rho, self.chosen = priced.rho.copy(), chosen

    def multipliers(self) -> FloatArray:
        """The point multipliers of the best point.

        Raises
        ------
        LocationSolverError
            When no point was offered yet.
        """
        if self.lam is None:
            msg = "no Lagrangian point was offered"
            raise LocationSolverError(msg)
        return self.lam

    def site_bases(self, required: IntArray, p: int) -> FloatArray:
        """Each site's share ``b_j`` of the bound (see the module docstring)."""
        free_chosen = self.chosen.copy()
        free_chosen[required] = False
        k = p - required.size
        if k <= 0:
            last = np.inf  # no free site may open
        elif int(free_chosen.sum()) < k:
            last = 0.0  # a free place is left: opening a site drops nobody
        else:
            last = float(self.rho[free_chosen].max())
        return np.where(self.chosen, self.rho, last)

    def active(self, triples: IntArray) -> tuple[IntArray, FloatArray]:
        """The penalised triples and their penalties."""
        on = np.flatnonzero(self.sigma < -1e-9)
        return triples[on], -self.sigma[on]

    def pair_bounds(
        self,
        cost: FloatArray,
        dem: IntArray,
        cap: IntArray,
        triples: IntArray,
        required: IntArray,
        p: int,
    ) -> FloatArray:
        """Lower bound on any solution with point ``i`` at site ``j``."""
        n, m = cost.shape
        g = cost - self.multipliers()[:, None]
        tri, tau = self.active(triples)
        base = self.site_bases(required, p)
        forced = np.empty((n, m))
        for j in range(m):
            forced[:, j] = forced_bounds(g[:, j], dem, int(cap[j]), tri, tau)
        ok = np.isfinite(cost) & np.isfinite(forced) & np.isfinite(base)[None, :]
        with np.errstate(invalid="ignore"):
            pen = forced - base[None, :]
        return np.where(ok, self.value + np.maximum(pen, 0.0), np.inf)
