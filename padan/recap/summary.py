"""Rekapitulasi: counts per region at every level, from one match run.

A recap is one GROUP BY over ``match_results`` of a single match run; every DPT row of that
run is counted exactly once at every level (rows whose region could not be resolved form
their own row, "wilayah tidak dikenali"), so the totals of all levels agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from padan.engine import Engine
from padan.errors import PadanError
from padan.recap.formatting import format_date
from padan.reference import wilayah

LEVELS = ("provinsi", "kabupaten", "kecamatan", "desa", "tps")
LEVEL_LABELS = {
    "provinsi": "Provinsi",
    "kabupaten": "Kabupaten/Kota",
    "kecamatan": "Kecamatan",
    "desa": "Desa/Kelurahan",
    "tps": "TPS",
}
CODE_LENGTH = {"provinsi": 2, "kabupaten": 4, "kecamatan": 6, "desa": 10, "tps": 13}
# SQL expression giving the region code of a match_results row at each level.
LEVEL_KEY = {
    "provinsi": "substr(kode_kab, 1, 2)",
    "kabupaten": "kode_kab",
    "kecamatan": "kode_kec",
    "desa": "kode_desa",
    "tps": "tps_key",
}
UNKNOWN_NAME = "(wilayah tidak dikenali)"

# Statuses that still need someone to act: not recorded, or recorded but failed.
MUST_RECORD = ("BELUM_REKAM", "GAGAL_REKAM")

# Counting expressions shared by recaps and the benchmark. ``catatan`` holds ';'-codes:
# any code starting with GANDA marks a duplicate, PEMILIH_PEMULA a first-time voter.
COUNTS_SQL = """
    count(*) AS dpt,
    count(*) FILTER (WHERE status_rekam = 'SUDAH_REKAM') AS sudah,
    count(*) FILTER (WHERE status_rekam = 'BELUM_REKAM') AS belum,
    count(*) FILTER (WHERE status_rekam = 'GAGAL_REKAM') AS gagal,
    count(*) FILTER (WHERE status_rekam = 'TIDAK_DITEMUKAN') AS tidak_ditemukan,
    count(*) FILTER (WHERE status_rekam = 'PERLU_TINJAU') AS perlu_tinjau,
    count(*) FILTER (WHERE contains(';' || catatan, ';GANDA')) AS ganda,
    count(*) FILTER (WHERE contains(';' || catatan || ';', ';PEMILIH_PEMULA;')) AS pemula
"""
COUNT_FIELDS = (
    "dpt", "sudah", "belum", "gagal", "tidak_ditemukan", "perlu_tinjau", "ganda", "pemula",
)  # fmt: skip


@dataclass
class SourceInfo:
    """Where a recap's numbers come from: which DPT, which register snapshot, which election."""

    pemilihan: str
    pemilihan_title: str
    match_id: int
    dpt_import_id: int
    dpt_versi: str
    registry_date: dt.date

    def line(self) -> str:
        """One line in Bahasa Indonesia, printed under every table and chart."""
        return (
            f"Sumber: DPT versi {self.dpt_versi} (impor #{self.dpt_import_id}), "
            f"data Dukcapil per {format_date(self.registry_date)}, {self.pemilihan_title}"
        )

    def as_dict(self) -> dict:
        return {
            "pemilihan": self.pemilihan,
            "pemilihan_title": self.pemilihan_title,
            "match_id": self.match_id,
            "dpt_import_id": self.dpt_import_id,
            "dpt_versi": self.dpt_versi,
            "registry_date": self.registry_date.isoformat(),
            "line": self.line(),
        }


@dataclass
class RecapRow:
    """Counts for one region (or the total). ``parent`` is the enclosing region's code."""

    code: str
    name: str
    level: str
    dpt: int = 0
    sudah: int = 0
    belum: int = 0
    gagal: int = 0
    tidak_ditemukan: int = 0
    perlu_tinjau: int = 0
    ganda: int = 0
    pemula: int = 0
    parent: str | None = None

    @property
    def gap(self) -> int:
        """Voters who must still record: belum rekam + gagal rekam."""
        return self.belum + self.gagal

    @property
    def coverage(self) -> float:
        """Share of DPT voters already recorded (sudah / DPT), 0..1; 0 for an empty region."""
        return self.sudah / self.dpt if self.dpt else 0.0

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("code", "name", "level", "parent", *COUNT_FIELDS)}
        d["gap"] = self.gap
        d["coverage"] = self.coverage
        return d


