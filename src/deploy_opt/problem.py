"""ProblemData: the immutable, solver-ready form of a scenario.

Only integers and arrays live here: no geopandas, no file names. Stations and
bases are sorted by their ids, so every index is stable for a given scenario.
Travel times are whole seconds (see :mod:`deploy_opt.units`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from deploy_opt.scenario.load import Scenario, name_key
from deploy_opt.scenario.schema import AGENCIES, MEDICAL_KINDS, MedicalTeamsSpec, Rung
from deploy_opt.travel import Points, TravelMatrix, TravelModel
from deploy_opt.units import minutes_to_seconds, scale_weight

IntArray = npt.NDArray[np.int64]
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

    ``travel[agency]`` holds base-to-station seconds within that agency's limit
    (Linmas and medical: no cutoff). ``station_pairs`` holds the police travel
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
    # Groups only take bases within the limit; medical and Linmas times are
    # needed in full (nearest facility, walking time from the kelurahan post).
    travel = {
        agency: travel_model.matrix(
            base_points,
            station_points,
            agency,
            limits[agency] if agency in GROUP_AGENCIES else None,
        )
        for agency in AGENCIES
    }
    station_category = np.array(
        [category_index[c] for c in stations["category"]], dtype=np.int64
    )
    pairs = _station_pairs(
        station_points, station_kec, station_category, categories, travel_model
    )
    return ProblemData(
        station_ids=tuple(stations["id"]),
        station_category=station_category,
        station_kecamatan=station_kec,
        station_kelurahan=station_kel,
        station_kind=tuple(stations["kind"]),
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
        travel_model=travel_model.name,
        input_hash=scenario.input_hash,
        medical_teams=scenario.spec.medical_teams,
        tni_without_police=tuple(
            sorted(
                category_index[name]
                for name in set(scenario.spec.solver.tni_without_police)
            )
        ),
    )


def _station_pairs(
    points: Points,
    kecamatan: IntArray,
    category: IntArray,
    categories: tuple[CategoryRule, ...],
    travel_model: TravelModel,
) -> TravelMatrix:
    """Police travel seconds between stations that could share a group."""
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
