"""The B&B site subproblem (laminar cardinality bounds) against enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from deploy_opt.location.pmedian._laminar import Cluster, LaminarSelector, laminar_with


def _family(rng, m, count):
    """Random laminar clusters: nested or disjoint intervals of a permutation."""
    perm = rng.permutation(m)
    clusters = []
    for _ in range(count):
        a = int(rng.integers(0, m))
        b = int(rng.integers(a + 1, m + 1))
        sites = np.sort(perm[a:b])
        if not laminar_with(sites, clusters):
            continue
        mask = np.zeros(m, dtype=bool)
        mask[sites] = True
        low = int(rng.integers(0, 3))
        clusters.append(Cluster(mask, low, int(rng.integers(low, 4))))
    return clusters


def _brute(rho, p, fixed, closed, clusters):
    best = None
    for sites in itertools.combinations(range(rho.size), p):
        y = np.zeros(rho.size, dtype=bool)
        y[list(sites)] = True
        if (y & closed).any() or (fixed & ~y).any():
            continue
        if all(c.low <= int((y & c.mask & ~closed).sum()) <= c.high for c in clusters):
            value = float(rho[list(sites)].sum())
            best = value if best is None else min(best, value)
    return best


@pytest.mark.parametrize("seed", range(400))
def test_selection_is_the_cheapest_feasible_set(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 9))
    p = int(rng.integers(1, m + 1))
    rho = rng.integers(-5, 3, m).astype(float)
    if seed % 2:
        rho += rng.random(m)
    fixed = rng.random(m) < 0.15
    closed = (rng.random(m) < 0.2) & ~fixed
    clusters = _family(rng, m, int(rng.integers(0, 4)))
    got = LaminarSelector(p, fixed, closed, clusters).select(rho)
    best = _brute(rho, p, fixed, closed, clusters)
    if best is None:
        assert got is None
        return
    assert got is not None
    assert len(set(got.tolist())) == p
    y = np.zeros(m, dtype=bool)
    y[got] = True
    assert not (y & closed).any()
    assert not (fixed & ~y).any()
    for c in clusters:
        assert c.low <= int((y & c.mask & ~closed).sum()) <= c.high
    assert rho[got].sum() == pytest.approx(best)


def test_disjoint_and_nested_clusters_agree_with_enumeration():
    m, p = 8, 4
    rho = np.array([-9.0, -8, -7, -6, -5, -4, -3, -2])
    a = np.zeros(m, dtype=bool)
    a[[0, 1, 2]] = True
    b = np.zeros(m, dtype=bool)
    b[[5, 6, 7]] = True
    outer = a | b
    none = np.zeros(m, dtype=bool)
    for clusters in (
        [Cluster(a, 0, 1), Cluster(b, 2, 3)],
        [Cluster(outer, 0, 2), Cluster(a, 1, 1)],
    ):
        got = LaminarSelector(p, none, none, clusters).select(rho)
        assert rho[got].sum() == pytest.approx(_brute(rho, p, none, none, clusters))


def test_impossible_bounds_give_none():
    m = 5
    mask = np.zeros(m, dtype=bool)
    mask[:2] = True
    none = np.zeros(m, dtype=bool)
    rho = np.zeros(m)
    assert LaminarSelector(3, none, none, [Cluster(mask, 3, 3)]).select(rho) is None
    closed = none.copy()
    closed[1:] = True
    assert LaminarSelector(2, none, closed, [Cluster(mask, 0, 1)]).select(rho) is None


def test_laminar_with():
    m = 6
    a = np.zeros(m, dtype=bool)
    a[[0, 1, 2]] = True
    clusters = [Cluster(a, 0, 1)]
    assert laminar_with(np.array([0, 1]), clusters)
    assert laminar_with(np.array([0, 1, 2, 3]), clusters)
    assert laminar_with(np.array([4, 5]), clusters)
    assert not laminar_with(np.array([2, 3]), clusters)
