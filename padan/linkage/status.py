"""Voter-status rules: the register's e-KTP code as STATUS_REKAM, and per-voter flags.

Each rule exists twice, as a Python reference (for tests and small decisions) and as a SQL
expression in DuckDB's dialect (for millions of rows, transpilable for Spark); the tests
check that both give the same answer. Precision before recall: a code padan does not know is
never read as recorded (``SUDAH_REKAM``); it becomes ``BELUM_REKAM`` with the CATATAN code
``STATUS_KTP_EL_TIDAK_DIKENAL`` so that a person looks at it.

``CATATAN_CODES`` is the single list of reason codes padan writes in the result file's
CATATAN column; each is explained for operators in ``docs/reason-codes.md``.
"""

from __future__ import annotations

import datetime as dt
import re

from padan.reference.profiles import ElectionProfile

SUDAH_REKAM = "SUDAH_REKAM"
BELUM_REKAM = "BELUM_REKAM"
GAGAL_REKAM = "GAGAL_REKAM"
TIDAK_DITEMUKAN = "TIDAK_DITEMUKAN"
PERLU_TINJAU = "PERLU_TINJAU"

STATUS_MAP: dict[str, str] = {
    "UNREGISTERED": BELUM_REKAM,
    "BELUM REKAM": BELUM_REKAM,
    "ENROLL_FAILURE_AT_CENTRAL": GAGAL_REKAM,
    "SEARCH_FAILURE_AT_CENTRAL": GAGAL_REKAM,
    "ENROLL_FAILURE_AT_REGIONAL": GAGAL_REKAM,
    "DUPLICATE_RECORD": GAGAL_REKAM,
    "BIO_CAPTURED": SUDAH_REKAM,
    "PROCESSING": SUDAH_REKAM,
    "SENT_FOR_ENROLLMENT": SUDAH_REKAM,
    "RECEIVED_AT_CENTRAL": SUDAH_REKAM,
    "PRINT_READY_RECORD": SUDAH_REKAM,
    "CARD_PRINTED": SUDAH_REKAM,
    "CARD_SHIPPED": SUDAH_REKAM,
    "CARD_ISSUED": SUDAH_REKAM,
    "SUDAH REKAM": SUDAH_REKAM,
}
"""STATUS_KTP_EL (as the contract, section 2, spells it) -> STATUS_REKAM."""

UNKNOWN_STATUS_STATUS = BELUM_REKAM
"""STATUS_REKAM for a code not in :data:`STATUS_MAP` (or an empty one): never SUDAH."""

STATUS_UNKNOWN_CODE = "STATUS_KTP_EL_TIDAK_DIKENAL"

# Voter flags, in the order they are written.
BELUM_17 = "BELUM_17"
PEMILIH_PEMULA = "PEMILIH_PEMULA"
KTP_EL_BEDA = "KTP_EL_BEDA"
VOTER_FLAGS = (BELUM_17, PEMILIH_PEMULA, KTP_EL_BEDA)

CATATAN_CODES: frozenset[str] = frozenset(
    {
        # the DPT's NIK
        "NIK_TIDAK_VALID",
        "NIK_KOSONG",
        "NIK_DISAMARKAN",
        "NIK_TIDAK_DITEMUKAN",
        "NIK_MILIK_ORANG_LAIN",
        "NIK_DIKOREKSI",
        "NIK_KOREKSI_SATU_DIGIT",
        "NIK_KOREKSI_TUKAR_DIGIT",
        "NIK_KOREKSI_NKK",
        "NIK_KOREKSI_KELUARGA",
        "NIK_KOREKSI_SAMARAN",
        "NIK_KOREKSI_EXCEL",
        # the linked identity
        "NAMA_KOSONG",
        "IDENTITAS_BEDA",
        STATUS_UNKNOWN_CODE,
        # duplicates within the DPT (padan.linkage.duplicates)
        "GANDA",
        "GANDA_K1",
        "GANDA_K2",
        "GANDA_K3",
        # the voter (this module)
        BELUM_17,
        PEMILIH_PEMULA,
        KTP_EL_BEDA,
        # why a row is in the review queue (STATUS_REKAM = PERLU_TINJAU)
        "TINJAU_SKOR",
        "TINJAU_KANDIDAT_GANDA",
        "TINJAU_REKAM_DIPAKAI",
        "TINJAU_IDENTITAS",
        # a reviewer decided
        "DIPUTUSKAN_PETUGAS",
        # rows the reader rejected (padan.ingest), still written in place in the result file
        "BARIS_RUSAK",
        "BARIS_TANPA_IDENTITAS",
    }
)
"""Every reason code padan may write in CATATAN (documented in docs/reason-codes.md).

The detailed NIK rule codes of ``padan.identity.nik`` are documented in
docs/reason-codes-nik.md; CATATAN carries them as they are, with ``NIK_TIDAK_VALID``
beside any error that makes the NIK unusable (not a blank, masked or number NIK, which have
codes of their own).
"""

_SQUASH = re.compile(r"[^A-Z0-9]")


def _squash(code: str) -> str:
    """Upper case, everything but letters and digits dropped: case and space insensitive."""
    return _SQUASH.sub("", code.upper())


_SQUASHED: dict[str, str] = {_squash(k): v for k, v in STATUS_MAP.items()}


