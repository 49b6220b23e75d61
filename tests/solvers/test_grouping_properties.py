"""Grouping on random metric instances: a partition within size and spread, above its bound."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from deploy_opt.solvers.grouping import _cell_lower_bound, _cluster


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=50, max_value=900),
    st.integers(min_value=0, max_value=10_000),
)
def test_groups_keep_size_and_spread(n, capacity, limit, seed):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 3000, (n, 2))
    times = np.ceil(
        np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) / 2
    ).astype(np.int64)
    bound = _cell_lower_bound(times, capacity, limit)
    anchors, assignment = _cluster(times, capacity, limit, bound)
    assert (assignment >= 0).all() and (assignment < len(anchors)).all()
    assert len(anchors) >= bound
    for g in range(len(anchors)):
        members = np.flatnonzero(assignment == g)
        assert 1 <= len(members) <= capacity
        assert times[np.ix_(members, members)].max() <= limit
        assert anchors[g] in members
