"""Readers and normalisation: CSV dialects and encodings, XLSX, columns, dates, NIK damage."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from padan.errors import PadanError
from padan.ingest import load_dpt, load_registry
from padan.ingest.load import input_sources

HEADER = [
    "KABUPATEN",
    "KECAMATAN",
    "KELURAHAN",
    "TPS",
    "NIK",
    "NAMA",
    "TEMPAT_LAHIR",
    "TANGGAL_LAHIR",
    "JENIS_KELAMIN",
    "STATUS_KAWIN",
]
ROW_A = [
    "KOTA MAKASSAR",
    "MARISO",
    "BONTORANNU",
    "TPS 001",
    "7371014507900001",
    "SITI AMINAH",
    "MAKASSAR",
    "05-07-1990",
    "P",
    "S",
]
ROW_B = [
    "Kota Makassar",
    "Mariso",
    "Bontorannu",
    "1",
    "7371011201800002",
    "BUDI",
    "GOWA",
    "12/01/1980",
    "L",
    "B",
]


def write_csv(
    path: Path,
    rows: list[list[str]],
    delim: str = ",",
    encoding: str = "utf-8",
    newline: str = "\n",
) -> Path:
    text = newline.join(delim.join(r) for r in rows) + newline
    path.write_bytes(text.encode(encoding))
    return path


def codes(report) -> list[str]:
    return [w.code for w in report.warnings]


def test_utf8_comma(engine, tmp_path):
    f = write_csv(tmp_path / "dpt.csv", [HEADER, ROW_A, ROW_B])
    r = load_dpt(engine, [f], table="dpt")
    assert (r.rows_read, r.accepted, r.rejected) == (2, 2, 0)
    assert r.raw_columns == HEADER
    values = f"[{', '.join(input_sources(r))}]"  # the input values as read
    rows = engine.rows(
        "SELECT row_id, kode_desa, tps, tps_key, nik, tanggal_lahir, jenis_kelamin, status_kawin, "
        f"{values} FROM dpt ORDER BY row_id"
    )
    assert rows[0][:8] == (
        0,
        "7371011001",
        "001",
        "7371011001001",
        "7371014507900001",
        dt.date(1990, 7, 5),
        "P",
        "S",
    )
    assert rows[0][8] == ROW_A
    assert rows[1][5] == dt.date(1980, 1, 12)


def test_bom_semicolon_crlf_and_title_rows(engine, tmp_path):
    rows = [["DAFTAR PEMILIH TETAP PILKADA 2020"], [""], HEADER, ROW_A, ROW_B]
    f = tmp_path / "dpt.csv"
    f.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(";".join(r) for r in rows) + "\r\n").encode())
    r = load_dpt(engine, [f], table="dpt")
    assert (r.rows_read, r.accepted, r.rejected) == (2, 2, 0)
    assert r.raw_columns[0] == "KABUPATEN"
    assert "BARIS_JUDUL_DILEWATI" in codes(r)
    src = engine.rows("SELECT source_row, nama FROM dpt ORDER BY row_id")
    assert src == [(4, "SITI AMINAH"), (5, "BUDI")]
    last = input_sources(r)[9]
    assert engine.one(f"SELECT {last} FROM dpt WHERE row_id = 1")[0] == "B"  # no stray \r


def test_windows_1252_names(engine, tmp_path):
    row = list(ROW_A)
    row[5] = "ANDI RÉSKY ‘ACO’"
    f = write_csv(tmp_path / "dpt.csv", [HEADER, row], delim=";", encoding="cp1252")
    r = load_dpt(engine, [f], table="dpt")
    assert "ENKODING_WINDOWS_1252" in codes(r)
    assert engine.one("SELECT nama FROM dpt")[0] == "ANDI RÉSKY ‘ACO’"


def test_mixed_line_endings_and_quotes(engine, tmp_path):
    f = tmp_path / "dpt.csv"
    body = ",".join(HEADER) + "\n" + ",".join(ROW_A) + "\r\n"
    row = list(ROW_B)
    row[5] = '"BUDI, S.Pd"'
    body += ",".join(row) + "\r"
    f.write_text(body, encoding="utf-8")
    r = load_dpt(engine, [f], table="dpt")
    assert (r.accepted, r.rejected) == (2, 0)
    assert engine.one("SELECT nama FROM dpt WHERE row_id = 1")[0] == "BUDI, S.Pd"


def test_unsplittable_rows_are_rejected_with_line(engine, tmp_path):
    f = write_csv(tmp_path / "dpt.csv", [HEADER, ROW_A, ["x", "y"], ROW_B + ["extra"], ROW_B])
    r = load_dpt(engine, [f], table="dpt")
    assert (r.rows_read, r.accepted, r.rejected) == (4, 2, 2)
    rej = engine.rows("SELECT source_row, reason, raw[1] FROM dpt_rejects ORDER BY source_row")
    assert [x[:2] for x in rej] == [(3, "BARIS_RUSAK"), (4, "BARIS_RUSAK")]
    # a short line is split into the fields it has; a long one is kept whole
    assert engine.rows("SELECT raw[1], raw[2], raw[3] FROM dpt_rejects ORDER BY source_row")[0] == (
        "x",
        "y",
        None,
    )
    assert rej[1][2] == ",".join(ROW_B + ["extra"])
    assert engine.rows("SELECT source_row FROM dpt ORDER BY row_id") == [(2,), (5,)]


# (the lenient reader numbers a record by its physical first line, DuckDB's reader by records:
# a quoted line break shifts the python reader's later source rows by one; not this test's)
@pytest.mark.parametrize(
    "multiline, reader",
    [(False, "duckdb"), (True, "duckdb"), (False, "python"), (False, "padding refused")],
)
def test_rows_without_their_empty_last_fields_are_read(
    engine, tmp_path, monkeypatch, multiline, reader
):
    """Excel, saving a CSV, sometimes leaves off the delimiters of empty last cells (in
    blocks of rows), and KPU's last columns are often empty: such a row is a voter with those
    fields empty, in its place. A short row that lacks a required column is a broken line,
    rejected as BARIS_RUSAK. Until 5 Dec 2026 every short row was rejected. ``multiline``: a
    quoted line break in the same file, which DuckDB's parallel reader cannot pad. ``python``:
    the lenient reader, for a file DuckDB's parser refuses; ``padding refused``: DuckDB reads
    the file strictly but refuses the padded read, and the lenient reader takes the file."""
    from padan.ingest.load import _Loader

    if reader == "python":
        monkeypatch.setattr(_Loader, "_read_strict", lambda self, batch: False)
    if reader == "padding refused":
        options = _Loader._csv_options

        def refusing(self, delimiter, width, padded=""):  # type: ignore[no-untyped-def]
            return options(self, delimiter, width, padded) + (
                ", no_such_option = 1" if padded else ""
            )

        monkeypatch.setattr(_Loader, "_csv_options", refusing)
        lenient = _Loader._read_lenient
        used: list[int] = []
        monkeypatch.setattr(
            _Loader, "_read_lenient", lambda self, r: used.append(r.part) or lenient(self, r)
        )
    a, b = list(ROW_A), list(ROW_B)
    if multiline:
        a[5] = '"SITI\nAMINAH"'
    rows = [HEADER, a, ROW_B[:-1], ["x", "y"], b, ROW_A[:-1]]
    f = write_csv(tmp_path / "dpt.csv", rows)
    r = load_dpt(engine, [f], table="dpt")
    assert (r.rows_read, r.accepted, r.rejected) == (5, 4, 1)
    assert "BARIS_PENDEK" in codes(r)
    assert next(w for w in r.warnings if w.code == "BARIS_PENDEK").rows == 2
    got = engine.rows("SELECT row_id, source_row, nama, status_kawin FROM dpt ORDER BY row_id")
    first = "SITI\nAMINAH" if multiline else "SITI AMINAH"
    assert [g[1:3] for g in got] == [(2, first), (3, "BUDI"), (5, "BUDI"), (6, "SITI AMINAH")]
    assert [g[0] for g in got] == [0, 1, 2, 3]
    assert got[1][3] is None and got[2][3] is not None
    assert engine.rows("SELECT source_row, reason FROM dpt_rejects") == [(4, "BARIS_RUSAK")]
    if reader == "padding refused":
        assert used == [0]


def test_a_footer_and_a_signature_under_the_table_are_not_voters(engine, tmp_path):
    """A total line and a signature under the list (a name alone: no NIK, birth date or sex)
    are rejected rows, not voters, and the total is no unknown region. A name with a birth
    date or a sex, and no NIK, stays a voter."""
    w = len(HEADER)
    total = ["Jumlah pemilih: 2"] + [""] * (w - 1)
    sign = [""] * 5 + ["Ketua KPPS"] + [""] * (w - 6)
    no_nik = [*ROW_B[:4], "", *ROW_B[5:8], "", ""]  # name and birth date, no NIK, no sex
    f = write_csv(tmp_path / "dpt.csv", [HEADER, ROW_A, ROW_B, no_nik, total, sign])
    r = load_dpt(engine, [f], table="dpt")
    assert (r.rows_read, r.accepted, r.rejected) == (5, 3, 2)
    rej = engine.rows("SELECT source_row, reason, message FROM dpt_rejects ORDER BY source_row")
    assert [x[:2] for x in rej] == [(5, "BARIS_TANPA_IDENTITAS"), (6, "BARIS_TANPA_IDENTITAS")]
    assert "tanpa NAMA dan tanpa NIK" in rej[0][2] and "hanya berisi nama" in rej[1][2]
    assert not [x for x in r.warnings if x.code.startswith("WILAYAH")]


def test_row_without_name_and_nik_rejected_but_bad_nik_kept(engine, tmp_path):
    empty = list(ROW_A)
    empty[4] = empty[5] = ""
    bad = list(ROW_B)
    bad[4] = "7371011201800002.0"
    masked = list(ROW_A)
    masked[4] = "737101**********"
    f = write_csv(tmp_path / "dpt.csv", [HEADER, empty, bad, masked])
    r = load_dpt(engine, [f], table="dpt")
    assert (r.rows_read, r.accepted, r.rejected) == (3, 2, 1)
    assert engine.one("SELECT reason FROM dpt_rejects")[0] == "BARIS_TANPA_IDENTITAS"
    flags = dict(engine.rows("SELECT nama, nik_flags FROM dpt"))
    assert "NIK_RUSAK_EXCEL" in flags["BUDI"]
    assert engine.one("SELECT nik, nik_raw FROM dpt WHERE nama = 'BUDI'") == (
        None,
        "7371011201800002.0",
    )
    assert "NIK_DISAMARKAN" in flags["SITI AMINAH"]


def test_excel_damaged_nik_in_csv(engine, tmp_path):
    row = list(ROW_A)
    row[4] = "7.37101E+15"
    f = write_csv(tmp_path / "dpt.csv", [HEADER, row])
    load_dpt(engine, [f], table="dpt")
    assert engine.one("SELECT nik, nik_raw, nik_flags FROM dpt") == (
        None,
        "7.37101E+15",
        "NIK_RUSAK_EXCEL",
    )


def test_synonyms_and_mapping(engine, tmp_path):
    header = [
        "KAB/KOTA",
        "kecamatan",
        "Desa/Kelurahan",
        "no tps",
        "NO_INDUK",
        "NAMA LENGKAP",
        "Tempat.Lahir",
        "TGL LAHIR",
        "L/P",
    ]
    f = write_csv(tmp_path / "dpt.csv", [header, ROW_A[:9]])
    with pytest.raises(PadanError) as ei:
        load_dpt(engine, [f], table="dpt")
    assert ei.value.code == "KOLOM_WAJIB_TIDAK_ADA"
    assert "NIK" in ei.value.message and "'NO_INDUK'" in ei.value.message
    r = load_dpt(engine, [f], table="dpt", mapping={"NIK": "no induk"})
    assert r.accepted == 1
    assert engine.one("SELECT nik, jenis_kelamin, tps FROM dpt") == ("7371014507900001", "P", "001")
    # the usual abbreviations of SIAK and hand-made sheets
    header[4], header[8] = "NIK", "Jns. Kelamin"
    r = load_dpt(engine, [write_csv(tmp_path / "jns.csv", [header, ROW_A[:9]])], table="jns")
    assert engine.one("SELECT jenis_kelamin FROM jns") == ("P",)
    # a template's notes in brackets after the names
    header[4:9] = [
        "Nomor Induk Kependudukan (NIK)",
        "NAMA [sesuai KTP]",
        "Tempat Lahir",
        "Tanggal Lahir (DD-MM-YYYY)",
        "Jenis Kelamin (L/P)",
    ]
    r = load_dpt(engine, [write_csv(tmp_path / "notes.csv", [header, ROW_A[:9]])], table="notes")
    assert r.accepted == 1 and "KOLOM_TANPA_NAMA" not in codes(r)
    assert engine.one("SELECT nik, nama IS NOT NULL, tanggal_lahir, jenis_kelamin FROM notes") == (
        "7371014507900001", True, dt.date(1990, 7, 5), "P"
    )
    # a name that is only a note is what it says
    header[4] = "(NIK)"
    r = load_dpt(engine, [write_csv(tmp_path / "only.csv", [header, ROW_A[:9]])], table="only_note")
    assert engine.one("SELECT nik FROM only_note") == ("7371014507900001",)


def test_tps_sex_and_marital_status_as_people_type_them(engine, tmp_path):
    typed = [
        ("TPS.01", "laki2", "Cerai", "001", "L", "P"),
        ("Tps-002", "Lelaki", "Belum", "002", "L", "B"),
        ("TPS No. 3", "Wanita", "Kawin", "003", "P", "S"),
        ("TPS: 12", "Pr", "JANDA", "012", "P", "P"),
        ("-1", "X", "?", None, None, None),  # not a TPS number, sex or status: warned
    ]
    rows = [HEADER] + [[*ROW_A[:3], t, *ROW_A[4:8], j, k] for t, j, k, *_ in typed]
    r = load_dpt(engine, [write_csv(tmp_path / "typed.csv", rows)], table="typed")
    got = engine.rows("SELECT tps, jenis_kelamin, status_kawin FROM typed ORDER BY row_id")
    assert got == [tuple(t[3:]) for t in typed]
    assert {"TPS_TIDAK_VALID", "JENIS_KELAMIN_TIDAK_DIKENAL"} <= set(codes(r))


def test_missing_column_lists_found_and_closest(engine, tmp_path):
    header = [
        "KABUPATEN",
        "KECAMATAN",
        "KELURAHAN",
        "TPS",
        "NIK",
        "NAMA",
        "TEMPAT_LAHIR",
        "TANGAL LAHIR",
        "JENIS_KELAMIN",
    ]
    f = write_csv(tmp_path / "dpt.csv", [header, ROW_A[:9]])
    with pytest.raises(PadanError) as ei:
        load_dpt(engine, [f], table="dpt")
    msg = ei.value.message
    assert "TANGGAL_LAHIR" in msg  # what is missing
    assert "mungkin: 'TANGAL LAHIR'" in msg  # the closest name
    assert "'KECAMATAN'" in msg  # the columns found


def test_ambiguous_dates_decided_per_file(engine, tmp_path):
    a, b = list(ROW_A), list(ROW_B)
    a[7], b[7] = "03/04/1990", "05/06/1981"
    f1 = write_csv(tmp_path / "amb.csv", [HEADER, a, b])
    r = load_dpt(engine, [f1], table="dpt")
    assert "URUTAN_TANGGAL_AMBIGU" in codes(r)
    assert r.date_order == {"amb.csv": "DMY"}
    assert engine.one("SELECT tanggal_lahir FROM dpt WHERE row_id = 0")[0] == dt.date(1990, 4, 3)
    c = list(ROW_A)
    c[7] = "12/25/1990"
    f2 = write_csv(tmp_path / "us.csv", [HEADER, a, c])
    r = load_dpt(engine, [f2], table="dpt2")
    assert r.date_order == {"us.csv": "MDY"}
    assert "URUTAN_TANGGAL_BULAN_HARI" in codes(r)
    assert engine.rows("SELECT tanggal_lahir FROM dpt2 ORDER BY row_id") == [
        (dt.date(1990, 3, 4),),
        (dt.date(1990, 12, 25),),
    ]


def _load_dates(engine, tmp_path, vals):
    """A DPT whose rows differ only in TANGGAL_LAHIR: the load report and the dates read."""
    rows = [HEADER]
    for v in vals:
        r = list(ROW_A)
        r[7] = v
        rows.append(r)
    report = load_dpt(engine, [write_csv(tmp_path / "dpt.csv", rows)], table="dpt")
    got = [x[0] for x in engine.rows("SELECT tanggal_lahir FROM dpt ORDER BY row_id")]
    return report, got


def test_date_formats(engine, tmp_path):
    vals = [
        "05-07-1990",
        "05/07/1990",
        "05|07|1990",
        "1990-07-05",
        "33059",
        "31-02-1990",
        "kemarin",
    ]
    r, got = _load_dates(engine, tmp_path, vals)
    assert got == [dt.date(1990, 7, 5)] * 5 + [None, None]
    w = next(w for w in r.warnings if w.code == "TANGGAL_TIDAK_VALID")
    assert w.rows == 2 and "31-02-1990" in w.examples[0]


D = dt.date


@pytest.mark.parametrize(
    ("vals", "expected", "invalid"),
    [
        # Excel's d-m-yyyy and d/m/yyyy: 17-4-1994 has its second separator where an ISO date
        # does, and was read as one (NULL) before 5 Dec 2026
        (
            ["17-4-1994", "8-5-1995", "1/12/1961", "17|4|1994", "1994-4-17", "31-2-1990"],
            [D(1994, 4, 17), D(1995, 5, 8), D(1961, 12, 1), D(1994, 4, 17), D(1994, 4, 17), None],
            ["31-2-1990"],
        ),
        # Excel's d mmmm yyyy and dd-mmm-yyyy, in an Indonesian or an English locale; a
        # two-digit year is not read (its century is a guess)
        (
            ["17 Agustus 1945", "17-Agu-1945", "17-Aug-1945", "1 mei 1990", "5 Nopember 1960",
             "17-Apr-94", "31 Februari 1990", "17 Bulan 1945"],
            [D(1945, 8, 17)] * 3 + [D(1990, 5, 1), D(1960, 11, 5), None, None, None],
            ["17-Apr-94", "31 Februari 1990", "17 Bulan 1945"],
        ),
    ],
    ids=["without-leading-zeros", "month-names"],
)  # fmt: skip
def test_dates_as_excel_formats_write_them(engine, tmp_path, vals, expected, invalid):
    r, got = _load_dates(engine, tmp_path, vals)
    assert got == expected
    w = next(w for w in r.warnings if w.code == "TANGGAL_TIDAK_VALID")
    assert w.rows == len(invalid) and invalid[0] in w.examples[0]


def test_excel_serial_dates_reach_the_oldest_voters(engine, tmp_path):
    # A sheet saved as CSV with its date column formatted as a number: the voters born
    # before May 1927 have 4-digit serials (8469 = 9 Mar 1923). Numbers up to 2100 could be
    # years and are not read as serials.
    vals = ["8469", "2101", "10000", "33059", "2100", "1975", "80001"]
    _, got = _load_dates(engine, tmp_path, vals)
    assert got == [
        dt.date(1923, 3, 9),
        dt.date(1905, 10, 1),
        dt.date(1927, 5, 18),
        dt.date(1990, 7, 5),
        None,
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("vals", "expected", "how"),
    [
        # one format throughout: parsed per row (strptime), checked against the full rules
        (
            ["05-07-1990", "31-02-1990", "", "01-01-1850"],
            [dt.date(1990, 7, 5), None, None, dt.date(1850, 1, 1)],
            "try_strptime(c",
        ),
        # a year strptime reads but the rules refuse (0190): the per-value lookup instead
        (["05-07-1990", "05-07-0190"], [dt.date(1990, 7, 5), None], "WHEN c7 = "),
        # separators mixed in one file (Sidalih's DD|MM|YYYY beside DD-MM-YYYY): per row,
        # read by position (make_date), separators ignored
        (
            ["05-07-1990", "05|07|1990", "05/07/1990", "31|02|1990", "", "01.12.1961"],
            [dt.date(1990, 7, 5)] * 3 + [None, None, dt.date(1961, 12, 1)],
            "make_date(",
        ),
        # a separator the rules refuse, which reading by position would take: translate
        (
            ["05-07-1990", "05|07|1990", "05x07x1990"],
            [dt.date(1990, 7, 5)] * 2 + [None],
            "try_strptime(translate(",
        ),
        # mixed separators and ISO dates: the lookup (of so few values, a CASE)
        (["05|07|1990", "1990-07-06"], [dt.date(1990, 7, 5), dt.date(1990, 7, 6)], "WHEN c7 = "),
    ],
)
def test_a_date_column_reads_the_same_per_row_or_by_lookup(
    engine, tmp_path, vals, expected, how, monkeypatch
):
    builds = []
    execute = type(engine).execute

    def spy(self, sql, params=None):
        if "TABLE dpt AS" in sql:
            builds.append(sql)
        return execute(self, sql, params)

    monkeypatch.setattr(type(engine), "execute", spy)
    assert _load_dates(engine, tmp_path, vals)[1] == expected
    (build,) = builds
    date = build[: build.index(" AS tanggal_lahir")].rsplit(" AS tempat_lahir, ", 1)[1]
    assert how in date, date


def test_unknown_region_reported_once_with_row_count(engine, tmp_path):
    rows = [HEADER]
    for i in range(5):
        r = list(ROW_A)
        r[2] = "KAMPUNG ANTAH"
        r[5] = f"ORANG {i}"
        rows.append(r)
    rows.append(ROW_B)
    f = write_csv(tmp_path / "dpt.csv", rows)
    r = load_dpt(engine, [f], table="dpt")
    unknown = [w for w in r.warnings if w.code == "WILAYAH_TIDAK_DIKENAL"]
    assert len(unknown) == 1 and unknown[0].rows == 5
    assert "KAMPUNG ANTAH" in unknown[0].message
    assert (
        engine.one("SELECT count(*) FROM dpt WHERE kode_desa IS NULL AND kode_kec = '737101'")[0]
        == 5
    )


def test_region_codes_as_far_as_the_names_resolve(engine, tmp_path):
    """Each row gets the kabupaten, kecamatan and desa codes its names resolve to, and no
    code below the first name that does not resolve."""
    rows = [HEADER]
    for kab, kec, kel in [
        ("KOTA MAKASSAR", "MARISO", "BONTORANNU"),
        ("KOTA MAKASSAR", "MARISO", "KAMPUNG ANTAH"),
        ("KOTA MAKASSAR", "KECAMATAN ANTAH", "BONTORANNU"),
        ("KOTA ANTAH", "NEGERI ANTAH", "KAMPUNG ANTAH"),
    ]:
        rows.append([kab, kec, kel, *ROW_A[3:]])
    load_dpt(engine, [write_csv(tmp_path / "dpt.csv", rows)], table="dpt")
    assert engine.rows("SELECT kode_kab, kode_kec, kode_desa FROM dpt ORDER BY row_id") == [
        ("7371", "737101", "7371011001"),
        ("7371", "737101", None),
        ("7371", None, None),
        (None, None, None),
    ]


def test_nested_region_codes():
    from padan.ingest.load import _most_specific, _nested

    assert _nested(("7371", "737101", "7371011001")) and _nested(("7371", None, None))
    assert _nested((None, None, None)) and _most_specific((None, None, None)) is None
    assert not _nested(("7371", "737201", None))  # not a prefix
    assert not _nested(("7371", None, "7371011001"))  # a gap
    assert not _nested(("73.71", None, None))  # not the undotted length
    assert _most_specific(("7371", "737101", None)) == "737101"


def test_kode_wilayah_used(engine, tmp_path):
    header = [
        "KODE_WILAYAH",
        "TPS",
        "NIK",
        "NAMA",
        "TEMPAT_LAHIR",
        "TANGGAL_LAHIR",
        "JENIS_KELAMIN",
    ]
    f = write_csv(
        tmp_path / "dpt.csv",
        [header, ["73.71.01.1001", "001", ROW_A[4], "SITI", "MAKASSAR", "05-07-1990", "P"]],
    )
    load_dpt(engine, [f], table="dpt")
    assert engine.one("SELECT kode_kab, kode_kec, kode_desa, tps_key FROM dpt") == (
        "7371",
        "737101",
        "7371011001",
        "7371011001001",
    )


def test_xlsx_multi_sheet_title_rows_and_numeric_nik(engine, tmp_path):
    import xlsxwriter

    f = tmp_path / "dpt.xlsx"
    wb = xlsxwriter.Workbook(str(f))
    datefmt = wb.add_format({"num_format": "dd-mm-yyyy"})
    for s, rows in enumerate(([ROW_A], [ROW_B, ROW_A])):
        ws = wb.add_worksheet(f"TPS {s + 1:03d}")
        ws.write(0, 0, "DAFTAR PEMILIH TETAP")
        ws.write_row(2, 0, HEADER)
        for i, row in enumerate(rows):
            ws.write_row(3 + i, 0, row)
        if s == 1:
            ws.write_number(3, 4, 7371011201800000)  # NIK typed as a number: Excel keeps 15 digits
            ws.write_datetime(4, 7, dt.datetime(1990, 7, 5), datefmt)
    wb.add_worksheet("Rekap").write(0, 0, "jumlah")
    wb.close()
    r = load_dpt(engine, [f], table="dpt")
    assert (r.rows_read, r.accepted, r.rejected) == (3, 3, 0)
    rows = engine.rows(
        "SELECT source_sheet, source_row, nik, nik_raw, nik_flags, tanggal_lahir FROM dpt ORDER BY row_id"
    )
    assert rows[0][:3] == ("TPS 001", 4, "7371014507900001")
    assert rows[1][0:4] == ("TPS 002", 4, None, "7371011201800000")
    assert "NIK_RUSAK_EXCEL" in rows[1][4]
    assert rows[2][5] == dt.date(1990, 7, 5)
    assert "LEMBAR_DILEWATI" in codes(r)


def test_many_files_folder_and_zip(engine, tmp_path):
    d = tmp_path / "desa"
    d.mkdir()
    write_csv(d / "b.csv", [HEADER, ROW_B])
    write_csv(d / "a.csv", [HEADER, ROW_A])
    r = load_dpt(engine, [d], table="dpt")
    assert r.accepted == 2 and len(r.files) == 2
    assert engine.rows("SELECT nama FROM dpt ORDER BY row_id") == [("SITI AMINAH",), ("BUDI",)]
    z = tmp_path / "dpt.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(d / "a.csv", "x/a.csv")
        zf.write(d / "b.csv", "x/b.csv")
    r = load_dpt(engine, [z], table="dpt2")
    assert r.accepted == 2 and [f.name for f in r.files] == ["dpt.zip"]
    assert engine.one("SELECT source_file FROM dpt2 WHERE row_id = 1")[0] == "dpt.zip/x/b.csv"


def test_a_readme_beside_the_exports_is_skipped_not_read_as_voters(engine, tmp_path):
    """A .txt without a recognisable header that came with a folder or zip (a README, notes)
    is skipped and reported (BERKAS_DILEWATI), as a sheet without a header is; it stopped the
    import until 5 Dec 2026. A .csv such file, or a .txt named itself, still stops it: each is
    meant as data, and its missing columns are the message."""
    d = tmp_path / "desa"
    d.mkdir()
    write_csv(d / "a.csv", [HEADER, ROW_A])
    notes = "Data DPT kelurahan Bontorannu\nDiekspor dari Sidalih, 1 Desember 2020.\n"
    (d / "README.txt").write_text(notes)
    r = load_dpt(engine, [d], table="dpt")
    assert r.accepted == 1 and "BERKAS_DILEWATI" in codes(r)
    assert engine.rows("SELECT nama FROM dpt") == [("SITI AMINAH",)]
    z = tmp_path / "dpt.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(d / "a.csv", "x/a.csv")
        zf.write(d / "README.txt", "x/README.txt")
    r = load_dpt(engine, [z], table="dpt2")
    assert r.accepted == 1 and "BERKAS_DILEWATI" in codes(r)
    # a .txt DPT in the folder is still read
    write_csv(d / "b.txt", [HEADER, ROW_B], delim="\t")
    r = load_dpt(engine, [d], table="dpt3")
    assert r.accepted == 2
    for named in ([d / "README.txt"], [d / "a.csv", d / "README.txt"]):
        with pytest.raises(PadanError) as e:
            load_dpt(engine, named, table="dpt4")
        assert e.value.code == "KOLOM_WAJIB_TIDAK_ADA" and "README.txt" in str(e.value)
    (d / "README.txt").rename(d / "catatan.csv")
    with pytest.raises(PadanError) as e:
        load_dpt(engine, [d], table="dpt5")
    assert e.value.code == "KOLOM_WAJIB_TIDAK_ADA" and "catatan.csv" in str(e.value)


def test_registry_codes_and_rejects(engine, tmp_path):
    header = [
        "NIK",
        "NO_KK",
        "NAMA_LGKP",
        "TMPT_LHR",
        "TGL_LHR",
        "JENIS_KLMIN",
        "STAT_KWN",
        "NO_PROP",
        "NO_KAB",
        "NO_KEC",
        "NO_KEL",
        "STATUS_KTP_EL",
        "TGL_REKAM",
    ]
    rows = [
        header,
        [
            "7371014507900001",
            "7371010101100001",
            "SITI",
            "MAKASSAR",
            "1990-07-05",
            "PEREMPUAN",
            "KAWIN",
            "73",
            "71",
            "1",
            "1001",
            "card_printed",
            "2015-03-02",
        ],
        [
            "7371011201800002",
            "",
            "BUDI",
            "GOWA",
            "12-01-1980",
            "1",
            "4",
            "73",
            "71",
            "01",
            "1001",
            "BELUM REKAM",
            "",
        ],
        [
            "73710112018",
            "",
            "X",
            "GOWA",
            "12-01-1980",
            "2",
            "1",
            "73",
            "71",
            "01",
            "1001",
            "BELUM REKAM",
            "",
        ],
    ]
    f = write_csv(tmp_path / "reg.csv", rows)
    r = load_registry(engine, [f], table="reg")
    assert (r.rows_read, r.accepted, r.rejected) == (3, 2, 1)
    got = engine.rows(
        "SELECT row_id, nik, jenis_kelamin, status_kawin, kode_desa, status_ktp_el, tanggal_lahir FROM reg ORDER BY row_id"
    )
    assert got[0] == (
        0,
        "7371014507900001",
        "P",
        "S",
        "7371011001",
        "CARD_PRINTED",
        dt.date(1990, 7, 5),
    )
    assert got[1][2:4] == ("L", "P")
    rej = engine.one("SELECT reason, column_name, value_masked, message FROM reg_rejects")
    assert rej[0] == "NIK_TIDAK_VALID" and rej[1] == "NIK" and rej[2] == "737101*****"
    assert "73710112018" not in rej[3]


def _area_code_rule(parts: list[str]) -> str | None:
    """The register's area code by its documented rule, in Python: each number part read as
    a number and zero-padded to its width (2, 2, 2, 4), NULL when any part is not one."""
    out = []
    for v, w in zip(parts, (2, 2, 2, 4), strict=True):
        try:
            n = int(float(v.strip()))
        except ValueError:
            return None
        if not 0 <= n < 10**w:
            return None
        out.append(str(n).zfill(w))
    return "".join(out)


@pytest.mark.parametrize(
    "codes",
    [
        # numbers as SIAK writes them: one number per row (the fast path)
        [["73", "1", "1", "1002"], ["73", "71", "01", "1001"], ["74", "5", "12", "2003"],
         ["73", " 2", "3", "9"], ["73", "x", "1", "1"], ["73", "", "1", "1"]],
        # values only the per-part rule reads: a province below 10 (a leading zero), a part
        # out of range, a decimal number
        [["7", "1", "1", "1002"], ["73", "1", "1", "1002"]],
        [["73", "150", "1", "1002"], ["73", "1", "1", "1002"]],
        [["73", "1.0", "1", "1002"], ["73", "1", "1", "12345"]],
    ],
)  # fmt: skip
def test_registry_area_code_from_number_columns(engine, tmp_path, codes):
    header = ["NIK", "NAMA_LGKP", "TMPT_LHR", "TGL_LHR", "JENIS_KLMIN", "NO_PROP", "NO_KAB",
              "NO_KEC", "NO_KEL", "STATUS_KTP_EL"]  # fmt: skip
    rows = [header] + [
        [f"73710145079000{i:02d}", "SITI", "GOWA", "1990-07-05", "P", *c, "KTP-EL"]
        for i, c in enumerate(codes)
    ]
    r = load_registry(engine, [write_csv(tmp_path / "reg.csv", rows)], table="reg")
    assert r.accepted == len(codes)
    got = [x[0] for x in engine.rows("SELECT kode_desa FROM reg ORDER BY row_id")]
    assert got == [_area_code_rule(c) for c in codes]


def test_utf16_with_bom(engine, tmp_path):
    f = tmp_path / "dpt.csv"
    f.write_bytes(("\t".join(HEADER) + "\r\n" + "\t".join(ROW_A) + "\r\n").encode("utf-16"))
    r = load_dpt(engine, [f], table="dpt")
    assert r.accepted == 1 and "ENKODING_UTF16" in codes(r)
    assert engine.one("SELECT nama FROM dpt")[0] == "SITI AMINAH"


def test_repeated_header_and_blank_rows_are_not_rows(engine, tmp_path):
    f = write_csv(tmp_path / "dpt.csv", [HEADER, ROW_A, [""] * len(HEADER), [], HEADER, ROW_B])
    r = load_dpt(engine, [f], table="dpt")
    assert (r.rows_read, r.accepted, r.rejected) == (2, 2, 0)
    assert r.skipped_rows == 3  # empty cells, blank line, header again
    assert engine.rows("SELECT source_row FROM dpt ORDER BY row_id") == [(2,), (6,)]


def test_progress_reports_bytes(engine, tmp_path):
    f = write_csv(tmp_path / "dpt.csv", [HEADER, ROW_A, ROW_B])
    seen = []
    load_dpt(
        engine,
        [f],
        table="dpt",
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    reads = [s for s in seen if s[0] == "baca"]
    assert reads and reads[-1][1] == reads[-1][2] == f.stat().st_size


def test_registry_xlsx_numeric_nik_rejected(engine, tmp_path):
    import xlsxwriter

    f = tmp_path / "reg.xlsx"
    wb = xlsxwriter.Workbook(str(f))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["NIK", "NAMA_LGKP", "TMPT_LHR", "TGL_LHR", "JENIS_KLMIN", "STATUS_KTP_EL"])
    ws.write_row(1, 0, ["7371014507900001", "SITI", "MAKASSAR", "05-07-1990", "P", "CARD_PRINTED"])
    ws.write_row(2, 0, [7371011201800000, "BUDI", "GOWA", "12-01-1980", "L", "BELUM REKAM"])
    wb.close()
    r = load_registry(engine, [f], table="reg")
    assert (r.rows_read, r.accepted, r.rejected) == (2, 1, 1)
    reason, message = engine.one("SELECT reason, message FROM reg_rejects")
    assert reason == "NIK_TIDAK_VALID" and "NIK_RUSAK_EXCEL" in message
    assert "7371011201800000" not in message


def test_registry_xlsx_numeric_niks_written_whole_are_kept(engine, tmp_path):
    """A sheet whose NIK cells are numbers that kept their 16 digits (most end in another
    digit than 0: a program wrote them, Excel did not cut them): every NIK below 2^53 is
    kept, those ending in 0 too; a Papua NIK above 2^53 may be off by one and is rejected.
    A sheet of numbers that all end in 0 is Excel's cut: rejected, as ever."""
    import xlsxwriter

    head = ["NIK", "NAMA_LGKP", "TMPT_LHR", "TGL_LHR", "JENIS_KLMIN", "STATUS_KTP_EL"]
    whole = [7371014507900001, 7371011201800002, 7371011201800010, 7371010505850003,
             9171010101800001]  # fmt: skip
    f = tmp_path / "reg.xlsx"
    wb = xlsxwriter.Workbook(str(f))
    for name, niks in (("UTUH", whole), ("TERPOTONG", [7371011203700000, 7371015505750000])):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, head)
        for i, n in enumerate(niks, 1):
            ws.write_number(i, 0, n)
            ws.write_row(i, 1, ["SITI", "MAKASSAR", "05-07-1990", "P", "CARD_PRINTED"])
    wb.close()
    r = load_registry(engine, [f], table="reg")
    kept = [x[0] for x in engine.rows("SELECT nik FROM reg ORDER BY row_id")]
    assert kept == [str(n) for n in whole[:4]]
    assert (r.rows_read, r.accepted, r.rejected) == (7, 4, 3)
    rejected = engine.rows("SELECT source_sheet, reason FROM reg_rejects ORDER BY source_sheet")
    assert rejected == [("TERPOTONG", "NIK_TIDAK_VALID")] * 2 + [("UTUH", "NIK_TIDAK_VALID")]
    (w,) = [w for w in r.warnings if w.code == "NIK_ANGKA_UTUH"]
    assert w.rows == 4


