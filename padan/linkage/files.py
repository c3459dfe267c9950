"""The one-shot contract command: DPT files + register files in, the result file out.

Input is read by ``padan.ingest`` into canonical tables in an in-memory engine; the result
repeats every DPT input row once, in input order, with its columns unchanged (from ``raw``
and the header), followed by the contract's six result columns (CONTRACT.md section 3).
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from padan.engine import Beside, connect
from padan.errors import PadanError
from padan.linkage.match import MatchSummary, Progress, match_tables
from padan.linkage.model import import_splink_beside
from padan.reference.profiles import DEFAULT_PROFILE, load_profile

if TYPE_CHECKING:
    from padan.ingest.load import LoadReport

RESULT_COLUMNS = (
    ("NIK_DUKCAPIL", "nik_dukcapil"),
    ("STATUS_REKAM", "status_rekam"),
    ("STATUS_KTP_EL", "status_ktp_el"),
    ("METODE_PADAN", "metode_padan"),
    ("SKOR_PADAN", "skor_padan"),
    ("CATATAN", "catatan"),
)
# The register fields the match reads (not the address or the recording date).
REGISTRY_FIELDS_USED = (
    "nik", "no_kk", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "status_kawin",
    "no_prop", "no_kab", "no_kec", "no_kel", "kode_wilayah", "status_ktp_el",
)  # fmt: skip
FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}
XLSX_MAX_ROWS = 1_048_575  # per sheet, below the header
XLSX_BATCH_ROWS = 50_000  # rows fetched at a time while an XLSX is written (and progress told)


def output_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise PadanError(
            "OUTPUT_FORMAT",
            f"Jenis berkas hasil {path.name!r} tidak dikenal.",
            hint="Akhiri nama berkas dengan .csv, .xlsx atau .parquet.",
        )
    return fmt


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _load(
    engine: Any, dpt_paths: Sequence[Path], registry_paths: Sequence[Path], progress: Progress
) -> tuple[LoadReport, LoadReport]:
    """Tables ``dpt`` and ``registry`` and the two load reports.

    The register is read on a second connection, in a thread, while the DPT is read: each
    load has single-threaded stretches (the encoding scan, Python, small statements) that
    the other fills, so both cores stay busy. No file hashes (only a workspace import keeps
    them) and only the register fields the match uses: the register is read for the match
    alone and not kept. Progress of the register is reported as ``register:<stage>``.
    """
    from padan.ingest import load_dpt, load_registry

    reg_progress = (lambda s, d, t: progress(f"register:{s}", d, t)) if progress else None

    def read_registry(con: Any) -> LoadReport:
        return load_registry(
            con,
            list(registry_paths),
            table="registry",
            progress=reg_progress,
            fields=REGISTRY_FIELDS_USED,
            hash_files=False,
        )

    # a DPT error interrupts the register's read: the DPT's error is the one to report, now
    with Beside(engine, read_registry) as beside:
        report = load_dpt(engine, list(dpt_paths), table="dpt", progress=progress, hash_files=False)
        reg = beside.result()
    if reg.accepted == 0:
        raise _empty_register(reg)
    return report, reg


def _empty_register(reg: LoadReport) -> PadanError:
    """No register record to match against: every voter would come out TIDAK_DITEMUKAN, a
    result that looks like work done (a header-only extract, or every NIK rejected)."""
    from padan.recap.formatting import format_int

    why = (
        f"ditolak {format_int(reg.rejected)}, mis. " + "; ".join(reg.reject_examples)
        if reg.rejected and reg.reject_examples
        else f"ditolak {format_int(reg.rejected)}"
    )
    return PadanError(
        "REGISTER_KOSONG",
        f"Data Dukcapil tidak berisi satu baris pun yang bisa dipakai (dibaca "
        f"{format_int(reg.rows_read)} baris, {why}); tanpa data itu setiap pemilih akan "
        "TIDAK_DITEMUKAN, jadi hasil tidak ditulis.",
        hint="Periksa bahwa berkas --registry adalah ekstrak Dukcapil dengan kolom NIK 16 angka"
        + (" (lihat alasan penolakan di atas)" if reg.rejected else " dan baris data di bawah judul kolom")
        + ", lalu jalankan lagi.",
    )


def result_header(report: LoadReport) -> list[str]:
    """The result file's header as the contract has it: the input's column names exactly as
    read (an empty or repeated name too), then the result columns (``_PADAN`` when the input
    already has the name)."""
    raw = ["" if c is None else str(c) for c in report.raw_columns]
    taken = {n.upper() for n in raw}
    return raw + [lab if lab not in taken else f"{lab}_PADAN" for lab, _c in RESULT_COLUMNS]


def _warn_renamed_result_columns(report: LoadReport, header: list[str]) -> None:
    """A DPT that already has a column named as a result column (CATATAN for its notes, or a
    result fed back in): the input column keeps its name and place, padan's gets ``_PADAN``
    (``header``: :func:`result_header`); said, since a reader looking up CATATAN by name
    finds the input's."""
    from padan.ingest.load import ImportWarning

    ours = header[len(report.raw_columns) :]
    renamed = [h for h, (lab, _c) in zip(ours, RESULT_COLUMNS, strict=True) if h != lab]
    if renamed:
        report.warnings.append(ImportWarning(
            "KOLOM_HASIL_BERNAMA_LAIN",
            "DPT sudah punya kolom bernama " + ", ".join(r.removesuffix("_PADAN") for r in renamed)
            + "; kolom itu diteruskan apa adanya, dan kolom hasil padan dengan nama yang sama "
            f"ditulis sebagai {', '.join(renamed)}.",
        ))  # fmt: skip


