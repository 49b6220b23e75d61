"""Typed schema of the scenario YAML (format version 1).

Pure data: no file access here. ``load.py`` reads the YAML, validates it against
these models and turns pydantic's errors into :class:`~deploy_opt.errors.Issue`
objects with key paths and line numbers. The format is documented in
``docs/scenario.md``.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

AGENCIES: tuple[str, ...] = ("polri", "tni", "linmas", "medis")
"""Personnel agencies known to the planner, in report order."""

BASE_KINDS: tuple[str, ...] = (
    "polres",
    "polsek",
    "kodim",
    "koramil",
    "kelurahan",
    "puskesmas",
    "hospital",
    "other",
)
MEDICAL_KINDS: frozenset[str] = frozenset({"puskesmas", "hospital"})

STATION_FIELDS: tuple[str, ...] = (
    "id",
    "lon",
    "lat",
    "kelurahan",
    "kecamatan",
    "category",
    "voters",
    "kind",
)
STATION_REQUIRED: frozenset[str] = frozenset(
    {"id", "lon", "lat", "kelurahan", "kecamatan", "category"}
)
BASE_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "kind",
    "lon",
    "lat",
    "kecamatan",
    "kelurahan",
    "jurisdiction",
    *AGENCIES,
)
BASE_REQUIRED: frozenset[str] = frozenset({"id", "kind", "lon", "lat"})

PositiveInt = Annotated[int, Field(gt=0)]
NonNegInt = Annotated[int, Field(ge=0)]
PositiveFloat = Annotated[float, Field(gt=0)]
# Upper bounds keep typos (an extra zero or ten) from reaching the solvers.
PerGroup = Annotated[int, Field(ge=0, le=1000)]
Minutes = Annotated[float, Field(gt=0, le=24 * 60)]
Speed = Annotated[float, Field(gt=0, le=300)]
Seconds = Annotated[float, Field(gt=0, le=7 * 24 * 3600)]


def _known_crs(value: str | None) -> str | None:
    """Accept a CRS that pyproj knows (``EPSG:4326``, ``OGC:CRS84``, WKT, ...)."""
    if value is None:
        return None
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(value)
    except CRSError:
        msg = f"unknown CRS {value!r}; write it like 'EPSG:4326' or 'EPSG:32748'"
        raise ValueError(msg) from None
    return value


def _metric_crs(value: str | None) -> str | None:
    """A projected CRS with metres, for distances."""
    if _known_crs(value) is None:
        return None
    from pyproj import CRS

    crs = CRS.from_user_input(value)
    units = {axis.unit_name for axis in crs.axis_info}
    if not crs.is_projected or not units <= {"metre", "meter"}:
        msg = (
            f"{value!r} is not a projected CRS in metres (for UTM 48S use 'EPSG:32748')"
        )
        raise ValueError(msg)
    return value


_PATTERN_RE = re.compile(r"^\s*(\d+)\s*[-:]\s*(\d+)\s*[-:]\s*(\d+)\s*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class CategorySpec(_Strict):
    """A risk class: its priority weight and its staffing rule.

    The rule is given with named fields (``police`` officers per group, ``tps``
    per group, ``linmas`` per TPS, ``tni`` per group) or as a ``pattern`` string
    together with ``pattern_order`` (``"P-T-L"`` or ``"P-L-T"``), where L is the
    Linmas of the whole group.
    """

    weight: Annotated[float, Field(gt=0, le=1e6)]
    police: PerGroup | None = None
    tps: Annotated[int, Field(gt=0, le=1000)] | None = None
    linmas: PerGroup | None = None
    tni: PerGroup = 0
    max_group_minutes: Minutes | None = None
    pattern: str | None = None
    pattern_order: Literal["P-T-L", "P-L-T"] | None = None
    description: str = ""

    @model_validator(mode="after")
    def _resolve_pattern(self) -> CategorySpec:
        if self.pattern is None:
            missing = [
                name
                for name in ("police", "tps", "linmas")
                if getattr(self, name) is None
            ]
            if missing:
                msg = (
                    f"missing {', '.join(missing)}: give `police`, `tps` and "
                    "`linmas`, or a `pattern` with its `pattern_order`"
                )
                raise ValueError(msg)
            return self
        if self.pattern_order is None:
            msg = (
                f"pattern {self.pattern!r} needs `pattern_order` (P-T-L or P-L-T): "
                "the order of the three numbers differs between years and units"
            )
            raise ValueError(msg)
        match = _PATTERN_RE.match(self.pattern)
        if match is None:
            msg = f"pattern {self.pattern!r} is not three numbers like '2-16-32'"
            raise ValueError(msg)
        first, second, third = (int(g) for g in match.groups())
        police, tps, linmas_group = (
            (first, second, third)
            if self.pattern_order == "P-T-L"
            else (first, third, second)
        )
        if tps == 0:
            msg = f"pattern {self.pattern!r} secures 0 TPS per group"
            raise ValueError(msg)
        if linmas_group % tps:
            msg = (
                f"pattern {self.pattern!r} gives {linmas_group} Linmas for {tps} TPS, "
                "not a whole number per TPS; give `linmas` per TPS instead"
            )
            raise ValueError(msg)
        for name, value in (
            ("police", police),
            ("tps", tps),
            ("linmas", linmas_group // tps),
        ):
            given = getattr(self, name)
            if given is not None and given != value:
                msg = f"`{name}: {given}` contradicts pattern {self.pattern!r}"
                raise ValueError(msg)
        object.__setattr__(self, "police", police)
        object.__setattr__(self, "tps", tps)
        object.__setattr__(self, "linmas", linmas_group // tps)
        return self

    @property
    def rule(self) -> str:
        """The rule as a P-T-L string with TNI, e.g. ``2-16-32 +1 TNI``."""
        tps = self.tps or 0
        text = f"{self.police}-{tps}-{(self.linmas or 0) * tps}"
        return f"{text} +{self.tni} TNI" if self.tni else text


class TableSource(_Strict):
    """A table of points: CSV (lon/lat columns) or a GIS file geopandas reads."""

    file: str
    columns: dict[str, str] = Field(default_factory=dict)
    defaults: dict[str, str | int | float] = Field(default_factory=dict)
    layer: str | None = None
    crs: str | None = None
    encoding: str = "utf-8"

    _crs_known = field_validator("crs")(classmethod(lambda cls, v: _known_crs(v)))

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        import codecs

        try:
            codecs.lookup(value)
        except LookupError:
            msg = f"unknown encoding {value!r}; e.g. 'utf-8', 'latin-1', 'cp1252'"
            raise ValueError(msg) from None
        return value


class StationsSpec(TableSource):
    """Where the polling stations come from and how columns map to fields."""

    @field_validator("columns")
    @classmethod
    def _known_station_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(STATION_FIELDS))
        if unknown:
            msg = f"unknown field(s) {unknown}; known: {list(STATION_FIELDS)}"
            raise ValueError(msg)
        return value


class BaseSourceSpec(TableSource):
    """A table of bases (Polsek, Koramil, kelurahan Linmas posts, medical sites)."""

    @field_validator("columns", "defaults")
    @classmethod
    def _known_base_fields(cls, value: dict[str, object]) -> dict[str, object]:
        unknown = sorted(set(value) - set(BASE_FIELDS))
        if unknown:
            msg = f"unknown field(s) {unknown}; known: {list(BASE_FIELDS)}"
            raise ValueError(msg)
        return value


ROAD_MODES: tuple[str, ...] = ("walk", "motorbike", "car", "ambulance")


class AgencyTravelSpec(_Strict):
    """How one agency travels: speed or road mode, and the longest trip allowed.

    ``speed_kmh`` is used by the straight-line model; ``mode`` (a built-in road
    mode) and optional ``speeds`` per road class by the road-network model.
    """

    speed_kmh: Speed | None = None
    mode: Literal["walk", "motorbike", "car", "ambulance"] | None = None
    speeds: dict[str, Annotated[float, Field(ge=0, le=300)]] = Field(
        default_factory=dict
    )
    max_minutes: Minutes | None = None


class NetworkSpec(_Strict):
    """A road network: a line layer with OSM ``highway`` classes, or osmnx GraphML."""

    file: str
    layer: str | None = None
    crs: str | None = None

    _crs_known = field_validator("crs")(classmethod(lambda cls, v: _known_crs(v)))
    profile: str | None = None
    snap_threshold_m: Annotated[float, Field(gt=0, le=100_000)] = 250.0
    cache_dir: str | None = None


class TravelSpec(_Strict):
    """Travel-time model: straight line x detour factor / speed, or a road network."""

    model: Literal["straight_line", "road_network"] = "straight_line"
    detour_factor: Annotated[float, Field(ge=1.0, le=5.0)] = 1.4
    network: NetworkSpec | None = None
    agencies: dict[str, AgencyTravelSpec]

    @field_validator("agencies")
    @classmethod
    def _known_agencies(
        cls, value: dict[str, AgencyTravelSpec]
    ) -> dict[str, AgencyTravelSpec]:
        unknown = sorted(set(value) - set(AGENCIES))
        if unknown:
            msg = f"unknown agency {unknown}; known: {list(AGENCIES)}"
            raise ValueError(msg)
        missing = sorted(set(AGENCIES) - set(value))
        if missing:
            msg = f"missing agency {missing}: every agency needs a speed"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _model_settings(self) -> TravelSpec:
        if self.model == "road_network":
            if self.network is None:
                msg = "`model: road_network` needs a `network` with its `file`"
                raise ValueError(msg)
            lacking = sorted(
                a for a, spec in self.agencies.items() if spec.mode is None
            )
            if lacking:
                msg = (
                    f"agencies {lacking} need a road `mode` (one of {list(ROAD_MODES)})"
                )
                raise ValueError(msg)
        else:
            lacking = sorted(
                a for a, spec in self.agencies.items() if spec.speed_kmh is None
            )
            if lacking:
                msg = f"agencies {lacking} need `speed_kmh` for the straight-line model"
                raise ValueError(msg)
        return self


class DistrictSpec(_Strict):
    """The area of the plan: polygons every TPS and base must lie in."""

    boundary: str
    layer: str | None = None
    name_field: str | None = None
    tolerance_m: Annotated[float, Field(ge=0, le=100_000)] = 100.0


class SolverSpec(_Strict):
    """Solver settings; the CLI options override them."""

    time_limit_s: Seconds = 30.0
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    min_police_per_group: PerGroup = 2
    grouping_refine_s: Annotated[float, Field(ge=0, le=7 * 24 * 3600)] = 0.0


class MedicalTeamsSpec(_Strict):
    """Where mobile medical teams stand so that TPS are reached fast.

    ``model`` is ``mclp`` (cover the most risk- and voter-weighted TPS within
    ``threshold_minutes``), ``p_median`` (least weighted total response time)
    or ``p_center`` (smallest worst response time). Candidate sites are the
    bases of the listed kinds.
    """

    teams: Annotated[int, Field(gt=0, le=100_000)]
    model: Literal["mclp", "p_median", "p_center"] = "mclp"
    threshold_minutes: Minutes = 10.0
    candidates: list[
        Literal["puskesmas", "hospital", "kelurahan", "polsek", "koramil", "other"]
    ] = Field(default_factory=lambda: ["puskesmas", "hospital", "kelurahan"])
    time_limit_s: Seconds = 20.0


class PublishedFigure(_Strict):
    """A published headcount to compare the plan with (e.g. a news report)."""

    count: NonNegInt
    source: str = ""


class ScenarioSpec(_Strict):
    """The whole scenario YAML."""

    schema_version: Literal[1] = 1
    name: str
    description: str = ""
    crs: str = "EPSG:4326"
    projected_crs: str | None = None
    district: DistrictSpec | None = None

    _crs_known = field_validator("crs")(classmethod(lambda cls, v: _known_crs(v)))
    _crs_metric = field_validator("projected_crs")(
        classmethod(lambda cls, v: _metric_crs(v))
    )
    stations: StationsSpec
    categories: dict[str, CategorySpec]
    bases: list[BaseSourceSpec]
    travel: TravelSpec
    solver: SolverSpec = Field(default_factory=SolverSpec)
    published: dict[str, PublishedFigure] = Field(default_factory=dict)
    medical_teams: MedicalTeamsSpec | None = None

    @field_validator("published")
    @classmethod
    def _published_agencies(
        cls, value: dict[str, PublishedFigure]
    ) -> dict[str, PublishedFigure]:
        unknown = sorted(set(value) - set(AGENCIES))
        if unknown:
            msg = f"unknown agency {unknown}; known: {list(AGENCIES)}"
            raise ValueError(msg)
        return value

    @field_validator("categories")
    @classmethod
    def _some_categories(
        cls, value: dict[str, CategorySpec]
    ) -> dict[str, CategorySpec]:
        if not value:
            msg = "at least one risk category is needed"
            raise ValueError(msg)
        return value

    @field_validator("bases")
    @classmethod
    def _some_bases(cls, value: list[BaseSourceSpec]) -> list[BaseSourceSpec]:
        if not value:
            msg = "at least one base table is needed"
            raise ValueError(msg)
        return value
