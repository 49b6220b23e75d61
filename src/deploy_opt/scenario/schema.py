"""Typed schema of the scenario YAML (format version 1).

Pure data: no file access here. ``load.py`` reads the YAML, validates it against
these models and turns pydantic's errors into :class:`~deploy_opt.errors.Issue`
objects with key paths and line numbers. The format is documented in
``docs/scenario.md``.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

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
    "host",
    "number",
    "address",
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
#: Fields of a personnel table: NRP (or NIP/NIK), name, rank, base, agency, phone.
PERSONNEL_FIELDS: tuple[str, ...] = ("id", "name", "rank", "unit", "agency", "phone")

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
#: Largest officers, TPS or Linmas per TPS in one rule (as for the named fields).
_RULE_MAX = 1000


class Rung(NamedTuple):
    """One staffing rule of a ladder: police and TPS per group, Linmas per TPS.

    ``tni`` per group is the category's (the same on every rung).
    """

    police: int
    tps: int
    linmas: int
    tni: int = 0

    @property
    def text(self) -> str:
        """P-T-L text, e.g. ``2-16-32``."""
        return f"{self.police}-{self.tps}-{self.linmas * self.tps}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class RuleSpec(_Strict):
    """One rule of a category's ladder in named fields (see ``CategorySpec.rules``)."""

    police: PerGroup
    tps: Annotated[int, Field(gt=0, le=_RULE_MAX)]
    linmas: PerGroup


