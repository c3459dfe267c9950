"""Loading DPT and register files into canonical tables (no workspace needed).

Pipeline: every file/sheet is read as text into one staging table (DuckDB ``read_csv`` for
CSV, fastexcel -> Arrow for XLSX), in input order; its header found under any title rows and
its columns mapped onto the first file's header. Then one SQL statement builds the canonical
table (dates, codes, regions, TPS key, NIK flags) and another the rejects. Python only sees
headers, distinct region names and a few aggregates, never the rows.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from padan.engine import Engine
from padan.errors import PadanError
from padan.identity.nik import EXACT_DOUBLE_LIMIT, TEST_VALUES, nik_cleaned_sql
from padan.ingest import normalize as N
from padan.ingest.columns import (
    FIELDS,
    REJECT_COLUMNS,
    norm_name,
    normalize_mapping,
    other_candidates,
    resolve,
    score_header,
)
from padan.ingest.readers import (
    CSV_HEADER_MIN_SCORE,
    CsvPlan,
    FileInfo,
    SheetData,
    Source,
    expand,
    file_sha256,
    plan_csv,
    read_csv_python,
    read_workbook,
    scan_text,
)
from padan.ingest.regions import resolve_regions
from padan.privacy import mask_nik, mask_nik_sql
from padan.reference import wilayah

Progress = Callable[[str, int, int | None], None] | None

XLSX_BATCH_ROWS = 200_000
# XLSX files parsed ahead of the one being staged, on worker threads (fastexcel releases the
# GIL), when they are small: one file per kelurahan is the usual export. A large workbook is
# read sheet by sheet as it is staged, so that its sheets are not all in memory at once.
XLSX_AHEAD = 4
XLSX_AHEAD_MAX_BYTES = 32 << 20
MAX_TREE = 20_000  # more skipped/rejected rows than this: number rows with a window instead
# The register's area code: its number columns and their widths, in order.
AREA_PARTS = (("no_prop", 2), ("no_kab", 2), ("no_kec", 2), ("no_kel", 4))
LUT_MAX = 200_000  # a field with more distinct values than this is normalised row by row
LUT_CASE_MAX = 8
"""A field with at most this many distinct values is looked up by a CASE over them (a few
string comparisons a row): for L/P or marital status, 4x cheaper than the ENUM lookup."""
NOTE_LABELS = {
    "BARIS_JUDUL_DILEWATI": "Baris di atas judul kolom dilewati",
    "LEMBAR_DILEWATI": "Lembar tanpa baris judul kolom yang dikenali dilewati",
    "BERKAS_DILEWATI": "Berkas .txt di folder/zip tanpa baris judul kolom yang dikenali dilewati",
    "ENKODING_WINDOWS_1252": "Dibaca sebagai Windows-1252 (bukan UTF-8)",
    "ENKODING_UTF16": "Dibaca sebagai UTF-16",
    "KOLOM_TAMBAHAN": "Kolom yang tidak ada di berkas pertama ditambahkan di akhir (kosong untuk berkas lain)",
    "KOLOM_TIDAK_ADA_DI_BERKAS": "Kolom dari berkas pertama tidak ada; dibiarkan kosong",
    "KOLOM_TANPA_NAMA": "Nilai di luar kolom yang berjudul dibaca sebagai kolom tanpa nama",
}


@dataclass
class ImportWarning:
    code: str
    message: str  # Bahasa Indonesia
    rows: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    kind: str
    files: list[FileInfo]
    rows_read: int
    accepted: int
    rejected: int
    raw_columns: list[str]
    warnings: list[ImportWarning]
    rejects_table: str | None
    date_order: dict[str, str] = field(default_factory=dict)  # file -> "DMY" | "MDY"
    skipped_rows: int = 0  # blank lines and repeated header rows (not data, not counted)
    # DPT: where each input column's value is kept, in header order: ``raw[k]`` (the row's
    # ``raw`` list) or SQL over the canonical columns that gives it back exactly (``nik_raw``,
    # ``nama``, ``coalesce(nkk, '')``, ``strftime(tanggal_lahir, '%d-%m-%Y')``). See
    # docs/import.md; :func:`input_sources`.
    raw_sources: list[str] = field(default_factory=list)
    # register: rows whose NIK an earlier row of the same extract has (NIK_GANDA_DI_REGISTER)
    repeated_niks: int = 0
    # up to 3 rejected rows, as "file baris N: REASON (masked value)", for messages
    reject_examples: list[str] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        import hashlib

        h = hashlib.sha256(self.kind.encode())
        for s in sorted(f.sha256 for f in self.files):
            h.update(s.encode())
        return h.hexdigest()


def input_sources(report: LoadReport) -> list[str]:
    """SQL over a DPT table loaded with ``report``: each input column's value as read, in
    header order (``raw[k]`` or the canonical column that keeps it unchanged)."""
    return report.raw_sources or [f"raw[{i + 1}]" for i in range(len(report.raw_columns))]


def load_dpt(
    engine: Engine,
    paths: Sequence[Path],
    *,
    table: str,
    mapping: dict[str, str] | None = None,
    progress: Progress = None,
    temporary: bool = False,
    known_hashes: dict[str, str] | None = None,
    hash_files: bool = True,
) -> LoadReport:
    """Read DPT files into ``table`` (canonical DPT columns, input order) and ``{table}_rejects``.

    ``hash_files=False``: no sha256 of the files (only a workspace import needs it)."""
    return _Loader(
        engine, "dpt", table, mapping, progress, temporary, known_hashes, hash_files=hash_files
    ).run(paths)


def load_registry(
    engine: Engine,
    paths: Sequence[Path],
    *,
    table: str,
    mapping: dict[str, str] | None = None,
    progress: Progress = None,
    temporary: bool = False,
    known_hashes: dict[str, str] | None = None,
    fields: Collection[str] | None = None,
    hash_files: bool = True,
) -> LoadReport:
    """Read register extracts into ``table`` (canonical register columns + row_id) and
    ``{table}_rejects``.

    ``fields``: read only these canonical fields; the others are not checked, not kept in
    a rejected row, and NULL, or left out of the table for the address, RT/RW and recording
    date (the one-shot match reads none of them).
    ``hash_files=False``: no sha256 of the files (``FileInfo.sha256`` stays empty; only a
    workspace import needs it)."""
    return _Loader(
        engine, "registry", table, mapping, progress, temporary, known_hashes,
        hash_files=hash_files, only=fields,
    ).run(paths)  # fmt: skip


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _blank(col: str) -> str:
    """``coalesce(strip(col), '') = ''`` without stripping the cells that start with a
    visible ASCII character (nearly all of them): such a cell cannot be blank (the blanks,
    ``normalize.BLANKS``, are never printable ASCII)."""
    # CASE, not AND/OR: inside a function or a projection DuckDB evaluates both sides of
    # AND/OR for every row; CASE evaluates a branch only for the rows that reach it.
    return (
        f"(CASE WHEN {col} IS NULL OR {col} = '' THEN true "
        f"WHEN ascii({col}) BETWEEN 33 AND 126 THEN false ELSE {N.strip(col)} = '' END)"
    )


def _rank_tree(ex: list[int]) -> str:
    """SQL: how many of the sorted rowids ``ex`` are smaller than ``rowid`` (a CASE tree)."""

    def tree(lo: int, hi: int) -> str:
        if lo == hi:
            return str(lo)
        mid = (lo + hi) // 2
        return f"CASE WHEN rowid > {ex[mid]} THEN {tree(mid + 1, hi)} ELSE {tree(lo, mid)} END"

    return tree(0, len(ex))


def _member_tree(ex: list[int]) -> str:
    """SQL: ``rowid`` is one of the sorted rowids ``ex`` (a CASE tree; ``false`` when empty)."""
    if not ex:
        return "false"

    def tree(lo: int, hi: int) -> str:
        if hi - lo <= 4:
            return "(" + " OR ".join(f"rowid = {x}" for x in ex[lo:hi]) + ")"
        mid = (lo + hi) // 2
        return f"(CASE WHEN rowid >= {ex[mid]} THEN {tree(mid, hi)} ELSE {tree(lo, mid)} END)"

    return f"(rowid BETWEEN {ex[0]} AND {ex[-1]} AND {tree(0, len(ex))})"


_WARM = threading.Lock()


class _Scans:
    """How many encoding scans are running (in any loader of this process).

    The scans and the reference warm-up are Python that holds the GIL; DuckDB's read of a
    file waits for its scan. Begun together (the DPT's and the register's loaders run at
    once), the three took about twice as long as each alone, so the warm-up waits until no
    scan is running (at most a few seconds: it is only a head start).
    """

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.running = 0

    def __enter__(self) -> None:
        with self.cond:
            self.running += 1

    def __exit__(self, *exc: object) -> None:
        with self.cond:
            self.running -= 1
            self.cond.notify_all()

    def wait_idle(self, timeout: float) -> None:
        with self.cond:
            self.cond.wait_for(lambda: self.running == 0, timeout)


_SCANS = _Scans()


def _warm_reference() -> None:
    """Read the area reference into its caches (run in a thread; the caches are plain
    ``functools.cache``: the main thread waits for this before it uses them; the lock keeps
    two loaders running at once from both reading it)."""
    _SCANS.wait_idle(5.0)
    with _WARM:
        try:
            wilayah.regions()
            wilayah.children(None)
            wilayah.resolver()
        except Exception:  # noqa: BLE001 - the main thread reads it again and reports
            pass


def _most_specific(codes: tuple) -> str | None:
    """The most specific of (kabupaten, kecamatan, desa) codes."""
    return next((c for c in reversed(codes) if c), None)


def _nested(codes: tuple) -> bool:
    """(kabupaten, kecamatan, desa) codes, each the prefix of the next that is given, of
    lengths 4, 6 and 10, with none missing above a given one."""
    given = [c for c in codes if c]
    return all(c for c in codes[: len(given)]) and all(
        len(c) == n and (i == 0 or c.startswith(given[i - 1]))
        for i, (c, n) in enumerate(zip(given, (4, 6, 10), strict=False))
    )


def _at(file: str, sheet: str | None, row: int) -> str:
    """Where a row is, for messages: ``dpt.xlsx/DPT baris 12``."""
    return f"{file}{'/' + sheet if sheet else ''} baris {row}"


def _trimmed(v: str, mdy: str) -> str:
    """A text field, trimmed, NULL when blank (the ``fn`` form :meth:`_Loader._lut` takes)."""
    return N.clean(v)


@dataclass(frozen=True)
class _Steps:
    """An ``fn`` for :meth:`_Loader._lut` made of steps, each applied to the one before:
    ``fn(v, mdy) = steps[-1](... steps[0](v, mdy) ..., mdy)``. Over the distinct values each
    step is its own projection (:func:`_values_sql`), so a value is cleaned once and parsed
    once: written as one expression, the date rule repeats the cleaned value 34 times (15 KB
    of SQL, 0.13 s of DuckDB's planning and 0.2 CPU-s for the 55 000 dates of a 1 M DPT,
    against 2.6 KB, 0.01 s and 0.13 CPU-s in steps). ``sql_type``: the type of the result, so
    that a field not read is a typed NULL and not the whole rule applied to NULL."""

    steps: tuple[Callable[[str, str], str], ...]
    sql_type: str

    def __call__(self, v: str, mdy: str) -> str:
        for step in self.steps:
            v = step(v, mdy)
        return v


def _values_sql(fn: Callable[[str, str], str], source: str, orders: Sequence[str]) -> str:
    """SQL of ``v`` and ``fn(v, m)`` as ``x0``, ``x1``... (one per day/month order ``m``) for
    the rows of ``source`` (a query with a column ``v``); a :class:`_Steps` step by step."""
    steps = fn.steps if isinstance(fn, _Steps) else (fn,)
    prev = ["v"] * len(orders)
    sql = source
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        names = [f"x{k}" if last else f"_s{i}_{k}" for k in range(len(orders))]
        cols = ", ".join(
            f"{step(c, m)} AS {n}" for c, m, n in zip(prev, orders, names, strict=True)
        )
        sql = f"SELECT v, {cols} FROM ({sql})"
        prev = names
    return sql


# A field's date (contract formats, day/month order ``mdy``), kept only when plausible.
_date = _Steps(
    (
        lambda v, mdy: N.clean(v),
        N.parse_date,
        lambda d, mdy: N.plausible_date(d),
    ),
    "DATE",
)


# A register NIK written as a decimal number (7371011203700001.0, as pandas writes a column
# it read as numbers): its 16 digits, when below 2^53, where a double holds every integer
# exactly; above it the digits may not be the NIK, and the record is rejected.
_DECIMAL_NIK = "[0-9]{16}[.,]0+"


def _register_nik_text(col: str) -> str:
    """:func:`normalize.nik_text` of a register NIK cell, a decimal NIK below 2^53 read as
    its 16 digits (see ``_DECIMAL_NIK``)."""
    t = N.nik_text(col)
    return (
        f"CASE WHEN regexp_full_match({t}, '{_DECIMAL_NIK}') "
        f"AND substr({t}, 1, 16) < '{EXACT_DOUBLE_LIMIT}' THEN substr({t}, 1, 16) ELSE {t} END"
    )


def _accepted_nik_text(col: str) -> str:
    """:func:`_register_nik_text` of a register row the classification accepted (its cleaned
    NIK is 16 digits), skipping the trims for a cell of 16 bytes: cleaning only removes
    characters, so such a cell already is those 16 digits. A length instead of a second
    regex over every record (0.9 CPU-s for the 9.5 M records of a province)."""
    return f"CASE WHEN strlen({col}) = 16 THEN {col} ELSE {_register_nik_text(col)} END"


def _ident(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise PadanError("NAMA_TABEL_SALAH", f"Nama tabel {name!r} tidak boleh dipakai.")
    return name


@dataclass
class _Part:
    part: int
    source_file: str
    source_sheet: str | None
    file_no: int
    first_srid: int
    data_start: int | None  # CSV: line of the first data record
    fields: dict[str, int]
    start_srid: int  # first staged row (CSV: title rows and the header come first)


#: CSV files read by one ``read_csv`` at most.
CSV_BATCH = 2000
#: Characters that make DuckDB take a file name as a pattern.
_GLOB_CHARS = re.compile(r"[*?\[\]{}]")


@dataclass
class _CsvRead:
    """A planned CSV file waiting to be read (see :meth:`_Loader._flush_csv`)."""

    src: Source
    file_no: int
    part: int
    plan: CsvPlan
    colmap: list[int | None]
    fields: dict[str, int]
    shape: tuple  # (delimiter, width, column expressions, header test, header line)


class _Loader:
    def __init__(
        self,
        engine: Engine,
        kind: str,
        table: str,
        mapping,
        progress: Progress,
        temporary: bool,
        known_hashes: dict[str, str] | None = None,
        *,
        hash_files: bool = True,
        only: Collection[str] | None = None,
    ):
        self.e = engine
        self.kind = kind
        self.table = _ident(table)
        self.mapping = normalize_mapping(kind, mapping)
        self.progress = progress
        self.temp = "TEMP " if temporary else ""
        u = secrets.token_hex(4)
        self.u = u
        self._temps: list[str] = []  # temp tables and types made for lookups, dropped at the end
        self._types: list[str] = []
        self._dv: dict[str, str] = {}
        # field -> SQL over the canonical columns that gives back the input value exactly
        # (the column itself, or e.g. strftime of the date): such fields stay out of ``raw``
        self.kept: dict[str, str] = {}
        self.raw_sources: list[str] = []
        self.repeated_niks = 0
        self.mdy_mixed = self.all_mdy = False
        self.stg, self.parts_t, self.rej = f"_padan_stg_{u}", f"_padan_parts_{u}", f"_padan_rej_{u}"
        self.raw_columns: list[str] = []
        self.fields: dict[str, int] = {}
        self.parts: list[_Part] = []
        self.files: list[FileInfo] = []
        self.warnings: list[ImportWarning] = []
        self.notes: dict[str, list[tuple[str, int]]] = {}
        self.known_hashes = known_hashes or {}
        self.hash_files = hash_files
        self.only = set(only) if only is not None else None  # canonical fields to read
        self.unread: set[int] = set()  # staged columns left NULL (fields not in ``only``)
        self.has_xlsx = False  # any XLSX part: cell types known (NIK typed as a number)
        # CSV rows with fewer fields than the header, read with the missing trailing fields
        # empty (see _read_padded); staging column ``short``: NULL for a full row
        self.has_short = False
        self.exact_num_parts: list[int] = []  # register sheets of whole number NIKs
        self.rows_staged = 0
        # sheets read and not yet staged: one insert for the sheets of several files (one
        # XLSX per desa: an insert per file cost about 1.7 s of 8.5 for 295 files)
        self._x_pending: list[pa.Table] = []
        self._x_rows = 0
        self.bytes_done = 0
        self.bytes_total = 0
        self._warm: threading.Thread | None = None  # the reference warm-up (_start_warm)
        self._pending: list[_CsvRead] = []  # CSV files planned, read together (_flush_csv)

    # -- progress ----------------------------------------------------------------------
    def _tick(self, n: int) -> None:
        self.bytes_done += n
        if self.progress:
            self.progress("baca", min(self.bytes_done, self.bytes_total), self.bytes_total)

    def _stage(self, name: str) -> None:
        if self.progress:
            self.progress(name, 0, None)

    def _start_warm(self) -> threading.Thread:
        if self._warm is None:
            self._warm = threading.Thread(target=_warm_reference, daemon=True)
            self._warm.start()
        return self._warm

    # -- main --------------------------------------------------------------------------
    def run(self, paths: Sequence[Path]) -> LoadReport:
        # The area reference (about 0.35 s of Python: 91 k regions, the resolver's indexes)
        # is read while DuckDB reads the files, which releases the GIL; it starts after the
        # first file's encoding scan (:meth:`_start_warm`, :class:`_Scans`).
        with tempfile.TemporaryDirectory(prefix="padan-import-") as tmp:
            try:
                sources = expand(paths, Path(tmp))
                self.bytes_total = sum(s.size for s in sources)
                with _XlsxAhead(self._workbook, sources) as ahead:
                    for file_no, src in enumerate(sources):
                        if src.fmt == "csv":
                            self._flush_xlsx()
                            self._read_csv(src, file_no, Path(tmp))
                        else:
                            self._flush_csv()
                            self._read_xlsx(src, file_no, ahead.sheets(file_no))
                self._flush_csv()
                self._flush_xlsx()
                if not self.parts:
                    raise PadanError(
                        "KOLOM_WAJIB_TIDAK_ADA",
                        "Tidak ada lembar atau berkas dengan baris judul kolom yang dikenali.",
                        hint="Baris judul harus memuat kolom seperti NIK, NAMA, TANGGAL_LAHIR (lihat docs/import.md).",
                    )
                self._stage("normalisasi")
                self._start_warm().join()
                return self._build()
            finally:
                for t in (self.stg, self.parts_t, self.rej, "_padan_rj_errors", "_padan_rj_scans"):
                    self.e.execute(f"DROP TABLE IF EXISTS {t}")
                for t in self._temps:
                    self.e.execute(f"DROP TABLE IF EXISTS {t}")
                for t in self._types:
                    self.e.execute(f"DROP TYPE IF EXISTS {t}")

    # -- staging -----------------------------------------------------------------------
    def _create_staging(self, header: list[str], where: str) -> None:
        self.raw_columns = header
        found = resolve(self.kind, header, self.mapping, where)
        labels = {f.key: f.label for f in FIELDS[self.kind]}
        for key, used, other in other_candidates(self.kind, header, found, self.mapping):
            a, b, label = header[used], header[other], labels[key]
            fix = (
                f"ganti nama salah satu kolom {a!r} di berkas"
                if norm_name(a) == norm_name(b)
                else f"petakan dengan --kolom {label}={b} (padan import) atau ganti nama kolomnya"
            )
            self._warn(
                "KOLOM_GANDA",
                f"{where}: kolom {a!r} (kolom ke-{used + 1}) dipakai sebagai {label}; kolom "
                f"{b!r} (kolom ke-{other + 1}) juga cocok dan diteruskan apa adanya.",
                examples=[f"Bila salah, {fix}."],
            )
        self.fields = self._read_only(found)
        self.unread = set(found.values()) - set(self.fields.values())
        cols = ", ".join(f"c{j} VARCHAR" for j in range(len(header)))
        self.e.execute(
            f"CREATE TEMP TABLE {self.stg} (part INTEGER, src_row INTEGER, nik_num BOOLEAN, "
            f"short BOOLEAN, {cols})"
        )
        self.e.execute(
            f"CREATE TEMP TABLE {self.rej} (part INTEGER, line BIGINT, csv_line VARCHAR, error_type VARCHAR, message VARCHAR)"
        )

    def _read_only(self, fields: dict[str, int]) -> dict[str, int]:
        """The resolved fields that are read (``only``), the others left out."""
        if self.only is None:
            return fields
        return {k: i for k, i in fields.items() if k in self.only}

    def _column_map(self, header: list[str], where: str) -> tuple[list[int | None], dict[str, int]]:
        """For each unified column, this part's column index (or None)."""
        header = _strip_reject_columns(header)
        if not self.raw_columns:
            self._create_staging(header, where)
            return list(range(len(header))), self.fields
        fields = self._read_only(resolve(self.kind, header, self.mapping, where))
        normed = [norm_name(h) for h in header]
        by_field = {v: k for k, v in self.fields.items()}
        used: set[int] = set()
        out: list[int | None] = []
        for j, name in enumerate(self.raw_columns):
            idx = None
            f = by_field.get(j)
            if f and f in fields:
                idx = fields[f]
            elif norm_name(name) in normed:
                idx = normed.index(norm_name(name))
            if idx is not None and idx in used:
                idx = None
            if idx is not None:
                used.add(idx)
            out.append(idx)
        # Nothing lost: a column the first file lacks is added after the others (empty for
        # the rows of files without it), and a field it carries is read from it.
        extra = [i for i in range(len(header)) if i not in used]
        for i in extra:
            j = len(self.raw_columns)
            self.raw_columns = [*self.raw_columns, header[i]]
            self.e.execute(f"ALTER TABLE {self.stg} ADD COLUMN c{j} VARCHAR")
            out.append(i)
            field = next((f for f, k in fields.items() if k == i), None)
            if field is not None and field not in self.fields:
                self.fields = {**self.fields, field: j}
        if extra:
            self._note(
                "KOLOM_TAMBAHAN",
                f"{where}: kolom {', '.join(repr(header[i]) for i in extra)} tidak ada di berkas "
                "pertama; ditambahkan di akhir (kosong untuk berkas lain).",
            )
        missing = [
            self.raw_columns[j]
            for j, i in enumerate(out)
            if i is None and str(self.raw_columns[j]).strip()
        ]
        if missing:
            self._note(
                "KOLOM_TIDAK_ADA_DI_BERKAS",
                f"{where}: kolom {', '.join(repr(x) for x in missing)} dari berkas pertama tidak ada; dibiarkan kosong.",
            )
        return out, fields

    def _warn(
        self, code: str, message: str, rows: int = 0, examples: list[str] | None = None
    ) -> None:
        self.warnings.append(ImportWarning(code, message, rows, examples or []))

    def _note(self, code: str, message: str, rows: int = 0) -> None:
        """A per-file remark: with one file per kelurahan there can be thousands, so they are
        summed into one warning per code at the end (:meth:`_flush_notes`)."""
        self.notes.setdefault(code, []).append((message, rows))

    def _flush_notes(self) -> None:
        for code, items in self.notes.items():
            rows = sum(r for _, r in items)
            if len(items) == 1:
                self._warn(code, items[0][0], rows)
                continue
            label = NOTE_LABELS.get(code, code)
            self._warn(
                code,
                f"{label}: {len(items)} berkas/lembar" + (f", {rows} baris" if rows else "") + ".",
                rows,
                [m for m, _ in items[:3]],
            )

    def _read_csv(self, src: Source, file_no: int, tmp: Path) -> None:
        """Plan one CSV file (encoding, dialect, header, columns) and queue it: files of the
        same shape are read together by one ``read_csv`` (:meth:`_flush_csv`)."""
        with _SCANS:
            utf8, enc = scan_text(src.path, tmp, self._tick)
        self._start_warm()
        hasher = self._hash_in_background(src)
        plan = plan_csv(self.kind, utf8, enc, src.display, self.mapping)
        if enc == "windows-1252":
            self._note(
                "ENKODING_WINDOWS_1252",
                f"{src.display}: dibaca sebagai Windows-1252 (bukan UTF-8).",
            )
        elif enc == "utf-16":
            self._note("ENKODING_UTF16", f"{src.display}: dibaca sebagai UTF-16.")
        if plan.title_rows:
            self._note(
                "BARIS_JUDUL_DILEWATI",
                f"{src.display}: {plan.title_rows} baris di atas judul kolom (baris {plan.header_line}) dilewati.",
                plan.title_rows,
            )
        if plan.unnamed_tail:
            self._note(
                "KOLOM_TANPA_NAMA",
                f"{src.display}: setiap baris data berakhir dengan {plan.unnamed_tail} pemisah "
                "lebih banyak dari baris judul; dibaca sebagai kolom tanpa nama.",
            )
        if _notes_file(src, plan.header, self.kind, self.mapping):
            self._note(
                "BERKAS_DILEWATI",
                f"{src.display}: berkas .txt tanpa baris judul kolom yang dikenali (catatan "
                "atau README?); dilewati.",
            )
            self._finish_hash(src, hasher)
            return
        colmap, fields = self._column_map(plan.header, src.display)
        width = len(plan.header)
        exprs = ", ".join(
            f"c{i}" if i is not None and j not in self.unread else "NULL"
            for j, i in enumerate(colmap)
        )
        # The header row (and title rows that happen to have as many fields) are read too:
        # data starts after the first row equal to the header.
        conds = " AND ".join(
            f"trim(coalesce(c{j}, '')) = {_q(str(plan.header[i]).strip())}"
            for j, i in enumerate(colmap)
            if i is not None and j not in self.unread
        )
        shape = (plan.delimiter, width, exprs, conds, plan.header_line)
        if self._pending and (self._pending[0].shape != shape or len(self._pending) >= CSV_BATCH):
            self._flush_csv()
        part = len(self.parts) + len(self._pending)
        self._pending.append(_CsvRead(src, file_no, part, plan, colmap, fields, shape))
        # (hashed now rather than at the read: a queue of files each with its own thread)
        self._finish_hash(src, hasher)

    def _flush_csv(self) -> None:
        """Read the queued CSV files: several of the same shape by one ``read_csv`` of the
        list, each row's part from its place in the list. One file per kelurahan is the usual
        export: per file, the statements around a read (rejects, header search, count) cost
        more than reading it (``load_dpt`` of 1 155 files of 1 M voters: 22.8-25.3 s file by
        file, 6.8 s together). Files whose names ``read_csv`` would take as a pattern, and a
        batch that DuckDB's strict parser refuses, are read one by one; a file it refuses
        on its own is read by the lenient reader."""
        batch, self._pending = self._pending, []
        together = len(batch) > 1 and not any(_GLOB_CHARS.search(str(r.plan.path)) for r in batch)
        if together and self._read_strict(batch):
            return
        for r in batch:
            if not self._read_strict([r]):
                self._read_lenient(r)

    def _csv_options(self, delimiter: str, width: int, padded: str = "") -> str:
        """``read_csv`` options. ``padded`` (``parallel`` or ``serial``): a row with fewer
        fields than the header is read with the missing trailing fields NULL (an empty field
        is '', ``nullstr``); DuckDB's parallel reader refuses that when a value holds a line
        break, and the serial one is slower (a 1 M-row file: about 3 s more)."""
        cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
        delim = delimiter.replace("'", "''")
        pad = {"": "false", "parallel": "true", "serial": "true, parallel=false"}[padded]
        return (
            f"delim='{delim}', quote='\"', escape='\"', header=false, "
            f"auto_detect=false, columns={cols}, strict_mode=true, null_padding={pad}, "
            "ignore_errors=true, store_rejects=true, rejects_table='_padan_rj_errors', "
            "rejects_scan='_padan_rj_scans', nullstr='\x01', encoding='utf-8', max_line_size=8000000"
        )

    def _short_sql(self, colmap: list[int | None], width: int) -> str:
        """The staging column ``short`` of a padded read: NULL for a full row; for a row with
        fewer fields, whether it lacks a required column (then it is a broken line, rejected
        as BARIS_RUSAK) or only trailing optional ones (then it is read, those fields empty:
        Excel leaves off the delimiters of empty last cells in blocks of rows when it saves
        a CSV, and KPU's last column, KETERANGAN, is usually empty)."""
        lacks = " OR ".join(f"c{i} IS NULL" for i in self._required_file_columns(colmap))
        return f"CASE WHEN c{width - 1} IS NOT NULL THEN NULL ELSE ({lacks or 'false'}) END"

    def _required_file_columns(self, colmap: list[int | None]) -> list[int]:
        """The file's column indices (``colmap``: staging column -> file column) of the
        required fields: a short row is read only when it has all of them."""
        required = {f.key for f in FIELDS[self.kind] if f.required}
        return sorted(
            {colmap[j] for k, j in self.fields.items() if k in required and colmap[j] is not None}
        )

    def _drop_read_rejects(self) -> None:
        """The tables in which ``read_csv`` (store_rejects) puts the lines it refused."""
        self.e.execute(
            "DROP TABLE IF EXISTS _padan_rj_errors; DROP TABLE IF EXISTS _padan_rj_scans"
        )

    def _insert_read(self, batch: list[_CsvRead], options: str, short: str | None = None) -> None:
        """Stage the rows of ``batch``'s files by one ``read_csv`` with ``options``; each row's
        part from its file's place in the list (file_index); ``short``: the staging column
        ``short`` (see ``_short_sql``), else NULL."""
        self.e.execute(
            f"INSERT INTO {self.stg} (part, src_row, nik_num, short, {_names(len(batch[0].colmap))}) "
            f"SELECT {batch[0].part} + file_index, NULL, NULL, {short or 'NULL'}, "
            f"{batch[0].shape[2]} FROM read_csv([{', '.join(_q(str(r.plan.path)) for r in batch)}], "
            f"{options})"
        )

    def _read_padded(self, batch: list[_CsvRead], first: int, restage: bool) -> bool:
        """Stage ``batch`` with its short rows padded (see ``_short_sql``). ``restage``: in
        place of the strict read's rows (staged from ``first``): the rows staged before are
        copied to a new staging table, so that rowids stay dense and in input order. Only
        for a batch whose strict read found such rows, or any batch after one (see
        ``_read_strict``): the copy and the serial read cost more. False, with none of the
        batch's rows staged, when DuckDB refuses the read."""
        delimiter, width = batch[0].shape[:2]
        if restage:
            keep = f"{self.stg}_k"
            self.e.execute(
                f"CREATE TEMP TABLE {keep} AS SELECT * FROM {self.stg} WHERE rowid < {first} "
                "ORDER BY rowid"
            )
            self.e.execute(f"DROP TABLE {self.stg}")
            self.e.execute(f"ALTER TABLE {keep} RENAME TO {self.stg.split('.')[-1]}")
        short = self._short_sql(batch[0].colmap, width)
        for how in ("parallel", "serial"):  # (the parallel read refuses quoted line breaks)
            self._drop_read_rejects()
            try:
                self._insert_read(batch, self._csv_options(delimiter, width, padded=how), short)
                break
            except PadanError:
                raise
            except Exception:  # as in _read_strict: the statement inserts nothing
                pass
        else:
            return False
        self.has_short = True
        return True

    def _read_strict(self, batch: list[_CsvRead]) -> bool:
        """Stage the files of ``batch`` (one or more of one shape) by DuckDB's ``read_csv``;
        False, with nothing staged, when DuckDB refuses the read (an error after it is not
        caught: the rows are staged by then)."""
        delimiter, width, _exprs, conds, header_line = batch[0].shape
        first, base = self.rows_staged, batch[0].part  # (the batch's parts are consecutive)
        self._drop_read_rejects()
        # file_index / file_id: the file's place in the list
        if self.has_short:
            # after a batch with short rows, the next ones (most likely the same export) are
            # read padded at once: restaging after each would copy the rows staged so far
            # again and again
            if not self._read_padded(batch, first, restage=False):
                return False
        else:
            try:
                self._insert_read(batch, self._csv_options(delimiter, width))
            except PadanError:
                raise
            except Exception:  # a file the strict parser refuses (the statement inserts nothing)
                return False
            if self.e.one(
                "SELECT count(*) FROM _padan_rj_errors "
                f"WHERE error_type = 'MISSING COLUMNS' AND line > {header_line}"
            )[0] and not self._read_padded(batch, first, restage=True):
                return False
        self.e.execute(
            f"INSERT INTO {self.rej} SELECT {base} + file_id AS part, line, min(csv_line), "
            "min(error_type), min(error_message) FROM _padan_rj_errors "
            f"WHERE line > {header_line} GROUP BY ALL ORDER BY part, line"
        )
        # Rows are staged in file order (insertion order is kept): each part's rows follow
        # the previous part's, so its first row is counted from the batch's first. The header
        # row (and title rows that happen to have as many fields) are read too: a part's data
        # starts after its first row equal to the header. (The header test as a filter: in an
        # aggregate's FILTER it ran on every row, 0.63 s for 1 M rows.)
        count = f"SELECT part, count(*) FROM {self.stg} WHERE rowid >= {first} GROUP BY part"
        head = (
            f"SELECT part, min(rowid) FROM {self.stg} WHERE rowid >= {first} "
            f"AND {conds or 'false'} GROUP BY part"
        )
        counts = {int(p): int(n) for p, n in self.e.rows(count)}
        heads = {int(p): int(h) for p, h in self.e.rows(head)}
        at = first
        for r in batch:
            self.parts.append(
                _Part(
                    r.part,
                    r.src.display,
                    None,
                    r.file_no,
                    heads.get(r.part, at - 1) + 1,
                    r.plan.header_line + 1,
                    r.fields,
                    at,
                )
            )
            at += counts.get(r.part, 0)
        self.rows_staged = at
        return True

    def _read_lenient(self, r: _CsvRead) -> None:
        """A file DuckDB's strict parser refuses, by Python's csv module (slow, lenient)."""
        first = self.rows_staged
        self._stage_rows_python(r.plan, r.part, r.shape[1], r.colmap)
        self.parts.append(
            _Part(r.part, r.src.display, None, r.file_no, first, None, r.fields, first)
        )

    def _stage_rows_python(
        self, plan: CsvPlan, part: int, width: int, colmap: list[int | None]
    ) -> None:
        cols: list[list[str | None]] = [[] for _ in colmap]
        src_rows: list[int] = []
        shorts: list[bool | None] = []
        bad: list[tuple[int, int, str, str, str]] = []
        # a short row is read when it has every required column (see _short_sql)
        need = 1 + max(self._required_file_columns(colmap), default=-1)
        for line, rec, text in read_csv_python(plan.path, plan.delimiter):
            if line <= plan.header_line:
                continue
            short = None
            if len(rec) != width:
                if len(rec) < width and not any(x.strip() for x in rec):
                    pass  # empty cells only, the last left off: a blank row, skipped below
                elif need <= len(rec) < width:
                    short = False  # read, the missing fields empty (see _short_sql)
                    self.has_short = True
                else:
                    kind = "TOO MANY COLUMNS" if len(rec) > width else "MISSING COLUMNS"
                    bad.append((part, line, text, kind, f"{len(rec)} kolom"))
                    continue
            src_rows.append(line)
            shorts.append(short)
            for j, i in enumerate(colmap):
                cols[j].append(rec[i] if i is not None and i < len(rec) else None)
        t = pa.table(
            {
                "part": pa.array([part] * len(src_rows), pa.int32()),
                "src_row": pa.array(src_rows, pa.int32()),
                "nik_num": pa.nulls(len(src_rows), pa.bool_()),
                "short": pa.array(shorts, pa.bool_()),
                **{f"c{j}": pa.array(c, pa.string()) for j, c in enumerate(cols)},
            }
        )
        self._flush([t])
        if bad:
            b = pa.table(
                {
                    "part": pa.array([r[0] for r in bad], pa.int32()),
                    "line": pa.array([r[1] for r in bad], pa.int64()),
                    "csv_line": pa.array([r[2] for r in bad], pa.string()),
                    "error_type": pa.array([r[3] for r in bad], pa.string()),
                    "message": pa.array([r[4] for r in bad], pa.string()),
                }
            )
            self.e.register("_padan_bad_arrow", b)
            try:
                self.e.execute(f"INSERT INTO {self.rej} SELECT * FROM _padan_bad_arrow")
            finally:
                self.e.unregister("_padan_bad_arrow")

    def _hash_in_background(self, src: Source) -> threading.Thread | None:
        """sha256 of a file the user named, computed while DuckDB reads it (hashlib releases
        the GIL); skipped when the workspace import hashed it already."""
        info = src.info
        if info is None:
            return None
        self.files.append(info)
        if not info.sha256:
            info.sha256 = self.known_hashes.get(str(src.path.resolve()), "")
        if info.sha256 or not self.hash_files:
            return None

        def run() -> None:
            info.sha256 = file_sha256(src.path)

        th = threading.Thread(target=run, daemon=True)
        th.start()
        return th

    @staticmethod
    def _finish_hash(src: Source, th: threading.Thread | None) -> None:
        if th is not None:
            th.join()

    def _workbook(self, src: Source) -> Iterator[SheetData | str]:
        """The sheets of one XLSX file (:func:`read_workbook`); no engine, so that a worker
        thread can parse a file ahead (:class:`_XlsxAhead`)."""

        def keys(header: list[str]) -> list[int]:
            try:
                f = resolve(self.kind, _strip_reject_columns(header), self.mapping, src.display)
            except PadanError:
                return []
            return [f["nik"]] if "nik" in f else []

        return read_workbook(self.kind, src, self.mapping, keys)

    def _read_xlsx(
        self, src: Source, file_no: int, parsed: list[SheetData | str] | None = None
    ) -> None:
        self._start_warm()
        hasher = self._hash_in_background(src)
        any_sheet = False
        for sheet in parsed if parsed is not None else self._workbook(src):
            if isinstance(sheet, str):
                self._note(
                    "LEMBAR_DILEWATI",
                    f"{src.display}, lembar {sheet!r}: tidak ada baris judul kolom yang dikenali; dilewati.",
                )
                continue
            any_sheet = True
            where = f"{src.display}, lembar {sheet.sheet!r}"
            if sheet.header_row > 1:
                self._note(
                    "BARIS_JUDUL_DILEWATI",
                    f"{where}: {sheet.header_row - 1} baris di atas judul kolom (baris {sheet.header_row}) dilewati.",
                    sheet.header_row - 1,
                )
            if sheet.unnamed_tail:
                self._note(
                    "KOLOM_TANPA_NAMA",
                    f"{where}: {sheet.unnamed_tail} kolom berisi nilai di kanan kolom terakhir "
                    "yang berjudul; dibaca sebagai kolom tanpa nama.",
                )
            colmap, fields = self._column_map(sheet.header, where)
            part = len(self.parts)
            n = sheet.table.num_rows
            cols: dict[str, pa.Array | pa.ChunkedArray] = {
                "part": pa.array([part] * n, pa.int32()),
                "src_row": sheet.table.column("src_row"),
            }
            nik_idx = fields.get("nik")
            num = sheet.numeric.get(nik_idx) if nik_idx is not None else None
            cols["nik_num"] = num if num is not None and len(num) == n else pa.nulls(n, pa.bool_())
            for j, i in enumerate(colmap):
                cols[f"c{j}"] = (
                    sheet.table.column(f"c{i}")
                    if i is not None and j not in self.unread
                    else pa.nulls(n, pa.string())
                )
            at = self.rows_staged + self._x_rows
            self.parts.append(_Part(part, src.display, sheet.sheet, file_no, at, None, fields, at))
            self.has_xlsx = True
            self._x_pending.append(pa.table(cols))
            self._x_rows += n
            if self._x_rows >= XLSX_BATCH_ROWS:
                self._flush_xlsx()
        self._tick(src.size)
        self._finish_hash(src, hasher)
        if not any_sheet:
            raise PadanError(
                "KOLOM_WAJIB_TIDAK_ADA",
                f"{src.display}: tidak ada lembar dengan baris judul kolom yang dikenali.",
                hint="Baris judul harus memuat kolom seperti NIK, NAMA, TANGGAL_LAHIR (lihat docs/import.md).",
            )

    def _flush_xlsx(self) -> None:
        """Stage the sheets read so far (before a CSV file is read, and at the end: rows are
        staged in input order)."""
        if self._x_pending:
            tables, self._x_pending, self._x_rows = self._x_pending, [], 0
            self._flush(tables)

    def _flush(self, tables: list[pa.Table]) -> None:
        t = pa.concat_tables(tables, promote_options="permissive")
        name = f"_padan_arrow_{secrets.token_hex(3)}"
        self.e.register(name, t)
        try:
            # by name: a later file may have added columns (_column_map)
            self.e.execute(f"INSERT INTO {self.stg} BY NAME SELECT * FROM {name}")
        finally:
            self.e.unregister(name)
        n = self.e.one(f"SELECT count(*) FROM {self.stg}")
        self.rows_staged = int(n[0]) if n else 0

    # -- building the canonical table ----------------------------------------------------
    def _col(self, key: str) -> str:
        i = self.fields.get(key)
        return f"c{i}" if i is not None else "NULL::VARCHAR"

    def _txt(self, key: str) -> str:
        return N.clean(self._col(key))

    def _texts(self, keys: Sequence[str]) -> dict[str, str]:
        """Free-text fields (names, addresses: too many distinct values for a lookup), each
        trimmed per row -- or taken as it is when one scan shows that no value has blanks
        to trim (then it joins ``self.kept`` and stays out of ``raw``)."""
        present = [k for k in keys if k in self.fields]
        out = {k: self._txt(k) for k in keys}
        if not present:
            return out

        def clean(c: str) -> str:
            # An ASCII value (bytes = characters) starting and ending with a printable
            # character has no blank to strip (normalize.BLANKS). Measured 2x cheaper than
            # comparing with trim().
            # Per field: any NULL (a missing cell), any '' (an empty cell), all clean. A cell
            # of blanks only is not clean (trimmed it is NULL: coalesce, or bool_and would
            # skip it and keep the blanks as a name).
            return (
                f"bool_or({c} IS NULL), bool_or({c} = ''), "
                f"bool_and(CASE WHEN {c} IS NULL OR {c} = '' THEN true WHEN strlen({c}) = length({c}) "
                f"AND ascii({c}) BETWEEN 33 AND 126 AND ascii(({c})[-1]) > 32 THEN true "
                f"ELSE coalesce({N.clean(c)} = {c}, false) END)"
            )

        got = self.e.one(
            f"SELECT {', '.join(clean(self._col(k)) for k in present)} FROM {self.stg} "
            f"WHERE {self.accepted_where}"
        )
        for i, k in enumerate(present):
            nulls, empties, ok = got[3 * i : 3 * i + 3]
            if ok is None or (ok and not empties):  # None: no rows
                out[k], self.kept[k] = self._col(k), k
            elif ok and not nulls:  # empty cells are NULL, and give back ''
                out[k], self.kept[k] = f"NULLIF({self._col(k)}, '')", f"coalesce({k}, '')"
        return out

    def _distinct(self, key: str) -> str | None:
        """A temp table (part, v, n) of one field's raw values and their counts, made once."""
        if key not in self.fields:
            return None
        if key not in self._dv:
            t = f"_padan_dv_{self.u}_{key}"
            self.e.execute(
                f"CREATE TEMP TABLE {t} AS SELECT part, {self._col(key)} AS v, count(*) AS n "
                f"FROM {self.stg} WHERE {self._in_data()} GROUP BY ALL"
            )
            self._temps.append(t)
            self._dv[key] = t
        return self._dv[key]

    def _lut(
        self,
        key: str,
        fn: Callable[[str, str], str],
        text: bool = False,
        fast: Callable[[str], str] | Sequence[Callable[[str], str]] | None = None,
        inverse: Sequence[Callable[[str], str]] = (),
    ) -> str:
        """Per row, ``fn(value, mdy)`` of one field (``mdy``: the part's day/month order),
        computed once per distinct raw value and looked up through an ENUM of those values
        (a hash lookup: no join, input order kept). Dates, codes, L/P repeat: thousands of
        evaluations instead of millions (measured 3-7x cheaper per field).

        Cheaper still, when the distinct values prove it: a ``text`` field whose every value
        is already clean (``fn(v) = v``: 'L', '001') is taken as it is; a field for which a
        cheap per-row expression ``fast(v)`` (a plain cast, a pad) gives ``fn(v)`` for every
        distinct value uses that (a lookup costs about 0.1 s per million rows, a cast 0.02 s).
        When the input value can be given back from the normalised one -- the field itself,
        or one of ``inverse`` (``strftime`` of a date, ``CAST`` of a number) for every
        distinct value -- it is noted in ``self.kept`` and left out of ``raw``."""
        col = self._col(key)
        if key not in self.fields and isinstance(fn, _Steps):  # not read: NULL in every row
            return f"CAST(NULL AS {fn.sql_type})"
        direct = fn(col, self.mdy)
        dv = self._distinct(key)
        if dv is None:
            return direct
        nd = int(self.e.one(f"SELECT count(DISTINCT v) FROM {dv}")[0])
        if nd == 0 or nd > LUT_MAX:
            return direct
        orders = ["false", "true"] if self.mdy_mixed else [self.mdy]
        # fn once per distinct value (a date parse costs ~3 us): every test and the lookup
        # list below read these.
        vals = f"_padan_vals_{self.u}_{key}"
        values = _values_sql(fn, f"SELECT DISTINCT v FROM {dv}", orders)
        self.e.execute(f"CREATE TEMP TABLE {vals} AS {values}")
        self._temps.append(vals)

        fasts = [] if fast is None else [fast] if callable(fast) else list(fast)
        if text:  # clean, but empty cells ('' as read) are NULL
            fasts.insert(0, lambda v: f"NULLIF({v}, '')")
            inverse = (lambda x: f"coalesce({x}, '')", *inverse)
        # Candidates, each a test that must hold for every distinct value v (x: fn(v)).
        tests: list[Callable[[str], str]] = (
            [lambda x: f"{x} IS NOT DISTINCT FROM v"] if text else []
        )
        tests += [lambda x, inv=inv: f"{inv(x)} IS NOT DISTINCT FROM v" for inv in inverse]
        tests += [lambda x, f=f: f"{x} IS NOT DISTINCT FROM {f('v')}" for f in fasts]
        if tests:
            every = ", ".join(
                " AND ".join(f"bool_and({t(f'x{k}')})" for k in range(len(orders))) for t in tests
            )
            ok = list(self.e.one(f"SELECT {every} FROM {vals}"))
            if text and ok.pop(0):
                self.kept[key] = key
                return col
            inv_ok, fast_ok = ok[: len(inverse)], ok[len(inverse) :]
            for inv, good in zip(inverse, inv_ok, strict=True):
                if good:
                    self.kept[key] = inv(key)
                    break
            for f, good in zip(fasts, fast_ok, strict=True):
                if good:
                    return f(col)
        if len(orders) == 1 and nd <= LUT_CASE_MAX:
            return self._case_lookup(col, vals, dv, fn("NULL::VARCHAR", self.mdy))
        ty, lt = f"_padan_enum_{self.u}_{key}", f"_padan_lut_{self.u}_{key}"
        self.e.execute(f"CREATE TEMP TYPE {ty} AS ENUM (SELECT v FROM {vals} WHERE v IS NOT NULL)")
        self._types.append(ty)
        lists = ", ".join(
            f"list(x{k} ORDER BY enum_code(CAST(v AS {ty}))) AS l{k}" for k in range(len(orders))
        )
        self.e.execute(f"CREATE TEMP TABLE {lt} AS SELECT {lists} FROM {vals} WHERE v IS NOT NULL")
        self._temps.append(lt)
        idx = f"enum_code(TRY_CAST({col} AS {ty})) + 1"
        look = f"(SELECT l0 FROM {lt})[{idx}]"
        if self.mdy_mixed:
            look = f"CASE WHEN {self.mdy} THEN (SELECT l1 FROM {lt})[{idx}] ELSE {look} END"
        nulls = _values_sql(fn, "SELECT NULL::VARCHAR AS v", orders)
        all_null = " AND ".join(f"x{k} IS NULL" for k in range(len(orders)))
        if not self.e.one(f"SELECT {all_null} FROM ({nulls})")[0]:
            look = f"CASE WHEN {col} IS NULL THEN {fn('NULL::VARCHAR', self.mdy)} ELSE {look} END"
        return look

    def _case_lookup(self, col: str, vals: str, dv: str, if_null: str) -> str:
        """``fn`` of a field with few distinct values as a CASE over them, the most frequent
        first; a value not among them (none: the distinct values are all the field's) is NULL,
        as in the ENUM lookup."""
        rows = self.e.rows(
            f"SELECT v, CAST(x0 AS VARCHAR) FROM {vals} "
            f"JOIN (SELECT v, sum(n) AS n FROM {dv} GROUP BY v) USING (v) "
            "WHERE v IS NOT NULL ORDER BY n DESC, v"
        )
        ty = dict(self.e.rows(f"SELECT column_name, column_type FROM (DESCRIBE {vals})"))["x0"]

        def lit(x: str | None) -> str:
            return "NULL" if x is None else f"CAST({_q(x)} AS {ty})"

        whens = " ".join(f"WHEN {col} = {_q(v)} THEN {lit(x)}" for v, x in rows)
        return f"CAST(CASE WHEN {col} IS NULL THEN {if_null} {whens} END AS {ty})"

    def _register_parts(self) -> None:
        """A small table of parts (file/sheet) for the rejects; rows use list literals instead
        of joins so that the big statements keep input order without sorting."""
        self.e.execute(
            f"CREATE TEMP TABLE {self.parts_t} (part INTEGER, source_file VARCHAR, source_sheet VARCHAR, "
            "first_srid BIGINT, data_start INTEGER)"
        )
        t = pa.table(
            {
                "part": pa.array([p.part for p in self.parts], pa.int32()),
                "source_file": pa.array([p.source_file for p in self.parts], pa.string()),
                "source_sheet": pa.array([p.source_sheet for p in self.parts], pa.string()),
                "first_srid": pa.array([p.first_srid for p in self.parts], pa.int64()),
                "data_start": pa.array([p.data_start for p in self.parts], pa.int32()),
            }
        )
        self.e.register("_padan_parts_arrow", t)
        try:
            self.e.execute(f"INSERT INTO {self.parts_t} SELECT * FROM _padan_parts_arrow")
        finally:
            self.e.unregister("_padan_parts_arrow")

    def _per_part(self, values: list, kind: str) -> str:
        """``[v0, v1, ...][part + 1]``: a per-part constant without a join."""

        def lit(v) -> str:
            if v is None:
                return f"NULL::{kind}"
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, int):
                return str(v)
            return _q(str(v))

        if len(set(map(repr, values))) == 1:
            return f"CAST({lit(values[0])} AS {kind})"
        return f"CAST([{', '.join(lit(v) for v in values)}][part + 1] AS {kind})"

    def _decide_date_order(self, keys: list[str]) -> tuple[dict[int, bool], dict[str, str]]:
        """Day/month order per file, from values that can only be read one way."""
        tables = [t for t in (self._distinct(k) for k in keys) if t is not None]
        if not tables:
            return {}, {}
        # Over distinct values with their counts (a few tens of thousands of dates), each
        # value classified once and the counts summed per part: with one file per kelurahan
        # the same dates recur in every part (1 155 parts: 1.04 s classifying each part's
        # values, 0.15 s classifying each value once).
        # (each value cleaned once, in a projection of its own: 2 KB of SQL instead of 7)
        distinct = " UNION ALL ".join(f"SELECT part, v, n FROM {t}" for t in tables)
        stats = self.e.rows(
            f"WITH d AS ({distinct}), "
            f"k(v, x0, x1, x2) AS (SELECT v, {N.date_order_stats('c')} "
            f"FROM (SELECT v, {N.clean('v')} AS c FROM (SELECT DISTINCT v FROM d)) "
            "WHERE substr(c, 5, 1) NOT IN ('-', '/') GROUP BY v) "
            "SELECT part, sum(n * x0), sum(n * x1), sum(n * x2) FROM d JOIN k USING (v) "
            "GROUP BY part"
        )
        per_file: dict[int, list[int]] = {}
        part_file = {p.part: p.file_no for p in self.parts}
        names = {p.file_no: p.source_file for p in self.parts}
        for part, dmy_only, mdy_only, amb in stats:
            acc = per_file.setdefault(part_file[part], [0, 0, 0])
            acc[0] += int(dmy_only or 0)
            acc[1] += int(mdy_only or 0)
            acc[2] += int(amb or 0)
        mdy: dict[int, bool] = {}
        order: dict[str, str] = {}
        for file_no, (d, m, a) in per_file.items():
            name = names[file_no]
            if m and not d:
                mdy[file_no] = True
                order[name] = "MDY"
                self._warn(
                    "URUTAN_TANGGAL_BULAN_HARI",
                    f"{name}: tanggal dibaca sebagai BULAN-HARI-TAHUN, karena {m} nilai hanya masuk akal "
                    "dengan urutan itu (bulan > 12) dan tidak ada yang sebaliknya.",
                    m + a,
                )
            else:
                order[name] = "DMY"
                if m and d:
                    self._warn(
                        "URUTAN_TANGGAL_CAMPUR",
                        f"{name}: urutan hari/bulan bercampur ({d} nilai HARI-BULAN, {m} nilai BULAN-HARI); "
                        "dibaca HARI-BULAN-TAHUN, nilai yang tidak cocok dianggap tidak valid.",
                        m,
                    )
                elif a and not d:
                    self._warn(
                        "URUTAN_TANGGAL_AMBIGU",
                        f"{name}: semua {a} tanggal bisa dibaca HARI-BULAN maupun BULAN-HARI; "
                        "diputuskan HARI-BULAN-TAHUN (format kontrak).",
                        a,
                    )
        return mdy, order

    # Row classes, as SQL over the staging table -----------------------------------------
    def _in_data(self) -> str:
        """Staged rows after their part's header (CSV parts also read title rows and the header)."""
        firsts = [p.first_srid if p.data_start is not None else 0 for p in self.parts]
        return f"(src_row IS NOT NULL OR rowid >= {self._per_part(firsts, 'BIGINT')})"

    def _skip_sql(self) -> str:
        """Blank rows and repeated header rows: not data, not counted."""
        n = len(self.raw_columns)
        blank = " AND ".join(_blank(f"c{j}") for j in range(n))
        return f"(({blank}) OR ({self._header_again()}))"

    def _header_again(self) -> str:
        """A data row repeating the header (files concatenated, headers on every page)."""
        conds = []
        for key in ("nik", "nama"):
            if key in self.fields:
                j = self.fields[key]
                label = str(self.raw_columns[j]).strip().upper()
                # ILIKE first: a cheap filter that keeps every candidate, so upper/trim run
                # only on the few cells that contain the label.
                conds.append(
                    f"(CASE WHEN c{j} ILIKE {_q('%' + label + '%')} "
                    f"THEN coalesce(upper(trim(c{j})) = {_q(label)}, false) ELSE false END)"
                )
        return " AND ".join(conds) if conds else "false"

    def _exact_number_parts(self) -> list[int]:
        """The register's sheets whose NIK cells are numbers that kept all 16 digits.

        Excel keeps 15 significant digits: a NIK typed or pasted into a number cell ends in
        0, its last digit lost (NIK_RUSAK_EXCEL). A sheet written by a program stores the
        whole number, and a double holds every 16-digit NIK below 2^53 (provinces 11-90):
        most of its NIKs then end in another digit (a serial ends in 0 one time in ten).
        In such a sheet a NUMBER NIK below 2^53 is the NIK, those ending in 0 too."""
        if self.kind != "registry" or not self.has_xlsx:
            return []  # CSV only: no number cells
        c = self._col("nik")
        rows = self.e.rows(
            f"SELECT part FROM {self.stg} WHERE nik_num AND regexp_full_match({c}, '[0-9]{{16}}') "
            f"GROUP BY part HAVING count(*) FILTER (WHERE NOT ends_with({c}, '0')) * 2 > count(*)"
        )
        return sorted(int(r[0]) for r in rows)

    def _number_nik_kept(self, v: str) -> str:
        """A register NIK cell that Excel holds as a number is still the NIK (see
        :meth:`_exact_number_parts`): below 2^53, and ending in a digit other than 0 (Excel
        cannot have cut it) or in a sheet of such numbers."""
        if not self.has_xlsx:
            return "false"  # CSV only: no number cells, nothing to test per row
        parts = ", ".join(str(p) for p in self.exact_num_parts)
        in_exact = f" OR part IN ({parts})" if parts else ""
        return f"({v} < '{EXACT_DOUBLE_LIMIT}' AND (NOT ends_with({v}, '0'){in_exact}))"

    def _reject_sql(self) -> str:
        """Rows that cannot be a record at all (see docs/import.md)."""
        if self.has_short:  # a short CSV row that lacks a required column: a broken line
            return f"(coalesce(short, false) OR {self._reject_record_sql()})"
        return self._reject_record_sql()

    def _reject_record_sql(self) -> str:
        c = self._col("nik")
        if self.kind == "dpt":
            # no NIK and no name; or a name alone, without birth date and sex (both required
            # columns): a signature or a note under the table (Ketua KPPS), not a voter. The
            # cheap blank tests first: the NIK's cleaning runs only for the rows they keep.
            nama, tgl, jk = (_blank(self._col(k)) for k in ("nama", "tanggal_lahir", "jenis_kelamin"))
            return f"(({nama} OR ({tgl} AND {jk})) AND {N.nik_text(c)} IS NULL)"
        nik_t = _register_nik_text(c)
        damaged = f"(coalesce(nik_num, false) AND NOT {self._number_nik_kept(nik_t)})"
        full = f"NOT coalesce(regexp_full_match({nik_t}, '[0-9]{{16}}') AND NOT {damaged}, false)"
        # A cell that is already 16 digits needs no trimming (the common case, 4x cheaper).
        return (
            f"(CASE WHEN regexp_full_match({c}, '[0-9]{{16}}') "
            f"THEN coalesce(nik_num, false) AND NOT {self._number_nik_kept(c)} ELSE {full} END)"
        )

    def _source_row(self) -> str:
        """Uncorrected source row: XLSX knows it; CSV counts records after the header."""
        starts = [p.data_start for p in self.parts]
        firsts = [p.first_srid for p in self.parts]
        return (
            f"CAST(coalesce(src_row, {self._per_part(starts, 'BIGINT')} + rowid - "
            f"{self._per_part(firsts, 'BIGINT')}) AS INTEGER)"
        )

    def _fix_source_rows(self, table: str, extra: str = "") -> None:
        """CSV records after a rejected (unsplittable) line: shift by the rejected lines before."""
        if not int(self.e.one(f"SELECT count(*) FROM {self.rej}")[0]):
            return
        rc = (
            f"SELECT p.source_file, r.line - p.data_start - (row_number() OVER (PARTITION BY r.part ORDER BY r.line) - 1) "
            f"AS acc_before, row_number() OVER (PARTITION BY r.part ORDER BY r.line) AS cum, p.data_start "
            f"FROM {self.rej} r JOIN {self.parts_t} p USING (part)"
        )
        self.e.execute(f"CREATE OR REPLACE TEMP TABLE _padan_rc AS {rc}")
        self.e.execute(
            f"UPDATE {table} SET source_row = {table}.source_row + x.cum FROM (SELECT t.rowid AS rid, "
            f"(SELECT max(cum) FROM _padan_rc rc WHERE rc.source_file = t.source_file "
            f"AND rc.acc_before <= t.source_row - rc.data_start) AS cum FROM {table} t "
            f"WHERE t.source_sheet IS NULL {extra} AND t.source_file IN (SELECT source_file FROM _padan_rc)) x "
            f"WHERE {table}.rowid = x.rid AND x.cum IS NOT NULL"
        )
        self.e.execute("DROP TABLE IF EXISTS _padan_rc")

    def _build(self) -> LoadReport:
        mdy_files, order = self._decide_date_order(
            ["tanggal_lahir", "tgl_rekam"] if self.kind == "registry" else ["tanggal_lahir"]
        )
        mdy = [bool(mdy_files.get(p.file_no, False)) for p in self.parts]
        self.mdy = self._per_part(mdy, "BOOLEAN")
        self.mdy_mixed = len(set(mdy)) > 1
        self.all_mdy = bool(mdy) and all(mdy)
        self.src_file = self._per_part([p.source_file for p in self.parts], "VARCHAR")
        self.src_sheet = self._per_part([p.source_sheet for p in self.parts], "VARCHAR")
        self._register_parts()
        self.exact_num_parts = self._exact_number_parts()
        self._classify()
        n = len(self.raw_columns)
        raw = f"[{_names(n)}]"
        if self.kind == "dpt":
            self._build_dpt()
        else:
            self._build_registry()
        self._fix_source_rows(self.table)
        self._create_rejects(raw)
        return self._report(order, self.skipped)

    def _classify(self) -> None:
        """Find the staged data rows that are skipped or rejected (few) in one scan, and set
        the SQL for row ids and row classes from them.

        Row ids are dense, 0-based, in input order, computed per row so that the statements
        can run in parallel (``row_number() OVER ()`` would run on one thread): the staging
        rowid minus the staged rows not accepted before it -- title rows per part (a
        constant), and the skipped/rejected rows (a balanced CASE tree over their rowids,
        log2(n) comparisons a row). The same rowids then say, by a tree lookup, which rows are
        accepted or rejected, instead of evaluating the row rules again in every statement.
        With more than MAX_TREE such rows, the rules are evaluated per row and ids numbered
        with a window.
        """
        pre, acc = [], 0
        for p in self.parts:
            acc += max(p.first_srid - p.start_srid, 0)
            pre.append(acc)
        in_data, skip, reject = self._in_data(), self._skip_sql(), self._reject_sql()
        # Two filters, not `skip OR reject`: inside an OR, DuckDB evaluates the blank-row test
        # (a CASE per column) on every row, where as a filter of its own it stops at the first
        # non-blank cell: 1.24 against 2.6 CPU-s for the 9.5 M register rows of a province.
        # A row both skipped and rejected is skipped. (Each filter keeps its first rows only:
        # the first of the union are among them.)
        lim = f"ORDER BY rowid LIMIT {MAX_TREE + 1}"
        out = self.e.rows(
            f"SELECT rowid, bool_or(k) FROM ((SELECT rowid, true AS k FROM {self.stg} "
            f"WHERE {in_data} AND {skip} {lim}) UNION ALL (SELECT rowid, false FROM {self.stg} "
            f"WHERE {in_data} AND {reject} {lim})) GROUP BY rowid {lim}"
        )
        if len(out) > MAX_TREE:
            self.accepted_where = f"{in_data} AND NOT {skip} AND NOT {reject}"
            self.rejected_where = f"{in_data} AND NOT {skip} AND {reject}"
            self.skipped = int(
                self.e.one(f"SELECT count(*) FROM {self.stg} WHERE {in_data} AND {skip}")[0]
            )
            self.row_id = "row_number() OVER () - 1"
            return
        ex = [int(r[0]) for r in out]
        rej = [int(r[0]) for r in out if not r[1]]
        self.skipped = len(ex) - len(rej)
        self.row_id = f"rowid - {self._per_part(pre, 'BIGINT')} - ({_rank_tree(ex)})"
        self.accepted_where = f"{in_data} AND NOT {_member_tree(ex)}"
        self.rejected_where = f"{in_data} AND {_member_tree(rej)}"

    def _date_formats(self) -> tuple[str, ...]:
        """The files' date formats (their day/month order), for the per-row ways below; none
        when the files disagree on the order."""
        if self.mdy_mixed:
            return ()
        dm = "%m-%d" if self.all_mdy else "%d-%m"
        return (f"{dm}-%Y", f"{dm.replace('-', '/')}/%Y", "%Y-%m-%d")

    def _date_fast(self) -> tuple[Callable[[str], str], ...]:
        """Per-row parses a date column may use instead of the lookup (checked by ``_lut``
        against the full rules on every distinct value): one ``strptime`` costs less than
        the ENUM lookup of a column with thousands of distinct dates. The last one reads the
        day-month-year formats whatever their separators (``-``, ``/``, ``|``, ``.``): Sidalih
        exports mix ``DD-MM-YYYY`` and ``DD|MM|YYYY`` in one file (the DPT's build of 1 M such
        rows: 2.80 CPU-s with the lookup, 2.31 with this). Before it, the same formats read by
        position, separators ignored (``_date_by_position``): cheaper than ``translate`` and
        ``strptime`` (the DPT's build 2.01-2.06 -> 1.88-1.97 s on one thread), though dearer
        than one ``strptime`` (the register's 2.8 M dates: 2.61-2.65 against 2.42-2.48 s)."""
        fmts = self._date_formats()
        one = tuple(lambda v, f=f: f"CAST(try_strptime({v}, '{f}') AS DATE)" for f in fmts)
        if not fmts:
            return one
        # (the formats of one order share positions: one candidate each)
        by_position = {fn("v"): fn for fn in map(_date_by_position, fmts)}
        return (
            *one,
            *by_position.values(),
            lambda v: f"CAST(try_strptime(translate({v}, '/|.', '---'), '{fmts[0]}') AS DATE)",
        )

    def _date_inverse(self) -> tuple[Callable[[str], str], ...]:
        """Ways a date column may give back the input text exactly (checked by ``_lut``)."""
        return tuple(lambda x, f=f: f"strftime({x}, '{f}')" for f in self._date_formats())

    def _compact_raw(self) -> str:
        """The row's ``raw`` list: the input values no canonical column keeps unchanged.

        ``nik_raw`` is always the NIK cell as read; a field whose values were all clean as read
        is its input column, and other fields' input values can be given back exactly from
        their canonical columns (``self.kept``). Keeping those out of the list makes the build
        and the workspace write cheaper (a list element costs about as much as a column);
        ``raw_sources`` says where each input column is (the result file reads it back)."""
        kept = {self.fields["nik"]: "nik_raw"} if "nik" in self.fields else {}
        for key, sql in sorted(self.kept.items()):
            kept.setdefault(self.fields[key], sql)
        in_list: list[str] = []
        self.raw_sources = []
        for j in range(len(self.raw_columns)):
            if j in kept:
                self.raw_sources.append(kept[j])
            else:
                in_list.append(f"c{j}")
                self.raw_sources.append(f"raw[{len(in_list)}]")
        return f"[{', '.join(in_list)}]::VARCHAR[]"

    def _build_dpt(self) -> None:
        e, t = self.e, self.table
        region_keys = ("kabupaten", "kecamatan", "kelurahan", "kode_wilayah")
        region_c = ""  # region codes derived from one looked-up code (see below)
        keys = [self._col(k) for k in region_keys]
        accepted = self.accepted_where
        # Distinct raw values (cheap: no per-row trimming); cleaned and resolved in Python.
        # Of the accepted rows only: a rejected footer (Jumlah pemilih: 250) is no region.
        raw_combos = e.rows(
            f"SELECT {', '.join(keys)}, count(*) FROM {self.stg} WHERE {accepted} GROUP BY ALL"
        )
        labels = tuple(
            str(self.raw_columns[self.fields[k]]).strip().upper() if k in self.fields else None
            for k in region_keys
        )

        def clean(v: str | None) -> str | None:
            return v.strip(" ") or None if v is not None else None

        cleaned: dict[tuple, int] = {}
        for *vals, n in raw_combos:
            c = tuple(clean(v) for v in vals)
            if any(c) and tuple(x.upper() if x else None for x in c) == labels:
                continue  # a repeated header row
            cleaned[c] = cleaned.get(c, 0) + int(n)
        codes, issues = resolve_regions([(*c, n) for c, n in cleaned.items()])
        for it in sorted(issues, key=lambda i: -i.rows):
            self._warn(it.code, f"{it.message}: {it.rows} baris.", it.rows, it.candidates)
        # Region codes: resolved once per distinct name combination, looked up per row through
        # an ENUM of the raw combinations (a hash lookup, no join: input order is kept, no sort).
        known = {}
        for *vals, _n in raw_combos:
            v = codes.get(tuple(clean(x) for x in vals))
            known[tuple(vals)] = v if v and any(v) else (None, None, None)
        if any(any(v) for v in known.values()):
            # A TEMP ENUM of every raw combination (unresolved ones too: a failed TRY_CAST
            # costs DuckDB an exception, ~20 us a row) and a one-row table of the codes as
            # lists, both made once (inline literals of thousands of values: 3 s on 3.4 M rows).
            rkey = " || '\x1f' || ".join(f"coalesce({k}, '\x00')" for k in keys)
            ty, rt = f"_padan_enum_{self.u}_region", f"_padan_lut_{self.u}_region"
            names = ["\x1f".join("\x00" if x is None else x for x in k) for k in known]
            self.e.execute(f"CREATE TEMP TYPE {ty} AS ENUM ({', '.join(_q(n) for n in names)})")
            self._types.append(ty)
            # When each combination's codes are the prefixes of its most specific one, that
            # code alone is looked up and the others are its prefixes: one list lookup and two
            # substrings per row instead of three lookups (each about 0.15 s of CPU per
            # million rows).
            nested = all(_nested(v) for v in known.values())
            if nested:
                lists = {"code": [_most_specific(v) for v in known.values()]}
            else:
                levels = ("kab", "kec", "desa")
                lists = {lv: [v[i] for v in known.values()] for i, lv in enumerate(levels)}
            codes_t = pa.table(
                {lv: pa.array([xs], pa.list_(pa.string())) for lv, xs in lists.items()}
            )
            self.e.register("_padan_region_arrow", codes_t)
            try:
                self.e.execute(f"CREATE TEMP TABLE {rt} AS SELECT * FROM _padan_region_arrow")
            finally:
                self.e.unregister("_padan_region_arrow")
            self._temps.append(rt)
            ridx = f"enum_code(TRY_CAST({rkey} AS {ty})) + 1"
            if nested:
                region = f"(SELECT code FROM {rt})[_ridx] AS _rc"
                region_c = (
                    "substr(_rc, 1, 4) AS kode_kab, "
                    "CASE WHEN strlen(_rc) >= 6 THEN substr(_rc, 1, 6) END AS kode_kec, "
                    "CASE WHEN strlen(_rc) = 10 THEN _rc END AS kode_desa, "
                )
            else:
                region = (
                    f"(SELECT kab FROM {rt})[_ridx] AS kode_kab, (SELECT kec FROM {rt})[_ridx] AS kode_kec, "
                    f"(SELECT desa FROM {rt})[_ridx] AS kode_desa"
                )
        else:
            ridx = "NULL::INTEGER"
            region = (
                "NULL::VARCHAR AS kode_kab, NULL::VARCHAR AS kode_kec, NULL::VARCHAR AS kode_desa"
            )
        nik_ok = self._clean_nik_sql()
        # Clean NIKs get their flags here ('', or NIK_RUSAK_EXCEL for a number cell); the others
        # are marked (NULL, or '\x01' for a number cell) and get the full rules afterwards, on
        # those rows only (_finish_nik_flags): inside this statement DuckDB would evaluate the
        # rules' shared subexpressions for every row, whatever the CASE.
        flags = (
            f"CASE WHEN {nik_ok} THEN CASE WHEN coalesce(nik_num, false) THEN 'NIK_RUSAK_EXCEL' ELSE '' END "
            "WHEN coalesce(nik_num, false) THEN '\x01' END"
        )
        lut, txt = self._lut, _trimmed
        cols = {
            "tps": lut(
                "tps",
                lambda v, m: N.tps(v),
                True,
                fast=lambda v: f"lpad({v}, 3, '0')",
                inverse=(lambda x: f"CAST(CAST({x} AS INTEGER) AS VARCHAR)",),
            ),
            **self._texts(("nkk", "nama", "alamat", "keterangan")),
            "tempat_lahir": lut("tempat_lahir", txt, True),
            "tanggal_lahir": lut(
                "tanggal_lahir", _date, fast=self._date_fast(), inverse=self._date_inverse()
            ),
            "usia": lut(
                "usia",
                lambda v, m: N.integer(v),
                fast=lambda v: f"TRY_CAST({v} AS INTEGER)",
                inverse=(lambda x: f"CAST({x} AS VARCHAR)",),
            ),
            "status_kawin": lut("status_kawin", lambda v, m: N.marital(v), True),
            "jenis_kelamin": lut("jenis_kelamin", lambda v, m: N.sex(v), True),
            "rt": lut("rt", txt, True),
            "rw": lut("rw", txt, True),
            "disabilitas": lut("disabilitas", txt, True),
            "ktp_el": lut("ktp_el", lambda v, m: N.ktp_el(v), True),
        }
        raw = self._compact_raw()
        sql = (
            f"WITH a AS (SELECT {self.row_id} AS row_id, {self.src_file} AS source_file, "
            f"{self.src_sheet} AS source_sheet, {self._source_row()} AS source_row, nik_num, {ridx} AS _ridx, "
            f"{self._col('nik')} AS nik_raw, "
            f"{', '.join(f'{v} AS {k}' for k, v in cols.items())}, "
            f"{raw} AS raw FROM {self.stg} WHERE {accepted}), "
            # nik16: the cleaned NIK is 16 digits; tested once (a regex), used three times.
            f"b AS (SELECT a.* EXCLUDE (_ridx), {region}, regexp_full_match(nik_raw, '[0-9]{{16}}') AS _raw16, "
            f"CASE WHEN _raw16 THEN nik_raw ELSE {N.nik_text('nik_raw')} END AS nik_t FROM a), "
            f"c AS (SELECT b.* EXCLUDE (_raw16{', _rc' if region_c else ''}), {region_c}CASE WHEN _raw16 THEN true ELSE coalesce(regexp_full_match(nik_t, '[0-9]{{16}}'), false) END AS nik16 FROM b), "
            f"d AS (SELECT c.*, {flags} AS flags0 FROM c) "
            f"SELECT CAST(row_id AS BIGINT) AS row_id, source_file, source_sheet, source_row, "
            f"kode_kab, kode_kec, kode_desa, tps, "
            f"CASE WHEN kode_desa IS NOT NULL AND tps IS NOT NULL THEN kode_desa || tps END AS tps_key, "
            f"CASE WHEN NOT coalesce(nik_num, false) AND nik16 THEN nik_t END AS nik, "
            f"nik_raw, flags0 AS nik_flags, nkk, nama, tempat_lahir, tanggal_lahir, usia, status_kawin, "
            f"jenis_kelamin, alamat, rt, rw, disabilitas, ktp_el, keterangan, raw FROM d"
        )
        e.execute(f"CREATE OR REPLACE {self.temp}TABLE {t} AS {sql}")
        self._finish_nik_flags()

    def _finish_nik_flags(self) -> None:
        """The full NIK rules for the rows the clean test did not pass (a few percent): into
        a small table first, with the cleaning regex run once per row, then one UPDATE."""
        pending = "nik_flags IS NULL OR nik_flags = '\x01'"
        if not int(self.e.one(f"SELECT count(*) FROM {self.table} WHERE {pending}")[0]):
            return
        nik_t = N.nik_text("nik_raw")
        full = N.nik_flags_sql(self.e, "v", "tanggal_lahir", "jenis_kelamin", cleaned="cv")
        damaged = N.add_flag("f0", "true", "NIK_RUSAK_EXCEL")
        fx = f"_padan_fx_{self.u}"
        self.e.execute(
            f"CREATE TEMP TABLE {fx} AS SELECT rid, CASE WHEN num THEN {damaged} ELSE f0 END AS f "
            f"FROM (SELECT rid, num, {full} AS f0 FROM (SELECT *, {nik_cleaned_sql('v')} AS cv FROM "
            f"(SELECT rowid AS rid, {nik_t} AS v, tanggal_lahir, jenis_kelamin, "
            f"nik_flags = '\x01' AS num FROM {self.table} WHERE {pending})))"
        )
        self._temps.append(fx)
        self.e.execute(
            f"UPDATE {self.table} SET nik_flags = {fx}.f FROM {fx} WHERE {self.table}.rowid = {fx}.rid"
        )

    def _clean_nik_sql(self) -> str:
        """SQL over CTE columns nik_t, nik16 (nik_t is 16 digits), tanggal_lahir and
        jenis_kelamin: true when the NIK certainly breaks none of the NIK rules
        (:func:`padan.identity.nik.nik_flags_sql`, about 1.3 s per million rows).

        Nearly every DPT NIK passes this cheaper test, which implies every rule holds: 16
        digits, a known kecamatan (so a known kabupaten and province), digits 7-12 equal to the
        recorded birth date (day + 40 for women; so the date is valid and agrees with birth
        date and sex), serial not 0000, not a test value. tests/test_ingest_nik_flags.py
        checks the result against the Python rules."""
        kec = N.reference_tables(self.e).replace("kabupaten", "kecamatan")
        tests = ", ".join(_q(v) for v in TEST_VALUES)
        # The cheap conditions in WHEN (evaluated like a filter, row by row as needed); the
        # rest only for the rows that pass them.
        return (
            "CASE WHEN nik16 AND jenis_kelamin IN ('L', 'P') AND tanggal_lahir IS NOT NULL "
            "AND substr(nik_t, 13, 4) <> '0000' "
            f"THEN coalesce(substr(nik_t, 1, 6) IN (SELECT code FROM {kec}) "
            "AND CAST(substr(nik_t, 7, 6) AS INTEGER) = (day(tanggal_lahir) + "
            "CASE WHEN jenis_kelamin = 'P' THEN 40 ELSE 0 END) * 10000 "
            "+ month(tanggal_lahir) * 100 + year(tanggal_lahir) % 100 "
            f"AND nik_t <> repeat(substr(nik_t, 1, 1), 16) AND nik_t NOT IN ({tests}), false) "
            "ELSE false END"
        )

    def _build_registry(self) -> None:
        e, t = self.e, self.table
        lut, txt = self._lut, _trimmed

        def kode_wilayah(v: str, m: str) -> str:
            kw = f"regexp_replace({N.clean(v)}, '[^0-9]', '', 'g')"
            return f"CASE WHEN length({kw}) = 10 THEN {kw} END"

        kw = lut("kode_wilayah", kode_wilayah) if "kode_wilayah" in self.fields else "NULL::VARCHAR"
        code = self._area_code_number()
        if code is None:
            parts = [
                lut(
                    k,
                    lambda v, m, w=w: N.digits_code(v, w),
                    fast=lambda v, w=w: f"lpad({v}, {w}, '0')",
                )
                for k, w in AREA_PARTS
            ]
            code = f"{parts[0]} || {parts[1]} || {parts[2]} || {parts[3]}"
        kode = f"coalesce({code}, {kw})"
        # A field left out by ``only`` is left out of the table too: a column of NULLs still
        # costs its width in every row (the one-shot match's four, at 1 M: about 0.15 CPU-s
        # and 20 k page faults).
        cols = {
            "row_id": f"CAST({self.row_id} AS BIGINT)",
            "source_file": self.src_file,
            "source_sheet": self.src_sheet,
            "source_row": self._source_row(),
            "nik": _accepted_nik_text(self._col("nik")),
            "no_kk": self._txt("no_kk"),
            "nama": self._txt("nama"),
            "tempat_lahir": lut("tempat_lahir", txt, True),
            "tanggal_lahir": lut("tanggal_lahir", _date, fast=self._date_fast()),
            "jenis_kelamin": lut("jenis_kelamin", lambda v, m: N.sex(v), True),
            "status_kawin": lut("status_kawin", lambda v, m: N.marital(v), True),
            "alamat": self._txt("alamat"),
            "rt": lut("rt", txt, True),
            "rw": lut("rw", txt, True),
            "kode_desa": kode,
            "status_ktp_el": lut("status_ktp_el", lambda v, m: f"upper({N.clean(v)})", True),
            "tgl_rekam": lut("tgl_rekam", _date),
        }
        left_out = {"alamat", "rt", "rw", "tgl_rekam"} - set(self.fields)
        select = ", ".join(
            f"{v} AS {k}" for k, v in cols.items() if self.only is None or k not in left_out
        )
        sql = f"SELECT {select} FROM {self.stg} WHERE {self.accepted_where}"
        e.execute(f"CREATE OR REPLACE {self.temp}TABLE {t} AS {sql}")

    def _area_code_number(self) -> str | None:
        """The register's area code from its four number columns as one number written out,
        when the distinct values of each column show that this gives exactly what the
        per-part rule (``digits_code``, zero-padded) and concatenation give: every value
        reads as an integer in range (a province code from 10, so no leading zero is lost).
        Four ``lpad`` and three concatenations per row cost 3x as much (0.45 against
        0.14 s for 2.8 M rows). None when a column is absent or a value needs the rule."""
        if not all(k in self.fields for k, _w in AREA_PARTS):
            return None
        checks = []
        for i, (k, w) in enumerate(AREA_PARTS):
            n = "TRY_CAST(v AS INTEGER)"
            lo = 10 if i == 0 else 0
            rule = N.digits_code("v", w)
            # per value: both NULL (the code is then NULL either way), or the same digits
            ok = (
                f"CASE WHEN {rule} IS NULL THEN {n} IS NULL ELSE {n} BETWEEN {lo} AND "
                f"{10**w - 1} AND lpad(CAST({n} AS VARCHAR), {w}, '0') = {rule} END"
            )
            checks.append(
                f"(SELECT coalesce(bool_and(coalesce({ok}, false)), true) "
                f"FROM (SELECT DISTINCT v FROM {self._distinct(k)}))"
            )
        if not all(self.e.one(f"SELECT {', '.join(checks)}")):
            return None
        terms, scale = [], 1
        for k, w in reversed(AREA_PARTS):
            terms.append(f"TRY_CAST({self._col(k)} AS INTEGER) * {scale}::BIGINT")
            scale *= 10**w
        return f"CAST({' + '.join(reversed(terms))} AS VARCHAR)"

    def _create_rejects(self, raw: str) -> None:
        n = len(self.raw_columns)
        rt = f"{self.table}_rejects"
        nik_t = N.nik_text(self._col("nik"))
        layers: list[str] = []
        if self.kind == "dpt":
            label = (
                self.raw_columns[self.fields["nama"]] + "/" + self.raw_columns[self.fields["nik"]]
            )
            reason, column, value = "'BARIS_TANPA_IDENTITAS'", _q(label), "''"
            message = (
                "CASE WHEN no_name THEN 'Baris tanpa NAMA dan tanpa NIK bukan data pemilih; isi "
                "NAMA atau NIK, atau hapus baris ini.' ELSE 'Baris hanya berisi nama, tanpa NIK, "
                "tanggal lahir dan jenis kelamin (mis. tanda tangan atau catatan di bawah tabel), "
                "bukan data pemilih; lengkapi datanya, atau hapus baris ini.' END"
            )
        else:
            # The NIK cleaned, then its flags, each once per row in a projection of its own:
            # written as one expression the reasons repeat the cleaning (175 KB of SQL, 0.07 s
            # of planning even when no row is rejected).
            flags = N.nik_flags_sql(
                self.e, "nik_t", "NULL::DATE", "NULL::VARCHAR", cleaned="nik_cv"
            )
            layers = [f"{nik_cleaned_sql('nik_t')} AS nik_cv", f"{flags} AS nik_f"]
            flags = N.add_flag("nik_f", "coalesce(nik_num, false)", "NIK_RUSAK_EXCEL")
            reason, column = "'NIK_TIDAK_VALID'", _q(self.raw_columns[self.fields["nik"]])
            value = mask_nik_sql("nik_t")
            message = (
                f"'NIK ' || coalesce(NULLIF({value}, ''), '(kosong)') || ' tidak valid (' || {flags} || "
                "'): data Dukcapil memerlukan NIK 16 angka sebagai kunci. Perbaiki NIK lalu impor ulang baris ini.'"
            )
        if self.has_short:  # see _reject_sql
            broken = _unsplittable_message("'kolom kurang'", n)
            reason = f"CASE WHEN coalesce(short, false) THEN 'BARIS_RUSAK' ELSE {reason} END"
            column = f"CASE WHEN coalesce(short, false) THEN NULL ELSE {column} END"
            value = f"CASE WHEN coalesce(short, false) THEN '' ELSE {value} END"
            message = f"CASE WHEN coalesce(short, false) THEN {broken} ELSE {message} END"
        rows = (
            f"SELECT part, {self.src_file} AS source_file, {self.src_sheet} AS source_sheet, "
            f"{self._source_row()} AS source_row, nik_num, short, {nik_t} AS nik_t, {raw} AS raw, "
            f"{_blank(self._col('nama')) if self.kind == 'dpt' else 'NULL'} AS no_name FROM {self.stg} "
            f"WHERE {self.rejected_where}"
        )
        for layer in layers:
            rows = f"SELECT *, {layer} FROM ({rows})"
        pad = f"list_concat([csv_line], list_transform(range({max(n - 1, 0)}), lambda x: NULL::VARCHAR))"
        split = (
            "SELECT r.part, p.source_file, p.source_sheet, CAST(r.line AS INTEGER) AS source_row, 'BARIS_RUSAK' AS reason, "
            "NULL AS column_name, '' AS value_masked, "
            + _unsplittable_message(
                "CASE error_type WHEN 'TOO MANY COLUMNS' THEN 'kolom terlalu banyak' "
                "WHEN 'MISSING COLUMNS' THEN 'kolom kurang' WHEN 'UNQUOTED VALUE' THEN 'tanda kutip salah' "
                "ELSE lower(coalesce(error_type, 'format salah')) END",
                n,
            )
            + f" AS message, {pad} AS raw "
            f"FROM {self.rej} r JOIN {self.parts_t} p USING (part) WHERE trim(coalesce(csv_line, ''), ' \t\r\n') <> ''"
        )
        self.e.execute(
            f"CREATE OR REPLACE {self.temp}TABLE {rt} AS SELECT source_file, source_sheet, source_row, reason, "
            f"column_name, value_masked, message, raw FROM ("
            f"SELECT part, source_file, source_sheet, source_row, {reason} AS reason, {column} AS column_name, "
            f"{value} AS value_masked, {message} AS message, raw FROM ({rows}) UNION ALL {split}) "
            "ORDER BY part, source_row"
        )
        self._fix_source_rows(rt, "AND t.reason <> 'BARIS_RUSAK'")
        self.e.execute(f"COMMENT ON TABLE {rt} IS {_q(json.dumps(self.raw_columns))}")

    def _report(self, order: dict[str, str], skipped: int) -> LoadReport:
        e, t = self.e, self.table
        accepted = int(e.one(f"SELECT count(*) FROM {t}")[0])
        rejected = int(e.one(f"SELECT count(*) FROM {t}_rejects")[0])
        skipped += int(
            e.one(
                f"SELECT count(*) FROM {self.rej} WHERE trim(coalesce(csv_line, ''), ' \t\r\n') = ''"
            )[0]
        )
        rows_read = accepted + rejected
        self._flush_notes()
        self._value_warnings()
        if skipped:
            self._warn(
                "BARIS_KOSONG_DILEWATI",
                f"{skipped} baris kosong atau judul kolom berulang dilewati (bukan data).",
                skipped,
            )
        short = (
            self._count_staged(f"{self.accepted_where} AND short = false") if self.has_short else 0
        )
        if short:
            self._warn(
                "BARIS_PENDEK",
                f"{short} baris berisi lebih sedikit kolom daripada judul kolom (sel kosong di "
                "akhir baris tidak ditulis, seperti kadang dilakukan Excel saat menyimpan CSV); "
                "kolom yang tidak ada dibaca kosong.",
                short,
            )
        if rejected:
            self._warn(
                "BARIS_DITOLAK",
                f"{rejected} baris ditolak; lihat berkas penolakan (kolom ALASAN, KOLOM, PESAN), perbaiki, lalu impor ulang.",
                rejected,
            )
        return LoadReport(
            self.kind,
            self.files,
            rows_read,
            accepted,
            rejected,
            list(self.raw_columns),
            self.warnings,
            f"{t}_rejects",
            order,
            skipped,
            list(self.raw_sources),
            self.repeated_niks,
            self._reject_examples() if rejected else [],
        )

    def _reject_examples(self, limit: int = 3) -> list[str]:
        rows = self.e.rows(
            f"SELECT source_file, source_sheet, source_row, reason, value_masked "
            f"FROM {self.table}_rejects ORDER BY source_file, source_sheet, source_row LIMIT {limit}"
        )
        return [
            f"{_at(f, s, r)}: {reason}" + (f" ({v})" if v else "") for f, s, r, reason, v in rows
        ]

    def _first_rows(self, where: str, value: str = "NULL", limit: int = 3) -> list[tuple[str, Any]]:
        """(where the row is, ``value``) for the first rows that ``where`` selects: the
        examples of a warning."""
        rows = self.e.rows(
            f"SELECT source_file, source_sheet, source_row, {value} FROM {self.table} "
            f"WHERE {where} ORDER BY row_id LIMIT {limit}"
        )
        return [(_at(f, s, r), v) for f, s, r, v in rows]

    def _examples(self, where: str, value: str) -> list[str]:
        return [f"{at}: {v!r}" for at, v in self._first_rows(where, value)]

    def _count_staged(self, where: str) -> int:
        """Rows read (accepted or not) for which ``where`` holds, over the raw cells."""
        return int(self.e.one(f"SELECT count(*) FROM {self.stg} WHERE {self._in_data()} AND {where}")[0])

    def _count(self, where: str) -> int:
        return int(self.e.one(f"SELECT count(*) FROM {self.table} WHERE {where}")[0])

    def _value_warnings(self) -> None:
        """Values that could not be read: counted and shown by example, never lost (raw keeps them)."""
        checks = []
        dpt = self.kind == "dpt"
        if dpt:
            checks.append(
                (
                    "tanggal_lahir",
                    "tanggal_lahir",
                    "TANGGAL_TIDAK_VALID",
                    "tanggal lahir tidak bisa dibaca (dibiarkan kosong)",
                )
            )
            checks.append(
                (
                    "jenis_kelamin",
                    "jenis_kelamin",
                    "JENIS_KELAMIN_TIDAK_DIKENAL",
                    "jenis kelamin bukan L/P",
                )
            )
            checks.append(
                (
                    "status_kawin",
                    "status_kawin",
                    "STATUS_KAWIN_TIDAK_DIKENAL",
                    "status kawin bukan B/S/P",
                )
            )
            checks.append(("tps", "tps", "TPS_TIDAK_VALID", "nomor TPS tidak bisa dibaca"))
            checks.append(("ktp_el", "ktp_el", "KTP_EL_TIDAK_DIKENAL", "KTP_EL bukan S/B"))
            for key, col, code, what in checks:
                if key not in self.fields:
                    continue
                src = self.raw_sources[self.fields[key]]  # the value as read
                where = f"{col} IS NULL AND {N.clean(src)} IS NOT NULL"
                c = self._count(where)
                if c:
                    self._warn(code, f"{c} baris: {what}.", c, self._examples(where, src))
            self._blank_name_warning(
                "baris tanpa NAMA; baris tetap dihitung sebagai pemilih, tetapi NIK-nya tidak "
                "bisa diverifikasi tanpa nama (CATATAN: NAMA_KOSONG)."
            )
            rows = self.e.rows(
                f"SELECT f, count(*) FROM (SELECT unnest(string_split(nik_flags, ';')) AS f FROM {self.table} "
                "WHERE nik_flags <> '') GROUP BY f ORDER BY 2 DESC"
            )
            for flag, c in rows:
                self._warn(
                    flag,
                    f"{c} baris dengan NIK bermasalah ({flag}); baris tetap dihitung sebagai pemilih dan ditandai.",
                    int(c),
                    self._nik_examples(f"contains(';' || nik_flags || ';', ';{flag};')"),
                )
            if "kode_wilayah" not in self.fields:
                c = self._count("kode_desa IS NULL")
                if c:
                    self._warn(
                        "WILAYAH_TIDAK_TERPETAKAN",
                        f"{c} baris tanpa kode desa/kelurahan (nama wilayah tidak dikenali).",
                        c,
                    )
        else:
            for key, col, code, what in (
                (
                    "tanggal_lahir",
                    "tanggal_lahir",
                    "TANGGAL_TIDAK_VALID",
                    "tanggal lahir tidak bisa dibaca (diterima dengan tanggal kosong)",
                ),
                (
                    "jenis_kelamin",
                    "jenis_kelamin",
                    "JENIS_KELAMIN_TIDAK_DIKENAL",
                    "jenis kelamin tidak dikenal",
                ),
                (
                    "status_kawin",
                    "status_kawin",
                    "STATUS_KAWIN_TIDAK_DIKENAL",
                    "status kawin tidak dikenal",
                ),
                (
                    "tgl_rekam",
                    "tgl_rekam",
                    "TGL_REKAM_TIDAK_VALID",
                    "tanggal rekam tidak bisa dibaca",
                ),
            ):
                if key not in self.fields:
                    continue
                c = self._count(f"{col} IS NULL")
                if c:
                    self._warn(code, f"{c} baris: {what} atau kosong.", c)
            self._blank_name_warning(
                "data tanpa NAMA_LGKP; NIK-nya tetap bisa dipadankan, tetapi identitasnya tidak "
                "bisa diverifikasi."
            )
            self._unknown_status_warning()
            # CASE, not AND: a WHERE's AND ran the cleaning regex on every record (27 CPU-s
            # for 2.8 M); the CASE runs it only for the cells long enough to be 16 digits and
            # a decimal part (a length, not a regex, for the others: 0.27 CPU-s at 1 M).
            c = self._count_staged(
                f"CASE WHEN coalesce(strlen({self._col('nik')}), 0) < 18 THEN false "
                f"ELSE regexp_full_match({N.nik_text(self._col('nik'))}, '{_DECIMAL_NIK}') END"
            )
            if c:
                self._warn(
                    "NIK_ANGKA_DESIMAL",
                    f"{c} NIK ditulis sebagai angka desimal (16 angka dengan .0 di belakang, seperti "
                    "ekspor pandas); yang di bawah 2^53 dibaca sebagai 16 angkanya, yang di atasnya "
                    "ditolak (angkanya mungkin sudah berubah). Simpan kolom NIK sebagai teks pada "
                    "ekspor berikutnya.",
                    c,
                )
            if self.has_xlsx:
                c = int(self.e.one(
                    f"SELECT count(*) FROM {self.stg} WHERE {self.accepted_where} AND nik_num"
                )[0])  # fmt: skip
                if c:
                    self._warn(
                        "NIK_ANGKA_UTUH",
                        f"{c} NIK tersimpan sebagai angka di Excel tetapi masih utuh 16 angka "
                        "(ditulis program, bukan terpotong Excel); diterima. Simpan kolom NIK "
                        "sebagai Teks pada ekspor berikutnya.",
                        c,
                    )
            dup = int(self.e.one(f"SELECT count(*) - count(DISTINCT nik) FROM {self.table}")[0])
            self.repeated_niks = dup
            if dup:
                self._warn(
                    "NIK_GANDA_DI_REGISTER",
                    f"{dup} baris memakai NIK yang sudah muncul di baris lain; baris terakhir per "
                    "NIK (berkas dalam urutan disebut) yang dipakai.",
                    dup,
                )
                if len({p.source_file for p in self.parts}) > 1:
                    self._file_order_warning()

    def _file_order_warning(self) -> None:
        """REGISTER_URUTAN_BERKAS: a larger file named after a smaller one whose NIKs it
        repeats, as a full extract named after a delta (``--registry dukcapil/*.csv`` sorts
        ``registry-delta-...`` before ``registry.csv``): its older rows then win over the
        changes. Said, not reordered: the order named is the rule. Over the repeated NIKs
        only (a few; no cost when every NIK occurs once)."""
        t = self.table
        rows = self.e.rows(f"""
            WITH f AS (SELECT source_file, count(*) AS n FROM {t} GROUP BY 1),
            d AS (SELECT nik, source_file, row_id FROM {t}
                  WHERE nik IN (SELECT nik FROM {t} GROUP BY nik HAVING count(*) > 1))
            SELECT a.source_file, fa.n, b.source_file, fb.n, count(DISTINCT a.nik) AS k
            FROM d a JOIN d b ON a.nik = b.nik AND a.row_id < b.row_id
                 AND a.source_file <> b.source_file
            JOIN f fa ON fa.source_file = a.source_file
            JOIN f fb ON fb.source_file = b.source_file
            WHERE fb.n > fa.n GROUP BY ALL ORDER BY k DESC, 1, 3
        """)
        if rows:
            first, n_first, later, n_later, k = rows[0]
            self._warn(
                "REGISTER_URUTAN_BERKAS",
                f"Berkas {later} ({n_later} baris) disebut setelah {first} ({n_first} baris) dan "
                f"menimpa {k} NIK-nya. Jika {later} ekstrak penuh dan {first} berkas perubahan "
                "(delta), perubahan itu hilang: sebut ekstrak penuh lebih dulu, lalu delta urut "
                "tanggal.",
                int(k),
                [
                    f"{a} ({na} baris) lalu {b} ({nb} baris): {kk} NIK"
                    for a, na, b, nb, kk in rows[:3]
                ],
            )

    def _unknown_status_warning(self) -> None:
        """STATUS_KTP_EL_TIDAK_DIKENAL: records whose e-KTP status is empty or not a code of
        the contract, which the match counts as BELUM_REKAM, by code (from the distinct
        values)."""
        from padan.linkage.status import STATUS_UNKNOWN_CODE, status_known_sql

        if "status_ktp_el" not in self.fields:
            return
        # the raw values' counts the loader made for the field's lookup (a code is known or
        # not whatever its case and blanks); grouping the table again cost 0.7 s at 2.8 M
        dv = self._distinct("status_ktp_el")
        rows = self.e.rows(
            f"SELECT coalesce({N.strip('v')}, ''), sum(n)::BIGINT FROM {dv} "
            f"WHERE NOT {status_known_sql('v')} GROUP BY 1 ORDER BY 2 DESC, 1"
        )
        c = sum(int(n) for _v, n in rows)
        if c:
            self._warn(
                STATUS_UNKNOWN_CODE,
                f"{c} data dengan STATUS_KTP_EL kosong atau kode yang tidak dikenal; pemilihnya "
                "dihitung BELUM_REKAM (CATATAN: STATUS_KTP_EL_TIDAK_DIKENAL).",
                c,
                [f"{v or '(kosong)'}: {n} data" for v, n in rows[:3]],
            )

    def _blank_name_warning(self, what: str) -> None:
        """NAMA_KOSONG: accepted rows with a NIK but an empty name (a row with neither is
        rejected), counted and shown by where they are."""
        if "nama" not in self.fields:
            return
        c = self._count("nama IS NULL")
        if c:
            self._warn(
                "NAMA_KOSONG", f"{c} {what}", c, [at for at, _ in self._first_rows("nama IS NULL")]
            )

    def _nik_examples(self, where: str) -> list[str]:
        """Where a flagged NIK is, and the NIK masked (never in full: UU PDP): an operator
        finds the row from the file and row number (a blank NIK has nothing else to show)."""
        return [
            f"{at}: " + (f"NIK {mask_nik(v)}" if (v or "").strip() else "NIK kosong")
            for at, v in self._first_rows(where, "nik_raw")
        ]


