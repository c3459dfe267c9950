"""``padan report``, ``padan worklist`` and ``padan progress`` on a small workspace file."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook
from test_recap_data import make_workspace

from padan.cli import main
from padan.engine import connect


@pytest.fixture
def wsfile(tmp_path):
    path = tmp_path / "ws.duckdb"
    eng = connect(path)
    make_workspace(eng)
    eng.close()
    return str(path)


def run(cmd, *args):
    # Through the group, as a user runs it (the group's settings, such as "-h", apply).
    result = CliRunner().invoke(main, [cmd, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_report_xlsx_all_levels_and_one_level(wsfile, tmp_path):
    out = tmp_path / "r.xlsx"
    text = run("report", "-w", wsfile, "--format", "xlsx", "--out", str(out))
    assert "Sumber: DPT versi DPT" in text
    assert CalamineWorkbook.from_path(str(out)).sheet_names == [
        "Provinsi", "Kabupaten-Kota", "Kecamatan", "Desa-Kelurahan", "TPS",
    ]  # fmt: skip
    out2 = tmp_path / "k.xlsx"
    run(
        "report",
        "-w",
        wsfile,
        "--format",
        "xlsx",
        "--tingkat",
        "desa",
        "--wilayah",
        "7306",
        "--out",
        str(out2),
    )
    assert CalamineWorkbook.from_path(str(out2)).sheet_names == ["Desa-Kelurahan"]


def test_report_csv_to_stdout(wsfile):
    text = run("report", "-w", wsfile, "--format", "csv", "--wilayah", "7371", "--out", "-")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["kode"] for r in rows} == {"737101", "737102"}
    assert all(r["tingkat"] == "kecamatan" for r in rows)


@pytest.mark.slow
def test_report_pdf_per_kabupaten(wsfile, tmp_path):
    text = run(
        "report",
        "-w",
        wsfile,
        "--format",
        "pdf",
        "--per-kabupaten",
        "--out",
        str(tmp_path / "lap"),
    )
    assert "Kabupaten Gowa" in text
    assert sorted(p.name for p in (tmp_path / "lap").iterdir()) == [
        "laporan-7306.pdf",
        "laporan-7371.pdf",
    ]
    one = tmp_path / "gowa.pdf"
    run("report", "-w", wsfile, "--format", "pdf", "--wilayah", "7306", "--out", str(one))
    assert one.read_bytes()[:5] == b"%PDF-"


def test_worklist_cli(wsfile, tmp_path):
    out = tmp_path / "wl.xlsx"
    text = run("worklist", "-w", wsfile, "--wilayah", "73.71.01.1001", "--out", str(out))
    assert "pemilih belum/gagal rekam ditulis" in text
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Daftar jemput bola").to_python()
    assert any(str(c).startswith("737101*") for r in rows for c in r)
    result = CliRunner().invoke(
        main, ["worklist", "-w", wsfile, "--wilayah", "7371011001", "--nik-lengkap", "--format", "csv",
                       "--out", str(tmp_path / "wl.csv")],
    )  # fmt: skip
    assert result.exit_code == 0
    assert "NIK lengkap" in result.output
    niks = [r["nik"] for r in csv.DictReader((tmp_path / "wl.csv").open(encoding="utf-8"))]
    assert niks and all(len(n) == 16 and n.isdigit() for n in niks)


def test_progress_cli_table_and_chart(wsfile, tmp_path):
    chart = tmp_path / "bd.png"
    text = run("progress", "-w", wsfile, "--chart", str(chart))
    assert "batas rekam 8 Des 2020 (20 hari lagi)" in text
    lines = text.splitlines()
    assert any(line.startswith("Sulawesi Selatan") for line in lines)
    assert any(line.startswith("Kabupaten Gowa") for line in lines)
    assert chart.read_bytes()[:4] == b"\x89PNG"
    svg = tmp_path / "kab.svg"
    text = run("progress", "-w", wsfile, "--wilayah", "7306", "--chart", str(svg), "--rinci",
               "--hari-ini", "2020-11-11")  # fmt: skip
    assert "Kemajuan per 11 Nov 2020" in text and "Bajeng" in text
    assert "Bajeng" in svg.read_text(encoding="utf-8")


def test_cli_errors_are_messages_not_tracebacks(tmp_path):
    result = CliRunner().invoke(
        main, ["report", "-w", str(tmp_path / "nope.duckdb"), "--format", "csv"]
    )
    assert result.exit_code == 1
    assert "[WORKSPACE_TIDAK_ADA]" in result.output and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a PadanError escaping