def status_rekam(status_ktp_el: str | None) -> str:
    """STATUS_REKAM for a register record's STATUS_KTP_EL; unknown or empty -> BELUM_REKAM.

    ``"card printed"``, ``" Card_Printed "`` and ``"CARDPRINTED"`` are the same code.
    """
    if status_ktp_el is None:
        return UNKNOWN_STATUS_STATUS
    return _SQUASHED.get(_squash(status_ktp_el), UNKNOWN_STATUS_STATUS)


def status_known(status_ktp_el: str | None) -> bool:
    """Whether the code is one of the contract's; when not, CATATAN gets STATUS_UNKNOWN_CODE."""
    return status_ktp_el is not None and _squash(status_ktp_el) in _SQUASHED


def _squash_sql(expr: str) -> str:
    return f"regexp_replace(upper(coalesce({expr}, '')), '[^A-Z0-9]', '', 'g')"


def status_rekam_sql(expr: str) -> str:
    """:func:`status_rekam` as a SQL CASE over the STATUS_KTP_EL expression ``expr``."""
    by_status: dict[str, list[str]] = {}
    for code, status in _SQUASHED.items():
        by_status.setdefault(status, []).append(code)
    whens = " ".join(
        f"WHEN {_squash_sql(expr)} IN ({', '.join(repr(c) for c in sorted(codes))}) THEN '{status}'"
        for status, codes in sorted(by_status.items())
    )
    return f"(CASE {whens} ELSE '{UNKNOWN_STATUS_STATUS}' END)"


def status_known_sql(expr: str) -> str:
    """:func:`status_known` as a SQL boolean expression."""
    codes = ", ".join(repr(c) for c in sorted(_SQUASHED))
    return f"({expr} IS NOT NULL AND {_squash_sql(expr)} IN ({codes}))"


# -- voter flags ----------------------------------------------------------------------------
def _married(kawin: str | None) -> bool:
    return kawin is not None and kawin.strip().upper() in ("S", "P")


def voter_flags(
    profile: ElectionProfile,
    birth: dt.date | None,
    kawin: str | None,
    ktp_el: str | None,
    status_rekam: str | None,
) -> list[str]:
    """The voter's flags, in the order of :data:`VOTER_FLAGS`.

    - ``BELUM_17``: younger than ``profile.min_age`` on election day and never married
      (``status_kawin`` not ``S``/``P``; married counts only when the profile says so).
    - ``PEMILIH_PEMULA``: reaches ``min_age`` after the DPT date, on or before election day.
    - ``KTP_EL_BEDA``: KPU's own KTP_EL flag disagrees with the register: ``S`` while the
      register says BELUM/GAGAL_REKAM, or ``B`` while it says SUDAH_REKAM. Nothing when the
      voter has no register record (TIDAK_DITEMUKAN, PERLU_TINJAU).
    """
    flags = []
    if birth is not None and not profile.is_eligible(birth, _married(kawin)):
        flags.append(BELUM_17)
    if profile.is_first_time_voter(birth):
        flags.append(PEMILIH_PEMULA)
    k = (ktp_el or "").strip().upper()
    if (k == "S" and status_rekam in (BELUM_REKAM, GAGAL_REKAM)) or (
        k == "B" and status_rekam == SUDAH_REKAM
    ):
        flags.append(KTP_EL_BEDA)
    return flags


def _age_sql(birth_expr: str, day: dt.date) -> str:
    """Completed years on ``day``, the same arithmetic as ``ElectionProfile.age_on``."""
    return (
        f"({day.year} - year({birth_expr}) - CASE WHEN month({birth_expr}) > {day.month} "
        f"OR (month({birth_expr}) = {day.month} AND day({birth_expr}) > {day.day}) "
        "THEN 1 ELSE 0 END)"
    )


def voter_flags_sql(
    profile: ElectionProfile,
    birth_expr: str,
    kawin_expr: str,
    ktp_el_expr: str,
    status_rekam_expr: str,
) -> str:
    """:func:`voter_flags` as a SQL expression: the flags joined with ``;``, ``''`` if none."""
    age_day = _age_sql(birth_expr, profile.election_day)
    age_dpt = _age_sql(birth_expr, profile.dpt_date)
    n = profile.min_age
    married = (
        f"coalesce(upper(trim({kawin_expr})) IN ('S', 'P'), false)"
        if profile.married_may_vote
        else "false"
    )
    k = f"upper(trim({ktp_el_expr}))"
    belum = (
        f"CASE WHEN {birth_expr} IS NOT NULL AND {age_day} < {n} AND NOT {married} "
        f"THEN '{BELUM_17}' END"
    )
    pemula = (
        f"CASE WHEN {birth_expr} IS NOT NULL AND {age_dpt} < {n} AND {age_day} >= {n} "
        f"THEN '{PEMILIH_PEMULA}' END"
    )
    beda = (
        f"CASE WHEN ({k} = 'S' AND {status_rekam_expr} IN ('{BELUM_REKAM}', '{GAGAL_REKAM}')) "
        f"OR ({k} = 'B' AND {status_rekam_expr} = '{SUDAH_REKAM}') THEN '{KTP_EL_BEDA}' END"
    )
    return f"concat_ws(';', {belum}, {pemula}, {beda})"
