"""Benchmark: importing a province-scale DPT and register (synthetic), against DuckDB alone.

Files: ``--data DIR`` (made on first use, then reused): ``dpt.csv`` (``--dpt-rows``, default
3.4 M voters of the 12 Pilkada regions of Sulawesi Selatan), ``registry.csv`` (``--reg-rows``,
default 9.5 M), and ``dpt-xlsx/`` (one XLSX per kelurahan for the first ``--xlsx-rows`` voters).
They are written with DuckDB SQL over the real area names (with the usual mess: mixed case,
``TPS 001`` / ``1``, two date formats, a few Excel-damaged and masked NIKs), or taken from
``padan synth`` output with ``--synth DIR`` (its dpt.csv / registry.csv / dpt-xlsx).

Each phase runs in its own process so that its peak memory (ru_maxrss) is its own:

* baseline: DuckDB's ``read_csv`` (auto-detect, all VARCHAR) of the same file into a table;
* ``load_dpt`` / ``load_registry`` on an in-memory engine (the ``padan match`` path);
* ``import_dpt`` / ``import_registry`` into a workspace file (transaction, history), against
  DuckDB's ``read_csv`` into a table of a database file (both end with a checkpoint);
* ``load_dpt`` of the DPT as one CSV per kelurahan (``dpt-csv/``, written from ``dpt.csv``),
  against DuckDB's ``read_csv`` of the same files;
* ``load_dpt`` of the XLSX folder, and fastexcel alone reading the same files (its baseline).

Prints each time, its ratio to the baseline (target: CSV within 3x) and each peak (< 6 GB).

    flock /tmp/padan-heavy.lock .venv/bin/python benchmarks/bench_import.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from padan.engine import connect
from padan.reference import wilayah
from padan.reference.profiles import load_profile

DPT_HEADER = (
    "KABUPATEN,KECAMATAN,KELURAHAN,TPS,NO,NKK,NIK,NAMA,TEMPAT_LAHIR,TANGGAL_LAHIR,USIA,"
    "STATUS_KAWIN,JENIS_KELAMIN,ALAMAT,RT,RW,DISABILITAS,KTP_EL,KETERANGAN"
)
FIRST = [
    "MUHAMMAD",
    "SITI",
    "NUR",
    "ANDI",
    "ABDUL",
    "HASNA",
    "RAHMAT",
    "SURIANI",
    "IRWAN",
    "HAJRAH",
    "ST",
    "A",
]
LAST = [
    "RAHMAN",
    "HALIM",
    "AMINAH",
    "SYAMSUDDIN",
    "BASO",
    "DAENG",
    "TAHIR",
    "HAMZAH",
    "JUFRI",
    "SAENAL",
]


def _desa_table(engine) -> int:
    profile = load_profile("pilkada-2020-sulsel")
    rows = []
    for kab in profile.regions:
        k = wilayah.get(kab)
        for kec in wilayah.children(kab):
            for d in wilayah.children(kec.code):
                rows.append((d.code, k.name, kec.name, d.name))
    engine.register(
        "_desa",
        pa.table(
            {
                "idx": list(range(len(rows))),
                "kode_desa": [r[0] for r in rows],
                "kab": [r[1] for r in rows],
                "kec": [r[2] for r in rows],
                "desa": [r[3] for r in rows],
            }
        ),
    )
    return len(rows)


def _people_sql(n: int, nd: int) -> str:
    """n synthetic people, each with a desa, sex, birth date, NIK (SQL)."""
    first = "[" + ", ".join(f"'{x}'" for x in FIRST) + "]"
    last = "[" + ", ".join(f"'{x}'" for x in LAST) + "]"
    return f"""
        SELECT i, d.kode_desa, d.kab, d.kec, d.desa,
               CASE WHEN i % 2 = 0 THEN 'L' ELSE 'P' END AS sex,
               DATE '1940-01-01' + CAST(hash(i * 7) % 23000 AS INTEGER) AS birth,
               {first}[CAST(1 + hash(i) % {len(FIRST)} AS BIGINT)] || ' ' || {last}[CAST(1 + hash(i * 3) % {len(LAST)} AS BIGINT)] AS nama,
               i // {nd} AS k
        FROM range({n}) t(i) JOIN _desa d ON d.idx = i % {nd}
    """


def _nik(alias: str = "p") -> str:
    day = f"day({alias}.birth) + CASE WHEN {alias}.sex = 'P' THEN 40 ELSE 0 END"
    return (
        f"substr({alias}.kode_desa, 1, 6) || lpad(CAST({day} AS VARCHAR), 2, '0') || "
        f"strftime({alias}.birth, '%m%y') || lpad(CAST({alias}.i % 9999 + 1 AS VARCHAR), 4, '0')"
    )


def make_files(
    data: Path, dpt_rows: int, reg_rows: int, xlsx_rows: int, synth: Path | None
) -> None:
    data.mkdir(parents=True, exist_ok=True)
    e = connect()
    nd = _desa_table(e)
    if synth is None and not (data / "registry.csv").exists():
        t = time.perf_counter()
        e.execute(
            f"""COPY (SELECT {_nik()} AS NIK, substr(p.kode_desa, 1, 6) || '0101' || lpad(CAST(p.i % 999999 AS VARCHAR), 6, '0') AS NO_KK,
                   p.nama AS NAMA_LGKP, upper(p.kec) AS TMPT_LHR, strftime(p.birth, '%Y-%m-%d') AS TGL_LHR,
                   CASE WHEN p.sex = 'L' THEN 'LAKI-LAKI' ELSE 'PEREMPUAN' END AS JENIS_KLMIN,
                   ['BELUM KAWIN', 'KAWIN', 'CERAI HIDUP', 'CERAI MATI'][CAST(1 + hash(p.i * 5) % 4 AS BIGINT)] AS STAT_KWN,
                   'JL. POROS NO. ' || CAST(p.i % 200 AS VARCHAR) AS ALAMAT,
                   lpad(CAST(p.i % 9 + 1 AS VARCHAR), 3, '0') AS NO_RT, lpad(CAST(p.i % 5 + 1 AS VARCHAR), 3, '0') AS NO_RW,
                   substr(p.kode_desa, 1, 2) AS NO_PROP, CAST(CAST(substr(p.kode_desa, 3, 2) AS INTEGER) AS VARCHAR) AS NO_KAB,
                   CAST(CAST(substr(p.kode_desa, 5, 2) AS INTEGER) AS VARCHAR) AS NO_KEC, substr(p.kode_desa, 7, 4) AS NO_KEL,
                   CASE WHEN hash(p.i) % 40 = 0 THEN 'BELUM REKAM' ELSE 'CARD_PRINTED' END AS STATUS_KTP_EL,
                   strftime(DATE '2013-01-01' + CAST(hash(p.i) % 2500 AS INTEGER), '%d-%m-%Y') AS TGL_REKAM
            FROM ({_people_sql(reg_rows, nd)}) p) TO '{data / "registry.csv"}' (HEADER, DELIMITER ',')"""
        )
        print(
            f"made registry.csv ({reg_rows:,} rows) in {time.perf_counter() - t:.1f} s", flush=True
        )
    dpt_sql = f"""SELECT CASE WHEN p.i % 3 = 0 THEN upper(p.kab) ELSE p.kab END AS KABUPATEN,
               upper(p.kec) AS KECAMATAN, upper(p.desa) AS KELURAHAN,
               CASE WHEN p.i % 2 = 0 THEN 'TPS ' ELSE '' END || lpad(CAST(p.k // 300 + 1 AS VARCHAR), 3, '0') AS TPS,
               CAST(p.k % 300 + 1 AS VARCHAR) AS NO,
               substr(p.kode_desa, 1, 6) || '0101' || lpad(CAST(p.i % 999999 AS VARCHAR), 6, '0') AS NKK,
               CASE WHEN p.i % 1000 = 7 THEN '7.37101E+15' WHEN p.i % 1000 = 8 THEN substr({_nik()}, 1, 6) || '**********'
                    WHEN p.i % 1000 = 9 THEN '' ELSE {_nik()} END AS NIK,
               p.nama AS NAMA, upper(p.kec) AS TEMPAT_LAHIR,
               CASE WHEN p.i % 4 = 0 THEN strftime(p.birth, '%d/%m/%Y') ELSE strftime(p.birth, '%d-%m-%Y') END AS TANGGAL_LAHIR,
               CAST(date_diff('year', p.birth, DATE '2020-12-09') AS VARCHAR) AS USIA,
               CASE WHEN hash(p.i) % 3 = 0 THEN 'B' ELSE 'S' END AS STATUS_KAWIN, p.sex AS JENIS_KELAMIN,
               'JL. POROS NO. ' || CAST(p.i % 200 AS VARCHAR) AS ALAMAT,
               lpad(CAST(p.i % 9 + 1 AS VARCHAR), 3, '0') AS RT, lpad(CAST(p.i % 5 + 1 AS VARCHAR), 3, '0') AS RW,
               '0' AS DISABILITAS, 'S' AS KTP_EL, '' AS KETERANGAN, p.kode_desa AS _kode
        FROM ({_people_sql(dpt_rows, nd)}) p"""
    if synth is None and not (data / "dpt.csv").exists():
        t = time.perf_counter()
        e.execute(
            f"COPY (SELECT * EXCLUDE (_kode) FROM ({dpt_sql}) ORDER BY _kode, TPS, NO) TO '{data / 'dpt.csv'}' (HEADER)"
        )
        print(f"made dpt.csv ({dpt_rows:,} rows) in {time.perf_counter() - t:.1f} s", flush=True)
    xdir = data / "dpt-xlsx"
    if not xdir.exists():
        import xlsxwriter

        t = time.perf_counter()
        xdir.mkdir()
        part = e.arrow(
            f"SELECT * FROM (SELECT * FROM read_csv('{(synth or data) / 'dpt.csv'}', all_varchar = true) LIMIT {xlsx_rows}) "
        )
        cols = part.column_names
        desa_col = part.column("KELURAHAN").to_pylist()
        kec_col = part.column("KECAMATAN").to_pylist()
        data_cols = [part.column(c).to_pylist() for c in cols]
        start = 0
        nfiles = 0
        n = part.num_rows
        while start < n:
            end = start
            while end < n and desa_col[end] == desa_col[start] and kec_col[end] == kec_col[start]:
                end += 1
            name = f"{nfiles:05d}-{kec_col[start]}-{desa_col[start]}".replace("/", "-").replace(
                " ", "_"
            )
            wb = xlsxwriter.Workbook(str(xdir / f"{name}.xlsx"), {"constant_memory": True})
            ws = wb.add_worksheet("DPT")
            ws.write(0, 0, f"DAFTAR PEMILIH TETAP KELURAHAN {desa_col[start]}")
            ws.write_row(2, 0, cols)
            for r in range(start, end):
                ws.write_row(3 + r - start, 0, [c[r] for c in data_cols])
            wb.close()
            nfiles += 1
            start = end
        print(
            f"made dpt-xlsx ({n:,} rows, {nfiles} files) in {time.perf_counter() - t:.1f} s",
            flush=True,
        )


def make_kelurahan_csvs(data: Path, src: Path) -> Path:
    """The DPT as one CSV per kelurahan (as KPU exports come), written by DuckDB."""
    cdir = data / "dpt-csv"
    if not cdir.exists():
        t = time.perf_counter()
        connect().execute(
            f"COPY (SELECT * FROM read_csv('{src}', all_varchar = true)) TO '{cdir}' "
            "(FORMAT csv, HEADER, PARTITION_BY (KABUPATEN, KECAMATAN, KELURAHAN), "
            "WRITE_PARTITION_COLUMNS true)"
        )
        n = len(list(cdir.rglob("*.csv")))
        print(f"made dpt-csv ({n} files) in {time.perf_counter() - t:.1f} s", flush=True)
    return cdir


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def phase(name: str, path: str) -> dict:
    """One measurement, in this (fresh) process."""
    from padan.ingest import import_dpt, load_dpt, load_registry

    e = connect()
    t = time.perf_counter()
    out: dict = {"phase": name}
    if name == "baseline":
        e.execute(f"CREATE TABLE b AS SELECT * FROM read_csv('{path}', all_varchar = true)")
        out["rows"] = e.one("SELECT count(*) FROM b")[0]
    elif name == "baseline_dir":  # DuckDB alone reading every CSV under a folder
        e.execute(
            f"CREATE TABLE b AS SELECT * FROM read_csv('{path}/**/*.csv', all_varchar = true, "
            "hive_partitioning = false)"
        )
        out["rows"] = e.one("SELECT count(*) FROM b")[0]
    elif name == "baseline_file":
        # The fair baseline for the workspace imports: DuckDB reading the file into a table of
        # a database file (compressed and written to disk at the checkpoint, as padan does).
        e.close()
        with tempfile.TemporaryDirectory() as tmp:
            f = connect(Path(tmp) / "b.duckdb")
            t = time.perf_counter()
            f.execute(f"CREATE TABLE b AS SELECT * FROM read_csv('{path}', all_varchar = true)")
            f.execute("CHECKPOINT")
            out["rows"] = f.one("SELECT count(*) FROM b")[0]
            out["seconds"] = time.perf_counter() - t
            f.close()
    elif name == "load_dpt":
        r = load_dpt(e, [Path(path)], table="dpt")
        out.update(
            rows=r.rows_read, accepted=r.accepted, rejected=r.rejected, warnings=len(r.warnings)
        )
    elif name == "load_registry":
        r = load_registry(e, [Path(path)], table="reg")
        out.update(
            rows=r.rows_read, accepted=r.accepted, rejected=r.rejected, warnings=len(r.warnings)
        )
    elif name == "import_dpt":
        from padan.workspace import open_workspace

        e.close()
        with tempfile.TemporaryDirectory() as tmp:
            ws = open_workspace(Path(tmp) / "ws.duckdb")
            t = time.perf_counter()
            res = import_dpt(ws, [Path(path)], pemilihan="pilkada-2020-sulsel")
            out.update(rows=res.report.rows_read, accepted=res.report.accepted)
            ws.execute("CHECKPOINT")
            out["seconds"] = time.perf_counter() - t
            ws.close()
    elif name == "import_registry":
        import datetime as dt

        from padan.ingest import import_registry
        from padan.workspace import open_workspace

        e.close()
        with tempfile.TemporaryDirectory() as tmp:
            ws = open_workspace(Path(tmp) / "ws.duckdb")
            t = time.perf_counter()
            res = import_registry(ws, [Path(path)], tanggal=dt.date(2020, 11, 18))
            out.update(rows=res.report.rows_read, accepted=res.report.accepted)
            ws.execute("CHECKPOINT")
            out["seconds"] = time.perf_counter() - t
            ws.close()
    elif name == "fastexcel":
        import fastexcel

        n = 0
        for f in sorted(Path(path).glob("*.xlsx")):
            r = fastexcel.read_excel(str(f))
            for i in range(len(r.sheet_names)):
                n += r.load_sheet(i, header_row=None, dtypes="string", eager=True).num_rows
        out["rows"] = n
    out.setdefault("seconds", time.perf_counter() - t)
    out["peak_gb"] = _peak_gb()
    return out


def median_run(runs: list[dict]) -> dict:
    """The run with the median time (its peak memory and counts with it); all times listed."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    out = dict(ordered[len(ordered) // 2])
    if len(runs) > 1:
        out["runs"] = [round(r["seconds"], 1) for r in runs]
    return out


def run_phase(name: str, path: Path) -> dict:
    cmd = [sys.executable, __file__, "--phase", name, str(path)]
    res = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ})
    if res.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "padan-bench-import")
    ap.add_argument(
        "--synth", type=Path, help="use dpt.csv/registry.csv/dpt-xlsx from `padan synth` output"
    )
    ap.add_argument("--dpt-rows", type=int, default=3_400_000)
    ap.add_argument("--reg-rows", type=int, default=9_500_000)
    ap.add_argument("--xlsx-rows", type=int, default=300_000)
    ap.add_argument(
        "--skip",
        nargs="*",
        default=[],
        help="phases to skip: dpt registry workspace csvdir xlsx",
    )
    ap.add_argument(
        "--repeat", type=int, default=1, help="run baseline and padan alternately N times (medians)"
    )
    ap.add_argument("--phase", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.phase:
        print(json.dumps(phase(*a.phase), default=str))
        return
    make_files(a.data, a.dpt_rows, a.reg_rows, a.xlsx_rows, a.synth)
    data = a.synth or a.data
    print(f"CSV files in {data}, XLSX in {a.data / 'dpt-xlsx'}; {os.cpu_count()} cores", flush=True)

    def show(label: str, r: dict, base: dict | None = None) -> None:
        ratio = f"  ratio {r['seconds'] / base['seconds']:.2f}x" if base else ""
        extra = {k: v for k, v in r.items() if k in ("accepted", "rejected", "warnings", "runs")}
        print(
            f"{label:<34} {r['seconds']:7.1f} s  {r.get('rows', 0):>11,} rows  peak {r['peak_gb']:.2f} GB{ratio}  {extra or ''}",
            flush=True,
        )

    for kind, label, csv_file in (
        ("dpt", "DPT csv", "dpt.csv"),
        ("registry", "register csv", "registry.csv"),
    ):
        if kind in a.skip:
            continue
        path = data / csv_file
        pairs = [("baseline", f"load_{kind}")]
        if "workspace" not in a.skip:
            # Also measured in the same run: the baseline read into a database file.
            pairs.append(("baseline_file", f"import_{kind}"))
        for base_name, name in pairs:
            # --repeat N: baseline and padan alternately, medians (DuckDB's own read varies
            # by up to 1.5x between runs on a shared machine).
            runs = [(run_phase(base_name, path), run_phase(name, path)) for _ in range(a.repeat)]
            b, r = (median_run([x[i] for x in runs]) for i in (0, 1))
            what = "read_csv (baseline)" if base_name == "baseline" else "read_csv into a file"
            show(f"{label}: DuckDB {what}", b)
            where = "" if name.startswith("load") else " (workspace file)"
            show(f"{label}: {name}{where}", r, b)
    if "csvdir" not in a.skip:
        # One CSV per kelurahan: read together by one read_csv per run of same-shape files
        # (file by file, load_dpt of 1 155 files of 1 M voters took 22.8-25.3 s, 6.8 s now)
        cdir = make_kelurahan_csvs(a.data, data / "dpt.csv")
        nfiles = len(list(cdir.rglob("*.csv")))
        runs = [
            (run_phase("baseline_dir", cdir), run_phase("load_dpt", cdir)) for _ in range(a.repeat)
        ]
        b, r = (median_run([x[i] for x in runs]) for i in (0, 1))
        show(f"DPT csv ({nfiles} files): DuckDB read_csv", b)
        show(f"DPT csv ({nfiles} files): load_dpt", r, b)
    xdir = a.data / "dpt-xlsx"
    if "xlsx" not in a.skip and xdir.exists():
        nfiles = len(list(xdir.glob("*.xlsx")))
        b = run_phase("fastexcel", xdir)
        show(f"DPT xlsx ({nfiles} files): fastexcel alone", b)
        show(f"DPT xlsx ({nfiles} files): load_dpt", run_phase("load_dpt", xdir), b)


if __name__ == "__main__":
    main()
