"""The one-shot contract command: every input row once, unchanged, in order, plus results."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from padan.cli import main
from padan.linkage import match_files

DPT_HEADER = ["KODE_WILAYAH", "TPS", "NO", "NKK", "NIK", "NAMA", "TEMPAT_LAHIR",
              "TANGGAL_LAHIR", "JENIS_KELAMIN", "KTP_EL", "CATATAN_LAIN"]  # fmt: skip
REG_HEADER = ["NIK", "NO_KK", "NAMA_LGKP", "TMPT_LHR", "TGL_LHR", "JENIS_KLMIN", "STAT_KWN",
              "NO_PROP", "NO_KAB", "NO_KEC", "NO_KEL", "STATUS_KTP_EL"]  # fmt: skip

REGISTRY = [
    ["7371011203700001", "7371010101100001", "ANDI BASO", "MAKASSAR", "12-03-1970",
     "LAKI-LAKI", "KAWIN", "73", "71", "1", "1001", "CARD_ISSUED"],
    ["7371015505750002", "7371010101100001", "SITI AMINAH", "MAKASSAR", "15-05-1975",
     "PEREMPUAN", "KAWIN", "73", "71", "1", "1001", "BELUM REKAM"],
    ["7371016402880004", "7371010202200002", "NURHAYATI", "MAKASSAR", "24-02-1988",
     "PEREMPUAN", "BELUM KAWIN", "73", "71", "1", "1001", "ENROLL_FAILURE_AT_CENTRAL"],
]  # fmt: skip
DPT = [
    ["7371011001", "1", "1", "7371010101100001", "7371011203700001", "H. Andi Baso",
     "MAKASSAR", "12-03-1970", "L", "S", "x, y"],
    ["7371011001", "1", "2", "", "7371016402880094", "Nurhayati", "MAKASSAR", "24/02/1988",
     "P", "", "baris ; dua"],
    ["7371011001", "2", "1", "", "", "La Ode Tidak Ada", "BAUBAU", "01-01-1990", "L", "B", ""],
    ["7371011001", "2", "2", "7371010101100001", "7371010101100001", "Siti Aminah",
     "MAKASSAR", "15-05-1975", "P", "S", "\"kutip\""],
]  # fmt: skip


def write_csv(path: Path, header, rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def inputs(tmp_path: Path) -> tuple[Path, Path]:
    return (
        write_csv(tmp_path / "dpt.csv", DPT_HEADER, DPT),
        write_csv(tmp_path / "reg.csv", REG_HEADER, REGISTRY),
    )


def read_result(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def test_match_files_csv_rows_unchanged_in_order(tmp_path):
    dpt, reg = inputs(tmp_path)
    summary = match_files([dpt], [reg], tmp_path / "hasil.csv")
    header, rows = read_result(tmp_path / "hasil.csv")
    assert header == DPT_HEADER + ["NIK_DUKCAPIL", "STATUS_REKAM", "STATUS_KTP_EL",
                                   "METODE_PADAN", "SKOR_PADAN", "CATATAN"]  # fmt: skip
    assert len(rows) == len(DPT) == summary.rows
    for given, got in zip(DPT, rows, strict=False):
        assert got[: len(DPT_HEADER)] == given
    res = [dict(zip(header[len(DPT_HEADER) :], r[len(DPT_HEADER) :], strict=False)) for r in rows]
    assert res[0]["NIK_DUKCAPIL"] == REGISTRY[0][0] and res[0]["METODE_PADAN"] == "NIK"
    assert res[0]["STATUS_REKAM"] == "SUDAH_REKAM" and res[0]["STATUS_KTP_EL"] == "CARD_ISSUED"
    assert res[1]["NIK_DUKCAPIL"] == REGISTRY[2][0] and res[1]["METODE_PADAN"] == "NIK_KOREKSI"
    assert res[1]["STATUS_REKAM"] == "GAGAL_REKAM"
    assert res[2]["NIK_DUKCAPIL"] == "" and res[2]["STATUS_REKAM"] == "TIDAK_DITEMUKAN"
    assert res[3]["NIK_DUKCAPIL"] == REGISTRY[1][0] and "NIK_KOREKSI_NKK" in res[3]["CATATAN"]


def test_cli_one_shot_parquet_and_bad_suffix(tmp_path):
    dpt, reg = inputs(tmp_path)
    runner = CliRunner()
    r = runner.invoke(main, ["match", "--dpt", str(dpt), "--registry", str(reg),
                             "--out", str(tmp_path / "hasil.parquet")])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert (tmp_path / "hasil.parquet").stat().st_size > 0
    assert "NIK" in r.output
    r = runner.invoke(main, ["match", "--dpt", str(dpt), "--registry", str(reg),
                             "--out", str(tmp_path / "hasil.txt")])  # fmt: skip
    assert r.exit_code == 1 and "OUTPUT_FORMAT" in r.output


def test_match_files_xlsx_output(tmp_path):
    from python_calamine import CalamineWorkbook

    dpt, reg = inputs(tmp_path)
    match_files([dpt], [reg], tmp_path / "hasil.xlsx")
    rows = (
        CalamineWorkbook.from_path(str(tmp_path / "hasil.xlsx")).get_sheet_by_index(0).to_python()
    )
    assert len(rows) == len(DPT) + 1
    assert [str(c) for c in rows[1][:5]] == DPT[0][:5]
    assert rows[1][len(DPT_HEADER)] == REGISTRY[0][0]


def test_writing_an_xlsx_result_reports_its_progress(tmp_path, monkeypatch):
    """XLSX is written cell by cell (minutes for a kabupaten): the rows written are told as
    they go, not only at the end."""
    import padan.linkage.files as F

    monkeypatch.setattr(F, "XLSX_BATCH_ROWS", 1)
    dpt, reg = inputs(tmp_path)
    seen: list[tuple[int, int]] = []
    match_files([dpt], [reg], tmp_path / "hasil.xlsx",
                progress=lambda s, d, t: seen.append((d, t)) if s == "tulis" else None)  # fmt: skip
    n = len(DPT)
    assert seen == [(i, n) for i in range(n)] + [(n, n)]


def test_rejected_rows_stay_in_place(tmp_path):
    rows = [DPT[0], ["7371011001", "1", "9", "", "", "", "", "", "", "", "kosong"], DPT[1]]
    dpt = write_csv(tmp_path / "dpt.csv", DPT_HEADER, rows)
    reg = write_csv(tmp_path / "reg.csv", REG_HEADER, REGISTRY)
    match_files([dpt], [reg], tmp_path / "hasil.csv")
    header, out = read_result(tmp_path / "hasil.csv")
    assert [r[: len(DPT_HEADER)] for r in out] == rows
    assert out[1][header.index("STATUS_REKAM")] == "TIDAK_DITEMUKAN"
    assert out[0][header.index("METODE_PADAN")] == "NIK"


def test_match_files_dpt_as_xlsx_with_title_rows(tmp_path):
    import xlsxwriter

    xlsx = tmp_path / "dpt.xlsx"
    wb = xlsxwriter.Workbook(str(xlsx))
    ws = wb.add_worksheet("TPS 001")
    ws.write_row(0, 0, ["DAFTAR PEMILIH TETAP PILKADA 2020"])
    ws.write_row(2, 0, DPT_HEADER)
    for i, row in enumerate(DPT):
        for j, v in enumerate(row):
            ws.write_string(3 + i, j, v)
    wb.close()
    _, reg = inputs(tmp_path)
    summary = match_files([xlsx], [reg], tmp_path / "hasil.csv")
    header, rows = read_result(tmp_path / "hasil.csv")
    assert summary.rows == len(DPT) == len(rows)
    assert header[: len(DPT_HEADER)] == DPT_HEADER
    assert [r[: len(DPT_HEADER)] for r in rows] == DPT
    nik = header.index("NIK_DUKCAPIL")
    assert [r[nik] for r in rows] == [REGISTRY[0][0], REGISTRY[2][0], "", REGISTRY[1][0]]


@pytest.mark.parametrize("with_reject", [False, True])
def test_several_files_and_sheets_come_out_in_input_order(tmp_path, with_reject):
    """One file per kelurahan and a workbook of TPS sheets: the result follows the files in
    the order given, the sheets in the workbook's order, the rows as read (with or without
    a rejected row among them)."""
    import xlsxwriter

    blank = ["7371011001", "1", "9", "", "", "", "", "", "", "", "kosong"]
    parts = [[DPT[2], DPT[0]], [DPT[3], blank, DPT[1]] if with_reject else [DPT[3], DPT[1]],
             [DPT[1], DPT[2]], [DPT[0]]]  # fmt: skip
    b = write_csv(tmp_path / "b.csv", DPT_HEADER, parts[0])
    a = write_csv(tmp_path / "a.csv", DPT_HEADER, parts[1])
    xlsx = tmp_path / "c.xlsx"
    wb = xlsxwriter.Workbook(str(xlsx))
    for name, rows in (("TPS 002", parts[2]), ("TPS 001", parts[3])):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, DPT_HEADER)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                ws.write_string(1 + i, j, v)
    wb.close()
    reg = write_csv(tmp_path / "reg.csv", REG_HEADER, REGISTRY)
    summary = match_files([b, a, xlsx], [reg], tmp_path / "hasil.csv")
    header, out = read_result(tmp_path / "hasil.csv")
    expected = [r for part in parts for r in part]
    assert [r[: len(DPT_HEADER)] for r in out] == expected
    assert summary.inputs["dpt"].rejected == (1 if with_reject else 0)
    nik = header.index("NIK_DUKCAPIL")
    assert out[1][nik] == REGISTRY[0][0]


def test_quality_cli(tmp_path):
    dpt, reg = inputs(tmp_path)
    truth = write_csv(
        tmp_path / "truth.csv",
        ["ROW", "NIK_BENAR", "STATUS_REKAM_BENAR", "KESALAHAN", "GANDA_DENGAN"],
        [["0", REGISTRY[0][0], "SUDAH_REKAM", "", ""],
         ["1", REGISTRY[2][0], "GAGAL_REKAM", "NIK_SALAH_KETIK", ""],
         ["2", "", "TIDAK_DITEMUKAN", "TIDAK_DI_REGISTER", ""],
         ["3", REGISTRY[1][0], "BELUM_REKAM", "NKK_SEBAGAI_NIK", ""]],
    )  # fmt: skip
    r = CliRunner().invoke(main, ["quality", "--dpt", str(dpt), "--registry", str(reg),
                                  "--truth", str(truth)])  # fmt: skip
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if x.startswith("KESELURUHAN"))
    assert line.split()[1:5] == ["4", "3", "1.00000", "1.00000"]


def test_register_nik_twice_last_row_is_used(tmp_path):
    """An extract that repeats a NIK: the loader warns (NIK_GANDA_DI_REGISTER) and the
    match uses the last row, as the warning says, whichever order the rows come in."""
    first = REGISTRY[0][:-1] + ["BELUM REKAM"]
    for rows, want in (([first, *REGISTRY], "SUDAH_REKAM"), ([*REGISTRY, first], "BELUM_REKAM")):
        dpt = write_csv(tmp_path / "dpt.csv", DPT_HEADER, DPT)
        reg = write_csv(tmp_path / "reg.csv", REG_HEADER, rows)
        out = tmp_path / "hasil.csv"
        match_files([dpt], [reg], out)
        header, got = read_result(out)
        row = got[0]  # H. Andi Baso, NIK 7371011203700001
        assert row[header.index("NIK_DUKCAPIL")] == "7371011203700001"
        assert row[header.index("STATUS_REKAM")] == want


def test_input_errors_from_either_side_are_reported(tmp_path):
    """The DPT and the register are read at the same time (two connections): an error in
    either is the one reported, as a message, and no result file is left behind."""
    dpt, reg = inputs(tmp_path)
    bad_dpt = write_csv(tmp_path / "bad_dpt.csv", [h for h in DPT_HEADER if h != "NAMA"],
                        [r[:5] + r[6:] for r in DPT])  # fmt: skip
    bad_reg = write_csv(tmp_path / "bad_reg.csv", REG_HEADER[:-1], [r[:-1] for r in REGISTRY])
    runner = CliRunner()
    for d, g, column in ((bad_dpt, reg, "NAMA"), (dpt, bad_reg, "STATUS_KTP_EL")):
        out = tmp_path / "hasil.csv"
        r = runner.invoke(main, ["match", "--dpt", str(d), "--registry", str(g), "--out", str(out)])
        assert r.exit_code == 1, r.output
        assert "KOLOM_WAJIB_TIDAK_ADA" in r.output and column in r.output
        assert "Traceback" not in r.output
        assert not out.exists()
    # the register's stages are labelled as such in the progress lines
    r = runner.invoke(main, ["match", "--dpt", str(dpt), "--registry", str(reg),
                             "--out", str(tmp_path / "hasil.csv")])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "Membaca data Dukcapil" in r.output and "Membaca berkas DPT" in r.output


def test_one_shot_tells_what_was_read_and_rejected(tmp_path):
    """Rows rejected on either side are counted and shown by example (file, row, reason,
    masked NIK), never dropped silently; a full NIK is never printed."""
    rows = [DPT[0], ["7371011001", "1", "9", "", "", "", "", "", "", "", "kosong"], DPT[1]]
    dpt = write_csv(tmp_path / "dpt.csv", DPT_HEADER, rows)
    bad = ["7371019999", "", "BUDI", "GOWA", "12-01-1980", "L", "KAWIN", "73", "71", "1",
           "1001", "BELUM REKAM"]  # fmt: skip
    reg = write_csv(tmp_path / "reg.csv", REG_HEADER, [*REGISTRY, bad])
    r = CliRunner().invoke(main, ["match", "--dpt", str(dpt), "--registry", str(reg),
                                  "--out", str(tmp_path / "hasil.csv")])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "DPT: dibaca 3 baris, diterima 2, ditolak 1 (tetap ada di berkas hasil" in r.output
    assert (
        "Data Dukcapil: dibaca 4 baris, diterima 3, ditolak 1 (tidak ikut dipadankan)" in r.output
    )
    assert "dpt.csv baris 3: BARIS_TANPA_IDENTITAS" in r.output
    assert "reg.csv baris 5: NIK_TIDAK_VALID (737101****)" in r.output
    assert "7371019999" not in r.output


def test_progress_prints_a_line_per_tenth_not_per_chunk(capsys):
    from padan.cli.match import _Progress

    p = _Progress()
    total = 556_000_000  # a province file, reported every 8 MB
    for done in range(0, total, 8_388_608):
        p("baca", done, total)
    p("baca", total, total)
    p("NIK", 970_744, 1_000_048)
    lines = capsys.readouterr().err.splitlines()
    reading = [x for x in lines if "Membaca berkas DPT" in x]
    assert 10 <= len(reading) <= 12
    # bytes, in MB: not to be taken for rows
    assert reading[-1].endswith("556,0 MB dari 556,0 MB (100,0%)")
    assert any("970.744 dari 1.000.048 (97,1%)" in x for x in lines)


@pytest.mark.parametrize(
    "nik, has, has_not",
    [
        # 16 digits breaking a rule (no kabupaten 7399): invalid, and so not "not found"
        ("7399011203700001", {"NIK_TIDAK_VALID", "NIK_KABUPATEN_TIDAK_DIKENAL"},
         {"NIK_TIDAK_DITEMUKAN"}),
        ("737101120370001", {"NIK_TIDAK_VALID", "NIK_PANJANG_SALAH"}, {"NIK_TIDAK_DITEMUKAN"}),
        # a valid NIK no record has
        ("7371011203700009", {"NIK_TIDAK_DITEMUKAN"}, {"NIK_TIDAK_VALID"}),
        # blank and masked NIKs have codes of their own
        ("", {"NIK_KOSONG"}, {"NIK_TIDAK_VALID", "NIK_TIDAK_DITEMUKAN"}),
        ("737101**********", {"NIK_DISAMARKAN"}, {"NIK_TIDAK_VALID", "NIK_TIDAK_DITEMUKAN"}),
        # a NIK whose birth-date digits differ from the birth date is still valid
        ("7371011303700001", {"NIK_TGL_LAHIR_BEDA", "NIK_TIDAK_DITEMUKAN"}, {"NIK_TIDAK_VALID"}),
    ],
)  # fmt: skip
def test_catatan_says_whether_the_nik_is_invalid_or_not_found(tmp_path, nik, has, has_not):
    row = ["7371011001", "3", "1", "", nik, "Baso Tidak Terdaftar", "MAKASSAR", "12-03-1970",
           "L", "", ""]  # fmt: skip
    dpt = write_csv(tmp_path / "dpt.csv", DPT_HEADER, [row])
    reg = write_csv(tmp_path / "reg.csv", REG_HEADER, REGISTRY)
    match_files([dpt], [reg], tmp_path / "hasil.csv")
    header, rows = read_result(tmp_path / "hasil.csv")
    catatan = set(rows[0][header.index("CATATAN")].split(";"))
    assert has <= catatan and not (has_not & catatan), catatan


def test_an_output_that_cannot_be_written_is_told_before_the_work(tmp_path, monkeypatch):
    """The result's folder is a file: the error comes before anything is read, as a message
    (no traceback), and no temporary file is left behind."""
    import padan.linkage.files as F

    dpt, reg = inputs(tmp_path)
    monkeypatch.setattr(F, "_load", lambda *a, **k: pytest.fail("read before the check"))
    r = CliRunner().invoke(main, ["match", "--dpt", str(dpt), "--registry", str(reg),
                                  "--out", str(dpt / "hasil.csv")])  # fmt: skip
    assert r.exit_code != 0 and "HASIL_TIDAK_BISA_DITULIS" in r.output
    assert "Traceback" not in r.output and str(dpt) in r.output


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_output_that_fails_while_written_is_told_and_cleaned_up(tmp_path, monkeypatch, suffix):
    """A full disk while the result is written: a message, no half-written file under either
    name."""
    import padan.engine.duckdb_engine as E
    import padan.linkage.files as F

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(E.DuckDBEngine, "copy_to", full)
    monkeypatch.setattr(F, "_write_xlsx", full)
    dpt, reg = inputs(tmp_path)
    out = tmp_path / f"hasil{suffix}"
    r = CliRunner().invoke(main, ["match", "--dpt", str(dpt), "--registry", str(reg),
                                  "--out", str(out)])  # fmt: skip
    assert r.exit_code != 0 and "HASIL_TIDAK_BISA_DITULIS" in r.output
    assert "No space left on device" in r.output and "Traceback" not in r.output
    assert not out.exists() and not any(p.name.startswith(".hasil") for p in tmp_path.iterdir())


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize(
    "extra",
    [["KETERANGAN", "KETERANGAN", ""], ["KETERANGAN", "Keterangan"]],
    ids=["empty", "repeated"],
)
def test_input_column_names_come_back_exactly_even_empty_or_repeated(tmp_path, suffix, extra):
    """A header with a repeated name and an empty one, or only a repeated one: SQL cannot
    carry them as they are, the result file still has them (CSV, XLSX), and the values
    under them. (With only a repeated name, the query's names are the header's, but
    DuckDB's CSV writer renamed the second KETERANGAN_1 until 5 Dec 2026.)"""
    header = DPT_HEADER[:-1] + extra
    rows = [r[:-1] + ["a", "b", "c"][: len(extra)] for r in DPT]
    dpt = write_csv(tmp_path / "dpt.csv", header, rows)
    reg = write_csv(tmp_path / "reg.csv", REG_HEADER, REGISTRY)
    out = tmp_path / f"hasil{suffix}"
    match_files([dpt], [reg], out)
    if suffix == ".csv":
        got_header, got = read_result(out)
    else:
        import fastexcel

        t = fastexcel.read_excel(str(out)).load_sheet(0, header_row=None, dtypes="string")
        table = [["" if v is None else v for v in r.values()] for r in t.to_arrow().to_pylist()]
        got_header, got = table[0], table[1:]
    assert got_header == header + ["NIK_DUKCAPIL", "STATUS_REKAM", "STATUS_KTP_EL",
                                   "METODE_PADAN", "SKOR_PADAN", "CATATAN"]  # fmt: skip
    assert [r[: len(header)] for r in got] == rows


def test_several_files_after_one_flag_as_the_contract_writes_them(tmp_path):
    """``--dpt FILE...`` (a shell glob gives that), ``--dpt=FILE FILE`` and the flag repeated
    read the same files in the same order."""
    dpt, reg = inputs(tmp_path)
    second = write_csv(tmp_path / "dpt2.csv", DPT_HEADER, DPT[:2])
    runner = CliRunner()
    outs = []
    for i, args in enumerate([
        ["--dpt", str(dpt), str(second), "--registry", str(reg)],
        [f"--dpt={dpt}", str(second), "--registry", str(reg)],
        ["--dpt", str(dpt), "--dpt", str(second), "--registry", str(reg)],
    ]):  # fmt: skip
        out = tmp_path / f"hasil{i}.csv"
        r = runner.invoke(main, ["match", *args, "--out", str(out)])
        assert r.exit_code == 0, r.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]
    header, rows = read_result(tmp_path / "hasil0.csv")
    assert [r[: len(DPT_HEADER)] for r in rows] == DPT + DPT[:2]
    # a value that is not a file is still refused, as for any option
    r = runner.invoke(main, ["match", "--dpt", str(dpt), str(tmp_path / "tidak-ada.csv"),
                             "--registry", str(reg), "--out", str(tmp_path / "x.csv")])  # fmt: skip
    assert r.exit_code == 2 and "tidak-ada.csv" in r.output


