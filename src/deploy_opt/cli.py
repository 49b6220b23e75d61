"""The ``deploy-opt`` command line: a thin layer over :mod:`deploy_opt.pipeline`.

Exit codes: 0 solved or valid (shortfalls are listed, not errors), 1 internal
error, 2 bad input or usage, 130 interrupted (Ctrl-C), 143 terminated
(SIGTERM). A run that stops leaves no half-written output.

Only click and deploy_opt's light modules load at start, so ``--help`` and
``--version`` answer at once; a command imports the pipeline (pandas,
geopandas, OR-Tools) when it runs.
"""

from __future__ import annotations

import logging
import math
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn, TypeVar

import click

from deploy_opt import __version__
from deploy_opt.errors import (
    DeployOptError,
    Issue,
    OutputExistsError,
    OutputPathError,
    ScenarioError,
    TravelTimeError,
)
from deploy_opt.export.cells import escape_controls

logger = logging.getLogger("deploy_opt")

EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + signal.SIGTERM
#: Largest ``--seed``: CP-SAT takes a signed 32-bit ``random_seed``.
MAX_SEED = 2**31 - 1
#: Most ``--workers``: OR-Tools 9.15 refuses more than 10,000 and more than a
#: few per core only slows the search down.
MAX_WORKERS = 256
#: Most ``--jobs`` (Dask worker processes for a region).
MAX_JOBS = 256
_VERBOSITY = "deploy_opt.verbosity"

F = TypeVar("F", bound=Callable[..., Any])


class Terminated(BaseException):
    """SIGTERM arrived; raised in the main thread so the run unwinds and cleans up.

    A ``BaseException`` (like ``KeyboardInterrupt``) so that no ``except
    Exception`` on the way can swallow it.
    """


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


