"""Duplicates within the DPT (ganda K1/K2/K3): both rows flagged, nothing removed."""

from __future__ import annotations

import datetime as dt

import pytest

from padan.engine import connect
from padan.errors import PadanError
from padan.linkage import duplicates as dup
from padan.linkage.duplicates import catatan_sql, find_duplicates
from padan.linkage.status import CATATAN_CODES

D = dt.date
KEC1, KEC2 = "737101", "737102"
# row_id: (nik, nama, tanggal_lahir, jenis_kelamin, kode_kec, tps)
ROWS = {
    0: ("7371010305800001", "ALI BACO", D(1980, 5, 3), "L", KEC1, "001"),
    1: ("7371010305800002", "H. Ali Baco", D(1980, 5, 3), "L", KEC1, "007"),  # K1 with 0
    2: ("7371014201900001", "Nurhayati", D(1990, 1, 2), "P", KEC1, "002"),
    3: ("7371024201900009", "Nur Hayati", D(1990, 1, 2), "P", KEC2, "003"),  # K1 with 2
    4: ("7371014107750001", "SITI AMINAH", D(1975, 7, 1), "P", KEC1, "004"),
    5: ("7371014107750001", "NUR AMINAH", D(1988, 2, 2), "P", KEC1, "004"),  # K2 with 4
    6: ("7371020706850001", "Muhammad Rahmatullah", D(1985, 6, 7), "L", KEC2, "001"),
    7: ("7371020706850002", "Muh. Rahmatulah", D(1985, 6, 7), "L", KEC2, "009"),  # K3 (a)
    8: ("7371010304700001", "Baso Lolo", D(1970, 3, 4), "L", KEC1, "005"),
    9: ("7371010403700001", "Baso Lolo", D(1970, 4, 3), "L", KEC2, "005"),  # K3 (b) swap
    10: ("7371017112600001", "Becce Tenri", D(1960, 12, 31), "P", KEC1, "006"),
    11: ("7371013112600001", "Becce Tenri", D(1960, 12, 31), "L", KEC2, "006"),  # K3 (c)
    12: ("7371010909990001", "Ali Muhammad Yusuf", D(1999, 9, 9), "L", KEC1, "008"),
    13: ("7371020909990001", "Yusuf Ali Muhammad", D(1999, 9, 9), "L", KEC2, "008"),  # K3 (d)
    # twins: same birth date, same desa and TPS, different names -> nothing
    14: ("7371010202000001", "Hasan", D(2000, 2, 2), "L", KEC1, "010"),
    15: ("7371010202000002", "Husain", D(2000, 2, 2), "L", KEC1, "010"),
    16: ("7371014202000003", "Rahmah", D(2000, 2, 2), "P", KEC1, "010"),
    17: ("7371010202000004", "Rahmat", D(2000, 2, 2), "L", KEC1, "010"),
    27: ("7371010303030001", "Syamsul Hidayat Piwabu Sari", D(2003, 3, 3), "L", KEC1, "016"),
    28: ("7371010303030002", "Rina Hidayat Piwabu Sari", D(2003, 3, 3), "L", KEC1, "016"),
    # namesakes, father and son: same name, different birth dates -> nothing
    18: ("7371010501500001", "Abdul Rauf", D(1950, 1, 5), "L", KEC1, "011"),
    19: ("7371012009780001", "Abd. Rauf", D(1978, 9, 20), "L", KEC1, "011"),
    # empty names are no identity at all -> nothing
    20: ("7371010101800001", "", D(1980, 1, 1), "L", KEC1, "012"),
    21: ("7371010101800002", "H.", D(1980, 1, 1), "L", KEC1, "012"),
    # the same NIK with identical identity is K1, not K2
    22: ("7371015508820001", "Fatimah", D(1982, 8, 15), "P", KEC1, "013"),
    23: ("7371015508820001", "FATIMAH", D(1982, 8, 15), "P", KEC1, "014"),
    # no NIK, no birth date: no K1/K2
    24: (None, "Lolo", None, "P", KEC1, "015"),
    25: (None, "Lolo", None, "P", KEC1, "015"),
}
EXPECTED = {
    (0, "GANDA_K1", 1),
    (2, "GANDA_K1", 3),
    (4, "GANDA_K2", 5),
    (6, "GANDA_K3", 7),
    (8, "GANDA_K3", 9),
    (10, "GANDA_K3", 11),
    (12, "GANDA_K3", 13),
    (22, "GANDA_K1", 23),
}


