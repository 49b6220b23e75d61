"""The HTML map: self-contained, escaped, and drawn by a real headless Chromium.

The browser test skips where Debian's ``chromium`` is not installed, except
in CI (``CI`` set), where it must run: ``.ci/run`` installs it.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from map_plan import HOSTILE_NAME, solved_plan
from PIL import Image

from deploy_opt.export.html_map import (
    BASE_CLASS,
    CATEGORY_COLOURS,
    GROUP_CLASS,
    TEAM_CLASS,
    TPS_CLASS,
    UNCOVERED_CLASS,
    UNCOVERED_COLOUR,
    html_files,
)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    return solved_plan(tmp_path_factory.mktemp("plan"))


def page(outcome, lang: str = "id") -> str:
    o = outcome
    files = html_files(
        o.scenario, o.data, o.result, o.stations, o.roster, o.summary, lang
    )
    assert list(files) == ["map.html"]
    return files["map.html"].decode("utf-8")


@pytest.fixture(scope="module")
def map_file(outcome, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("map") / "map.html"
    path.write_text(page(outcome), encoding="utf-8")
    return path


def test_map_needs_nothing_from_the_internet(map_file):
    text = map_file.read_text(encoding="utf-8")
    external = re.findall(r"<(?:script|link|img)\b[^>]*(?:src|href)=[^>]*>", text)
    assert external == []
    assert "Leaflet 1.9.4" in text  # inlined, not linked
    assert "url(images/" not in text  # the CSS images are inlined too


def test_same_plan_gives_the_same_page(outcome, map_file):
    assert page(outcome) == map_file.read_text(encoding="utf-8")


def test_input_text_cannot_break_out_of_the_page(outcome, map_file):
    text = map_file.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text
    assert "B<i>" not in text
    # the base's name is there, escaped for HTML inside the page's data
    assert html.escape(HOSTILE_NAME).replace("&", "\\u0026") in text


def deploy_data(text: str) -> dict:
    match = re.search(r"var DEPLOY=(\{.*?\});\nfunction deployRows", text, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_popups_carry_each_groups_roster(outcome, map_file):
    data = deploy_data(map_file.read_text(encoding="utf-8"))
    roster = outcome.roster
    assert len(data["groups"]) == outcome.result.grouping.n_groups
    short = 0
    for group in data["groups"]:
        sent = roster[
            (roster["group_id"] == group["id"]) & (roster["agency"] == "polri")
        ]
        assert group["p"] == [html.escape(p) for p in sent["person_id"]]
        short += len(group["p"]) < group["pn"]
    assert short == 1  # 4 police for three groups of two
    assert len(data["teams"]) == outcome.result.teams.placed
    assert {b["id"] for b in data["bases"]} == set(outcome.data.base_ids)


def test_language_of_the_page(outcome):
    assert "Kelompok pengamanan" in page(outcome, "id")
    english = page(outcome, "en")
    assert "Guard groups" in english
    assert "Kelompok pengamanan" not in english


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def run_chromium(map_file: Path, tmp_path: Path, *args: str) -> str:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        # any request to the internet fails: the page must not need one
        "--proxy-server=http://127.0.0.1:9",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1000,800",
        *args,
        map_file.as_uri(),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def path_classes(dom: str) -> list[str]:
    return re.findall(r'<path\b[^>]*\bclass="([^"]*)"', dom)


#: Appended to a copy of the page: writes every feature's popup into the page.
POPUP_DUMP = """<script>
window.addEventListener('load', function () {
  var out = [];
  Object.keys(window).forEach(function (k) {
    var layer = window[k];
    if (k.indexOf('geo_json_') !== 0 || !layer || !layer.eachLayer) return;
    layer.eachLayer(function (feature) {
      var popup = feature.getPopup(), content = popup && popup.getContent();
      if (content) out.push('<div class="popup-' + 'dump">' +
        (typeof content === 'function' ? content(feature) : content) + '</div>');
    });
  });
  document.body.insertAdjacentHTML('beforeend', out.join(''));
});
</script>"""


def test_chromium_draws_every_marker_and_popup(outcome, map_file, tmp_path):
    probe = tmp_path / "probe.html"
    text = map_file.read_text(encoding="utf-8")
    probe.write_text(text.replace("</html>", POPUP_DUMP + "</html>"), encoding="utf-8")
    dom = run_chromium(probe, tmp_path, "--virtual-time-budget=5000", "--dump-dom")
    classes = [c.split() for c in path_classes(dom)]

    def count(name: str) -> int:
        return sum(name in c for c in classes)

    uncovered = int((~outcome.stations["covered"].astype(bool)).sum())
    assert uncovered > 0
    assert count(TPS_CLASS) == outcome.data.n_stations
    assert count(UNCOVERED_CLASS) == uncovered
    assert count(GROUP_CLASS) == outcome.result.grouping.n_groups
    assert count(BASE_CLASS) == outcome.data.n_bases
    assert count(TEAM_CLASS) == outcome.result.teams.placed
    assert 'class="deploy-legend"' in dom

    # each TPS's popup names the police of its group and, if short, why
    popups = re.findall(r'<div class="popup-dump">(.*?)</div>', dom, re.S)
    roster = outcome.roster
    for _, tps in outcome.stations.iterrows():
        heading = f"<b>TPS {html.escape(tps['station_id'])}</b>"
        (popup,) = [p for p in popups if p.startswith(heading)]
        police = roster.loc[
            (roster["group_id"] == tps["group_id"]) & (roster["agency"] == "polri"),
            "person_id",
        ]
        assert len(police) == tps["police"]
        for person in police:
            assert html.escape(person) in popup
        assert ("Belum terpenuhi" in popup) != bool(tps["covered"])


def colour(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])


def test_chromium_screenshot_shows_the_plan(outcome, map_file, tmp_path):
    # legend and controls hidden: every colour left on screen is the plan's
    bare = tmp_path / "bare.html"
    hide = "<style>.deploy-legend,.leaflet-control-container{display:none}</style>"
    bare.write_text(
        map_file.read_text(encoding="utf-8").replace("</head>", hide + "</head>", 1),
        encoding="utf-8",
    )
    shot = tmp_path / "map.png"
    run_chromium(bare, tmp_path, f"--screenshot={shot}")
    pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3).astype(int)
    assert len(np.unique(pixels, axis=0)) > 20  # not blank

    def seen(rgb: np.ndarray, tolerance: int = 40) -> int:
        return int((np.abs(pixels - rgb).max(axis=1) <= tolerance).sum())

    # each category's TPS fill, and the red ring of the TPS not covered
    for c in np.unique(outcome.data.station_category):
        assert seen(colour(CATEGORY_COLOURS[c])) > 0, outcome.data.categories[c].name
    assert seen(colour(UNCOVERED_COLOUR)) > 0
