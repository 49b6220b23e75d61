"""GeoDataFrame adapter."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from deploy_opt.location import LocationInputError, from_geodataframe, p_median


def _frames():
    demand = gpd.GeoDataFrame(
        {"voters": [100, 200, 300, 50]},
        geometry=[Point(106.60 + 0.01 * i, -6.20) for i in range(4)],
        crs=4326,
    )
    sites = gpd.GeoDataFrame(
        {"cap": [3, 3], "must": [False, True]},
        geometry=[Point(106.60, -6.20), Point(106.63, -6.20)],
        crs=4326,
    )
    return demand, sites


def test_from_geodataframe_p_median():
    demand, sites = _frames()
    res = from_geodataframe(
        p_median, demand, sites, 1, weights_col="voters", required_col="must"
    )
    assert res.sites.tolist() == [1]
    res2 = from_geodataframe(p_median, demand, sites, 2, capacities_col="cap")
    assert res2.status == "optimal"
    assert np.bincount(res2.assignment).max() <= 3


def test_cutoff_makes_pairs_forbidden():
    demand, sites = _frames()
    res = from_geodataframe(p_median, demand, sites, 2, cutoff_s=60)
    assert res.status == "infeasible"


def test_crs_mismatch():
    demand, sites = _frames()
    with pytest.raises(LocationInputError, match="CRS"):
        from_geodataframe(p_median, demand, sites.to_crs(3857), 1)
