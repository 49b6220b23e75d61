"""Thin wrapper around HiGHS (through :func:`scipy.optimize.milp`).

HiGHS is deterministic for a given model, so results do not depend on threads or
timing except where the time limit cuts the search. SciPy is already a runtime
dependency of deploy_opt, so the exact phase adds none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

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
) -> MipOutcome:
    """Minimise ``c @ x`` subject to ``row_lower <= a @ x <= row_upper`` and bounds."""
    options: dict[str, float | bool] = {"disp": _DISP, "mip_rel_gap": MIP_REL_GAP}
    if time_limit is not None:
        options["time_limit"] = max(float(time_limit), 0.01)
    res = milp(
        c,
        integrality=integrality,
        bounds=Bounds(lower, upper),
        constraints=LinearConstraint(a, row_lower, row_upper),
        options=options,
    )
    bound = getattr(res, "mip_dual_bound", None)
    bound = -np.inf if bound is None or not np.isfinite(bound) else float(bound)
    x = None if res.x is None else np.asarray(res.x)
    objective = float(res.fun) if x is not None else np.inf
    if res.status == 0:
        return MipOutcome("optimal", x, objective, max(bound, -np.inf))
    if res.status == 2:
        return MipOutcome("infeasible", None, np.inf, np.inf)
    if res.status == 1:
        return MipOutcome("time_limit", x, objective, bound)
    return MipOutcome("error", x, objective, bound)
