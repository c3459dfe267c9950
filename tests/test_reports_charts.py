"""Burn-down charts: Vega-Lite specs with Indonesian formats, rendered to PNG and SVG."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_recap_data import PEMILIHAN, make_workspace

from padan.errors import PadanError
from padan.recap import ProgressPoint, latest_match, progress
from padan.recap.progress import compute
from padan.reports.charts import SERIES, burndown_spec, render

D = dt.date


def big_progress():
    pts = [
        ProgressPoint(D(2020, 11, 4), 2_000_000),
        ProgressPoint(D(2020, 11, 11), 1_700_000),
        ProgressPoint(D(2020, 11, 18), 1_000_000),
    ]
    return compute("73", "Sulawesi Selatan", pts, D(2020, 12, 8), D(2020, 11, 18))


def test_spec_has_series_locale_and_figures():
    p = big_progress()
    spec = burndown_spec(p, source="Sumber: uji")
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert spec["config"]["locale"]["number"]["thousands"] == "."
    assert spec["config"]["locale"]["time"]["shortMonths"][11] == "Des"
    values = spec["data"]["values"]
    assert {v["seri"] for v in values} == set(SERIES)
    target = [v for v in values if v["seri"] == SERIES[1]]
    assert target[-1] == {
        "wilayah": "Sulawesi Selatan",
        "seri": SERIES[1],
        "tanggal": "2020-12-08",
        "belum": 0,
    }
    projection = [v for v in values if v["seri"] == SERIES[2]]
    # 100,000 a day over the last week; 20 days left: 0 is reached on 28 Nov.
    assert projection[-1]["tanggal"] == "2020-11-28" and projection[-1]["belum"] == 0
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "1.000.000 belum/gagal rekam" in subtitle
    assert "Perlu 50.000,0 per hari" in subtitle
    assert "Sumber: uji" in subtitle
    json.dumps(spec)  # plain JSON for the web


def test_projection_short_of_zero_stops_at_deadline():
    pts = [ProgressPoint(D(2020, 11, 11), 1000), ProgressPoint(D(2020, 11, 18), 930)]
    p = compute("7306", "Kabupaten Gowa", pts, D(2020, 12, 8), D(2020, 11, 18))
    values = burndown_spec(p)["data"]["values"]
    proj = [v for v in values if v["seri"] == SERIES[2]]
    assert proj[-1] == {
        "wilayah": "Kabupaten Gowa",
        "seri": SERIES[2],
        "tanggal": "2020-12-08",
        "belum": 730,
    }
    assert "tidak akan mencapai nol" not in " ".join(burndown_spec(p)["title"]["subtitle"])


def test_render_png_and_svg_with_indonesian_formats(tmp_path):
    spec = burndown_spec(big_progress())
    png = render(spec, tmp_path / "bd.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = render(spec, tmp_path / "bd.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg")
    assert "1.000.000" in svg  # thousands with dots (axis label and the last value)
    assert "Des" in svg  # Indonesian month on the time axis
    assert "Dec" not in svg
    with pytest.raises(PadanError) as err:
        render(spec, tmp_path / "bd.jpg")
    assert err.value.code == "FORMAT_GRAFIK_TIDAK_DIKENAL"


def test_small_multiples_from_workspace(engine, tmp_path):
    make_workspace(engine)
    kids = progress(engine, PEMILIHAN, level_children=True)
    spec = burndown_spec(kids, source=latest_match(engine, PEMILIHAN).line())
    assert spec["facet"]["field"] == "wilayah"
    assert spec["facet"]["sort"][:2] == ["Kabupaten Gowa", "Kota Makassar"]
    svg = render(spec, tmp_path / "kab.svg").read_text(encoding="utf-8")
    assert "Kabupaten Gowa" in svg and "Kota Makassar" in svg
    assert render(spec, tmp_path / "kab.png").stat().st_size > 10_000
    with pytest.raises(PadanError):
        burndown_spec([])


def test_subtitles_for_done_late_and_unknown_rate(tmp_path):
    deadline = D(2020, 12, 8)
    done = compute(
        "x",
        "Kota Makassar",
        [ProgressPoint(D(2020, 11, 11), 5), ProgressPoint(D(2020, 11, 18), 0)],
        deadline,
        D(2020, 11, 18),
    )
    assert burndown_spec(done)["title"]["subtitle"][1] == "Sudah nol: semua pemilih sudah rekam."
    late = compute(
        "x",
        "Kabupaten Gowa",
        [ProgressPoint(D(2020, 12, 1), 5), ProgressPoint(D(2020, 12, 10), 3)],
        deadline,
        D(2020, 12, 10),
    )
    sub = burndown_spec(late)["title"]["subtitle"]
    assert "batas 8 Des 2020 sudah lewat 2 hari" in sub[0]
    assert (
        sub[1]
        == "Perlu 3,0 per hari; laju 7 hari terakhir belum bisa dihitung; tidak menuju nol pada laju ini."
    )
    empty = compute("x", "Kabupaten Gowa", [], deadline, D(2020, 11, 18))
    assert render(burndown_spec(empty), tmp_path / "e.svg").stat().st_size > 0