@dataclass
class Recap:
    level: str
    within: str | None
    rows: list[RecapRow]
    total: RecapRow
    source: SourceInfo
    within_name: str | None = field(default=None)

    @property
    def title(self) -> str:
        """``Rekapitulasi per Kecamatan - Kabupaten Gowa``."""
        where = self.within_name or "Seluruh wilayah pemilihan"
        return f"Rekapitulasi per {LEVEL_LABELS[self.level]} - {where}"


# -- helpers -----------------------------------------------------------------------------


def profile_title(pemilihan: str) -> str:
    """The profile's title, or its name when the profile is not available."""
    from padan.reference.profiles import load_profile

    try:
        return load_profile(pemilihan).title
    except PadanError:
        return pemilihan


def region_name(code: str | None, level: str | None = None) -> str:
    """Readable name for a region code (TPS: ``TPS 003 Bontorannu``)."""
    if not code:
        return UNKNOWN_NAME
    if len(code) == 13 or level == "tps":
        desa = wilayah.get(code[:10])
        return f"TPS {code[10:]}" + (f" {desa.name}" if desa else "")
    r = wilayah.get(code)
    return r.name if r else code


def level_of_code(code: str) -> str:
    for level, n in CODE_LENGTH.items():
        if len(code) == n and code.isdigit():
            return level
    raise PadanError(
        "WILAYAH_TIDAK_DIKENAL",
        f"Kode wilayah {code!r} tidak dikenal.",
        hint="Pakai kode Kemendagri: 73 (provinsi), 7371 (kab/kota), 737101 (kecamatan), "
        "7371011001 (desa/kelurahan) atau kode TPS 13 digit.",
    )


def normalize_code(code: str | None) -> str | None:
    """Accept dotted codes; check the code exists (TPS codes: their desa must exist)."""
    if code is None or not str(code).strip():
        return None
    c = wilayah.undotted(str(code))
    level = level_of_code(c)
    if wilayah.get(c[:10] if level == "tps" else c) is None:
        raise PadanError(
            "WILAYAH_TIDAK_DIKENAL",
            f"Kode wilayah {code!r} tidak ada dalam daftar wilayah Kemendagri.",
            hint="Periksa kode (contoh: 7371 untuk Kota Makassar).",
        )
    return c


def region_filter(within: str | None, allowed_kab: set[str] | None) -> tuple[str, list]:
    """WHERE-clause fragment (starting with AND) restricting match_results rows."""
    sql, params = "", []
    if within:
        sql += f" AND {LEVEL_KEY[level_of_code(within)]} = ?"
        params.append(within)
    if allowed_kab is not None:
        kabs = sorted(allowed_kab)
        if not kabs:
            sql += " AND false"
        else:
            sql += f" AND kode_kab IN ({', '.join('?' for _ in kabs)})"
            params.extend(kabs)
    return sql, params


def _source(engine: Engine, pemilihan: str, where: str, params: list) -> SourceInfo | None:
    row = engine.one(
        f"""
        SELECT m.match_id, m.dpt_import_id, coalesce(i.versi, 'tanpa nama'), m.registry_date,
               m.pemilihan
        FROM match_runs m LEFT JOIN imports i ON i.import_id = m.dpt_import_id
        WHERE {where}
        ORDER BY m.dpt_import_id DESC, (m.finished_at IS NOT NULL) DESC, m.registry_date DESC,
                 m.match_id DESC
        LIMIT 1
        """,
        params,
    )
    if row is None:
        return None
    match_id, import_id, versi, registry_date, name = row
    return SourceInfo(
        pemilihan=name,
        pemilihan_title=profile_title(name),
        match_id=int(match_id),
        dpt_import_id=int(import_id),
        dpt_versi=str(versi),
        registry_date=registry_date,
    )