def test_no_file_and_empty_file_errors(engine, tmp_path):
    with pytest.raises(PadanError) as ei:
        load_dpt(engine, [tmp_path / "missing.csv"], table="dpt")
    assert ei.value.code == "BERKAS_TIDAK_ADA"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(PadanError) as ei:
        load_dpt(engine, [empty], table="dpt")
    assert ei.value.code == "BERKAS_KOSONG"


def test_per_file_remarks_summed(engine, tmp_path):
    d = tmp_path / "desa"
    d.mkdir()
    for i, row in enumerate((ROW_A, ROW_B, ROW_A)):
        row = [*row[:5], row[5] + " RÉSKY", *row[6:]]
        write_csv(d / f"{i}.csv", [["DPT KELURAHAN"], HEADER, row], delim=";", encoding="cp1252")
    r = load_dpt(engine, [d], table="dpt")
    titles = [w for w in r.warnings if w.code == "BARIS_JUDUL_DILEWATI"]
    assert len(titles) == 1 and titles[0].rows == 3 and len(titles[0].examples) == 3
    assert "3 berkas/lembar" in titles[0].message
    assert len([w for w in r.warnings if w.code == "ENKODING_WINDOWS_1252"]) == 1


@pytest.mark.parametrize("max_tree", [20_000, 1, 0])
def test_row_ids_dense_across_parts_with_titles_rejects_and_blanks(
    engine, tmp_path, monkeypatch, max_tree
):
    """The same row ids whether the skipped/rejected rows are few (a lookup tree over their
    row numbers) or more than MAX_TREE (the rules per row, ids from a window)."""
    import xlsxwriter

    import padan.ingest.load as L

    monkeypatch.setattr(L, "MAX_TREE", max_tree)

    empty = list(ROW_A)
    empty[4] = empty[5] = ""
    a = write_csv(
        tmp_path / "a.csv", [["JUDUL"], HEADER, ROW_A, empty, [], ROW_B, ["x", "y"], ROW_A]
    )
    x = tmp_path / "b.xlsx"
    wb = xlsxwriter.Workbook(str(x))
    ws = wb.add_worksheet("S1")
    ws.write(0, 0, "JUDUL")
    ws.write_row(1, 0, HEADER)
    ws.write_row(2, 0, ROW_B)
    ws.write_row(4, 0, empty)
    ws.write_row(5, 0, ROW_A)
    wb.close()
    r = load_dpt(engine, [a, x], table="dpt")
    assert (r.accepted, r.rejected) == (5, 3)
    rows = engine.rows(
        "SELECT row_id, rowid, source_file, source_row, nama FROM dpt ORDER BY row_id"
    )
    assert [x[0] for x in rows] == [0, 1, 2, 3, 4] and all(x[0] == x[1] for x in rows)
    assert [(x[2], x[3]) for x in rows] == [
        ("a.csv", 3),
        ("a.csv", 6),
        ("a.csv", 8),
        ("b.xlsx", 3),
        ("b.xlsx", 6),
    ]


