"""Jinja2 templates and the filters pages use (Indonesian number and date formats)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from padan.recap.formatting import format_date, format_decimal, format_int, format_percent
from padan.web.auth import ROLES

TEMPLATES_DIR = Path(__file__).parent / "templates"
HTMX = "htmx-2.0.11.min.js"
VEGA = "vega-6.2.0-lite-6.4-embed-7.0.2.min.js"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
env = templates.env
env.autoescape = True

CATATAN_LABELS = {
    "NIK_TIDAK_VALID": "NIK tidak valid",
    "NIK_MILIK_ORANG_LAIN": "NIK milik orang lain",
    "GANDA": "Ganda",
    "PEMILIH_PEMULA": "Pemilih pemula",
    "DITINJAU": "Sudah ditinjau",
}
STATUS_CLASS = {
    "SUDAH_REKAM": "ok",
    "BELUM_REKAM": "bad",
    "GAGAL_REKAM": "warn",
    "TIDAK_DITEMUKAN": "muted",
    "PERLU_TINJAU": "info",
}


def _date(d, short: bool = True) -> str:
    if isinstance(d, str):
        try:
            d = dt.date.fromisoformat(d[:10])
        except ValueError:
            return d
    if isinstance(d, dt.datetime):
        return f"{format_date(d.date())} {d:%H:%M}"
    return format_date(d, short=short)


def _json_script(value, element_id: str) -> Markup:
    """A ``<script type="application/json">`` block (data, not code: allowed by the CSP)."""
    text = (
        json.dumps(value, default=str)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    return Markup(f'<script type="application/json" id="{element_id}">{text}</script>')


def _rate(x) -> str:
    """Voters per day: one decimal below 10 (``1,3``), whole numbers above."""
    if x is None:
        return "-"
    return format_decimal(x, 1 if abs(x) < 10 else 0)


env.filters.update(
    rate=_rate,
    num=format_int,
    pct=format_percent,
    dec=format_decimal,
    tgl=_date,
    json_script=_json_script,
)
env.globals.update(
    HTMX=HTMX,
    VEGA=VEGA,
    ROLES=ROLES,
    CATATAN_LABELS=CATATAN_LABELS,
    STATUS_CLASS=STATUS_CLASS,
)
