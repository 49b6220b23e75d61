"""The briefing report: ``report.html`` (self-contained) and ``report.pdf``.

Content: the run's facts and status with what is not proven, coverage per
category against its bound, personnel per agency, the rules applied (ladder
rules included) and why, travel per agency, medical cover, shortfalls with
reasons, tables per kecamatan and per police unit, charts (matplotlib, as SVG
data URIs), and one section per Polres pool / Polsek starting on a new page,
for its commander to hand out.

The report is made from a run's three output files only (as they are written,
see :func:`report_from_tables`), so ``deploy-opt report RUN_DIR`` and
``deploy-opt solve --format pdf`` give the same bytes. The PDF is rendered by
WeasyPrint from the HTML. Heavy libraries (matplotlib, WeasyPrint, Jinja2) load
only when a report is made.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from deploy_opt.export.labels import agency_name, translate_reason
from deploy_opt.export.report_text import REPORT_LABELS, text
from deploy_opt.export.run_dir import Run, load_run, parse_summary, parse_table
from deploy_opt.export.tables import RESERVE_SHIFT

if TYPE_CHECKING:
    from deploy_opt.problem import ProblemData
    from deploy_opt.result import Result
    from deploy_opt.scenario import Scenario

HTML_FILE = "report.html"
PDF_FILE = "report.pdf"
#: Order of the police units' pages: the Polres pool first, then the Polsek.
_KIND_ORDER = ("polres", "polsek")
_AGENCY_ORDER = ("polri", "tni", "linmas", "medis")
_SEPARATORS = "-/_.:"


def files(
    scenario: Scenario,
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
) -> dict[str, bytes]:
    """``report.html`` and ``report.pdf`` (the format ``pdf``), in ``lang``."""
    return report_from_tables(stations, roster, summary, lang)


def html_files(
    scenario: Scenario,
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
) -> dict[str, bytes]:
    """``report.html`` alone (a format such as ``html-report``), in ``lang``."""
    return report_from_tables(stations, roster, summary, lang, kinds=("html",))


def report_from_tables(
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
    kinds: Iterable[str] = ("html", "pdf"),
) -> dict[str, bytes]:
    """The report of a plan's tables as they are written to the run folder.

    The tables pass through their CSV and JSON bytes first, so the report
    equals the one ``deploy-opt report`` makes from the folder.
    """
    from deploy_opt.export.summary import to_json_bytes
    from deploy_opt.export.tables import to_csv_bytes

    run = Run(
        Path(),
        parse_table(to_csv_bytes(stations), "stations.csv", "stations"),
        parse_table(to_csv_bytes(roster), "roster.csv", "roster"),
        parse_summary(to_json_bytes(summary)),
    )
    return report_files(run, lang, kinds)


def report_files(
    run: Run, lang: str, kinds: Iterable[str] = ("html", "pdf")
) -> dict[str, bytes]:
    """``report.html`` and/or ``report.pdf`` (``kinds``) of ``run``."""
    kinds = tuple(kinds)
    html = report_html(run.stations, run.roster, run.summary, lang)
    out: dict[str, bytes] = {}
    if "html" in kinds:
        out[HTML_FILE] = html.encode("utf-8")
    if "pdf" in kinds:
        out[PDF_FILE] = html_to_pdf(html)
    return out


def write_report(
    run_dir: str | Path,
    out: str | Path | None = None,
    *,
    lang: str | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Write the report of the run in ``run_dir``; return the files written.

    ``out``: ``None`` writes ``report.html`` and ``report.pdf`` into
    ``run_dir``; a name ending in ``.html`` or ``.pdf`` writes that one file;
    any other name is a folder (created if missing) for both files. ``lang``
    defaults to the run's language (Indonesian when the summary gives none).

    Raises
    ------
    RunDirError
        When ``run_dir`` is not a complete deploy_opt run.
    OutputExistsError, OutputPathError
        When a file exists and ``overwrite`` is false, or cannot be written.
    """
    from deploy_opt.errors import OutputPathError
    from deploy_opt.export.atomic_files import check_targets, write_files_atomically

    run = load_run(run_dir)
    lang = lang or str(run.summary.get("language") or "id")
    if out is None:
        targets = {"html": Path(run_dir) / HTML_FILE, "pdf": Path(run_dir) / PDF_FILE}
    elif Path(out).suffix.lower() in (".html", ".htm", ".pdf"):
        kind = "pdf" if Path(out).suffix.lower() == ".pdf" else "html"
        targets = {kind: Path(out)}
    else:
        try:
            Path(out).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            msg = f"cannot create the folder {out}: {exc.strerror or exc}"
            raise OutputPathError(msg) from exc
        targets = {"html": Path(out) / HTML_FILE, "pdf": Path(out) / PDF_FILE}
    check_targets(targets.values(), overwrite=overwrite)  # before the slow part
    made = report_files(run, lang, kinds=targets)
    name = {"html": HTML_FILE, "pdf": PDF_FILE}
    write_files_atomically(
        {path: made[name[kind]] for kind, path in targets.items()}, overwrite=overwrite
    )
    return list(targets.values())


