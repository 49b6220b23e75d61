"""Guard groups: our heuristic against the capacitated p-median of `deploy_opt.location`.

For every cell (category x kecamatan) of a scenario the plan forms groups of at
most `tps` TPS with every pair within `max_group_minutes`, fewest groups first,
then the least total travel from each TPS to its group's anchor (a member).
Any such grouping with k groups is a solution of the capacitated p-median
with p = k, capacity `tps`, and only pairs within the spread limit allowed
(the anchor is within the limit of every member). So the p-median's proven
bound is a lower bound on the spread of *any* valid grouping with k groups,
and its own solution is an alternative (which may break the pairwise rule).

Prints one row per cell: TPS, our groups and the bound on their number, our
spread, the p-median's spread and bound (minutes) within the time limit, and
our gap to that bound.

    python benchmarks/grouping.py [--scenario scenarios/tangerang-kota/scenario.yaml]
                                  [--category kurang_rawan] [--time-limit 10] [--cells 6]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from deploy_opt import build_problem, build_travel_model, load_scenario
from deploy_opt.location import p_median
from deploy_opt.solvers.grouping import _cell_times, form_groups

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario",
        type=Path,
        default=REPO / "scenarios" / "tangerang-kota" / "scenario.yaml",
    )
    parser.add_argument("--category", default="kurang_rawan")
    parser.add_argument(
        "--time-limit", type=float, default=10.0, help="seconds per p-median"
    )
    parser.add_argument(
        "--cells", type=int, default=0, help="only the first N cells (0 = all)"
    )
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    data = build_problem(
        scenario, build_travel_model(scenario.spec.travel, scenario.path.parent)
    )
    started = time.perf_counter()
    grouping = form_groups(data)
    ours_s = time.perf_counter() - started
    c = [rule.name for rule in data.categories].index(args.category)
    rule = data.categories[c]
    limit = rule.max_group_s if rule.max_group_s is not None else np.iinfo(np.int64).max

    print(
        f"{scenario.spec.name}: category {rule.name}, {rule.tps} TPS per group, spread <= {limit / 60:g} min"
    )
    print(
        f"our grouping of all cells: {ours_s:.1f} s; p-median: {args.time_limit:g} s per cell\n"
    )
    header = "| kecamatan | TPS | groups | our spread min | p-median spread min | p-median groups over the spread limit | p-median bound min | our gap to bound | p-median s | status |"
    print(header)
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    rows = 0
    total_ours = total_bound = 0.0
    for k, name in enumerate(data.kecamatan_names):
        cell = np.flatnonzero(
            (data.station_category == c) & (data.station_kecamatan == k)
        )
        if len(cell) == 0:
            continue
        if args.cells and rows >= args.cells:
            break
        times = _cell_times(data, cell)
        position = {int(s): i for i, s in enumerate(cell)}
        groups = np.unique(grouping.station_group[cell])
        spread = 0
        for g in groups:
            members = [position[int(s)] for s in grouping.members[g]]
            anchor = position[int(grouping.group_anchor[g])]
            spread += int(times[members, anchor].sum())
        cost = np.where(times <= limit, times.astype(np.float64), np.inf)
        result = p_median(
            cost,
            len(groups),
            capacities=np.full(len(cell), rule.tps),
            time_limit=args.time_limit,
        )
        bound = max(result.bound, 0.0)
        broken = sum(
            int(times[np.ix_(members, members)].max() > limit)
            for members in (
                np.flatnonzero(result.assignment == site) for site in result.sites
            )
            if len(members)
        )
        gap = (spread - bound) / spread if spread else 0.0
        total_ours += spread
        total_bound += bound
        print(
            f"| {name} | {len(cell):,} | {len(groups)} | {spread / 60:,.1f} | {result.objective / 60:,.1f} | "
            f"{broken} | {bound / 60:,.1f} | {gap:.1%} | {result.runtime_s:.1f} | {result.status} |"
        )
        rows += 1
    if total_ours:
        print(
            f"\nall cells shown: our spread {total_ours / 60:,.1f} min, bound {total_bound / 60:,.1f} min, gap {(total_ours - total_bound) / total_ours:.1%}"
        )


if __name__ == "__main__":
    main()