def test_registry_only_some_fields_and_no_hash(engine, tmp_path):
    """The one-shot match reads only the register fields it uses: the address, RT/RW and
    recording date are not columns of its table (an unreadable recording date is then not
    even looked at), every row still counts."""
    header = ["NIK", "NAMA_LGKP", "TMPT_LHR", "TGL_LHR", "JENIS_KLMIN", "ALAMAT", "NO_RT",
              "STATUS_KTP_EL", "TGL_REKAM"]  # fmt: skip
    a = write_csv(tmp_path / "a.csv", [header, ["7371014507900001", "SITI", "MAKASSAR",
        "05-07-1990", "P", "JL. A", "001", "CARD_PRINTED", "bukan tanggal"]])  # fmt: skip
    # a second file with the columns in another order
    b = write_csv(tmp_path / "b.csv", [[header[i] for i in (1, 0, 6, 5, 2, 3, 4, 7, 8)],
        ["BUDI", "7371011201800002", "002", "JL. B", "GOWA", "12-01-1980", "L",
         "BELUM REKAM", "01-01-2019"]])  # fmt: skip
    fields = ("nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "status_ktp_el")
    r = load_registry(engine, [a, b], table="reg", fields=fields, hash_files=False)
    assert (r.rows_read, r.accepted, r.rejected) == (2, 2, 0)
    assert [f.sha256 for f in r.files] == ["", ""]
    assert "TGL_REKAM_TIDAK_VALID" not in codes(r)
    got = engine.rows(
        "SELECT nik, nama, tempat_lahir, tanggal_lahir, jenis_kelamin, status_ktp_el "
        "FROM reg ORDER BY row_id"
    )
    assert got == [
        ("7371014507900001", "SITI", "MAKASSAR", dt.date(1990, 7, 5), "P", "CARD_PRINTED"),
        ("7371011201800002", "BUDI", "GOWA", dt.date(1980, 1, 12), "L", "BELUM REKAM"),
    ]  # fmt: skip
    assert not {"alamat", "rt", "rw", "tgl_rekam"} & set(engine.columns("reg"))
    # read in full, the same files keep the address and check the recording date
    full = load_registry(engine, [a, b], table="reg2")
    assert all(len(f.sha256) == 64 for f in full.files)
    assert engine.rows("SELECT alamat, rt FROM reg2 ORDER BY row_id") == [
        ("JL. A", "001"),
        ("JL. B", "002"),
    ]
    assert "TGL_REKAM_TIDAK_VALID" in codes(full)


def test_the_reference_warm_up_waits_for_the_encoding_scans():
    """Both hold the GIL: the warm-up starts when no loader is scanning (see ``_Scans``)."""
    import threading

    from padan.ingest.load import _Scans

    scans = _Scans()
    done = threading.Event()

    def warm() -> None:
        scans.wait_idle(30.0)
        done.set()

    with scans:
        with scans:  # the other loader's scan
            th = threading.Thread(target=warm)
            th.start()
        assert not done.wait(0.2)  # one scan still running
    assert done.wait(5.0)
    th.join()


def _kelurahan_folder(tmp_path: Path) -> Path:
    """Files as one export per kelurahan gives them: the same header (under a title row),
    one with a line that cannot be split, a blank line and its header repeated, one with
    no voters, an XLSX, one in Windows-1252, and two with another delimiter (another
    shape)."""
    d = tmp_path / "per-kelurahan"
    d.mkdir()
    other = list(ROW_B)
    other[5] = "ANDI BASO"
    write_csv(d / "01.csv", [["DPT KELURAHAN BONTORANNU"], HEADER, ROW_A, ROW_B])
    write_csv(
        d / "02.csv", [["DPT KELURAHAN MARISO"], HEADER, ROW_B, ["x", "y"], [], HEADER, other]
    )
    write_csv(d / "03.csv", [["DPT KELURAHAN LETTE"], HEADER])
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(d / "03b.xlsx"))  # (an XLSX between them ends a run)
    ws = wb.add_worksheet("TPS 1")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, ROW_B)
    wb.close()
    cafe = list(ROW_A)
    cafe[5] = "SITI CAFÉ"
    write_csv(d / "04.csv", [["DPT KELURAHAN PANAMBUNGAN"], HEADER, cafe], encoding="cp1252")
    write_csv(d / "05.csv", [["DPT KELURAHAN KUNJUNG MAE"], HEADER, other, ROW_A])
    write_csv(d / "06.csv", [HEADER, ROW_A], delim=";")
    write_csv(d / "07.csv", [HEADER, ROW_B], delim=";")
    return d