def test_the_result_never_replaces_an_input(tmp_path):
    dpt, reg = inputs(tmp_path)
    before = dpt.read_bytes()
    r = CliRunner().invoke(main, ["match", "--dpt", str(dpt), "--registry", str(reg),
                                  "--out", str(dpt)])  # fmt: skip
    assert r.exit_code == 1 and "HASIL_MENIMPA_MASUKAN" in r.output
    assert dpt.read_bytes() == before


def test_a_result_inside_an_input_folder_is_refused(tmp_path):
    """A folder is read whole: a result written into it would be read as DPT rows the next
    time (every voter twice). Told before any work, nothing written."""
    folder = tmp_path / "dpt"
    folder.mkdir()
    write_csv(folder / "dpt.csv", DPT_HEADER, DPT)
    reg = write_csv(tmp_path / "reg.csv", REG_HEADER, REGISTRY)
    out = folder / "hasil.csv"
    r = CliRunner().invoke(main, ["match", "--dpt", str(folder), "--registry", str(reg),
                                  "--out", str(out)])  # fmt: skip
    assert r.exit_code == 1 and "HASIL_DI_FOLDER_MASUKAN" in r.output
    assert "Traceback" not in r.output and not out.exists()


@pytest.mark.parametrize("rows", [[], "all rejected"])
def test_a_register_without_a_usable_record_stops_the_match(tmp_path, rows):
    """A header-only extract, or one whose every NIK is rejected: every voter would be
    TIDAK_DITEMUKAN, a result that looks like work done. An error instead, with the reasons
    (masked NIKs), and no result file."""
    if rows:
        rows = [[r[0][:10]] + r[1:] for r in REGISTRY]  # 10-digit NIKs
    dpt = write_csv(tmp_path / "dpt.csv", DPT_HEADER, DPT)
    reg = write_csv(tmp_path / "reg.csv", REG_HEADER, rows)
    out = tmp_path / "hasil.csv"
    r = CliRunner().invoke(main, ["match", "--dpt", str(dpt), "--registry", str(reg),
                                  "--out", str(out)])  # fmt: skip
    assert r.exit_code == 1 and "REGISTER_KOSONG" in r.output, r.output
    assert f"dibaca {len(rows)} baris" in r.output
    assert ("NIK_TIDAK_VALID (737101****)" in r.output) == bool(rows)
    assert "7371011203" not in r.output.replace("737101****", "")
    assert "Traceback" not in r.output and not out.exists()