def _date_by_position(fmt: str) -> Callable[[str], str]:
    """A date of a fixed-width format (``%d-%m-%Y``: day, month and year digits at fixed
    places, any separators) read by position: ``make_date`` of three integer casts, cheaper
    than ``translate`` and ``strptime`` for mixed separators. Only a candidate: ``_lut``
    uses it when it gives what the full rules give for every distinct value (a value with
    one-digit days, other separators or more text fails that check).
    ``try``: an impossible date (31-02) is NULL, as ``try_strptime`` makes it."""
    at, pos, i = {}, 1, 0
    while i < len(fmt):
        if fmt[i] == "%":
            at[fmt[i + 1]] = pos
            pos += 4 if fmt[i + 1] == "Y" else 2
            i += 2
        else:
            pos += 1
            i += 1

    def part(v: str, k: str, n: int) -> str:
        return f"TRY_CAST(substr({v}, {at[k]}, {n}) AS INTEGER)"

    return lambda v: f"try(make_date({part(v, 'Y', 4)}, {part(v, 'm', 2)}, {part(v, 'd', 2)}))"


class _XlsxAhead:
    """The sheets of the coming small XLSX files, parsed on two worker threads while the
    current file is staged. fastexcel (Rust) releases the GIL: 60 kelurahan files parsed
    in 0.60 s one after the other, in 0.25 s on two threads. Up to :data:`XLSX_AHEAD` files
    ahead; a file's errors are raised when its turn comes, as they were when read in turn."""

    def __init__(self, read: Callable[[Source], Iterable[SheetData | str]], sources: list[Source]):
        self.read = read
        self.todo = [
            i for i, s in enumerate(sources) if s.fmt != "csv" and s.size <= XLSX_AHEAD_MAX_BYTES
        ]
        self.ahead = set(self.todo)
        self.sources = sources
        self.futures: dict[int, Future] = {}
        self.next = 0
        self.pool = (
            ThreadPoolExecutor(2, thread_name_prefix="padan-xlsx") if len(self.todo) > 1 else None
        )

    def __enter__(self) -> _XlsxAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def sheets(self, file_no: int) -> list[SheetData | str] | None:
        """The parsed sheets of source ``file_no``; None: read it in turn (large, or alone)."""
        if self.pool is None or file_no not in self.ahead:
            return None
        # keep XLSX_AHEAD files queued beyond this one
        while self.next < len(self.todo) and len(self.futures) <= XLSX_AHEAD:
            i = self.todo[self.next]
            self.futures[i] = self.pool.submit(lambda s: list(self.read(s)), self.sources[i])
            self.next += 1
        return self.futures.pop(file_no).result()


