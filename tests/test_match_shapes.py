"""The one-shot match on the same voters in the other file shapes CONTRACT.md allows gives the
same decisions: each shape is the plain synthetic files rewritten, with an ID column passed
through, so that the result rows can be compared one by one whatever the order of files and
sheets. Each shape once broke something (docs/linkage.md, "Other file shapes")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from padan.linkage import match_files
from padan.synth import generate

pytestmark = pytest.mark.slow

DECISIONS = ("NIK_DUKCAPIL", "STATUS_REKAM", "METODE_PADAN", "CATATAN")
FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d|%m|%Y", "%Y-%m-%d")


def _date(v: str) -> dt.date | None:
    for f in FORMATS:
        try:
            return dt.datetime.strptime(v, f).date()
        except ValueError:
            pass
    return None


def _write_csv(path: Path, rows: list[list[str]], **kw) -> Path:
    enc = kw.pop("encoding", "utf-8")
    with path.open("w", encoding=enc, newline="") as f:
        csv.writer(f, **kw).writerows(rows)
    return path


def _write_xlsx(path: Path, sheets: dict[str, list[list[str]]], date_col: int, title: int = 0):
    wb = xlsxwriter.Workbook(str(path))
    fmt = wb.add_format({"num_format": "dd-mm-yyyy"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name[:31])
        for t in range(title):
            ws.write(t, 0, f"DAFTAR PEMILIH TETAP {name}" if t == 0 else "PILKADA 2020")
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                d = _date(v) if i and j == date_col else None
                if d:
                    ws.write_datetime(title + i, j, dt.datetime(d.year, d.month, d.day), fmt)
                else:
                    ws.write_string(title + i, j, v)
    wb.close()
    return path


def _decisions(path: Path) -> tuple[dict[str, tuple[str, ...]], list[list[str]]]:
    """ID_BARIS -> the decision columns ('' for empty), and the rows as read."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    else:
        import pyarrow.parquet as pq

        if path.suffix == ".xlsx":
            import fastexcel

            t = fastexcel.read_excel(str(path)).load_sheet(0, dtypes="string").to_arrow()
        else:
            t = pq.read_table(path)
        cols = t.to_pydict()
        rows = [list(cols)] + [
            ["" if v is None else str(v) for v in r] for r in zip(*cols.values(), strict=True)
        ]
    head = rows[0]
    at = [head.index(c) for c in DECISIONS]
    i = head.index("ID_BARIS")
    return {r[i]: tuple(r[k] or "" for k in at) for r in rows[1:]}, rows


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    d = tmp_path_factory.mktemp("shapes")
    generate(d / "src", seed=5, voters=1500, snapshots=0)
    with (d / "src" / "dpt.csv").open(encoding="utf-8", newline="") as f:
        given = list(csv.reader(f))
    with (d / "src" / "registry.csv").open(encoding="utf-8", newline="") as f:
        reg = list(csv.reader(f))
    dpt = [given[0] + ["ID_BARIS"]] + [r + [str(i)] for i, r in enumerate(given[1:])]
    _write_csv(d / "dpt.csv", dpt)
    match_files([d / "dpt.csv"], [d / "src" / "registry.csv"], d / "plain.csv")
    decided, _ = _decisions(d / "plain.csv")
    assert len(decided) == len(dpt) - 1
    return d, dpt, reg, decided


def _col(rows: list[list[str]], name: str) -> int:
    return rows[0].index(name)


# Each shape: (d, dpt rows, register rows) -> (DPT files, register files, output name); the
# output is written as hasil_<name>, beside the inputs.
def pipe_bom_crlf_extra_column_apostrophes(d, dpt, reg):
    rng = random.Random(1)
    nik, tgl = _col(dpt, "NIK"), _col(dpt, "TANGGAL_LAHIR")
    out = [dpt[0][:3] + ["CATATAN_PPS"] + dpt[0][3:]]
    for i, r in enumerate(dpt[1:]):
        r = r[:]
        if r[nik] and rng.random() < 0.3:
            r[nik] = "'" + r[nik]
        if day := _date(r[tgl]):
            r[tgl] = day.strftime("%d|%m|%Y")  # quoted: | is the delimiter
        out.append(r[:3] + ["pindah?" if i % 97 == 0 else ""] + r[3:])
    path = _write_csv(
        d / "pipe.csv", out, encoding="utf-8-sig", delimiter="|", lineterminator="\r\n"
    )
    return [path], [d / "src" / "registry.csv"], "pipe.csv"


