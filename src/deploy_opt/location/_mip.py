"""Thin wrapper around HiGHS for the location MIPs.

Without a start solution the model goes through :func:`scipy.optimize.milp`.
With one (a MIP warm start, which ``milp`` does not accept) it goes through the
official binding (:mod:`~deploy_opt.location._highs`), which hands the start to
HiGHS as its first incumbent. HiGHS is deterministic for a given model, so
results do not depend on threads or timing except where the time limit cuts
the search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from deploy_opt.location._highs import (
    INF,
    STOPPED,
    ModelStatus,
    check,
    pass_model,
    quiet_highs,
)

if TYPE_CHECKING:  # the options' type exists only in scipy-stubs
    from scipy.optimize._milp import _OptionsMILP

MipStatus = Literal["optimal", "time_limit", "infeasible", "error"]

#: Relative gap at which HiGHS may stop. Tiny, so that "optimal" means optimal;
#: callers with integer objectives also round the bound up.
MIP_REL_GAP = 1e-9
#: A limit is never shorter than this (HiGHS needs a positive one).
_MIN_LIMIT = 0.01
#: ``primal_solution_status`` of a feasible solution.
_FEASIBLE = 2


@dataclass(frozen=True)
class MipOutcome:
    """What the MIP solver returned."""

    status: MipStatus
    x: npt.NDArray[np.float64] | None
    objective: float
    bound: float


def solve_mip(
    c: npt.NDArray[np.float64],
    integrality: npt.NDArray[np.int8],
    lower: npt.NDArray[np.float64],
    upper: npt.NDArray[np.float64],
    a: sp.csr_array,
    row_lower: npt.NDArray[np.float64],
    row_upper: npt.NDArray[np.float64],
    time_limit: float | None,
    start: npt.NDArray[np.float64] | None = None,
) -> MipOutcome:
    """Minimise ``c @ x`` subject to ``row_lower <= a @ x <= row_upper`` and bounds.

    ``start``: a feasible solution handed to HiGHS as its first incumbent.

    Raises
    ------
    LocationSolverError
        When HiGHS rejects the model or fails (warm-started path).
    """
    if start is not None:
        return _solve_with_start(
            c, integrality, lower, upper, a, row_lower, row_upper, time_limit, start
        )
    options: _OptionsMILP = {"disp": False, "mip_rel_gap": MIP_REL_GAP}
    if time_limit is not None:
        options["time_limit"] = max(float(time_limit), _MIN_LIMIT)
    res = milp(
        c,
        integrality=integrality,
        bounds=Bounds(lower, upper),
        constraints=LinearConstraint(a, row_lower, row_upper),
        options=options,
    )
    dual = getattr(res, "mip_dual_bound", None)
    bound = -np.inf if dual is None or not np.isfinite(dual) else float(dual)
    x = None if res.x is None else np.asarray(res.x)
    objective = float(res.fun) if x is not None and res.fun is not None else np.inf
    if res.status == 0:
        return MipOutcome("optimal", x, objective, bound)
    if res.status == 2:
        return MipOutcome("infeasible", None, np.inf, np.inf)
    if res.status == 1:
        return MipOutcome("time_limit", x, objective, bound)
    return MipOutcome("error", x, objective, bound)


def _solve_with_start(
    c: npt.NDArray[np.float64],
    integrality: npt.NDArray[np.int8],
    lower: npt.NDArray[np.float64],
    upper: npt.NDArray[np.float64],
    a: sp.csr_array,
    row_lower: npt.NDArray[np.float64],
    row_upper: npt.NDArray[np.float64],
    time_limit: float | None,
    start: npt.NDArray[np.float64],
) -> MipOutcome:
    """:func:`solve_mip` through highspy, with a start solution."""
    highs = quiet_highs(mip_rel_gap=MIP_REL_GAP)
    if time_limit is not None:
        highs.setOptionValue("time_limit", max(float(time_limit), _MIN_LIMIT))
    pass_model(highs, c, lower, upper, a, row_lower, row_upper, integrality)
    idx = np.arange(c.size, dtype=np.int32)
    highs.setSolution(c.size, idx, np.asarray(start, dtype=np.float64))
    check(highs.run(), "the MIP run")
    status = highs.getModelStatus()
    info = highs.getInfo()
    bound = float(info.mip_dual_bound)
    bound = bound if np.isfinite(bound) and abs(bound) < INF else -np.inf
    objective = float(info.objective_function_value)
    has_x = int(info.primal_solution_status) == _FEASIBLE and abs(objective) < INF
    x = np.asarray(highs.getSolution().col_value) if has_x else None
    objective = objective if x is not None else np.inf
    if status == ModelStatus.kOptimal:
        return MipOutcome("optimal", x, objective, bound)
    if status == ModelStatus.kInfeasible:
        return MipOutcome("infeasible", None, np.inf, np.inf)
    if status in STOPPED:
        return MipOutcome("time_limit", x, objective, bound)
    return MipOutcome("error", x, objective, bound)