def test_register_niks_written_as_decimals_are_read_as_their_digits(tmp_path):
    """A register NIK column written by pandas as floats (7371011203700001.0): below 2^53 a
    double holds the NIK exactly, so the record is used (with a warning); above it (a Papua
    NIK, 91...) the digits may have changed, and the record is rejected."""
    papua = ["9171011203700009", "", "YOHANES", "JAYAPURA", "12-03-1970", "LAKI-LAKI",
             "KAWIN", "91", "71", "1", "1001", "CARD_ISSUED"]  # fmt: skip
    rows = [[r[0] + ".0"] + r[1:] for r in [*REGISTRY, papua]]
    dpt, plain = inputs(tmp_path)
    reg = write_csv(tmp_path / "reg_dec.csv", REG_HEADER, rows)
    match_files([dpt], [plain], tmp_path / "a.csv")
    r = CliRunner().invoke(main, ["match", "--dpt", str(dpt), "--registry", str(reg),
                                  "--out", str(tmp_path / "b.csv")])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "NIK_ANGKA_DESIMAL" in r.output and "diterima 3, ditolak 1" in r.output
    assert read_result(tmp_path / "a.csv") == read_result(tmp_path / "b.csv")


def test_workspace_match_without_a_workspace_makes_none(tmp_path):
    ws = tmp_path / "padan.duckdb"
    r = CliRunner().invoke(main, ["match", "--workspace", str(ws)])
    assert r.exit_code == 1 and "WORKSPACE_TIDAK_ADA" in r.output and "--dpt" in r.output
    assert not ws.exists()


