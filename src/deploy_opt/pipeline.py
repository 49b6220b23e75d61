"""The one place that runs load -> travel -> problem -> solve -> check -> export."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from deploy_opt.check import CheckReport, check_plan
from deploy_opt.errors import CheckError, Issue
from deploy_opt.export.atomic import check_writable, write_directory
from deploy_opt.export.summary import build_summary, to_json_bytes
from deploy_opt.export.tables import roster_table, stations_table, to_csv_bytes
from deploy_opt.problem import ProblemData, build_problem
from deploy_opt.result import Result, SolveParams
from deploy_opt.scenario import Scenario, load_scenario
from deploy_opt.solvers import solve_plan
from deploy_opt.travel import Points, TravelModel, build_travel_model

logger = logging.getLogger("deploy_opt")


@dataclass(frozen=True)
class RunOutcome:
    """Everything one run produced."""

    scenario: Scenario
    data: ProblemData
    result: Result
    report: CheckReport
    summary: dict[str, Any]
    stations: pd.DataFrame
    roster: pd.DataFrame
    out_dir: Path | None


def snap_warnings(scenario: Scenario, travel_model: TravelModel) -> tuple[Issue, ...]:
    """Warnings for TPS and bases far from any road or only near a road island."""
    snap_report = getattr(travel_model, "snap_report", None)
    network = scenario.spec.travel.network
    if snap_report is None or network is None:
        return ()
    file = str(scenario.path.parent / network.file)
    out = []
    for label, frame in (("TPS", scenario.stations), ("bases", scenario.bases)):
        points = Points(
            tuple(frame["id"]),
            frame["x"].to_numpy(float),
            frame["y"].to_numpy(float),
            frame["lon"].to_numpy(float),
            frame["lat"].to_numpy(float),
        )
        for agency in ("polri", "medis"):
            report = snap_report(points, agency)
            if report.ok:
                continue
            out.append(
                Issue(
                    file,
                    f"snap ({agency}, {label})",
                    f"{len(report.far)} of {report.n_points} points are farther than "
                    f"{report.threshold_m:g} m from any road and {len(report.island)} only "
                    f"reach a road island; their times include a slow off-road leg "
                    f"(farthest {report.max_distance_m:,.0f} m)",
                    severity="warning",
                )
            )
    return tuple(out)


def params_for(
    scenario: Scenario,
    time_limit_s: float | None,
    seed: int | None,
    workers: int = 1,
    *,
    reproducible: bool = False,
) -> SolveParams:
    """Solver settings: the scenario's, overridden by explicit arguments.

    ``reproducible`` (the CLI's ``--reproducible``) makes every stage stop on
    deterministic limits only, so the plan does not depend on machine load.
    """
    spec = scenario.spec.solver
    return SolveParams(
        time_limit_s=spec.time_limit_s if time_limit_s is None else time_limit_s,
        seed=spec.seed if seed is None else seed,
        workers=workers,
        grouping_refine_s=spec.grouping_refine_s,
        reproducible=reproducible,
    )


def run(
    scenario_path: str | Path,
    out_dir: str | Path | None = None,
    *,
    time_limit_s: float | None = None,
    seed: int | None = None,
    workers: int = 1,
    overwrite: bool = False,
    allow_outside_files: bool = False,
    reproducible: bool = False,
) -> RunOutcome:
    """Solve the scenario at ``scenario_path`` and write the outputs to ``out_dir``.

    Raises
    ------
    ScenarioError
        When the scenario is invalid (every problem listed).
    OutputExistsError
        When ``out_dir`` exists and may not be replaced (checked before solving).
    CheckError
        When the independent checker finds a broken rule (a bug in deploy_opt).

    With ``reproducible``, no wall-clock limit decides a result and
    ``summary.json`` leaves out the wall-clock runtime, so the same scenario
    and seed give byte-identical output files on any machine load.
    """
    if out_dir is not None:
        check_writable(Path(out_dir), overwrite=overwrite)
    scenario = load_scenario(scenario_path, allow_outside_files=allow_outside_files)
    for warning in scenario.warnings:
        logger.warning("%s", warning)
    params = params_for(
        scenario, time_limit_s, seed, workers, reproducible=reproducible
    )
    travel_model = build_travel_model(scenario.spec.travel, scenario.path.parent)
    network_warnings = snap_warnings(scenario, travel_model)
    for warning in network_warnings:
        logger.warning("%s", warning)
    data = build_problem(scenario, travel_model)
    logger.info(
        "%d TPS, %d bases; travel model %s",
        data.n_stations,
        data.n_bases,
        data.travel_model,
    )
    result = solve_plan(data, params)
    report = check_plan(data, result)
    if not report.passed:
        msg = "the plan breaks rules (please report this bug):\n  " + "\n  ".join(
            report.violations[:20]
        )
        raise CheckError(msg)
    summary = build_summary(
        data,
        result,
        report,
        scenario_name=scenario.spec.name,
        warnings=(*scenario.warnings, *network_warnings),
        published={a: f.model_dump() for a, f in scenario.spec.published.items()},
        reproducible=reproducible,
    )
    stations = stations_table(data, result, report)
    roster = roster_table(data, result)
    if out_dir is not None:
        write_directory(
            Path(out_dir),
            {
                "stations.csv": to_csv_bytes(stations),
                "roster.csv": to_csv_bytes(roster),
                "summary.json": to_json_bytes(summary),
            },
            overwrite=overwrite,
        )
    return RunOutcome(
        scenario=scenario,
        data=data,
        result=result,
        report=report,
        summary=summary,
        stations=stations,
        roster=roster,
        out_dir=None if out_dir is None else Path(out_dir),
    )
