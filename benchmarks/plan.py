"""Benchmark plan quality and speed: deploy_opt against the manual-planning baseline.

Prints two markdown tables.

Samples
    One column per sample scenario (``scenarios/tangerang-kota``,
    ``scenarios/jakarta-barat``): TPS; groups of our plan, their lower bound
    and the manual plan's; police and TNI assigned; TPS covered by their rule
    per risk class (ours, manual, and in brackets the manual TPS whose group
    keeps the spread and travel limits); the same for the manual plan with
    the Polres pool handed out after the Polsek; the manual plan's rule breaks;
    medical within limit; median solve time of ``--runs`` runs for ours and
    the baseline measured in the same process, and their ratio; peak RSS.
Scale
    Synthetic districts of growing size built from the Tangerang sample in a
    temporary folder: regular TPS drawn uniformly (seed 20240214) inside the
    real kelurahan polygons in proportion to the sample's TPS per kelurahan,
    the same share of rawan TPS, the 15 prison TPS kept, police and TNI
    headcounts scaled with the TPS and 2 Linmas per TPS at each kelurahan post.

Each scenario runs in its own subprocess (this script with ``--worker``)
under ``/usr/bin/time`` so its peak RSS is measured alone; the figure covers
the whole process (loading, travel times, all solves), and the table also
gives the RSS reached before the first solve. Times are wall clock of
:func:`deploy_opt.solve_plan` and :func:`deploy_opt.baseline.manual_plan`
only (the problem is built once per process).

Run from the repository (``PYTHONPATH=src`` if the package is not
installed)::

    python benchmarks/plan.py                 # samples + 2k, 8k, 20k TPS, ~4 min
    python benchmarks/plan.py --runs 5 --large   # adds 40k and 65k TPS
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import shapely

from deploy_opt import (
    ProblemData,
    Result,
    SolveParams,
    build_problem,
    build_travel_model,
    check_plan,
    load_scenario,
    solve_plan,
)
from deploy_opt.baseline import manual_plan, rule_breaks

REPO = Path(__file__).resolve().parents[1]
SAMPLES = {
    "tangerang-kota": REPO / "scenarios" / "tangerang-kota" / "scenario.yaml",
    "jakarta-barat": REPO / "scenarios" / "jakarta-barat" / "scenario.yaml",
}
SEED = 20240214
DEFAULT_SIZES = (2_000, 8_000, 20_000)
LARGE_SIZES = (40_000, 65_495)
TIME = Path("/usr/bin/time")


# --------------------------------------------------------------------------
# worker: one scenario, N runs of each method, KPIs as JSON on stdout
# --------------------------------------------------------------------------


def _kpis(data: ProblemData, result: Result) -> dict[str, Any]:
    report = check_plan(data, result)
    breaks = rule_breaks(data, result)
    keeps = ~breaks.group_broken[result.grouping.station_group]
    weight = np.array([data.categories[c].weight for c in data.station_category])
    coverage = {}
    for c, rule in enumerate(data.categories):
        mask = data.station_category == c
        coverage[rule.name] = {
            "rule": report.coverage_by_category[rule.name]["rule"],
            "ladder": report.coverage_by_category[rule.name].get("ladder", []),
            "rules_used": report.coverage_by_category[rule.name].get("rules_used", ""),
            "stations": int(mask.sum()),
            "covered": int(report.station_covered[mask].sum()),
            "within_rules": int((report.station_covered & keeps)[mask].sum()),
        }
    return {
        "groups": result.grouping.n_groups,
        "lower_bound": result.grouping.lower_bound,
        "personnel": report.personnel,
        "coverage": coverage,
        "weighted": int(weight[report.station_covered].sum()),
        "weighted_within_rules": int(weight[report.station_covered & keeps].sum()),
        "weighted_total": int(weight.sum()),
        "breaks": {"spread": breaks.spread, **breaks.travel, "groups": breaks.groups},
        "violations": len(report.violations),
        "medical_within": int(np.asarray(report.extra["medical_within_limit"]).sum()),
        "status": result.status,
    }


def worker(path: Path, runs: int) -> dict[str, Any]:
    """Build the problem once, then time ``runs`` solves and manual plans."""
    started = time.perf_counter()
    scenario = load_scenario(path)
    data = build_problem(
        scenario, build_travel_model(scenario.spec.travel, path.parent)
    )
    build_s = time.perf_counter() - started
    rss_built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    params = SolveParams(
        time_limit_s=scenario.spec.solver.time_limit_s, seed=scenario.spec.solver.seed
    )
    ours_s, manual_s = [], []
    ours = manual = None
    for _ in range(runs):  # interleaved, so machine noise hits both alike
        t = time.perf_counter()
        ours = solve_plan(data, params)
        ours_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        manual = manual_plan(data, params)
        manual_s.append(time.perf_counter() - t)
    assert ours is not None and manual is not None
    ours_kpis = _kpis(data, ours)
    if ours_kpis["violations"]:
        msg = f"{path}: our plan fails the checker"
        raise RuntimeError(msg)
    return {
        "tps": data.n_stations,
        "build_s": build_s,
        "ours_s": ours_s,
        "manual_s": manual_s,
        "rss_built_kb": rss_built,
        "ours": ours_kpis,
        "manual": _kpis(data, manual),
        "manual_pool": _kpis(data, manual_plan(data, params, pool=True)),
    }


def run_worker(path: Path, runs: int) -> dict[str, Any]:
    """Run :func:`worker` in a subprocess; add its peak RSS in KiB."""
    cmd = [sys.executable, __file__, "--worker", str(path), "--runs", str(runs)]
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        if TIME.exists():
            cmd = [str(TIME), "-f", "%M", "-o", rss.name, *cmd]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            msg = f"worker failed on {path}:\n{done.stderr[-3000:]}"
            raise RuntimeError(msg)
        out = json.loads(done.stdout)
        text = Path(rss.name).read_text().strip() if TIME.exists() else ""
    if text:
        out["rss_peak_kb"] = int(text.splitlines()[-1])
    else:  # max over children so far; exact when sizes grow
        out["rss_peak_kb"] = max(
            before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        )
    return out


# --------------------------------------------------------------------------
# synthetic districts from the Tangerang sample
# --------------------------------------------------------------------------


def _split(total: int, shares: np.ndarray) -> np.ndarray:
    """Largest-remainder split of ``total`` in proportion to ``shares``."""
    exact = total * shares / shares.sum()
    out = np.floor(exact).astype(np.int64)
    order = np.lexsort((np.arange(len(shares)), -(exact - out)))
    out[order[: total - int(out.sum())]] += 1
    return out


def _random_points(polygon: Any, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` uniform random points inside ``polygon`` (rejection sampling)."""
    west, south, east, north = polygon.bounds
    shapely.prepare(polygon)
    found, have = [], 0
    while have < count:
        xy = rng.uniform((west, south), (east, north), size=(max(64, 4 * count), 2))
        inside = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(inside)
        have += len(inside)
    return np.concatenate(found)[:count]