def xlsx_sheet_per_kecamatan(d, dpt, reg):
    kec = _col(dpt, "KECAMATAN")
    sheets: dict[str, list[list[str]]] = {}
    for r in dpt[1:]:
        sheets.setdefault(r[kec], [dpt[0]]).append(r)
    path = _write_xlsx(d / "dpt.xlsx", sheets, _col(dpt, "TANGGAL_LAHIR"), title=2)
    return [path], [d / "src" / "registry.csv"], "xlsx_sheets.csv"


def excel_text_marks_on_nik_and_nkk(d, dpt, reg):
    marks = {_col(dpt, "NIK"), _col(dpt, "NKK")}
    rmarks = {_col(reg, "NIK"), _col(reg, "NO_KK")}
    # a leading ' (as Excel shows text), or ="..." (a text formula some exports write)
    mark = (" '{}", '="{}"')
    a = [dpt[0]] + [
        [mark[i % 2].format(v) if j in marks and v else v for j, v in enumerate(r)]
        for i, r in enumerate(dpt[1:])
    ]
    b = [reg[0]] + [
        [mark[i % 2].format(v) if j in rmarks and v else v for j, v in enumerate(r)]
        for i, r in enumerate(reg[1:])
    ]
    return [_write_csv(d / "marks.csv", a)], [_write_csv(d / "marks_reg.csv", b)], "marks.csv"


def register_xlsx_and_a_delta_parquet_out(d, dpt, reg):
    path = _write_xlsx(d / "reg.xlsx", {"DATA": reg}, _col(reg, "TGL_LHR"))
    same = [reg[0]] + reg[1:40]  # a delta repeating 39 records unchanged
    return [d / "dpt.csv"], [path, _write_csv(d / "delta.csv", same)], "reg_xlsx.parquet"


def zip_with_a_csv_per_kelurahan(d, dpt, reg):
    kec, kel = _col(dpt, "KECAMATAN"), _col(dpt, "KELURAHAN")
    by: dict[tuple[str, str], list[list[str]]] = {}
    for r in dpt[1:]:
        by.setdefault((r[kec], r[kel]), []).append(r)
    path = d / "dpt.zip"
    with zipfile.ZipFile(path, "w") as z:
        for (k, lurah), rows in by.items():
            s = io.StringIO()
            csv.writer(s).writerows([dpt[0], *rows])
            z.writestr(f"DPT/{k}/{lurah}.csv", s.getvalue())
    return [path], [d / "src" / "registry.csv"], "zip.xlsx"


def blank_lines_repeated_headers_multiline_addresses(d, dpt, reg):
    alamat = _col(dpt, "ALAMAT")
    path = d / "concat.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(dpt[0])
        for i, r in enumerate(dpt[1:]):
            if i and i % 400 == 0:
                f.write("\n")
                w.writerow(dpt[0])
            r = r[:]
            if i % 7 == 0:
                r[alamat] += ', RT 1\n"BLOK A"'
            w.writerow(r)
    return [path], [d / "src" / "registry.csv"], "concat.csv"


def codes_spelled_other_ways(d, dpt, reg):
    rng = random.Random(2)
    jk, sk, tps, nama = (_col(dpt, c) for c in ("JENIS_KELAMIN", "STATUS_KAWIN", "TPS", "NAMA"))
    spelled = {"L": "LAKI-LAKI", "P": "PEREMPUAN"}
    kawin = {"B": "BELUM KAWIN", "S": "KAWIN", "P": "CERAI HIDUP"}
    head = [c.replace("_", " ").title() for c in dpt[0][:-1]] + ["ID_BARIS"]
    a = [head]
    for r in dpt[1:]:
        r = r[:]
        r[jk], r[sk] = spelled.get(r[jk], r[jk]), kawin.get(r[sk], r[sk])
        r[tps] = f"TPS {r[tps].zfill(3)}" if r[tps].isdigit() else r[tps]
        r[nama] = r[nama].lower() if rng.random() < 0.3 else r[nama].replace(" ", "  ")
        a.append(r)
    rjk, rsk, rst = (_col(reg, c) for c in ("JENIS_KLMIN", "STAT_KWN", "STATUS_KTP_EL"))
    code = {"BELUM KAWIN": "1", "KAWIN": "2", "CERAI HIDUP": "3", "CERAI MATI": "4"}
    b = [[c.replace("_", " ").lower() for c in reg[0]]]
    for r in reg[1:]:
        r = r[:]
        r[rjk] = {"LAKI-LAKI": "1", "PEREMPUAN": "2"}.get(r[rjk], r[rjk])
        r[rsk] = code.get(r[rsk], r[rsk])
        r[rst] = f" {r[rst].lower()} "
        b.append(r)
    return (
        [_write_csv(d / "spelled.csv", a, delimiter=";", encoding="cp1252")],
        [_write_csv(d / "spelled_reg.tsv", b, delimiter="\t")],
        "spelled.csv",
    )


