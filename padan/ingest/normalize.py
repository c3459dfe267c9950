"""Normalisation rules as SQL expressions (DuckDB dialect): dates, codes, TPS, NIK flags.

Rules are written once here as SQL so that millions of rows are normalised inside the engine,
never row by row in Python. Each function takes SQL expressions and returns one.
"""

from __future__ import annotations

import re

from padan.engine import Engine
from padan.identity.nik import BLANKS_SQL
from padan.recap import formatting as _fmt

# Blanks around a value: spaces, tabs, line breaks, NBSP and the other Unicode spaces, a BOM
# (RE2; the set the NIK rules strip). trim() alone strips only the spaces, and a tab in front
# of a NIK is a way exports keep it as text.
BLANKS = f"[{BLANKS_SQL}]"


def strip(expr: str) -> str:
    """``expr`` without the blanks around it (:data:`BLANKS`). A value that starts and ends
    with a visible ASCII character (nearly all) is taken as it is, without the regex.
    ``expr`` is evaluated several times: pass a column or a value, not an expression."""
    return (
        f"CASE WHEN ascii({expr}) BETWEEN 33 AND 126 AND ascii(({expr})[-1]) BETWEEN 33 AND 126 "
        f"THEN {expr} ELSE regexp_replace({expr}, '^{BLANKS}+|{BLANKS}+$', '', 'g') END"
    )


def clean(expr: str) -> str:
    """Text without the blanks around it (:func:`strip`), NULL when blank."""
    return f"NULLIF({strip(expr)}, '')"


def squash(expr: str) -> str:
    """Upper case without blanks, hyphens and dots: ``Laki-laki`` -> ``LAKILAKI``."""
    return f"translate(upper({strip(expr)}), ' -._/', '')"


def sex(expr: str) -> str:
    """L / P from ``L``, ``P``, ``LAKI-LAKI``, ``PEREMPUAN``, ``1``, ``2`` (and a few more)."""
    return (
        f"CASE {squash(expr)} WHEN 'L' THEN 'L' WHEN 'LK' THEN 'L' WHEN 'LAKILAKI' THEN 'L' "
        "WHEN 'LAKI' THEN 'L' WHEN 'LAKI2' THEN 'L' WHEN 'LELAKI' THEN 'L' WHEN 'PRIA' THEN 'L' "
        "WHEN '1' THEN 'L' "
        "WHEN 'P' THEN 'P' WHEN 'PR' THEN 'P' WHEN 'PEREMPUAN' THEN 'P' WHEN 'WANITA' THEN 'P' "
        "WHEN 'W' THEN 'P' WHEN '2' THEN 'P' END"
    )


def marital(expr: str) -> str:
    """B (belum) / S (sudah) / P (pernah): DPT letters, SIAK words, or SIAK codes 1-4."""
    return (
        f"CASE {squash(expr)} WHEN 'B' THEN 'B' WHEN 'BK' THEN 'B' WHEN 'BELUMKAWIN' THEN 'B' "
        "WHEN 'BELUM' THEN 'B' WHEN '1' THEN 'B' "
        "WHEN 'S' THEN 'S' WHEN 'K' THEN 'S' WHEN 'SK' THEN 'S' WHEN 'KAWIN' THEN 'S' "
        "WHEN 'SUDAHKAWIN' THEN 'S' WHEN 'SUDAH' THEN 'S' WHEN '2' THEN 'S' "
        "WHEN 'P' THEN 'P' WHEN 'PK' THEN 'P' WHEN 'PERNAHKAWIN' THEN 'P' WHEN 'PERNAH' THEN 'P' "
        "WHEN 'CERAI' THEN 'P' WHEN 'CERAIHIDUP' THEN 'P' WHEN 'CERAIMATI' THEN 'P' WHEN 'CH' THEN 'P' "
        "WHEN 'CM' THEN 'P' "
        "WHEN 'JANDA' THEN 'P' WHEN 'DUDA' THEN 'P' WHEN '3' THEN 'P' WHEN '4' THEN 'P' END"
    )


def ktp_el(expr: str) -> str:
    """KPU's own e-KTP flag: S / B."""
    return (
        f"CASE {squash(expr)} WHEN 'S' THEN 'S' WHEN 'SUDAH' THEN 'S' WHEN 'Y' THEN 'S' "
        "WHEN 'YA' THEN 'S' WHEN 'B' THEN 'B' WHEN 'BELUM' THEN 'B' WHEN 'T' THEN 'B' "
        "WHEN 'TIDAK' THEN 'B' END"
    )


