"""Voter-status rules: contract codes -> STATUS_REKAM, voter flags, Python == SQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from padan.engine import connect
from padan.linkage import status as S
from padan.reference.profiles import load_profile

ROOT = Path(__file__).resolve().parents[1]
PROFILE = load_profile("pilkada-2020-sulsel")  # election 2020-12-09, DPT 2020-10-15, 17

CONTRACT = {
    "UNREGISTERED": "BELUM_REKAM",
    "BELUM REKAM": "BELUM_REKAM",
    "ENROLL_FAILURE_AT_CENTRAL": "GAGAL_REKAM",
    "SEARCH_FAILURE_AT_CENTRAL": "GAGAL_REKAM",
    "ENROLL_FAILURE_AT_REGIONAL": "GAGAL_REKAM",
    "DUPLICATE_RECORD": "GAGAL_REKAM",
    "BIO_CAPTURED": "SUDAH_REKAM",
    "PROCESSING": "SUDAH_REKAM",
    "SENT_FOR_ENROLLMENT": "SUDAH_REKAM",
    "RECEIVED_AT_CENTRAL": "SUDAH_REKAM",
    "PRINT_READY_RECORD": "SUDAH_REKAM",
    "CARD_PRINTED": "SUDAH_REKAM",
    "CARD_SHIPPED": "SUDAH_REKAM",
    "CARD_ISSUED": "SUDAH_REKAM",
    "SUDAH REKAM": "SUDAH_REKAM",
}


@pytest.fixture(scope="module")
def engine():
    e = connect()
    yield e
    e.close()


def _sql_status(engine, value):
    return engine.one(f"SELECT {S.status_rekam_sql('$1::VARCHAR')}", [value])[0]


def test_status_map_is_the_contract_table():
    assert S.STATUS_MAP == CONTRACT


@pytest.mark.parametrize("code,expected", sorted(CONTRACT.items()))
def test_every_contract_code(engine, code, expected):
    for variant in (code, code.lower(), f"  {code.title()} ", code.replace("_", " "),
                    code.replace(" ", "_"), code.replace(" ", "").replace("_", "")):  # fmt: skip
        assert S.status_rekam(variant) == expected, variant
        assert _sql_status(engine, variant) == expected, variant
        assert S.status_known(variant)


@pytest.mark.parametrize("code", [None, "", "  ", "REKAM", "CARD_LOST", "SUDAH", "X"])
def test_unknown_code_is_never_sudah(engine, code):
    assert S.status_rekam(code) == "BELUM_REKAM"
    assert _sql_status(engine, code) == "BELUM_REKAM"
    assert not S.status_known(code)
    assert engine.one(f"SELECT {S.status_known_sql('$1::VARCHAR')}", [code])[0] is False
    assert S.STATUS_UNKNOWN_CODE in S.CATATAN_CODES


def _flags(birth, kawin=None, ktp_el=None, rekam=None, profile=PROFILE):
    return S.voter_flags(profile, birth, kawin, ktp_el, rekam)


def _sql_flags(engine, birth, kawin=None, ktp_el=None, rekam=None, profile=PROFILE):
    expr = S.voter_flags_sql(profile, "b", "k", "e", "s")
    sql = f"SELECT {expr} FROM (SELECT $1::DATE b, $2::VARCHAR k, $3::VARCHAR e, $4::VARCHAR s)"
    return engine.one(sql, [birth, kawin, ktp_el, rekam])[0]


D = dt.date


@pytest.mark.parametrize(
    "birth,kawin,expected",
    [
        (D(2003, 12, 9), None, ["PEMILIH_PEMULA"]),  # 17 exactly on election day
        (D(2003, 12, 10), None, ["BELUM_17"]),  # 17 the day after
        (D(2003, 12, 10), "B", ["BELUM_17"]),
        (D(2003, 12, 10), "S", []),  # married: may vote
        (D(2003, 12, 10), " p ", []),  # married before
        (D(2003, 10, 15), None, []),  # 17 exactly on the DPT date: not pemula
        (D(2003, 10, 16), None, ["PEMILIH_PEMULA"]),  # 17 the day after the DPT date
        (D(2003, 10, 14), None, []),
        (D(1960, 7, 1), "S", []),
        (D(2010, 1, 1), "S", []),  # married child: eligible by law, no flag
        (None, None, []),
    ],
)
def test_age_flags_at_exact_birthdays(engine, birth, kawin, expected):
    assert _flags(birth, kawin) == expected
    assert _sql_flags(engine, birth, kawin) == ";".join(expected)


def test_married_does_not_count_when_profile_says_so(engine):
    strict = dataclasses.replace(PROFILE, married_may_vote=False)
    assert _flags(D(2003, 12, 10), "S", profile=strict) == ["BELUM_17"]
    assert _sql_flags(engine, D(2003, 12, 10), "S", profile=strict) == "BELUM_17"


def test_leap_day_birthday(engine):
    # Election on 28 Feb 2021: born 29 Feb 2004 is still 16; on 1 Mar 2021 they are 17.
    p = dataclasses.replace(PROFILE, election_day=D(2021, 2, 28), dpt_date=D(2020, 12, 1))
    assert _flags(D(2004, 2, 29), profile=p) == ["BELUM_17"]
    assert _sql_flags(engine, D(2004, 2, 29), profile=p) == "BELUM_17"
    p = dataclasses.replace(p, election_day=D(2021, 3, 1))
    assert _flags(D(2004, 2, 29), profile=p) == ["PEMILIH_PEMULA"]
    assert _sql_flags(engine, D(2004, 2, 29), profile=p) == "PEMILIH_PEMULA"


@pytest.mark.parametrize(
    "ktp_el,rekam,beda",
    [
        ("S", "BELUM_REKAM", True),
        ("s ", "GAGAL_REKAM", True),
        ("S", "SUDAH_REKAM", False),
        ("B", "SUDAH_REKAM", True),
        ("b", "BELUM_REKAM", False),
        ("B", "GAGAL_REKAM", False),
        ("S", "TIDAK_DITEMUKAN", False),  # no register record: nothing to compare
        ("B", "PERLU_TINJAU", False),
        (None, "SUDAH_REKAM", False),
        ("", "BELUM_REKAM", False),
        ("S", None, False),
    ],
)
def test_ktp_el_beda(engine, ktp_el, rekam, beda):
    expected = ["KTP_EL_BEDA"] if beda else []
    assert _flags(D(1980, 1, 1), "S", ktp_el, rekam) == expected
    assert _sql_flags(engine, D(1980, 1, 1), "S", ktp_el, rekam) == ";".join(expected)


def test_flags_combine_in_order(engine):
    got = _flags(D(2003, 11, 1), None, "S", "BELUM_REKAM")
    assert got == ["PEMILIH_PEMULA", "KTP_EL_BEDA"]
    assert _sql_flags(engine, D(2003, 11, 1), None, "S", "BELUM_REKAM") == ";".join(got)


@settings(max_examples=300, deadline=None)
@given(
    birth=st.one_of(st.none(), st.dates(D(1930, 1, 1), D(2012, 12, 31))),
    kawin=st.sampled_from([None, "", "B", "S", "P", "s", " X "]),
    ktp_el=st.sampled_from([None, "", "S", "B", "s", "b", "?"]),
    rekam=st.sampled_from([None, "SUDAH_REKAM", "BELUM_REKAM", "GAGAL_REKAM", "PERLU_TINJAU"]),
)
def test_sql_equals_python(engine, birth, kawin, ktp_el, rekam):
    assert _sql_flags(engine, birth, kawin, ktp_el, rekam) == ";".join(
        _flags(birth, kawin, ktp_el, rekam)
    )


def test_sql_transpiles_to_spark():
    import sqlglot

    expr = S.voter_flags_sql(PROFILE, "tgl", "kawin", "ktp", "st") + ", " + S.status_rekam_sql("s")
    out = sqlglot.transpile(f"SELECT {expr} FROM t", read="duckdb", write="spark")[0]
    assert "BELUM_17" in out and "SUDAH_REKAM" in out


# -- the CATATAN codes are documented ---------------------------------------------------------
def _documented_codes() -> set[str]:
    text = (ROOT / "docs" / "reason-codes.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\|\s*`([A-Z0-9_]+)`", text, flags=re.M))


def test_every_catatan_code_is_documented():
    documented = _documented_codes()
    assert S.CATATAN_CODES - documented == set()
    assert documented - S.CATATAN_CODES == set(), "documented but not in CATATAN_CODES"


# Values of other result columns (STATUS_REKAM, METODE_PADAN) and column names, which look
# like codes but are not written in CATATAN.
_NOT_CATATAN = {
    "SUDAH_REKAM", "BELUM_REKAM", "GAGAL_REKAM", "TIDAK_DITEMUKAN", "PERLU_TINJAU", "NIK",
    "NIK_KOREKSI", "PROBABILISTIK", "NIK_DUKCAPIL", "STATUS_REKAM", "STATUS_KTP_EL",
    "METODE_PADAN", "SKOR_PADAN", "CATATAN", "KTP_EL", "NKK", "NO_KK", "NIK_RAW", "NIK_FLAGS",
    "NIK_BENAR", "STATUS_REKAM_BENAR", "GANDA_DENGAN",  # ground-truth columns of synthetic data
}  # fmt: skip
_CODE_LIKE = re.compile(
    r"""["']((?:NIK|GANDA|TINJAU|IDENTITAS|STATUS_KTP_EL|KTP_EL|PEMILIH|BELUM_17|DIPUTUSKAN)"""
    r"""[A-Z0-9_]*)["']"""
)


_ERROR_CODE = re.compile(r"""PadanError\(\s*["']([A-Z0-9_]+)["']""")


def test_codes_used_in_linkage_are_catatan_codes():
    """A quoted code-like string in padan/linkage/*.py must be a documented CATATAN code,
    or one of the NIK rule codes (``padan.identity.nik.REASONS``, docs/reason-codes-nik.md)
    that CATATAN carries from the DPT's ``nik_flags``."""
    from padan.identity.nik import REASONS

    used: dict[str, str] = {}
    errors: set[str] = set()  # PadanError codes are messages, not CATATAN codes
    for path in sorted((ROOT / "padan" / "linkage").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        errors |= set(_ERROR_CODE.findall(text))
        for code in _CODE_LIKE.findall(text):
            if not code.endswith("_"):  # a prefix such as 'TINJAU_' in starts_with()
                used.setdefault(code, path.name)
    used = {c: f for c, f in used.items() if c not in errors}
    known = S.CATATAN_CODES | _NOT_CATATAN | set(REASONS)
    undocumented = {c: f for c, f in used.items() if c not in known}
    assert undocumented == {}, "add these to CATATAN_CODES and docs/reason-codes.md"