def _load(engine, rows=ROWS, table="dpt"):
    engine.execute(
        f"""CREATE OR REPLACE TABLE {table} (row_id BIGINT, nik VARCHAR, nama VARCHAR,
        tanggal_lahir DATE, jenis_kelamin VARCHAR, kode_kec VARCHAR, kode_desa VARCHAR,
        tps_key VARCHAR, alamat VARCHAR)"""
    )
    for rid, (nik, nama, tgl, jk, kec, tps) in rows.items():
        desa = kec + "1001"
        engine.execute(
            f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [rid, nik, nama, tgl, jk, kec, desa, desa + tps, f"JL. CONTOH NO. {rid}"],
        )


@pytest.fixture()
def engine():
    e = connect()
    yield e
    e.close()


def test_categories_flag_both_rows(engine):
    _load(engine)
    counts = find_duplicates(engine, "dpt", "dup")
    got = set(engine.rows("SELECT row_id, category, other_row_id FROM dup"))
    both_ways = EXPECTED | {(b, c, a) for a, c, b in EXPECTED}
    assert got == both_ways
    assert counts == {"GANDA_K1": 6, "GANDA_K2": 2, "GANDA_K3": 8}
    assert engine.columns("dup") == ["row_id", "category", "other_row_id"]
    assert [r[1] for r in engine.rows("DESCRIBE dup")] == ["BIGINT", "VARCHAR", "BIGINT"]


def test_nothing_removed_and_no_temp_left(engine):
    _load(engine)
    before = engine.rows("SELECT * FROM dpt ORDER BY row_id")
    find_duplicates(engine, "dpt", "dup")
    assert engine.rows("SELECT * FROM dpt ORDER BY row_id") == before
    assert not [t for (t,) in engine.rows("SHOW TABLES") if t.startswith("_dup")]


def test_twins_and_namesakes_not_flagged(engine):
    _load(engine)
    find_duplicates(engine, "dpt", "dup")
    flagged = {r for (r,) in engine.rows("SELECT DISTINCT row_id FROM dup")}
    assert flagged.isdisjoint({14, 15, 16, 17, 18, 19, 20, 21, 24, 25, 27, 28})


def test_same_nik_large_block_is_bounded(engine, monkeypatch):
    monkeypatch.setattr(dup, "MAX_PARTNERS", 2)
    rows = {
        i: (
            "7371010000000000",
            f"ORANG {chr(65 + i)}{chr(75 + i)}",
            D(1990, 1, 1 + i),
            "L",
            KEC1,
            "001",
        )
        for i in range(6)
    }
    _load(engine, rows)
    counts = find_duplicates(engine, "dpt", "dup")
    assert counts["GANDA_K2"] == 6  # every row flagged
    per_row = dict(engine.rows("SELECT row_id, count(*) FROM dup GROUP BY 1"))
    assert per_row[5] == 2  # a row past the head records only the head rows
    assert engine.one("SELECT count(*) FROM dup")[0] == 2 * (2 * 6 - 3)


@pytest.mark.parametrize("first", ["Rahmat Rahmat", "Rahmat Ramlah"])
def test_a_pair_is_found_whichever_row_comes_first(engine, first):
    # Each pair is compared once, lower row id first; the K3 rule must not depend on which.
    # Every word of "Rahmat Rahmat" is in "Rahmat Ramlah", not the other way round (RAMLAH is
    # 0.82 from RAHMAT): names of as many words count as covered if either way is.
    other = {"Rahmat Rahmat": "Rahmat Ramlah", "Rahmat Ramlah": "Rahmat Rahmat"}[first]
    rows = {
        0: ("7371010305800001", first, D(1980, 5, 3), "L", KEC1, "001"),
        1: ("7371010305800002", other, D(1980, 5, 3), "L", KEC1, "002"),
    }
    _load(engine, rows)
    find_duplicates(engine, "dpt", "dup")
    assert set(engine.rows("SELECT row_id, category, other_row_id FROM dup")) == {
        (0, "GANDA_K3", 1),
        (1, "GANDA_K3", 0),
    }


