"""Burn-down charts as Vega-Lite specs (built with Altair), rendered without a browser.

The same spec is drawn by the web dashboard (vega-embed) and rendered to PNG/SVG here with
vl-convert, so a chart pasted into a WhatsApp group looks like the one on screen. Indonesian
number and date formats travel inside the spec (``config.locale``), so every renderer shows
``1.000.000`` and ``8 Des``; :func:`render` also passes them to vl-convert explicitly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import altair as alt

from padan.errors import PadanError
from padan.recap.formatting import DAYS, MONTHS, SHORT_DAYS, SHORT_MONTHS, format_date
from padan.recap.progress import Progress

FORMAT_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp", ""]}
TIME_FORMAT_LOCALE = {
    "dateTime": "%A, %e %B %Y %X",
    "date": "%d/%m/%Y",
    "time": "%H.%M.%S",
    "periods": ["AM", "PM"],
    "days": list(DAYS),
    "shortDays": list(SHORT_DAYS),
    "months": list(MONTHS),
    "shortMonths": list(SHORT_MONTHS),
}

SERIES = ("Belum rekam (aktual)", "Target ke nol", "Proyeksi laju 7 hari")
COLORS = ("#c0392b", "#7f8c8d", "#e67e22")
DATE_FORMAT = "%-d %b"


def _rows(p: Progress) -> list[dict]:
    """Long-form data for one region: actual series, target line, projection."""
    label = p.name
    out = [
        {
            "wilayah": label,
            "seri": SERIES[0],
            "tanggal": pt.date.isoformat(),
            "belum": pt.belum,
            "terakhir": i == len(p.points) - 1,
        }
        for i, pt in enumerate(p.points)
    ]
    if not p.points:
        return out
    last = p.points[-1]
    if last.date < p.deadline:
        out += [
            {
                "wilayah": label,
                "seri": SERIES[1],
                "tanggal": last.date.isoformat(),
                "belum": last.belum,
            },
            {"wilayah": label, "seri": SERIES[1], "tanggal": p.deadline.isoformat(), "belum": 0},
        ]
    rate = p.achieved_per_day_7d
    if rate is not None and last.belum > 0 and last.date < p.deadline:
        if p.projected_zero is not None and p.projected_zero <= p.deadline:
            end, value = p.projected_zero, 0
        else:
            end = p.deadline
            value = max(0, round(last.belum - rate * (p.deadline - last.date).days))
        out += [
            {
                "wilayah": label,
                "seri": SERIES[2],
                "tanggal": last.date.isoformat(),
                "belum": last.belum,
            },
            {"wilayah": label, "seri": SERIES[2], "tanggal": end.isoformat(), "belum": value},
        ]
    return out


def _iso_dt(d: dt.date) -> alt.DateTime:
    return alt.DateTime(year=d.year, month=d.month, date=d.day)


def _layer(
    width: int, height: int, start: dt.date, deadline: dt.date, with_rule_label: bool
) -> alt.LayerChart:
    color_scale = alt.Scale(domain=list(SERIES), range=list(COLORS))
    color = alt.Color(
        "seri:N",
        scale=color_scale,
        legend=alt.Legend(
            title=None,
            orient="bottom",
            labelFontSize=12,
            symbolType="stroke",
            symbolStrokeWidth=3,
            symbolSize=400,
        ),
    )
    dash = alt.StrokeDash(
        "seri:N",
        scale=alt.Scale(domain=list(SERIES), range=[[1, 0], [6, 4], [2, 3]]),
        legend=None,
    )
    x = alt.X(
        "tanggal:T",
        title=None,
        scale=alt.Scale(domain=[_iso_dt(start), _iso_dt(deadline + dt.timedelta(days=1))]),
        axis=alt.Axis(
            format=DATE_FORMAT,
            labelAngle=0,
            tickCount=8 if with_rule_label else 4,
            grid=False,
            labelFontSize=11,
        ),
    )
    y = alt.Y(
        "belum:Q",
        title="Belum rekam + gagal rekam" if with_rule_label else None,
        scale=alt.Scale(zero=True, nice=True),
        axis=alt.Axis(format=",d", labelFontSize=11, titleFontSize=11, tickMinStep=1),
    )
    tooltip = [
        alt.Tooltip("wilayah:N", title="Wilayah"),
        alt.Tooltip("seri:N", title="Seri"),
        alt.Tooltip("tanggal:T", title="Tanggal", format="%-d %B %Y"),
        alt.Tooltip("belum:Q", title="Jumlah", format=",d"),
    ]
    lines = (
        alt.Chart()
        .mark_line(strokeWidth=2.5)
        .encode(x=x, y=y, color=color, strokeDash=dash, tooltip=tooltip)
    )
    points = (
        alt.Chart()
        .mark_point(filled=True, size=45, opacity=1)
        .encode(
            x=x, y=y, color=alt.Color("seri:N", scale=color_scale, legend=None), tooltip=tooltip
        )
        .transform_filter(alt.datum.seri == SERIES[0])
    )
    last_label = (
        alt.Chart()
        .mark_text(align="left", dx=6, dy=-8, fontSize=12, fontWeight="bold", color=COLORS[0])
        .encode(x=x, y=y, text=alt.Text("belum:Q", format=",d"))
        .transform_filter(alt.datum.terakhir)
    )
    # The deadline as a constant datum (not a data source of its own: facets need one).
    deadline_x = alt.X(datum=_iso_dt(deadline), type="temporal")
    rule = alt.Chart().mark_rule(color="#2c3e50", strokeDash=[3, 3]).encode(x=deadline_x)
    layers = [rule, lines, points, last_label]
    if with_rule_label:
        layers.append(
            alt.Chart()
            .mark_text(align="right", baseline="top", dx=-4, y=4, fontSize=11, color="#2c3e50")
            .encode(
                x=deadline_x,
                text=alt.value(f"Batas rekam {format_date(deadline, year=False)}"),
            )
        )
    return alt.layer(*layers).properties(width=width, height=height)


def _config(chart):
    return (
        chart.configure(
            font="DejaVu Sans",
            locale={"number": FORMAT_LOCALE, "time": TIME_FORMAT_LOCALE},
            background="white",
            padding=12,
        )
        .configure_view(stroke=None)
        .configure_axis(labelColor="#333", titleColor="#333", domainColor="#999")
        .configure_title(fontSize=16, anchor="start", subtitleFontSize=12, subtitleColor="#555")
    )


def _subtitle(p: Progress) -> list[str]:
    """Two lines of figures in Bahasa Indonesia under the chart title."""
    from padan.recap.formatting import format_decimal, format_int

    if p.days_left > 0:
        when = f"{p.days_left} hari menuju batas {format_date(p.deadline)}"
    elif p.days_left == 0:
        when = f"hari ini batas rekam ({format_date(p.deadline)})"
    else:
        when = f"batas {format_date(p.deadline)} sudah lewat {-p.days_left} hari"
    first = f"Per {format_date(p.today)}: {format_int(p.current)} belum/gagal rekam, {when}."
    if p.current == 0:
        return [first, "Sudah nol: semua pemilih sudah rekam."]
    rate = p.achieved_per_day_7d
    achieved = (
        "laju 7 hari terakhir belum bisa dihitung"
        if rate is None
        else f"laju 7 hari terakhir {format_decimal(rate)} per hari"
    )
    outlook = (
        f"proyeksi nol {format_date(p.projected_zero)}"
        if p.projected_zero
        else "tidak menuju nol pada laju ini"
    )
    return [first, f"Perlu {format_decimal(p.needed_per_day)} per hari; {achieved}; {outlook}."]


def burndown_spec(
    progress: Progress | list[Progress],
    *,
    title: str | None = None,
    source: str | None = None,
    columns: int = 3,
) -> dict:
    """Vega-Lite JSON spec of the burn-down: the actual series of belum (+ gagal) rekam, the
    straight line to zero on the deadline, and the projection at the last 7 days' rate.

    One region: a single chart with a two-line subtitle of the figures. A list: small
    multiples, one panel per region (each with its own y scale), ``columns`` across.
    """
    items = progress if isinstance(progress, list) else [progress]
    if not items:
        raise PadanError("TIDAK_ADA_DATA", "Tidak ada data kemajuan untuk digambar.")
    deadline = items[0].deadline
    start = min((p.points[0].date for p in items if p.points), default=items[0].today)
    start = min(start, deadline)
    data = alt.Data(values=[r for p in items for r in _rows(p)])
    if isinstance(progress, list):
        chart = (
            _layer(260, 150, start, deadline, with_rule_label=False)
            .facet(
                data=data,
                facet=alt.Facet(
                    "wilayah:N",
                    title=None,
                    sort=[p.name for p in items],
                    header=alt.Header(
                        labelFontSize=13, labelFontWeight="bold", labelAnchor="start"
                    ),
                ),
                columns=columns,
            )
            .resolve_scale(y="independent")
        )
        heading = title or f"Kemajuan perekaman KTP-el menuju batas {format_date(deadline)}"
        sub = [
            f"Belum rekam + gagal rekam per {format_date(items[0].today)}. "
            "Garis abu-abu: target ke nol; oranye: proyeksi laju 7 hari.",
        ]
    else:
        chart = _layer(640, 320, start, deadline, with_rule_label=True)
        chart.data = data
        heading = title or f"Kemajuan perekaman KTP-el: {items[0].name}"
        sub = _subtitle(items[0])
    if source:
        sub.append(source)
    chart = chart.properties(title=alt.Title(heading, subtitle=sub))
    return _config(chart).to_dict()


def render(spec: dict, path: Path | str, *, scale: float = 2.0) -> Path:
    """Write ``spec`` to ``path`` as PNG or SVG (by the extension), without a browser."""
    import vl_convert as vlc

    path = Path(path)
    suffix = path.suffix.lower()
    kw = {"format_locale": FORMAT_LOCALE, "time_format_locale": TIME_FORMAT_LOCALE}
    if suffix == ".png":
        path.write_bytes(vlc.vegalite_to_png(spec, scale=scale, **kw))
    elif suffix == ".svg":
        path.write_text(vlc.vegalite_to_svg(spec, **kw), encoding="utf-8")
    else:
        raise PadanError(
            "FORMAT_GRAFIK_TIDAK_DIKENAL",
            f"Grafik hanya bisa disimpan sebagai .png atau .svg, bukan {path.name!r}.",
            hint="Pakai nama berkas yang berakhiran .png atau .svg.",
        )
    return path


def png_bytes(spec: dict, *, scale: float = 2.0) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(
        spec, scale=scale, format_locale=FORMAT_LOCALE, time_format_locale=TIME_FORMAT_LOCALE
    )
