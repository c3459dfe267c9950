"""Masking of personal identifiers (UU 27/2022 PDP). Used by logs, UI and exports."""

from __future__ import annotations


def mask_nik(value: str | None, visible: int = 6) -> str:
    """Keep the first ``visible`` characters (the kecamatan code), replace the rest with ``*``.

    >>> mask_nik("7371014507900001")
    '737101**********'
    """
    if value is None:
        return ""
    s = str(value)
    if len(s) <= visible:
        return "*" * len(s)
    return s[:visible] + "*" * (len(s) - visible)


def mask_nik_sql(expr: str, visible: int = 6) -> str:
    """The same rule as :func:`mask_nik` as a SQL expression (DuckDB/Spark dialect)."""
    return (
        f"CASE WHEN {expr} IS NULL THEN '' WHEN length({expr}) <= {visible} "
        f"THEN repeat('*', length({expr})) "
        f"ELSE substr({expr}, 1, {visible}) || repeat('*', length({expr}) - {visible}) END"
    )
