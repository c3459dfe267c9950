"""Indonesian number and date formats for everything people read (1.000.000; 8 Des 2020).

Kept here, free of any I/O, so the recap's source line, the exports and the charts agree.
"""

from __future__ import annotations

import datetime as dt

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
DAYS = ("Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu")  # Sunday first (d3)
SHORT_DAYS = ("Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab")


def format_int(n: int | float | None) -> str:
    """``1000000`` -> ``1.000.000`` (thousands separated by dots)."""
    if n is None:
        return "-"
    return f"{round(n):,}".replace(",", ".")


def format_decimal(x: float | None, digits: int = 1) -> str:
    """``1234.5`` -> ``1.234,5``."""
    if x is None:
        return "-"
    s = f"{x:,.{digits}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


def format_percent(fraction: float | None, digits: int = 1) -> str:
    """``0.9765`` -> ``97,7%``."""
    if fraction is None:
        return "-"
    return format_decimal(fraction * 100, digits) + "%"


def format_date(d: dt.date | None, *, short: bool = True, year: bool = True) -> str:
    """``2020-12-08`` -> ``8 Des 2020`` (``short=False``: ``8 Desember 2020``)."""
    if d is None:
        return "-"
    month = (SHORT_MONTHS if short else MONTHS)[d.month - 1]
    return f"{d.day} {month} {d.year}" if year else f"{d.day} {month}"
