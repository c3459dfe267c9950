"""Recaps per level and worklists, on a small hand-made workspace."""

from __future__ import annotations

import datetime as dt

import pytest
from test_recap_data import DESA, PEMILIHAN, expected_counts, make_workspace

from padan.errors import PadanError
from padan.recap import LEVELS, latest_match, recap, worklist
from padan.recap.summary import COUNT_FIELDS
from padan.recap.worklist import COLUMNS


@pytest.fixture
def ws(engine):
    facts = make_workspace(engine)
    return engine, facts


def test_latest_match_and_source_line(ws):
    engine, facts = ws
    src = latest_match(engine, PEMILIHAN)
    assert src is not None
    assert src.match_id == facts["latest_match"]
    assert src.dpt_import_id == 3
    assert src.registry_date == dt.date(2020, 11, 18)
    assert src.line() == (
        "Sumber: DPT versi DPT (impor #3), data Dukcapil per 18 Nov 2020, "
        "Pilkada Serentak 2020 - Sulawesi Selatan"
    )
    assert latest_match(engine, "pilkada-lain") is None


def test_latest_match_prefers_newest_import_and_finished_runs(ws):
    engine, _ = ws
    engine.execute(
        "INSERT INTO imports (import_id, kind, pemilihan, versi) VALUES (4, 'dpt', ?, 'DPT-PERBAIKAN-1')",
        [PEMILIHAN],
    )
    engine.execute(
        "INSERT INTO match_runs (match_id, pemilihan, dpt_import_id, registry_date, finished_at)"
        " VALUES (20, ?, 4, DATE '2020-11-12', now()), (21, ?, 4, DATE '2020-11-13', NULL)",
        [PEMILIHAN, PEMILIHAN],
    )
    src = latest_match(engine, PEMILIHAN)
    assert (src.match_id, src.dpt_versi) == (20, "DPT-PERBAIKAN-1")


def test_counts_match_independent_computation(ws):
    engine, _ = ws
    r = recap(engine, PEMILIHAN, "desa")
    expected = expected_counts()
    by_code = {row.code: row for row in r.rows}
    for desa in DESA:
        row, exp = by_code[desa], expected[desa]
        assert row.dpt == exp["dpt"]
        assert row.sudah == exp.get("SUDAH_REKAM", 0)
        assert row.belum == exp.get("BELUM_REKAM", 0)
        assert row.gagal == exp.get("GAGAL_REKAM", 0)
        assert row.tidak_ditemukan == exp.get("TIDAK_DITEMUKAN", 0)
        assert row.perlu_tinjau == exp.get("PERLU_TINJAU", 0)
        assert row.ganda == exp.get("ganda", 0)
        assert row.pemula == exp.get("pemula", 0)
        assert row.gap == row.belum + row.gagal
        assert row.coverage == pytest.approx(row.sudah / row.dpt)
    # The voter with no resolvable region has its own row.
    assert by_code[""].name == "(wilayah tidak dikenali)"
    assert by_code[""].dpt == 1 and by_code[""].belum == 1


def test_totals_add_up_across_levels(ws):
    engine, facts = ws
    totals = {}
    for level in LEVELS:
        r = recap(engine, PEMILIHAN, level)
        for f in COUNT_FIELDS:
            assert getattr(r.total, f) == sum(getattr(row, f) for row in r.rows), (level, f)
        totals[level] = tuple(getattr(r.total, f) for f in COUNT_FIELDS)
    assert len(set(totals.values())) == 1, totals
    assert totals["provinsi"][0] == facts["rows"]
    # Within a kabupaten: its kecamatan add up to its own row at kabupaten level.
    kab = {row.code: row for row in recap(engine, PEMILIHAN, "kabupaten").rows}
    for code in ("7371", "7306"):
        inner = recap(engine, PEMILIHAN, "kecamatan", code)
        assert inner.total.dpt == kab[code].dpt
        assert inner.total.gap == kab[code].gap
        assert {row.code[:4] for row in inner.rows} == {code}
        assert inner.title == f"Rekapitulasi per Kecamatan - {kab[code].name}"


def test_sorted_by_gap_descending(ws):
    engine, _ = ws
    for level in ("kecamatan", "desa", "tps"):
        gaps = [row.gap for row in recap(engine, PEMILIHAN, level).rows]
        assert gaps == sorted(gaps, reverse=True)
        assert gaps[0] > gaps[-1]


