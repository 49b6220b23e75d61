"""Location models with proven bounds: p-median, capacitated p-median.

All models work on a cost matrix (rows: demand points, columns: candidate
sites), dense or SciPy sparse, and return a :class:`LocationResult`.
"""

from __future__ import annotations

from deploy_opt.location.errors import LocationInputError as LocationInputError
from deploy_opt.location.pmedian import p_median as p_median
from deploy_opt.location.result import LocationResult as LocationResult
from deploy_opt.location.result import Status as Status

__all__ = ["LocationInputError", "LocationResult", "Status", "p_median"]