def synthetic_district(n_tps: int, folder: Path) -> Path:
    """A copy of the Tangerang sample with ``n_tps`` TPS (see module docstring)."""
    source = SAMPLES["tangerang-kota"].parent
    shutil.copytree(source, folder)
    tps = pd.read_csv(source / "data" / "tps.csv", dtype={"kind": str})
    bases = pd.read_csv(source / "data" / "bases.csv", dtype=str, keep_default_na=False)
    polygons = pyogrio.read_dataframe(source / "data" / "kelurahan.geojson")
    shapes = {
        k.replace(".", ""): g
        for k, g in zip(polygons["kode"], polygons.geometry, strict=True)
    }
    special = tps[tps["category"] == "khusus"]
    regular = tps[tps["category"] != "khusus"].copy()
    regular["code"] = regular["tps_id"].str[:10]
    per_kel = (
        regular.groupby("code", sort=True)
        .agg(kelurahan=("kelurahan", "first"), kecamatan=("kecamatan", "first"))
        .assign(n=regular.groupby("code").size())
    )
    counts = _split(n_tps - len(special), per_kel["n"].to_numpy(np.float64))
    rng = np.random.default_rng(SEED)
    rows = []
    for (code, kel), count in zip(per_kel.iterrows(), counts, strict=True):
        xy = _random_points(shapes[code], int(count), rng)
        rows += [
            {
                "tps_id": f"{code}-{j + 1:04d}",
                "kelurahan": kel["kelurahan"],
                "kecamatan": kel["kecamatan"],
                "category": "kurang_rawan",
                "kind": "",
                "lon": round(float(x), 6),
                "lat": round(float(y), 6),
                "coord_source": f"synthetic benchmark (seed {SEED})",
            }
            for j, (x, y) in enumerate(xy)
        ]
    frame = pd.DataFrame(rows)
    share = (tps["category"] == "rawan").sum() / len(regular)
    rawan = rng.choice(len(frame), size=round(share * len(frame)), replace=False)
    frame.loc[np.sort(rawan), "category"] = "rawan"
    frame = pd.concat([frame, special], ignore_index=True).sort_values("tps_id")
    frame.to_csv(folder / "data" / "tps.csv", index=False)

    factor = n_tps / len(tps)
    for agency in ("polri", "tni"):
        bases[agency] = [str(round(int(h) * factor)) for h in bases[agency]]
    per_code = frame.groupby(frame["tps_id"].str[:10]).size()
    bases["linmas"] = [
        str(2 * int(per_code.get(i.removeprefix("LINMAS-"), 0)))
        if i.startswith("LINMAS-")
        else h
        for i, h in zip(bases["base_id"], bases["linmas"], strict=True)
    ]
    bases.to_csv(folder / "data" / "bases.csv", index=False)
    return folder / "scenario.yaml"


