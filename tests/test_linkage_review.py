"""Stored match runs in a workspace, the review queue, decisions applied again next run."""

from __future__ import annotations

import datetime as dt

import pytest
from test_linkage_tiers import AYAH, IBU, LAIN, PEOPLE, person, voter

from padan.errors import PadanError
from padan.linkage import run_workspace_match
from padan.linkage.review import decide, review_queue
from padan.workspace import open_workspace

TWIN_A = person("7371014506990021", "NUR AINUN", "1999-06-05", "P", no_kk="7371010404400004",
                status="BELUM REKAM")  # fmt: skip
TWIN_B = person("7371014506990022", "NUR AINUN", "1999-06-05", "P", no_kk="7371010404400004")
VOTERS = [
    voter(AYAH["nik"], "ANDI BASO", "1970-03-12"),
    voter(None, "NUR AINUN", "1999-06-05", "P", nik_raw=""),  # two equal candidates
    voter(LAIN["nik"], "NURHAYATI", "1988-02-24", "P"),
]


def _insert(engine, table, rows, extra):
    for i, r in enumerate(rows):
        cols = [*extra, "row_id", *r]
        vals = [*extra.values(), i, *r.values()]
        engine.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(vals))})", vals
        )


@pytest.fixture
def ws(tmp_path):
    engine = open_workspace(tmp_path / "ws.duckdb")
    engine.execute(
        "INSERT INTO imports (import_id, kind, pemilihan, versi) "
        "VALUES (1, 'dpt', 'pilkada-2020-sulsel', 'DPT')"
    )
    engine.execute(
        "INSERT INTO imports (import_id, kind, snapshot_date, is_delta) "
        "VALUES (2, 'registry', DATE '2020-11-18', false)"
    )
    _insert(engine, "dpt_rows", VOTERS, {"import_id": 1})
    _insert(engine, "registry_rows", [*PEOPLE, TWIN_A, TWIN_B],
            {"import_id": 2, "snapshot_date": dt.date(2020, 11, 18)})  # fmt: skip
    yield engine
    engine.close()


def results(engine, match_id):
    return {
        r[0]: r[1:]
        for r in engine.rows(
            "SELECT row_id, nik_dukcapil, status_rekam, metode_padan, catatan FROM match_results "
            "WHERE match_id = $1 ORDER BY row_id",
            [match_id],
        )
    }


def test_run_review_decide_and_reapply(ws):
    mid = run_workspace_match(ws, pemilihan="pilkada-2020-sulsel")
    res = results(ws, mid)
    assert len(res) == 3
    assert res[0][:3] == (AYAH["nik"], "SUDAH_REKAM", "NIK")
    assert res[1][1] == "PERLU_TINJAU"
    run = ws.one("SELECT dpt_import_id, registry_date, counts FROM match_runs WHERE match_id = $1",
                 [mid])  # fmt: skip
    assert run[0] == 1 and run[1] == dt.date(2020, 11, 18) and '"rows": 3' in run[2]

    queue = review_queue(ws, mid)
    assert [q["row_id"] for q in queue] == [1]
    assert {c["nik"] for c in queue[0]["candidates"]} == {TWIN_A["nik"], TWIN_B["nik"]}
    assert queue[0]["candidates"][0]["nama"] == "NUR AINUN"
    assert review_queue(ws, mid, kab_codes={"7302"}) == []
    assert len(review_queue(ws, mid, kab_codes={"7371"})) == 1

    with pytest.raises(PadanError):
        decide(ws, mid, 1, candidate_nik=IBU["nik"], decision="terima", note="", by="op")
    decide(ws, mid, 1, candidate_nik=TWIN_A["nik"], decision="terima", note="cek KK", by="op")
    res = results(ws, mid)
    assert res[1][:3] == (TWIN_A["nik"], "BELUM_REKAM", "PROBABILISTIK")
    assert "DIPUTUSKAN_PETUGAS" in res[1][3] and "TINJAU_" not in res[1][3]
    assert review_queue(ws, mid) == []

    # The next run (e.g. tomorrow's snapshot) applies the decision again.
    mid2 = run_workspace_match(ws, pemilihan="pilkada-2020-sulsel", tanggal=dt.date(2020, 11, 20))
    assert mid2 != mid
    assert results(ws, mid2)[1][0] == TWIN_A["nik"]

    decide(ws, mid2, 2, candidate_nik=None, decision="tolak", note="bukan orangnya", by="op")
    assert results(ws, mid2)[2][:2] == (None, "TIDAK_DITEMUKAN")


def test_no_dpt_is_a_clear_error(tmp_path):
    engine = open_workspace(tmp_path / "kosong.duckdb")
    with pytest.raises(PadanError) as e:
        run_workspace_match(engine, pemilihan="pilkada-2020-sulsel")
    assert e.value.code == "DPT_BELUM_DIIMPOR"
    engine.close()


def test_cli_match_in_workspace(ws, tmp_path):
    from click.testing import CliRunner

    from padan.cli import main

    path = ws.path
    ws.close()
    r = CliRunner().invoke(main, ["match", "--workspace", str(path)])
    assert r.exit_code == 0, r.output
    assert "Pemadanan #1 selesai" in r.output and "PERLU_TINJAU" in r.output
    assert "Tingkat 1: NIK cocok" in r.output