def tps(expr: str) -> str:
    """``TPS 001`` / ``1`` / ``001`` / ``1.0`` -> ``001``; NULL when not a TPS number 1-999.
    The word TPS and a ``NO``/``NOMOR`` may come first, with any of ``.:-#`` after them
    (``TPS.01``, ``Tps-001``, ``TPS No. 1``)."""
    bare = f"regexp_replace(upper({strip(expr)}), '^(TPS[ .:#-]*)?((NOMOR|NO)[ .:#-]*)?', '')"
    d = f"TRY_CAST(trim({bare}) AS DOUBLE)"
    return (
        f"CASE WHEN {d} BETWEEN 1 AND 999 AND {d} = floor({d}) "
        f"THEN lpad(CAST(CAST({d} AS INTEGER) AS VARCHAR), 3, '0') END"
    )


def digits_code(expr: str, width: int) -> str:
    """A numeric code part (``1``, ``01``, ``1.0``) left-padded to ``width`` digits."""
    v = f"TRY_CAST(TRY_CAST({strip(expr)} AS DOUBLE) AS BIGINT)"
    return f"CASE WHEN {v} BETWEEN 0 AND {10**width - 1} THEN lpad(CAST({v} AS VARCHAR), {width}, '0') END"


def integer(expr: str) -> str:
    return f"TRY_CAST(TRY_CAST({strip(expr)} AS DOUBLE) AS INTEGER)"


def nik_text(expr: str) -> str:
    """The NIK cell without surrounding blanks and Excel's text apostrophe, and a NIK typed
    in groups (``7301 0411 0988 0001``) joined (:func:`padan.identity.nik.ungrouped_sql`)."""
    from padan.identity.nik import nik_cleaned_sql

    return f"NULLIF({nik_cleaned_sql(expr)}, '')"


# -- dates ---------------------------------------------------------------------------------
def date_order_stats(expr: str, weight: str = "1") -> str:
    """Aggregates deciding day/month order: (n_dmy_only, n_mdy_only, n_ambiguous), each row
    counted ``weight`` times (to run over distinct values with their counts).

    ``NN-NN-YYYY`` values only: a first part above 12 can only be a day (DMY), a second part
    above 12 only a day (MDY); both at most 12 and different: either order.
    """
    t = f"translate({expr}, '/|.', '---')"
    a = f"TRY_CAST(split_part({t}, '-', 1) AS INTEGER)"
    b = f"TRY_CAST(split_part({t}, '-', 2) AS INTEGER)"
    shape = (
        f"(length(split_part({t}, '-', 3)) = 4 AND {a} BETWEEN 1 AND 31 AND {b} BETWEEN 1 AND 31)"
    )
    return (
        f"coalesce(sum({weight}) FILTER (WHERE {shape} AND {a} > 12 AND {b} <= 12), 0), "
        f"coalesce(sum({weight}) FILTER (WHERE {shape} AND {b} > 12 AND {a} <= 12), 0), "
        f"coalesce(sum({weight}) FILTER (WHERE {shape} AND {a} <= 12 AND {b} <= 12 AND {a} <> {b}), 0)"
    )


def parse_date(expr: str, mdy: str = "false") -> str:
    """A DATE from the contract's formats (``DD-MM-YYYY``, ``DD/MM/YYYY``, ``DD|MM|YYYY``,
    ``YYYY-MM-DD``, an Excel serial number 2101-80000, 1905-2119: a number up to 2100 could be
    a year and is not read as one); NULL when unparseable. Day and month may be typed without
    their leading zero (``7-5-1990``, as Excel's ``d-m-yyyy`` writes them): ISO is told by
    its four-digit first part, not by where the second separator falls (``17-4-1994`` has it
    where ``1994-04-17`` does).

    The month may be a name, Indonesian or English, in full or in three letters, as Excel's
    ``d mmmm yyyy`` and ``dd-mmm-yyyy`` formats write it (``17 Agustus 1945``,
    ``17-Agu-1945``, ``17-Aug-1945``, ``01-Mei-1990``); a two-digit year is not read (its
    century is a guess).

    ``mdy`` is a SQL boolean: read ``NN-NN-YYYY`` as month-day-year (decided per file). The
    parts are reordered to ISO and cast (much cheaper than strptime); an impossible date
    (31-02) fails the cast. Ingest evaluates this once per distinct value
    (:meth:`padan.ingest.load._Loader._lut`), so it is written for clarity, not speed.
    """
    t = f"translate({expr}, '/|.', '---')"
    p1, p2, p3 = (f"split_part({t}, '-', {i})" for i in (1, 2, 3))
    serial = f"TRY_CAST({expr} AS DOUBLE)"
    return (
        f"coalesce(CASE WHEN {expr} IS NULL THEN NULL "
        f"WHEN strpos({t}, '-') = 5 THEN TRY_CAST({t} AS DATE) "
        f"WHEN split_part({t}, '-', 4) <> '' THEN NULL "
        f"WHEN {mdy} THEN TRY_CAST({p3} || '-' || {p1} || '-' || {p2} AS DATE) "
        f"ELSE TRY_CAST({p3} || '-' || {p2} || '-' || {p1} AS DATE) END, "
        f"CASE WHEN {serial} BETWEEN 2101 AND 80000 AND {serial} = floor({serial}) "
        f"THEN CAST(DATE '1899-12-30' + CAST({serial} AS INTEGER) AS DATE) END, "
        f"{_named_month_date(expr)})"
    )


