"""Location models with proven bounds, on travel-time cost matrices.

Every model takes a cost matrix (rows: demand points such as TPS; columns:
candidate sites), dense or SciPy sparse, and returns a :class:`LocationResult`
with objective, bound, gap, status, open sites and the assignment of each point.

* :func:`p_median`: minimise weighted total cost; capacitated with ``capacities``.
* :func:`mclp`: maximal covering within a radius, optionally capacitated.
* :func:`p_center`: minimise the largest weighted cost.
* :func:`set_cover`: fewest sites covering every point within a radius.
* :func:`from_geodataframe`: the same on GeoDataFrames via the travel module.

One subpackage per problem, each a short front (the function above, and which
method runs when) with its methods behind it: :mod:`~deploy_opt.location.pmedian`
(uncapacitated), :mod:`~deploy_opt.location.capacitated`,
:mod:`~deploy_opt.location.covering` and :mod:`~deploy_opt.location.center`.
Shared at the top: the result (:mod:`~deploy_opt.location.result`), input
validation and cost matrices (``_problem``), HiGHS (``_mip``, ``_highs``),
deadlines (``_deadline``), errors and the GeoDataFrame adapters
(:mod:`~deploy_opt.location.geo`).
"""

from __future__ import annotations

from deploy_opt.location.center import p_center as p_center
from deploy_opt.location.covering import mclp as mclp
from deploy_opt.location.covering import set_cover as set_cover
from deploy_opt.location.errors import LocationInputError as LocationInputError
from deploy_opt.location.geo import from_geodataframe as from_geodataframe
from deploy_opt.location.geo import travel_cost_matrix as travel_cost_matrix
from deploy_opt.location.pmedian import p_median as p_median
from deploy_opt.location.result import LocationResult as LocationResult
from deploy_opt.location.result import Status as Status

__all__ = [
    "LocationInputError",
    "LocationResult",
    "Status",
    "from_geodataframe",
    "mclp",
    "p_center",
    "p_median",
    "set_cover",
    "travel_cost_matrix",
]
