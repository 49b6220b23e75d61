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
from branca.element import Element

from deploy_opt.export.cells import escape_controls
from deploy_opt.export.geo_layers import Places, assigned_persons, team_labels
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
    "puskesmas": "#CB181D",
    "hospital": "#67000D",
}
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
    "needed": ("Dibutuhkan", "Needed"),
    "minutes": ("menit", "min"),
    "id": ("ID", "Id"),
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
    fmap = folium.Map(
        location=[float(lonlat[:, 1].mean()), float(lonlat[:, 0].mean())],
        zoom_start=12,
        tiles=tiles,
        control_scale=True,
    )
    _inline_leaflet(fmap, _text(summary.get("scenario", "")), lang)
    if tiles is None:
        folium.TileLayer(
            "OpenStreetMap", name=_word("osm", lang), overlay=True, show=False
        ).add_to(fmap)

    rosters = _group_rosters(data, result, roster)
    team_ids = team_labels(data, result)
    script = _page_data(data, result, stations, rosters, team_ids, lang)
    fmap.get_root().header.add_child(Element(script), name="deploy_data")

    _add_lines(fmap, data, result, places, lang)
    _add_groups(fmap, data, result, places, lang)
    _add_team_areas(fmap, result, places, team_ids, lang)
    _add_tps(fmap, data, result, stations, places, lang)
    _add_bases(fmap, data, result, places, lang)
    _add_teams(fmap, data, result, places, team_ids, lang)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.get_root().html.add_child(
        Element(_legend(data, stations, summary, lang)), name="deploy_legend"
    )
    fmap.fit_bounds(
        [
            [float(lonlat[:, 1].min()), float(lonlat[:, 0].min())],
            [float(lonlat[:, 1].max()), float(lonlat[:, 0].max())],
        ]
    )
    return fmap


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
    figure = fmap.get_root()
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


def _group_rosters(
    data: ProblemData, result: Result, roster: pd.DataFrame
) -> dict[tuple[str, str], list[str]]:
    """(group id, agency) -> the persons or slots sent to that group."""
    out: dict[tuple[str, str], list[str]] = {}
    sent = roster[roster["agency"].isin(GROUP_AGENCIES) & (roster["group_id"] != "")]
    for _, row in sent.iterrows():
        out.setdefault((str(row["group_id"]), str(row["agency"])), []).append(
            _person(row)
        )
    return out


