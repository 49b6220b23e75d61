"""What the road data cost a plan: fallback TPS, and groups and police above the bound.

On a road network, TPS far from any road or near only a road island travel by
straight line for their legs (:mod:`deploy_opt.travel.fallback`). This module
counts them and compares the plan's groups and the police its rules need with
the lower bound on groups of each (category, kecamatan) cell at the rule the
cell got (:func:`~deploy_opt.solvers.grouping.form_groups` explains the bound).
``extra_police`` is what the groups above that bound cost; it is zero when the
grouping is proven fewest.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from deploy_opt.problem import ProblemData
from deploy_opt.solvers.grouping import Grouping, _cell_lower_bound, _cell_times
from deploy_opt.units import UNREACHABLE


def road_data_cost(data: ProblemData, grouping: Grouping) -> dict[str, Any] | None:
    """Fallback TPS and the groups and police above the bound; ``None`` off-road.

    Returns
    -------
    dict | None
        ``tps_with_fallback`` (``tps_far``, ``tps_island``: why),
        ``fallback_tps_alone`` (those still in a group of one while their
        category groups TPS), ``groups``, ``groups_lower_bound``,
        ``police_needed``, ``police_lower_bound`` and ``extra_police`` (their
        difference); ``None`` when the travel model has no fallback.
    """
    if not data.travel_fallback:
        return None
    reasons = data.travel_fallback
    flagged = np.array([bool(r) for r in reasons])
    groups = bound = police = police_bound = alone = 0
    cells: dict[tuple[int, int], list[int]] = {}
    for g, (c, k) in enumerate(
        zip(grouping.group_category, grouping.group_kecamatan, strict=True)
    ):
        cells.setdefault((int(c), int(k)), []).append(g)
    for (c, _), members in cells.items():
        rule = data.categories[c]
        rung = int(grouping.rungs[members[0]])
        tps = rule.ladder[rung].tps
        per_group = rule.need("polri", rung)
        cell = np.sort(np.concatenate([grouping.members[g] for g in members]))
        if tps <= 1:
            cell_bound = len(cell)
        else:
            limit = UNREACHABLE - 1 if rule.max_group_s is None else rule.max_group_s
            cell_bound = _cell_lower_bound(_cell_times(data, cell), tps, limit)
            alone += sum(
                1
                for g in members
                if len(grouping.members[g]) == 1 and flagged[grouping.members[g][0]]
            )
        groups += len(members)
        bound += cell_bound
        police += per_group * len(members)
        police_bound += per_group * cell_bound
    return {
        "tps_with_fallback": int(flagged.sum()),
        "tps_far": sum(1 for r in reasons if r.startswith("far")),
        "tps_island": sum(1 for r in reasons if r.startswith("island")),
        "fallback_tps_alone": alone,
        "groups": groups,
        "groups_lower_bound": bound,
        "police_needed": police,
        "police_lower_bound": police_bound,
        "extra_police": police - police_bound,
    }