def _loaded(engine, table: str) -> tuple[list, list]:
    rows = engine.rows(
        f"SELECT row_id, source_file, source_row, nik, nama, tanggal_lahir FROM {table} "
        "ORDER BY row_id"
    )
    rejects = engine.rows(
        f"SELECT source_file, source_row, reason FROM {table}_rejects ORDER BY ALL"
    )
    return rows, rejects


@pytest.mark.parametrize("batch", ["together", "one by one", "refused together", "refused"])
def test_files_of_one_shape_are_read_together_with_the_same_rows(
    engine, tmp_path, monkeypatch, batch
):
    """One file per kelurahan: files of the same shape are read by one ``read_csv``, and
    every row, its source file and line, and every rejected line come out as when each
    file is read by itself, when DuckDB refuses the files together, and when it refuses
    every file (the lenient reader)."""
    import padan.ingest.load as L

    d = _kelurahan_folder(tmp_path)
    strict: list[tuple[int, bool]] = []  # (files, staged) per read by DuckDB
    lenient: list[int] = []
    strict_read, lenient_read, options = (
        L._Loader._read_strict,
        L._Loader._read_lenient,
        L._Loader._csv_options,
    )
    # DuckDB refuses the reads of at least this many files (an option it does not know)
    refuse = {"refused together": 2, "refused": 1}.get(batch)
    reading: list[int] = [0]  # files in the read being made

    def spy_strict(self, files):  # type: ignore[no-untyped-def]
        reading[0] = len(files)
        staged = strict_read(self, files)
        strict.append((len(files), staged))
        return staged

    def refusing(self, delimiter, width, padded=""):  # type: ignore[no-untyped-def]
        refused = refuse is not None and reading[0] >= refuse
        return options(self, delimiter, width, padded) + (
            ", no_such_option = 1" if refused else ""
        )

    def spy_lenient(self, r):  # type: ignore[no-untyped-def]
        lenient.append(r.part)
        return lenient_read(self, r)

    monkeypatch.setattr(L._Loader, "_read_strict", spy_strict)
    monkeypatch.setattr(L._Loader, "_read_lenient", spy_lenient)
    monkeypatch.setattr(L._Loader, "_csv_options", refusing)
    if batch == "one by one":
        monkeypatch.setattr(L, "CSV_BATCH", 1)
    r = load_dpt(engine, [d], table="dpt")
    one, refused = [(1, True)], [(1, False)]  # a file read on its own
    assert (
        strict
        == {
            "together": [(3, True), (2, True), (2, True)],
            "one by one": one * 7,  # the 7 CSV files
            "refused together": [(3, False), *one * 3, (2, False), *one * 2, (2, False), *one * 2],
            "refused": [
                (3, False),
                *refused * 3,
                (2, False),
                *refused * 2,
                (2, False),
                *refused * 2,
            ],
        }[batch]
    )
    assert len(lenient) == (7 if batch == "refused" else 0)
    assert (r.rows_read, r.accepted, r.rejected) == (11, 10, 1)
    rows, rejects = _loaded(engine, "dpt")
    assert [(x[1].removeprefix("per-kelurahan/"), x[2], x[4]) for x in rows] == [
        ("01.csv", 3, "SITI AMINAH"),
        ("01.csv", 4, "BUDI"),
        ("02.csv", 3, "BUDI"),
        ("02.csv", 7, "ANDI BASO"),
        ("03b.xlsx", 2, "BUDI"),
        ("04.csv", 3, "SITI CAFÉ"),
        ("05.csv", 3, "ANDI BASO"),
        ("05.csv", 4, "SITI AMINAH"),
        ("06.csv", 2, "SITI AMINAH"),
        ("07.csv", 2, "BUDI"),
    ]
    assert [x[0] for x in rows] == list(range(10))
    assert rejects == [("per-kelurahan/02.csv", 4, "BARIS_RUSAK")]
    assert "ENKODING_WINDOWS_1252" in codes(r) and "BARIS_JUDUL_DILEWATI" in codes(r)


