"""HiGHS through its official Python binding, ``highspy``.

Used where :func:`scipy.optimize.milp` does not reach: MIP warm starts
(:mod:`~deploy_opt.location._mip`) and LPs that are changed and re-solved warm
(the master and the partition search of
:mod:`~deploy_opt.location.capacitated.columns`). HiGHS is deterministic for a
given model; output is always off.
"""

from __future__ import annotations

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from deploy_opt.location._arrays import FloatArray
from deploy_opt.location.errors import LocationSolverError

#: HiGHS' infinity (bounds beyond it are infinite).
INF = float(highspy.kHighsInf)

ModelStatus = highspy.HighsModelStatus
#: Statuses of a run cut short by a limit (its solution, if any, is feasible).
STOPPED = (
    ModelStatus.kTimeLimit,
    ModelStatus.kIterationLimit,
    ModelStatus.kSolutionLimit,
    ModelStatus.kInterrupt,
)


class _QuietHighs(highspy.Highs):
    """A solver whose output is off before highspy registers its callback (the
    registration prints HiGHS' banner on standard output while output is on)."""

    def enableCallbacks(self) -> None:
        self.setOptionValue("output_flag", False)
        super().enableCallbacks()


def quiet_highs(**options: bool | float | str) -> highspy.Highs:
    """A new solver with output off and the given options set."""
    highs = _QuietHighs()
    highs.setOptionValue("output_flag", False)
    for name, value in options.items():
        check(highs.setOptionValue(name, value), f"option {name}")
    return highs


def check(status: highspy.HighsStatus, what: str) -> None:
    """Raise when a HiGHS call returned an error.

    Raises
    ------
    LocationSolverError
        When ``status`` is ``kError``.
    """
    if status == highspy.HighsStatus.kError:
        msg = f"HiGHS failed: {what}"
        raise LocationSolverError(msg)


def pass_model(
    highs: highspy.Highs,
    c: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    a: sp.csr_array | sp.csc_array,
    row_lower: FloatArray,
    row_upper: FloatArray,
    integrality: npt.NDArray[np.int8] | None = None,
) -> None:
    """Give HiGHS ``min c @ x`` s.t. ``row_lower <= a @ x <= row_upper``, bounds
    and (when given) integrality: 0 continuous, 1 integer.

    Raises
    ------
    LocationSolverError
        When HiGHS rejects the model.
    """
    csc = sp.csc_array(a)
    csc.sort_indices()
    n_col, n_row = c.size, csc.shape[0]
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    lp.a_matrix_.num_col_ = n_col
    lp.a_matrix_.num_row_ = n_row
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.col_cost_ = np.asarray(c, dtype=np.float64)
    lp.col_lower_ = np.asarray(lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(upper, dtype=np.float64)
    lp.row_lower_ = np.where(np.isfinite(row_lower), row_lower, -INF)
    lp.row_upper_ = np.where(np.isfinite(row_upper), row_upper, INF)
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    if integrality is not None:
        lp.integrality_ = [highspy.HighsVarType(int(i)) for i in integrality]
    check(highs.passModel(lp), "the model was rejected")