def html_to_pdf(html: str) -> bytes:
    """The PDF of the report's HTML (WeasyPrint; no file or network access)."""
    import weasyprint

    fetcher: Any
    if hasattr(weasyprint, "URLFetcher"):  # WeasyPrint >= 66
        fetcher = weasyprint.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    else:

        def fetcher(url: str, *args: Any, **kwargs: Any) -> Any:
            if url.startswith("data:"):
                return weasyprint.default_url_fetcher(url, *args, **kwargs)
            msg = f"the report fetches nothing from outside: {url}"
            raise ValueError(msg)

    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf()
    return pdf


def report_html(
    stations: pd.DataFrame, roster: pd.DataFrame, summary: dict[str, Any], lang: str
) -> str:
    """The report as one self-contained HTML page (text from inputs escaped)."""
    import jinja2

    from deploy_opt.export.report_template import CSS, TEMPLATE

    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=False
    )
    words = {key: text(key, lang) for key in _WORD_KEYS}
    return environment.from_string(TEMPLATE).render(
        r=_model(stations, roster, summary, lang), t=words, css=CSS, lang=lang
    )


_WORD_KEYS = (
    *REPORT_LABELS,
    "status",
    "gap",
    "category",
    "stations",
    "covered",
    "share",
    "police_met",
    "tni_met",
    "linmas_met",
    "medical_within",
    "rules_used",
    "agency",
    "available",
    "assigned",
    "needed",
    "published",
    "median_minutes",
    "max_minutes",
    "no_shortfalls",
    "tps_count",
    "reason",
    "kecamatan",
    "groups",
    "unit",
    "shortfalls",
    "group",
    "no",
)


# ---------------------------------------------------------------- the model


