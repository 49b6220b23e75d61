"""Risk-weighted coverage against its bound for any grouping (issue 12 targets).

For each sample scenario, and for Tangerang with every base's police cut to a
share (default 40 %, rounded down per base), prints the plan's risk-weighted
coverage, the bound, their gap, the TPS with TNI but without police, the
status with its reasons, and the time the bound's LP took.

Run from the repository (``PYTHONPATH=src`` if the package is not installed)::

    python benchmarks/coverage_bound.py                 # the three cases
    python benchmarks/coverage_bound.py --share 0.4 --reproducible
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np

from deploy_opt import (
    ProblemData,
    SolveParams,
    build_problem,
    build_travel_model,
    check_plan,
    load_scenario,
    solve_plan,
)
from deploy_opt.solvers.coverage_bound import coverage_bound

REPO = Path(__file__).resolve().parents[1]
SAMPLES = {
    "tangerang-kota": REPO / "scenarios" / "tangerang-kota" / "scenario.yaml",
    "jakarta-barat": REPO / "scenarios" / "jakarta-barat" / "scenario.yaml",
}


def police_cut(data: ProblemData, share: float) -> ProblemData:
    """``data`` with every base's police headcount cut to ``share`` (rounded down)."""
    police = np.floor(data.headcount["polri"] * share).astype(np.int64)
    return dataclasses.replace(data, headcount={**data.headcount, "polri": police})


def measure(data: ProblemData, params: SolveParams) -> dict[str, object]:
    """Solve, check and compare the coverage with the bound."""
    result = solve_plan(data, params)
    report = check_plan(data, result)
    weights = np.array([data.categories[c].weight for c in data.station_category])
    achieved = int(weights[report.station_covered].sum())
    started = time.perf_counter()
    bound = coverage_bound(data)
    lp_s = time.perf_counter() - started
    grouping = result.grouping
    police = np.bincount(
        result.allocations["polri"].group,
        weights=result.allocations["polri"].count,
        minlength=grouping.n_groups,
    )
    tni = np.bincount(
        result.allocations["tni"].group,
        weights=result.allocations["tni"].count,
        minlength=grouping.n_groups,
    )
    lonely = (tni > 0) & (police == 0)
    return {
        "police": int(data.headcount["polri"].sum()),
        "coverage": achieved / bound.total_weight,
        "bound": bound.fraction,
        "gap": bound.gap(achieved),
        "tni_without_police_tps": int(
            sum(len(grouping.members[g]) for g in np.flatnonzero(lonely))
        ),
        "status": result.status,
        "reasons": list(result.status_reasons),
        "violations": len(report.violations),
        "lp_s": lp_s,
        "classes": bound.classes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--share", type=float, default=0.4)
    parser.add_argument("--reproducible", action="store_true")
    args = parser.parse_args()
    rows = []
    for name, path in SAMPLES.items():
        scenario = load_scenario(path)
        data = build_problem(
            scenario, build_travel_model(scenario.spec.travel, path.parent)
        )
        params = SolveParams(
            time_limit_s=scenario.spec.solver.time_limit_s,
            seed=scenario.spec.solver.seed,
            reproducible=args.reproducible,
        )
        rows.append((name, measure(data, params)))
        if name == "tangerang-kota":
            rows.append(
                (
                    f"{name}, police x{args.share:g}",
                    measure(police_cut(data, args.share), params),
                )
            )
    print(
        "| case | police | coverage | bound | gap | TPS with TNI, no police | status | LP s |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    for name, r in rows:
        print(
            f"| {name} | {r['police']:,} | {r['coverage']:.2%} | {r['bound']:.2%} | "
            f"{r['gap']:.2%} | {r['tni_without_police_tps']} | {r['status']} | {r['lp_s']:.2f} |"
        )
    for name, r in rows:
        for reason in r["reasons"]:
            print(f"- {name}: {reason}")
        if r["violations"]:
            print(f"- {name}: {r['violations']} checker violations")


if __name__ == "__main__":
    main()