def test_registry_unknown_and_empty_status_codes_are_warned_about(engine, tmp_path):
    header = ["NIK", "NAMA_LGKP", "TMPT_LHR", "TGL_LHR", "JENIS_KLMIN", "STATUS_KTP_EL"]
    codes_given = [" card issued ", "KTP-EL", "", "KTP-EL", "BELUM REKAM", "DUPLICATE_RECORD"]
    rows = [header] + [
        [f"73710145079000{i:02d}", "SITI", "GOWA", "1990-07-05", "P", c]
        for i, c in enumerate(codes_given)
    ]
    r = load_registry(engine, [write_csv(tmp_path / "reg.csv", rows)], table="reg")
    assert r.accepted == len(codes_given)
    (w,) = [w for w in r.warnings if w.code == "STATUS_KTP_EL_TIDAK_DIKENAL"]
    # the contract's codes whatever their case and blanks are known; an empty one is not
    assert w.rows == 3 and w.examples == ["KTP-EL: 2 data", "(kosong): 1 data"]


@pytest.mark.parametrize(
    "tail_a, tail_b, read",
    [(["", ""], ["", ""], True), ([""], [""], True), ([""], ["x"], False), ([""], ["", ""], False)],
    ids=["two-empty", "one-empty", "a-value", "uneven"],
)
def test_data_lines_ending_in_more_delimiters_than_the_header(engine, tmp_path, tail_a, tail_b, read):
    """Every data line with k more (empty) fields than the header: the header gets k unnamed
    columns and the lines are read; otherwise a line that does not fit is rejected, as ever."""
    f = write_csv(tmp_path / "dpt.csv", [HEADER, ROW_A + tail_a, [], ROW_B + tail_b])
    r = load_dpt(engine, [f], table="dpt")
    if read:
        assert r.accepted == 2 and r.rejected == 0 and "KOLOM_TANPA_NAMA" in codes(r)
        assert r.raw_columns == HEADER + [""] * len(tail_a)
        assert engine.rows("SELECT nama FROM dpt ORDER BY row_id") == [("SITI AMINAH",), ("BUDI",)]
    else:
        assert "KOLOM_TANPA_NAMA" not in codes(r) and r.raw_columns == HEADER
        assert r.rejected == 2


