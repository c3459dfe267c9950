"""NIK and NKK rules: what the 16 digits say, and every way they can be wrong.

A NIK is ``PPKKCC DDMMYY SSSS``: digits 1-6 the kecamatan where it was first issued (an older
code is possible, so an unknown kecamatan is only a warning; province and kabupaten must
exist), 7-12 the birth date (day + 40 for women), 13-16 a serial from 0001. An NKK (family
card number) has the same shape, but digits 7-12 are the card's issue date (no +40).

Each problem is a stable reason code (documented in ``docs/reason-codes-nik.md``) with a
severity and a message in Bahasa Indonesia. :func:`check_nik` is the rule in Python;
:func:`nik_flags_sql` is the same rule as one DuckDB expression for millions of rows, and
both give the same codes in the same order (a property test keeps them honest). A damaged
value is never "repaired": a NIK Excel turned into ``7.30603E+15`` has lost its digits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

import pyarrow as pa

from padan.reference import wilayah

ERROR, WARNING = "error", "warning"

# code -> (severity, message). Order of this table is the order codes are reported in.
NIK_REASONS: dict[str, tuple[str, str]] = {
    "NIK_KOSONG": (ERROR, "NIK kosong."),
    "NIK_RUSAK_EXCEL": (
        ERROR,
        "NIK rusak oleh Excel (tersimpan sebagai angka, mis. 7,30603E+15 atau berakhiran .0): "
        "angka terakhirnya sudah hilang dan tidak bisa dipulihkan.",
    ),
    "NIK_DISAMARKAN": (
        ERROR,
        "NIK disamarkan (ada tanda *); pemadanan memerlukan NIK lengkap 16 angka.",
    ),
    "NIK_BUKAN_ANGKA": (ERROR, "NIK mengandung karakter selain angka."),
    "NIK_PANJANG_SALAH": (ERROR, "NIK harus tepat 16 angka."),
    "NIK_NILAI_UJI": (
        ERROR,
        "NIK berupa nilai uji atau isian sembarang (mis. 1111111111111111), bukan NIK asli.",
    ),
    "NIK_PROVINSI_TIDAK_DIKENAL": (ERROR, "Dua angka pertama NIK bukan kode provinsi."),
    "NIK_KABUPATEN_TIDAK_DIKENAL": (
        ERROR,
        "Empat angka pertama NIK bukan kode kabupaten/kota.",
    ),
    "NIK_KECAMATAN_TIDAK_DIKENAL": (
        WARNING,
        "Enam angka pertama NIK bukan kode kecamatan yang berlaku sekarang "
        "(bisa kode lama kecamatan tempat NIK pertama kali diterbitkan).",
    ),
    "NIK_TANGGAL_TIDAK_VALID": (
        ERROR,
        "Angka ke-7 sampai ke-12 NIK bukan tanggal lahir yang mungkin "
        "(DDMMYY; tanggal ditambah 40 untuk perempuan).",
    ),
    "NIK_NOMOR_URUT_NOL": (ERROR, "Nomor urut NIK (4 angka terakhir) 0000 tidak mungkin."),
    "NIK_TGL_LAHIR_BEDA": (
        WARNING,
        "Tanggal lahir di dalam NIK berbeda dengan tanggal lahir tercatat "
        "(NIK tidak berubah walaupun tanggal lahir dikoreksi).",
    ),
    "NIK_JENIS_KELAMIN_BEDA": (
        WARNING,
        "Jenis kelamin menurut NIK (tanggal +40 = perempuan) berbeda dengan jenis kelamin "
        "tercatat.",
    ),
}

NKK_REASONS: dict[str, tuple[str, str]] = {
    "NKK_KOSONG": (ERROR, "NKK kosong."),
    "NKK_RUSAK_EXCEL": (
        ERROR,
        "NKK rusak oleh Excel (tersimpan sebagai angka, mis. 7,30603E+15 atau berakhiran .0): "
        "angka terakhirnya sudah hilang dan tidak bisa dipulihkan.",
    ),
    "NKK_DISAMARKAN": (ERROR, "NKK disamarkan (ada tanda *)."),
    "NKK_BUKAN_ANGKA": (ERROR, "NKK mengandung karakter selain angka."),
    "NKK_PANJANG_SALAH": (ERROR, "NKK harus tepat 16 angka."),
    "NKK_NILAI_UJI": (ERROR, "NKK berupa nilai uji atau isian sembarang, bukan NKK asli."),
    "NKK_PROVINSI_TIDAK_DIKENAL": (ERROR, "Dua angka pertama NKK bukan kode provinsi."),
    "NKK_KABUPATEN_TIDAK_DIKENAL": (ERROR, "Empat angka pertama NKK bukan kode kabupaten/kota."),
    "NKK_KECAMATAN_TIDAK_DIKENAL": (
        WARNING,
        "Enam angka pertama NKK bukan kode kecamatan yang berlaku sekarang (bisa kode lama).",
    ),
    "NKK_TANGGAL_TIDAK_VALID": (
        ERROR,
        "Angka ke-7 sampai ke-12 NKK bukan tanggal terbit yang mungkin (DDMMYY).",
    ),
    "NKK_NOMOR_URUT_NOL": (ERROR, "Nomor urut NKK (4 angka terakhir) 0000 tidak mungkin."),
}

REASONS: dict[str, tuple[str, str]] = {**NIK_REASONS, **NKK_REASONS}

# Kabupaten codes that NIKs were issued under but that the current reference no longer has:
# the 2022 split of Papua and Papua Barat renumbered them (old -> new). The kecamatan under
# them are taken to keep their last two digits.
FORMER_KABUPATEN: dict[str, str] = {
    "9101": "9301", "9116": "9302", "9117": "9303", "9118": "9304",  # Papua Selatan
    "9104": "9401", "9107": "9402", "9108": "9403", "9109": "9404",  # Papua Tengah
    "9125": "9405", "9126": "9406", "9127": "9407", "9128": "9408",
    "9102": "9501", "9112": "9502", "9113": "9503", "9114": "9504",  # Papua Pegunungan
    "9121": "9505", "9122": "9506", "9123": "9507", "9124": "9508",
    "9201": "9601", "9204": "9602", "9205": "9603", "9209": "9604",  # Papua Barat Daya
    "9210": "9605", "9271": "9671",
}  # fmt: skip

TEST_VALUES = ("1234567890123456", "9876543210987654")

# Whitespace trimmed around a value (as in SQL below), and the marks that keep a number as text
# in Excel: a leading "'", or the value as a formula or in quotes, ="7371..." or "7371...".
# The blanks: spaces, tabs, line breaks, NBSP, the Unicode spaces, a BOM, as the inside of a
# character class for Python's re and for RE2 (SQL; padan.ingest.normalize.BLANKS strips them
# around every cell).
_WS = " \t\n\r\f\v\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff"
BLANKS_SQL = r" \t\n\r\f\v\x{00A0}\x{1680}\x{2000}-\x{200B}\x{202F}\x{205F}\x{3000}\x{FEFF}"
_CLEAN_RE = re.compile(rf"^[{_WS}]*(?:'[{_WS}]*|=?\")?(.*?)\"?[{_WS}]*$", re.S)
_CLEAN_SQL = rf"^[{BLANKS_SQL}]*(?:'[{BLANKS_SQL}]*|=?\")?(.*?)\"?[{BLANKS_SQL}]*$"
_CLEAN_SQL_LIT = _CLEAN_SQL.replace("'", "''")  # inside a SQL string literal
_EXCEL = (
    r"[0-9]+(?:[.,][0-9]+)?[eE][+]?[0-9]+"  # 7.30603E+15, 7,30603E+15
    r"|[0-9]+[.,]0+"  # 7306031204770000.0
    r"|[0-9]{1,3}(?:[.,][0-9]{3}){4,}"  # 7.306.031.204.770.000 (number formatting)
)
_MASKED = r"[0-9*]*\*[0-9*]*"
# A NIK typed in groups for reading (7301 0411 0988 0001, 73.01.04.110988.0001,
# 7301-0411-0988-0001; spaces also keep Excel from making it a number): its digits are the
# NIK when there are exactly 16 of them and the value is not one of Excel's number forms
# above (7.306.031.204.770.000 has lost its last digit).
# 16 digits, separators only between digits: hyphens, dots, spaces (NBSP too)
_GROUPED = r"[0-9](?:[-. \x{00A0}]*[0-9]){15}"  # RE2 (SQL)
_GROUPED_RE = re.compile(r"[0-9](?:[-. \u00a0]*[0-9]){15}")
_EXCEL_RE = re.compile(_EXCEL)
_SEPARATORS = r"[-. \x{00A0}]+"
_SEPARATORS_RE = re.compile(r"[-. \u00a0]+")
# 2^53 as a 16-digit NIK: a double (an Excel number cell) holds every integer below it
# exactly, so a NIK number below it can have been written whole, one above it cannot.
EXACT_DOUBLE_LIMIT = "9007199254740992"


@dataclass(frozen=True)
class NikIssue:
    code: str
    severity: str  # "error" | "warning"
    message: str  # Bahasa Indonesia


@dataclass(frozen=True)
class NikCheck:
    raw: str | None  # the value as given
    nik: str | None  # the 16 digits when the value is 16 digits (even with other errors)
    issues: tuple[NikIssue, ...]
    birth_date: dt.date | None  # from digits 7-12 (NIK only; None for an NKK)
    sex: str | None  # "L" / "P" (NIK only)

    @property
    def valid(self) -> bool:
        """No error-severity issue (warnings allowed)."""
        return not any(i.severity == ERROR for i in self.issues)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.issues)

    @property
    def flags(self) -> str:
        """The codes ``;``-joined, as :func:`nik_flags_sql` gives them ('' when clean)."""
        return ";".join(self.codes)

    @property
    def kecamatan_code(self) -> str | None:
        """Digits 1-6: the kecamatan of first issue."""
        return self.nik[:6] if self.nik else None


# -- reference codes -------------------------------------------------------------------------
@cache
def _reference_codes() -> dict[str, frozenset[str]]:
    by_level: dict[str, set[str]] = {"provinsi": set(), "kabupaten": set(), "kecamatan": set()}
    for r in wilayah.regions().values():
        if r.level in by_level:
            by_level[r.level].add(r.code)
    new_to_old = {new: old for old, new in FORMER_KABUPATEN.items()}
    by_level["kabupaten"].update(FORMER_KABUPATEN)
    for code in list(by_level["kecamatan"]):
        if code[:4] in new_to_old:
            by_level["kecamatan"].add(new_to_old[code[:4]] + code[4:])
    return {k: frozenset(v) for k, v in by_level.items()}


def register_reference_tables(engine) -> None:
    """Create (or replace) ``ref_provinsi(code)``, ``ref_kabupaten(code)`` and
    ``ref_kecamatan(code)`` in ``engine``: the codes :func:`nik_flags_sql` checks against."""
    codes = _reference_codes()
    for level in ("provinsi", "kabupaten", "kecamatan"):
        view = f"_padan_ref_{level}"
        engine.register(view, pa.table({"code": pa.array(sorted(codes[level]), pa.string())}))
        try:
            engine.execute(f"CREATE OR REPLACE TABLE ref_{level} AS SELECT code FROM {view}")
        finally:
            engine.unregister(view)


# -- parsing -----------------------------------------------------------------------------
def _clean(value: object) -> str:
    s: str = _CLEAN_RE.match(str(value)).group(1)  # type: ignore[union-attr]
    if _GROUPED_RE.fullmatch(s) and not _EXCEL_RE.fullmatch(s):
        return _SEPARATORS_RE.sub("", s)
    return s


def _date_parts(digits: str, nkk: bool) -> tuple[int, int, int] | None:
    """(day, month, yy) from digits 7-12 when they can be a date (Feb 29 when yy % 4 == 0,
    since one of 19yy/20yy is then a leap year), else None."""
    dd, mm, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    if not 1 <= mm <= 12:
        return None
    if not (1 <= dd <= 31 or (not nkk and 41 <= dd <= 71)):
        return None
    day = dd % 40
    days = (29 if yy % 4 == 0 else 28) if mm == 2 else 30 if mm in (4, 6, 9, 11) else 31
    return (day, mm, yy) if day <= days else None


def _century(day: int, month: int, yy: int, reference_date: dt.date | None) -> dt.date | None:
    ref = reference_date or dt.date.today()
    year = ref.year - ((ref.year - yy) % 100)
    for y in (year, year - 100):
        try:
            d = dt.date(y, month, day)
        except ValueError:
            continue
        if d <= ref:
            return d
    return None


def _is_16_digits(s: str) -> bool:
    return len(s) == 16 and s.isascii() and s.isdigit()


def derive_birth_date(nik: str, reference_date: dt.date | None = None) -> dt.date | None:
    """The birth date in a NIK; the 2-digit year is the latest year that puts the date on or
    before ``reference_date`` (default today). ``None`` when the digits are no date."""
    s = _clean(nik) if nik is not None else ""
    if not _is_16_digits(s):
        return None
    parts = _date_parts(s, nkk=False)
    return _century(*parts, reference_date) if parts else None


def derive_sex(nik: str) -> str | None:
    """``P`` when the day has +40, ``L`` otherwise; ``None`` when the digits are no date."""
    s = _clean(nik) if nik is not None else ""
    if not _is_16_digits(s) or _date_parts(s, nkk=False) is None:
        return None
    return "P" if int(s[6:8]) > 40 else "L"


def _check(
    value: object,
    *,
    prefix: str,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    reference_date: dt.date | None = None,
) -> NikCheck:
    nkk = prefix == "NKK"
    reasons = NKK_REASONS if nkk else NIK_REASONS
    raw = None if value is None else str(value)
    found: list[str] = []

    def done(nik: str | None = None, birth: dt.date | None = None, sx: str | None = None):
        issues = tuple(NikIssue(c, *reasons[c]) for c in found)
        return NikCheck(raw, nik, issues, birth, sx)

    s = "" if raw is None else _clean(raw)
    if s == "":
        found.append(f"{prefix}_KOSONG")
        return done()
    if re.fullmatch(_EXCEL, s):
        found.append(f"{prefix}_RUSAK_EXCEL")
        return done()
    if re.fullmatch(_MASKED, s):
        found.append(f"{prefix}_DISAMARKAN")
        return done()
    if not re.fullmatch(r"[0-9]+", s):
        found.append(f"{prefix}_BUKAN_ANGKA")
        return done()
    if len(s) != 16:
        found.append(f"{prefix}_PANJANG_SALAH")
        return done()
    if s == s[0] * 16 or s in TEST_VALUES:
        found.append(f"{prefix}_NILAI_UJI")
        return done(s)

    ref = _reference_codes()
    if s[:2] not in ref["provinsi"]:
        found.append(f"{prefix}_PROVINSI_TIDAK_DIKENAL")
    elif s[:4] not in ref["kabupaten"]:
        found.append(f"{prefix}_KABUPATEN_TIDAK_DIKENAL")
    elif s[:6] not in ref["kecamatan"]:
        found.append(f"{prefix}_KECAMATAN_TIDAK_DIKENAL")
    parts = _date_parts(s, nkk)
    if parts is None:
        found.append(f"{prefix}_TANGGAL_TIDAK_VALID")
    if s[12:] == "0000":
        found.append(f"{prefix}_NOMOR_URUT_NOL")
    if nkk:
        return done(s)

    derived_sex = None if parts is None else ("P" if int(s[6:8]) > 40 else "L")
    if (
        parts is not None
        and birth_date is not None
        and (birth_date.day, birth_date.month, birth_date.year % 100) != parts
    ):
        found.append("NIK_TGL_LAHIR_BEDA")
    given_sex = None if sex is None else str(sex).strip(" ").upper()
    if derived_sex is not None and given_sex in ("L", "P") and given_sex != derived_sex:
        found.append("NIK_JENIS_KELAMIN_BEDA")
    birth = _century(*parts, reference_date) if parts else None
    return done(s, birth, derived_sex)


def check_nik(
    value: str | None,
    *,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    reference_date: dt.date | None = None,
) -> NikCheck:
    """Every problem with a NIK, compared with the birth date and sex on record when given.

    Never raises, whatever the input. ``reference_date`` (default today) only chooses the
    century of the derived birth date.
    """
    return _check(
        value, prefix="NIK", birth_date=birth_date, sex=sex, reference_date=reference_date
    )


def check_nkk(value: str | None) -> NikCheck:
    """The same shape rules for a family card number (codes ``NKK_*``; digits 7-12 are the
    issue date, no +40; no birth date or sex)."""
    return _check(value, prefix="NKK")


# -- the same rules in SQL ---------------------------------------------------------------------
def _flags_sql(
    expr: str,
    prefix: str,
    birth_expr: str | None,
    sex_expr: str | None,
    ref_table: str,
    cleaned: str | None = None,
) -> str:
    # Two paths without lambdas (a list_transform runs over every row of a vector as soon
    # as one row needs it: 2-3x slower on a province). A value that is exactly 16 digits
    # (nearly every row) needs no cleaning: the rules are written over it directly (a column
    # reference, cheap to repeat). Other values are cleaned by a regex that CASE evaluates on
    # those rows only. The region verdict (subqueries: hash joins over all rows) appears once.
    if "kabupaten" not in ref_table:
        raise ValueError("ref_table must name the kabupaten table (e.g. 'ref_kabupaten')")
    t_prov = ref_table.replace("kabupaten", "provinsi")
    t_kec = ref_table.replace("kabupaten", "kecamatan")
    nkk = prefix == "NKK"
    birth = f"CAST(({birth_expr}) AS DATE)" if not nkk and birth_expr else None
    sex = f"upper(trim(CAST(({sex_expr}) AS VARCHAR)))" if not nkk and sex_expr else None
    tests = ", ".join(f"'{v}'" for v in TEST_VALUES)

    def tail(s: str) -> str:
        """The date, serial, birth date and sex rules over a 16-digit ``s``, ``;``-joined
        (NULL when none applies)."""
        # TRY_CAST: the same for 16 digits, and safe when the optimizer folds a constant.
        dd, mm, yy = (f"TRY_CAST(substr({s}, {i}, 2) AS INTEGER)" for i in (7, 9, 11))
        day_ok = (
            f"{dd} BETWEEN 1 AND 31"
            if nkk
            else f"({dd} BETWEEN 1 AND 31 OR {dd} BETWEEN 41 AND 71)"
        )
        days = (
            f"CASE WHEN {mm} = 2 THEN CASE WHEN {yy} % 4 = 0 THEN 29 ELSE 28 END "
            f"WHEN {mm} IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
        )
        date_ok = f"({mm} BETWEEN 1 AND 12 AND {day_ok} AND {dd} % 40 <= {days})"
        serial = f"CASE WHEN substr({s}, 13, 4) = '0000' THEN '{prefix}_NOMOR_URUT_NOL' END"
        # The birth date and sex rules apply only when the digits are a date, so the date
        # test is written once: invalid -> its code (+ serial); valid -> the other rules.
        valid = [serial]
        if birth is not None:
            valid.append(
                f"CASE WHEN {birth} IS NOT NULL AND (day({birth}) <> {dd} % 40 "
                f"OR month({birth}) <> {mm} OR year({birth}) % 100 <> {yy}) "
                "THEN 'NIK_TGL_LAHIR_BEDA' END"
            )
        if sex is not None:
            valid.append(
                f"CASE WHEN {sex} IN ('L', 'P') AND {sex} <> CASE WHEN {dd} > 40 THEN 'P' "
                "ELSE 'L' END THEN 'NIK_JENIS_KELAMIN_BEDA' END"
            )
        return (
            f"CASE WHEN {date_ok} THEN NULLIF(concat_ws(';', {', '.join(valid)}), '') "
            f"ELSE concat_ws(';', '{prefix}_TANGGAL_TIDAK_VALID', {serial}) END"
        )

    def test_value(s: str) -> str:
        return f"{s} = repeat(substr({s}, 1, 1), 16) OR {s} IN ({tests})"

    x = f"CAST(({expr}) AS VARCHAR)"
    plain = f"regexp_full_match({x}, '[0-9]{{16}}')"
    # The cleaned value (slow path): a regex, repeated in each rule below unless the caller
    # computed it once per row (``cleaned``, from :func:`nik_cleaned_sql`).
    cx = f"CAST(({cleaned}) AS VARCHAR)" if cleaned else nik_cleaned_sql(x)
    shape = (
        f"CASE WHEN {plain} THEN CASE WHEN {test_value(x)} THEN '{prefix}_NILAI_UJI' END "
        f"WHEN {cx} IS NULL OR {cx} = '' THEN '{prefix}_KOSONG' "
        f"WHEN regexp_full_match({cx}, '{_EXCEL}') THEN '{prefix}_RUSAK_EXCEL' "
        f"WHEN regexp_full_match({cx}, '{_MASKED}') THEN '{prefix}_DISAMARKAN' "
        f"WHEN NOT regexp_full_match({cx}, '[0-9]+') THEN '{prefix}_BUKAN_ANGKA' "
        f"WHEN length({cx}) <> 16 THEN '{prefix}_PANJANG_SALAH' "
        f"WHEN {test_value(cx)} THEN '{prefix}_NILAI_UJI' END"
    )
    # the cleaned value; a plain 16-digit value skips the (slower) regex
    region = _region_sql(
        f"CASE WHEN {plain} THEN {x} ELSE {cx} END", prefix, t_prov, ref_table, t_kec
    )
    rest = f"CASE WHEN {plain} THEN {tail(x)} ELSE {tail(cx)} END"
    return f"coalesce({shape}, concat_ws(';', {region}, {rest}))"


def _region_sql(c: str, prefix: str, t_prov: str, t_kab: str, t_kec: str) -> str:
    return (
        f"CASE WHEN substr({c}, 1, 2) NOT IN (SELECT code FROM {t_prov}) "
        f"THEN '{prefix}_PROVINSI_TIDAK_DIKENAL' "
        f"WHEN substr({c}, 1, 4) NOT IN (SELECT code FROM {t_kab}) "
        f"THEN '{prefix}_KABUPATEN_TIDAK_DIKENAL' "
        f"WHEN substr({c}, 1, 6) NOT IN (SELECT code FROM {t_kec}) "
        f"THEN '{prefix}_KECAMATAN_TIDAK_DIKENAL' END"
    )


def nik_flags_sql(
    nik_expr: str,
    birth_expr: str | None = None,
    sex_expr: str | None = None,
    ref_table: str = "ref_kabupaten",
    cleaned: str | None = None,
) -> str:
    """A DuckDB expression giving the ``;``-joined NIK codes of ``nik_expr`` ('' when clean):
    the same codes in the same order as :func:`check_nik`. Needs the tables made by
    :func:`register_reference_tables`; ``ref_table`` names the kabupaten one, the province
    and kecamatan tables are the same name with ``provinsi``/``kecamatan``. ``cleaned``: a
    column holding :func:`nik_cleaned_sql` of the value, computed once per row by the caller
    (the rules otherwise repeat that regex; ~15x slower on values that are not 16 digits)."""
    return _flags_sql(nik_expr, "NIK", birth_expr, sex_expr, ref_table, cleaned)


def nik_cleaned_sql(expr: str) -> str:
    """DuckDB expression: the value with surrounding blanks (NBSP too) and Excel's text marks
    (a leading ``'``, ``="..."``) removed, and a NIK typed in groups joined, as the rules see
    it (:func:`_clean`)."""
    return ungrouped_sql(f"regexp_extract(CAST(({expr}) AS VARCHAR), '(?s){_CLEAN_SQL_LIT}', 1)")


def ungrouped_sql(v: str) -> str:
    """DuckDB expression: ``v`` (already trimmed) with the separators of a NIK typed in
    groups removed when it is 16 digits so grouped and not an Excel number form, else ``v``
    (the grouping rule of :func:`_clean`). Without a lambda: a ``list_transform`` runs over
    every row of a vector as soon as one row needs it (see :func:`_flags_sql`)."""
    return (
        f"CASE WHEN regexp_full_match({v}, '{_GROUPED}') AND NOT regexp_full_match({v}, '{_EXCEL}') "
        f"THEN regexp_replace({v}, '{_SEPARATORS}', '', 'g') ELSE {v} END"
    )


def nkk_flags_sql(nkk_expr: str, ref_table: str = "ref_kabupaten") -> str:
    """The :func:`check_nkk` rules as a DuckDB expression (codes ``NKK_*``)."""
    return _flags_sql(nkk_expr, "NKK", None, None, ref_table)


def nik_clean_sql(nik_expr: str) -> str:
    """DuckDB expression: the 16 digits when the value is 16 digits (after trimming spaces
    and Excel's leading ``'``), else NULL -- the ``nik`` column of the canonical tables."""
    x = f"CAST(({nik_expr}) AS VARCHAR)"
    s = nik_cleaned_sql(x)
    return (
        f"CASE WHEN regexp_full_match({x}, '[0-9]{{16}}') THEN {x} "
        f"WHEN regexp_full_match({s}, '[0-9]{{16}}') THEN {s} END"
    )