def test_a_word_in_common_is_enough_to_compare(engine):
    # "SITI WAHYUNI SARI DEWI" / "WAHYUNI SARI DEWI": 0.77 without spaces (below the
    # prefilter's 0.80), so only the words in common let the pair be compared (0.95).
    rows = {
        0: ("7371015505800001", "Sitti Wahyuni Sari Dewi", D(1980, 5, 15), "P", KEC1, "001"),
        1: ("7371015505800002", "Wahyuni Sari Dewi", D(1980, 5, 15), "P", KEC1, "002"),
        2: ("7371015505800003", "Rahmawati", D(1980, 5, 15), "P", KEC1, "003"),
    }
    _load(engine, rows)
    find_duplicates(engine, "dpt", "dup")
    assert set(engine.rows("SELECT row_id, category, other_row_id FROM dup")) == {
        (0, "GANDA_K3", 1),
        (1, "GANDA_K3", 0),
    }


def test_colliding_name_hashes_add_no_pair(engine, monkeypatch):
    # Blocks are keyed on hashes of the name keys (NULL for an empty name); every condition
    # checks the text too. Coarse hashes (by length: many collisions) give the same pairs.
    _load(engine)
    find_duplicates(engine, "dpt", "dup")
    expected = set(engine.rows("SELECT * FROM dup"))
    monkeypatch.setattr(
        dup, "_key_hash", lambda col: f"CASE WHEN {col} <> '' THEN length({col}) END AS {col}_h"
    )
    find_duplicates(engine, "dpt", "dup2")
    assert set(engine.rows("SELECT * FROM dup2")) == expected


def test_catatan_codes(engine):
    _load(engine)
    find_duplicates(engine, "dpt", "dup")
    notes = dict(engine.rows(catatan_sql("dup")))
    assert notes[0] == "GANDA;GANDA_K1"
    assert notes[4] == "GANDA;GANDA_K2"
    assert notes[9] == "GANDA;GANDA_K3"
    for note in notes.values():
        assert set(note.split(";")) <= CATATAN_CODES


def test_missing_columns(engine):
    engine.execute("CREATE TABLE bad AS SELECT 1::BIGINT AS row_id, 'X' AS nama")
    with pytest.raises(PadanError) as exc:
        find_duplicates(engine, "bad", "dup")
    assert exc.value.code == "GANDA_KOLOM_KURANG"
    assert "tanggal_lahir" in exc.value.message


def test_optional_columns_may_be_absent(engine):
    engine.execute(
        """CREATE TABLE mini AS SELECT * FROM (VALUES
           (0::BIGINT, 'Ali Baco', DATE '1980-05-03', 'L'),
           (1::BIGINT, 'ALI BACO', DATE '1980-05-03', 'L'))
           t(row_id, nama, tanggal_lahir, jenis_kelamin)"""
    )
    assert find_duplicates(engine, "mini", "dup") == {"GANDA_K1": 2, "GANDA_K2": 0, "GANDA_K3": 0}


@pytest.mark.slow
def test_planted_duplicates_at_scale(engine):
    """200k synthetic rows with unique identities plus planted pairs of each category."""
    n = 200_000
    engine.execute(f"""
        CREATE TABLE dpt AS
        SELECT i AS row_id, printf('73%014d', i) AS nik,
               'NAMA ' || translate(substr(md5(i::VARCHAR), 1, 8), '0123456789abcdef',
                                    'QWRTYPSDFGKLZXVB') AS nama,
               DATE '1940-01-01' + (i % 20000)::INT AS tanggal_lahir,
               CASE WHEN i % 2 = 0 THEN 'L' ELSE 'P' END AS jenis_kelamin,
               '7371' || lpad((i % 15)::VARCHAR, 2, '0') AS kode_kec
        FROM range({n}) t(i)
    """)
    planted = 300  # K1: a copy with a title at another kecamatan; K2: the NIK reused
    engine.execute(f"""
        INSERT INTO dpt
        SELECT {n} + row_id, 'X' || lpad(row_id::VARCHAR, 15, '0'), 'H. ' || nama,
               tanggal_lahir, jenis_kelamin, '737199' FROM dpt WHERE row_id < {planted}
        UNION ALL
        SELECT {n} + row_id, nik, 'LAIN ' || nama, tanggal_lahir + 1, jenis_kelamin,
               kode_kec FROM dpt WHERE row_id BETWEEN {planted} AND {2 * planted - 1}
    """)
    counts = find_duplicates(engine, "dpt", "dup")
    assert counts["GANDA_K1"] == 2 * planted
    assert counts["GANDA_K2"] == 2 * planted
    assert counts["GANDA_K3"] < n // 1000  # random names: chance look-alikes only