def test_sheets_of_several_xlsx_files_are_staged_together_in_input_order(engine, tmp_path, monkeypatch):
    """One insert for the sheets of consecutive XLSX files (one file per desa); a CSV file
    between them stages what came before it first, so the rows stay in input order."""
    import xlsxwriter

    import padan.ingest.load as L

    def xlsx(name: str, nama: str) -> None:
        wb = xlsxwriter.Workbook(str(tmp_path / name))
        for sheet in ("TPS 001", "TPS 002"):
            ws = wb.add_worksheet(sheet)
            ws.write_row(0, 0, HEADER)
            ws.write_row(1, 0, ROW_A[:5] + [f"{nama} {sheet[-1]}"] + ROW_A[6:])
        wb.close()

    xlsx("a.xlsx", "ANI")
    xlsx("b.xlsx", "BUDI")
    write_csv(tmp_path / "c.csv", [HEADER, ROW_A[:5] + ["CICI"] + ROW_A[6:]])
    xlsx("d.xlsx", "DODI")
    inserts: list[int] = []
    flush = L._Loader._flush
    monkeypatch.setattr(
        L._Loader, "_flush", lambda self, tables: (inserts.append(len(tables)), flush(self, tables))
    )
    r = load_dpt(engine, [tmp_path], table="dpt")
    assert inserts == [4, 2]  # a and b's four sheets, then d's two
    names = [x[0] for x in engine.rows("SELECT nama FROM dpt ORDER BY row_id")]
    assert names == ["ANI 1", "ANI 2", "BUDI 1", "BUDI 2", "CICI", "DODI 1", "DODI 2"]
    assert r.accepted == 7