def _model(
    stations: pd.DataFrame, roster: pd.DataFrame, summary: dict[str, Any], lang: str
) -> dict[str, Any]:
    """Everything the template shows, as plain text and numbers."""
    from deploy_opt.export.report_charts import coverage_chart, travel_histograms

    group_kecamatan = _group_kecamatan(stations)
    categories = _categories(summary, lang)
    series = {
        text(key, lang): [
            100.0 * float(cov.get(field) or 0) / max(1, int(cov.get("stations") or 0))
            for cov in summary["coverage_by_category"].values()
        ]
        for key, field in (
            ("covered", "covered"),
            ("police_met", "police_met"),
            ("tni_met", "tni_met"),
            ("linmas_met", "linmas_met"),
            ("medical_within", "medical_within_limit"),
        )
    }
    deployed = roster[
        (roster["shift"] != RESERVE_SHIFT) & roster["travel_minutes"].notna()
    ]
    travel_minutes = {
        agency_name(agency, lang): deployed.loc[
            deployed["agency"] == agency, "travel_minutes"
        ].to_list()
        for agency in _agencies(roster)
        if (deployed["agency"] == agency).any()
    }
    shortfalls = [_shortfall(s, lang) for s in summary["shortfalls"]]
    return {
        "scenario": str(summary["scenario"]),
        "version": str(summary.get("versions", {}).get("deploy-opt", "")),
        "facts": _facts(summary, lang),
        "status": str(summary["status"]),
        "gap_text": _percent(summary.get("gap"), lang)
        + (
            f" ({', '.join(summary['gap_covers'])})"
            if summary.get("gap_covers")
            else ""
        ),
        "status_reasons": [str(r) for r in summary.get("status_reasons", [])],
        "stages": [
            {
                "stage": s.get("stage", ""),
                "status": s.get("status", ""),
                "proven": text("yes_word" if s.get("proven") else "no_word", lang),
                "gap": _percent(s.get("gap"), lang),
                "method": s.get("method", ""),
                "note": s.get("note", ""),
            }
            for s in summary.get("stages", [])
        ],
        "coverage_line": _coverage_line(summary, lang),
        "categories": categories,
        "coverage_chart": coverage_chart(
            list(summary["coverage_by_category"]), series, text("coverage_chart", lang)
        ),
        "personnel": _personnel(summary, lang),
        "rule_reasons": _rule_reasons(stations),
        "travel": [
            {
                "agency": name,
                "n": _int(len(values), lang),
                "median": _minutes(np.median(values) if values else None, lang),
                "max": _minutes(max(values) if values else None, lang),
            }
            for name, values in travel_minutes.items()
        ],
        "travel_chart": travel_histograms(travel_minutes, text("travel_chart", lang)),
        "medical": _medical(summary, lang),
        "shortfalls": shortfalls,
        "kecamatan": _kecamatan_rows(stations, roster, group_kecamatan, summary, lang),
        "units": _units(stations, roster, summary, group_kecamatan, lang),
    }


