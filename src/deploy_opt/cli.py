"""The ``deploy-opt`` command line: a thin layer over :mod:`deploy_opt.pipeline`.

Exit codes: 0 solved or valid (shortfalls are listed, not errors), 1 internal
error, 2 bad input or usage, 130 interrupted.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from deploy_opt import __version__
from deploy_opt.errors import (
    DeployOptError,
    Issue,
    OutputExistsError,
    ScenarioError,
    TravelTimeError,
)

logger = logging.getLogger("deploy_opt")

EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _configure_logging(verbose: int, quiet: int) -> None:
    level = logging.WARNING - 10 * verbose + 10 * quiet
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(max(logging.DEBUG, min(level, logging.CRITICAL)))


def _fail(message: str, code: int) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


def _print_issues(issues: list[Issue], header: str) -> None:
    click.echo(header, err=True)
    for issue in issues:
        click.echo(f"  - {issue}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="deploy-opt")
@click.option("-v", "--verbose", count=True, help="More progress output (repeatable).")
@click.option("-q", "--quiet", count=True, help="Less output (repeatable).")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: int) -> None:
    """Plan election-day police, TNI, Linmas and medical deployments to TPS."""
    _configure_logging(verbose, quiet)
    ctx.obj = {"quiet": quiet}


ALLOW_OUTSIDE = click.option(
    "--allow-outside-files",
    is_flag=True,
    help="Let the scenario refer to files outside its own folder.",
)


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@ALLOW_OUTSIDE
def validate(scenario: Path, allow_outside_files: bool) -> None:
    """Check SCENARIO (YAML) and every file it refers to; list all problems."""
    from deploy_opt.scenario import load_scenario

    try:
        loaded = load_scenario(scenario, allow_outside_files=allow_outside_files)
    except ScenarioError as exc:
        if exc.warnings:
            _print_issues(exc.warnings, f"{len(exc.warnings)} warning(s):")
        _print_issues(exc.issues, f"{scenario}: {len(exc.issues)} problem(s) found:")
        sys.exit(EXIT_USAGE)
    if loaded.warnings:
        _print_issues(list(loaded.warnings), f"{len(loaded.warnings)} warning(s):")
    stations = loaded.stations
    counts = stations["category"].value_counts().sort_index()
    click.echo(
        f"{scenario}: valid. {len(stations):,} TPS in {stations['kecamatan'].nunique()} kecamatan "
        f"({', '.join(f'{n:,} {c}' for c, n in counts.items())}); {len(loaded.bases)} bases."
    )


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Output directory.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds for the solver (default: the scenario's).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Random seed (default: the scenario's).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="CP-SAT search workers (1 keeps runs reproducible).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing output directory.")
@click.option(
    "--reproducible",
    is_flag=True,
    help="Leave the wall-clock runtime out of summary.json (byte-identical reruns).",
)
@ALLOW_OUTSIDE
@click.pass_context
def solve(
    ctx: click.Context,
    scenario: Path,
    out_dir: Path,
    time_limit: float | None,
    seed: int | None,
    workers: int,
    overwrite: bool,
    reproducible: bool,
    allow_outside_files: bool,
) -> None:
    """Solve SCENARIO and write stations.csv, roster.csv and summary.json to --out."""
    from deploy_opt.pipeline import run

    try:
        outcome = run(
            scenario,
            out_dir,
            time_limit_s=time_limit,
            seed=seed,
            workers=workers,
            overwrite=overwrite,
            allow_outside_files=allow_outside_files,
            reproducible=reproducible,
        )
    except ScenarioError as exc:
        _print_issues(
            exc.issues,
            f"{scenario}: {len(exc.issues)} problem(s) found; nothing was solved:",
        )
        sys.exit(EXIT_USAGE)
    except (OutputExistsError, TravelTimeError) as exc:
        _fail(f"error: {exc}", EXIT_USAGE)
    except KeyboardInterrupt:
        _fail("interrupted; no output was written", EXIT_INTERRUPTED)
    except DeployOptError as exc:
        _fail(f"internal error: {exc}", EXIT_INTERNAL)
    if not ctx.obj["quiet"]:
        click.echo(human_summary(outcome.summary, out_dir, outcome.result.runtime_s))


def human_summary(summary: dict[str, Any], out_dir: Path, runtime_s: float) -> str:
    """A short text for the terminal."""
    runtime = f"{runtime_s:.1f} s"
    lines = [
        f"{summary['scenario']}",
        f"  status {summary['status']}, gap {summary['gap']:.2%}, {runtime}, "
        f"seed {summary['seed']}, travel {summary['travel_model']}",
        f"  {summary['counts']['stations']:,} TPS in {summary['grouping']['groups']:,} groups "
        f"(lower bound {summary['grouping']['lower_bound']:,})",
    ]
    for agency, counts in summary["counts"]["personnel"].items():
        published = counts.get("published")
        compare = f"; published {published['count']:,}" if published else ""
        lines.append(
            f"  {agency:7s} {counts['assigned']:6,} assigned of {counts['available']:,} "
            f"({counts['reserve']:,} in reserve; the rules need {counts['needed_by_rules']:,}{compare})"
        )
    lines.append("  coverage by category:")
    for name, cov in summary["coverage_by_category"].items():
        lines.append(
            f"    {name:14s} {cov['covered']:5,}/{cov['stations']:,} TPS ({cov['fraction']:.1%}) rule {cov['rule']}"
        )
    medical = summary["medical"]
    lines.append(
        f"  medical: {medical['within_limit']:,} TPS within {medical['limit_minutes']} min of a facility "
        f"(median {medical['median_minutes']} min, max {medical['max_minutes']} min)"
    )
    teams = summary.get("medical_teams")
    if teams:
        lines.append(
            f"  medical teams ({teams['model']}): {teams['teams']} sited, {teams['within_threshold']:,} TPS "
            f"within {teams['threshold_minutes']:g} min ({teams['status']}, gap {teams['gap']:.2%})"
        )
    shortfalls = summary["shortfalls"]
    if shortfalls:
        lines.append(f"  {len(shortfalls)} shortfall(s), e.g.:")
        lines += [
            f"    - [{s['agency']}] {s['group_id'] or s['station_ids'][0]}: {s['reason']}"
            for s in shortfalls[:5]
        ]
    else:
        lines.append("  no shortfalls")
    lines.append(
        f"  checker: {'passed' if summary['check']['passed'] else 'FAILED'}; outputs in {out_dir}/"
    )
    return "\n".join(lines)


def main() -> None:
    """Console-script entry point."""
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        _fail("interrupted", EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
