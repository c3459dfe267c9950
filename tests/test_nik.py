"""NIK/NKK rules: examples, properties (hypothesis) and Python/SQL agreement."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from padan.cli import main
from padan.identity.nik import (
    NIK_REASONS,
    NKK_REASONS,
    check_nik,
    check_nkk,
    derive_birth_date,
    derive_sex,
    nik_clean_sql,
    nik_cleaned_sql,
    nik_flags_sql,
    nkk_flags_sql,
    register_reference_tables,
)
from padan.reference import wilayah

REF = dt.date(2020, 11, 18)
GOOD = "7306031204770001"  # kecamatan 730603 (Gowa), 12-04-77, man
GOOD_P = "7306035204770001"  # same, woman (day + 40)
KEC_CODES = sorted(r.code for r in wilayah.regions().values() if r.level == "kecamatan")


def make_nik(kec: str, born: dt.date, sex: str, serial: int) -> str:
    day = born.day + (40 if sex == "P" else 0)
    return f"{kec}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


# -- examples -------------------------------------------------------------------------------
def test_valid_nik_derives_birth_date_and_sex():
    c = check_nik(GOOD, reference_date=REF)
    assert c.valid and c.codes == () and c.flags == ""
    assert c.nik == GOOD and c.kecamatan_code == "730603"
    assert c.birth_date == dt.date(1977, 4, 12) and c.sex == "L"
    w = check_nik(GOOD_P, reference_date=REF)
    assert w.valid and w.sex == "P" and w.birth_date == dt.date(1977, 4, 12)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "NIK_KOSONG"),
        ("", "NIK_KOSONG"),
        ("   ", "NIK_KOSONG"),
        ("730603120477001", "NIK_PANJANG_SALAH"),
        ("73060312047700011", "NIK_PANJANG_SALAH"),
        ("73060312O4770001", "NIK_BUKAN_ANGKA"),  # letter O
        ("7306/0312/0477/0001", "NIK_BUKAN_ANGKA"),  # (grouped by - . or space: the NIK)
        ("730603**********", "NIK_DISAMARKAN"),
        ("7306******770001", "NIK_DISAMARKAN"),
        ("7.30603E+15", "NIK_RUSAK_EXCEL"),
        ("7,30603E+15", "NIK_RUSAK_EXCEL"),
        ("7306031204770000.0", "NIK_RUSAK_EXCEL"),
        ("7.306.031.204.770.000", "NIK_RUSAK_EXCEL"),
        ("1111111111111111", "NIK_NILAI_UJI"),
        ("0000000000000000", "NIK_NILAI_UJI"),
        ("1234567890123456", "NIK_NILAI_UJI"),
        ("9906031204770001", "NIK_PROVINSI_TIDAK_DIKENAL"),
        ("7399031204770001", "NIK_KABUPATEN_TIDAK_DIKENAL"),
        ("7306033204770001", "NIK_TANGGAL_TIDAK_VALID"),  # day 32
        ("7306030004770001", "NIK_TANGGAL_TIDAK_VALID"),  # day 00
        ("7306037204770001", "NIK_TANGGAL_TIDAK_VALID"),  # day 72 (32 + 40)
        ("7306033504770001", "NIK_TANGGAL_TIDAK_VALID"),  # day 35
        ("7306031213770001", "NIK_TANGGAL_TIDAK_VALID"),  # month 13
        ("7306033104770001", "NIK_TANGGAL_TIDAK_VALID"),  # 31 April
        ("7306032902770001", "NIK_TANGGAL_TIDAK_VALID"),  # 29 Feb 1977
        ("7306031204770000", "NIK_NOMOR_URUT_NOL"),
    ],
)
def test_error_codes(value, code):
    c = check_nik(value, reference_date=REF)
    assert c.codes == (code,)
    assert not c.valid
    issue = c.issues[0]
    assert issue.severity == "error" and issue.message == NIK_REASONS[code][1]


def test_nik_field_set_only_for_16_digits():
    assert check_nik("7306031204770000").nik == "7306031204770000"  # serial 0000: still 16
    assert check_nik("1111111111111111").nik == "1111111111111111"
    assert check_nik("7306031204770000.0").nik is None
    assert check_nik("730603**********").nik is None
    assert check_nik(" '7306031204770001 ").nik == GOOD  # Excel's text marker, spaces


@pytest.mark.parametrize(
    "value",
    [
        "7306 0312 0477 0001",
        "73.06.03.120477.0001",
        "7306-0312-0477-0001",
        "'7306 031204770001 ",
        "7306\u00a00312\u00a00477\u00a00001",  # NBSP between the groups
        "\t7306031204770001\n",  # a tab in front keeps a NIK as text in Excel
        "\u3000'7306031204770001\ufeff",
        '="7306031204770001"',  # an Excel text formula, as some exports write a NIK
        ' "7306031204770001" ',
    ],
)
def test_a_nik_typed_in_groups_is_its_16_digits(value):
    c = check_nik(value, reference_date=REF)
    assert c.nik == GOOD and c.valid and c.codes == ()
    # and the SQL executor reads the cell the same way
    from padan.engine import connect
    from padan.ingest import normalize as N

    assert connect().one(f"SELECT {N.nik_text('$1::VARCHAR')}", [value])[0] == GOOD


@pytest.mark.parametrize(
    "value, code",
    [
        ("7306 0312 0477 001", "NIK_BUKAN_ANGKA"),  # 15 digits: not a grouped NIK
        ("7306 0312 0477 0001 2", "NIK_BUKAN_ANGKA"),  # 17
        ("7306 0312 0477 000A", "NIK_BUKAN_ANGKA"),
        (".7306031204770001", "NIK_BUKAN_ANGKA"),  # a separator must sit between digits
        ("7.306.031.204.770.000", "NIK_RUSAK_EXCEL"),  # Excel's number form, last digit lost
    ],
)
def test_groups_that_are_not_a_nik_stay_errors(value, code):
    c = check_nik(value, reference_date=REF)
    assert c.nik is None and code in c.codes


def test_unknown_kecamatan_is_only_a_warning():
    c = check_nik("7306991204770001", reference_date=REF)
    assert c.codes == ("NIK_KECAMATAN_TIDAK_DIKENAL",)
    assert c.issues[0].severity == "warning" and c.valid


def test_papua_codes_before_2022_are_known():
    # Merauke was 91.01 before the 2022 split (now 93.01): NIKs issued then keep 9101.
    assert check_nik("9101011204770001", reference_date=REF).codes == ()
    assert check_nik("9301011204770001", reference_date=REF).codes == ()


def test_leap_day():
    assert check_nik("7306032902040001", reference_date=REF).birth_date == dt.date(2004, 2, 29)
    assert check_nik("7306032902000001", reference_date=REF).birth_date == dt.date(2000, 2, 29)
    assert "NIK_TANGGAL_TIDAK_VALID" in check_nik("7306032902010001").codes


def test_birth_date_and_sex_mismatch_are_warnings():
    c = check_nik(GOOD, birth_date=dt.date(1978, 4, 12), sex="P", reference_date=REF)
    assert c.codes == ("NIK_TGL_LAHIR_BEDA", "NIK_JENIS_KELAMIN_BEDA")
    assert c.valid and all(i.severity == "warning" for i in c.issues)
    # the same date in another century is the same DDMMYY: no mismatch
    assert check_nik(GOOD, birth_date=dt.date(1977, 4, 12), sex="l").codes == ()
    # unusable sex values are ignored
    assert check_nik(GOOD, sex="LAKI-LAKI").codes == ()


def test_several_codes_in_fixed_order():
    c = check_nik("7399033204770000", birth_date=dt.date(1990, 1, 1), sex="P")
    assert c.codes == (
        "NIK_KABUPATEN_TIDAK_DIKENAL",
        "NIK_TANGGAL_TIDAK_VALID",
        "NIK_NOMOR_URUT_NOL",
    )
    assert c.birth_date is None and c.sex is None


def test_derive_century_from_reference_date():
    assert derive_birth_date("7306031512200001", dt.date(2020, 11, 18)) == dt.date(1920, 12, 15)
    assert derive_birth_date("7306031511200001", dt.date(2020, 11, 18)) == dt.date(2020, 11, 15)
    assert derive_birth_date("7306031204770001", dt.date(2020, 1, 1)) == dt.date(1977, 4, 12)
    assert derive_birth_date("7306033204770001") is None
    assert derive_birth_date("abc") is None
    assert derive_sex(GOOD_P) == "P" and derive_sex(GOOD) == "L"
    assert derive_sex("7306037204770001") is None


def test_nkk_rules():
    assert check_nkk("7306031204170003").codes == ()
    c = check_nkk("7306031204170003")
    assert c.valid and c.birth_date is None and c.sex is None and c.nik == "7306031204170003"
    # no +40 in an NKK: day 52 is impossible
    assert check_nkk("7306035204170003").codes == ("NKK_TANGGAL_TIDAK_VALID",)
    assert check_nkk("").codes == ("NKK_KOSONG",)
    assert check_nkk("7.30603E+15").codes == ("NKK_RUSAK_EXCEL",)
    assert check_nkk("730603******0003").codes == ("NKK_DISAMARKAN",)
    assert check_nkk("7306031204170000").codes == ("NKK_NOMOR_URUT_NOL",)
    assert all(code in NKK_REASONS for code in check_nkk("99").codes)


def test_reason_codes_are_documented():
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "reason-codes-nik.md").read_text()
    for code in [*NIK_REASONS, *NKK_REASONS]:
        assert f"`{code}`" in doc, code


# -- properties ------------------------------------------------------------------------------
ANY_CHAR = st.characters(max_codepoint=0x3000, exclude_categories=("Cs",))
valid_niks = st.builds(
    lambda kec, born, sex, serial: (make_nik(kec, born, sex, serial), born, sex),
    st.sampled_from(KEC_CODES),
    st.dates(dt.date(REF.year - 99, 1, 1), REF),
    st.sampled_from(["L", "P"]),
    st.integers(1, 9999),
)


@given(valid_niks)
def test_valid_nik_round_trips(case):
    nik, born, sex = case
    c = check_nik(nik, birth_date=born, sex=sex, reference_date=REF)
    assert c.codes == ()
    assert c.birth_date == born == derive_birth_date(nik, REF)
    assert c.sex == sex == derive_sex(nik)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(valid_niks, st.data())
def test_any_single_character_damage_is_detected(case, data):
    nik = case[0]
    i = data.draw(st.integers(0, 15))
    kind = data.draw(st.sampled_from(["delete", "insert", "replace", "mask"]))
    if kind == "delete":
        bad = nik[:i] + nik[i + 1 :]
    elif kind == "insert":
        bad = nik[:i] + data.draw(ANY_CHAR) + nik[i:]
    elif kind == "replace":
        ch = data.draw(ANY_CHAR.filter(lambda c: not "0" <= c <= "9"))
        bad = nik[:i] + ch + nik[i + 1 :]
    else:
        bad = nik[:i] + "*" + nik[i + 1 :]
    c = check_nik(bad, reference_date=REF)
    # surrounding whitespace or Excel's leading ' are not damage to the digits, nor is a
    # separator between two digits (a NIK typed in groups)
    if c.nik == nik:
        blanks = " \t\n\r\f\v\u00a0\u1680\u202f\u205f\u3000\ufeff" + "".join(
            chr(c) for c in range(0x2000, 0x200C)
        )
        s = bad.strip(blanks + "'\"=")
        # (a NIK typed in groups: space, no-break space as pasted from a web page, dot, hyphen)
        grouped = (
            re.fullmatch(r"[0-9]+[-. \u00a0][0-9]+", s) and re.sub(r"[-. \u00a0]", "", s) == nik
        )
        assert s == nik or grouped
    else:
        assert not c.valid and c.nik is None


@given(st.text(), st.one_of(st.none(), st.dates()), st.one_of(st.none(), st.text(max_size=3)))
def test_never_raises(value, born, sex):
    c = check_nik(value, birth_date=born, sex=sex)
    assert all(code in NIK_REASONS for code in c.codes)
    assert (c.nik is None) or (len(c.nik) == 16 and c.nik.isdigit())
    assert check_nkk(value).codes


# -- SQL agrees with Python ----------------------------------------------------------------
@pytest.fixture(scope="module")
def ref_engine():
    from padan.engine import connect

    eng = connect()
    register_reference_tables(eng)
    yield eng
    eng.close()


def _digits(n):
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


def _damage(nik: str):
    return st.one_of(
        st.just(nik),
        st.builds(lambda i: nik[:i] + nik[i + 1 :], st.integers(0, 15)),
        st.builds(lambda i, c: nik[:i] + c + nik[i + 1 :], st.integers(0, 15), st.characters()),
        st.builds(lambda i: nik[:i] + "*" * (16 - i), st.integers(6, 15)),
        st.just(f"{nik[:1]}.{nik[1:6]}E+15"),
        st.just(nik + ".0"),
        st.just(f" '{nik}\t"),
        st.just(nik[:12] + "0000"),
        st.just(f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}"),
        st.just(f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}.{nik[6:12]}.{nik[12:]}"),
        st.just(f"{nik[:4]}-{nik[4:8]}-{nik[8:12]}-{nik[12:15]}"),
        st.just(f"{nik[0]}.{nik[1:4]}.{nik[4:7]}.{nik[7:10]}.{nik[10:13]}.{nik[13:]}"),
    )


nik_like = st.one_of(
    valid_niks.map(lambda c: c[0]).flatmap(_damage),
    _digits(16),
    st.builds(lambda a, b: a + b, st.sampled_from(KEC_CODES), _digits(10)),
    st.text(alphabet="0123456789*., eE+'\t\u00a0aO-", max_size=20),
    st.text(max_size=20).filter(lambda s: "\x00" not in s),
    st.none(),
    st.sampled_from(["1111111111111111", "1234567890123456", "9876543210987654", ""]),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    nik_like,
    st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31))),
    st.sampled_from([None, "L", "P", "l", " p ", "X", ""]),
)
def test_sql_agrees_with_python(ref_engine, value, born, sex):
    sql = nik_flags_sql("v", "b", "s")
    once = nik_flags_sql("v", "b", "s", cleaned="cv")  # the cleaned value computed once
    row = ref_engine.one(
        f"SELECT {sql}, {nik_clean_sql('v')}, {nkk_flags_sql('v')}, {once} "
        f"FROM (SELECT *, {nik_cleaned_sql('v')} AS cv FROM "
        "(SELECT $1::VARCHAR AS v, $2::DATE AS b, $3::VARCHAR AS s))",
        [value, born, sex],
    )
    assert row is not None
    py = check_nik(value, birth_date=born, sex=sex)
    assert row[0] == py.flags
    assert row[3] == py.flags
    assert row[1] == py.nik
    assert row[2] == check_nkk(value).flags


def test_sql_bulk_table(ref_engine):
    ref_engine.execute(
        "CREATE OR REPLACE TABLE dpt AS SELECT * FROM (VALUES "
        f"('{GOOD}', DATE '1977-04-12', 'L'), ('{GOOD_P}', DATE '1977-04-12', 'L'), "
        "(NULL, NULL, NULL), ('7.30603E+15', NULL, 'P')) t(nik, tgl, jk)"
    )
    got = [r[0] for r in ref_engine.rows(f"SELECT {nik_flags_sql('nik', 'tgl', 'jk')} FROM dpt")]
    assert got == ["", "NIK_JENIS_KELAMIN_BEDA", "NIK_KOSONG", "NIK_RUSAK_EXCEL"]


def test_reference_tables(ref_engine):
    n = {
        t: ref_engine.one(f"SELECT count(*) FROM ref_{t}")[0]
        for t in ("provinsi", "kabupaten", "kecamatan")
    }
    assert n["provinsi"] == 38
    assert n["kabupaten"] == 514 + 26  # plus the Papua codes renumbered in 2022
    assert n["kecamatan"] > 7277
    register_reference_tables(ref_engine)  # replaces, does not fail
    assert ref_engine.one("SELECT count(*) FROM ref_provinsi")[0] == 38


def test_ref_table_name_must_name_kabupaten():
    with pytest.raises(ValueError):
        nik_flags_sql("x", ref_table="codes")
    assert "ws.ref_kecamatan" in nik_flags_sql("x", ref_table="ws.ref_kabupaten")


# -- CLI -------------------------------------------------------------------------------------
def test_cli_nik_valid_and_invalid():
    r = CliRunner().invoke(main, ["nik", GOOD])
    assert r.exit_code == 0, r.output
    assert "VALID" in r.output and "12-04-1977" in r.output and "Laki-laki" in r.output
    r = CliRunner().invoke(main, ["nik", GOOD, "7306033204770001"])
    assert r.exit_code == 1
    assert "NIK_TANGGAL_TIDAK_VALID" in r.output


def test_cli_nik_json_and_options():
    r = CliRunner().invoke(
        main, ["nik", GOOD, "--json", "--tanggal-lahir", "13-04-1977", "--jenis-kelamin", "P"]
    )
    assert r.exit_code == 0, r.output  # warnings only
    data = json.loads(r.output)
    assert data[0]["nik"] == GOOD and data[0]["valid"] is True
    assert data[0]["tanggal_lahir"] == "1977-04-12" and data[0]["jenis_kelamin"] == "L"
    assert data[0]["kecamatan"]["kode"] == "730603"
    assert [i["kode"] for i in data[0]["masalah"]] == [
        "NIK_TGL_LAHIR_BEDA",
        "NIK_JENIS_KELAMIN_BEDA",
    ]


def test_cli_nik_bad_option_value():
    r = CliRunner().invoke(main, ["nik", GOOD, "--tanggal-lahir", "31-02-1977"])
    assert r.exit_code == 2
    assert "tanggal" in r.output.lower()
