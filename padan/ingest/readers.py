"""Finding and opening input files: single files, folders, zips; CSV dialect and encoding; XLSX.

Nothing here interprets values: readers only establish *where* the header is and *what* the
cells say (as text). Normalisation happens in SQL (:mod:`padan.ingest.normalize`).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import secrets
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from padan.errors import PadanError
from padan.ingest.columns import score_header

CHUNK = 8 << 20
CSV_HEADER_MIN_SCORE = 2
"""Known field names a CSV line must hold to be taken as the header (columns.score_header)."""
SAMPLE = 256 << 10
HEADER_SEARCH_ROWS = 30
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
DELIMITERS = (",", ";", "\t", "|")
_BLANK_LINE = re.compile(r"\n(?=\n)")

Progress = Callable[[str, int, int | None], None] | None


@dataclass
class FileInfo:
    name: str
    sha256: str
    bytes: int


@dataclass
class Source:
    """One readable file (a zip member is extracted to a temporary folder first)."""

    path: Path
    display: str  # name shown to users and stored in source_file
    fmt: str  # "csv" | "xlsx"
    info: FileInfo | None = None  # set for files the user named (not zip members)
    size: int = 0
    member: bool = False  # found in a folder or zip the user named, not named itself


@dataclass
class CsvPlan:
    """How DuckDB must read one CSV file."""

    path: Path  # UTF-8 file (the original, or a transcoded copy)
    encoding: str  # what the original was
    delimiter: str
    header: list[str]
    skip_lines: int  # physical lines before the first data line (titles + header)
    header_line: int  # 1-based line of the header
    title_rows: int = 0
    unnamed_tail: int = 0  # unnamed columns added to the header (_trailing_empty_fields)


@dataclass
class SheetData:
    sheet: str
    header: list[str]
    header_row: int  # 1-based
    table: pa.Table  # data rows, all string columns c0..c{n-1}, + src_row
    numeric: dict[int, pa.Array] = field(default_factory=dict)  # column index -> bool array
    unnamed_tail: int = 0  # columns right of the header's last name that hold values


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _fmt_of(path: Path) -> str | None:
    suf = path.suffix.lower()
    if suf in CSV_SUFFIXES:
        return "csv"
    if suf in XLSX_SUFFIXES:
        return "xlsx"
    if suf == ".zip":
        return "zip"
    return None


def checked_path(raw: Path | str) -> Path:
    """The path a user named, or ``BERKAS_TIDAK_ADA`` when it does not exist."""
    p = Path(raw)
    if not p.exists():
        raise PadanError(
            "BERKAS_TIDAK_ADA",
            f"Berkas {p} tidak ditemukan.",
            hint="Periksa nama dan folder berkas.",
        )
    return p


def folder_files(folder: Path) -> list[Path]:
    """A folder's CSV/XLSX files, sorted by relative path; Excel lock files and hidden files
    are skipped. The reader and the duplicate-import hash both use this list."""
    members = sorted(
        (
            f
            for f in folder.rglob("*")
            if f.is_file() and _fmt_of(f) in ("csv", "xlsx") and not f.name.startswith(("~$", "."))
        ),
        key=lambda f: str(f.relative_to(folder)).lower(),
    )
    if not members:
        raise PadanError(
            "BERKAS_TIDAK_ADA",
            f"Folder {folder} tidak berisi berkas CSV atau XLSX.",
            hint="Berkas yang dibaca: .csv, .txt, .xlsx, .xls.",
        )
    return members


def expand(paths: Sequence[Path | str], tmpdir: Path) -> list[Source]:
    """Files in the order given; a folder's files and a zip's members sorted by name."""
    if not paths:
        raise PadanError("BERKAS_TIDAK_ADA", "Tidak ada berkas yang diberikan untuk diimpor.")
    out: list[Source] = []
    for raw in paths:
        p = checked_path(raw)
        if p.is_dir():
            for f in folder_files(p):
                out.append(_single(f, str(f.relative_to(p.parent)), member=True))
            continue
        fmt = _fmt_of(p)
        if fmt is None:
            fmt = (
                "zip"
                if zipfile.is_zipfile(p) and not _is_xlsx_zip(p)
                else ("xlsx" if _is_xlsx_zip(p) else "csv")
            )
        if fmt == "zip":
            out.extend(_unzip(p, tmpdir / f"z{len(out)}"))
        else:
            out.append(_single(p, p.name, fmt))
    return out


def _is_xlsx_zip(p: Path) -> bool:
    try:
        with zipfile.ZipFile(p) as z:
            return "xl/workbook.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _single(p: Path, display: str, fmt: str | None = None, member: bool = False) -> Source:
    size = p.stat().st_size
    return Source(p, display, fmt or _fmt_of(p) or "csv", FileInfo(display, "", size), size, member)


def _unzip(p: Path, dest: Path) -> list[Source]:
    try:
        z = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PadanError("BERKAS_RUSAK", f"Berkas zip {p.name} tidak bisa dibuka: {exc}") from None
    info = FileInfo(p.name, file_sha256(p), p.stat().st_size)
    out: list[Source] = []
    with z:
        names = sorted(
            (
                n
                for n in z.namelist()
                if not n.endswith("/")
                and _fmt_of(Path(n)) in ("csv", "xlsx")
                and not Path(n).name.startswith(("~$", "."))
                and "__MACOSX" not in n
            ),
            key=str.lower,
        )
        if not names:
            raise PadanError(
                "BERKAS_TIDAK_ADA", f"Berkas zip {p.name} tidak berisi berkas CSV atau XLSX."
            )
        dest.mkdir(parents=True, exist_ok=True)
        for i, n in enumerate(names):
            target = dest / f"{i:05d}{Path(n).suffix.lower()}"  # never trust member paths
            try:
                with z.open(n) as src, open(target, "wb") as dst:
                    while chunk := src.read(CHUNK):
                        dst.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise PadanError(
                    "BERKAS_RUSAK", f"{p.name}/{n} tidak bisa dibaca dari zip: {exc}"
                ) from None
            out.append(
                Source(
                    target,
                    f"{p.name}/{n}",
                    _fmt_of(Path(n)) or "csv",
                    None,
                    target.stat().st_size,
                    member=True,
                )
            )
    out[0].info = info
    return out


# -- CSV -----------------------------------------------------------------------------------
_BLANK_BYTES = re.compile(b"\n\n")


def scan_text(path: Path, tmpdir: Path, report_bytes: Callable[[int], None]) -> tuple[Path, str]:
    """Decide the encoding in one fast pass; make a clean UTF-8 copy when needed.

    Returns (utf8_path, encoding). A UTF-8 file with one kind of line end (LF or CRLF) and no
    blank lines is read in place; anything else (Windows-1252, UTF-16 by BOM, mixed or bare-CR
    line ends, NUL bytes, blank lines) is rewritten as UTF-8 with LF line ends, because
    DuckDB's strict CSV parser stops at mixed line ends and skips blank lines. (Hashing is
    done separately, in a thread, while DuckDB reads.)
    """
    dec = codecs.getincrementaldecoder("utf-8")()
    ok = True
    first = b""
    n_cr = n_lf = n_crlf = 0
    bare_lf = nul = blank = False
    prev_cr = prev_lf = False
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            if not first:
                first = chunk[:4]
            if ok and not (chunk.isascii() and dec.getstate()[0] == b""):
                try:
                    dec.decode(chunk)
                except UnicodeDecodeError:
                    ok = False
            if b"\r" in chunk or prev_cr:
                n_lf += chunk.count(b"\n")
                n_cr += chunk.count(b"\r")
                n_crlf += chunk.count(b"\r\n") + (1 if prev_cr and chunk[:1] == b"\n" else 0)
                blank = blank or b"\n\r\n" in chunk or b"\r\r" in chunk
            else:  # LF only (the usual case): no need to count line ends
                bare_lf = bare_lf or b"\n" in chunk
            nul = nul or b"\x00" in chunk
            # re finds a two-byte needle faster than bytes.__contains__ (measured 1.5x)
            blank = (
                blank
                or _BLANK_BYTES.search(chunk) is not None
                or (prev_lf and chunk[:1] in (b"\n", b"\r"))
            )
            prev_cr = chunk[-1:] == b"\r"
            prev_lf = chunk[-1:] == b"\n"
            report_bytes(len(chunk))
    if ok:
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            ok = False
    # One kind of line end: LF only, or CRLF only (every CR followed by LF, no other LF).
    uniform = n_cr == 0 or (not bare_lf and n_cr == n_crlf == n_lf)
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        enc = "utf-16"
    elif ok:
        enc = "utf-8-sig" if first.startswith(codecs.BOM_UTF8) else "utf-8"
        if uniform and not nul and not blank:
            return path, enc
    else:
        enc = "cp1252"
    out = tmpdir / f"{secrets.token_hex(4)}.utf8.csv"
    with (
        open(path, encoding=enc, errors="replace", newline="") as src,
        open(out, "w", encoding="utf-8", newline="") as dst,
    ):
        carry = ""
        last = "\n"
        while text := src.read(CHUNK):
            text = carry + text
            carry = ""
            if text.endswith("\r"):
                text, carry = text[:-1], "\r"
            text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
            # A blank line becomes a line holding one space: DuckDB skips blank lines without
            # a trace, which would shift every later row number; this one it reports (and
            # padan counts it as blank, not as a row).
            text = _BLANK_LINE.sub("\n ", text)
            if text and last == "\n" and text[0] == "\n":
                text = " " + text
            if text:
                last = text[-1]
                dst.write(text)
        if carry:
            dst.write("\n")
    return out, "windows-1252" if enc == "cp1252" else enc


def read_csv_python(path: Path, delimiter: str) -> Iterator[tuple[int, list[str], str]]:
    """(line, fields, line text) for every record: the slow, lenient path used only when
    DuckDB's strict parser refuses a file outright (tiny or badly broken files)."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        text = fh.read().replace("\x00", "")
    lines = text.splitlines()
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quotechar='"',
        doublequote=True,
        strict=False,
    )
    start = 1
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            return
        except csv.Error:
            return
        end = reader.line_num
        if rec:
            yield start, rec, "\n".join(lines[start - 1 : end])
        start = end + 1


