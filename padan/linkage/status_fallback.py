"""Bridges to ``padan.linkage.status`` and ``padan.linkage.duplicates`` (another engineer's
modules), with the contract's rules as a fallback while those modules are not importable.

Keeping the bridge in one place means the match engine never has to know which of the two it
is talking to.
"""

from __future__ import annotations

from typing import Any

from padan.reference.profiles import ElectionProfile

_REKAM = {
    "SUDAH_REKAM": (
        "BIO_CAPTURED", "PROCESSING", "SENT_FOR_ENROLLMENT", "RECEIVED_AT_CENTRAL",
        "PRINT_READY_RECORD", "CARD_PRINTED", "CARD_SHIPPED", "CARD_ISSUED", "SUDAH REKAM",
    ),
    "GAGAL_REKAM": (
        "ENROLL_FAILURE_AT_CENTRAL", "SEARCH_FAILURE_AT_CENTRAL", "ENROLL_FAILURE_AT_REGIONAL",
        "DUPLICATE_RECORD",
    ),
    "BELUM_REKAM": ("UNREGISTERED", "BELUM REKAM"),
}  # fmt: skip


def status_rekam_sql(expr: str) -> str:
    """STATUS_KTP_EL of the accepted register record -> STATUS_REKAM (contract section 2)."""
    try:
        from padan.linkage.status import status_rekam_sql as shared  # type: ignore
    except ImportError:
        shared = None
    if shared is not None:
        return shared(expr)
    e = f"upper(trim({expr}))"
    whens = " ".join(
        f"WHEN {e} IN ({', '.join(repr(c) for c in codes)}) THEN '{status}'"
        for status, codes in _REKAM.items()
    )
    return f"(CASE {whens} ELSE 'BELUM_REKAM' END)"


def voter_flags_sql(
    profile: ElectionProfile, birth_expr: str, kawin_expr: str, ktp_el_expr: str, status_expr: str
) -> str:
    """A ``;``-separated string of voter flags (PEMILIH_PEMULA, BELUM_17, KTP_EL_BEDA)."""
    try:
        from padan.linkage.status import voter_flags_sql as shared  # type: ignore
    except ImportError:
        shared = None
    if shared is not None:
        return shared(profile, birth_expr, kawin_expr, ktp_el_expr, status_expr)
    day, dpt_day, age = profile.election_day, profile.dpt_date, profile.min_age

    def age_on(d: Any) -> str:
        return f"date_part('year', age(DATE '{d.isoformat()}', {birth_expr}))"

    married = f"coalesce({kawin_expr} IN ('S', 'P'), false)"
    pemula = (
        f"CASE WHEN {birth_expr} IS NOT NULL AND {age_on(dpt_day)} < {age} "
        f"AND {age_on(day)} >= {age} THEN 'PEMILIH_PEMULA' END"
    )
    belum = (
        f"CASE WHEN {birth_expr} IS NOT NULL AND {age_on(day)} < {age} AND NOT {married} "
        "THEN 'BELUM_17' END"
    )
    beda = (
        f"CASE WHEN {ktp_el_expr} IN ('S', 'B') AND {status_expr} IN "
        "('SUDAH_REKAM', 'BELUM_REKAM', 'GAGAL_REKAM') AND "
        f"({ktp_el_expr} = 'S') <> ({status_expr} = 'SUDAH_REKAM') THEN 'KTP_EL_BEDA' END"
    )
    return f"concat_ws(';', {pemula}, {belum}, {beda})"


def find_duplicates(engine: Any, dpt_table: str, out_table: str) -> bool:
    """Run ``padan.linkage.duplicates.find_duplicates`` when present; False when it is not."""
    try:
        from padan.linkage.duplicates import find_duplicates as shared  # type: ignore
    except ImportError:
        return False
    shared(engine, dpt_table, out_table)
    return True
