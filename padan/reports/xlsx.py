"""XLSX exports with xlsxwriter: recaps (one sheet per level) and worklists.

Every sheet has a title block with the source line, a frozen header, an autofilter, number
and percent formats, set column widths and print settings (A4, landscape, fit to width,
header repeated on each page). Text is always written as a string cell (see ``safety``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import xlsxwriter

from padan.recap.formatting import format_date
from padan.recap.summary import LEVEL_LABELS, Recap, RecapRow, region_name
from padan.recap.worklist import COLUMNS, HEADERS

SHEET_NAMES = {
    "provinsi": "Provinsi",
    "kabupaten": "Kabupaten-Kota",
    "kecamatan": "Kecamatan",
    "desa": "Desa-Kelurahan",
    "tps": "TPS",
}
PARENT_LABEL = {"kecamatan": "Kabupaten/Kota", "desa": "Kecamatan", "tps": "Desa/Kelurahan"}
# (header, attribute or callable, kind, width)
RECAP_COLUMNS: list[tuple[str, str, str, float]] = [
    ("DPT", "dpt", "int", 11),
    ("Sudah rekam", "sudah", "int", 11),
    ("Belum rekam", "belum", "int", 11),
    ("Gagal rekam", "gagal", "int", 11),
    ("Selisih (belum + gagal)", "gap", "int", 13),
    ("Tidak ditemukan", "tidak_ditemukan", "int", 11),
    ("Perlu tinjau", "perlu_tinjau", "int", 10),
    ("Ganda", "ganda", "int", 9),
    ("Pemilih pemula", "pemula", "int", 10),
    ("Cakupan rekam", "coverage", "pct", 10),
]
HEADER_ROW = 4  # 0-based: title, source, generated-at, note, then the header


def generated_line(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    return f"Dibuat {format_date(now.date())} pukul {now:%H.%M}"


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": "Calibri", "font_size": 10, "valign": "top"}
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.subtitle = wb.add_format({**base, "italic": True, "font_color": "#444444"})
        self.warning = wb.add_format({**base, "bold": True, "font_color": "#C0392B"})
        self.header = wb.add_format(
            {
                **base,
                "bold": True,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
                "bg_color": "#D9E1F2",
                "border": 1,
            }
        )
        self.text = wb.add_format({**base, "border": 1, "border_color": "#BFBFBF"})
        self.wrap = wb.add_format(
            {**base, "border": 1, "border_color": "#BFBFBF", "text_wrap": True}
        )
        self.int = wb.add_format(
            {**base, "num_format": "#,##0", "border": 1, "border_color": "#BFBFBF"}
        )
        self.pct = wb.add_format(
            {**base, "num_format": "0.0%", "border": 1, "border_color": "#BFBFBF"}
        )
        total = {**base, "bold": True, "top": 2, "bottom": 1, "bg_color": "#F2F2F2"}
        self.total_text = wb.add_format(total)
        self.total_int = wb.add_format({**total, "num_format": "#,##0"})
        self.total_pct = wb.add_format({**total, "num_format": "0.0%"})


def _title_block(ws, f: _Formats, title: str, lines: list[tuple[str, Any]]) -> None:
    ws.write_string(0, 0, title, f.title)
    for i, (text, fmt) in enumerate(lines, start=1):
        ws.write_string(i, 0, text, fmt)
    ws.set_row(HEADER_ROW, 30)


def _print_setup(ws, last_col: int) -> None:
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&L&8padan&C&8Halaman &P dari &N&R&8&D")
    ws.hide_gridlines(0)


def _write_recap_sheet(wb, f: _Formats, r: Recap, now: dt.datetime) -> None:
    ws = wb.add_worksheet(SHEET_NAMES[r.level])
    has_parent = r.level in PARENT_LABEL
    head = ["No", "Kode", LEVEL_LABELS[r.level]]
    widths = [5, 15 if r.level == "tps" else 12, 30]
    if has_parent:
        head.append(PARENT_LABEL[r.level])
        widths.append(24)
    first_num = len(head)
    head += [c[0] for c in RECAP_COLUMNS]
    widths += [c[3] for c in RECAP_COLUMNS]
    _title_block(
        ws,
        f,
        f"Rekapitulasi Perekaman KTP-el per {LEVEL_LABELS[r.level]} - "
        f"{r.within_name or 'Seluruh wilayah pemilihan'}",
        [
            (r.source.line(), f.subtitle),
            (generated_line(now), f.subtitle),
            ("Diurutkan menurut selisih (belum + gagal rekam), terbesar di atas. "
             "Cakupan rekam = sudah rekam / DPT.", f.subtitle),
        ],
    )  # fmt: skip
    for c, (h, w) in enumerate(zip(head, widths, strict=True)):
        ws.write_string(HEADER_ROW, c, h, f.header)
        ws.set_column(c, c, w)

    def cells(row: RecapRow) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = [("text", row.code), ("text", row.name)]
        if has_parent:
            out.append(("text", region_name(row.parent) if row.parent else ""))
        out += [(kind, getattr(row, attr)) for _, attr, kind, _ in RECAP_COLUMNS]
        return out

    first = HEADER_ROW + 1
    for i, row in enumerate(r.rows):
        ws.write_number(first + i, 0, i + 1, f.int)
        for c, (kind, value) in enumerate(cells(row), start=1):
            if kind == "text":
                ws.write_string(first + i, c, value or "", f.text)
            else:
                ws.write_number(first + i, c, value, f.int if kind == "int" else f.pct)
    last = first + len(r.rows) - 1
    total_row = last + 1
    ws.write_string(total_row, 0, "", f.total_text)
    ws.write_string(total_row, 1, r.total.code if r.within else "", f.total_text)
    ws.write_string(total_row, 2, "JUMLAH", f.total_text)
    if has_parent:
        ws.write_string(total_row, 3, "", f.total_text)
    cols = {attr: first_num + k for k, (_, attr, _, _) in enumerate(RECAP_COLUMNS)}
    for _, attr, kind, _ in RECAP_COLUMNS:
        c = cols[attr]
        value = getattr(r.total, attr)
        if kind == "int" and r.rows:
            rng = xlsxwriter.utility.xl_range(first, c, last, c)
            ws.write_formula(total_row, c, f"=SUM({rng})", f.total_int, value)
        elif kind == "pct" and r.rows:
            sudah = xlsxwriter.utility.xl_rowcol_to_cell(total_row, cols["sudah"])
            dpt = xlsxwriter.utility.xl_rowcol_to_cell(total_row, cols["dpt"])
            ws.write_formula(total_row, c, f"=IF({dpt}=0,0,{sudah}/{dpt})", f.total_pct, value)
        else:
            ws.write_number(total_row, c, value, f.total_int if kind == "int" else f.total_pct)
    ws.freeze_panes(HEADER_ROW + 1, 3)
    ws.autofilter(HEADER_ROW, 0, max(last, HEADER_ROW), len(head) - 1)
    _print_setup(ws, len(head) - 1)


def write_recap_xlsx(
    recaps: Recap | list[Recap], path: Path | str, *, now: dt.datetime | None = None
) -> Path:
    """One sheet per recap (per level), in the order given, with a totals row each."""
    items = recaps if isinstance(recaps, list) else [recaps]
    path = Path(path)
    now = now or dt.datetime.now()
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties(
        {
            "title": "Rekapitulasi perekaman KTP-el",
            "author": "padan",
            "comments": items[0].source.line() if items else "",
        }
    )
    f = _Formats(wb)
    for r in items:
        _write_recap_sheet(wb, f, r, now)
    wb.close()
    return path


def write_worklist_xlsx(
    rows: list[dict],
    path: Path | str,
    *,
    title: str,
    source_line: str,
    full_nik: bool = False,
    now: dt.datetime | None = None,
) -> Path:
    """The worklist as one sheet (filterable by desa/TPS), in walking order."""
    path = Path(path)
    now = now or dt.datetime.now()
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": False})
    wb.set_properties({"title": title, "author": "padan"})
    f = _Formats(wb)
    ws = wb.add_worksheet("Daftar jemput bola")
    cols = [*COLUMNS, "paraf"]
    headers = {**HEADERS, "paraf": "Keterangan / paraf petugas"}
    widths = {
        "no": 5, "kecamatan": 16, "desa": 18, "tps": 6, "nama": 28, "nik": 19,
        "jenis_kelamin": 5, "usia": 6, "alamat": 28, "rt": 5, "rw": 5, "status_rekam": 14,
        "tindakan": 48, "paraf": 22,
    }  # fmt: skip
    privacy = (
        "BERISI NIK LENGKAP: RAHASIA. Jangan disebarkan; hanya untuk petugas perekaman."
        if full_nik
        else "Berisi data pribadi (UU 27/2022 PDP): hanya untuk petugas perekaman. "
        "NIK disamarkan (6 digit pertama)."
    )
    _title_block(
        ws,
        f,
        title,
        [
            (source_line, f.subtitle),
            (
                f"{generated_line(now)}. {len(rows):,} pemilih belum/gagal rekam.".replace(
                    ",", "."
                ),
                f.subtitle,
            ),
            (privacy, f.warning),
        ],
    )
    for c, key in enumerate(cols):
        ws.write_string(HEADER_ROW, c, headers[key], f.header)
        ws.set_column(c, c, widths[key])
    first = HEADER_ROW + 1
    for i, row in enumerate(rows):
        r = first + i
        for c, key in enumerate(cols):
            value = row.get(key)
            if key in ("no", "usia"):
                if value is None:
                    ws.write_blank(r, c, None, f.text)
                else:
                    ws.write_number(r, c, value, f.text)
            elif key == "tindakan":
                ws.write_string(r, c, value or "", f.wrap)
            elif key == "status_rekam":
                ws.write_string(r, c, (value or "").replace("_", " ").title(), f.text)
            else:
                ws.write_string(r, c, "" if value is None else str(value), f.text)
    last = first + len(rows) - 1
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.autofilter(HEADER_ROW, 0, max(last, HEADER_ROW), len(cols) - 1)
    _print_setup(ws, len(cols) - 1)
    wb.close()
    return path