def test_columns_told_apart_by_a_note_in_brackets_stay_apart(engine, tmp_path):
    """A note in brackets is left out to find a field (Tanggal Lahir (DD-MM-YYYY)), not to
    tell columns apart: INFO (PPS) and INFO (KPU) are two columns in every file."""
    head = [*HEADER, "INFO (PPS)", "INFO (KPU)"]
    write_csv(tmp_path / "a.csv", [head, [*ROW_A, "pps a", "kpu a"]])
    write_csv(tmp_path / "b.csv", [head, [*ROW_B, "pps b", "kpu b"]])
    r = load_dpt(engine, [tmp_path / "a.csv", tmp_path / "b.csv"], table="dpt")
    assert r.raw_columns == head and "KOLOM_TAMBAHAN" not in codes(r)
    cols = ", ".join(input_sources(r)[-2:])
    assert engine.rows(f"SELECT {cols} FROM dpt ORDER BY row_id") == [
        ("pps a", "kpu a"),
        ("pps b", "kpu b"),
    ]


def test_a_column_only_a_later_file_has_is_kept_not_dropped(engine, tmp_path):
    """Nothing lost: a later file's extra column is added after the first file's columns
    (empty for the rows of files without it), and a field only it carries (NKK) is read
    from it. CSV and XLSX, several of each."""
    import xlsxwriter

    write_csv(tmp_path / "a.csv", [HEADER, ROW_A])
    write_csv(tmp_path / "b.csv", [[*HEADER, "NKK", "CATATAN PPS"],
                                   [*ROW_B, "7371011201800001", "pindah"]])  # fmt: skip
    wb = xlsxwriter.Workbook(str(tmp_path / "c.xlsx"))
    ws = wb.add_worksheet("TPS 001")
    ws.write_row(0, 0, ["LAIN", *HEADER, "CATATAN PPS"])
    ws.write_row(1, 0, ["x", *ROW_A[:5], "CICI", *ROW_A[6:], "baru"])
    wb.close()
    write_csv(tmp_path / "d.csv", [HEADER, [*ROW_B[:5], "DODI", *ROW_B[6:]]])
    r = load_dpt(engine, [tmp_path / n for n in ("a.csv", "b.csv", "c.xlsx", "d.csv")], table="dpt")
    assert r.accepted == 4
    assert r.raw_columns == [*HEADER, "NKK", "CATATAN PPS", "LAIN"]
    assert codes(r).count("KOLOM_TAMBAHAN") == 1  # one warning, two files named in it
    assert "b.csv" in str(r.warnings) and "c.xlsx" in str(r.warnings)
    cols = ", ".join(input_sources(r))
    got = engine.rows(f"SELECT nama, nkk, {cols} FROM dpt ORDER BY row_id")
    width = len(HEADER)
    assert [g[2 + width :] for g in got] == [
        (None, None, None),
        ("7371011201800001", "pindah", None),
        (None, "baru", "x"),
        (None, None, None),
    ]
    assert [g[:2] for g in got] == [("SITI AMINAH", None), ("BUDI", "7371011201800001"),
                                    ("CICI", None), ("DODI", None)]  # fmt: skip
    assert [g[2 : 2 + width] for g in got][1] == tuple(ROW_B)


