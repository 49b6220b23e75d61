"""The one place that runs load -> travel -> problem -> solve -> check -> export."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from deploy_opt.check import CheckReport, check_plan
from deploy_opt.errors import CheckError, Issue
from deploy_opt.export.atomic import check_writable
from deploy_opt.export.formats import (
    FormatError,
    Lang,
    output_files,
    parse_formats,
    write_files,
)
from deploy_opt.export.summary import build_summary
from deploy_opt.export.tables import coverage_table, roster_table, stations_table
from deploy_opt.problem import ProblemData, build_problem
from deploy_opt.result import Result, SolveParams
from deploy_opt.scenario import Scenario, load_scenario
from deploy_opt.solvers import solve_plan
from deploy_opt.travel import Points, TravelModel, build_travel_model

logger = logging.getLogger("deploy_opt")


@dataclass(frozen=True)
class RunOutcome:
    """Everything one run produced.

    ``stations`` (one row per TPS), ``roster`` (one row per person slot) and
    ``coverage`` (one row per risk category) are the tables of the outputs as
    DataFrames (columns in ``docs/outputs.md``); ``out_dir`` is where
    :func:`run` wrote them (``None`` when it wrote nothing).
    """

    scenario: Scenario
    data: ProblemData
    result: Result
    report: CheckReport
    summary: dict[str, Any]
    stations: pd.DataFrame
    roster: pd.DataFrame
    out_dir: Path | None
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def lang(self) -> Lang:
        """The scenario's output language (``language:``, Indonesian by default)."""
        return self.scenario.spec.language

    def files(
        self, formats: str | Iterable[str] = ("csv", "json"), *, lang: str | None = None
    ) -> dict[str, bytes]:
        """The output files of ``formats`` (csv and json always), name -> bytes.

        Raises
        ------
        FormatError
            For an unknown format, one not available yet, or an unknown ``lang``.
        """
        return output_files(
            formats,
            self.scenario,
            self.data,
            self.result,
            self.stations,
            self.roster,
            self.summary,
            self.lang if lang is None else lang,
        )

    def write(
        self,
        out_dir: str | Path,
        formats: str | Iterable[str] = ("csv", "json"),
        *,
        lang: str | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Write the files of ``formats`` (``"csv,xlsx"`` or a list; csv and json
        always) into ``out_dir`` atomically: all of them or none.

        ``lang`` (``"id"`` or ``"en"``) is the language of the XLSX headers and
        reasons; default the scenario's. Returns ``out_dir``.

        Raises
        ------
        FormatError
            For an unknown format, one not available yet, or an unknown ``lang``.
        OutputExistsError
            When ``out_dir`` exists and ``overwrite`` is false, or it is not an
            earlier deploy_opt output.
        OutputPathError
            When ``out_dir`` cannot be created.
        """
        target = Path(out_dir)
        check_writable(target, overwrite=overwrite)
        write_files(target, self.files(formats, lang=lang), overwrite=overwrite)
        return target


def snap_warnings(scenario: Scenario, travel_model: TravelModel) -> tuple[Issue, ...]:
    """Warnings for TPS and bases far from any road or only near a road island.

    With a straight-line fallback (:mod:`deploy_opt.travel.fallback`), the
    warning says that their legs take it where shorter than by road.
    """
    snap_report = getattr(travel_model, "snap_report", None)
    speed_kmh = getattr(travel_model, "speed_kmh", None)
    detour = scenario.spec.travel.detour_factor
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
            effect = "their times include a slow off-road leg"
            if speed_kmh is not None:
                effect = (
                    f"their legs take the straight line x {detour:g} at "
                    f"{speed_kmh(agency):g} km/h where that is shorter than by road "
                    "with the slow off-road leg"
                )
                if label == "TPS" and agency == "polri":
                    effect += " (column travel_fallback of stations.csv)"
            out.append(
                Issue(
                    file,
                    f"snap ({agency}, {label})",
                    f"{len(report.far)} of {report.n_points} points are farther than "
                    f"{report.threshold_m:g} m from any road and {len(report.island)} only "
                    f"reach a road island (farthest {report.max_distance_m:,.0f} m off "
                    f"the main network); {effect}",
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
    scenario_path: str | Path | Scenario,
    out_dir: str | Path | None = None,
    *,
    time_limit_s: float | None = None,
    seed: int | None = None,
    workers: int = 1,
    overwrite: bool = False,
    allow_outside_files: bool = False,
    reproducible: bool = False,
    formats: str | Iterable[str] = ("csv", "json"),
    lang: str | None = None,
) -> RunOutcome:
    """Solve a scenario and write the outputs of ``formats`` to ``out_dir``.

    ``scenario_path`` is a scenario YAML file or a :class:`Scenario` loaded
    (and perhaps changed) already. ``formats`` and ``lang`` are as in
    :meth:`RunOutcome.write`; csv and json are always written.

    Raises
    ------
    ScenarioError
        When the scenario is invalid (every problem listed).
    FormatError
        For an unknown format or language (checked before solving).
    OutputExistsError
        When ``out_dir`` exists and may not be replaced (checked before solving).
    CheckError
        When the independent checker finds a broken rule (a bug in deploy_opt).

    With ``reproducible``, no wall-clock limit decides a result and
    ``summary.json`` leaves out the wall-clock runtime, so the same scenario
    and seed give byte-identical output files on any machine load.
    """
    chosen = parse_formats(formats)
    if lang is not None and lang not in ("id", "en"):
        msg = f"unknown language {lang!r}; expected one of id, en"
        raise FormatError(msg)
    if out_dir is not None:
        check_writable(Path(out_dir), overwrite=overwrite)
    scenario = (
        scenario_path
        if isinstance(scenario_path, Scenario)
        else load_scenario(scenario_path, allow_outside_files=allow_outside_files)
    )
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
    outcome = RunOutcome(
        scenario=scenario,
        data=data,
        result=result,
        report=report,
        summary=summary,
        stations=stations_table(data, result, report, scenario.stations),
        roster=roster_table(data, result, scenario.personnel),
        out_dir=None if out_dir is None else Path(out_dir),
        coverage=coverage_table(summary),
    )
    if out_dir is not None:
        write_files(
            Path(out_dir), outcome.files(chosen, lang=lang), overwrite=overwrite
        )
    return outcome
