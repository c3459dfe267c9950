"""Workspace imports: history, duplicates, snapshots and deltas, rejects files, atomicity, CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from padan.cli import main
from padan.errors import PadanError
from padan.ingest import (
    import_dpt,
    import_registry,
    latest_dpt_import,
    list_imports,
    load_dpt,
    registry_as_of,
    write_rejects,
)
from padan.workspace import open_workspace

DPT_HEADER = "KABUPATEN,KECAMATAN,KELURAHAN,TPS,NIK,NAMA,TEMPAT_LAHIR,TANGGAL_LAHIR,JENIS_KELAMIN"
DPT_ROWS = [
    "KOTA MAKASSAR,MARISO,BONTORANNU,1,7371014507900001,SITI,MAKASSAR,05-07-1990,P",
    "KOTA MAKASSAR,MARISO,BONTORANNU,1,7371011201800002,BUDI,GOWA,12-01-1980,L",
    "KOTA MAKASSAR,MARISO,BONTORANNU,2,,,,,",
]
REG_HEADER = "NIK,NAMA_LGKP,TMPT_LHR,TGL_LHR,JENIS_KLMIN,NO_PROP,NO_KAB,NO_KEC,NO_KEL,STATUS_KTP_EL"


def reg_line(nik: str, name: str, status: str) -> str:
    return f"{nik},{name},MAKASSAR,1990-07-05,P,73,71,1,1001,{status}"


@pytest.fixture
def ws(tmp_path):
    eng = open_workspace(tmp_path / "ws.duckdb")
    yield eng
    eng.close()


@pytest.fixture
def dpt_file(tmp_path):
    f = tmp_path / "dpt.csv"
    f.write_text("\n".join([DPT_HEADER, *DPT_ROWS]) + "\n", encoding="utf-8")
    return f


def test_import_records_history_and_counts(ws, dpt_file):
    res = import_dpt(ws, [dpt_file], pemilihan="pilkada-2020-sulsel", versi="dps", by="operator1")
    assert not res.skipped_duplicate
    r = res.report
    assert (r.rows_read, r.accepted, r.rejected) == (3, 2, 1)
    assert r.accepted + r.rejected == r.rows_read
    hist = list_imports(ws)
    assert len(hist) == 1
    h = hist[0]
    assert (
        h["kind"],
        h["versi"],
        h["imported_by"],
        h["rows_read"],
        h["accepted"],
        h["rejected"],
    ) == (
        "dpt",
        "DPS",
        "operator1",
        3,
        2,
        1,
    )
    assert h["files"][0]["name"] == "dpt.csv" and len(h["files"][0]["sha256"]) == 64
    assert ws.one("SELECT count(*) FROM dpt_rows WHERE import_id = $1", [res.import_id])[0] == 2
    assert (
        ws.one("SELECT count(*) FROM import_rejects WHERE import_id = $1", [res.import_id])[0] == 1
    )
    raw_cols = ws.one("SELECT raw_columns FROM imports")[0]
    assert raw_cols == DPT_HEADER.split(",")
    assert latest_dpt_import(ws, "pilkada-2020-sulsel") == res.import_id
    assert latest_dpt_import(ws, "lain") is None
    # the temporary tables are gone
    assert not [
        t
        for (t,) in ws.rows("SELECT table_name FROM duckdb_tables()")
        if t.startswith("_padan_import")
    ]


def test_duplicate_import_detected_unless_forced(ws, dpt_file, tmp_path):
    first = import_dpt(ws, [dpt_file], pemilihan="pilkada-2020-sulsel")
    again = import_dpt(ws, [dpt_file], pemilihan="pilkada-2020-sulsel")
    assert again.skipped_duplicate and again.import_id == first.import_id and again.report is None
    copy = tmp_path / "other-name.csv"
    copy.write_bytes(dpt_file.read_bytes())
    assert import_dpt(ws, [copy], pemilihan="pilkada-2020-sulsel").skipped_duplicate  # same content
    forced = import_dpt(ws, [dpt_file], pemilihan="pilkada-2020-sulsel", force=True)
    assert not forced.skipped_duplicate and forced.import_id != first.import_id
    assert ws.one("SELECT count(*) FROM imports")[0] == 2


def test_rejects_file_roundtrip(ws, dpt_file, tmp_path):
    res = import_dpt(ws, [dpt_file], pemilihan="pilkada-2020-sulsel")
    out = tmp_path / "ditolak.csv"
    assert write_rejects(ws, res.import_id, out) == 1
    text = out.read_text(encoding="utf-8-sig").splitlines()
    assert text[0] == DPT_HEADER + ",ALASAN,KOLOM,PESAN"
    assert text[1].startswith(
        "KOTA MAKASSAR,MARISO,BONTORANNU,2,,,,,,BARIS_TANPA_IDENTITAS,NAMA/NIK,"
    )
    # the user fixes the row and imports the rejects file: ALASAN/KOLOM/PESAN are dropped
    fixed = out.read_text(encoding="utf-8-sig").replace(
        ",2,,,,,,", ",2,7371010101010003,ANI,MAROS,01-01-2001,P,"
    )
    out.write_text(fixed, encoding="utf-8-sig")
    again = import_dpt(ws, [out], pemilihan="pilkada-2020-sulsel")
    assert (again.report.accepted, again.report.rejected) == (1, 0)
    assert again.report.raw_columns == DPT_HEADER.split(",")


def test_write_rejects_from_load_table(engine, dpt_file, tmp_path):
    load_dpt(engine, [dpt_file], table="d")
    out = tmp_path / "r.csv"
    assert write_rejects(engine, "d_rejects", out) == 1
    assert (
        out.read_text(encoding="utf-8-sig")
        .splitlines()[0]
        .endswith("JENIS_KELAMIN,ALASAN,KOLOM,PESAN")
    )


def test_registry_snapshots_deltas_and_as_of(ws, tmp_path):
    a, b, c = "7371014507900001", "7371011201800002", "7371010101010003"
    full1 = tmp_path / "full1.csv"
    full1.write_text(
        "\n".join(
            [REG_HEADER, reg_line(a, "SITI", "BELUM REKAM"), reg_line(b, "BUDI", "BELUM REKAM")]
        )
        + "\n"
    )
    delta = tmp_path / "delta.csv"
    delta.write_text(
        "\n".join(
            [REG_HEADER, reg_line(a, "SITI", "CARD_PRINTED"), reg_line(c, "ANI", "BELUM REKAM")]
        )
        + "\n"
    )
    full2 = tmp_path / "full2.csv"
    full2.write_text("\n".join([REG_HEADER, reg_line(a, "SITI", "CARD_ISSUED")]) + "\n")
    with pytest.raises(PadanError) as ei:
        import_registry(ws, [delta], tanggal=dt.date(2020, 9, 1), delta=True)
    assert ei.value.code == "SNAPSHOT_PENUH_BELUM_ADA"
    import_registry(ws, [full1], tanggal=dt.date(2020, 9, 1))
    import_registry(ws, [delta], tanggal=dt.date(2020, 9, 15), delta=True)
    import_registry(ws, [full2], tanggal=dt.date(2020, 10, 1))
    with pytest.raises(PadanError):
        registry_as_of(ws, dt.date(2020, 8, 31))
    assert registry_as_of(ws, dt.date(2020, 9, 10)) == 2
    assert dict(ws.rows("SELECT nik, status_ktp_el FROM registry_current")) == {
        a: "BELUM REKAM",
        b: "BELUM REKAM",
    }
    assert registry_as_of(ws, dt.date(2020, 9, 20), "reg_sep") == 3
    assert dict(ws.rows("SELECT nik, status_ktp_el FROM reg_sep")) == {
        a: "CARD_PRINTED",
        b: "BELUM REKAM",
        c: "BELUM REKAM",
    }
    assert registry_as_of(ws, dt.date(2020, 12, 1)) == 1
    assert ws.one("SELECT status_ktp_el, snapshot_date FROM registry_current") == (
        "CARD_ISSUED",
        dt.date(2020, 10, 1),
    )


KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from padan.workspace import open_workspace
    from padan.ingest import import_dpt

    ws_path, src, when = sys.argv[1], sys.argv[2], sys.argv[3]
    eng = open_workspace(ws_path)
    real = eng.execute

    def execute(sql, params=None):
        real(sql, params)
        if when == "commit" and sql.startswith("INSERT INTO import_rejects"):
            print("IN_TRANSACTION", flush=True)  # rows are in, the transaction is open
            time.sleep(60)

    eng.execute = execute

    def progress(stage, done, total):
        if stage == when:
            print("STAGE", stage, flush=True)
            time.sleep(60)

    import_dpt(eng, [Path(src)], pemilihan="pilkada-2020-sulsel", versi="DPT-2", progress=progress)
    print("DONE", flush=True)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("when", ["normalisasi", "commit"])
def test_import_killed_half_way_leaves_workspace_unchanged(tmp_path, dpt_file, when):
    ws_path = tmp_path / "ws.duckdb"
    eng = open_workspace(ws_path)
    first = import_dpt(eng, [dpt_file], pemilihan="pilkada-2020-sulsel")
    before = (
        eng.rows("SELECT import_id, kind, versi, rows_read FROM imports ORDER BY 1"),
        eng.one("SELECT count(*), sum(hash(nik)) FROM dpt_rows")[0],
        eng.one("SELECT count(*) FROM import_rejects")[0],
    )
    tables_before = sorted(eng.rows("SELECT table_name FROM duckdb_tables() WHERE NOT temporary"))
    eng.close()
    big = tmp_path / "big.csv"
    with open(big, "w") as fh:
        fh.write(DPT_HEADER + "\n")
        for i in range(20_000):
            fh.write(
                f"KOTA MAKASSAR,MARISO,BONTORANNU,{i % 50 + 1},73710145079{i:05d},ORANG {i},MAKASSAR,05-07-1990,P\n"
            )
    script = tmp_path / "kill.py"
    script.write_text(KILL_SCRIPT)
    # SIGKILL leaves the import's temporary folder behind: keep it under tmp_path, not /tmp
    (tmp_path / "tmp").mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "TMPDIR": str(tmp_path / "tmp"),
    }
    proc = subprocess.Popen(
        [sys.executable, str(script), str(ws_path), str(big), when],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith(("STAGE", "IN_TRANSACTION")), line
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    eng = open_workspace(ws_path)
    try:
        after = (
            eng.rows("SELECT import_id, kind, versi, rows_read FROM imports ORDER BY 1"),
            eng.one("SELECT count(*), sum(hash(nik)) FROM dpt_rows")[0],
            eng.one("SELECT count(*) FROM import_rejects")[0],
        )
        assert after == before
        assert (
            sorted(eng.rows("SELECT table_name FROM duckdb_tables() WHERE NOT temporary"))
            == tables_before
        )
        # still usable: the same import now succeeds
        res = import_dpt(eng, [big], pemilihan="pilkada-2020-sulsel", versi="DPT-2")
        assert res.report.accepted == 20_000 and res.import_id != first.import_id
    finally:
        eng.close()


def test_cli_import_and_history(tmp_path, dpt_file):
    runner = CliRunner()
    ws = str(tmp_path / "ws.duckdb")
    out = runner.invoke(
        main, ["import", "dpt", str(dpt_file), "-w", ws, "--versi", "DPS", "--oleh", "ani"]
    )
    assert out.exit_code == 0, out.output
    assert "Dibaca 3 baris: diterima 2, ditolak 1." in out.output
    assert (tmp_path / "ditolak-impor-1.csv").exists()
    out = runner.invoke(main, ["import", "dpt", str(dpt_file), "-w", ws])
    assert out.exit_code == 0 and "sudah pernah diimpor" in out.output
    reg = tmp_path / "reg.csv"
    reg.write_text(REG_HEADER + "\n" + reg_line("7371014507900001", "SITI", "BELUM REKAM") + "\n")
    out = runner.invoke(main, ["import", "registry", str(reg), "-w", ws, "--tanggal", "2020-09-01"])
    assert out.exit_code == 0, out.output
    # The history is read-only: it works while another process reads the workspace too.
    reader = open_workspace(ws, read_only=True)
    try:
        out = runner.invoke(main, ["imports", "-w", ws])
    finally:
        reader.close()
    assert out.exit_code == 0, out.output
    assert "DPS" in out.output and "01-09-2020" in out.output and "ani" in out.output
    missing = tmp_path / "none.duckdb"
    out = runner.invoke(main, ["imports", "-w", str(missing)])
    assert out.exit_code == 0 and "belum ada" in out.output and not missing.exists()
    out = runner.invoke(main, ["import", "dpt", str(reg), "-w", ws, "--kolom", "NAMA=NAMA_LGKP"])
    assert (
        out.exit_code == 1
        and "KOLOM_WAJIB_TIDAK_ADA" in out.output
        and "Traceback" not in out.output
    )


def test_mapping_file(tmp_path, engine):
    f = tmp_path / "d.csv"
    f.write_text(
        "KAB,KEC,DESA,TPS,NO_INDUK,NAMA,TEMPAT_LAHIR,TANGGAL_LAHIR,SEX\n" + DPT_ROWS[0] + "\n"
    )
    m = tmp_path / "peta.txt"
    m.write_text("# peta kolom\nNIK = NO_INDUK\n")
    from padan.ingest.columns import read_mapping_file

    mapping = read_mapping_file(m)
    assert mapping == {"NIK": "NO_INDUK"}
    r = load_dpt(engine, [f], table="d", mapping=mapping)
    assert r.accepted == 1
    assert json.loads(json.dumps(r.raw_columns))[4] == "NO_INDUK"