def _prepared(engine):
    """The DPT rows of EXPECTED as the match engine prepares them (``_lk_d``)."""
    import padan.linkage.match as M

    _load(engine)
    for col in ("nik_raw", "nik_flags", "nkk", "tempat_lahir", "kode_kab", "status_kawin",
                "ktp_el"):  # fmt: skip
        engine.execute(f"ALTER TABLE dpt ADD COLUMN {col} VARCHAR")
    engine.execute("UPDATE dpt SET nik_raw = nik, kode_kab = substr(kode_kec, 1, 4)")
    engine.execute(
        "CREATE TABLE reg (row_id BIGINT, nik VARCHAR, no_kk VARCHAR, nama VARCHAR, "
        "tempat_lahir VARCHAR, tanggal_lahir DATE, jenis_kelamin VARCHAR, "
        "status_kawin VARCHAR, kode_desa VARCHAR, status_ktp_el VARCHAR)"
    )
    M._prepare(engine, "dpt", "reg")


def test_prepared_rows_give_the_same_pairs(engine):
    """The match engine passes its own prepared rows (``prepared=``): the same pairs as
    from the DPT table itself, names that normalise to nothing included."""
    _prepared(engine)
    from_table = find_duplicates(engine, "dpt", "dup_a")
    from_prepared = find_duplicates(engine, "dpt", "dup_b", prepared="_lk_d")
    assert from_prepared == from_table
    a = set(engine.rows("SELECT * FROM dup_a"))
    assert a == set(engine.rows("SELECT * FROM dup_b"))
    assert len(a) == 2 * len(EXPECTED)


def test_rows_settled_on_records_of_their_own_make_no_look_alike_pair(engine):
    """``settled=``: two rows each settled on a register record of its own are two people
    (no K1, no K3 pair); a record settled for two rows, or an unsettled row, keeps its
    pairs; K2 (a shared NIK) is not affected."""
    _prepared(engine)
    find_duplicates(engine, "dpt", "dup_b", prepared="_lk_d")
    pairs = set(engine.rows("SELECT * FROM dup_b"))
    k1 = sorted((a, b) for a, c, b in pairs if c == "GANDA_K1" and a < b)
    k2 = sorted((a, b) for a, c, b in pairs if c == "GANDA_K2" and a < b)
    (a0, b0), (a1, b1) = k1[0], k1[1]
    engine.execute(f"""
        CREATE TABLE settled AS SELECT * FROM (VALUES
            ({a0}, 'R1'), ({b0}, 'R2'),       -- two records: two people
            ({a1}, 'R3'), ({b1}, 'R3'),       -- one record for both: listed twice
            ({k2[0][0]}, 'R4'), ({k2[0][1]}, 'R5')) t(row_id, cand)
    """)
    find_duplicates(engine, "dpt", "dup_s", prepared="_lk_d", settled="SELECT * FROM settled")
    got = set(engine.rows("SELECT * FROM dup_s"))
    assert (a0, "GANDA_K1", b0) not in got and (b0, "GANDA_K1", a0) not in got
    assert (a1, "GANDA_K1", b1) in got and (b1, "GANDA_K1", a1) in got
    assert (k2[0][0], "GANDA_K2", k2[0][1]) in got
    # nothing else changes
    assert got == pairs - {(a0, "GANDA_K1", b0), (b0, "GANDA_K1", a0)}