def test_names_and_parents(ws):
    engine, _ = ws
    r = recap(engine, PEMILIHAN, "tps", "7371011001")
    assert [row.code for row in sorted(r.rows, key=lambda x: x.code)] == [
        "7371011001001",
        "7371011001002",
    ]
    assert {row.name for row in r.rows} == {"TPS 001 Bontorannu", "TPS 002 Bontorannu"}
    assert {row.parent for row in r.rows} == {"7371011001"}
    kec = recap(engine, PEMILIHAN, "kecamatan", "73.71")  # dotted codes are accepted
    assert {row.name for row in kec.rows} == {"Mariso", "Mamajang"}


def test_allowed_kab_limits_rows(ws):
    engine, _ = ws
    r = recap(engine, PEMILIHAN, "kecamatan", allowed_kab={"7306"})
    assert {row.code[:4] for row in r.rows} == {"7306"}
    assert r.total.dpt == sum(expected_counts()[d]["dpt"] for d in DESA if d.startswith("7306"))
    assert recap(engine, PEMILIHAN, "kabupaten", allowed_kab=set()).rows == []


def test_explicit_match_id_gives_older_counts(ws):
    engine, _ = ws
    old = recap(engine, PEMILIHAN, "provinsi", match_id=10)
    new = recap(engine, PEMILIHAN, "provinsi")
    assert old.source.registry_date == dt.date(2020, 11, 4)
    assert old.total.dpt == new.total.dpt
    assert old.total.gap > new.total.gap


@pytest.mark.parametrize(
    ("level", "within", "code"),
    [
        ("rt", None, "TINGKAT_TIDAK_DIKENAL"),
        ("kabupaten", "737101", "TINGKAT_TIDAK_SESUAI"),
        ("desa", "9999", "WILAYAH_TIDAK_DIKENAL"),
        ("desa", "12345", "WILAYAH_TIDAK_DIKENAL"),
    ],
)
def test_bad_requests_are_clear_errors(ws, level, within, code):
    engine, _ = ws
    with pytest.raises(PadanError) as err:
        recap(engine, PEMILIHAN, level, within)
    assert err.value.code == code


def test_no_match_yet(engine):
    make_workspace(engine)
    engine.execute("DELETE FROM match_runs")
    with pytest.raises(PadanError) as err:
        recap(engine, PEMILIHAN, "kabupaten")
    assert err.value.code == "BELUM_ADA_PEMADANAN"
    assert "padan match" in err.value.hint


def test_worklist_content_order_and_masking(ws):
    engine, _ = ws
    rows = worklist(engine, PEMILIHAN, "7371011001")
    exp = expected_counts()["7371011001"]
    assert len(rows) == exp.get("BELUM_REKAM", 0) + exp.get("GAGAL_REKAM", 0)
    assert {r["status_rekam"] for r in rows} <= {"BELUM_REKAM", "GAGAL_REKAM"}
    assert [r["no"] for r in rows] == list(range(1, len(rows) + 1))
    walk = [(int(r["rw"]), int(r["rt"]), r["alamat"]) for r in rows]
    assert walk == sorted(walk)
    for r in rows:
        assert set(COLUMNS) <= set(r)
        assert "tanggal_lahir" not in r and "disabilitas" not in r
        assert r["nik"].startswith("737101") and r["nik"][6:] == "*" * 10
        assert r["desa"] == "Bontorannu" and r["kecamatan"] == "Mariso"
        if r["status_rekam"] == "BELUM_REKAM":
            assert r["tindakan"].startswith("Rekam biometrik KTP-el di kantor Kecamatan Mariso")
        else:
            assert r["tindakan"].startswith(
                "Perekaman ulang / selesaikan data ganda di Disdukcapil"
            )
        assert 17 <= r["usia"] < 100


def test_worklist_full_nik_and_levels(ws):
    engine, _ = ws
    full = worklist(engine, PEMILIHAN, "7371011001", full_nik=True)
    assert all(len(r["nik"]) == 16 and r["nik"].isdigit() for r in full)
    kab = worklist(engine, PEMILIHAN, "7306")
    assert len(kab) == sum(
        v.get("BELUM_REKAM", 0) + v.get("GAGAL_REKAM", 0)
        for k, v in expected_counts().items()
        if k.startswith("7306")
    )
    assert [r["kode_desa"] for r in kab] == sorted(r["kode_desa"] for r in kab)
    tps = worklist(engine, PEMILIHAN, "7371011001001")
    assert tps and {r["tps"] for r in tps} == {"001"}
    with pytest.raises(PadanError):
        worklist(engine, PEMILIHAN, "")