def _records(text: str, delim: str) -> Iterator[tuple[list[str], int]]:
    """(record, physical lines consumed so far) for the sample text."""
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delim,
        quotechar='"',
        doublequote=True,
        strict=False,
    )
    try:
        for rec in reader:
            yield rec, reader.line_num
    except csv.Error:
        return


def plan_csv(
    kind: str, utf8_path: Path, encoding: str, display: str, mapping: dict[str, str]
) -> CsvPlan:
    """Choose the delimiter and find the header row (title rows above it are skipped)."""
    with open(utf8_path, "rb") as fh:
        raw = fh.read(SAMPLE)
    text = raw.decode("utf-8", errors="ignore").lstrip("\ufeff").replace("\x00", "")
    if len(raw) == SAMPLE:  # drop a possibly cut last line
        cut = max(text.rfind("\n"), 0)
        text = text[:cut] if cut else text
    if not text.strip():
        raise PadanError(
            "BERKAS_KOSONG",
            f"Berkas {display} kosong.",
            hint="Periksa bahwa berkas yang benar yang diberikan.",
        )
    best: tuple[int, int, str, int, list[str], int] | None = None
    for delim in DELIMITERS:
        for i, (rec, lines) in enumerate(_records(text, delim)):
            if i >= HEADER_SEARCH_ROWS:
                break
            if len(rec) < 2:
                continue
            score = score_header(kind, rec, mapping)
            if best is None or (score, len(rec)) > (best[0], best[1]):
                best = (score, len(rec), delim, i, rec, lines)
            if score >= 3:
                break
    if best is None or best[0] < CSV_HEADER_MIN_SCORE:
        # No recognisable header: take the first multi-column line of the most common delimiter,
        # so that the missing-column error can list what the file has.
        counts = {d: text.split("\n", 1)[0].count(d) for d in DELIMITERS}
        delim = max(counts, key=lambda d: counts[d])
        for rec, lines in _records(text, delim):
            if any(c.strip() for c in rec):
                return CsvPlan(utf8_path, encoding, delim, rec, lines, lines, 0)
        raise PadanError("BERKAS_KOSONG", f"Berkas {display} tidak berisi baris data.")
    score, _, delim, idx, rec, lines = best
    header = [c.lstrip("\ufeff") for c in rec]
    tail = _trailing_empty_fields(text, delim, idx, len(header))
    return CsvPlan(
        utf8_path, encoding, delim, header + [""] * tail, lines, lines, idx, unnamed_tail=tail
    )


