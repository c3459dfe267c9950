"""The NIK flags the DPT loader stores agree with the Python NIK rules, row for row.

The loader gives a clean-looking NIK '' through a cheap test and sends the rest through the
full SQL rules (padan/ingest/load.py ``_dpt_nik_flags``); this checks both paths against
:func:`padan.identity.nik.check_nik` on NIKs that are valid, nearly valid, and broken.
"""

from __future__ import annotations

import datetime as dt
import random

from padan.identity.nik import check_nik
from padan.ingest import load_dpt

HEADER = "KABUPATEN,KECAMATAN,KELURAHAN,TPS,NIK,NAMA,TEMPAT_LAHIR,TANGGAL_LAHIR,JENIS_KELAMIN"


def _nik(rng: random.Random, birth: dt.date, sex: str) -> str:
    prefix = rng.choice(["737101", "730603", "730101", "737199", "739901", "990101", "110101"])
    day = birth.day + (40 if sex == "P" else 0)
    serial = rng.choice(["0001", "0042", "0000", "1234"])
    return f"{prefix}{day:02d}{birth:%m%y}{serial}"


def _mutate(rng: random.Random, nik: str) -> str:
    kind = rng.randrange(12)
    if kind == 0:  # another day
        return nik[:6] + f"{rng.randrange(1, 72):02d}" + nik[8:]
    if kind == 1:  # another month, possibly impossible
        return nik[:8] + f"{rng.randrange(0, 14):02d}" + nik[10:]
    if kind == 2:  # another year
        return nik[:10] + f"{rng.randrange(100):02d}" + nik[12:]
    if kind == 3:
        return nik[:15]  # too short
    if kind == 4:
        return nik[:10] + "******"  # masked
    if kind == 5:
        return f"{int(nik) / 1e15:.5f}E+15"  # Excel damage
    if kind == 6:
        return rng.choice(["1111111111111111", "1234567890123456", "", "  ", "'" + nik])
    if kind == 7:
        return " " + nik + " "
    return nik  # unchanged (most rows)


def test_loader_nik_flags_agree_with_python_rules(engine, tmp_path):
    rng = random.Random(2020)
    rows, expected = [], []
    for i in range(3000):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30000))
        sex = rng.choice("LP")
        nik = _mutate(rng, _nik(rng, birth, sex))
        rec_birth = (
            birth if rng.random() < 0.9 else birth + dt.timedelta(days=rng.randrange(1, 400))
        )
        rec_sex = sex if rng.random() < 0.93 else rng.choice(["L", "P", ""])
        born = "" if rng.random() < 0.03 else f"{rec_birth:%d-%m-%Y}"
        rows.append(f"KOTA MAKASSAR,MARISO,BONTORANNU,1,{nik},ORANG {i},MAKASSAR,{born},{rec_sex}")
        expected.append(
            check_nik(
                nik,
                birth_date=rec_birth if born else None,
                sex=rec_sex or None,
            ).flags
        )
    f = tmp_path / "dpt.csv"
    f.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    rep = load_dpt(engine, [f], table="dpt")
    got = engine.rows("SELECT row_id, nama, nik_flags FROM dpt ORDER BY row_id")
    by_row = {int(name.split()[1]): flags for _rid, name, flags in got}
    # Rows without NAMA and NIK would be rejected; every row here has a name.
    assert rep.accepted == len(rows)
    wrong = [
        (i, rows[i].split(",")[4], by_row[i], expected[i])
        for i in range(len(rows))
        if by_row[i] != expected[i]
    ]
    assert not wrong, wrong[:10]
    # Both paths were taken: clean NIKs and flagged ones, with the birth/sex warnings among them.
    assert sum(1 for x in expected if x == "") > 300
    flags = {c for x in expected for c in x.split(";") if c}
    assert {"NIK_TGL_LAHIR_BEDA", "NIK_JENIS_KELAMIN_BEDA", "NIK_KECAMATAN_TIDAK_DIKENAL"} <= flags
    assert {"NIK_NOMOR_URUT_NOL", "NIK_TANGGAL_TIDAK_VALID", "NIK_DISAMARKAN"} <= flags


PLACE = "KOTA MAKASSAR,MARISO,BONTORANNU,1"


def _load_people(engine, tmp_path, people: list[str]):
    """load_dpt of a file with one row per ``NIK,NAMA,birth date,sex`` (born in Makassar)."""
    f = tmp_path / "dpt.csv"
    lines = [f"{PLACE},{nik},{nama},MAKASSAR,{born},{jk}" for nik, nama, born, jk in
             (p.split(",") for p in people)]  # fmt: skip
    f.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return load_dpt(engine, [f], table="dpt")


def test_nik_flag_warnings_point_at_rows_and_mask_the_nik(engine, tmp_path):
    rep = _load_people(
        engine,
        tmp_path,
        ["7371014101900001,SITI,01-01-1990,P", ",BACO,02-02-1980,L",
         "7371010101900001,BADU,05-05-1985,L"],
    )  # fmt: skip
    by_code = {w.code: w for w in rep.warnings}
    # a blank NIK: the row is the only thing to show
    assert by_code["NIK_KOSONG"].examples == ["dpt.csv baris 3: NIK kosong"]
    # a NIK whose birth date disagrees: where it is, and only its region digits
    (ex,) = by_code["NIK_TGL_LAHIR_BEDA"].examples
    assert ex == "dpt.csv baris 4: NIK 737101**********"
    assert "7371010101900001" not in " ".join(w for x in rep.warnings for w in x.examples)


def test_a_name_of_blanks_is_no_name_and_is_warned_about(engine, tmp_path):
    rep = _load_people(
        engine,
        tmp_path,
        ["7371014101900001,SITI,01-01-1990,P", "7371010202800001,   ,02-02-1980,L",
         "7371010505850001,,05-05-1985,L", ",   ,02-02-1980,L"],
    )  # fmt: skip
    # blanks only are no name, as an empty cell is (the row without a NIK either is rejected)
    assert engine.rows("SELECT nama FROM dpt ORDER BY row_id") == [("SITI",), (None,), (None,)]
    assert rep.accepted == 3 and rep.rejected == 1
    (w,) = [w for w in rep.warnings if w.code == "NAMA_KOSONG"]
    assert w.rows == 2 and w.examples == ["dpt.csv baris 3", "dpt.csv baris 4"]


def test_a_nik_typed_in_groups_is_read_as_its_16_digits(engine, tmp_path):
    """7371 0141 0190 0001 (spaces also keep Excel from making it a number), dotted or
    hyphenated: the same NIK, no flag. 15 digits in groups or Excel's number form stay errors."""
    _load_people(
        engine,
        tmp_path,
        ["7371 0141 0190 0001,SITI,01-01-1990,P", "73.71.01.010190.0002,BADU,01-01-1990,L",
         "'7371-0141-0190-0003 ,ANI,01-01-1990,P", "7371 0141 0190 004,BACO,01-01-1990,L",
         "7.371.014.101.900.000,TONI,01-01-1990,P"],
    )  # fmt: skip
    got = engine.rows("SELECT nama, nik, nik_flags FROM dpt ORDER BY row_id")
    assert got == [
        ("SITI", "7371014101900001", ""),
        ("BADU", "7371010101900002", ""),
        ("ANI", "7371014101900003", ""),
        ("BACO", None, "NIK_BUKAN_ANGKA"),
        ("TONI", None, "NIK_RUSAK_EXCEL"),
    ]