def test_xlsx_values_right_of_the_last_titled_column_are_kept(engine, tmp_path):
    """An operator's notes in a column without a title are passed through as an unnamed
    column (KOLOM_TANPA_NAMA), not dropped; a column of blanks only is no column."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(tmp_path / "dpt.xlsx"))
    ws = wb.add_worksheet("TPS 001")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, [*ROW_A, " ", "", "sudah pindah"])
    ws.write_row(2, 0, [*ROW_B, " "])
    ws2 = wb.add_worksheet("TPS 002")
    ws2.write_row(0, 0, HEADER)
    ws2.write_row(1, 0, [*ROW_A[:5], "CICI", *ROW_A[6:], " "])  # blanks only: no column
    wb.close()
    r = load_dpt(engine, [tmp_path / "dpt.xlsx"], table="dpt")
    assert r.raw_columns == [*HEADER, "", "", ""]
    assert "KOLOM_TANPA_NAMA" in codes(r)
    cols = ", ".join(input_sources(r)[len(HEADER) :])
    got = engine.rows(f"SELECT {cols} FROM dpt ORDER BY row_id")
    assert got[0] == (" ", None, "sudah pindah") and got[1][2] is None and got[2] == (None,) * 3


def test_xlsx_files_parsed_ahead_give_the_rows_in_order_and_errors_in_turn(
    engine, tmp_path, monkeypatch
):
    """Small XLSX files are parsed ahead on worker threads (_XlsxAhead): the rows and
    warnings are those of reading them one by one, and a corrupt file is reported by name
    when its turn comes (the files before it were read)."""
    import xlsxwriter

    import padan.ingest.load as L

    d = tmp_path / "desa"
    d.mkdir()
    for k in range(7):
        wb = xlsxwriter.Workbook(str(d / f"{k:02d}.xlsx"))
        for t in range(1 + k % 3):
            ws = wb.add_worksheet(f"TPS {t + 1:03d}")
            if k % 2:
                ws.write_row(0, 0, ["DAFTAR PEMILIH TETAP"])  # a title row
            ws.write_row(k % 2, 0, HEADER)
            for n in range(2):
                ws.write_row(1 + k % 2 + n, 0, [*ROW_A[:5], f"ORANG {k} {t} {n}", *ROW_A[6:]])
        wb.close()
    ahead = load_dpt(engine, [d], table="ahead")
    monkeypatch.setattr(L, "XLSX_AHEAD_MAX_BYTES", 0)  # every file read in its turn
    in_turn = load_dpt(engine, [d], table="in_turn")
    q = "SELECT nama, source_file, source_sheet, source_row FROM {} ORDER BY row_id"
    rows = engine.rows(q.format("ahead"))
    assert rows == engine.rows(q.format("in_turn"))
    assert len(rows) == ahead.accepted == 2 * sum(1 + k % 3 for k in range(7))
    assert [w.message for w in ahead.warnings] == [w.message for w in in_turn.warnings]
    assert rows[0][0] == "ORANG 0 0 0" and rows[-1][0] == "ORANG 6 0 1"

    monkeypatch.setattr(L, "XLSX_AHEAD_MAX_BYTES", 32 << 20)
    (d / "03.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(PadanError) as ei:
        load_dpt(engine, [d], table="broken")
    assert ei.value.code == "BERKAS_RUSAK" and "03.xlsx" in str(ei.value)


def test_a_full_register_named_after_a_delta_is_warned_about(engine, tmp_path):
    """The last row per NIK wins, in the order the files are named. A full extract named
    after a delta whose NIKs it repeats (what `registry*.csv` gives: `registry-delta-...`
    sorts first) would undo the changes: REGISTER_URUTAN_BERKAS says so, with the files."""
    header = ["NIK", "NAMA_LGKP", "TMPT_LHR", "TGL_LHR", "JENIS_KLMIN", "STATUS_KTP_EL"]

    def person(k: int, status: str) -> list[str]:
        return [f"73710145079{k:05d}", f"ORANG {k}", "MAKASSAR", "05-07-1990", "P", status]

    full = write_csv(tmp_path / "registry.csv",
                     [header, *(person(k, "BELUM REKAM") for k in range(1, 6))])  # fmt: skip
    delta = write_csv(tmp_path / "registry-delta-2020-11-19.csv",
                      [header, person(2, "CARD_ISSUED")])  # fmt: skip
    status = "SELECT status_ktp_el FROM {} WHERE nik = '7371014507900002' ORDER BY row_id DESC"
    r = load_registry(engine, [full, delta], table="fwd")
    assert "NIK_GANDA_DI_REGISTER" in codes(r) and "REGISTER_URUTAN_BERKAS" not in codes(r)
    assert engine.one(status.format("fwd"))[0] == "CARD_ISSUED"  # the delta's row is last
    r = load_registry(engine, [delta, full], table="rev")
    (w,) = [w for w in r.warnings if w.code == "REGISTER_URUTAN_BERKAS"]
    assert w.rows == 1 and "registry.csv (5 baris)" in w.message
    assert w.examples == ["registry-delta-2020-11-19.csv (1 baris) lalu registry.csv (5 baris): 1 NIK"]


def test_a_field_that_two_columns_could_be_says_which_is_used(engine, tmp_path):
    """The first column that names a field wins; a second one (two NIK columns, NIK beside
    NO_NIK) is passed through, and KOLOM_GANDA says which is used and how to choose."""
    write_csv(tmp_path / "a.csv", [[*HEADER, "NIK"], [*ROW_A, "7371010101900009"]])
    r = load_dpt(engine, [tmp_path / "a.csv"], table="a")
    (w,) = [w for w in r.warnings if w.code == "KOLOM_GANDA"]
    assert "'NIK' (kolom ke-5) dipakai sebagai NIK" in w.message and "kolom ke-11" in w.message
    assert w.examples == ["Bila salah, ganti nama salah satu kolom 'NIK' di berkas."]
    assert engine.one("SELECT nik FROM a")[0] == ROW_A[4]
    write_csv(tmp_path / "b.csv", [[*HEADER, "No. NIK"], [*ROW_A, "7371010101900009"]])
    r = load_dpt(engine, [tmp_path / "b.csv"], table="b")
    (w,) = [w for w in r.warnings if w.code == "KOLOM_GANDA"]
    assert "--kolom NIK=No. NIK" in w.examples[0]
    # a mapping is the user's choice: nothing to say
    r = load_dpt(engine, [tmp_path / "b.csv"], table="c", mapping={"NIK": "No. NIK"})
    assert "KOLOM_GANDA" not in codes(r)
    assert engine.one("SELECT nik FROM c")[0] == "7371010101900009"
    # one column per field: no warning
    assert "KOLOM_GANDA" not in codes(load_dpt(engine, [write_csv(tmp_path / "d.csv", [HEADER, ROW_A])], table="d"))
