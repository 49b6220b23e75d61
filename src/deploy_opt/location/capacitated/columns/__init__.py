"""Exact capacitated p-median for integral demands: column generation, fixing,
enumeration and a partition search.

Which method runs when: :func:`solve_by_columns`
(:mod:`~deploy_opt.location.capacitated.columns._exact`) runs on instances
small enough for the full model when :func:`cg_applicable` holds (integral
demands and capacities, ``n * m * (max capacity + 1)`` at most
:data:`~deploy_opt.location.capacitated.columns._root_bound.MAX_CG_CELLS`).

1. *Root bound* (:mod:`~deploy_opt.location.capacitated.columns._root_bound`):
   column generation on the set-partitioning master
   (:mod:`~deploy_opt.location.capacitated.columns._master`, an LP kept in
   HiGHS and re-solved warm) from the incumbent's clusters, priced by one 0-1
   knapsack per site (:mod:`~deploy_opt.location.capacitated.columns._pricing`,
   :mod:`~deploy_opt.location.capacitated.columns._knapsack_tables`), then
   rounds of triple cuts (:mod:`~deploy_opt.location.capacitated.columns._triple_cuts`),
   whose pricing is a knapsack with penalties
   (:mod:`~deploy_opt.location.capacitated.columns._batch_relaxation` for all
   sites at once, :mod:`~deploy_opt.location.capacitated.columns._frontier_dp`
   exactly for one).
2. *Reduced-cost fixing* of (point, site) pairs from the best multipliers.
3. *Enumeration* (:mod:`~deploy_opt.location.capacitated.columns._enumeration`)
   of every cluster that can be in a solution at most a target, and a branch
   and cut over them (:mod:`~deploy_opt.location.capacitated.columns._partition`):
   optimal there is optimal overall; infeasible raises the bound past the
   target.

When even the enumeration is too large, the caller gets the fixed pairs for the
compact model.
"""

from __future__ import annotations

from deploy_opt.location.capacitated.columns._exact import (
    ExactOutcome,
    solve_by_columns,
)
from deploy_opt.location.capacitated.columns._root_bound import cg_applicable

__all__ = ["ExactOutcome", "cg_applicable", "solve_by_columns"]