def test_the_result_by_stored_stretches_is_the_joined_and_sorted_result(
    tmp_path, engine, monkeypatch
):
    """A DPT table stored in stretches out of row id order (as the loader's parallel build
    stores it) written stretch by stretch beside its result rows gives the same file, byte
    for byte, as the join and sort; a table in too many stretches is left to them."""
    from padan.ingest import load_dpt
    from padan.linkage import files as F

    rows = [[*r[:2], str(i + 1), *r[3:]] for i, r in enumerate(DPT * 15)]
    report = load_dpt(
        engine, [write_csv(tmp_path / "dpt.csv", DPT_HEADER, rows)], table="dpt0", hash_files=False
    )
    n = len(rows)
    assert (report.accepted, report.rejected) == (n, 0)
    engine.execute(
        "CREATE TABLE dpt AS SELECT * FROM dpt0 WHERE row_id >= 40 UNION ALL "
        "SELECT * FROM dpt0 WHERE row_id >= 15 AND row_id < 40 UNION ALL "
        "SELECT * FROM dpt0 WHERE row_id < 15"
    )
    engine.execute(
        "CREATE TABLE match_out AS SELECT row_id, 'N' || row_id AS nik_dukcapil, "
        "CASE WHEN row_id % 3 = 0 THEN 'SUDAH_REKAM' ELSE 'TIDAK_DITEMUKAN' END AS status_rekam, "
        "CASE WHEN row_id % 2 = 0 THEN 'CARD_ISSUED' END AS status_ktp_el, 'NIK' AS metode_padan, "
        "row_id / 100.0 AS skor_padan, 'x;' || row_id AS catatan FROM dpt0 ORDER BY hash(row_id)"
    )
    assert [r[1:] for r in F._stored_runs(engine, "dpt", n)] == [(40, n - 40), (15, 25), (0, 15)]
    header = F.result_header(report)
    assert F._write_csv_by_segments(engine, report, header, n, tmp_path / "a.csv")
    F.write_result(engine, F.result_sql("dpt", "match_out", report), tmp_path / "b.csv", header)
    a = (tmp_path / "a.csv").read_bytes()
    assert a == (tmp_path / "b.csv").read_bytes()
    got = read_result(tmp_path / "a.csv")[1]
    assert [r[: len(DPT_HEADER)] for r in got] == rows
    assert [r[len(DPT_HEADER)] for r in got] == [f"N{i}" for i in range(n)]
    assert not list(tmp_path.glob(".a.csv*"))  # no part left behind
    monkeypatch.setattr(F, "MAX_RUNS", 2)
    assert not F._write_csv_by_segments(engine, report, header, n, tmp_path / "c.csv")
    assert not (tmp_path / "c.csv").exists()