def result_sql(
    dpt_table: str,
    out_table: str,
    report: LoadReport,
    rejects_table: str | None = None,
    segments: Sequence[tuple[tuple[int, int], tuple[int, int]]] | None = None,
) -> str:
    """The result rows: input columns as read, then the six result columns, in input order.

    Rows the reader rejected (no name and no NIK, a line that cannot be split into columns)
    are still written, at their place, as TIDAK_DITEMUKAN with the reject reason in CATATAN:
    every input row is in the result exactly once.

    ``segments`` (without rejected rows): ``((a, b), (x, y))`` pairs, each a stretch of the
    DPT table stored in row id order (rowids a..b-1 hold row ids x..y-1); the rows of each
    stretch side by side with their result rows (``POSITIONAL JOIN``), the stretches one
    after the other (``UNION ALL``): input order without a join and a sort.
    """
    raw_columns = report.raw_columns
    names = [str(c) if c not in (None, "") else f"KOLOM_{i + 1}" for i, c in enumerate(raw_columns)]
    taken = {n.upper() for n in names}
    # The input values are taken out of ``raw`` (or the canonical column that keeps them
    # unchanged: report.raw_sources) before the sort, under positional names (_c1.., _r1..):
    # sorting a list column's payload costs about twice as much as sorting its elements as
    # columns. The final SELECT gives them their names. The first row of each file and sheet
    # comes from the narrow key columns, not from the wide rows.
    from padan.ingest.load import input_sources

    picks = [f"{src} AS _c{i + 1}" for i, src in enumerate(input_sources(report))]
    # Rejected rows keep every input value in their own ``raw`` list.
    rej_picks = [f"raw[{i + 1}] AS _c{i + 1}" for i in range(len(names))]
    outs = [f"_c{i + 1} AS {_quote(n)}" for i, n in enumerate(names)]
    for j, (label, _col) in enumerate(RESULT_COLUMNS):
        # An input that already has e.g. STATUS_REKAM keeps it; ours gets a suffix.
        out = label if label not in taken else f"{label}_PADAN"
        outs.append(f"_r{j + 1} AS {_quote(out)}")
    res = ", ".join(f"o.{c} AS _r{j + 1}" for j, (_, c) in enumerate(RESULT_COLUMNS))
    cs = ", ".join(f"d._c{i + 1}" for i in range(len(names)))
    if segments is not None:  # see _write_csv_by_segments
        parts = []
        for (a, b), (x, y) in segments:
            parts.append(
                f"SELECT {cs}, {res} FROM (SELECT {', '.join(picks)} FROM {_quote(dpt_table)} "
                f"WHERE rowid >= {int(a)} AND rowid < {int(b)}) d POSITIONAL JOIN "
                f"(SELECT * FROM {_quote(out_table)} WHERE row_id >= {int(x)} AND row_id < {int(y)} "
                "ORDER BY row_id) o"
            )
        return f"SELECT {', '.join(outs)} FROM ({' UNION ALL '.join(parts)})"
    accepted = (
        f"SELECT {cs}, {res}, d._sf, d._ss, d._sr, d._k FROM (SELECT {', '.join(picks)}, "
        "source_file AS _sf, source_sheet AS _ss, source_row AS _sr, row_id AS _k "
        f"FROM {_quote(dpt_table)}) d JOIN {_quote(out_table)} o ON o.row_id = d._k"
    )
    if rejects_table is None:
        return f"SELECT {', '.join(outs)} FROM ({accepted}) ORDER BY _k"
    rcols = ", ".join(f"_r{j + 1}" for j in range(len(RESULT_COLUMNS)))
    return f"""
        WITH a AS ({accepted}),
        ak AS (SELECT d.source_file AS _sf, d.source_sheet AS _ss, d.row_id AS _k
               FROM {_quote(dpt_table)} d SEMI JOIN {_quote(out_table)} o ON o.row_id = d.row_id),
        fo AS (SELECT _sf, min(_k) AS f0 FROM ak GROUP BY ALL),
        so AS (SELECT _sf, _ss, min(_k) AS s0 FROM ak GROUP BY ALL),
        allrows AS (
            SELECT {", ".join(f"_c{i + 1}" for i in range(len(names)))}, {rcols},
                   _sf, _ss, _sr, 0 AS rej FROM a
            UNION ALL
            SELECT {", ".join(rej_picks)}, NULL, 'TIDAK_DITEMUKAN', NULL, NULL, NULL, reason,
                   source_file, source_sheet, source_row, 1
            FROM {_quote(rejects_table)})
        SELECT {", ".join(outs)} FROM allrows
        LEFT JOIN fo USING (_sf)
        LEFT JOIN so USING (_sf, _ss)
        ORDER BY coalesce(fo.f0, 9e18), _sf, coalesce(so.s0, 9e18), _ss, _sr, rej
    """