def latest_match(engine: Engine, pemilihan: str) -> SourceInfo | None:
    """The run recaps show by default: newest DPT import of the election, newest snapshot.

    Among runs of the latest DPT import that has been matched, the one against the newest
    register date; a finished run (``finished_at`` set) wins over an unfinished one, and of
    two runs on the same date the later one wins.
    """
    return _source(engine, pemilihan, "m.pemilihan = ?", [pemilihan])


def source_for(engine: Engine, pemilihan: str, match_id: int | None) -> SourceInfo:
    """SourceInfo of ``match_id`` (or of the latest run); a clear error when there is none."""
    if match_id is None:
        src = latest_match(engine, pemilihan)
    else:
        src = _source(engine, pemilihan, "m.match_id = ?", [match_id])
    if src is None:
        what = f"pemadanan #{match_id}" if match_id is not None else "hasil pemadanan"
        raise PadanError(
            "BELUM_ADA_PEMADANAN",
            f"Belum ada {what} untuk pemilihan {pemilihan!r} di workspace ini.",
            hint="Impor DPT dan data Dukcapil, lalu jalankan `padan match`.",
        )
    return src


def _check_level(level: str, within: str | None) -> None:
    if level not in LEVELS:
        raise PadanError(
            "TINGKAT_TIDAK_DIKENAL",
            f"Tingkat {level!r} tidak dikenal.",
            hint="Pilih salah satu: " + ", ".join(LEVELS) + ".",
        )
    if within and LEVELS.index(level_of_code(within)) > LEVELS.index(level):
        raise PadanError(
            "TINGKAT_TIDAK_SESUAI",
            f"Rekap per {level} tidak bisa dibuat di dalam wilayah {within} "
            f"({level_of_code(within)}): tingkatnya lebih tinggi.",
            hint="Pilih tingkat yang sama atau lebih rendah dari wilayahnya.",
        )


# -- the recap -----------------------------------------------------------------------------


def recap(
    engine: Engine,
    pemilihan: str,
    level: str,
    within: str | None = None,
    *,
    match_id: int | None = None,
    allowed_kab: set[str] | None = None,
) -> Recap:
    """Counts per region at ``level`` inside ``within`` (a region code; ``None``: everything).

    Rows are sorted by the gap (belum + gagal rekam), largest first. ``allowed_kab`` limits
    the rows to those kabupaten/kota (a web user's area); the total is the sum of the rows.
    """
    within = normalize_code(within)
    _check_level(level, within)
    src = source_for(engine, pemilihan, match_id)
    where, params = region_filter(within, allowed_kab)
    key = LEVEL_KEY[level]
    parent = {"provinsi": "NULL", "kabupaten": "substr(kode_kab, 1, 2)"}.get(
        level, {"kecamatan": "kode_kab", "desa": "kode_kec", "tps": "kode_desa"}.get(level)
    )
    result = engine.rows(
        f"""
        SELECT {key} AS code, any_value({parent}) AS parent, {COUNTS_SQL}
        FROM match_results
        WHERE match_id = ? {where}
        GROUP BY 1
        """,
        [src.match_id, *params],
    )
    rows = []
    for code, par, *counts in result:
        rows.append(
            RecapRow(
                code=code or "",
                name=region_name(code, level),
                level=level,
                parent=par,
                **dict(zip(COUNT_FIELDS, (int(c) for c in counts), strict=True)),
            )
        )
    rows.sort(key=lambda r: (-r.gap, -r.dpt, r.code == "", r.code))
    return Recap(
        level=level,
        within=within,
        rows=rows,
        total=total_of(rows, code=within or "", name=_within_name(within) or "Jumlah"),
        source=src,
        within_name=_within_name(within),
    )


def _within_name(within: str | None) -> str | None:
    return region_name(within) if within else None


def total_of(rows: list[RecapRow], *, code: str = "", name: str = "Jumlah") -> RecapRow:
    """The sum of ``rows`` (level ``total``)."""
    total = RecapRow(code=code, name=name, level="total")
    for r in rows:
        for f in COUNT_FIELDS:
            setattr(total, f, getattr(total, f) + getattr(r, f))
    return total