def _facts(summary: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    counts = summary.get("counts", {})
    grouping = summary.get("grouping", {})
    check = summary.get("check", {})
    return [
        (text("status", lang), str(summary["status"])),
        (text("stations", lang), _int(counts.get("stations"), lang)),
        (
            text("groups", lang),
            f"{_int(grouping.get('groups', counts.get('groups')), lang)} "
            f"({text('groups_bound', lang).lower()} {_int(grouping.get('lower_bound'), lang)})",
        ),
        (text("seed", lang), str(summary.get("seed", ""))),
        (text("travel_model", lang), str(summary.get("travel_model", ""))),
        (text("input_hash", lang), str(summary.get("input_hash", ""))),
        (
            text("checker", lang),
            text("passed" if check.get("passed") else "failed", lang),
        ),
        (text("objective", lang), _int(summary.get("objective"), lang)),
        (text("bound", lang), _int(summary.get("bound"), lang)),
    ]


def _coverage_line(summary: dict[str, Any], lang: str) -> str:
    parts = [f"{text('coverage_value', lang)}: {_noted(summary, 'coverage', lang)}"]
    if "coverage_bound" in summary:
        parts.append(
            f"{text('coverage_bound', lang)}: {_noted(summary, 'coverage_bound', lang)}"
        )
        parts.append(
            f"{text('coverage_gap', lang)}: {_noted(summary, 'coverage_gap', lang)}"
        )
    return " · ".join(parts)


def _noted(summary: dict[str, Any], field: str, lang: str) -> str:
    """A percentage from the summary, or "n/a" with the summary's note on why."""
    value = summary.get(field)
    if value is None:
        note = summary.get(f"{field}_note")
        return f"n/a ({note})" if note else "n/a"
    return _percent(value, lang)


def _categories(summary: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    rows = []
    for name, cov in summary["coverage_by_category"].items():
        stations = int(cov.get("stations") or 0)
        covered = int(cov.get("covered") or 0)
        rows.append(
            {
                "category": name,
                "rule": cov.get("rule") or "",
                "ladder": " → ".join(cov.get("ladder") or []),
                "rules_used": cov.get("rules_used") or "",
                "stations": _int(stations, lang),
                "covered": _int(covered, lang),
                "share": _percent(covered / stations if stations else None, lang),
                "short": covered < stations,
                "police_met": _int(cov.get("police_met"), lang),
                "tni_met": _int(cov.get("tni_met"), lang),
                "linmas_met": _int(cov.get("linmas_met"), lang),
                "medical": _int(cov.get("medical_within_limit"), lang),
            }
        )
    return rows


def _personnel(summary: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    rows = []
    for agency, counts in summary["counts"]["personnel"].items():
        published = counts.get("published")
        assigned = counts.get("assigned") or 0
        needed = counts.get("needed_by_rules")
        rows.append(
            {
                "agency": agency_name(agency, lang),
                "available": _int(counts.get("available"), lang),
                "assigned": _int(assigned, lang),
                "reserve": _int(counts.get("reserve"), lang),
                "needed": _int(needed, lang),
                "short": needed is not None and assigned < needed,
                "published": _int(published.get("count"), lang)
                if isinstance(published, dict)
                else "-",
            }
        )
    return rows


def _rule_reasons(stations: pd.DataFrame) -> list[dict[str, Any]]:
    """Per category, each reason a TPS got its rule (ladder steps) and how many."""
    named = stations[stations["rule_reason"] != ""]
    counts = named.groupby(["category", "rule_reason"], sort=True).size()
    return [
        {"category": str(key[0]), "reason": str(key[1]), "count": f"{int(n):,}"}
        for key, n in zip(counts.index.to_list(), counts.to_list(), strict=True)
    ]


def _medical(summary: dict[str, Any], lang: str) -> list[str]:
    medical = summary.get("medical") or {}
    stations = (summary.get("counts") or {}).get("stations")
    lines = [
        f"{text('medical_within_n', lang)}: {_int(medical.get('within_limit'), lang)} / "
        f"{_int(stations, lang)} · {text('medical_limit', lang)}: "
        f"{_minutes(medical.get('limit_minutes'), lang)} · "
        f"{text('median_minutes', lang)}: {_minutes(medical.get('median_minutes'), lang)} · "
        f"{text('max_minutes', lang)}: {_minutes(medical.get('max_minutes'), lang)}"
    ]
    teams = summary.get("medical_teams")
    if teams:
        lines.append(
            f"{text('teams', lang)} ({teams.get('model', '')}): "
            f"{_int(teams.get('teams'), lang)} · {text('medical_within_n', lang)} "
            f"({_minutes(teams.get('threshold_minutes'), lang)} {text('minutes', lang)}): "
            f"{_int(teams.get('within_threshold'), lang)} · {teams.get('status', '')}"
        )
        if teams.get("reason"):
            lines.append(str(teams["reason"]))
    return lines


def _shortfall(shortfall: dict[str, Any], lang: str) -> dict[str, Any]:
    ids = [str(i) for i in shortfall.get("station_ids", [])]
    needed = int(shortfall.get("needed") or 0)
    assigned = int(shortfall.get("assigned") or 0)
    return {
        "agency": agency_name(str(shortfall.get("agency", "")), lang),
        "category": str(shortfall.get("category", "")),
        "group_id": str(shortfall.get("group_id") or ""),
        "station_ids": ids,
        "where": str(shortfall.get("group_id") or "")
        or ", ".join(ids[:3]) + (" …" if len(ids) > 3 else ""),
        "tps": _int(len(ids), lang),
        "needed": _int(needed, lang),
        "assigned": _int(assigned, lang),
        "short": _int(needed - assigned, lang),
        "reason": translate_reason(str(shortfall.get("reason", "")), lang),
    }


def _group_kecamatan(stations: pd.DataFrame) -> dict[str, str]:
    """Each group's kecamatan (the one most of its TPS lie in)."""
    grouped = stations[stations["group_id"] != ""]
    if grouped.empty:
        return {}
    counts = grouped.groupby(["group_id", "kecamatan"], sort=True).size()
    top = counts.sort_values(ascending=False, kind="stable").reset_index()
    top = top.drop_duplicates("group_id")
    return dict(zip(top["group_id"], top["kecamatan"], strict=True))


def _kecamatan_rows(
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    group_kecamatan: dict[str, str],
    summary: dict[str, Any],
    lang: str,
) -> list[dict[str, Any]]:
    limit = (summary.get("medical") or {}).get("limit_minutes")
    sent = roster[roster["group_id"] != ""]
    persons = (
        sent.assign(kecamatan=sent["group_id"].map(group_kecamatan))
        .groupby(["kecamatan", "agency"])
        .size()
    )
    rows = []
    for name, part in stations.groupby("kecamatan", sort=True):
        covered = int(part["covered"].sum())
        within = (
            int((part["medical_minutes"] <= float(limit)).sum())
            if limit is not None
            else None
        )
        rows.append(
            {
                "name": name,
                "stations": _int(len(part), lang),
                "groups": _int(
                    part.loc[part["group_id"] != "", "group_id"].nunique(), lang
                ),
                "covered": _int(covered, lang),
                "uncovered": _int(len(part) - covered, lang)
                if covered < len(part)
                else "",
                "police": _int(int(persons.get((name, "polri"), 0)), lang),
                "tni": _int(int(persons.get((name, "tni"), 0)), lang),
                "linmas": _int(int(part["linmas"].sum()), lang),
                "medical": _int(within, lang),
            }
        )
    return rows


def _units(
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    group_kecamatan: dict[str, str],
    lang: str,
) -> list[dict[str, Any]]:
    """One entry per police unit (Polres pool, Polsek): its page of the report."""
    police = roster[roster["agency"] == "polri"]
    by_group = {g: part for g, part in stations.groupby("group_id", sort=False) if g}
    tni = roster[(roster["agency"] == "tni") & (roster["group_id"] != "")]
    tni_by_group = dict(iter(tni.groupby("group_id", sort=False)))
    staffed_groups = set(police.loc[police["group_id"] != "", "group_id"])
    shortfalls = [_shortfall(s, lang) | {"raw": s} for s in summary["shortfalls"]]
    units: list[dict[str, Any]] = []
    for unit_id, part in police.groupby("unit_id", sort=False):
        name = _first(part["unit_name"]) or str(unit_id)
        kind = _first(part["unit_kind"])
        sent = part[(part["shift"] != RESERVE_SHIFT) & (part["group_id"] != "")]
        groups = sorted(set(sent["group_id"]), key=_natural)
        kecamatan = sorted({group_kecamatan.get(g, "") for g in groups} - {""})
        group_rows = [
            _group_row(
                g, by_group.get(g), sent, tni_by_group.get(g), str(unit_id), lang
            )
            for g in groups
        ]
        minutes = sent["travel_minutes"].dropna()
        mine = [
            s
            for s in shortfalls
            if s["group_id"] in groups
            or name in str(s["raw"].get("reason", ""))
            or (
                s["group_id"] not in staffed_groups
                and _kecamatan_of(s["station_ids"], stations) & set(kecamatan)
            )
        ]
        units.append(
            {
                "name": name,
                "kind": kind,
                "kecamatan": ", ".join(kecamatan),
                "groups": group_rows,
                "stations": _int(sum(len(by_group.get(g, ())) for g in groups), lang),
                "assigned": _int(len(sent), lang),
                "reserve": [
                    _person(row, str(unit_id))
                    for _, row in part[part["shift"] == RESERVE_SHIFT].iterrows()
                ],
                "median_travel": _minutes(
                    float(minutes.median()) if len(minutes) else None, lang
                ),
                "shortfalls": mine,
            }
        )
    units.sort(key=lambda u: (_kind_rank(u["kind"]), _natural(u["name"])))
    return units


def _group_row(
    group_id: str,
    members: pd.DataFrame | None,
    officers: pd.DataFrame,
    tni: pd.DataFrame | None,
    unit_id: str,
    lang: str,
) -> dict[str, Any]:
    members = members if members is not None else officers.iloc[0:0]
    mine = officers[officers["group_id"] == group_id]
    covered = int(members["covered"].sum()) if len(members) else 0
    size = len(members)
    sites: dict[str, float] = {}
    for _, row in members.iterrows():
        site = row["medical_site_name"] or row["medical_site_id"]
        if site:
            sites[site] = max(sites.get(site, 0.0), float(row["medical_minutes"]))
    tni_text = ""
    if tni is not None and len(tni):
        tni_text = "; ".join(
            f"{_first(part['unit_name']) or str(unit)}: "
            + ", ".join(_person(row, str(unit)) for _, row in part.iterrows())
            for unit, part in tni.groupby("unit_id", sort=True)
        )
    return {
        "group_id": group_id,
        "category": _first(members["category"]) if size else "",
        "rule": _first(members["rule"]) if size else "",
        "tps": _tps_text(members) if size else "",
        "officers": ", ".join(_person(row, unit_id) for _, row in mine.iterrows()),
        "tni": tni_text,
        "linmas": _int(int(members["linmas"].sum()) if size else 0, lang),
        "medical": "; ".join(
            f"{site} (≤ {_minutes(m, lang)} {text('minutes', lang)})"
            for site, m in sites.items()
        ),
        "covered": f"{covered}/{size}",
        "short": covered < size,
    }


def _tps_text(members: pd.DataFrame) -> str:
    """The TPS of a group per kelurahan, compactly: ``Kel: 3603-001, 004, 007``."""
    parts = []
    for kelurahan, part in members.groupby("kelurahan", sort=True):
        numbers = part["tps_number"]
        if (numbers != "").all():
            listed = "TPS " + ", ".join(sorted(numbers, key=_natural))
        else:
            ids = sorted(part["station_id"], key=_natural)
            prefix = _common_prefix(ids)
            listed = ", ".join([ids[0], *(i[len(prefix) :] for i in ids[1:])])
        parts.append(f"{kelurahan!s}: {listed}" if kelurahan else listed)
    return "; ".join(parts)


def _common_prefix(ids: list[str]) -> str:
    """The shared start of ``ids`` up to and including its last separator."""
    if len(ids) < 2:
        return ""
    first, last = min(ids), max(ids)  # the shared start of all is theirs
    size = next(
        (i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b),
        min(len(first), len(last)),
    )
    prefix = first[:size]
    cut = max(prefix.rfind(sep) for sep in _SEPARATORS)
    return prefix[: cut + 1] if cut >= 0 else ""


def _kecamatan_of(station_ids: list[str], stations: pd.DataFrame) -> set[str]:
    found = stations.loc[stations["station_id"].isin(station_ids), "kecamatan"]
    return set(found)


def _person(row: pd.Series, unit_id: str) -> str:
    """A slot as shown on its unit's page: rank and name where given, else its number."""
    slot = str(row["person_id"]).removeprefix(f"{unit_id}/")
    name = str(row.get("name") or "")
    if name:
        rank = str(row.get("rank") or "")
        return f"{rank} {name} ({slot})".strip()
    return slot


def _agencies(roster: pd.DataFrame) -> list[str]:
    present = list(dict.fromkeys(roster["agency"]))
    return sorted(
        present,
        key=lambda a: (_AGENCY_ORDER.index(a) if a in _AGENCY_ORDER else 99, a),
    )


def _kind_rank(kind: str) -> int:
    return _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)


def _natural(value: str) -> tuple[Any, ...]:
    """Sort key with numbers in order (``g-2`` before ``g-10``)."""
    import re

    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", str(value))
        if part
    )


def _first(column: pd.Series) -> str:
    values = [v for v in column if v]
    return str(values[0]) if values else ""


# ------------------------------------------------------------- number text


def _int(value: Any, lang: str) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    shown = f"{int(value):,}"
    return shown.replace(",", ".") if lang == "id" else shown


def _percent(value: Any, lang: str) -> str:
    if value is None:
        return "n/a"
    shown = f"{float(value):.1%}"
    return shown.replace(".", ",") if lang == "id" else shown


def _minutes(value: Any, lang: str) -> str:
    if value is None or not np.isfinite(float(value)):
        return "-"
    shown = f"{float(value):.1f}"
    return shown.replace(".", ",") if lang == "id" else shown