def _names(n: int) -> str:
    """The staging table's first ``n`` raw columns (c0, c1, ...)."""
    return ", ".join(f"c{j}" for j in range(n))


def _unsplittable_message(what: str, n: int) -> str:
    """SQL: the BARIS_RUSAK message of a line that cannot be split into the header's ``n``
    columns; ``what`` (SQL text) says why."""
    return (
        f"'Baris tidak bisa dipisah menjadi kolom (' || {what} || ', seharusnya ' || {n} || "
        "' kolom). Perbaiki baris ini lalu impor ulang.'"
    )


def _notes_file(src: Source, header: list[str], kind: str, mapping: dict[str, str]) -> bool:
    """A ``.txt`` file that came with a folder or zip (not named itself) and has no
    recognisable header: a README or notes beside the exports, skipped like a sheet without
    a header (LEMBAR_DILEWATI) instead of stopping the import. A ``.csv`` file, or any file
    named itself, still stops it with the missing-columns error: it is meant as data."""
    return (
        src.member
        and Path(src.display).suffix.lower() == ".txt"
        and score_header(kind, header, mapping) < CSV_HEADER_MIN_SCORE
    )


def _strip_reject_columns(header: list[str]) -> list[str]:
    """A rejects file being re-imported: drop its ALASAN, KOLOM, PESAN columns."""
    h = [str(x) if x is not None else "" for x in header]
    if len(h) > 3 and [norm_name(x) for x in h[-3:]] == list(REJECT_COLUMNS):
        return h[:-3]
    return h


__all__ = ["FIELDS", "ImportWarning", "LoadReport", "load_dpt", "load_registry"]