def _page_data(
    data: ProblemData,
    result: Result,
    stations: pd.DataFrame,
    rosters: dict[tuple[str, str], list[str]],
    team_ids: list[str],
    lang: str,
) -> str:
    """The shared data and popup functions of the page, as one script.

    Groups carry their roster once; each TPS refers to its group by index.
    """
    grouping = result.grouping
    groups = []
    for g, gid in enumerate(result.group_ids):
        rung = data.categories[grouping.group_category[g]].ladder[
            int(grouping.rungs[g])
        ]
        groups.append(
            {
                "id": _text(gid),
                "c": _text(data.categories[grouping.group_category[g]].name),
                "r": _text(rung.text),
                "n": len(grouping.members[g]),
                "p": rosters.get((gid, "polri"), []),
                "t": rosters.get((gid, "tni"), []),
                "pn": rung.police,
                "tn": rung.tni,
            }
        )
    teams = result.teams
    team_rows = []
    if teams is not None:
        for k, b in enumerate(teams.sites.tolist()):
            team_rows.append(
                {"id": _text(team_ids[k]), "site": _text(data.base_names[b])}
            )
    words = {
        key: _text(value)
        for key, value in {
            "group": label("group", lang),
            "rule": label("rule", lang),
            "category": label("category", lang),
            "polri": agency_name("polri", lang),
            "tni": agency_name("tni", lang),
            "linmas": agency_name("linmas", lang),
            "team": agency_name("medis_team", lang),
            "referral": label("referral", lang),
            "covered": label("covered", lang),
            "not_covered": _word("not_covered", lang),
            "reason": label("reason", lang),
            "none": _word("none", lang),
            "minutes": _word("minutes", lang),
            "tps": label("tps_count", lang),
            "needed": _word("needed", lang),
        }.items()
    }
    payload = json.dumps(
        {"w": words, "groups": groups, "teams": team_rows},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return f"<script>var DEPLOY={_script_safe(payload)};{_POPUP_JS}</script>"


def _script_safe(payload: str) -> str:
    """JSON that cannot end its ``<script>`` element early."""
    return (
        payload.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


#: Popup builders; every value in DEPLOY and the feature properties is escaped.
_POPUP_JS = """
function deployRows(rows){return '<table class="deploy-popup">'+rows.map(function(r){
return '<tr><th>'+r[0]+'</th><td>'+r[1]+'</td></tr>';}).join('')+'</table>';}
function deployList(items){return items.length?items.join('<br>'):DEPLOY.w.none;}
function deployTpsPopup(p){var w=DEPLOY.w,g=DEPLOY.groups[p.g];
var rows=[[w.category,g.c],[w.group,g.id+' ('+g.n+' TPS, '+w.rule+' '+g.r+')'],
[w.polri,deployList(g.p)],[w.tni,deployList(g.t)],
[w.linmas,p.l+(p.lp?' ('+p.lp+')':'')],
[w.team,p.tm>=0?DEPLOY.teams[p.tm].id+' &middot; '+DEPLOY.teams[p.tm].site+' ('+p.tmm+' '+w.minutes+')':w.none],
[w.referral,p.m||w.none]];
rows.push(p.ok?[w.covered,'&#10003;']:[w.not_covered,p.why]);
return '<b>TPS '+p.s+'</b><br>'+p.k+deployRows(rows);}
function deployGroupPopup(p){var w=DEPLOY.w,g=DEPLOY.groups[p.g];
return '<b>'+g.id+'</b>'+deployRows([[w.category,g.c],[w.rule,g.r],[w.tps,g.n],
[w.polri+' ('+g.p.length+'/'+g.pn+')',deployList(g.p)],
[w.tni+' ('+g.t.length+'/'+g.tn+')',deployList(g.t)]]);}
"""

_BIND_TPS = folium.JsCode(
    "function(feature, layer){layer.bindTooltip('TPS '+feature.properties.s);"
    "layer.bindPopup(function(){return deployTpsPopup(feature.properties);},"
    "{maxWidth:380});}"
)
_BIND_GROUP = folium.JsCode(
    "function(feature, layer){layer.bindPopup(function(){"
    "return deployGroupPopup(feature.properties);},{maxWidth:380});}"
)
_BIND_HTML = folium.JsCode(
    "function(feature, layer){layer.bindPopup(feature.properties.popup,{maxWidth:380});}"
)


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _point(index: int, lon: float, lat: float, props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": index,
        "properties": props,
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
    }


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
    """One layer per category; uncovered TPS get a thick red ring."""
    details = _tps_details(data, result, stations, lang)
    covered = stations["covered"].to_numpy(bool)
    for c, rule in enumerate(data.categories):
        members = np.flatnonzero(data.station_category == c)
        if len(members) == 0:
            continue
        features = [
            _point(int(i), *places.station_lonlat[i].tolist(), details[i])
            for i in members
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

        n_open = int((~covered[members]).sum())
        name = f"TPS {_text(rule.name)} ({len(members)}"
        name += f", {n_open} &#10007;)" if n_open else ")"
        folium.GeoJson(
            _collection(features),
            name=name,
            marker=folium.CircleMarker(radius=5),
            style_function=style,
            on_each_feature=_BIND_TPS,
        ).add_to(fmap)


def _tps_details(
    data: ProblemData, result: Result, stations: pd.DataFrame, lang: str
) -> list[dict[str, Any]]:
    """Short popup properties of each TPS (read by ``_POPUP_JS``)."""
    posts: dict[int, list[str]] = {}
    for b, i in zip(
        result.linmas.base.tolist(), result.linmas.station.tolist(), strict=True
    ):
        posts.setdefault(i, []).append(_text(data.base_names[b] or data.base_ids[b]))
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
    minutes = _word("minutes", lang)
    covered = stations["covered"].to_numpy(bool)
    linmas = stations["linmas"].to_numpy(np.int64)
    details = []
    for i, station_id in enumerate(data.station_ids):
        site = int(medical.base[i])
        team = -1 if teams is None else int(teams.station_team_no[i])
        details.append(
            {
                "s": _text(station_id),
                "k": _text(data.kelurahan_names[data.station_kelurahan[i]]),
                "g": int(result.grouping.station_group[i]),
                "l": int(linmas[i]),
                "lp": ", ".join(posts.get(i, [])),
                "tm": team,
                "tmm": round(float(teams.travel_s[i]) / 60, 1)
                if team >= 0 and teams is not None
                else 0,
                "m": (
                    f"{_text(data.base_names[site] or data.base_ids[site])} "
                    f"({round(float(medical.travel_s[i]) / 60, 1)} {minutes})"
                    if site >= 0
                    else ""
                ),
                "ok": int(covered[i]),
                "why": "<br>".join(reasons.get(station_id, [])),
            }
        )
    return details


def _legend(
    data: ProblemData, stations: pd.DataFrame, summary: dict[str, Any], lang: str
) -> str:
    """A box with the scenario, coverage and the colour of each category."""
    coverage = summary.get("coverage")
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
                f'<i style="background:{_category_colour(c)}"></i>{_text(rule.name)} ({n})'
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
    areas = places.areas([places.station_xy[m] for m in grouping.members])
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
        _collection(_polygon_features(areas.to_numpy(), props)),
        name=_text(_word("group_areas", lang)) + f" ({grouping.n_groups})",
        style_function=style,
        on_each_feature=_BIND_GROUP,
    ).add_to(fmap)


def _polygon_features(areas: Any, props: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """GeoJSON features of polygons (coordinates to 6 decimals, ~0.1 m)."""
    features = []
    for k, (shape, prop) in enumerate(zip(areas, props, strict=True)):
        rounded = shapely.transform(shape, lambda xy: np.round(xy, 6))
        features.append(
            {
                "type": "Feature",
                "id": k,
                "properties": prop,
                "geometry": shapely.geometry.mapping(rounded),
            }
        )
    return features


def _add_team_areas(
    fmap: folium.Map,
    result: Result,
    places: Places,
    team_ids: list[str],
    lang: str,
) -> None:
    """Hull of each team's site and TPS (hidden at first)."""
    teams = result.teams
    if teams is None or teams.placed == 0:
        return
    served = [np.flatnonzero(teams.station_team_no == k) for k in range(teams.placed)]
    areas = places.areas(
        [
            np.vstack([places.base_xy[[b]], places.station_xy[s]])
            for b, s in zip(teams.sites.tolist(), served, strict=True)
        ]
    )
    props = [
        {"popup": f"<b>{_text(team_ids[k])}</b><br>{len(s)} TPS"}
        for k, s in enumerate(served)
    ]
    folium.GeoJson(
        _collection(_polygon_features(areas.to_numpy(), props)),
        name=_text(_word("team_areas", lang)),
        style_function=lambda _: {
            "color": KIND_COLOURS["puskesmas"],
            "weight": 1,
            "dashArray": "4 4",
            "fillOpacity": 0.05,
            "className": TEAM_CLASS + "-area",
        },
        on_each_feature=_BIND_HTML,
        show=False,
    ).add_to(fmap)


def _headcount_table(data: ProblemData, result: Result, b: int, lang: str) -> str:
    assigned = assigned_persons(data, result)
    rows = [
        f"<tr><th></th><th>{_text(_word('headcount', lang))}</th>"
        f"<th>{_text(label('assigned', lang))}</th>"
        f"<th>{_text(label('reserve', lang))}</th></tr>"
    ]
    for agency in AGENCIES:
        have = int(data.headcount[agency][b])
        sent = int(assigned[agency][b])
        if have or sent:
            rows.append(
                f"<tr><th>{_text(agency_name(agency, lang))}</th><td>{have}</td>"
                f"<td>{sent}</td><td>{max(have - sent, 0)}</td></tr>"
            )
    return '<table class="deploy-popup">' + "".join(rows) + "</table>"


def _add_bases(
    fmap: folium.Map, data: ProblemData, result: Result, places: Places, lang: str
) -> None:
    """Every base, coloured by kind, with headcount, assigned and reserve."""
    features = []
    for b in range(data.n_bases):
        popup = (
            f"<b>{_text(data.base_names[b] or data.base_ids[b])}</b><br>"
            f"{_text(data.base_ids[b])} &middot; {_text(data.base_kinds[b])}"
            + _headcount_table(data, result, b, lang)
        )
        features.append(
            _point(
                b,
                *places.base_lonlat[b].tolist(),
                {"popup": popup, "kind": data.base_kinds[b]},
            )
        )

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        return {
            "fill": True,
            "fillColor": KIND_COLOURS.get(feature["properties"]["kind"], OTHER_COLOUR),
            "fillOpacity": 1.0,
            "color": "#FFFFFF",
            "weight": 2,
            "className": BASE_CLASS,
        }

    folium.GeoJson(
        _collection(features),
        name=_text(_word("bases", lang)) + f" ({data.n_bases})",
        marker=folium.CircleMarker(radius=7),
        style_function=style,
        on_each_feature=_BIND_HTML,
    ).add_to(fmap)


def _add_teams(
    fmap: folium.Map,
    data: ProblemData,
    result: Result,
    places: Places,
    team_ids: list[str],
    lang: str,
) -> None:
    """A ring around each base that fields a mobile medical team."""
    teams = result.teams
    if teams is None or teams.placed == 0:
        return
    minutes = _word("minutes", lang)
    features = []
    for k, b in enumerate(teams.sites.tolist()):
        served = np.flatnonzero(teams.station_team_no == k)
        worst = (
            f" ({label('max_minutes', lang)}: {float(teams.travel_s[served].max()) / 60:.1f} {minutes})"
            if len(served)
            else ""
        )
        popup = (
            f"<b>{_text(team_ids[k])}</b><br>{_text(data.base_names[b] or data.base_ids[b])}"
            + '<table class="deploy-popup">'
            + f"<tr><th>{_text(_word('team_size', lang))}</th><td>{teams.team_size}</td></tr>"
            + f"<tr><th>{_text(_word('tps_served', lang))}</th><td>{len(served)}{_text(worst)}</td></tr>"
            + "</table>"
        )
        features.append(_point(k, *places.base_lonlat[b].tolist(), {"popup": popup}))
    folium.GeoJson(
        _collection(features),
        name=_text(label("teams", lang)) + f" ({teams.placed})",
        marker=folium.CircleMarker(radius=11),
        style_function=lambda _: {
            "color": KIND_COLOURS["puskesmas"],
            "weight": 3,
            "fill": False,
            "className": TEAM_CLASS,
        },
        on_each_feature=_BIND_HTML,
    ).add_to(fmap)


def _add_lines(
    fmap: folium.Map, data: ProblemData, result: Result, places: Places, lang: str
) -> None:
    """Police and TNI lines base -> centre of the group (hidden at first)."""
    grouping = result.grouping
    centres = [places.station_xy[m].mean(axis=0) for m in grouping.members]
    starts, ends, props = [], [], []
    for agency in GROUP_AGENCIES:
        alloc = result.allocations.get(agency)
        if alloc is None:
            continue
        for b, g, count, travel in zip(
            alloc.base.tolist(),
            alloc.group.tolist(),
            alloc.count.tolist(),
            alloc.travel_s.tolist(),
            strict=True,
        ):
            starts.append(places.base_xy[b])
            ends.append(centres[g])
            props.append(
                {
                    "a": agency,
                    "popup": (
                        f"{_text(agency_name(agency, lang))}: {count} &middot; "
                        f"{_text(data.base_names[b] or data.base_ids[b])} &rarr; "
                        f"{_text(result.group_ids[g])} ({travel / 60:.1f} {_word('minutes', lang)})"
                    ),
                }
            )
    if not starts:
        return
    lines = places.lines(np.array(starts), np.array(ends)).to_numpy()
    features = _polygon_features(lines, props)

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        police = feature["properties"]["a"] == "polri"
        return {
            "color": KIND_COLOURS["polsek" if police else "koramil"],
            "weight": 1.5,
            "opacity": 0.7,
            "className": LINE_CLASS,
        }

    folium.GeoJson(
        _collection(features),
        name=_text(_word("lines", lang)) + f" ({len(features)})",
        style_function=style,
        on_each_feature=_BIND_HTML,
        show=False,
    ).add_to(fmap)
