"""XLSX, PDF and CSV exports, checked with a second reader (calamine), by unzipping the XLSX,
and by rendering every PDF page (pdftoppm) and reading its text (pdftotext)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile

import pytest
from python_calamine import CalamineWorkbook
from test_recap_data import PEMILIHAN, make_workspace

from padan.recap import LEVELS, latest_match, progress, recap, worklist
from padan.reports.csv_export import recap_csv_text, write_worklist_csv
from padan.reports.pdf import write_kabupaten_pdf, write_worklist_pdf
from padan.reports.safety import guard_text
from padan.reports.xlsx import HEADER_ROW, SHEET_NAMES, write_recap_xlsx, write_worklist_xlsx

EVIL = '=HYPERLINK("http://x","klik")'

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils missing (scripts/bootstrap --system installs it)",
)


@pytest.fixture
def ws(engine):
    make_workspace(engine, evil_names=True)
    return engine


def sheet(path, name):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_guard_text():
    assert guard_text("=1+1") == "'=1+1"
    assert guard_text("+62 812") == "'+62 812"
    assert guard_text("-") == "'-"
    assert guard_text("@SUM(A1)") == "'@SUM(A1)"
    assert guard_text("\t=x") == "'\t=x"
    assert guard_text("SITI") == "SITI"
    assert guard_text(-5) == -5 and guard_text(None) is None


def test_recap_xlsx_sheets_totals_and_formats(ws, tmp_path):
    recaps = [recap(ws, PEMILIHAN, lv) for lv in LEVELS]
    path = write_recap_xlsx(recaps, tmp_path / "rekap.xlsx")
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == [SHEET_NAMES[lv] for lv in LEVELS]
    source = latest_match(ws, PEMILIHAN).line()
    for r in recaps:
        rows = sheet(path, SHEET_NAMES[r.level])
        assert rows[0][0].startswith("Rekapitulasi Perekaman KTP-el per ")
        assert rows[1][0] == source
        header = rows[HEADER_ROW]
        assert header[:3] == ["No", "Kode", {"provinsi": "Provinsi", "kabupaten": "Kabupaten/Kota",
                                               "kecamatan": "Kecamatan", "desa": "Desa/Kelurahan",
                                               "tps": "TPS"}[r.level]]  # fmt: skip
        data = rows[HEADER_ROW + 1 : HEADER_ROW + 1 + len(r.rows)]
        total = rows[HEADER_ROW + 1 + len(r.rows)]
        assert total[2] == "JUMLAH"
        dpt_col = header.index("DPT")
        gap_col = header.index("Selisih (belum + gagal)")
        cov_col = header.index("Cakupan rekam")
        assert sum(row[dpt_col] for row in data) == total[dpt_col] == r.total.dpt
        assert sum(row[gap_col] for row in data) == total[gap_col] == r.total.gap
        assert total[cov_col] == pytest.approx(r.total.coverage)
        assert [row[gap_col] for row in data] == sorted(
            (row[gap_col] for row in data), reverse=True
        )
        # Codes stay text (leading zeros and 13-digit TPS keys intact).
        assert all(isinstance(row[1], str) for row in data)
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode()
        assert "#,##0" in styles and "0.0%" in styles
        s1 = z.read("xl/worksheets/sheet3.xml").decode()
        assert "<autoFilter" in s1
        assert 'state="frozen"' in s1 and f'ySplit="{HEADER_ROW + 1}"' in s1
        assert "<f>SUM(" in s1  # the totals row is a live sum
        setup = re.search(r"<pageSetup [^>]*>", s1).group(0)
        assert 'paperSize="9"' in setup and 'orientation="landscape"' in setup
        assert re.search(r'<col min="3" max="3" width="30', s1)


def test_worklist_xlsx_is_safe_and_private(ws, tmp_path):
    rows = worklist(ws, PEMILIHAN, "7371")
    path = write_worklist_xlsx(rows, tmp_path / "wl.xlsx", title="Daftar", source_line="Sumber: x")
    data = sheet(path, "Daftar jemput bola")
    header = data[HEADER_ROW]
    assert "Nama" in header and "Yang harus dilakukan" in header
    assert not any("lahir" in str(h).lower() or "disabilitas" in str(h).lower() for h in header)
    body = data[HEADER_ROW + 1 :]
    assert len(body) == len(rows)
    names = [r[header.index("Nama")] for r in body]
    assert EVIL in names and "+62 SITI" in names  # kept exactly as typed ...
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
        assert "HYPERLINK" not in xml  # ... but as a shared string, never a formula
        assert "<f>" not in xml
    niks = [r[header.index("NIK")] for r in body]
    assert all(re.fullmatch(r"\d{6}\*{10}", n) for n in niks)
    assert "disamarkan" in data[3][0]
    full = write_worklist_xlsx(
        worklist(ws, PEMILIHAN, "7371", full_nik=True), tmp_path / "full.xlsx",
        title="Daftar", source_line="Sumber: x", full_nik=True,
    )  # fmt: skip
    fdata = sheet(full, "Daftar jemput bola")
    assert "RAHASIA" in fdata[3][0]
    assert all(re.fullmatch(r"\d{16}", r[header.index("NIK")]) for r in fdata[HEADER_ROW + 1 :])


def test_csv_recap_and_worklist_guard_formulas(ws, tmp_path):
    r = recap(ws, PEMILIHAN, "desa", "7371")
    parsed = list(csv.DictReader(io.StringIO(recap_csv_text(r, include_total=True))))
    assert len(parsed) == len(r.rows) + 1
    assert parsed[0]["kode"] == r.rows[0].code and int(parsed[0]["selisih"]) == r.rows[0].gap
    assert float(parsed[0]["cakupan"]) == pytest.approx(r.rows[0].coverage, abs=1e-6)
    assert parsed[-1]["tingkat"] == "total" and int(parsed[-1]["dpt"]) == r.total.dpt
    assert parsed[0]["tanggal_dukcapil"] == "2020-11-18"
    path = write_worklist_csv(worklist(ws, PEMILIHAN, "7371"), tmp_path / "wl.csv")
    names = [row["nama"] for row in csv.DictReader(path.open(encoding="utf-8"))]
    assert "'" + EVIL in names and "'+62 SITI" in names
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names)


def pdf_pages_and_text(path, tmp_path):
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout  # fmt: skip
    return pngs, text


@needs_poppler
def test_kabupaten_pdf(ws, tmp_path):
    r = recap(ws, PEMILIHAN, "kecamatan", "7306")
    p = progress(ws, PEMILIHAN, "7306")
    path = write_kabupaten_pdf(tmp_path / "gowa.pdf", r, p)
    pngs, text = pdf_pages_and_text(path, tmp_path)
    assert pngs and all(png.stat().st_size > 1000 for png in pngs)
    for expected in ("Kabupaten Gowa", "Rekapitulasi per Kecamatan", "Bajeng", "Bontonompo",
                     "JUMLAH", "Sumber: DPT versi DPT (impor #3)", "data Dukcapil per 18 Nov 2020",
                     "Kemajuan menuju batas rekam 8 Des 2020", "Halaman 1 dari"):  # fmt: skip
        assert expected in text, expected
    assert f"{r.total.coverage * 100:.1f}%".replace(".", ",") in text
    from pypdf import PdfReader

    page = PdfReader(str(path)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
        595,
        842,
    )  # A4
    assert page.images, "the burn-down chart is embedded"


@needs_poppler
def test_worklist_pdf(ws, tmp_path):
    rows = worklist(ws, PEMILIHAN, "7371")
    path = write_worklist_pdf(rows, tmp_path / "wl.pdf", title="Daftar", source_line="Sumber: uji")
    pngs, text = pdf_pages_and_text(path, tmp_path)
    desas = {r["kode_desa"] for r in rows}
    assert len(pngs) == len(desas)  # one page per desa here (few voters each)
    assert "Desa/Kelurahan Bontorannu" in text and "Desa/Kelurahan Sambung Jawa" in text
    flat = " ".join(text.split())
    assert "Rekam biometrik KTP-el di kantor" in flat and "Kecamatan Mariso" in flat
    assert "737101**********" in text
    assert "HYPERLINK" in text  # printed as text
    assert "lahir" not in text.lower()
    from pypdf import PdfReader

    page = PdfReader(str(path)).pages[0]
    assert round(float(page.mediabox.width)) == 842  # A4 landscape
    empty = write_worklist_pdf(
        [], tmp_path / "empty.pdf", title="Kosong", source_line="Sumber: uji"
    )
    assert "Tidak ada pemilih" in pdf_pages_and_text(empty, tmp_path / ".." / tmp_path.name)[1]
