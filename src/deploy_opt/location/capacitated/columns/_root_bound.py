r"""Column generation with triple cuts: the root bound of the CPMP.

The master (:mod:`~deploy_opt.location.capacitated.columns._master`) starts from the
incumbent's clusters. Column generation prices, each iteration, a smoothed
point (Wentges: towards the best multipliers so far; with cuts, towards the
previous point), and the master's own duals when that finds no cluster of
negative reduced cost (mis-pricing); pricings give valid Lagrangian bounds
(:mod:`~deploy_opt.location.capacitated.columns._pricing`), and that bound, never the LP value,
is what counts. Without cuts the LP optimum is the Dantzig-Wolfe bound of
relaxing the assignment rows (one 0-1 knapsack per site).

Then rounds of subset-row cuts on triples (:mod:`~deploy_opt.location.capacitated.columns._triple_cuts`)
are separated from the LP solution and the LP is re-optimised, while a round
raises the bound by at least :data:`MIN_ROUND_GAIN` of its value. The
numbers of iterations and rounds are fixed, so the result does not depend on
timing (only the deadline may cut it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from deploy_opt.location._arrays import BoolArray, FloatArray, IntArray
from deploy_opt.location.capacitated.columns._master import Master
from deploy_opt.location.capacitated.columns._pricing import Multipliers, Pricing
from deploy_opt.location.capacitated.columns._triple_cuts import (
    cut_hits,
    separate_triples,
)

#: Largest ``n * m * (Q + 1)`` for the column-generation bound (worst-case DP work).
MAX_CG_CELLS = 40_000_000
#: Weight of the best multipliers in the smoothed pricing point.
SMOOTHING = 0.3
#: Column generation iterations per convergence.
MAX_CG_ITERATIONS = 300
#: With cuts: pending sites solved exactly per iteration.
RESOLVE_PER_ITERATION = 10
#: Rounds of triple cuts, cuts per round, cuts per point and round.
CUT_ROUNDS = 5
CUTS_PER_ROUND = 60
CUTS_PER_POINT = 2
#: A cut round must raise the bound by this share of it to go on.
MIN_ROUND_GAIN = 2e-4


def cg_applicable(demands: FloatArray, caps: FloatArray, n: int, m: int) -> bool:
    """Integral non-negative demands and capacities, and a small enough DP."""
    if not (np.all(demands == np.round(demands)) and np.all(caps == np.round(caps))):
        return False
    if demands.min(initial=0.0) < 0:
        return False
    return n * m * (int(caps.max(initial=0)) + 1) <= MAX_CG_CELLS


@dataclass
class RootBound:
    """What the root proves and leaves for the exact phase.

    ``bound``: the valid lower bound; ``dw_bound``: the bound before cuts;
    ``multipliers`` at ``bound`` and the master's ``triples`` (their order
    matches ``multipliers.sigma``); ``master``: the master, for its clusters.
    """

    bound: float
    dw_bound: float
    multipliers: Multipliers
    triples: IntArray
    master: Master
    iterations: int = 0
    cuts: int = 0
    log: list[str] = field(default_factory=list)


def _negative(
    cost: FloatArray,
    members: BoolArray,
    triples: IntArray,
    lam: FloatArray,
    site_dual: FloatArray,
    sigma: FloatArray,
) -> IntArray:
    """Sites whose cluster has a negative reduced cost at the master's duals."""
    red = (
        np.where(members, cost.T, 0.0).sum(axis=1)
        - members.astype(np.float64) @ lam
        - site_dual
        - cut_hits(members, triples).astype(np.float64) @ sigma
    )
    return np.flatnonzero((red < -1e-7) & members.any(axis=1))


def _resolve_promising(priced: Pricing, site_dual: FloatArray) -> None:
    """Solve exactly the pending sites whose cut-free optimum prices out best."""
    slack = priced.rho - site_dual
    cand = np.flatnonzero(priced.pending & (slack < -1e-7))
    order = np.argsort(slack[cand], kind="stable")
    priced.resolve(cand[order[:RESOLVE_PER_ITERATION]])


