"""The DPT as Sidalih prints it: one XLSX per desa/kelurahan, one sheet per TPS.

Each sheet has two to four title rows above the header, as printed lists do. NIK and NKK are
text cells; in the "damaged" files (``xlsx_damaged``) they were stored as numbers, as Excel
does when a user opens and saves a CSV, so that 7306021407850003 becomes 7306021407850000
(shown as 7.30602E+15): its 16th digit is lost. Files sorted by path, sheets in order and
rows in order give exactly the rows of ``dpt.csv`` in its order (so ``ground_truth.csv``'s
ROW applies to them too).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import xlsxwriter

from padan.reference import wilayah
from padan.synth.generate import DPT_COLUMNS

# Sidalih prints the contract's columns with spaces ("TEMPAT LAHIR"), not underscores.
HEADER = [c.replace("_", " ") for c in DPT_COLUMNS]


def _title(kab_code: str) -> str:
    name = wilayah.get(kab_code).name.upper()
    if name.startswith("KOTA "):
        return f"PEMILIHAN WALIKOTA DAN WAKIL WALIKOTA {name[5:]} TAHUN 2020"
    return f"PEMILIHAN BUPATI DAN WAKIL BUPATI {name.replace('KABUPATEN ', '')} TAHUN 2020"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_") or "DESA"


def write_xlsx_per_desa(
    rng: np.random.Generator,
    out_dir: Path,
    table: pa.Table,
    rows,
    regions,
    profile,
    damaged: float,
    progress: Callable[[str, int, int | None], None],
) -> list[Path]:
    """Write ``dpt-xlsx/<KODE_KAB>/<KODE_DESA>-<NAME>.xlsx``; returns the paths in row order."""
    desa = rows.desa
    starts = np.flatnonzero(np.r_[True, desa[1:] != desa[:-1]])
    ends = np.r_[starts[1:], len(desa)]
    n_files = len(starts)
    # which files are damaged (NIK as numbers), which store birth dates as Excel dates
    broken = rng.random(n_files) < damaged
    excel_dates = rng.random(n_files) < 0.25
    n_titles = rng.integers(2, 5, n_files)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*/*.xlsx"):
        old.unlink()
    paths = []
    cols = table.column_names
    for i, (lo, hi) in enumerate(zip(starts, ends, strict=True)):
        d = int(desa[lo])
        code = str(regions.desa_code[d])
        kab = code[:4]
        path = out_dir / kab / f"{code}-{_safe(str(regions.desa_name[d]))}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        part = table.slice(lo, hi - lo)
        data = {c: part.column(c).to_pylist() for c in cols}
        tps = rows.tps[lo:hi]
        _write_file(path, data, tps, kab, int(n_titles[i]), bool(broken[i]), bool(excel_dates[i]))
        paths.append(path)
        progress("xlsx", i + 1, n_files)
    return paths


def _write_file(path, data, tps, kab, n_titles, broken, excel_dates) -> None:
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    # fixed metadata so that the same data gives the same bytes
    wb.set_properties({"created": dt.datetime(2020, 10, 15), "author": "KPU", "title": "DPT"})
    bold = wb.add_format({"bold": True})
    date_fmt = wb.add_format({"num_format": "dd-mm-yyyy"})
    kec, kel = data["KECAMATAN"][0], data["KELURAHAN"][0]
    kab_name = data["KABUPATEN"][0]
    t_starts = np.flatnonzero(np.r_[True, tps[1:] != tps[:-1]])
    t_ends = np.r_[t_starts[1:], len(tps)]
    for lo, hi in zip(t_starts, t_ends, strict=True):
        no_tps = int(tps[lo])
        ws = wb.add_worksheet(f"TPS {no_tps:03d}")
        titles = [
            "DAFTAR PEMILIH TETAP",
            _title(kab),
            f"KABUPATEN : {kab_name}   KECAMATAN : {kec}   DESA/KELURAHAN : {kel}",
            f"TPS : {no_tps:03d}",
        ][:n_titles]
        for r, t in enumerate(titles):
            ws.write_string(r, 0, t, bold)
        h = len(titles) + (1 if n_titles >= 3 else 0)  # sometimes an empty row before the header
        for c, name in enumerate(HEADER):
            ws.write_string(h, c, name, bold)
        # one writer per column, chosen once (xlsxwriter's generic write() is slower)
        writers = []
        for col in data:
            if col in ("NIK", "NKK"):
                writers.append(_nik_writer(ws, broken))
            elif col == "TANGGAL_LAHIR" and excel_dates:
                writers.append(_date_writer(ws, date_fmt))
            elif col in ("NO", "USIA", "DISABILITAS"):
                writers.append(ws.write_number)
            else:
                writers.append(ws.write_string)
        columns = list(data.values())
        for k, i in enumerate(range(lo, hi)):
            r = h + 1 + k
            for c, (write, values) in enumerate(zip(writers, columns, strict=True)):
                v = values[i]
                if v is not None:
                    write(r, c, v)
    wb.close()


def _nik_writer(ws, broken: bool):
    if not broken:
        return ws.write_string

    def write(r: int, c: int, v: str) -> None:
        if v.isdigit():
            # Excel keeps 15 significant digits: the 16th becomes 0 (a double would have
            # kept it, and the file would not be damaged as Excel damages it)
            ws.write_number(r, c, float(v[:15] + "0" * (len(v) - 15) if len(v) > 15 else v))
        else:
            ws.write_string(r, c, v)

    return write


def _date_writer(ws, fmt):
    def write(r: int, c: int, v: str) -> None:
        sep = "|" if "|" in v else "-"
        dd, mm, yy = (int(x) for x in v.split(sep))
        ws.write_datetime(r, c, dt.datetime(yy, mm, dd), fmt)

    return write
