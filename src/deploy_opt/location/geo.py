"""GeoDataFrame adapters: build the cost matrix with the travel module, then solve.

As spopt's ``from_geodataframe`` does, these only prepare arrays and delegate to
the array functions; solvers never see geopandas. Travel costs are whole seconds
from a :class:`deploy_opt.travel.TravelModel` (default: straight line at
:data:`DEFAULT_SPEED_KMH` with detour factor 1.4) between the points (or, for
other geometries, the centroids) projected to a metric CRS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from deploy_opt.location.errors import LocationInputError
from deploy_opt.location.result import LocationResult
from deploy_opt.travel import Points, StraightLineModel, TravelMatrix, TravelModel

#: Speed of the default straight-line travel model (mode ``"car"``), km/h.
DEFAULT_SPEED_KMH = 30.0


def _points(gdf: Any, metric_crs: Any, id_col: str | None) -> Points:
    geoms = gdf.geometry
    if not (geoms.geom_type == "Point").all():
        geoms = geoms.to_crs(metric_crs).centroid
    metric = geoms.to_crs(metric_crs)
    lonlat = geoms.to_crs(4326)
    ids = tuple(str(v) for v in (gdf[id_col] if id_col else gdf.index))
    return Points(
        ids,
        np.asarray(metric.x, dtype=np.float64),
        np.asarray(metric.y, dtype=np.float64),
        np.asarray(lonlat.x, dtype=np.float64),
        np.asarray(lonlat.y, dtype=np.float64),
    )


def travel_cost_matrix(
    demand: Any,
    sites: Any,
    *,
    travel_model: TravelModel | None = None,
    mode: str = "car",
    cutoff_s: int | None = None,
) -> TravelMatrix:
    """Travel seconds from every demand geometry to every site geometry.

    Parameters
    ----------
    demand, sites
        GeoDataFrames with the same, defined CRS.
    travel_model
        Travel model to use. Default: straight line, ``mode`` at 30 km/h.
    mode
        Travel mode (agency) known to the model. Default ``"car"``.
    cutoff_s
        Pairs slower than this are left out (forbidden in the models).

    Returns
    -------
    TravelMatrix
        Sparse integer seconds, demand rows by site columns.

    Raises
    ------
    LocationInputError
        When a CRS is missing or the two differ.
    """
    if demand.crs is None or sites.crs is None:
        msg = "both GeoDataFrames need a CRS"
        raise LocationInputError(msg)
    if demand.crs != sites.crs:
        msg = f"CRS differ: demand {demand.crs} vs sites {sites.crs}"
        raise LocationInputError(msg)
    metric = demand.crs if demand.crs.is_projected else demand.estimate_utm_crs()
    model = travel_model or StraightLineModel(
        speeds_kmh={mode: DEFAULT_SPEED_KMH}, detour_factor=1.4
    )
    return model.matrix(
        _points(demand, metric, None), _points(sites, metric, None), mode, cutoff_s
    )


def from_geodataframe(
    model: Callable[..., LocationResult],
    demand: Any,
    sites: Any,
    *args: Any,
    weights_col: str | None = None,
    demands_col: str | None = None,
    capacities_col: str | None = None,
    required_col: str | None = None,
    travel_model: TravelModel | None = None,
    mode: str = "car",
    cutoff_s: int | None = None,
    **kwargs: Any,
) -> LocationResult:
    """Solve ``model`` (e.g. :func:`~deploy_opt.location.p_median`) on GeoDataFrames.

    Parameters
    ----------
    model
        One of ``p_median``, ``mclp``, ``p_center``, ``set_cover``.
    demand, sites
        GeoDataFrames of demand points (rows) and candidate sites (columns).
    *args
        Positional arguments of ``model`` after the cost matrix (``p``, or
        ``radius, p``, or ``radius``), in travel seconds where they are costs.
    weights_col, demands_col
        Columns of ``demand`` holding weights and capacity use.
    capacities_col, required_col
        Columns of ``sites`` holding capacities and a boolean "must open" flag.
    travel_model, mode, cutoff_s
        See :func:`travel_cost_matrix`.
    **kwargs
        Further keyword arguments of ``model`` (``time_limit``, ``seed``...).

    Returns
    -------
    LocationResult
        Indices refer to the row positions of ``demand`` and ``sites``.

    Raises
    ------
    LocationInputError
        On CRS problems or invalid model arguments.
    """
    matrix = travel_cost_matrix(
        demand, sites, travel_model=travel_model, mode=mode, cutoff_s=cutoff_s
    )
    cost = matrix.seconds if cutoff_s is not None else matrix.dense()
    if weights_col is not None:
        kwargs["weights"] = np.asarray(demand[weights_col], dtype=np.float64)
    if demands_col is not None:
        kwargs["demands"] = np.asarray(demand[demands_col], dtype=np.float64)
    if capacities_col is not None:
        kwargs["capacities"] = np.asarray(sites[capacities_col], dtype=np.float64)
    if required_col is not None:
        kwargs["required"] = np.flatnonzero(np.asarray(sites[required_col], dtype=bool))
    return model(cost, *args, **kwargs)