# --------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------


def _n(value: int) -> str:
    return f"{value:,}"


def _times(out: dict[str, Any]) -> tuple[float, float]:
    return statistics.median(out["ours_s"]), statistics.median(out["manual_s"])


def _mb(kb: int) -> str:
    return f"{kb / 1024:,.0f}"


def sample_table(results: dict[str, dict[str, Any]], runs: int) -> str:
    """Markdown table, one column per sample."""
    names = list(results)
    rows: list[tuple[str, list[str]]] = []

    def add(label: str, cell: Any) -> None:
        rows.append((label, [cell(results[n]) for n in names]))

    add("TPS", lambda r: _n(r["tps"]))
    add(
        "groups: ours / lower bound / manual",
        lambda r: (
            f"{_n(r['ours']['groups'])} / {_n(r['ours']['lower_bound'])} / "
            f"{_n(r['manual']['groups'])}"
        ),
    )
    for agency, word in (("polri", "police"), ("tni", "TNI")):
        add(
            f"{word} assigned: ours / manual (available)",
            lambda r, a=agency: (
                f"{_n(r['ours']['personnel'][a]['assigned'])} / "
                f"{_n(r['manual']['personnel'][a]['assigned'])} "
                f"({_n(r['ours']['personnel'][a]['available'])})"
            ),
        )
    categories = list(
        dict.fromkeys(c for r in results.values() for c in r["ours"]["coverage"])
    )
    for cat in categories:

        def cover(r: dict[str, Any], c: str = cat) -> str:
            if c not in r["ours"]["coverage"]:
                return "-"
            o, m = r["ours"]["coverage"][c], r["manual"]["coverage"][c]
            return (
                f"{_n(o['covered'])} / {_n(m['covered'])} ({_n(m['within_rules'])}) "
                f"of {_n(o['stations'])}, {o['rule']}"
            )

        add(f"TPS covered, {cat}: ours / manual (manual within rules)", cover)
    add(
        "our rules used, classes with a ladder (groups per rule)",
        lambda r: (
            "; ".join(
                f"{c} {v['rules_used']}"
                for c, v in r["ours"]["coverage"].items()
                if len(v.get("ladder", [])) > 1
            )
            or "-"
        ),
    )
    add(
        "risk-weighted TPS covered: ours / manual (within rules)",
        lambda r: (
            f"{r['ours']['weighted'] / r['ours']['weighted_total']:.1%} / "
            f"{r['manual']['weighted'] / r['ours']['weighted_total']:.1%} "
            f"({r['manual']['weighted_within_rules'] / r['ours']['weighted_total']:.1%})"
        ),
    )
    add(
        "manual with the police pool handed out: police assigned; TPS covered "
        "(within rules); risk-weighted",
        lambda r: (
            f"{_n(r['manual_pool']['personnel']['polri']['assigned'])}; "
            f"{_n(_covered(r['manual_pool']))} ({_n(_covered(r['manual_pool'], 'within_rules'))}); "
            f"{r['manual_pool']['weighted'] / r['ours']['weighted_total']:.1%}"
        ),
    )
    add(
        "manual rule breaks: groups over spread / police over limit / TNI over limit",
        lambda r: (
            f"{r['manual']['breaks']['spread']} / {r['manual']['breaks']['polri']}"
            f" / {r['manual']['breaks']['tni']} ({r['manual']['breaks']['groups']} groups)"
        ),
    )
    add(
        "our rule breaks (checker violations)",
        lambda r: f"{r['ours']['breaks']['groups']} ({r['ours']['violations']})",
    )
    add(
        "medical within limit (both)",
        lambda r: f"{_n(r['ours']['medical_within'])} of {_n(r['tps'])}",
    )
    add(
        f"solve time, median of {runs} (s): ours / manual",
        lambda r: "{:.2f} / {:.2f}".format(*_times(r)),
    )
    add("time ratio ours / manual", lambda r: f"{_ratio(r):.1f}x")
    add("load + travel + problem (s)", lambda r: f"{r['build_s']:.1f}")
    add(
        "peak RSS (MB): before solving / whole process",
        lambda r: f"{_mb(r['rss_built_kb'])} / {_mb(r['rss_peak_kb'])}",
    )
    add("our status", lambda r: r["ours"]["status"])
    lines = [
        "| | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
        *(f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows),
    ]
    return "\n".join(lines)


