r"""Column generation with triple cuts: the root bound of the CPMP.

The master (:mod:`~deploy_opt.location._cg_master`) starts from the
incumbent's clusters. Column generation prices, each iteration, a smoothed
point (Wentges: towards the best multipliers so far; with cuts, towards the
previous point), and the master's own duals when that finds no cluster of
negative reduced cost (mis-pricing); pricings give valid Lagrangian bounds
(:mod:`~deploy_opt.location._cg_pricing`), and that bound, never the LP value,
is what counts. Without cuts the LP optimum is the Dantzig-Wolfe bound of
relaxing the assignment rows (one 0-1 knapsack per site).

Then rounds of subset-row cuts on triples (:mod:`~deploy_opt.location._sr_cuts`)
are separated from the LP solution and the LP is re-optimised, while a round
raises the bound by at least :data:`MIN_ROUND_GAIN` of its value. The
numbers of iterations and rounds are fixed, so the result does not depend on
timing (only the deadline may cut it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from deploy_opt.location._cg_master import Master, binding_available
from deploy_opt.location._cg_pricing import Multipliers, Pricing
from deploy_opt.location._sr_cuts import cut_hits, separate_triples

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

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
    """Integral non-negative demands and capacities, a small enough DP, and
    SciPy's HiGHS binding present."""
    if not (np.all(demands == np.round(demands)) and np.all(caps == np.round(caps))):
        return False
    if demands.min(initial=0.0) < 0:
        return False
    if n * m * (int(caps.max(initial=0)) + 1) > MAX_CG_CELLS:
        return False
    return binding_available()


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
    n, m = cost.shape
    master = Master(cost, p, required)
    best = Multipliers()
    if incumbent is not None:
        sites = np.unique(incumbent).astype(np.intp)
        master.add_columns(sites, incumbent[None, :] == sites[:, None])
    out = RootBound(-np.inf, -np.inf, best, master.triples, master)

    def price(lam: FloatArray, sig: FloatArray) -> Pricing:
        priced = Pricing(cost, dem, cap, lam, sig, master.triples)
        value, chosen = priced.bound(required, p)
        best.offer(priced, value, chosen)
        return priced

    def converge() -> float:
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
        cuts = master.triples.shape[0] > 0
        center: tuple[FloatArray, FloatArray] | None = None
        for _ in range(MAX_CG_ITERATIONS):
            value, dual, _ = master.solve()
            out.iterations += 1
            lam_m = dual[:n]
            pi, mu = dual[n], dual[n + 1 : n + 1 + m]
            sig_m = np.minimum(dual[n + 1 + m :], 0.0)
            site_dual = np.where(master.free, pi, 0.0) + mu
            duals = (lam_m, site_dual, sig_m)

            def negative(priced: Pricing) -> IntArray:
                return _negative(cost, priced.members, master.triples, *duals)  # noqa: B023

            neg = np.zeros(0, dtype=np.intp)
            priced = None
            if not cuts:
                if best.lam is not None:
                    a = SMOOTHING
                    priced = price(
                        a * best.lam + (1 - a) * lam_m, a * best.sigma + (1 - a) * sig_m
                    )
                    neg = negative(priced)
                if neg.size == 0:  # mis-pricing (or the first round)
                    priced = price(lam_m, sig_m)
                    neg = negative(priced)
            else:
                if center is not None:
                    a = SMOOTHING
                    lam = a * center[0] + (1 - a) * lam_m
                    sig = a * center[1] + (1 - a) * sig_m
                    center = (lam, sig)
                    priced = Pricing(cost, dem, cap, lam, sig, master.triples)
                    _resolve_promising(priced, site_dual)
                    neg = negative(priced)
                if neg.size == 0:  # mis-pricing (or the first round)
                    center = (lam_m, sig_m)
                    priced = Pricing(cost, dem, cap, lam_m, sig_m, master.triples)
                    _resolve_promising(priced, site_dual)
                    neg = negative(priced)
                    if neg.size == 0:
                        value_l, chosen = priced.bound(required, p)
                        best.offer(priced, value_l, chosen)
                        if value - best.value > 1e-7 * max(1.0, abs(value)):
                            hidden = priced.pending & (priced.rho < site_dual - 1e-7)
                            priced.resolve(np.flatnonzero(hidden))
                            neg = negative(priced)
            if best.value > target or neg.size == 0:
                break
            if value - best.value <= 1e-7 * max(1.0, abs(value)):
                break
            assert priced is not None
            if master.add_columns(neg, priced.members[neg]) == 0:
                break
            if deadline is not None and time.perf_counter() > deadline:
                break
        return value

    converge()
    out.dw_bound = best.value
    out.log.append(f"DW {best.value:.8g}")
    for _ in range(CUT_ROUNDS):
        if best.value > target or (
            deadline is not None and time.perf_counter() > deadline
        ):
            break
        _, _, z = master.solve()
        support = np.flatnonzero(z > 1e-9)
        known = {(int(a), int(b), int(c)) for a, b, c in master.triples}
        new = separate_triples(
            z[support], master.members[support], known, CUTS_PER_ROUND, CUTS_PER_POINT
        )
        if new.shape[0] == 0:
            break
        before = best.value
        master.add_cuts(new)
        # the best point keeps its value with zero weight on the new cuts
        best.sigma = np.concatenate([best.sigma, np.zeros(new.shape[0])])
        out.cuts += new.shape[0]
        lp = converge()
        out.log.append(f"{out.cuts} cuts {best.value:.8g} (LP {lp:.8g})")
        if best.value - before < MIN_ROUND_GAIN * max(1.0, abs(before)):
            break
    out.bound = best.value
    out.triples = master.triples
    return out