def _cannot_write(out_path: Path, exc: OSError) -> PadanError:
    return PadanError(
        "HASIL_TIDAK_BISA_DITULIS",
        f"Berkas hasil {out_path} tidak bisa ditulis: {exc.strerror or exc}.",
        hint="Periksa folder tujuan, izin menulis dan sisa ruang disk, atau pilih --out di tempat lain.",
    )


def _not_an_input(out_path: Path, inputs: Sequence[str | Path]) -> None:
    """Nothing lost: the result never replaces one of the files it is made from."""
    out = out_path.resolve()
    for p in inputs:
        if Path(p).resolve() == out:
            raise PadanError(
                "HASIL_MENIMPA_MASUKAN",
                f"Berkas hasil {out_path} adalah juga berkas masukan; berkas itu akan tertimpa.",
                hint="Pilih nama lain untuk --out, mis. hasil-padan.csv.",
            )
        # A folder is read whole: a result written into it is read as input the next time
        # (every voter twice, GANDA), and then overwritten.
        if Path(p).is_dir() and out.is_relative_to(Path(p).resolve()):
            raise PadanError(
                "HASIL_DI_FOLDER_MASUKAN",
                f"Berkas hasil {out_path} berada di dalam folder masukan {p}; pada run berikutnya "
                "berkas itu ikut terbaca sebagai data masukan.",
                hint=f"Simpan hasil di luar folder {p}, mis. --out hasil-padan.xlsx.",
            )


def check_writable(out_path: Path) -> None:
    """Fail before the work, not after it: the result's folder is made and a file can be
    created in it (the temporary name the result is written under first)."""
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        tmp.open("wb").close()
        tmp.unlink()
    except OSError as exc:
        raise _cannot_write(out_path, exc) from None


def write_result(
    engine: Any,
    sql: str,
    out_path: Path,
    header: list[str] | None = None,
    rows_written: Callable[[int], None] | None = None,
) -> None:
    """Write the result rows of ``sql``. ``header``: the column names to write where the
    query's cannot be them (SQL gives an empty name a placeholder and a repeated one a
    suffix): CSV and XLSX get the input's names exactly; Parquet needs unique names and
    keeps the query's. ``rows_written(n)``: told the rows written so far, every batch, while
    an XLSX is written (cell by cell: minutes for a kabupaten; DuckDB writes the others in
    seconds)."""
    fmt = output_format(out_path)
    with _written_whole(out_path) as tmp:
        if fmt == "csv" and header is not None and _header_not_carried(engine, sql, header):
            _copy_csv_with_header(engine, sql, tmp, header)
        elif fmt in ("csv", "parquet"):
            engine.copy_to(sql, tmp, fmt)
        else:
            _write_xlsx(engine, sql, tmp, header, rows_written)