def _covered(kpis: dict[str, Any], key: str = "covered") -> int:
    return sum(c[key] for c in kpis["coverage"].values())


def _ratio(r: dict[str, Any]) -> float:
    ours, manual = _times(r)
    return ours / max(manual, 1e-9)


def scale_table(results: dict[int, dict[str, Any]], runs: int) -> str:
    """Markdown table, one row per synthetic size."""
    lines = [
        f"| TPS | groups ours / bound / manual | TPS covered ours / manual (within rules) "
        "| manual + pool covered (within rules) "
        f"| manual groups breaking rules | solve s ours / manual (median of {runs}) "
        "| ratio | build s | peak RSS MB before solve / whole |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results.values():
        o, m = r["ours"], r["manual"]
        covered_o, covered_m = _covered(o), _covered(m)
        within_m = _covered(m, "within_rules")
        pooled = r["manual_pool"]
        ours_s, manual_s = _times(r)
        lines.append(
            f"| {_n(r['tps'])} | {_n(o['groups'])} / {_n(o['lower_bound'])} / "
            f"{_n(m['groups'])} | {_n(covered_o)} / {_n(covered_m)} ({_n(within_m)}) "
            f"| {_n(_covered(pooled))} ({_n(_covered(pooled, 'within_rules'))}) "
            f"| {m['breaks']['groups']} | {ours_s:.2f} / {manual_s:.2f} "
            f"| {_ratio(r):.1f}x | {r['build_s']:.1f} "
            f"| {_mb(r['rss_built_kb'])} / {_mb(r['rss_peak_kb'])} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="solves per sample")
    parser.add_argument(
        "--scale-runs", type=int, default=1, help="solves per synthetic size"
    )
    parser.add_argument(
        "--sizes",
        type=lambda s: tuple(int(x) for x in s.split(",") if x),
        default=DEFAULT_SIZES,
        help="synthetic sizes in TPS, comma separated ('' for none)",
    )
    parser.add_argument(
        "--large", action="store_true", help=f"also {LARGE_SIZES} TPS (slow)"
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        json.dump(worker(args.worker, args.runs), sys.stdout)
        return

    started = time.perf_counter()
    samples = {}
    for name, path in SAMPLES.items():
        print(f"... {name}", file=sys.stderr, flush=True)
        samples[name] = run_worker(path, args.runs)
    sizes = args.sizes + (LARGE_SIZES if args.large else ())
    scale = {}
    with tempfile.TemporaryDirectory(prefix="deploy_opt_bench_") as tmp:
        for size in sizes:
            print(f"... synthetic {size:,} TPS", file=sys.stderr, flush=True)
            path = synthetic_district(size, Path(tmp) / f"tps{size}")
            scale[size] = run_worker(path, args.scale_runs)
    total = time.perf_counter() - started
    print(
        f"Plan quality and speed, {time.strftime('%Y-%m-%d')}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPU(s), "
        f"{platform.machine()}; whole benchmark {total:.0f} s\n"
    )
    print(sample_table(samples, args.runs))
    if scale:
        print("\nScale: synthetic districts from the Tangerang sample\n")
        print(scale_table(scale, args.scale_runs))


if __name__ == "__main__":
    main()