def root_bound(
    cost: FloatArray,
    dem: IntArray,
    cap: IntArray,
    required: IntArray,
    p: int,
    incumbent: IntArray | None,
    target: float,
    deadline: float | None,
) -> RootBound:
    """Column generation, then rounds of triple cuts; stops early once the bound
    reaches ``target`` (only solutions at most ``target`` are of interest).

    Parameters
    ----------
    cost
        Weighted costs ``(n, m)``, ``inf`` on unusable pairs.
    dem, cap
        Integer demands and capacities.
    required, p
        Required sites and the number of sites.
    incumbent
        A feasible assignment whose clusters seed the master (or ``None``).
    target
        Stop once the bound exceeds it.
    deadline
        ``time.perf_counter()`` value at which to stop (``None``: none).
    """
    master = Master(cost, p, required)
    if incumbent is not None:
        sites = np.unique(incumbent).astype(np.intp)
        master.add_columns(sites, incumbent[None, :] == sites[:, None])
    cg = _ColumnGeneration(cost, dem, cap, required, p, master, target, deadline)
    best, out = cg.best, cg.out
    cg.converge()
    out.dw_bound = best.value
    out.log.append(f"DW {best.value:.8g}")
    cg.cut_rounds()
    out.bound = best.value
    out.triples = master.triples
    return out


#: Master duals: of the point rows, of each site (its row and, for a free site,
#: the row of ``p``) and of the triple cuts.
_Duals = tuple[FloatArray, FloatArray, FloatArray]


