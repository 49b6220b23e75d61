"""The typed result every location model returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

#: ``optimal``: proven optimal (``gap == 0`` up to the solver tolerance).
#: ``feasible``: a solution without an optimality proof (gap reported).
#: ``time_limit``: stopped by the time limit; a solution may or may not exist.
#: ``infeasible``: proven to have no solution.
Status = Literal["optimal", "feasible", "time_limit", "infeasible"]

#: ``min`` models report a lower ``bound``; ``max`` models (MCLP) an upper one.
Sense = Literal["min", "max"]


@dataclass(frozen=True)
class LocationResult:
    """Outcome of a location model.

    Attributes
    ----------
    model
        Which model was solved (``p_median``, ``capacitated_p_median``,
        ``mclp``, ``p_center``, ``set_cover``).
    objective
        Objective of the returned solution, recomputed from the caller's
        original costs and weights (``inf`` for minimisation, ``-inf`` for
        maximisation, when there is no solution).
    bound
        Proven bound on the optimum: a lower bound for ``sense == "min"``, an
        upper bound for ``sense == "max"``.
    gap
        ``|objective - bound| / max(|objective|, 1e-9)``; ``0.0`` when proven
        optimal, ``inf`` without a solution.
    status
        See :data:`Status`.
    sites
        Open site indices (columns of the cost matrix), sorted.
    assignment
        Site index serving each demand point (row), ``-1`` where the model lets
        a point go unserved (MCLP) or no solution exists.
    runtime_s
        Wall-clock seconds spent in the call.
    method
        Short description of the algorithm that produced solution and bound.
    seed
        The seed the call was made with.
    sense
        ``"min"`` or ``"max"``.
    """

    model: str
    objective: float
    bound: float
    gap: float
    status: Status
    sites: npt.NDArray[np.intp]
    assignment: npt.NDArray[np.intp]
    runtime_s: float
    method: str
    seed: int
    sense: Sense = "min"

    def __post_init__(self) -> None:
        for array in (self.sites, self.assignment):
            array.setflags(write=False)

    def is_feasible(self) -> bool:
        """Whether a solution was found."""
        return self.status in ("optimal", "feasible") or bool(
            np.isfinite(self.objective)
        )

    def summary(self) -> str:
        """One line for logs and reports."""
        return (
            f"{self.model}: {self.status}, objective {self.objective:.6g}, "
            f"bound {self.bound:.6g}, gap {100 * self.gap:.4f}%, "
            f"{self.sites.size} sites, {self.runtime_s:.2f} s ({self.method})"
        )

    def __str__(self) -> str:
        return self.summary()


def finish(
    model: str,
    objective: float,
    bound: float,
    status: Status,
    sites: npt.NDArray[np.intp],
    assignment: npt.NDArray[np.intp],
    started: float,
    method: str,
    seed: int,
    sense: Sense = "min",
) -> LocationResult:
    """Build a result: a proven optimum's bound is its objective, and no bound
    may promise better than the solution found; ``started`` is a
    :func:`time.perf_counter` reading taken when the call began.
    """
    import time

    if status == "optimal":
        bound = objective
    elif np.isfinite(objective):
        bound = max(bound, objective) if sense == "max" else min(bound, objective)
    return LocationResult(
        model=model,
        objective=objective,
        bound=float(bound),
        gap=relative_gap(objective, bound),
        status=status,
        sites=sites,
        assignment=assignment,
        runtime_s=time.perf_counter() - started,
        method=method,
        seed=seed,
        sense=sense,
    )


def no_solution(n: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """No open site and no assignment for ``n`` demand points (all ``-1``)."""
    return np.zeros(0, dtype=np.intp), np.full(n, -1, dtype=np.intp)


def relative_gap(objective: float, bound: float) -> float:
    """The gap convention of :class:`LocationResult`."""
    if not (np.isfinite(objective) and np.isfinite(bound)):
        return float("inf")
    diff = abs(objective - bound)
    if diff <= 1e-9 * max(1.0, abs(objective)):
        return 0.0
    return float(diff / max(abs(objective), 1e-9))
