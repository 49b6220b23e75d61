"""Thin wrapper around HiGHS (through :func:`scipy.optimize.milp`).

HiGHS is deterministic for a given model, so results do not depend on threads or
timing except where the time limit cuts the search. SciPy is already a runtime
dependency of deploy_opt, so the exact phase adds none.

A *start* solution (MIP warm start) is not accepted by ``scipy.optimize.milp``.
When one is given, the HiGHS binding that SciPy ships
(``scipy.optimize._highspy._core``, a private module) is driven directly so that
``setSolution`` can pass it; if that module is missing or fails, the model is
solved by ``milp`` without the start (same result, only slower to improve).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

if TYPE_CHECKING:  # the options' type exists only in scipy-stubs
    from scipy.optimize._milp import _OptionsMILP

MipStatus = Literal["optimal", "time_limit", "infeasible", "error"]

#: Relative gap at which HiGHS may stop. Tiny, so that "optimal" means optimal;
#: callers with integer objectives also round the bound up.
MIP_REL_GAP = 1e-9
_DISP = False


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
    """
    if start is not None:
        try:
            return _solve_with_start(
                c, integrality, lower, upper, a, row_lower, row_upper, time_limit, start
            )
        except Exception:  # private binding missing or changed: no warm start
            pass
    options: _OptionsMILP = {"disp": _DISP, "mip_rel_gap": MIP_REL_GAP}
    if time_limit is not None:
        options["time_limit"] = max(float(time_limit), 0.01)
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
        return MipOutcome("optimal", x, objective, max(bound, -np.inf))
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
    """:func:`solve_mip` through SciPy's HiGHS binding, with a start solution."""
    from scipy.optimize._highspy import _core as h

    csc = sp.csc_array(a)
    csc.sort_indices()
    n_col, n_row = c.size, csc.shape[0]
    lp = h.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    lp.a_matrix_.num_col_ = n_col
    lp.a_matrix_.num_row_ = n_row
    lp.a_matrix_.format_ = h.MatrixFormat.kColwise
    lp.col_cost_ = np.asarray(c, dtype=np.float64)
    lp.col_lower_ = np.asarray(lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(upper, dtype=np.float64)
    inf = h.kHighsInf
    lp.row_lower_ = np.where(np.isfinite(row_lower), row_lower, -inf)
    lp.row_upper_ = np.where(np.isfinite(row_upper), row_upper, inf)
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    lp.integrality_ = [h.HighsVarType(int(i)) for i in integrality]
    highs = h._Highs()
    highs.setOptionValue("output_flag", _DISP)
    highs.setOptionValue("mip_rel_gap", MIP_REL_GAP)
    if time_limit is not None:
        highs.setOptionValue("time_limit", max(float(time_limit), 0.01))
    if highs.passModel(lp) == h.HighsStatus.kError:
        msg = "HiGHS rejected the model"
        raise RuntimeError(msg)
    idx = np.arange(n_col, dtype=np.int32)
    highs.setSolution(n_col, idx, np.asarray(start, dtype=np.float64))
    if highs.run() == h.HighsStatus.kError:
        msg = "HiGHS failed"
        raise RuntimeError(msg)
    status = highs.getModelStatus()
    info = highs.getInfo()
    bound = float(info.mip_dual_bound)
    bound = bound if np.isfinite(bound) and abs(bound) < inf else -np.inf
    objective = float(info.objective_function_value)
    has_x = int(info.primal_solution_status) == 2 and abs(objective) < inf
    x = np.asarray(highs.getSolution().col_value) if has_x else None
    objective = objective if x is not None else np.inf
    if status == h.HighsModelStatus.kOptimal:
        return MipOutcome("optimal", x, objective, bound)
    if status == h.HighsModelStatus.kInfeasible:
        return MipOutcome("infeasible", None, np.inf, np.inf)
    if status in (
        h.HighsModelStatus.kTimeLimit,
        h.HighsModelStatus.kIterationLimit,
        h.HighsModelStatus.kSolutionLimit,
        h.HighsModelStatus.kInterrupt,
    ):
        return MipOutcome("time_limit", x, objective, bound)
    return MipOutcome("error", x, objective, bound)