def _parse_pattern(text: str, order: str) -> Rung:
    """Police, TPS and Linmas per TPS of a pattern like ``2-16-32`` in ``order``.

    Raises ValueError with a message a planner can act on.
    """
    match = _PATTERN_RE.match(text)
    if match is None:
        msg = f"pattern {text!r} is not three numbers like '2-16-32'"
        raise ValueError(msg)
    # at most 7 digits before int(): no huge numbers, no int-conversion limits
    first, second, third = (
        int(g) if len(g.lstrip("0")) <= 7 else 10**7 for g in match.groups()
    )
    police, tps, linmas_group = (
        (first, second, third) if order == "P-T-L" else (first, third, second)
    )
    if tps == 0:
        msg = f"pattern {text!r} secures 0 TPS per group"
        raise ValueError(msg)
    for name, value in (("police", police), ("TPS", tps)):
        if value > _RULE_MAX:
            msg = (
                f"pattern {text!r} asks {value:,} {name} per group; "
                f"at most {_RULE_MAX:,} (a typo?)"
            )
            raise ValueError(msg)
    if linmas_group % tps:
        msg = (
            f"pattern {text!r} gives {linmas_group} Linmas for {tps} TPS, "
            "not a whole number per TPS; give `linmas` per TPS instead"
        )
        raise ValueError(msg)
    if linmas_group // tps > _RULE_MAX:
        msg = f"pattern {text!r} asks {linmas_group // tps:,} Linmas per TPS; at most {_RULE_MAX:,}"
        raise ValueError(msg)
    return Rung(police, tps, linmas_group // tps)


def _check_ladder(ladder: tuple[Rung, ...], key: str) -> None:
    """Densest rule first, no repeats, the same Linmas per TPS on every rule.

    A later (looser) rule must group at least as many TPS and need at most as
    many police per TPS as the one before, so each step down the ladder frees
    officers; Linmas are per TPS and come from the TPS's own kelurahan, so the
    ladder cannot trade them.
    """
    for i, rung in enumerate(ladder):
        for j, earlier in enumerate(ladder[:i]):
            if rung == earlier:
                msg = f"{key}[{i}] repeats {key}[{j}] ({rung.text})"
                raise ValueError(msg)
        if i == 0:
            continue
        prev = ladder[i - 1]
        if rung.tps < prev.tps or rung.police * prev.tps > prev.police * rung.tps:
            msg = (
                f"{key}[{i}] {rung.text} is denser than {key}[{i - 1}] {prev.text}: "
                "list the rules densest first (TPS per group never fewer, police "
                "per TPS never more), so that each step down the ladder needs "
                "fewer police"
            )
            raise ValueError(msg)
        if rung.linmas != prev.linmas:
            msg = (
                f"{key}[{i}] {rung.text} gives {rung.linmas} Linmas per TPS, "
                f"{key}[{i - 1}] {prev.text} gives {prev.linmas}: every rule of a "
                "ladder needs the same Linmas per TPS (the ladder trades police)"
            )
            raise ValueError(msg)


class CategorySpec(_Strict):
    """A risk class: its priority weight and its staffing rule or ladder of rules.

    The rule is given with named fields (``police`` officers per group, ``tps``
    per group, ``linmas`` per TPS, ``tni`` per group) or as a ``pattern`` string
    together with ``pattern_order`` (``"P-T-L"`` or ``"P-L-T"``), where L is the
    Linmas of the whole group. A ladder lists several rules, densest first: a
    list of patterns, or ``rules`` (a list of ``{police, tps, linmas}``); the
    solver uses the densest rule the personnel allow. ``police``, ``tps`` and
    ``linmas`` then hold the densest rule; ``ladder`` holds them all.
    """

    weight: Annotated[float, Field(gt=0, le=1e6)]
    police: PerGroup | None = None
    tps: Annotated[int, Field(gt=0, le=_RULE_MAX)] | None = None
    linmas: PerGroup | None = None
    tni: PerGroup = 0
    max_group_minutes: Minutes | None = None
    pattern: str | list[str] | None = None
    pattern_order: Literal["P-T-L", "P-L-T"] | None = None
    rules: list[RuleSpec] | None = None
    description: str = ""

    _rungs: tuple[Rung, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _resolve_pattern(self) -> CategorySpec:
        ladder = self._parse_ladder()
        _check_ladder(ladder, "rules" if self.rules is not None else "pattern")
        densest = ladder[0]
        if self.pattern is not None:
            for name in ("police", "tps", "linmas"):
                given = getattr(self, name)
                if given is not None and given != getattr(densest, name):
                    msg = f"`{name}: {given}` contradicts pattern {self.pattern!r}"
                    raise ValueError(msg)
        object.__setattr__(self, "police", densest.police)
        object.__setattr__(self, "tps", densest.tps)
        object.__setattr__(self, "linmas", densest.linmas)
        self._rungs = tuple(rung._replace(tni=self.tni) for rung in ladder)
        return self

    def _parse_ladder(self) -> tuple[Rung, ...]:
        """The rules as given, densest first (not yet checked for order)."""
        if self.rules is not None:
            given = [
                name
                for name in ("pattern", "police", "tps", "linmas")
                if getattr(self, name) is not None
            ]
            if given:
                msg = f"give the rule either as `rules` or as {', '.join(given)}, not both"
                raise ValueError(msg)
            if not self.rules:
                msg = "`rules` lists no rule; give at least one"
                raise ValueError(msg)
            return tuple(Rung(r.police, r.tps, r.linmas) for r in self.rules)
        if self.pattern is None:
            missing = [
                name
                for name in ("police", "tps", "linmas")
                if getattr(self, name) is None
            ]
            if missing:
                msg = (
                    f"missing {', '.join(missing)}: give `police`, `tps` and "
                    "`linmas`, a `pattern` with its `pattern_order`, or `rules`"
                )
                raise ValueError(msg)
            return (
                Rung(int(self.police or 0), int(self.tps or 1), int(self.linmas or 0)),
            )
        if self.pattern_order is None:
            msg = (
                f"pattern {self.pattern!r} needs `pattern_order` (P-T-L or P-L-T): "
                "the order of the three numbers differs between years and units"
            )
            raise ValueError(msg)
        if isinstance(self.pattern, str):
            return (_parse_pattern(self.pattern, self.pattern_order),)
        if not self.pattern:
            msg = "`pattern` lists no rule; give at least one, e.g. '2-16-32'"
            raise ValueError(msg)
        ladder = []
        for i, text in enumerate(self.pattern):
            try:
                ladder.append(_parse_pattern(text, self.pattern_order))
            except ValueError as exc:
                msg = f"pattern[{i}]: {exc}"
                raise ValueError(msg) from None
        return tuple(ladder)

    @property
    def ladder(self) -> tuple[Rung, ...]:
        """Every rule of the class, densest first (one for a single rule)."""
        return self._rungs

    @property
    def rule(self) -> str:
        """The densest rule as a P-T-L string with TNI, e.g. ``2-16-32 +1 TNI``."""
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


class PersonnelSourceSpec(TableSource):
    """A CSV table of named personnel that fills the roster slots of its units.

    ``defaults: {unit: BASE_ID}`` makes it the table of one unit; the format is
    documented in ``docs/scenario.md`` (section ``personnel``).
    """

    @field_validator("columns", "defaults")
    @classmethod
    def _known_personnel_fields(cls, value: dict[str, object]) -> dict[str, object]:
        unknown = sorted(set(value) - set(PERSONNEL_FIELDS))
        if unknown:
            msg = f"unknown field(s) {unknown}; known: {list(PERSONNEL_FIELDS)}"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _csv_only(self) -> PersonnelSourceSpec:
        if self.layer is not None or self.crs is not None:
            msg = "a personnel table has no `layer` or `crs` (it is a CSV table)"
            raise ValueError(msg)
        if not self.file.lower().endswith((".csv", ".txt", ".tsv")):
            msg = (
                f"{self.file!r}: a personnel table is a CSV file (.csv, .txt, "
                ".tsv); save the spreadsheet as CSV"
            )
            raise ValueError(msg)
        return self


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
    #: Attributes of the boundary polygons naming each one's kecamatan and
    #: kelurahan; when both are given, every TPS's kelurahan is checked to lie
    #: in its kecamatan.
    kecamatan_field: str | None = None
    kelurahan_field: str | None = None
    tolerance_m: Annotated[float, Field(ge=0, le=100_000)] = 100.0

    @model_validator(mode="after")
    def _both_place_fields(self) -> DistrictSpec:
        if (self.kecamatan_field is None) != (self.kelurahan_field is None):
            msg = "give both `kecamatan_field` and `kelurahan_field`, or neither"
            raise ValueError(msg)
        return self


class SolverSpec(_Strict):
    """Solver settings; the CLI options override them."""

    time_limit_s: Seconds = 30.0
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    min_police_per_group: PerGroup = 2
    grouping_refine_s: Annotated[float, Field(ge=0, le=7 * 24 * 3600)] = 0.0
    #: Categories whose groups take TNI even where no police are staffed
    #: (elsewhere TNI support police groups and do not replace them).
    tni_without_police: list[str] = Field(default_factory=list)
    #: ``hard``: police and TNI serve only the kecamatan of their base's
    #: jurisdiction; ``penalised``: a base may also serve any kecamatan it
    #: reaches within the travel limit, at ``cross_jurisdiction_penalty_minutes``
    #: extra cost per person (added to travel, below any coverage).
    jurisdiction: Literal["hard", "penalised"] = "hard"
    cross_jurisdiction_penalty_minutes: (
        Annotated[float, Field(ge=0, le=24 * 60)] | None
    ) = None

    @model_validator(mode="after")
    def _penalty_with_mode(self) -> SolverSpec:
        penalty = self.cross_jurisdiction_penalty_minutes
        if self.jurisdiction == "penalised" and penalty is None:
            msg = (
                "`jurisdiction: penalised` needs `cross_jurisdiction_penalty_minutes`: "
                "the extra cost, in minutes of travel per person, of serving outside "
                "the base's jurisdiction (e.g. 30)"
            )
            raise ValueError(msg)
        if self.jurisdiction == "hard" and penalty is not None:
            msg = (
                "`cross_jurisdiction_penalty_minutes` applies only with "
                "`jurisdiction: penalised` (the default `hard` never crosses)"
            )
            raise ValueError(msg)
        return self


#: Police rules of a TPS kind besides a base id.
KIND_POLICE: tuple[str, ...] = ("any", "own_polsek")
#: Medical rules of a TPS kind besides a base id.
KIND_MEDICAL: tuple[str, ...] = ("nearest", "own_hospital")


class KindSpec(_Strict):
    """Rules for the TPS of one ``kind`` (the stations' ``kind`` column).

    ``category`` forces the TPS's risk class; ``police`` is ``any`` (the
    default), ``own_polsek`` (only the Polsek whose jurisdiction holds the
    TPS, never across) or a base id; ``medical`` is ``nearest`` (the default),
    ``own_hospital`` (the base in the TPS's ``host`` column, else the nearest
    hospital) or a base id. Names are checked against the tables on loading.
    """

    category: str | None = None
    police: str = "any"
    medical: str = "nearest"
    description: str = ""


TeamSiteKind = Literal[
    "puskesmas", "hospital", "kelurahan", "polsek", "koramil", "other"
]
DEFAULT_TEAM_SITES: tuple[TeamSiteKind, ...] = ("puskesmas", "hospital", "kelurahan")


class MedicalTeamsSpec(_Strict):
    """Where mobile medical teams stand so that TPS are reached fast.

    ``model`` is ``mclp`` (cover the most risk- and voter-weighted TPS within
    ``threshold_minutes``), ``p_median`` (least weighted total response time),
    ``p_center`` (smallest worst response time) or ``set_cover`` (fewest teams
    so that every reachable TPS is within the threshold; ``teams`` is then an
    optional upper limit). Candidate sites are the bases of the listed kinds.

    Each team is ``team_size`` medis persons of its base: a base fields at most
    ``medis // team_size`` teams. ``staffing: auto`` checks headcounts when the
    scenario gives any ``medis`` headcount and otherwise places teams without
    that check (and says so); ``headcount`` always checks, ``unchecked`` never.
    ``max_tps_per_team`` or ``max_voters_per_team`` caps what one team serves
    (``mclp`` and ``set_cover``).
    """

    teams: Annotated[int, Field(gt=0, le=100_000)] | None = None
    model: Literal["mclp", "p_median", "p_center", "set_cover"] = "mclp"
    threshold_minutes: Minutes = 10.0
    candidates: list[TeamSiteKind] = Field(
        default_factory=lambda: list(DEFAULT_TEAM_SITES)
    )
    time_limit_s: Seconds = 20.0
    # doctor, nurse, ambulance driver: Kab. Tangerang 2024 fielded 90 doctors,
    # 110 nurses and 92 drivers as mobile teams (domain.md 3.2)
    team_size: Annotated[int, Field(ge=1, le=100)] = 3
    staffing: Literal["auto", "headcount", "unchecked"] = "auto"
    max_tps_per_team: Annotated[int, Field(gt=0, le=1_000_000)] | None = None
    max_voters_per_team: Annotated[int, Field(gt=0, le=1_000_000_000)] | None = None

    @model_validator(mode="after")
    def _teams_and_capacities(self) -> MedicalTeamsSpec:
        if self.teams is None and self.model != "set_cover":
            msg = f"`teams` is required for model {self.model!r} (optional only for set_cover)"
            raise ValueError(msg)
        if self.max_tps_per_team is not None and self.max_voters_per_team is not None:
            msg = "give at most one of `max_tps_per_team` and `max_voters_per_team`"
            raise ValueError(msg)
        if self.capacity is not None and self.model not in ("mclp", "set_cover"):
            msg = f"team capacities apply to mclp and set_cover, not {self.model!r}"
            raise ValueError(msg)
        return self

    @property
    def capacity(self) -> int | None:
        """What one team may serve (TPS or voters), ``None`` when unlimited."""
        if self.max_tps_per_team is not None:
            return self.max_tps_per_team
        return self.max_voters_per_team


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
    kinds: dict[str, KindSpec] = Field(default_factory=dict)
    #: Language of the planners' outputs (XLSX headers and reasons): Indonesian
    #: unless the scenario says ``language: en``; ``--lang`` overrides it.
    language: Literal["id", "en"] = "id"
    #: Optional tables of named personnel (NRP, name, rank, unit, agency,
    #: phone) that fill the roster slots; without them slots stay numbered.
    personnel: list[PersonnelSourceSpec] = Field(default_factory=list)

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