class _TerminalFormatter(logging.Formatter):
    """Log lines with control characters from inputs shown as escapes."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal_text(super().format(record))


def _configure_logging(verbose: int, quiet: int) -> None:
    level = logging.WARNING - 10 * verbose + 10 * quiet
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_TerminalFormatter("%(levelname)s: %(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(max(logging.DEBUG, min(level, logging.CRITICAL)))


def _count_verbosity(ctx: click.Context, param: click.Parameter, value: int) -> None:
    """Add ``-v``/``-q`` to the counts of the whole command line (before or after the command)."""
    counts = ctx.meta.setdefault(_VERBOSITY, {"verbose": 0, "quiet": 0})
    counts[param.name or ""] += value
    _configure_logging(counts["verbose"], counts["quiet"])


def verbosity_options(command: F) -> F:
    """``-v``/``-q`` on the group and on every command, so both places work."""
    for name, short, text in (
        ("quiet", "-q", "Less output (repeatable)."),
        ("verbose", "-v", "More progress output (repeatable)."),
    ):
        command = click.option(
            short,
            f"--{name}",
            name,
            count=True,
            expose_value=False,
            callback=_count_verbosity,
            help=text,
        )(command)
    return command


def _quiet(ctx: click.Context) -> bool:
    return bool(ctx.meta.get(_VERBOSITY, {}).get("quiet", 0))


class Seconds(click.ParamType):
    """A positive, finite number of seconds (``nan`` and ``inf`` are refused)."""

    name = "seconds"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(number) or number <= 0:
            self.fail(
                f"expected a positive, finite number of seconds, got {value!r}",
                param,
                ctx,
            )
        return number


def terminal_text(text: str) -> str:
    """``text`` with control characters from inputs (such as terminal escape
    sequences) shown as escapes; line breaks are kept."""
    return "\n".join(escape_controls(line) for line in text.split("\n"))


class FilePath(click.Path):
    """A path argument; one holding a NUL character is a usage error (not a crash)."""

    def __init__(self) -> None:
        super().__init__(path_type=Path)

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Any:
        if "\0" in str(value):
            shown = escape_controls(str(value))
            self.fail(f"`{shown}` contains a NUL character", param, ctx)
        return super().convert(value, param, ctx)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(terminal_text(message), err=True)
    sys.exit(code)


def _print_issues(issues: list[Issue], header: str) -> None:
    click.echo(terminal_text(header), err=True)
    for issue in issues:
        click.echo(terminal_text(f"  - {issue}"), err=True)


def _percent(value: float | None) -> str:
    """``12.34%``, or ``n/a`` for a value summary.json leaves null."""
    return "n/a" if value is None else f"{value:.2%}"


def _identity(path: Path | None) -> tuple[int, int] | None:
    """Which folder ``path`` is (device, inode), or None when there is none."""
    if path is None:
        return None
    try:
        info = path.stat()
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


@contextmanager
def stops_cleanly(out_dir: Path | None = None) -> Iterator[None]:
    """Turn Ctrl-C and SIGTERM into a message and exit 130 / 143.

    The atomic writer has already removed its staging folder by then; the
    message says whether ``out_dir`` was written, left as it was, or not made.
    """
    before = _identity(out_dir)
    try:
        yield
    except (KeyboardInterrupt, Terminated) as exc:
        what, code = (
            ("terminated (SIGTERM)", EXIT_TERMINATED)
            if isinstance(exc, Terminated)
            else ("interrupted (Ctrl-C)", EXIT_INTERRUPTED)
        )
        after = _identity(out_dir)
        if out_dir is None:
            left = ""
        elif after is not None and after != before:
            left = f"; the outputs in {out_dir} were complete before it stopped"
        elif before is not None:
            left = f"; {out_dir} was left as it was"
        else:
            left = "; no output was written"
        _fail(what + left, code)


def _check_formats(
    ctx: click.Context, param: click.Parameter, value: str
) -> tuple[str, ...]:
    """``--format`` as format names; an unknown or unavailable one is a usage error."""
    from deploy_opt.export.formats import FormatError, parse_formats

    try:
        return parse_formats(value)
    except FormatError as exc:
        raise click.BadParameter(terminal_text(str(exc)), ctx, param) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="deploy-opt")
@verbosity_options
def cli() -> None:
    """Plan election-day police, TNI, Linmas and medical deployments to TPS.

    -v and -q work before or after the command.
    """


ALLOW_OUTSIDE = click.option(
    "--allow-outside-files",
    is_flag=True,
    help="Let the scenario refer to files outside its own folder.",
)


@cli.command()
@click.argument("scenario", type=FilePath())
@ALLOW_OUTSIDE
@verbosity_options
def validate(scenario: Path, allow_outside_files: bool) -> None:
    """Check SCENARIO (YAML) and every file it refers to; list all problems.

    SCENARIO may be a region.yaml: then every district scenario is checked.
    """
    with stops_cleanly():
        from deploy_opt.region import is_region_file
        from deploy_opt.scenario import load_scenario

        if is_region_file(scenario):
            _validate_region(scenario, allow_outside_files)
            return
        try:
            loaded = load_scenario(scenario, allow_outside_files=allow_outside_files)
        except ScenarioError as exc:
            if exc.warnings:
                _print_issues(exc.warnings, f"{len(exc.warnings)} warning(s):")
            _print_issues(
                exc.issues, f"{scenario}: {len(exc.issues)} problem(s) found:"
            )
            sys.exit(EXIT_USAGE)
    logger.info(
        "read %s: %d TPS, %d bases", scenario, len(loaded.stations), len(loaded.bases)
    )
    if loaded.warnings:
        _print_issues(list(loaded.warnings), f"{len(loaded.warnings)} warning(s):")
    stations = loaded.stations
    counts = stations["category"].value_counts().sort_index()
    click.echo(
        terminal_text(
            f"{scenario}: valid. {len(stations):,} TPS in {stations['kecamatan'].nunique()} kecamatan "
            f"({', '.join(f'{n:,} {c}' for c, n in counts.items())}); {len(loaded.bases)} bases."
        )
    )


@cli.command()
@click.argument("scenario", type=FilePath())
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=FilePath(),
    help="Output directory (checked before solving: it must be creatable).",
)
@click.option(
    "--time-limit",
    type=Seconds(),
    default=None,
    help="Seconds for the solver, positive and finite (default: the scenario's).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=MAX_SEED),
    default=None,
    help=f"Random seed, 0..{MAX_SEED} (default: the scenario's).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=MAX_WORKERS),
    default=1,
    show_default=True,
    help=f"CP-SAT search workers, 1..{MAX_WORKERS} (1 keeps runs reproducible).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing output directory.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=MAX_JOBS),
    default=1,
    show_default=True,
    help=f"Region only: districts solved at once on a local Dask cluster, 1..{MAX_JOBS} (1: in this process).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Region only: solve the districts on this existing Dask scheduler (tcp://host:port).",
)
@click.option(
    "--format",
    "formats",
    default="csv,json",
    show_default=True,
    callback=_check_formats,
    help=(
        "Comma-separated outputs among csv, json, xlsx, geojson, gpkg, html, pdf "
        "(csv and json always; one not built yet is refused): see docs/outputs.md."
    ),
)
@click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    default=None,
    help="Language of the XLSX headers and reasons (default: the scenario's `language`, id).",
)
@click.option(
    "--reproducible",
    is_flag=True,
    help=(
        "Stop every stage on deterministic limits only (never the clock) and leave "
        "the runtime out of summary.json: byte-identical reruns on any machine load."
    ),
)
@ALLOW_OUTSIDE
@verbosity_options
@click.pass_context
def solve(
    ctx: click.Context,
    scenario: Path,
    out_dir: Path,
    time_limit: float | None,
    seed: int | None,
    workers: int,
    overwrite: bool,
    jobs: int,
    scheduler: str | None,
    formats: tuple[str, ...],
    lang: str | None,
    reproducible: bool,
    allow_outside_files: bool,
) -> None:
    """Solve SCENARIO and write stations.csv, roster.csv, summary.json (and --format) to --out.

    SCENARIO may be a region.yaml (docs/region.md): each district is solved on
    its own (--jobs N or --scheduler ADDRESS in parallel) into --out/<folder>/,
    with the merged tables and summary in --out.
    """
    with stops_cleanly(out_dir):
        from deploy_opt.pipeline import run
        from deploy_opt.progress import progress_enabled, stage_status
        from deploy_opt.region import is_region_file

        if is_region_file(scenario):
            _solve_region(
                ctx,
                scenario,
                out_dir,
                {
                    "jobs": jobs,
                    "scheduler": scheduler,
                    "time_limit_s": time_limit,
                    "seed": seed,
                    "workers": workers,
                    "overwrite": overwrite,
                    "allow_outside_files": allow_outside_files,
                    "reproducible": reproducible,
                    "formats": formats,
                    "lang": lang,
                },
            )
            return
        if jobs != 1 or scheduler is not None:
            _fail(
                "error: --jobs and --scheduler apply to a region (region.yaml); "
                f"{scenario} is a single scenario",
                EXIT_USAGE,
            )
        try:
            with stage_status() if progress_enabled(_quiet(ctx)) else nullcontext():
                outcome = run(
                    scenario,
                    out_dir,
                    time_limit_s=time_limit,
                    seed=seed,
                    workers=workers,
                    overwrite=overwrite,
                    allow_outside_files=allow_outside_files,
                    reproducible=reproducible,
                    formats=formats,
                    lang=lang,
                )
        except ScenarioError as exc:
            _print_issues(
                exc.issues,
                f"{scenario}: {len(exc.issues)} problem(s) found; nothing was solved:",
            )
            sys.exit(EXIT_USAGE)
        except OutputPathError as exc:
            _fail(f"error: --out: {exc}; nothing was solved", EXIT_USAGE)
        except (OutputExistsError, TravelTimeError) as exc:
            _fail(f"error: {exc}", EXIT_USAGE)
        except DeployOptError as exc:
            _fail(f"internal error: {exc}", EXIT_INTERNAL)
    if not _quiet(ctx):
        click.echo(human_summary(outcome.summary, out_dir, outcome.result.runtime_s))


def _validate_region(region: Path, allow_outside_files: bool) -> None:
    """``validate`` for a region.yaml: the file and every district scenario."""
    from deploy_opt.region import validate_region

    try:
        _, districts = validate_region(region, allow_outside_files=allow_outside_files)
    except ScenarioError as exc:
        if exc.warnings:
            _print_issues(exc.warnings, f"{len(exc.warnings)} warning(s):")
        _print_issues(exc.issues, f"{region}: {len(exc.issues)} problem(s) found:")
        sys.exit(EXIT_USAGE)
    warnings = [w for d in districts for w in d.warnings]
    if warnings:
        _print_issues(warnings, f"{len(warnings)} warning(s):")
    click.echo(
        terminal_text(
            f"{region}: valid region. {len(districts)} district(s), "
            f"{sum(d.stations for d in districts):,} TPS, "
            f"{sum(d.bases for d in districts):,} bases."
        )
    )


def _solve_region(
    ctx: click.Context, region: Path, out_dir: Path, options: dict[str, Any]
) -> None:
    """``solve`` for a region.yaml (see :func:`deploy_opt.region.run_region`)."""
    from deploy_opt.progress import district_bar, progress_enabled
    from deploy_opt.region import SchedulerError, run_region
    from deploy_opt.region.report import region_text

    if options["scheduler"] is not None and options["jobs"] != 1:
        _fail("error: give --jobs or --scheduler, not both", EXIT_USAGE)
    try:
        with district_bar() if progress_enabled(_quiet(ctx)) else nullcontext() as bar:
            outcome = run_region(region, out_dir, listener=bar, **options)
    except ScenarioError as exc:
        _print_issues(
            exc.issues,
            f"{region}: {len(exc.issues)} problem(s) found; nothing was written:",
        )
        sys.exit(EXIT_USAGE)
    except OutputPathError as exc:
        _fail(f"error: --out: {exc}; nothing was solved", EXIT_USAGE)
    except (OutputExistsError, TravelTimeError) as exc:
        _fail(f"error: {exc}", EXIT_USAGE)
    except SchedulerError as exc:
        _fail(f"error: {exc}; nothing was written", EXIT_USAGE)
    except DeployOptError as exc:
        _fail(f"internal error: {exc}", EXIT_INTERNAL)
    if not _quiet(ctx):
        click.echo(region_text(outcome.summary, out_dir, outcome.runtime_s))


@cli.command("report")
@click.argument("run_dir", type=FilePath())
@click.option(
    "--out",
    "out",
    type=FilePath(),
    default=None,
    help="A .html or .pdf file, or a folder for both (default: RUN_DIR).",
)
@click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    default=None,
    help="Language of the report (default: the run's, Indonesian).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing report.")
@verbosity_options
@click.pass_context
def report_command(
    ctx: click.Context,
    run_dir: Path,
    out: Path | None,
    lang: str | None,
    overwrite: bool,
) -> None:
    """Write the briefing report (report.html, report.pdf) of the run in RUN_DIR.

    RUN_DIR is an output folder of `deploy-opt solve` (stations.csv,
    roster.csv, summary.json). The report has one page per Polsek for its
    commander; files are written atomically.
    """
    with stops_cleanly():
        from deploy_opt.export.report import write_report
        from deploy_opt.export.run_dir import RunDirError

        try:
            written = write_report(run_dir, out, lang=lang, overwrite=overwrite)
        except RunDirError as exc:
            _fail(f"error: {exc}", EXIT_USAGE)
        except OutputPathError as exc:
            _fail(f"error: --out: {exc}", EXIT_USAGE)
        except OutputExistsError as exc:
            _fail(f"error: {exc}", EXIT_USAGE)
    if not _quiet(ctx):
        click.echo(terminal_text("wrote " + ", ".join(str(p) for p in written)))


@cli.command("compare")
@click.argument("run_a", type=FilePath())
@click.argument("run_b", type=FilePath())
@click.option(
    "--out",
    "out",
    type=FilePath(),
    default=None,
    help="Also write the comparison to this .csv or .json file.",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing --out file.")
@verbosity_options
@click.pass_context
def compare_command(
    ctx: click.Context, run_a: Path, run_b: Path, out: Path | None, overwrite: bool
) -> None:
    """Compare two runs: coverage, personnel, travel and every changed assignment.

    Prints the comparison (ending "no changes" when the runs agree) and with
    --out also writes it as CSV or JSON. Exit code 0 whether or not the runs
    differ (like `diff`'s 0/1 would clash with 1 = internal error; scripts
    read `changed` in the JSON), 2 when a folder is not a run or --out is bad.
    """
    with stops_cleanly():
        from deploy_opt.compare import compare_runs
        from deploy_opt.export.atomic_files import write_files_atomically
        from deploy_opt.export.run_dir import RunDirError

        suffix = out.suffix.lower() if out is not None else ""
        if out is not None and suffix not in (".csv", ".json"):
            _fail(
                f"error: --out {out}: expected a file name ending in .csv or .json",
                EXIT_USAGE,
            )
        try:
            comparison = compare_runs(run_a, run_b)
            if out is not None:
                content = (
                    comparison.to_json_bytes()
                    if suffix == ".json"
                    else comparison.to_csv_bytes()
                )
                write_files_atomically({out: content}, overwrite=overwrite)
        except RunDirError as exc:
            _fail(f"error: {exc}", EXIT_USAGE)
        except (OutputPathError, OutputExistsError) as exc:
            _fail(f"error: --out: {exc}", EXIT_USAGE)
    if not _quiet(ctx):
        click.echo(terminal_text(comparison.to_text()))


@cli.command("show-versions")
@verbosity_options
def show_versions() -> None:
    """Print the versions of deploy_opt, Python and the libraries that shape a plan."""
    with stops_cleanly():
        from deploy_opt.export.versions import versions

        for name, version in versions().items():
            click.echo(f"{name:12s} {version}")


@cli.command("generate")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=FilePath(),
    help="Folder to create: a scenario (--stations) or a region of district folders (--preset).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=MAX_SEED),
    default=0,
    show_default=True,
    help="Random seed; the same seed gives byte-identical files.",
)
@click.option(
    "--stations", type=int, default=None, help="One district with N TPS (10..20,000)."
)
@click.option(
    "--preset",
    default=None,
    help="polda-metro-jaya or nasional (one folder per Polres).",
)
@click.option(
    "--scale",
    type=float,
    default=1.0,
    show_default=True,
    help="Shrink a preset's TPS counts, 0 < scale <= 1.",
)
@click.option(
    "--overwrite", is_flag=True, help="Replace an earlier generate output in --out."
)
@verbosity_options
@click.pass_context
def generate_command(
    ctx: click.Context,
    out_dir: Path,
    seed: int,
    stations: int | None,
    preset: str | None,
    scale: float,
    overwrite: bool,
) -> None:
    """Write a synthetic scenario (--stations N) or region (--preset NAME); see docs/generate.md."""
    with stops_cleanly(out_dir):
        from deploy_opt.generate import GenerateError, generate

        try:
            report = generate(
                out_dir,
                seed=seed,
                stations=stations,
                preset=preset,
                scale=scale,
                overwrite=overwrite,
            )
        except (GenerateError, OutputExistsError) as exc:
            _fail(f"error: {exc}", EXIT_USAGE)
        except OSError as exc:
            _fail(f"error: cannot write --out {out_dir}: {exc}", EXIT_USAGE)
    if not _quiet(ctx):
        mix = ", ".join(f"{n:,} {c}" for c, n in report.categories.items())
        click.echo(
            f"{out_dir}: {report.stations:,} TPS ({mix}) in "
            f"{len(report.districts)} district scenario(s)"
        )


def human_summary(summary: dict[str, Any], out_dir: Path, runtime_s: float) -> str:
    """A short text for the terminal."""
    runtime = f"{runtime_s:.1f} s"
    lines = [
        f"{summary['scenario']}",
        f"  status {summary['status']}, gap {_percent(summary['gap'])} "
        f"(for {', '.join(summary.get('gap_covers', []))} on these groups), {runtime}, "
        f"seed {summary['seed']}, travel {summary['travel_model']}",
        *(f"    not proven: {reason}" for reason in summary.get("status_reasons", [])),
        *(
            [
                f"  risk-weighted coverage {_percent(summary['coverage'])} of an upper bound "
                f"{_percent(summary['coverage_bound'])} for any grouping (gap {_percent(summary['coverage_gap'])})"
            ]
            if summary.get("coverage_bound") is not None
            else []
        ),
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
            # a ladder: the rules its groups got
            + (
                f"; groups {cov['rules_used']}"
                if len(cov.get("ladder", ())) > 1
                else ""
            )
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
            f"within {teams['threshold_minutes']:g} min ({teams['status']}, gap {_percent(teams['gap'])})"
        )
        if teams.get("reason"):
            lines.append(f"    {teams['reason']}")
    shortfalls = summary["shortfalls"]
    if shortfalls:
        per_agency: dict[str, int] = {}
        for s in shortfalls:
            per_agency[s["agency"]] = per_agency.get(s["agency"], 0) + 1
        split = ", ".join(f"{a} {n:,}" for a, n in per_agency.items())
        lines.append(f"  {len(shortfalls):,} shortfall(s) ({split}), e.g.:")
        lines += [
            f"    - [{s['agency']}] {s['group_id'] or s['station_ids'][0]}: {s['reason']}"
            for s in shortfalls[:5]
        ]
    else:
        lines.append("  no shortfalls")
    lines.append(
        f"  checker: {'passed' if summary['check']['passed'] else 'FAILED'}; outputs in {out_dir}/"
    )
    return terminal_text("\n".join(lines))


def install_signal_handlers() -> None:
    """Make SIGTERM unwind the run like Ctrl-C does (see :class:`Terminated`)."""
    signal.signal(signal.SIGTERM, _raise_terminated)


def main() -> None:
    """Console-script entry point: SIGTERM ends the run like Ctrl-C (exit 143)."""
    install_signal_handlers()
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        _fail("interrupted (Ctrl-C)", EXIT_INTERRUPTED)
    except Terminated:
        _fail("terminated (SIGTERM)", EXIT_TERMINATED)


if __name__ == "__main__":
    main()
