"""Check the scenario's ``kinds`` rules against the tables.

``kinds`` maps a TPS kind (the stations' ``kind`` column: prison, hospital,
...) to rules: a forced ``category``, which police may serve it and where its
medical cover comes from. A name that matches nothing would silently drop a
rule, so each is an error with a "did you mean"; a kind no TPS has is a
warning (a typo, or a rule for another election).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pandas as pd

from deploy_opt.errors import Issue
from deploy_opt.scenario.crossref import name_key
from deploy_opt.scenario.problems import RowProblems
from deploy_opt.scenario.schema import (
    KIND_MEDICAL,
    KIND_POLICE,
    MEDICAL_KINDS,
    ScenarioSpec,
)
from deploy_opt.scenario.yaml_source import YamlDocument


def kind_key(text: str) -> str:
    """Key for matching a TPS kind to a ``kinds`` entry (case- and space-insensitive)."""
    return name_key(text)


def _hint(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(set(known)), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_kinds(
    spec: ScenarioSpec,
    doc: YamlDocument,
    stations: pd.DataFrame,
    bases: pd.DataFrame,
    stations_file: str,
    issues: list[Issue],
    rows: RowProblems,
) -> None:
    """Every name in ``kinds`` and in the stations' ``host`` column must exist.

    Errors: an unknown category or base (with a did-you-mean), a ``medical``
    base that is no medical facility, ``own_hospital`` without any hospital,
    a ``host`` that is no base id (or, for ``own_hospital``, no medical
    facility). Warnings: a kind no TPS has; TPS whose kind takes police from
    ``own_polsek`` in a kecamatan no Polsek has jurisdiction over.
    """
    base_ids = [str(b) for b in bases["id"]]
    base_kind = dict(zip(base_ids, bases["kind"], strict=True))
    medical = {b for b, k in base_kind.items() if k in MEDICAL_KINDS}
    tps_kinds = {kind_key(k): k for k in stations["kind"] if k}
    _check_hosts(stations, base_kind, stations_file, rows)
    for kind, rule in spec.kinds.items():
        where = ("kinds", kind)
        if kind_key(kind) not in tps_kinds:
            issues.append(
                doc.issue(
                    where,
                    f"no TPS has kind {kind!r}, so this rule applies to none"
                    + (_hint(kind_key(kind), tps_kinds) or _known(tps_kinds.values())),
                    "warning",
                )
            )
        if rule.category is not None and rule.category not in spec.categories:
            issues.append(
                doc.issue(
                    (*where, "category"),
                    f"{rule.category!r} is not a category (known: "
                    f"{', '.join(spec.categories)}){_hint(rule.category, spec.categories)}",
                )
            )
        if rule.police not in KIND_POLICE and rule.police not in base_kind:
            issues.append(
                doc.issue(
                    (*where, "police"),
                    f"{rule.police!r} is neither {' nor '.join(KIND_POLICE)} nor a base "
                    f"id{_hint(rule.police, [*KIND_POLICE, *base_ids])}",
                )
            )
        if rule.medical not in KIND_MEDICAL:
            if rule.medical not in base_kind:
                issues.append(
                    doc.issue(
                        (*where, "medical"),
                        f"{rule.medical!r} is neither {' nor '.join(KIND_MEDICAL)} nor a "
                        f"base id{_hint(rule.medical, [*KIND_MEDICAL, *base_ids])}",
                    )
                )
            elif rule.medical not in medical:
                issues.append(
                    doc.issue(
                        (*where, "medical"),
                        f"base {rule.medical!r} is a {base_kind[rule.medical]}, not a "
                        "medical facility (puskesmas or hospital)",
                    )
                )
        mine = stations["kind"].map(kind_key) == kind_key(kind)
        if rule.medical == "own_hospital":
            hosted = stations.loc[mine, "host"] != ""
            if not hosted.all() and "hospital" not in base_kind.values():
                issues.append(
                    doc.issue(
                        (*where, "medical"),
                        "`own_hospital` takes the TPS's `host` or else the nearest base "
                        "of kind hospital, but there is no hospital among the bases",
                    )
                )
            for host, line in zip(
                stations.loc[mine, "host"], stations.loc[mine, "_line"], strict=True
            ):
                if host in base_kind and host not in medical:
                    rows.add(
                        stations_file,
                        "host",
                        f"{kind} TPS take medical cover from their host, but base "
                        f"{host!r} is a {base_kind[host]}, not a medical facility",
                        int(line),
                    )
        if rule.police == "own_polsek" and mine.any():
            _warn_without_polsek(doc, where, kind, stations[mine], bases, issues)


def _known(kinds: Iterable[str]) -> str:
    names = sorted(set(kinds))
    return f"; the TPS have kinds {names}" if names else "; no TPS has a kind"


def _check_hosts(
    stations: pd.DataFrame,
    base_kind: dict[str, str],
    stations_file: str,
    rows: RowProblems,
) -> None:
    for host, line in zip(stations["host"], stations["_line"], strict=True):
        if host and host not in base_kind:
            rows.add(
                stations_file,
                "host",
                f"host {host!r} is not a base id{_hint(host, base_kind)}",
                int(line),
            )


def _warn_without_polsek(
    doc: YamlDocument,
    where: tuple[str, str],
    kind: str,
    stations: pd.DataFrame,
    bases: pd.DataFrame,
    issues: list[Issue],
) -> None:
    """Warn about kecamatan where ``own_polsek`` leaves no Polsek with police."""
    polsek = bases[(bases["kind"] == "polsek") & (bases["polri"] > 0)]
    covered: set[str] = set()
    anywhere = False
    for places in polsek["jurisdiction"]:
        if not places:
            anywhere = True
        covered.update(name_key(p) for p in places)
    if anywhere:
        return
    orphan = sorted(
        {k for k in stations["kecamatan"] if name_key(k) not in covered}, key=name_key
    )
    if orphan:
        issues.append(
            doc.issue(
                (*where, "police"),
                f"{kind} TPS in {', '.join(orphan)} take police only from their own "
                "Polsek, but no Polsek with police has jurisdiction there: they will "
                "be short",
                "warning",
            )
        )