def birth_dates_as_excel_serials(d, dpt, reg):
    tgl = _col(dpt, "TANGGAL_LAHIR")
    base = dt.date(1899, 12, 30)

    def serial(v: str) -> str:
        day = _date(v)
        return str((day - base).days) if day else v

    a = [dpt[0]] + [[serial(v) if j == tgl else v for j, v in enumerate(r)] for r in dpt[1:]]
    return [_write_csv(d / "serials.csv", a)], [d / "src" / "registry.csv"], "serials.csv"


def blanks_around_cells(d, dpt, reg):
    """Tabs, line breaks, NBSP and ideographic spaces around the cells of both files (a tab
    in front keeps a NIK as text in Excel): the NIK, codes and dates were read as typed."""
    rng = random.Random(3)
    blanks = ["\t", "\u00a0", "\n", "\u3000", " \t"]
    keep = _col(dpt, "ID_BARIS")

    def pad(v: str) -> str:
        if not v or rng.random() < 0.4:
            return v
        return rng.choice(["", *blanks]) + v + rng.choice(["", *blanks])

    a = [dpt[0]] + [[v if j == keep else pad(v) for j, v in enumerate(r)] for r in dpt[1:]]
    b = [reg[0]] + [[pad(v) for v in r] for r in reg[1:]]
    return [_write_csv(d / "blanks.csv", a)], [_write_csv(d / "blanks_reg.csv", b)], "blanks.csv"


SHAPES = [
    blanks_around_cells,
    pipe_bom_crlf_extra_column_apostrophes,
    xlsx_sheet_per_kecamatan,
    excel_text_marks_on_nik_and_nkk,
    register_xlsx_and_a_delta_parquet_out,
    zip_with_a_csv_per_kelurahan,
    blank_lines_repeated_headers_multiline_addresses,
    codes_spelled_other_ways,
    birth_dates_as_excel_serials,
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda f: f.__name__)
def test_the_same_decisions_in_another_shape(plain, shape):
    d, dpt, reg, expected = plain
    dpt_files, reg_files, out = shape(d, dpt, reg)
    match_files(dpt_files, reg_files, d / f"hasil_{out}")
    got, _ = _decisions(d / f"hasil_{out}")
    assert got.keys() == expected.keys()
    differ = {k: (expected[k], got[k]) for k in expected if got[k] != expected[k]}
    assert differ == {}


def test_input_columns_come_back_unchanged_in_another_shape(plain):
    d, dpt, reg, _ = plain
    (path,), _, out = pipe_bom_crlf_extra_column_apostrophes(d, dpt, reg)
    match_files([path], [d / "src" / "registry.csv"], d / f"hasil_{out}")
    with path.open(encoding="utf-8-sig", newline="") as f:
        given = list(csv.reader(f, delimiter="|"))
    _, rows = _decisions(d / f"hasil_{out}")
    assert len(rows) == len(given)
    assert all(r[: len(g)] == g for r, g in zip(rows, given, strict=True))


def test_nik_typed_as_numbers_in_excel_keeps_links_and_statuses(plain):
    """Every NIK and NKK a number cell (as a pandas export writes them): flagged
    NIK_RUSAK_EXCEL, but the register record and status found are those of the text file."""
    d, dpt, reg, expected = plain
    nums = {_col(dpt, "NIK"), _col(dpt, "NKK")}
    wb = xlsxwriter.Workbook(str(d / "numbers.xlsx"))
    ws = wb.add_worksheet()
    for i, r in enumerate(dpt):
        for j, v in enumerate(r):
            if i and j in nums and len(v) == 16 and v.isdigit():
                ws.write_number(i, j, float(v))
            else:
                ws.write_string(i, j, v)
    wb.close()
    match_files([d / "numbers.xlsx"], [d / "src" / "registry.csv"], d / "numbers.csv")
    got, _ = _decisions(d / "numbers.csv")
    assert {k: v[:2] for k, v in got.items()} == {k: v[:2] for k, v in expected.items()}
    flagged = sum("NIK_RUSAK_EXCEL" in v[3].split(";") for v in got.values())
    assert flagged > 0.9 * len(got)


