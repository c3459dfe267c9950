"""Imports into the workspace: DPT versions, register snapshots, history, rejects files.

An import is atomic: files are read into TEMP tables first (nothing in the workspace file
changes while reading), then one transaction appends the rows, the rejects and the
``imports`` record. A process killed at any point leaves the workspace as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import hashlib
import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from padan.engine import Engine
from padan.errors import PadanError
from padan.ingest.load import LoadReport, Progress, load_dpt, load_registry
from padan.ingest.readers import FileInfo, checked_path, file_sha256, folder_files

DPT_COLUMNS = (
    "row_id, source_file, source_sheet, source_row, kode_kab, kode_kec, kode_desa, tps, tps_key, "
    "nik, nik_raw, nik_flags, nkk, nama, tempat_lahir, tanggal_lahir, usia, status_kawin, "
    "jenis_kelamin, alamat, rt, rw, disabilitas, ktp_el, keterangan, raw"
)
REGISTRY_COLUMNS = (
    "row_id, nik, no_kk, nama, tempat_lahir, tanggal_lahir, jenis_kelamin, status_kawin, alamat, "
    "rt, rw, kode_desa, status_ktp_el, tgl_rekam"
)
REJECT_COLUMNS = (
    "source_file, source_sheet, source_row, reason, column_name, value_masked, message, raw"
)


@dataclass
class ImportResult:
    import_id: int
    report: LoadReport | None  # None when the import was skipped as a duplicate
    skipped_duplicate: bool = False


def hash_inputs(
    paths: Sequence[Path | str], by_path: dict[str, str] | None = None
) -> list[FileInfo]:
    """The files a user named (a folder: its CSV/XLSX files; a zip: the zip), with hashes
    (also put in ``by_path``, keyed by resolved path, so the reader need not hash again)."""
    out: list[FileInfo] = []
    by_path = {} if by_path is None else by_path
    for raw in paths:
        p = checked_path(raw)
        if p.is_dir():
            files = folder_files(p)
            for f in files:
                sha = by_path[str(f.resolve())] = file_sha256(f)
                out.append(FileInfo(str(f.relative_to(p.parent)), sha, f.stat().st_size))
        else:
            sha = by_path[str(p.resolve())] = file_sha256(p)
            out.append(FileInfo(p.name, sha, p.stat().st_size))
    return out


def content_hash(kind: str, files: Sequence[FileInfo]) -> str:
    """Same files (in any order) -> same hash: the duplicate-import key."""
    h = hashlib.sha256(kind.encode())
    for s in sorted(f.sha256 for f in files):
        h.update(s.encode())
    return h.hexdigest()


def _who(by: str | None) -> str:
    if by:
        return by
    try:
        return os.environ.get("USER") or getpass.getuser()
    except Exception:  # no user database entry (containers)
        return "tidak diketahui"


def _duplicate(engine: Engine, kind: str, chash: str) -> int | None:
    row = engine.one(
        "SELECT import_id FROM imports WHERE kind = $1 AND content_hash = $2 ORDER BY import_id DESC LIMIT 1",
        [kind, chash],
    )
    return int(row[0]) if row else None


def _record(
    engine: Engine,
    kind: str,
    report: LoadReport,
    tmp: str,
    *,
    pemilihan: str | None,
    versi: str | None,
    snapshot: dt.date | None,
    delta: bool,
    by: str | None,
    chash: str,
) -> int:
    with engine.transaction():
        import_id = int(engine.one("SELECT nextval('import_id_seq')")[0])
        if kind == "dpt":
            engine.execute(
                f"INSERT INTO dpt_rows (import_id, {DPT_COLUMNS}) SELECT {import_id}, {DPT_COLUMNS} FROM {tmp}"
            )
        else:
            engine.execute(
                f"INSERT INTO registry_rows (import_id, snapshot_date, {REGISTRY_COLUMNS}) "
                f"SELECT {import_id}, $1, {REGISTRY_COLUMNS} FROM {tmp}",
                [snapshot],
            )
        engine.execute(
            f"INSERT INTO import_rejects (import_id, {REJECT_COLUMNS}) SELECT {import_id}, {REJECT_COLUMNS} FROM {tmp}_rejects"
        )
        warnings = [asdict(w) for w in report.warnings]
        engine.execute(
            "INSERT INTO imports (import_id, kind, pemilihan, versi, snapshot_date, is_delta, imported_by, "
            "files, content_hash, raw_columns, rows_read, accepted, rejected, report) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            [
                import_id,
                kind,
                pemilihan,
                versi,
                snapshot,
                delta,
                _who(by),
                json.dumps([asdict(f) for f in report.files]),
                chash,
                report.raw_columns,
                report.rows_read,
                report.accepted,
                report.rejected,
                json.dumps(
                    {
                        "warnings": warnings,
                        "date_order": report.date_order,
                        "skipped_rows": report.skipped_rows,
                        # where each input column's value is kept (dpt_rows.raw[k] or a column)
                        "raw_sources": report.raw_sources,
                    }
                ),
            ],
        )
    return import_id


def _import(
    engine: Engine,
    kind: str,
    paths: Sequence[Path],
    *,
    force: bool,
    mapping,
    progress: Progress,
    **meta,
) -> ImportResult:
    if progress:
        progress("hash", 0, None)
    hashes: dict[str, str] = {}
    chash = content_hash(kind, hash_inputs(paths, hashes))
    if not force:
        dup = _duplicate(engine, kind, chash)
        if dup is not None:
            return ImportResult(dup, None, True)
    tmp = f"_padan_import_{secrets.token_hex(4)}"
    loader = load_dpt if kind == "dpt" else load_registry
    try:
        report = loader(
            engine,
            paths,
            table=tmp,
            mapping=mapping,
            progress=progress,
            temporary=True,
            known_hashes=hashes,
        )
        if progress:
            progress("simpan", 0, None)
        import_id = _record(engine, kind, report, tmp, chash=chash, **meta)
    finally:
        engine.execute(f"DROP TABLE IF EXISTS {tmp}")
        engine.execute(f"DROP TABLE IF EXISTS {tmp}_rejects")
    return ImportResult(import_id, report, False)


def import_dpt(
    engine: Engine,
    paths: Sequence[Path],
    *,
    pemilihan: str,
    versi: str = "DPT",
    by: str | None = None,
    force: bool = False,
    mapping: dict[str, str] | None = None,
    progress: Progress = None,
) -> ImportResult:
    """Import a DPT version (DPS, DPSHP, DPT, ...) for an election profile."""
    versi = (versi or "DPT").strip().upper()
    if not versi:
        raise PadanError(
            "VERSI_KOSONG", "Nama versi DPT tidak boleh kosong.", hint="Contoh: --versi DPT"
        )
    return _import(
        engine,
        "dpt",
        paths,
        force=force,
        mapping=mapping,
        progress=progress,
        pemilihan=pemilihan,
        versi=versi,
        snapshot=None,
        delta=False,
        by=by,
    )


def import_registry(
    engine: Engine,
    paths: Sequence[Path],
    *,
    tanggal: dt.date,
    delta: bool = False,
    by: str | None = None,
    force: bool = False,
    mapping: dict[str, str] | None = None,
    progress: Progress = None,
) -> ImportResult:
    """Import a register snapshot (full, or ``delta``: only the rows changed) as of ``tanggal``."""
    if not isinstance(tanggal, dt.date):
        raise PadanError(
            "TANGGAL_SALAH", f"Tanggal snapshot {tanggal!r} tidak valid.", hint="Format: YYYY-MM-DD"
        )
    if delta:
        full = engine.one(
            "SELECT count(*) FROM imports WHERE kind = 'registry' AND NOT is_delta AND snapshot_date <= $1",
            [tanggal],
        )
        if not full or not full[0]:
            raise PadanError(
                "SNAPSHOT_PENUH_BELUM_ADA",
                f"Belum ada snapshot penuh data Dukcapil pada atau sebelum {tanggal:%d-%m-%Y}; delta tidak bisa dipakai.",
                hint="Impor dulu ekstrak penuh (tanpa --delta).",
            )
    return _import(
        engine,
        "registry",
        paths,
        force=force,
        mapping=mapping,
        progress=progress,
        pemilihan=None,
        versi=None,
        snapshot=tanggal,
        delta=delta,
        by=by,
    )


def registry_as_of(engine: Engine, tanggal: dt.date, name: str = "registry_current") -> int:
    """Create TEMP view ``name``: the register as of ``tanggal`` (latest full snapshot on or
    before it, overlaid with later deltas up to it, latest row per NIK). Returns its rows."""
    full = engine.one(
        "SELECT import_id, snapshot_date FROM imports WHERE kind = 'registry' AND NOT is_delta "
        "AND snapshot_date <= $1 ORDER BY snapshot_date DESC, import_id DESC LIMIT 1",
        [tanggal],
    )
    if not full:
        raise PadanError(
            "DATA_DUKCAPIL_BELUM_ADA",
            f"Belum ada snapshot penuh data Dukcapil pada atau sebelum {tanggal:%d-%m-%Y}.",
            hint="Impor ekstrak Dukcapil dengan `padan import registry FILE --tanggal YYYY-MM-DD`.",
        )
    fid, fdate = int(full[0]), full[1]
    if not name.replace("_", "").isalnum():
        raise PadanError("NAMA_TABEL_SALAH", f"Nama tabel {name!r} tidak boleh dipakai.")
    engine.execute(
        f"CREATE OR REPLACE TEMP VIEW {name} AS "
        f"SELECT * EXCLUDE (_rn) FROM (SELECT r.*, row_number() OVER (PARTITION BY r.nik "
        f"ORDER BY r.snapshot_date DESC, r.import_id DESC, r.row_id DESC) AS _rn FROM registry_rows r "
        f"WHERE r.import_id = {fid} OR r.import_id IN (SELECT import_id FROM imports WHERE kind = 'registry' "
        f"AND is_delta AND snapshot_date <= DATE '{tanggal.isoformat()}' AND (snapshot_date > DATE '{fdate.isoformat()}' "
        f"OR (snapshot_date = DATE '{fdate.isoformat()}' AND import_id > {fid})))) WHERE _rn = 1"
    )
    return int(engine.one(f"SELECT count(*) FROM {name}")[0])


def latest_dpt_import(engine: Engine, pemilihan: str, versi: str | None = None) -> int | None:
    """The newest DPT import for an election profile (optionally of one version)."""
    sql = "SELECT max(import_id) FROM imports WHERE kind = 'dpt' AND pemilihan = $1"
    params: list = [pemilihan]
    if versi:
        sql += " AND versi = $2"
        params.append(versi.upper())
    row = engine.one(sql, params)
    return int(row[0]) if row and row[0] is not None else None


def list_imports(engine: Engine) -> list[dict]:
    """The import history, newest first."""
    cols = [
        "import_id",
        "kind",
        "pemilihan",
        "versi",
        "snapshot_date",
        "is_delta",
        "imported_by",
        "imported_at",
        "files",
        "rows_read",
        "accepted",
        "rejected",
    ]
    rows = engine.rows(f"SELECT {', '.join(cols)} FROM imports ORDER BY import_id DESC")
    out = []
    for r in rows:
        d = dict(zip(cols, r, strict=True))
        d["files"] = json.loads(d["files"]) if isinstance(d["files"], str) else d["files"]
        out.append(d)
    return out


def write_rejects(engine: Engine, import_id_or_table: int | str, path: Path) -> int:
    """Write rejected rows as a CSV the user can fix and re-import: the original columns, then
    ALASAN, KOLOM, PESAN (UTF-8 with BOM so that Excel shows names correctly). Returns rows."""
    if isinstance(import_id_or_table, int):
        row = engine.one(
            "SELECT raw_columns FROM imports WHERE import_id = $1", [import_id_or_table]
        )
        if not row:
            raise PadanError(
                "IMPOR_TIDAK_ADA",
                f"Impor #{import_id_or_table} tidak ada.",
                hint="Lihat `padan imports`.",
            )
        header = list(row[0] or [])
        rows = engine.rows(
            "SELECT raw, reason, column_name, message FROM import_rejects WHERE import_id = $1 "
            "ORDER BY source_file, source_sheet NULLS FIRST, source_row",
            [import_id_or_table],
        )
    else:
        table = str(import_id_or_table)
        if not table.replace("_", "").isalnum() or not engine.table_exists(table):
            raise PadanError("TABEL_TIDAK_ADA", f"Tabel penolakan {table!r} tidak ada.")
        c = engine.one("SELECT comment FROM duckdb_tables() WHERE table_name = $1", [table])
        header = json.loads(c[0]) if c and c[0] else []
        rows = engine.rows(f"SELECT raw, reason, column_name, message FROM {table}")
    width = max([len(header)] + [len(r[0] or []) for r in rows])
    header = header + [f"KOLOM_{i + 1}" for i in range(len(header), width)]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([*header, "ALASAN", "KOLOM", "PESAN"])
        for raw, reason, column, message in rows:
            vals = ["" if v is None else v for v in (raw or [])]
            vals += [""] * (width - len(vals))
            w.writerow([*vals, reason or "", column or "", message or ""])
    return len(rows)