class _ColumnGeneration:
    """The master, the best multipliers so far and the loops that improve them."""

    def __init__(
        self,
        cost: FloatArray,
        dem: IntArray,
        cap: IntArray,
        required: IntArray,
        p: int,
        master: Master,
        target: float,
        deadline: float | None,
    ) -> None:
        self.cost, self.dem, self.cap = cost, dem, cap
        self.required, self.p = required, p
        self.master, self.target, self.deadline = master, target, deadline
        self.best = Multipliers()
        self.out = RootBound(-np.inf, -np.inf, self.best, master.triples, master)

    def _past_deadline(self) -> bool:
        return self.deadline is not None and time.perf_counter() > self.deadline

    def _pricing(self, lam: FloatArray, sig: FloatArray) -> Pricing:
        return Pricing(self.cost, self.dem, self.cap, lam, sig, self.master.triples)

    def price(self, lam: FloatArray, sig: FloatArray) -> Pricing:
        """Price every site exactly and offer the bound to the best point."""
        priced = self._pricing(lam, sig)
        value, chosen = priced.bound(self.required, self.p)
        self.best.offer(priced, value, chosen)
        return priced

    def _duals(self, dual: FloatArray) -> _Duals:
        n, m = self.cost.shape
        lam_m = dual[:n]
        pi, mu = dual[n], dual[n + 1 : n + 1 + m]
        sig_m = np.minimum(dual[n + 1 + m :], 0.0)
        site_dual = np.where(self.master.free, pi, 0.0) + mu
        return lam_m, site_dual, sig_m

    def _negative(self, priced: Pricing, duals: _Duals) -> IntArray:
        lam_m, site_dual, sig_m = duals
        return _negative(
            self.cost, priced.members, self.master.triples, lam_m, site_dual, sig_m
        )

    def converge(self) -> float:
        """Iterate until the LP is optimal, the bound meets the LP or the
        target, or no new cluster comes; the last LP value.

        Without cuts every pricing is exact and cheap: the point is smoothed
        towards the best multipliers (Wentges) and gives a bound each time.
        With cuts, exact pricing of pending sites is what costs: the point is
        smoothed towards the previous one, only the :data:`RESOLVE_PER_ITERATION`
        most promising pending sites are solved exactly, and the bound (with all
        chosen sites exact) is taken when no cluster prices out; if it is still
        below the LP, every pending site that may hide a cluster is solved.
        """
        value = np.inf
        cuts = self.master.triples.shape[0] > 0
        center: tuple[FloatArray, FloatArray] | None = None
        for _ in range(MAX_CG_ITERATIONS):
            value, dual, _ = self.master.solve()
            self.out.iterations += 1
            duals = self._duals(dual)
            if cuts:
                priced, neg, center = self._price_with_cuts(duals, center, value)
            else:
                priced, neg = self._price_without_cuts(duals)
            if self.best.value > self.target or neg.size == 0:
                break
            if value - self.best.value <= 1e-7 * max(1.0, abs(value)):
                break
            if self.master.add_columns(neg, priced.members[neg]) == 0:
                break
            if self._past_deadline():
                break
        return value

    def _price_without_cuts(self, duals: _Duals) -> tuple[Pricing, IntArray]:
        """Pricing at the smoothed point; at the master's duals when that finds
        no cluster (mis-pricing) or on the first round."""
        lam_m, _, sig_m = duals
        best = self.best
        if best.lam is not None:
            a = SMOOTHING
            priced = self.price(
                a * best.lam + (1 - a) * lam_m, a * best.sigma + (1 - a) * sig_m
            )
            neg = self._negative(priced, duals)
            if neg.size:
                return priced, neg
        priced = self.price(lam_m, sig_m)
        return priced, self._negative(priced, duals)

    def _price_with_cuts(
        self,
        duals: _Duals,
        center: tuple[FloatArray, FloatArray] | None,
        value: float,
    ) -> tuple[Pricing, IntArray, tuple[FloatArray, FloatArray]]:
        """Pricing at the point smoothed towards ``center`` (the previous one),
        else at the master's duals, where the bound is taken; the new centre."""
        lam_m, site_dual, sig_m = duals
        if center is not None:
            a = SMOOTHING
            center = (a * center[0] + (1 - a) * lam_m, a * center[1] + (1 - a) * sig_m)
            priced = self._pricing(*center)
            _resolve_promising(priced, site_dual)
            neg = self._negative(priced, duals)
            if neg.size:
                return priced, neg, center
        center = (lam_m, sig_m)
        priced = self._pricing(lam_m, sig_m)
        _resolve_promising(priced, site_dual)
        neg = self._negative(priced, duals)
        if neg.size == 0:
            value_l, chosen = priced.bound(self.required, self.p)
            self.best.offer(priced, value_l, chosen)
            if value - self.best.value > 1e-7 * max(1.0, abs(value)):
                hidden = priced.pending & (priced.rho < site_dual - 1e-7)
                priced.resolve(np.flatnonzero(hidden))
                neg = self._negative(priced, duals)
        return priced, neg, center

    def cut_rounds(self) -> None:
        """Separate triple cuts from the LP solution and converge again, while
        a round raises the bound by :data:`MIN_ROUND_GAIN` of it."""
        master, best, out = self.master, self.best, self.out
        for _ in range(CUT_ROUNDS):
            if best.value > self.target or self._past_deadline():
                break
            _, _, z = master.solve()
            support = np.flatnonzero(z > 1e-9)
            known = {(int(a), int(b), int(c)) for a, b, c in master.triples}
            new = separate_triples(
                z[support],
                master.members[support],
                known,
                CUTS_PER_ROUND,
                CUTS_PER_POINT,
            )
            if new.shape[0] == 0:
                break
            before = best.value
            master.add_cuts(new)
            # the best point keeps its value with zero weight on the new cuts
            best.sigma = np.concatenate([best.sigma, np.zeros(new.shape[0])])
            out.cuts += new.shape[0]
            lp = self.converge()
            out.log.append(f"{out.cuts} cuts {best.value:.8g} (LP {lp:.8g})")
            if best.value - before < MIN_ROUND_GAIN * max(1.0, abs(before)):
                break