def _moved_to(province: str, d: Path, dpt: list[list[str]], reg: list[list[str]]):
    """The voters moved to another province: each Sulsel kecamatan code given one of
    ``province``'s (its NIK and NKK prefixes too, in both files), each desa one of the new
    kecamatan's desa (its names in the DPT, its code parts in the register). Returns the
    files and the NIK mapping; a NIK whose first six digits are no Sulsel kecamatan (a typo in
    the region digits) is left as it is."""
    from padan.engine import connect
    from padan.ingest import load_dpt
    from padan.reference.wilayah import children, get

    def kecamatans(prov: str) -> list[str]:
        return sorted(k.code for kab in children(prov) for k in children(kab.code))

    old = kecamatans("73")
    new = kecamatans(province)
    random.Random(7).shuffle(new)
    kec = dict(zip(old, new, strict=False))
    assert len(kec) == len(old)
    desa: dict[str, str] = {}

    def moved(code: str) -> str:
        if code not in desa:
            taken = {v for k, v in desa.items() if k[:6] == code[:6]}
            desa[code] = next(c.code for c in children(kec[code[:6]]) if c.code not in taken)
        return desa[code]

    def nik(v: str) -> str:
        return kec[v[:6]] + v[6:] if v[:6] in kec else v

    e = connect()
    load_dpt(e, [d / "dpt.csv"], table="dpt", hash_files=False)
    code_of = dict(e.rows("SELECT row_id, kode_desa FROM dpt"))
    e.close()
    kab, kc, kel, n, k = (
        _col(dpt, c) for c in ("KABUPATEN", "KECAMATAN", "KELURAHAN", "NIK", "NKK")
    )
    a = [dpt[0]]
    for i, r in enumerate(dpt[1:]):
        r = r[:]
        c = moved(code_of[i])
        r[kab], r[kc], r[kel] = (get(x).name.upper() for x in (c[:4], c[:6], c))
        r[n], r[k] = nik(r[n]), nik(r[k])
        a.append(r)
    parts = [_col(reg, c) for c in ("NO_PROP", "NO_KAB", "NO_KEC", "NO_KEL")]
    rn, rk = _col(reg, "NIK"), _col(reg, "NO_KK")
    b = [reg[0]]
    for r in reg[1:]:
        r = r[:]
        p = [int(r[j]) for j in parts]
        c = moved(f"{p[0]:02d}{p[1]:02d}{p[2]:02d}{p[3]:04d}")
        for j, (lo, hi) in zip(parts, ((0, 2), (2, 4), (4, 6), (6, 10)), strict=True):
            r[j] = str(int(c[lo:hi]))
        r[rn], r[rk] = nik(r[rn]), nik(r[rk])
        b.append(r)
    return _write_csv(d / f"dpt_{province}.csv", a), _write_csv(d / f"reg_{province}.csv", b), nik


@pytest.mark.parametrize("province", ["32", "12"])
def test_the_same_decisions_in_another_province(plain, province):
    """Nothing in the rules is Sulsel's: the same voters with the codes and names of another
    province (Jawa Barat, Sumatera Utara) get the same decisions. Only rows whose DPT NIK has
    a typo in its region digits may differ: whether the typo is itself a known kecamatan
    decides tier 2 (docs/linkage.md), and that changes with the province."""
    d, dpt, reg, expected = plain
    a, b, nik = _moved_to(province, d, dpt, reg)
    match_files([a], [b], d / f"hasil_{province}.csv")
    got, _ = _decisions(d / f"hasil_{province}.csv")
    assert got.keys() == expected.keys()
    n = _col(dpt, "NIK")
    kept = {r[-1] for r in dpt[1:] if not r[n][:6].isdigit() or nik(r[n]) != r[n]}
    assert len(kept) > 0.97 * len(expected)
    moved = {k: (nik(v[0]),) + v[1:] for k, v in expected.items()}
    differ = {k: (moved[k], got[k]) for k in kept if got[k] != moved[k]}
    assert differ == {}