@contextmanager
def _written_whole(out_path: Path) -> Iterator[Path]:
    """A temporary path beside ``out_path`` to write the result to, put in its place when
    the block ends: never a half-written result under the real name. A file system error
    (a full disk, a folder that went away) removes it and is told as HASIL_TIDAK_BISA_DITULIS."""
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        tmp.replace(out_path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _cannot_write(out_path, exc) from None


def _append(path: Path, part: Path) -> None:
    """Append the bytes of ``part`` to ``path``."""
    with path.open("ab") as out, part.open("rb") as src:
        shutil.copyfileobj(src, out, 1 << 20)


def _stored_runs(engine: Any, dpt_table: str, rows: int) -> list[tuple[int, int, int]]:
    """The stretches of ``dpt_table`` stored in row id order: (first rowid, first row id,
    length). The loader's build writes row groups in parallel: a few stretches (3 at 1 M)."""
    starts = engine.rows(
        f"SELECT rid, row_id FROM (SELECT rowid AS rid, row_id, "
        f'row_id - lag(row_id) OVER () AS step FROM "{dpt_table}") '
        "WHERE step IS DISTINCT FROM 1 ORDER BY rid"
    )
    ends = [rid for rid, _ in starts[1:]] + [rows]
    return [(rid, rid0, end - rid) for (rid, rid0), end in zip(starts, ends, strict=True)]


def _segments(
    runs: list[tuple[int, int, int]], lo: int, hi: int
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The parts of ``runs`` holding row ids lo..hi-1, in row id order, as result_sql's
    ``segments``."""
    out = []
    for rid, first, n in sorted(runs, key=lambda r: r[1]):
        x, y = max(lo, first), min(hi, first + n)
        if x < y:
            out.append(((rid + x - first, rid + y - first), (x, y)))
    return out


# From this many result rows (and at most this many stretches), a CSV result without rejected
# rows is written by _write_csv_by_segments.
SEGMENT_ROWS = 100_000
MAX_RUNS = 64


def _write_csv_by_segments(
    engine: Any, report: LoadReport, header: list[str], rows: int, out_path: Path
) -> bool:
    """The result CSV without a join and a sort: each stretch of the DPT table that is stored
    in row id order side by side with its result rows (result_sql's ``segments``), in two
    halves written at once on two connections, the second appended to the first. At 1 M:
    0.8 s instead of 1.2-1.3 s for the join and sort, and about 0.5 CPU-s less, the file
    byte for byte the same. False (nothing written) when the table is stored in more than
    MAX_RUNS stretches, its row ids do not tile 0..rows-1, the result table is not one row
    per row id, or the query cannot carry the header's names."""
    runs = _stored_runs(engine, "dpt", rows)
    # the stretches' row ids must tile 0..rows-1 (dense row ids, once each), and the result
    # table hold one row per row id: the positional join pairs rows by place alone
    tiled, at = True, 0
    for _rid, first, n in sorted(runs, key=lambda r: r[1]):
        tiled, at = tiled and first == at, at + n
    counts = engine.one(
        'SELECT count(*), count(DISTINCT row_id), min(row_id), max(row_id) FROM "match_out"'
    )
    if (
        len(runs) > MAX_RUNS
        or not tiled
        or at != rows
        or tuple(counts) != (rows, rows, 0, rows - 1)
    ):
        return False
    mid = rows // 2
    first, second = (
        result_sql("dpt", "match_out", report, segments=_segments(runs, lo, hi))
        for lo, hi in ((0, mid), (mid, rows))
    )
    if _header_not_carried(engine, first, header):
        return False
    tail = out_path.with_name(f".{out_path.name}.tmp2")
    try:
        with _written_whole(out_path) as tmp:
            with Beside(engine, lambda con: con.copy_to(second, tail, "csv", header=False)) as b:
                engine.copy_to(first, tmp, "csv")
                b.result()
            _append(tmp, tail)
    finally:
        tail.unlink(missing_ok=True)
    return True


def _header_not_carried(engine: Any, sql: str, header: list[str]) -> bool:
    """The query's names differ from ``header``, or DuckDB's CSV writer would rename them:
    it gives a repeated name (case-insensitively) a suffix, KETERANGAN_1, though the query
    reports both as KETERANGAN."""
    return header != engine.query_columns(sql) or len({h.lower() for h in header}) < len(header)


def _copy_csv_with_header(engine: Any, sql: str, path: Path, header: list[str]) -> None:
    """The rows without DuckDB's header, after our own header line (the rare input whose
    column names SQL cannot carry: written once more, header first)."""
    body = path.with_name(path.name + ".body")
    try:
        engine.copy_to(sql, body, "csv", header=False)
        with path.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out, lineterminator="\n").writerow(header)
        _append(path, body)
    finally:
        body.unlink(missing_ok=True)


def _write_xlsx(
    engine: Any,
    sql: str,
    path: Path,
    names: list[str] | None = None,
    rows_written: Callable[[int], None] | None = None,
) -> None:
    import xlsxwriter
    import xlsxwriter.exceptions

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    try:
        sheet, row, n_sheet, header, done = None, 0, 0, None, 0
        for batch in engine.batches(sql, XLSX_BATCH_ROWS):
            if rows_written and done:
                rows_written(done)
            done += batch.num_rows
            if header is None:
                header = names or batch.schema.names
            cols = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for values in zip(*cols, strict=False):
                if sheet is None or row > XLSX_MAX_ROWS:
                    n_sheet += 1
                    sheet = wb.add_worksheet("HASIL" if n_sheet == 1 else f"HASIL_{n_sheet}")
                    sheet.write_row(0, 0, header)
                    row = 1
                for c, v in enumerate(values):
                    if v is None:
                        continue
                    if isinstance(v, float):
                        sheet.write_number(row, c, v)
                    else:
                        sheet.write_string(row, c, str(v))
                row += 1
        if sheet is None:
            sheet = wb.add_worksheet("HASIL")
            sheet.write_row(0, 0, header or [])
    finally:
        try:
            wb.close()
        except xlsxwriter.exceptions.FileCreateError as exc:  # the file system said no
            raise OSError(str(exc)) from None


def match_files(
    dpt_paths: Sequence[str | Path],
    registry_paths: Sequence[str | Path],
    out_path: str | Path,
    *,
    pemilihan: str = DEFAULT_PROFILE,
    progress: Progress = None,
) -> MatchSummary:
    """Read DPT and register files, match, write the contract's result file (csv/xlsx/parquet)."""
    out_path = Path(out_path)
    output_format(out_path)
    _not_an_input(out_path, [*dpt_paths, *registry_paths])
    check_writable(out_path)
    profile = load_profile(pemilihan)
    with tempfile.TemporaryDirectory(prefix="padan-match-") as tmp:
        engine = connect()
        try:
            engine.execute(f"SET temp_directory = '{tmp}'")
            import_splink_beside()
            report, reg = _load(
                engine, [Path(p) for p in dpt_paths], [Path(p) for p in registry_paths], progress
            )
            summary = match_tables(
                engine,
                "dpt",
                "registry",
                profile,
                explain_table=None,
                progress=progress,
                registry_unique=reg.repeated_niks == 0,  # the loader counted
                concurrent=True,  # in memory: the duplicates run beside the probabilistic tier
                drop_registry=True,  # read for this match alone
            )
            summary.inputs = {"dpt": report, "registry": reg}
            header = result_header(report)
            _warn_renamed_result_columns(report, header)
            out_rows = summary.rows + report.rejected  # every input row is written
            if progress:
                progress("tulis", 0, out_rows)
            # without rejected rows the result is the accepted rows in row_id order (row ids
            # follow the files, sheets and rows as read): no merge with the rejects needed
            rejects = "dpt_rejects" if report.rejected else None
            fast = (
                rejects is None
                and output_format(out_path) == "csv"
                and summary.rows >= SEGMENT_ROWS
                and _write_csv_by_segments(engine, report, header, summary.rows, out_path)
            )
            if not fast:
                write_result(
                    engine, result_sql("dpt", "match_out", report, rejects), out_path, header,
                    (lambda n: progress("tulis", n, out_rows)) if progress else None,
                )  # fmt: skip
            if progress:
                progress("tulis", out_rows, out_rows)
        finally:
            engine.close()
    return summary
