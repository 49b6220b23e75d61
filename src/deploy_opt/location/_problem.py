"""Validated, normalised input shared by all location models.

Every model takes a cost matrix with one row per demand point and one column per
candidate site. It may be

* a dense array: ``inf`` (or, for integer arrays, any value at or above
  :data:`deploy_opt.units.UNREACHABLE`, as produced by
  :meth:`deploy_opt.travel.TravelMatrix.dense`) marks a pair that may not be
  used;
* a SciPy sparse matrix or array (for example ``TravelMatrix.seconds``): only the
  stored entries are usable pairs (explicit zeros included); the rest are
  forbidden, which is how a travel-time cutoff arrives.

Costs are kept as ``float64`` here and are never rounded; the reported
objective is always recomputed from these original values. A sparse matrix is
expanded to a dense one (``inf`` for missing entries): about 8 bytes per pair,
74 MB at 3,038 x 3,038.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, SupportsIndex, TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from deploy_opt.location._arrays import FloatArray, IntArray
from deploy_opt.location.errors import LocationInputError
from deploy_opt.units import UNREACHABLE

#: A cost matrix as the models take it: rows demand points, columns sites; dense
#: (``inf`` or, for integers, :data:`~deploy_opt.units.UNREACHABLE` forbids a
#: pair) or SciPy sparse (entries left out are forbidden pairs).
CostMatrix: TypeAlias = (
    npt.NDArray[np.floating[Any]]
    | npt.NDArray[np.integer[Any]]
    | sp.sparray
    | sp.spmatrix
)


@dataclass(frozen=True, eq=False)
class Instance:
    """Normalised location data; arrays are read-only."""

    cost: FloatArray
    weights: FloatArray
    demands: FloatArray
    capacities: FloatArray | None
    required: IntArray

    @property
    def n(self) -> int:
        """Number of demand points (rows)."""
        return int(self.cost.shape[0])

    @property
    def m(self) -> int:
        """Number of candidate sites (columns)."""
        return int(self.cost.shape[1])

    @cached_property
    def allowed(self) -> npt.NDArray[np.bool_]:
        """Mask of usable (demand, site) pairs."""
        return np.isfinite(self.cost)

    @cached_property
    def weighted(self) -> FloatArray:
        """``weights[i] * cost[i, j]``, ``inf`` where forbidden (``0 * inf`` is inf)."""
        finite = np.where(self.allowed, self.cost, 0.0)
        out = np.where(self.allowed, self.weights[:, None] * finite, np.inf)
        out.setflags(write=False)
        return out

    def require_capacities(self) -> FloatArray:
        """The site capacities of a capacitated model.

        Raises
        ------
        LocationInputError
            When the instance has none.
        """
        if self.capacities is None:
            msg = "this model needs `capacities`"
            raise LocationInputError(msg)
        return self.capacities

    @cached_property
    def integral(self) -> bool:
        """Whether every usable weighted cost is an integer (objectives then are)."""
        finite = self.weighted[self.allowed]
        return bool(np.all(finite == np.round(finite)))


def _as_cost(cost: CostMatrix) -> FloatArray:
    if isinstance(cost, sp.sparray | sp.spmatrix):
        # scipy-stubs: coo_array's overloads take no plain sparray / spmatrix
        coo = sp.coo_array(cost)  # type: ignore[call-overload]
        dense = np.full(coo.shape, np.inf)
        dense[coo.row, coo.col] = coo.data
        out = dense
    else:
        raw = np.asarray(cost)
        if raw.dtype == np.bool_ or not np.issubdtype(raw.dtype, np.number):
            msg = f"`cost` must be numeric, got dtype {raw.dtype}"
            raise LocationInputError(msg)
        out = raw.astype(np.float64)
        if np.issubdtype(raw.dtype, np.integer):
            out[raw >= UNREACHABLE] = np.inf
    if out.ndim != 2 or out.shape[0] == 0 or out.shape[1] == 0:
        msg = f"`cost` must be a non-empty 2-D matrix, got shape {out.shape}"
        raise LocationInputError(msg)
    if np.isnan(out).any():
        msg = "`cost` contains NaN; use inf (or leave the entry out of a sparse matrix)"
        raise LocationInputError(msg)
    if (out < 0).any():
        msg = "`cost` must be non-negative"
        raise LocationInputError(msg)
    return out


def _vector(
    values: npt.ArrayLike | None, size: int, name: str, default: float
) -> FloatArray:
    if values is None:
        out = np.full(size, default, dtype=np.float64)
    else:
        out = np.asarray(values, dtype=np.float64).copy()
        if out.shape != (size,):
            msg = f"`{name}` must have shape ({size},), got {out.shape}"
            raise LocationInputError(msg)
        if not np.all(np.isfinite(out)) or (out < 0).any():
            msg = f"`{name}` must be finite and non-negative"
            raise LocationInputError(msg)
    out.setflags(write=False)
    return out


def prepare(
    cost: CostMatrix,
    *,
    weights: npt.ArrayLike | None = None,
    demands: npt.ArrayLike | None = None,
    capacities: npt.ArrayLike | None = None,
    required: npt.ArrayLike | None = None,
) -> Instance:
    """Validate and normalise the arguments common to all models.

    Raises
    ------
    LocationInputError
        On a malformed cost matrix or vector, or an invalid required site.
    """
    matrix = _as_cost(cost)
    matrix.setflags(write=False)
    n, m = matrix.shape
    req = np.unique(np.asarray([] if required is None else required, dtype=np.intp))
    if req.size and (req.min() < 0 or req.max() >= m):
        msg = f"`required` sites must be column indices in [0, {m})"
        raise LocationInputError(msg)
    req.setflags(write=False)
    caps = None if capacities is None else _vector(capacities, m, "capacities", 0.0)
    return Instance(
        cost=matrix,
        weights=_vector(weights, n, "weights", 1.0),
        demands=_vector(demands, n, "demands", 1.0),
        capacities=caps,
        required=req,
    )


def check_p(p: object, inst: Instance) -> int:
    """Validate the number of sites to open.

    Raises
    ------
    LocationInputError
        When ``p`` is not an integer in ``[max(1, len(required)), m]``.
    """
    try:
        if not isinstance(p, SupportsIndex):
            raise TypeError
        value = operator.index(p)
    except TypeError:
        msg = f"`p` must be an integer, got {p!r}"
        raise LocationInputError(msg) from None
    low = max(1, inst.required.size)
    if not low <= value <= inst.m:
        msg = f"`p` must be in [{low}, {inst.m}] (required sites, candidate sites)"
        raise LocationInputError(msg)
    return value


def check_time_limit(time_limit: float | None) -> float | None:
    """Validate a time limit in seconds.

    Raises
    ------
    LocationInputError
        When it is not positive.
    """
    if time_limit is not None and not time_limit > 0:
        msg = f"`time_limit` must be positive seconds, got {time_limit!r}"
        raise LocationInputError(msg)
    return time_limit


def nearest_assignment(inst: Instance, sites: IntArray) -> tuple[IntArray, FloatArray]:
    """Each demand point's cheapest open site (-1 if none usable) and its cost."""
    sub = inst.cost[:, sites]
    pos = np.argmin(sub, axis=1)
    best = sub[np.arange(inst.n), pos]
    assign = np.where(np.isfinite(best), sites[pos], -1).astype(np.intp)
    return assign, best


def median_objective(inst: Instance, assignment: IntArray) -> float:
    """``sum_i weights[i] * cost[i, assignment[i]]`` from the original costs."""
    if (assignment < 0).any():
        return float("inf")
    costs = inst.cost[np.arange(inst.n), assignment]
    return float(np.dot(inst.weights, costs))
