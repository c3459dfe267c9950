"""Printable PDF reports (WeasyPrint): a region report (kabupaten, or the province) and
worklists for field teams. HTML templates and print CSS live in ``templates/``.
"""

from __future__ import annotations

import base64
import datetime as dt
from importlib import resources
from itertools import groupby
from pathlib import Path

import jinja2

from padan.recap.formatting import format_date, format_decimal, format_int, format_percent
from padan.recap.progress import Progress
from padan.recap.summary import LEVEL_LABELS, Recap
from padan.reports.xlsx import generated_line


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("padan.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["angka"] = format_int
    env.filters["desimal"] = format_decimal
    env.filters["persen"] = format_percent
    env.filters["tanggal"] = format_date
    env.filters["status"] = lambda s: (s or "").replace("_", " ").capitalize()
    return env


def _css() -> str:
    return resources.files("padan.reports").joinpath("templates", "report.css").read_text("utf-8")


def _write(html: str, path: Path) -> Path:
    from weasyprint import HTML

    HTML(string=html, base_url=str(path.parent)).write_pdf(str(path))
    return path


def chart_data_uri(progress: Progress, source_line: str | None = None) -> str:
    """The burn-down chart as a PNG data URI, for embedding in HTML."""
    from padan.reports.charts import burndown_spec, png_bytes

    spec = burndown_spec(progress, source=source_line)
    return "data:image/png;base64," + base64.b64encode(png_bytes(spec)).decode("ascii")


def write_kabupaten_pdf(
    path: Path | str,
    recap: Recap,
    progress: Progress | None = None,
    *,
    now: dt.datetime | None = None,
) -> Path:
    """A report for one region (usually a kabupaten with ``recap`` by kecamatan): key figures,
    progress toward the deadline with its burn-down chart, and the recap table. A4 portrait.
    """
    path = Path(path)
    heading = recap.within_name or "Seluruh wilayah pemilihan"
    chart = chart_data_uri(progress) if progress is not None and progress.points else None
    html = (
        _env()
        .get_template("kabupaten.html")
        .render(
            title=f"Laporan perekaman KTP-el - {heading}",
            heading=heading,
            css=_css(),
            source=recap.source,
            generated=generated_line(now),
            total=recap.total,
            rows=recap.rows,
            level_label=LEVEL_LABELS[recap.level],
            progress=progress,
            chart=chart,
        )
    )
    return _write(html, path)


def write_worklist_pdf(
    rows: list[dict],
    path: Path | str,
    *,
    title: str,
    source_line: str,
    full_nik: bool = False,
    now: dt.datetime | None = None,
) -> Path:
    """The worklist, one section per desa/kelurahan (each starting on a new page), in
    walking order, with an empty column for the field officer's notes. A4 landscape.
    """
    path = Path(path)
    groups = []
    for _, items in groupby(rows, key=lambda r: r.get("kode_desa")):
        items = list(items)
        first = items[0]
        groups.append(
            {
                "name": f"Desa/Kelurahan {first['desa']}"
                if first["desa"]
                else "Wilayah tidak dikenali",
                "where": f"Kecamatan {first['kecamatan']}" if first["kecamatan"] else "",
                "rows": items,
            }
        )
    privacy = (
        "BERISI NIK LENGKAP: RAHASIA. Jangan disebarkan; hanya untuk petugas perekaman."
        if full_nik
        else "Berisi data pribadi (UU 27/2022 PDP): hanya untuk petugas perekaman. "
        "NIK disamarkan (6 digit pertama)."
    )
    html = (
        _env()
        .get_template("worklist.html")
        .render(
            title=title,
            css=_css(),
            groups=groups,
            source_line=source_line,
            generated=generated_line(now),
            privacy=privacy,
        )
    )
    return _write(html, path)
