"""`deploy-opt generate`: deterministic, valid scenarios in the published proportions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from deploy_opt.cli import cli
from deploy_opt.generate import generate, rules
from deploy_opt.generate.bases import headcounts
from deploy_opt.generate.categories import mix_for
from deploy_opt.pipeline import run
from deploy_opt.scenario import load_scenario


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "d200"
    generate(out, seed=7, stations=200)
    return out


def test_same_seed_same_bytes_other_seed_other_layout(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=11, stations=300)
    generate(tmp_path / "b", seed=11, stations=300)
    generate(tmp_path / "c", seed=12, stations=300)
    a, b, c = (_files(tmp_path / x) for x in "abc")
    assert set(a) == {
        "generate.json",
        "scenario.yaml",
        "data/tps.csv",
        "data/bases.csv",
    }
    assert a == b
    assert a["data/tps.csv"] != c["data/tps.csv"]
    assert a["data/bases.csv"] != c["data/bases.csv"]


def test_region_is_deterministic(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=3, preset="polda-metro-jaya", scale=0.01)
    generate(tmp_path / "b", seed=3, preset="polda-metro-jaya", scale=0.01)
    generate(tmp_path / "c", seed=4, preset="polda-metro-jaya", scale=0.01)
    a, b, c = (_files(tmp_path / x) for x in "abc")
    assert a == b
    assert a.keys() == c.keys()
    assert a != c


def test_district_loads_with_counts_mix_and_headcounts(district: Path) -> None:
    scenario = load_scenario(district / "scenario.yaml")
    assert scenario.warnings == ()
    stations, bases = scenario.stations, scenario.bases
    assert len(stations) == 200
    counts = stations["category"].value_counts().to_dict()
    assert counts == {c: n for c, n in mix_for(200).items() if n}
    assert set(counts) == set(rules.PMJ_MIX)  # every rule is exercised
    assert (stations.loc[stations["category"] == "khusus", "kind"] != "").all()
    assert (stations.loc[stations["category"] != "khusus", "kind"] == "").all()
    assert stations["voters"].between(1, rules.VOTERS_CAP).all()
    assert 220 <= stations["voters"].mean() <= 270

    kinds = bases["kind"].value_counts()
    kecamatan = stations["kecamatan"].unique()
    assert kinds["polsek"] == kinds["koramil"] == len(kecamatan)
    assert kinds["polres"] == 1
    assert kinds["puskesmas"] >= len(kecamatan)
    assert kinds["hospital"] >= 1
    polsek = bases[bases["kind"] == "polsek"]
    assert sorted(j[0] for j in polsek["jurisdiction"]) == sorted(kecamatan)
    totals = headcounts(200)
    for agency in ("polri", "tni", "linmas", "medis"):
        assert bases[agency].sum() == totals[agency]
    # Linmas: 2 per TPS, at the post of the TPS's own kelurahan
    per_kel = stations.groupby(["kecamatan", "kelurahan"]).size() * 2
    posts = bases[bases["kind"] == "kelurahan"].set_index(["kecamatan", "kelurahan"])
    assert posts["linmas"].sort_index().equals(per_kel.sort_index())


def test_district_solves_end_to_end(district: Path) -> None:
    outcome = run(district / "scenario.yaml", None, time_limit_s=10, seed=0)
    summary = outcome.summary
    assert summary["check"]["passed"]
    assert summary["counts"]["stations"] == 200
    assert summary["medical_teams"]["teams"] >= 1
    assert set(summary["coverage_by_category"]) == set(rules.PMJ_MIX)


def test_stations_are_clustered_like_settlements(tmp_path: Path) -> None:
    generate(tmp_path / "d", seed=5, stations=3000)
    tps = pd.read_csv(tmp_path / "d" / "data" / "tps.csv")
    # index of dispersion of TPS counts on a 20 x 20 grid: about 1 for
    # uniformly spread points, far above 1 for settlements with empty land between
    counts = np.histogram2d(tps["lon"], tps["lat"], bins=20)[0]
    assert counts.var() / counts.mean() > 5
    assert (counts == 0).mean() > 0.2
    # several kecamatan, each with several kelurahan
    assert tps["kecamatan"].nunique() >= 5
    assert tps.groupby("kecamatan")["kelurahan"].nunique().min() >= 2


def test_region_structure_and_every_district_loads(tmp_path: Path) -> None:
    out = tmp_path / "pmj"
    report = generate(out, seed=1, preset="polda-metro-jaya", scale=0.02)
    region = yaml.safe_load((out / "region.yaml").read_text(encoding="utf-8"))
    assert region["preset"] == "polda-metro-jaya"
    districts = region["districts"]
    assert len(districts) >= 5
    assert [d["folder"] for d in districts] == list(report.districts)
    assert sum(d["stations"] for d in districts) == region["stations"]
    assert region["stations"] == round(rules.PMJ_TPS * 0.02)
    assert len({d["seed"] for d in districts}) == len(districts)
    for entry in districts:
        scenario = load_scenario(out / entry["folder"] / "scenario.yaml")
        assert len(scenario.stations) == entry["stations"]
        found = scenario.stations["category"].value_counts()
        assert {c: int(found.get(c, 0)) for c in entry["categories"]} == entry[
            "categories"
        ]
        assert scenario.spec.solver.seed == entry["seed"]
        ids = scenario.stations["id"]
        assert ids.is_monotonic_increasing


def test_cli_refuses_clobber_and_bad_values(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "g"
    ok = runner.invoke(cli, ["generate", "--out", str(out), "--stations", "50"])
    assert ok.exit_code == 0, ok.output
    assert "50 TPS" in ok.output
    again = runner.invoke(cli, ["generate", "--out", str(out), "--stations", "60"])
    assert again.exit_code == 2
    assert "--overwrite" in again.output
    assert len(pd.read_csv(out / "data" / "tps.csv")) == 50  # untouched
    replaced = runner.invoke(
        cli, ["generate", "--out", str(out), "--stations", "60", "--overwrite"]
    )
    assert replaced.exit_code == 0, replaced.output
    assert len(pd.read_csv(out / "data" / "tps.csv")) == 60

    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    refused = runner.invoke(
        cli, ["generate", "--out", str(foreign), "--stations", "60", "--overwrite"]
    )
    assert refused.exit_code == 2
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stations", "5"], "--stations must be from 10"),
        (["--stations", "20001"], "use --preset"),
        (["--stations", "50", "--preset", "nasional"], "exactly one"),
        ([], "exactly one"),
        (["--preset", "jawa"], "unknown preset 'jawa'"),
        (["--preset", "nasional", "--scale", "0"], "--scale must be in (0, 1]"),
        (["--preset", "nasional", "--scale", "nan"], "--scale must be in (0, 1]"),
        (["--stations", "50", "--scale", "0.5"], "presets only"),
        (["--stations", "many"], "not a valid integer"),
        (["--stations", "50", "--seed", "-1"], "--seed"),
    ],
)
def test_cli_bad_option_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["generate", "--out", str(tmp_path / "x"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "x").exists()
