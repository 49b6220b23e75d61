"""The plan as one self-contained HTML map (folium/Leaflet) that opens offline.

Leaflet's JavaScript and CSS are inlined from the ``django-js-lib-leaflet``
package (the official Leaflet build shipped as package data), so the plan is
drawn without internet; there are no map tiles unless asked for
(``tiles=...``), and an OpenStreetMap overlay that needs internet can be
switched on in the layer control. Every marker is an SVG ``CircleMarker``
(no images), one GeoJSON layer per TPS category, so thousands of TPS keep
the file small.

Popups: a TPS shows who guards it (the police and TNI slots of its group,
its Linmas and their posts, its medical team and referral facility) and
what it lacks; a group, base or team shows its own roster and headcounts.
Every text from the inputs is HTML-escaped (control characters as visible
escapes) before it reaches the page. Element ids are numbered, so the same
plan gives the same bytes.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import re
from importlib import resources
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from branca.element import Element, Figure

from deploy_opt.export.cells import escape_controls
from deploy_opt.export.geo_layers import (
    Places,
    assigned_persons,
    group_arcs,
    team_labels,
)
from deploy_opt.export.labels import agency_name, label, translate_reason
from deploy_opt.problem import GROUP_AGENCIES, ProblemData
from deploy_opt.result import Result
from deploy_opt.scenario import Scenario
from deploy_opt.scenario.schema import AGENCIES

#: CSS classes of the drawn SVG paths (tests count them in the page).
TPS_CLASS = "deploy-tps"
UNCOVERED_CLASS = "deploy-tps-uncovered"
GROUP_CLASS = "deploy-group"
BASE_CLASS = "deploy-base"
TEAM_CLASS = "deploy-team"
LINE_CLASS = "deploy-line"
#: Okabe-Ito colours (readable with colour-blindness), one per category.
CATEGORY_COLOURS = (
    "#E69F00",
    "#0072B2",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
UNCOVERED_COLOUR = "#D7191C"
KIND_COLOURS = {
    "polres": "#08306B",
    "polsek": "#2171B5",
    "kodim": "#00441B",
    "koramil": "#238B45",
    "kelurahan": "#8C6D31",
    "puskesmas": "#E7298A",
    "hospital": "#980043",
}
TEAM_COLOUR = "#7B3294"
OTHER_COLOUR = "#636363"
BACKGROUND = "#F4F3EF"
_LEAFLET = ("js_lib_leaflet", "static/js_lib_leaflet")

#: Words of the map itself: key -> (Indonesian, English).
_WORDS: dict[str, tuple[str, str]] = {
    "title": ("Peta rencana pengamanan", "Deployment plan map"),
    "bases": ("Markas dan pos", "Bases and posts"),
    "group_areas": ("Kelompok pengamanan", "Guard groups"),
    "team_areas": ("Wilayah tim medis", "Medical team areas"),
    "lines": ("Penugasan (garis markas ke kelompok)", "Assignments (base to group)"),
    "osm": ("Peta OpenStreetMap (perlu internet)", "OpenStreetMap (needs internet)"),
    "uncovered": ("TPS belum terpenuhi (lingkar merah)", "TPS not covered (red ring)"),
    "not_covered": ("Belum terpenuhi", "Not covered"),
    "none": ("tidak ada", "none"),
    "team_size": ("Anggota tim", "Team size"),
    "tps_served": ("TPS dilayani", "TPS served"),
    "headcount": ("Jumlah", "Headcount"),
    "minutes": ("menit", "min"),
    "longest": ("terlama", "longest"),
}


def _word(key: str, lang: str) -> str:
    indonesian, english = _WORDS[key]
    return indonesian if lang == "id" else english


def _text(value: object) -> str:
    """Input text made safe for the page: visible control escapes, HTML-escaped."""
    return html.escape(escape_controls("" if value is None else str(value)))


def html_files(
    scenario: Scenario,
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
) -> dict[str, bytes]:
    """``map.html``: the plan on a map that works offline."""
    page = render_map(scenario, data, result, stations, roster, summary, lang)
    return {"map.html": page.encode("utf-8")}


def render_map(
    scenario: Scenario,
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
    *,
    tiles: str | None = None,
) -> str:
    """The HTML page of :func:`build_map`, with stable element ids."""
    fmap = build_map(
        scenario, data, result, stations, roster, summary, lang, tiles=tiles
    )
    root = fmap.get_root()
    counter = itertools.count()

    def number(element: Any) -> None:
        element._id = f"{next(counter):05d}"
        for child in element._children.values():
            number(child)

    number(root)
    return str(root.render())


def build_map(
    scenario: Scenario,
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    roster: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
    *,
    tiles: str | None = None,
) -> folium.Map:
    """The folium map of the plan (no tiles by default: it must work offline).

    ``tiles`` names a tile provider (e.g. ``"OpenStreetMap"``) drawn beneath
    the plan; it needs internet when the page is opened.
    """
    places = Places(scenario, data)
    lonlat = np.vstack([places.station_lonlat, places.base_lonlat])
    west, south = lonlat.min(axis=0).tolist()
    east, north = lonlat.max(axis=0).tolist()
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=12,
        tiles=tiles,
        control_scale=True,
    )
    _inline_leaflet(fmap, _text(summary.get("scenario", "")), lang)
    if tiles is None:
        folium.TileLayer(
            "OpenStreetMap", name=_word("osm", lang), overlay=True, show=False
        ).add_to(fmap)

    team_ids = team_labels(data, result)
    script = _page_data(data, result, roster, team_ids, lang)
    _figure(fmap).header.add_child(Element(script), name="deploy_data")
    # drawn bottom to top
    _add_lines(fmap, result, places, lang)
    _add_groups(fmap, data, result, places, lang)
    _add_team_areas(fmap, result, places, lang)
    _add_tps(fmap, data, result, stations, places, lang)
    _add_bases(fmap, data, places, lang)
    _add_teams(fmap, result, places, lang)
    folium.LayerControl(collapsed=False).add_to(fmap)
    _figure(fmap).html.add_child(
        Element(_legend(data, result, stations, summary, lang)), name="deploy_legend"
    )
    # straight to the whole plan, without an animation to wait for
    fit = folium.FitBounds([[south, west], [north, east]])
    fit.options["animate"] = False
    fmap.add_child(fit)
    return fmap


def _figure(fmap: folium.Map) -> Figure:
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    return figure


def _inline_leaflet(fmap: folium.Map, title: str, lang: str) -> None:
    """Leaflet's JS and CSS written into the page instead of CDN links."""
    package, folder = _LEAFLET
    root = resources.files(package).joinpath(folder)
    js = root.joinpath("leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)
    css = root.joinpath("leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        image = root.joinpath(match.group(1))
        if not image.is_file():
            return match.group(0)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)
    # the mixin would add CDN links for these (Leaflet, jQuery, Bootstrap, ...)
    fmap.default_js = []
    fmap.default_css = []
    figure = _figure(fmap)
    figure.title = f"{_word('title', lang)}: {title}"
    page_css = (
        f".leaflet-container{{background:{BACKGROUND};}}"
        ".deploy-legend{position:absolute;z-index:1000;right:10px;bottom:24px;"
        "background:#fff;padding:6px 10px;border-radius:4px;font:12px/1.4 sans-serif;"
        "box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:320px}"
        ".deploy-legend i{display:inline-block;width:10px;height:10px;"
        "border-radius:50%;margin-right:5px;border:1px solid #333}"
        ".deploy-popup th{text-align:left;padding-right:8px;vertical-align:top}"
    )
    figure.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css")
    figure.header.add_child(Element(f"<style>{page_css}</style>"), name="deploy_css")
    figure.header.add_child(Element(f"<script>{js}</script>"), name="leaflet")


def _person(row: pd.Series) -> str:
    """A roster slot as shown: the person's name where given, else the slot id."""
    name = row.get("name")
    if isinstance(name, str) and name:
        rank = row.get("rank")
        prefix = f"{rank} " if isinstance(rank, str) and rank else ""
        return _text(f"{prefix}{name} ({row['person_id']})")
    return _text(row["person_id"])


def _group_rosters(roster: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    """(group id, agency) -> the persons or slots sent to that group."""
    out: dict[tuple[str, str], list[str]] = {}
    sent = roster[roster["agency"].isin(GROUP_AGENCIES) & (roster["group_id"] != "")]
    for _, row in sent.iterrows():
        key = (str(row["group_id"]), str(row["agency"]))
        out.setdefault(key, []).append(_person(row))
    return out


def _minutes(seconds: float) -> float:
    return round(float(seconds) / 60, 1)


def _page_data(
    data: ProblemData,
    result: Result,
    roster: pd.DataFrame,
    team_ids: list[str],
    lang: str,
) -> str:
    """The page's shared data and popup functions, as one ``<script>``.

    Names, rosters and headcounts are written once here; map features refer
    to them by index (see ``_POPUP_JS``). Every text is HTML-escaped.
    """
    grouping = result.grouping
    rosters = _group_rosters(roster)
    groups = []
    for g, gid in enumerate(result.group_ids):
        category = data.categories[grouping.group_category[g]]
        rung = category.ladder[int(grouping.rungs[g])]
        groups.append(
            {
                "id": _text(gid),
                "c": _text(category.name),
                "r": _text(rung.text),
                "n": len(grouping.members[g]),
                "p": rosters.get((gid, "polri"), []),
                "t": rosters.get((gid, "tni"), []),
                "pn": rung.police,
                "tn": rung.tni,
            }
        )
    assigned = assigned_persons(data, result)
    bases = []
    for b in range(data.n_bases):
        counts = [
            [
                _text(agency_name(agency, lang)),
                int(data.headcount[agency][b]),
                int(assigned[agency][b]),
            ]
            for agency in AGENCIES
            if data.headcount[agency][b] or assigned[agency][b]
        ]
        bases.append(
            {
                "n": _text(data.base_names[b] or data.base_ids[b]),
                "id": _text(data.base_ids[b]),
                "k": _text(data.base_kinds[b]),
                "h": counts,
            }
        )
    teams = result.teams
    team_rows = []
    if teams is not None:
        for k, b in enumerate(teams.sites.tolist()):
            served = np.flatnonzero(teams.station_team_no == k)
            team_rows.append(
                {
                    "id": _text(team_ids[k]),
                    "b": b,
                    "z": teams.team_size,
                    "n": len(served),
                    "x": _minutes(teams.travel_s[served].max())
                    if len(served)
                    else None,
                }
            )
    payload = {
        "w": _popup_words(lang),
        "agency": {a: _text(agency_name(a, lang)) for a in AGENCIES},
        "kel": [_text(name) for name in data.kelurahan_names],
        "bases": bases,
        "groups": groups,
        "teams": team_rows,
    }
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"<script>var DEPLOY={_script_safe(text)};{_POPUP_JS}</script>"


def _popup_words(lang: str) -> dict[str, str]:
    words = {
        "group": label("group", lang),
        "rule": label("rule", lang),
        "category": label("category", lang),
        "team": agency_name("medis_team", lang),
        "referral": label("referral", lang),
        "covered": label("covered", lang),
        "assigned": label("assigned", lang),
        "reserve": label("reserve", lang),
        "tps": label("tps_count", lang),
        **{key: _word(key, lang) for key in _WORDS},
    }
    return {key: _text(value) for key, value in words.items()}


def _script_safe(payload: str) -> str:
    """JSON that cannot end its ``<script>`` element early."""
    return (
        payload.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


#: Popup builders. Every text in DEPLOY and in the features' properties is
#: already HTML-escaped; numbers are numbers.
_POPUP_JS = """
function deployRows(rows){return '<table class="deploy-popup">'+rows.map(function(r){
return '<tr><th>'+r[0]+'</th><td>'+r[1]+'</td></tr>';}).join('')+'</table>';}
function deployList(items){return items.length?items.join('<br>'):DEPLOY.w.none;}
function deployMin(x){return x+' '+DEPLOY.w.minutes;}
function deployTps(p){var w=DEPLOY.w,a=DEPLOY.agency,g=DEPLOY.groups[p.g],t=DEPLOY.teams[p.tm];
var posts=(p.lp||[]).map(function(b){return DEPLOY.bases[b].n;}).join(', ');
var rows=[[w.category,g.c],[w.group,g.id+' ('+g.n+' TPS, '+w.rule+' '+g.r+')'],
[a.polri,deployList(g.p)],[a.tni,deployList(g.t)],
[a.linmas,p.l+(posts?' ('+posts+')':'')],
[w.team,t?t.id+' &middot; '+DEPLOY.bases[t.b].n+' ('+deployMin(p.tmm)+')':w.none],
[w.referral,p.m>=0?DEPLOY.bases[p.m].n+' ('+deployMin(p.mm)+')':w.none]];
rows.push(p.ok?[w.covered,'&#10003;']:[w.not_covered,p.why]);
return '<b>TPS '+p.s+'</b><br>'+DEPLOY.kel[p.k]+deployRows(rows);}
function deployGroup(p){var w=DEPLOY.w,a=DEPLOY.agency,g=DEPLOY.groups[p.g];
return '<b>'+g.id+'</b>'+deployRows([[w.category,g.c],[w.rule,g.r],[w.tps,g.n],
[a.polri+' ('+g.p.length+'/'+g.pn+')',deployList(g.p)],
[a.tni+' ('+g.t.length+'/'+g.tn+')',deployList(g.t)]]);}
function deployBase(p){var w=DEPLOY.w,b=DEPLOY.bases[p.b];
return '<b>'+b.n+'</b><br>'+b.id+' &middot; '+b.k+deployRows([['',w.headcount+' / '+w.assigned+' / '+w.reserve]]
.concat(b.h.map(function(h){return [h[0],h[1]+' / '+h[2]+' / '+Math.max(h[1]-h[2],0)];})));}
function deployTeam(p){var w=DEPLOY.w,t=DEPLOY.teams[p.t];
return '<b>'+t.id+'</b><br>'+DEPLOY.bases[t.b].n+deployRows([[w.team_size,t.z],
[w.tps_served,t.n+(t.x===null?'':' ('+w.longest+' '+deployMin(t.x)+')')]]);}
function deployLine(p){var g=DEPLOY.groups[p.g];
return DEPLOY.agency[p.a]+': '+p.n+' &middot; '+DEPLOY.bases[p.b].n+' &rarr; '+g.id+' ('+deployMin(p.t)+')';}
"""


def _bind(function: str, tooltip: str = "") -> folium.JsCode:
    """``onEachFeature`` code binding the popup built by ``function``."""
    return folium.JsCode(
        "function(feature, layer){"
        + (f"layer.bindTooltip({tooltip});" if tooltip else "")
        + f"layer.bindPopup(function(){{return {function}(feature.properties);}},"
        "{maxWidth:400});}"
    )


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _point(index: int, lonlat: np.ndarray, props: dict[str, Any]) -> dict[str, Any]:
    lon, lat = lonlat.tolist()
    return {
        "type": "Feature",
        "id": index,
        "properties": props,
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
    }


def _shapes(
    geometries: Any, props: list[dict[str, Any]], decimals: int = 6
) -> list[dict[str, Any]]:
    """GeoJSON features of lines or polygons, coordinates rounded."""
    features = []
    for k, (shape, prop) in enumerate(zip(geometries, props, strict=True)):
        rounded = shapely.transform(shape, lambda xy: np.round(xy, decimals))
        features.append(
            {
                "type": "Feature",
                "id": k,
                "properties": prop,
                "geometry": shapely.geometry.mapping(rounded),
            }
        )
    return features


def _category_colour(c: int) -> str:
    return CATEGORY_COLOURS[c % len(CATEGORY_COLOURS)]


def _add_tps(
    fmap: folium.Map,
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    places: Places,
    lang: str,
) -> None:
    """One layer per category, the riskiest drawn last (on top); a TPS not
    covered gets a thick red ring."""
    details = _tps_details(data, result, stations, lang)
    order = sorted(range(len(data.categories)), key=lambda c: data.categories[c].weight)
    for c in order:
        rule = data.categories[c]
        members = np.flatnonzero(data.station_category == c)
        if len(members) == 0:
            continue
        features = [
            _point(int(i), places.station_lonlat[i], details[i]) for i in members
        ]
        colour = _category_colour(c)

        def style(feature: dict[str, Any], colour: str = colour) -> dict[str, Any]:
            ok = feature["properties"]["ok"]
            return {
                "fill": True,
                "fillColor": colour,
                "fillOpacity": 0.9,
                "color": "#333333" if ok else UNCOVERED_COLOUR,
                "weight": 1 if ok else 3,
                "className": TPS_CLASS if ok else f"{TPS_CLASS} {UNCOVERED_CLASS}",
            }

        n_open = sum(1 for f in features if not f["properties"]["ok"])
        name = f"TPS {_text(rule.name)} ({len(members)}"
        name += f", {n_open} &#10007;)" if n_open else ")"
        folium.GeoJson(
            _collection(features),
            name=name,
            marker=folium.CircleMarker(radius=4),
            style_function=style,
            on_each_feature=_bind("deployTps", "'TPS '+feature.properties.s"),
        ).add_to(fmap)


def _tps_details(
    data: ProblemData, result: Result, stations: pd.DataFrame, lang: str
) -> list[dict[str, Any]]:
    """Short properties of each TPS, read by ``deployTps`` (``_POPUP_JS``)."""
    posts: dict[int, list[int]] = {}
    for b, i in zip(
        result.linmas.base.tolist(), result.linmas.station.tolist(), strict=True
    ):
        posts.setdefault(i, []).append(b)
    reasons: dict[str, list[str]] = {}
    for shortfall in result.shortfalls:
        why = _text(
            f"{agency_name(shortfall.agency, lang)}: "
            f"{translate_reason(shortfall.reason, lang)}"
        )
        for station_id in shortfall.station_ids:
            reasons.setdefault(station_id, []).append(why)
    teams = result.teams
    medical = result.medical
    covered = stations["covered"].to_numpy(bool)
    linmas = stations["linmas"].to_numpy(np.int64)
    details = []
    for i, station_id in enumerate(data.station_ids):
        site = int(medical.base[i])
        team = -1 if teams is None else int(teams.station_team_no[i])
        props: dict[str, Any] = {
            "s": _text(station_id),
            "k": int(data.station_kelurahan[i]),
            "g": int(result.grouping.station_group[i]),
            "l": int(linmas[i]),
            "m": site,
            "ok": int(covered[i]),
        }
        if i in posts:
            props["lp"] = posts[i]
        if site >= 0:
            props["mm"] = _minutes(medical.travel_s[i])
        if team >= 0 and teams is not None:
            props["tm"] = team
            props["tmm"] = _minutes(teams.travel_s[i])
        if not covered[i]:
            props["why"] = "<br>".join(reasons.get(station_id, []))
        details.append(props)
    return details


def _legend(
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    summary: dict[str, Any],
    lang: str,
) -> str:
    """A box with the scenario, status, coverage and each category's colour."""
    coverage = summary.get("coverage")
    teams = 0 if result.teams is None else result.teams.placed
    lines = [
        f"<b>{_text(summary.get('scenario', ''))}</b>",
        f"{_text(label('status', lang))}: {_text(summary.get('status', ''))}",
    ]
    if isinstance(coverage, int | float):
        lines.append(f"{_text(label('coverage', lang))}: {coverage * 100:.1f}%")
    for c, rule in enumerate(data.categories):
        n = int((data.station_category == c).sum())
        if n:
            lines.append(
                f'<i style="background:{_category_colour(c)}"></i>'
                f"{_text(rule.name)} ({n})"
            )
    for kind in sorted(set(data.base_kinds)):
        colour = KIND_COLOURS.get(kind, OTHER_COLOUR)
        lines.append(
            f'<i style="background:{colour};border-radius:0"></i>{_text(kind)}'
        )
    if teams:
        lines.append(
            f'<i style="background:#fff;border:3px solid {TEAM_COLOUR}"></i>'
            f"{_text(label('teams', lang))} ({teams})"
        )
    open_tps = int((~stations["covered"].to_numpy(bool)).sum())
    if open_tps:
        lines.append(
            f'<i style="background:#fff;border:3px solid {UNCOVERED_COLOUR}"></i>'
            f"{_text(_word('uncovered', lang))}: {open_tps}"
        )
    return '<div class="deploy-legend">' + "<br>".join(lines) + "</div>"


def _add_groups(
    fmap: folium.Map, data: ProblemData, result: Result, places: Places, lang: str
) -> None:
    """Each guard group as its TPS's buffered hull, in its category's colour."""
    grouping = result.grouping
    if grouping.n_groups == 0:
        return
    areas = places.areas([places.station_xy[m] for m in grouping.members], quad_segs=2)
    props = [
        {"g": g, "c": int(grouping.group_category[g])} for g in range(grouping.n_groups)
    ]

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        return {
            "color": _category_colour(feature["properties"]["c"]),
            "weight": 1.5,
            "fillOpacity": 0.12,
            "className": GROUP_CLASS,
        }

    folium.GeoJson(
        _collection(_shapes(areas.to_numpy(), props, decimals=5)),
        name=_text(_word("group_areas", lang)) + f" ({grouping.n_groups})",
        style_function=style,
        on_each_feature=_bind("deployGroup"),
    ).add_to(fmap)


def _add_team_areas(
    fmap: folium.Map, result: Result, places: Places, lang: str
) -> None:
    """The hull of each team's site and TPS (hidden at first)."""
    teams = result.teams
    if teams is None or teams.placed == 0:
        return
    served = [np.flatnonzero(teams.station_team_no == k) for k in range(teams.placed)]
    areas = places.areas(
        [
            np.vstack([places.base_xy[[b]], places.station_xy[s]])
            for b, s in zip(teams.sites.tolist(), served, strict=True)
        ],
        quad_segs=2,
    )
    folium.GeoJson(
        _collection(
            _shapes(areas.to_numpy(), [{"t": k} for k in range(teams.placed)], 5)
        ),
        name=_text(_word("team_areas", lang)),
        style_function=lambda _: {
            "color": TEAM_COLOUR,
            "weight": 1,
            "dashArray": "4 4",
            "fillOpacity": 0.05,
            "className": f"{TEAM_CLASS}-area",
        },
        on_each_feature=_bind("deployTeam"),
        show=False,
    ).add_to(fmap)


def _add_bases(fmap: folium.Map, data: ProblemData, places: Places, lang: str) -> None:
    """Every base, coloured by kind (popup: headcount, assigned, reserve)."""
    features = [
        _point(b, places.base_lonlat[b], {"b": b, "k": data.base_kinds[b]})
        for b in range(data.n_bases)
    ]

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        return {
            "fill": True,
            "fillColor": KIND_COLOURS.get(feature["properties"]["k"], OTHER_COLOUR),
            "fillOpacity": 1.0,
            "color": "#FFFFFF",
            "weight": 2,
            "className": BASE_CLASS,
        }

    folium.GeoJson(
        _collection(features),
        name=_text(_word("bases", lang)) + f" ({data.n_bases})",
        marker=folium.CircleMarker(radius=5),
        style_function=style,
        on_each_feature=_bind("deployBase", "DEPLOY.bases[feature.properties.b].n"),
    ).add_to(fmap)


def _add_teams(fmap: folium.Map, result: Result, places: Places, lang: str) -> None:
    """A ring around each base that fields a mobile medical team."""
    teams = result.teams
    if teams is None or teams.placed == 0:
        return
    features = [
        _point(k, places.base_lonlat[b], {"t": k})
        for k, b in enumerate(teams.sites.tolist())
    ]
    folium.GeoJson(
        _collection(features),
        name=_text(label("teams", lang)) + f" ({teams.placed})",
        marker=folium.CircleMarker(radius=10),
        style_function=lambda _: {
            "color": TEAM_COLOUR,
            "weight": 3,
            "fill": False,
            "className": TEAM_CLASS,
        },
        on_each_feature=_bind("deployTeam"),
    ).add_to(fmap)


def _add_lines(fmap: folium.Map, result: Result, places: Places, lang: str) -> None:
    """Police and TNI lines base -> centre of the group (hidden at first)."""
    centres = places.group_centres(result.grouping)
    starts, ends, props = [], [], []
    for agency, b, g, count, travel in group_arcs(result):
        starts.append(places.base_xy[b])
        ends.append(centres[g])
        props.append({"a": agency, "b": b, "g": g, "n": count, "t": _minutes(travel)})
    if not starts:
        return
    lines = places.lines(np.array(starts), np.array(ends)).to_numpy()

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        police = feature["properties"]["a"] == "polri"
        return {
            "color": KIND_COLOURS["polsek" if police else "koramil"],
            "weight": 1.5,
            "opacity": 0.7,
            "className": LINE_CLASS,
        }

    folium.GeoJson(
        _collection(_shapes(lines, props)),
        name=_text(_word("lines", lang)) + f" ({len(props)})",
        style_function=style,
        on_each_feature=_bind("deployLine"),
        show=False,
    ).add_to(fmap)