def _trailing_empty_fields(text: str, delim: str, header_idx: int, width: int) -> int:
    """k when every data line of the sample has k more fields than the header, all of them
    empty: an exporter that ends each data line, but not the header, with a delimiter. The
    header then gets k unnamed columns, so that those lines are read (a value there would
    be kept, in its unnamed column), instead of each being rejected as unsplittable."""
    found: set[int] = set()
    for i, (rec, _lines) in enumerate(_records(text, delim)):
        if i <= header_idx:
            continue
        if i > header_idx + 200:
            break
        if not any(f.strip() for f in rec):  # a blank line
            continue
        extra = len(rec) - width
        if extra <= 0 or any(f.strip() for f in rec[width:]):
            return 0
        found.add(extra)
    return found.pop() if len(found) == 1 else 0


# -- XLSX ----------------------------------------------------------------------------------
def read_workbook(
    kind: str, src: Source, mapping: dict[str, str], key_columns: Callable[[list[str]], list[int]]
) -> Iterator[SheetData | str]:
    """Each sheet with a recognisable header as :class:`SheetData`; skipped sheets as their name.

    All cells are read as text (fastexcel, to Arrow). ``key_columns(header)`` names the
    columns (NIK, NKK) for which padan must know whether a cell was a *number* in Excel: those
    are read a second time with a boolean dtype, which is non-null exactly for numeric cells.
    """
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(src.path))
        names = list(reader.sheet_names)
    except Exception as exc:  # fastexcel raises its own error types for corrupt files
        raise PadanError(
            "BERKAS_RUSAK",
            f"Berkas Excel {src.display} tidak bisa dibuka: {exc}",
            hint="Buka berkas di Excel dan simpan ulang sebagai .xlsx, atau ekspor ke CSV.",
        ) from None
    for idx, name in enumerate(names):
        try:
            batch = reader.load_sheet(
                idx, header_row=None, skip_rows=0, dtypes="string", eager=True
            )
        except Exception as exc:
            raise PadanError(
                "BERKAS_RUSAK", f"{src.display}, lembar {name!r} tidak bisa dibaca: {exc}"
            ) from None
        table = pa.Table.from_batches([batch]) if batch.num_columns else pa.table({})
        if table.num_rows == 0 or table.num_columns == 0:
            yield name
            continue
        head = table.slice(0, HEADER_SEARCH_ROWS).to_pylist()
        cols = table.column_names
        best = None
        for i, row in enumerate(head):
            cells = [row[c] for c in cols]
            s = score_header(kind, cells, mapping)
            if s >= 3 and (best is None or s > best[0]):
                best = (s, i, cells)
                if s >= 5:
                    break
        if best is None:
            yield name
            continue
        _, hi, cells = best
        width = max(
            (j + 1 for j, c in enumerate(cells) if c is not None and str(c).strip()), default=0
        )
        data = table.slice(hi + 1)
        # Values right of the last named column (an operator's notes in a column without a
        # title) are kept as unnamed columns, not dropped.
        named = width
        for j in range(table.num_columns - 1, width - 1, -1):
            if _has_values(data.column(j)):
                width = j + 1
                break
        header = ["" if c is None else str(c).strip() for c in cells[:width]]
        header += [""] * (width - len(header))
        arrays = [_clean_text(data.column(j)) for j in range(width)]
        src_row = pa.array(range(hi + 2, hi + 2 + data.num_rows), pa.int32())
        t = pa.table({**{f"c{j}": a for j, a in enumerate(arrays)}, "src_row": src_row})
        numeric: dict[int, pa.Array] = {}
        keys = [j for j in key_columns(header) if j < width]
        if keys:
            try:
                nb = reader.load_sheet(
                    idx,
                    header_row=None,
                    skip_rows=0,
                    use_columns=keys,
                    dtypes={j: "boolean" for j in keys},
                    eager=True,
                )
                nt = pa.Table.from_batches([nb]).slice(hi + 1)
                for pos, j in enumerate(keys):
                    numeric[j] = pc.is_valid(nt.column(pos)).combine_chunks()
            except Exception:
                numeric = {}
        yield SheetData(name, header, hi + 1, t, numeric, width - named)


def _has_values(col: pa.ChunkedArray) -> bool:
    """Some cell of the column holds something other than blanks."""
    if col.null_count == len(col):
        return False
    text = col if col.type == pa.string() else col.cast(pa.string())
    return bool(pc.any(pc.match_substring_regex(text, r"\S")).as_py())


def _clean_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Excel datetime cells arrive as ``1977-04-12 00:00:00``: show the date as a user sees it."""
    if col.type != pa.string():
        col = col.cast(pa.string())
    return pc.replace_substring_regex(
        col, pattern=r"^(\d{4}-\d{2}-\d{2}) 00:00:00(\.0+)?$", replacement=r"\1"
    )
