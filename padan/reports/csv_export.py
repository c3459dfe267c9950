"""CSV for machines: UTF-8, comma, one header row, plain numbers (``.`` decimal point).

Column names are stable snake_case identifiers; text values are guarded against formula
injection (``safety.guard_text``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from padan.recap.summary import Recap
from padan.reports.safety import guard_text

RECAP_FIELDS = (
    "kode", "wilayah", "tingkat", "kode_induk", "dpt", "sudah_rekam", "belum_rekam",
    "gagal_rekam", "selisih", "tidak_ditemukan", "perlu_tinjau", "ganda", "pemilih_pemula",
    "cakupan", "pemilihan", "match_id", "dpt_import_id", "dpt_versi", "tanggal_dukcapil",
)  # fmt: skip
WORKLIST_FIELDS = (
    "no", "kode_desa", "kecamatan", "desa", "tps", "nama", "nik", "jenis_kelamin", "usia",
    "alamat", "rt", "rw", "status_rekam", "tindakan",
)  # fmt: skip


def recap_csv_text(r: Recap, *, include_total: bool = False) -> str:
    """The recap as CSV text (rows in gap order; the total last when asked)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(RECAP_FIELDS)
    s = r.source
    rows = list(r.rows) + ([r.total] if include_total else [])
    for row in rows:
        w.writerow(
            [
                guard_text(v)
                for v in (
                    row.code,
                    row.name,
                    row.level,
                    row.parent or "",
                    row.dpt,
                    row.sudah,
                    row.belum,
                    row.gagal,
                    row.gap,
                    row.tidak_ditemukan,
                    row.perlu_tinjau,
                    row.ganda,
                    row.pemula,
                    round(row.coverage, 6),
                    s.pemilihan,
                    s.match_id,
                    s.dpt_import_id,
                    s.dpt_versi,
                    s.registry_date.isoformat(),
                )  # fmt: skip
            ]
        )
    return buf.getvalue()


def write_recap_csv(r: Recap, path: Path | str, *, include_total: bool = False) -> Path:
    path = Path(path)
    path.write_text(recap_csv_text(r, include_total=include_total), encoding="utf-8")
    return path


def write_worklist_csv(rows: list[dict], path: Path | str) -> Path:
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(WORKLIST_FIELDS)
        for row in rows:
            w.writerow([guard_text(row.get(k, "")) for k in WORKLIST_FIELDS])
    return path
