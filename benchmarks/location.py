"""Location models against published optima.

Prints one row per instance: n, p, published value, ours, gap to it (%), our
proven gap (%), seconds, and spopt's objective and seconds when spopt is
installed and finishes within the time limit (``--spopt``).

Usage::

    python benchmarks/location.py [--set pmed|pmedcap|sjc|p3038|all]
        [--time-limit S] [--only NAME ...] [--spopt]

Data come from ``../shared/data`` relative to the repository root.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
from instances import (
    PMedianInstance,
    read_lorena_senne,
    read_orlib_pmed,
    read_orlib_pmedcap,
)

from deploy_opt.location import p_median

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CAP = DATA / "capacitated-pmedian"


def _instances(which: str) -> list[tuple[PMedianInstance, float, float]]:
    """(instance, published value, default time limit) for a set."""
    out = []
    if which in ("pmed", "all"):
        rows = csv.DictReader((DATA / "orlib-pmed" / "optima.csv").open())
        for row in rows:
            inst = read_orlib_pmed(DATA / "orlib-pmed" / f"{row['instance']}.txt")
            out.append((inst, float(row["optimal"]), 10.0))
    best = {
        r["instance"]: float(r["best_known"])
        for r in csv.DictReader((CAP / "best_known.csv").open())
    }
    if which in ("pmedcap", "all"):
        for k in range(1, 21):
            inst = read_orlib_pmedcap(CAP / "orlib-pmedcap" / f"pmedcap{k:02d}.txt")
            out.append((inst, best[inst.name], 60.0))
    if which in ("sjc", "all"):
        for name in ("SJC1", "SJC2", "SJC3a", "SJC3b", "SJC4a", "SJC4b"):
            out.append(
                (
                    read_lorena_senne(CAP / "lorena-senne-sjc" / f"{name}.dat"),
                    best[name],
                    120.0,
                )
            )
    if which in ("p3038", "all"):
        for p in (600, 700, 800, 900, 1000):
            name = f"p3038_{p}"
            out.append(
                (
                    read_lorena_senne(CAP / "lorena-senne-p3038" / f"{name}.dat"),
                    best[name],
                    300.0,
                )
            )
    return out


def _spopt(inst: PMedianInstance, limit: float) -> tuple[float, float] | None:
    try:
        import pulp
        from spopt.locate import PMedian
    except ImportError:
        return None
    start = time.perf_counter()
    weights = np.ones(inst.n)
    kwargs = {}
    if inst.capacities is not None:
        weights = inst.demands
        kwargs = {"facility_capacities": inst.capacities}
    model = PMedian.from_cost_matrix(inst.cost, weights, p_facilities=inst.p, **kwargs)
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, threads=2)
    try:
        model.solve(solver)
    except Exception:
        return None
    seconds = time.perf_counter() - start
    if seconds > limit * 1.05:
        return None
    objective = float(pulp.value(model.problem.objective))
    return objective, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set", default="pmed", choices=["pmed", "pmedcap", "sjc", "p3038", "all"]
    )
    parser.add_argument(
        "--time-limit", type=float, default=None, help="seconds per instance"
    )
    parser.add_argument("--only", nargs="*", default=None, help="instance names")
    parser.add_argument(
        "--spopt", action="store_true", help="also run spopt (PuLP/CBC)"
    )
    args = parser.parse_args(argv)
    header = (
        f"| {'instance':<11} | {'n':>4} | {'p':>4} | {'published':>10} | {'ours':>10} "
        f"| {'gap %':>7} | {'proven gap %':>12} | {'status':>10} | {'s':>7} "
        f"| {'spopt':>10} | {'spopt s':>8} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for inst, published, default_limit in _instances(args.set):
        if args.only and inst.name not in args.only:
            continue
        limit = args.time_limit or default_limit
        res = p_median(
            inst.cost,
            inst.p,
            demands=inst.demands,
            capacities=inst.capacities,
            time_limit=limit,
        )
        gap = 100.0 * (res.objective - published) / published
        sp = _spopt(inst, limit) if args.spopt else None
        sp_obj = f"{sp[0]:>10.2f}" if sp else f"{'-':>10}"
        sp_s = f"{sp[1]:>8.1f}" if sp else f"{'-':>8}"
        print(
            f"| {inst.name:<11} | {inst.n:>4} | {inst.p:>4} | {published:>10.2f} "
            f"| {res.objective:>10.2f} | {gap:>7.3f} | {100 * res.gap:>12.4f} "
            f"| {res.status:>10} | {res.runtime_s:>7.2f} | {sp_obj} | {sp_s} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
