"""The briefing report: one page start per Polsek in the PDF, a self-contained
HTML page, the same report from ``solve --format pdf`` and from ``report``,
and clear errors for a folder that is not a run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from deploy_opt import run
from deploy_opt.cli import cli
from scenario_builder import default_categories

#: Three kecamatan 30 km apart (beyond the 30 min police limit at 36 km/h),
#: each with its Polsek; Polsek Gamma has 2 officers for the 4 its TPS need.
POLSEK = {"Alpha": 4, "Beta": 4, "Gamma": 2}


def _three_polsek(make_scenario):
    stations, bases = [], []
    for k, (name, police) in enumerate(POLSEK.items()):
        x0 = 30_000 * k
        kec, kel = f"Kec {name}", f"Kel {name}"
        place = {"kecamatan": kec, "kelurahan": kel}
        stations += [
            {"id": f"{name[0]}1", "x": x0, "y": 0, **place},
            {"id": f"{name[0]}2", "x": x0 + 100, "y": 0, **place},
            {"id": f"{name[0]}3", "x": x0 + 300, "y": 0, "category": "rawan", **place},
        ]
        bases += [
            {
                "id": f"PS{k}",
                "name": f"Polsek {name}",
                "kind": "polsek",
                "x": x0,
                "y": 500,
                "polri": police,
                **place,
            },
            {
                "id": f"KR{k}",
                "name": f"Koramil {name}",
                "kind": "koramil",
                "x": x0 + 200,
                "y": 500,
                "tni": 1,
                **place,
            },
            {
                "id": f"KEL{k}",
                "name": f"Linmas {kel}",
                "kind": "kelurahan",
                "x": x0,
                "y": 0,
                "linmas": 6,
                **place,
            },
            {
                "id": f"PKM{k}",
                "name": f"Puskesmas {name}",
                "kind": "puskesmas",
                "x": x0,
                "y": 100,
                **place,
            },
        ]
    categories = default_categories()
    categories["rawan"]["tni"] = 1  # each rawan TPS also gets one TNI
    return make_scenario(stations, bases, categories=categories)


@pytest.fixture
def run_dir(make_scenario, tmp_path):
    out = tmp_path / "run"
    run(_three_polsek(make_scenario), out, reproducible=True)
    return out


def _pages(pdf) -> list[str]:
    assert shutil.which("pdftotext"), (
        "needs pdftotext: apt-get install poppler-utils (.ci/run does)"
    )
    count = int(
        re.search(
            r"^Pages:\s+(\d+)",
            subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
            ).stdout,
            re.MULTILINE,
        )[1]
    )
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def _first_line(page: str) -> str:
    return next((line.strip() for line in page.splitlines() if line.strip()), "")


def test_pdf_starts_a_page_for_each_polsek(make_scenario, tmp_path):
    solved = tmp_path / "solved"
    result = CliRunner().invoke(
        cli,
        [
            "solve",
            str(_three_polsek(make_scenario)),
            "--out",
            str(solved),
            "--format",
            "pdf",
            "--lang",
            "en",
            "--reproducible",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    pages = _pages(solved / "report.pdf")
    starts = [_first_line(page) for page in pages]
    # each Polsek's heading is the first line of exactly one page
    for name in POLSEK:
        assert starts.count(f"Polsek {name}") == 1, starts
    # and its page is the Polsek's own: its TPS, and Gamma's shortfall
    page_of = {s: pages[starts.index(s)] for s in starts if s.startswith("Polsek ")}
    assert "B1" in page_of["Polsek Beta"] and "A1" not in page_of["Polsek Beta"]
    assert "Koramil Beta: TNI-0001" in page_of["Polsek Beta"]
    summary = json.loads((solved / "summary.json").read_text())
    assert [s for s in summary["shortfalls"] if s["agency"] == "polri"], (
        "the fixture must leave Polsek Gamma short"
    )
    gamma_rest = page_of["Polsek Gamma"].split("Shortfalls in this area", 1)[1]
    assert gamma_rest.split()[0] != "none" and "Polsek Gamma" in gamma_rest
    beta_rest = page_of["Polsek Beta"].split("Shortfalls in this area", 1)[1]
    assert beta_rest.split()[0] == "none"
    # `report` makes the same report from the folder; the default place is
    # the run folder, where it refuses to replace the one `solve` wrote
    again = CliRunner().invoke(
        cli, ["report", str(solved), "--out", str(tmp_path / "r.html"), "--lang", "en"]
    )
    assert again.exit_code == 0, again.output
    assert (tmp_path / "r.html").read_bytes() == (solved / "report.html").read_bytes()
    refused = CliRunner().invoke(cli, ["report", str(solved)])
    assert refused.exit_code == 2 and "report.html` exists" in refused.output


def test_html_is_self_contained_and_in_the_chosen_language(run_dir, tmp_path):
    out = tmp_path / "brief.html"
    result = CliRunner().invoke(cli, ["report", str(run_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"https?://", html)
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html)
    assert html.count("data:image/svg+xml;base64,") == 2  # both charts inline
    assert "Kekurangan" in html  # Indonesian by default
    assert not (tmp_path / "brief.pdf").exists()


def test_report_refuses_to_replace_without_overwrite(run_dir):
    assert (
        CliRunner()
        .invoke(cli, ["report", str(run_dir), "--out", str(run_dir / "r.html")])
        .exit_code
        == 0
    )
    before = (run_dir / "r.html").read_bytes()
    again = CliRunner().invoke(
        cli, ["report", str(run_dir), "--out", str(run_dir / "r.html")]
    )
    assert again.exit_code == 2 and "--overwrite" in again.output
    assert (run_dir / "r.html").read_bytes() == before
    forced = CliRunner().invoke(
        cli,
        [
            "report",
            str(run_dir),
            "--out",
            str(run_dir / "r.html"),
            "--overwrite",
            "--lang",
            "en",
        ],
    )
    assert forced.exit_code == 0 and (run_dir / "r.html").read_bytes() != before
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (lambda d: (d / "summary.json").unlink(), "summary.json: missing"),
        (lambda d: (d / "roster.csv").unlink(), "roster.csv: missing"),
        (
            lambda d: (d / "summary.json").write_text('{"tool": "other"}'),
            "not a deploy_opt summary",
        ),
        (
            lambda d: (d / "stations.csv").write_text("station_id,category\nA,rawan\n"),
            "stations.csv: column(s) group_id",
        ),
        (
            lambda d: (d / "stations.csv").write_text(
                (d / "stations.csv").read_text().replace(",True,", ",maybe,", 1)
            ),
            "stations.csv, column covered, line 2",
        ),
    ],
)
def test_report_on_a_folder_that_is_not_a_run_exits_2(run_dir, damage, named):
    damage(run_dir)
    result = CliRunner().invoke(cli, ["report", str(run_dir)])
    assert result.exit_code == 2
    assert named in result.output and "Traceback" not in result.output
    assert not (run_dir / "report.pdf").exists()


def test_report_on_a_missing_folder_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "does not exist" in result.output
