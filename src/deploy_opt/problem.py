"""ProblemData: the immutable, solver-ready form of a scenario.

Only integers and arrays live here: no geopandas, no file names. Stations and
bases are sorted by their ids, so every index is stable for a given scenario.
Travel times are whole seconds (see :mod:`deploy_opt.units`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from deploy_opt.kinds import (
    NEAREST,
    forced_categories,
    medical_sites,
    police_bases,
)
from deploy_opt.scenario.load import Scenario, name_key
from deploy_opt.scenario.schema import AGENCIES, MEDICAL_KINDS, MedicalTeamsSpec, Rung
from deploy_opt.travel import Points, TravelMatrix, TravelModel
from deploy_opt.travel.subsets import rows_only, within_groups
from deploy_opt.units import minutes_to_seconds, scale_weight

IntArray = npt.NDArray[np.int64]
logger = logging.getLogger("deploy_opt")
#: Agencies staffed per guard group (the others are per TPS).
GROUP_AGENCIES: tuple[str, ...] = ("polri", "tni")


@dataclass(frozen=True)
class CategoryRule:
    """Staffing rule of one risk class, in solver units.

    ``police``, ``tps`` and ``linmas`` are the densest rule; ``ladder`` lists
    every rule the class may use, densest first (just the densest one when the
    scenario gives a single rule). Every rung has the same Linmas per TPS, TNI
    per group and spread limit.
    """

    name: str
    weight: int
    police: int
    tps: int
    linmas: int
    tni: int
    max_group_s: int | None
    ladder: tuple[Rung, ...] = ()

    def __post_init__(self) -> None:
        densest = Rung(self.police, self.tps, self.linmas, self.tni)
        if not self.ladder:
            object.__setattr__(self, "ladder", (densest,))
        elif self.ladder[0] != densest:
            msg = f"category {self.name!r}: ladder must start with its densest rule {densest.text}"
            raise ValueError(msg)

    @property
    def rule(self) -> str:
        """P-T-L text of the densest rule, e.g. ``2-16-32``."""
        return f"{self.police}-{self.tps}-{self.linmas * self.tps}"

    @property
    def max_tps(self) -> int:
        """Most TPS per group on any rung of the ladder."""
        return max(rung.tps for rung in self.ladder)

    def rung_rule(self, rung: int) -> str:
        """P-T-L text of rung ``rung`` of the ladder."""
        return self.ladder[rung].text

    def need(self, agency: str, rung: int = 0) -> int:
        """Personnel of ``agency`` per group (police, TNI) or per TPS (Linmas).

        ``rung`` picks the ladder rule (0, the densest, by default).
        """
        chosen = self.ladder[rung]
        return {"polri": chosen.police, "tni": chosen.tni, "linmas": chosen.linmas}.get(
            agency, 0
        )


@dataclass(frozen=True)
class ProblemData:
    """Everything the solvers need, as arrays indexed by station and base.

    ``travel[agency]`` holds base-to-station seconds, sparse (see
    :func:`_travel_matrices`): police and TNI from their staffed bases within
    the agency's limit, Linmas from each post to the TPS of its own kelurahan,
    medical within :func:`medical_search_s`. ``station_pairs`` holds the police travel
    seconds between stations of the same kecamatan and category, within that
    category's ``max_group_s`` (categories of one TPS per group have none).
    """

    station_ids: tuple[str, ...]
    station_category: IntArray
    station_kecamatan: IntArray
    station_kelurahan: IntArray
    station_kind: tuple[str, ...]
    station_voters: IntArray
    kecamatan_names: tuple[str, ...]
    kelurahan_names: tuple[str, ...]
    kelurahan_kecamatan: IntArray
    categories: tuple[CategoryRule, ...]
    base_ids: tuple[str, ...]
    base_names: tuple[str, ...]
    base_kinds: tuple[str, ...]
    base_kelurahan: IntArray
    headcount: dict[str, IntArray]
    jurisdiction: npt.NDArray[np.bool_]
    travel: dict[str, TravelMatrix]
    travel_limit_s: dict[str, int | None]
    station_pairs: TravelMatrix
    travel_model: str
    input_hash: str
    medical_teams: MedicalTeamsSpec | None = None
    #: Categories (indices) whose groups take TNI without police.
    tni_without_police: tuple[int, ...] = ()
    #: ``None``: jurisdiction is hard. Else a base may serve any kecamatan it
    #: reaches, at this many seconds of extra cost per person outside its own.
    cross_jurisdiction_s: int | None = None
    #: TPS kind rules as given (kind -> ``category``/``police``/``medical``).
    kind_rules: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Restricted TPS -> the only bases whose police may serve it (its kind's rule).
    station_police_bases: dict[int, IntArray] = field(default_factory=dict)
    #: Per TPS: its medical link (:data:`~deploy_opt.kinds.NEAREST`,
    #: ``NEAREST_HOSPITAL`` or a base index); empty = nearest for all.
    station_medical_site: IntArray = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )
    #: Per station, why its police legs (to other TPS and to bases) fall back
    #: to the straight line ("" = road times); empty when the travel model
    #: has no fallback (straight line).
    travel_fallback: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n, m = self.n_stations, self.n_bases
        for name in (
            "station_category",
            "station_kecamatan",
            "station_kelurahan",
            "station_voters",
        ):
            if len(getattr(self, name)) != n:
                msg = (
                    f"`{name}` has {len(getattr(self, name))} entries for {n} stations"
                )
                raise ValueError(msg)
        if self.jurisdiction.shape != (m, len(self.kecamatan_names)):
            msg = "`jurisdiction` must be n_bases x n_kecamatan"
            raise ValueError(msg)
        if self.travel_fallback and len(self.travel_fallback) != n:
            msg = f"`travel_fallback` has {len(self.travel_fallback)} entries for {n} stations"
            raise ValueError(msg)
        for agency, matrix in self.travel.items():
            if matrix.shape != (m, n):
                msg = f"travel[{agency!r}] is {matrix.shape}, expected {(m, n)}"
                raise ValueError(msg)
        for agency, counts in self.headcount.items():
            if len(counts) != m or (counts < 0).any():
                msg = f"headcount[{agency!r}] must be {m} non-negative counts"
                raise ValueError(msg)
        for array in (
            self.station_category,
            self.station_kecamatan,
            self.station_kelurahan,
            self.station_voters,
            self.kelurahan_kecamatan,
            self.base_kelurahan,
            self.jurisdiction,
            *self.headcount.values(),
        ):
            array.flags.writeable = False

    @property
    def n_stations(self) -> int:
        """Number of polling stations."""
        return len(self.station_ids)

    @property
    def n_bases(self) -> int:
        """Number of bases."""
        return len(self.base_ids)

    def may_serve(self, bases: IntArray, kecamatan: IntArray) -> npt.NDArray[np.bool_]:
        """``bases`` x ``kecamatan``: may the base serve there at all?

        Its jurisdiction when hard; everywhere when penalised (the travel
        limit still applies, and crossing costs ``cross_jurisdiction_s``).
        """
        if self.cross_jurisdiction_s is not None:
            return np.ones((len(bases), len(kecamatan)), dtype=bool)
        return self.jurisdiction[np.ix_(bases, kecamatan)]

    def medical_site(self, station: int) -> int:
        """The medical link rule of ``station`` (see ``station_medical_site``)."""
        if len(self.station_medical_site) == 0:
            return NEAREST
        return int(self.station_medical_site[station])

    @property
    def medical_bases(self) -> IntArray:
        """Indices of the bases that are medical facilities."""
        return np.asarray(
            [i for i, kind in enumerate(self.base_kinds) if kind in MEDICAL_KINDS],
            dtype=np.int64,
        )


def _category_rules(scenario: Scenario) -> tuple[CategoryRule, ...]:
    rules = []
    for name, spec in scenario.spec.categories.items():
        rules.append(
            CategoryRule(
                name=name,
                weight=scale_weight(spec.weight),
                police=int(spec.police or 0),
                tps=int(spec.tps or 1),
                linmas=int(spec.linmas or 0),
                tni=int(spec.tni),
                max_group_s=(
                    None
                    if spec.max_group_minutes is None
                    else minutes_to_seconds(spec.max_group_minutes)
                ),
                ladder=tuple(spec.ladder),
            )
        )
    return tuple(rules)


def _points(frame: object, ids: list[str]) -> Points:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    return Points(
        tuple(ids),
        frame["x"].to_numpy(np.float64),
        frame["y"].to_numpy(np.float64),
        frame["lon"].to_numpy(np.float64),
        frame["lat"].to_numpy(np.float64),
    )


def build_problem(scenario: Scenario, travel_model: TravelModel) -> ProblemData:
    """Turn a validated scenario into :class:`ProblemData` using ``travel_model``."""
    stations = scenario.stations.sort_values("id", kind="stable").reset_index(drop=True)
    bases = scenario.bases.sort_values("id", kind="stable").reset_index(drop=True)
    categories = _category_rules(scenario)
    category_index = {rule.name: i for i, rule in enumerate(categories)}

    kecamatan_keys = sorted({name_key(k) for k in stations["kecamatan"]})
    display: dict[str, str] = {}
    for name in stations["kecamatan"]:
        display.setdefault(name_key(name), name)
    kec_index = {key: i for i, key in enumerate(kecamatan_keys)}
    kel_keys = sorted(
        {
            (name_key(c), name_key(k))
            for c, k in zip(stations["kecamatan"], stations["kelurahan"], strict=True)
        }
    )
    kel_display: dict[tuple[str, str], str] = {}
    for c, k in zip(stations["kecamatan"], stations["kelurahan"], strict=True):
        kel_display.setdefault((name_key(c), name_key(k)), k)
    kel_index = {key: i for i, key in enumerate(kel_keys)}

    station_kec = np.array(
        [kec_index[name_key(k)] for k in stations["kecamatan"]], dtype=np.int64
    )
    station_kel = np.array(
        [
            kel_index[(name_key(c), name_key(k))]
            for c, k in zip(stations["kecamatan"], stations["kelurahan"], strict=True)
        ],
        dtype=np.int64,
    )
    base_kel = np.array(
        [
            kel_index.get((name_key(c), name_key(k)), -1) if k else -1
            for c, k in zip(bases["kecamatan"], bases["kelurahan"], strict=True)
        ],
        dtype=np.int64,
    )
    jurisdiction = np.ones((len(bases), len(kecamatan_keys)), dtype=bool)
    for row, places in enumerate(bases["jurisdiction"]):
        if places:
            jurisdiction[row] = False
            for place in places:
                if name_key(place) in kec_index:
                    jurisdiction[row, kec_index[name_key(place)]] = True

    station_points = _points(stations, list(stations["id"]))
    base_points = _points(bases, list(bases["id"]))
    limits = {
        agency: (
            None if spec.max_minutes is None else minutes_to_seconds(spec.max_minutes)
        )
        for agency, spec in scenario.spec.travel.agencies.items()
    }
    teams = scenario.spec.medical_teams
    started = time.monotonic()
    travel = _travel_matrices(
        travel_model,
        base_points,
        station_points,
        {agency: bases[agency].to_numpy(np.int64) for agency in GROUP_AGENCIES},
        limits,
        None if teams is None else minutes_to_seconds(teams.threshold_minutes),
        (base_kel, station_kel),
    )
    kinds = scenario.spec.kinds
    station_kind = tuple(stations["kind"])
    station_category = np.array(
        [
            category_index[c]
            for c in forced_categories(kinds, station_kind, list(stations["category"]))
        ],
        dtype=np.int64,
    )
    travel_s = time.monotonic() - started
    pairs = _station_pairs(
        station_points, station_kec, station_category, categories, travel_model
    )
    logger.info(
        "travel times (%s): bases to TPS %.1f s, %s pairs stored; TPS pairs %.1f s, %s stored",
        travel_model.name,
        travel_s,
        f"{sum(m.seconds.nnz for m in travel.values()):,}",
        time.monotonic() - started - travel_s,
        f"{pairs.seconds.nnz:,}",
    )
    # road models flag the TPS whose legs fall back to the straight line
    fallback = getattr(travel_model, "fallback", None)
    travel_fallback = (
        () if fallback is None else fallback(station_points, "polri").reasons
    )
    return ProblemData(
        station_ids=tuple(stations["id"]),
        station_category=station_category,
        station_kecamatan=station_kec,
        station_kelurahan=station_kel,
        station_kind=station_kind,
        station_voters=stations["voters"].to_numpy(np.int64),
        kecamatan_names=tuple(display[k] for k in kecamatan_keys),
        kelurahan_names=tuple(f"{kel_display[k]} ({display[k[0]]})" for k in kel_keys),
        kelurahan_kecamatan=np.array(
            [kec_index[c] for c, _ in kel_keys], dtype=np.int64
        ),
        categories=categories,
        base_ids=tuple(bases["id"]),
        base_names=tuple(bases["name"]),
        base_kinds=tuple(bases["kind"]),
        base_kelurahan=base_kel,
        headcount={agency: bases[agency].to_numpy(np.int64) for agency in AGENCIES},
        jurisdiction=jurisdiction,
        travel=travel,
        travel_limit_s=limits,
        station_pairs=pairs,
        travel_fallback=travel_fallback,
        travel_model=travel_model.name,
        input_hash=scenario.input_hash,
        medical_teams=scenario.spec.medical_teams,
        tni_without_police=tuple(
            sorted(
                category_index[name]
                for name in set(scenario.spec.solver.tni_without_police)
            )
        ),
        **_kind_fields(scenario, stations, station_kec, bases, jurisdiction),
    )


class _KindFields(TypedDict):
    cross_jurisdiction_s: int | None
    kind_rules: dict[str, dict[str, str]]
    station_police_bases: dict[int, IntArray]
    station_medical_site: IntArray


def _kind_fields(
    scenario: Scenario,
    stations: object,
    station_kec: IntArray,
    bases: object,
    jurisdiction: npt.NDArray[np.bool_],
) -> _KindFields:
    """ProblemData fields of the jurisdiction mode and the TPS kind rules.

    ``stations`` and ``bases`` are the tables sorted by id.
    """
    import pandas as pd

    assert isinstance(bases, pd.DataFrame)
    assert isinstance(stations, pd.DataFrame)
    solver = scenario.spec.solver
    kinds = scenario.spec.kinds
    penalty = solver.cross_jurisdiction_penalty_minutes
    station_kind = list(stations["kind"])
    hosts = list(stations["host"]) if "host" in stations else [""] * len(stations)
    base_ids = list(bases["id"])
    return {
        "cross_jurisdiction_s": (
            None
            if solver.jurisdiction == "hard" or penalty is None
            else minutes_to_seconds(penalty)
        ),
        "kind_rules": {
            name: {
                "category": rule.category or "",
                "police": rule.police,
                "medical": rule.medical,
            }
            for name, rule in kinds.items()
        },
        "station_police_bases": police_bases(
            kinds,
            station_kind,
            station_kec,
            base_ids,
            list(bases["kind"]),
            jurisdiction,
        ),
        "station_medical_site": medical_sites(kinds, station_kind, hosts, base_ids)
        if kinds
        else np.zeros(0, dtype=np.int64),
    }


def medical_search_s(limit_s: int | None, team_threshold_s: int | None) -> int:
    """Longest ambulance trip kept: twice the medical limit or team threshold,
    at least 30 min beyond it (60 min when neither is set).

    Generous so that a TPS beyond the limit still reports its nearest
    facility; one with no facility even within this radius reports none.
    """
    reference = max(limit_s or 0, team_threshold_s or 0)
    if reference == 0:
        return 3600
    return max(2 * reference, reference + 1800)


def _travel_matrices(
    travel_model: TravelModel,
    bases: Points,
    stations: Points,
    headcount: dict[str, IntArray],
    limits: dict[str, int | None],
    team_threshold_s: int | None,
    kelurahan: tuple[IntArray, IntArray],
) -> dict[str, TravelMatrix]:
    """Base-to-station seconds per agency, never a dense base x TPS matrix.

    Police and TNI: only bases with personnel of the agency (``headcount``),
    within its limit (groups take no base beyond it). Linmas: each post only
    to the TPS of its own kelurahan (``kelurahan``: of each base, of each
    station), the only ones it serves. Medical: within :func:`medical_search_s`
    (nearest facility, team sites, response times).
    """
    travel = {}
    for agency in AGENCIES:
        if agency in GROUP_AGENCIES:
            staffed = np.flatnonzero(headcount[agency] > 0)
            travel[agency] = rows_only(
                travel_model, bases, stations, staffed, agency, limits[agency]
            )
        elif agency == "linmas":
            travel[agency] = within_groups(
                travel_model, bases, stations, *kelurahan, agency
            )
        else:
            search = medical_search_s(limits[agency], team_threshold_s)
            travel[agency] = travel_model.matrix(bases, stations, agency, search)
    return travel


def _station_pairs(
    points: Points,
    kecamatan: IntArray,
    category: IntArray,
    categories: tuple[CategoryRule, ...],
    travel_model: TravelModel,
) -> TravelMatrix:
    """Police travel seconds between stations that could share a group.

    On a road network, a pair with a TPS far from the roads or near only a
    road island takes the straight-line time where shorter (the model's
    fallback, :mod:`deploy_opt.travel.fallback`), so such a TPS is grouped
    with its neighbours instead of alone.
    """
    n = len(points)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    data: list[IntArray] = []
    for c, rule in enumerate(categories):
        if rule.max_tps <= 1:
            continue
        for k in np.unique(kecamatan[category == c]):
            cell = np.flatnonzero((category == c) & (kecamatan == k))
            sub = points.subset(cell)
            coo = travel_model.matrix(
                sub, sub, "polri", rule.max_group_s
            ).seconds.tocoo()
            rows.append(cell[coo.row])
            cols.append(cell[coo.col])
            data.append(coo.data.astype(np.int64))
    if rows:
        matrix = sp.csr_array(
            (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n, n),
        )
    else:
        matrix = sp.csr_array((n, n), dtype=np.int64)
    matrix.sort_indices()
    return TravelMatrix(matrix, None, travel_model.name)
