"""Regression on a few fast published instances (skipped without the data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from instances import read_orlib_pmed, read_orlib_pmedcap

from deploy_opt.location import p_median

DATA = Path(__file__).parents[2].parent / "shared" / "data"
needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"published instances not found under {DATA}"
)


@needs_data
@pytest.mark.parametrize(
    ("name", "optimum"), [("pmed1", 5819), ("pmed4", 3034), ("pmed7", 5631)]
)
def test_orlib_pmed(name, optimum):
    inst = read_orlib_pmed(DATA / "orlib-pmed" / f"{name}.txt")
    res = p_median(inst.cost, inst.p)
    assert res.objective == optimum
    assert res.status == "optimal"
    assert res.bound == optimum


@needs_data
def test_orlib_pmedcap01():
    inst = read_orlib_pmedcap(
        DATA / "capacitated-pmedian" / "orlib-pmedcap" / "pmedcap01.txt"
    )
    res = p_median(inst.cost, inst.p, demands=inst.demands, capacities=inst.capacities)
    assert res.objective == inst.published == 713
    assert res.status == "optimal"


@needs_data
def test_spopt_san_francisco_stores():
    """spopt's real-world p-median test: 205 tracts, 16 stores, p = 4."""
    folder = DATA / "capacitated-pmedian" / "spopt-tests"
    dist = pd.read_csv(
        folder / "SF_network_distance_candidateStore_16_censusTract_205_new.csv"
    )
    demand = pd.read_csv(folder / "SF_demand_205_centroid_uniform_weight.csv")
    table = dist.pivot_table(index="DestinationName", columns="name", values="distance")
    weights = demand.set_index("NAME").loc[table.index, "POP2000"].to_numpy(float)
    res = p_median(table.to_numpy(), 4, weights=weights)
    assert res.objective / weights.sum() == pytest.approx(2982.1268579890657)
    stores = sorted(table.columns[res.sites])
    assert stores == sorted(["Store_2", "Store_11", "Store_12", "Store_15"])
    assert np.isclose(res.bound, res.objective)