# Month names and abbreviations as Indonesian and English Excel write them: the Indonesian
# ones padan writes itself (padan.recap.formatting), the English ones, and older spellings.
_ENGLISH_MONTHS = (
    "JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE",
    "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER",
)  # fmt: skip
MONTHS: dict[str, int] = {
    name.upper(): m
    for m, names in enumerate(
        zip(_fmt.MONTHS, _fmt.SHORT_MONTHS, _ENGLISH_MONTHS, strict=True), start=1
    )
    for name in (*names, names[2][:3])
} | {"PEB": 2, "PEBRUARI": 2, "AGT": 8, "AGS": 8, "SEPT": 9, "NOP": 11, "NOPEMBER": 11}
_NAMED_MONTH = r"([0-9]{1,2})[-/. ]+([A-Z]+)[-/., ]+([0-9]{4})"


def _named_month_date(expr: str) -> str:
    """``17 Agustus 1945`` / ``17-Aug-1945`` as a DATE (see :func:`parse_date`), else NULL."""
    u = f"upper(trim({expr}))"
    part = lambda i: f"regexp_extract({u}, '{_NAMED_MONTH}', {i})"  # noqa: E731
    whens = " ".join(f"WHEN '{n}' THEN '{m:02d}'" for n, m in MONTHS.items())
    return (
        f"CASE WHEN regexp_full_match({u}, '{_NAMED_MONTH}') THEN TRY_CAST("
        f"{part(3)} || '-' || (CASE {part(2)} {whens} END) || '-' || {part(1)} AS DATE) END"
    )


def plausible_date(col: str) -> str:
    """A parsed date kept only when plausible (guards against typos like year 0190)."""
    return f"CASE WHEN {col} BETWEEN DATE '1850-01-01' AND DATE '2100-12-31' THEN {col} END"


# -- NIK flags -----------------------------------------------------------------------------
REF_TABLE = "_padan_ingest_ref_kabupaten"


class _TempTables:
    """Lets :func:`padan.identity.nik.register_reference_tables` make its code tables as TEMP
    tables under ingest's own names, so an import never writes outside its transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def register(self, name, data):
        self.engine.register(name, data)

    def unregister(self, name):
        self.engine.unregister(name)

    def execute(self, sql, params=None):
        sql = re.sub(
            r"CREATE OR REPLACE TABLE ref_(\w+)",
            r"CREATE OR REPLACE TEMP TABLE _padan_ingest_ref_\1",
            sql,
        )
        self.engine.execute(sql, params)


def nik_flags_sql(
    engine: Engine, nik_expr: str, birth_expr: str, sex_expr: str, cleaned: str | None = None
) -> str:
    """';'-joined NIK reason codes (empty when valid), from :mod:`padan.identity.nik`, over
    TEMP reference tables (so that an import writes nothing outside its transaction)."""
    from padan.identity import nik as nik_rules

    sql = nik_rules.nik_flags_sql(
        nik_expr, birth_expr, sex_expr, ref_table=reference_tables(engine), cleaned=cleaned
    )
    return f"coalesce(({sql}), '')"


def reference_tables(engine: Engine) -> str:
    """Make the TEMP code tables of :mod:`padan.identity.nik` once per connection; returns
    the kabupaten table's name (the others: ``provinsi``/``kecamatan`` in its place)."""
    from padan.identity import nik as nik_rules

    if not engine.table_exists(REF_TABLE):
        nik_rules.register_reference_tables(_TempTables(engine))
    return REF_TABLE


def add_flag(flags_expr: str, cond: str, code: str) -> str:
    """Prepend ``code`` to a ';'-list when ``cond`` holds (and it is not there yet)."""
    return (
        f"CASE WHEN {cond} AND NOT contains(';' || {flags_expr} || ';', ';{code};') "
        f"THEN '{code}' || CASE WHEN {flags_expr} = '' THEN '' ELSE ';' || {flags_expr} END "
        f"ELSE {flags_expr} END"
    )
