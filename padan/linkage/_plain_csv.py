"""A stand-in reader for plain comma-separated CSV files with the contract's column names.

Used only while ``padan.ingest`` is not importable, so that the match command works end to
end; ``padan.ingest`` (encodings, XLSX, folders, zips, name resolution, rejects) replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class LoadReport:
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    raw_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _key(name: str) -> str:
    return re.sub(r"[\s./_]+", "_", name.strip().upper())


def _date(col: str) -> str:
    fmts = ["%d-%m-%Y", "%d/%m/%Y", "%d|%m|%Y", "%Y-%m-%d"]
    return "coalesce(" + ", ".join(f"try_strptime({col}, '{f}')::DATE" for f in fmts) + ")"


def _read(engine: Any, paths: Sequence[Path], table: str) -> list[str]:
    files = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_csv({files}, "
        "all_varchar = true, header = true, union_by_name = false)"
    )
    return engine.columns(table)


def load_dpt(engine: Any, paths: Sequence[Path], table: str = "dpt", **_: Any) -> LoadReport:
    cols = _read(engine, paths, "_plain_dpt")
    k = {_key(c): f'"{c}"' for c in cols}

    def g(*names: str) -> str:
        for n in names:
            if n in k:
                return f"trim({k[n]})"
        return "NULL"

    kode = f"regexp_replace({g('KODE_WILAYAH')}, '[^0-9]', '', 'g')"
    nik = g("NIK")
    raw = "[" + ", ".join(k[_key(c)] for c in cols) + "]"
    engine.execute(f"""
        CREATE OR REPLACE TABLE "{table}" AS
        SELECT row_number() OVER () - 1 AS row_id, substr({kode}, 1, 4) AS kode_kab,
               substr({kode}, 1, 6) AS kode_kec, {kode} AS kode_desa,
               lpad(regexp_replace({g("TPS")}, '[^0-9]', '', 'g'), 3, '0') AS tps,
               {kode} || lpad(regexp_replace({g("TPS")}, '[^0-9]', '', 'g'), 3, '0') AS tps_key,
               CASE WHEN regexp_full_match({nik}, '[0-9]{{16}}') THEN {nik} END AS nik,
               {nik} AS nik_raw,
               CASE WHEN {nik} IS NULL OR {nik} = '' THEN 'NIK_KOSONG'
                    WHEN NOT regexp_full_match({nik}, '[0-9]{{16}}') THEN 'NIK_TIDAK_VALID'
                    ELSE '' END AS nik_flags,
               {g("NKK")} AS nkk, {g("NAMA")} AS nama, {g("TEMPAT_LAHIR")} AS tempat_lahir,
               {_date(g("TANGGAL_LAHIR"))} AS tanggal_lahir, NULL::INTEGER AS usia,
               upper({g("STATUS_KAWIN")}) AS status_kawin,
               upper({g("JENIS_KELAMIN")}) AS jenis_kelamin, {g("ALAMAT")} AS alamat,
               {g("RT")} AS rt, {g("RW")} AS rw, {g("DISABILITAS")} AS disabilitas,
               upper({g("KTP_EL")}) AS ktp_el, {g("KETERANGAN")} AS keterangan, {raw} AS raw
        FROM _plain_dpt
    """)
    n = engine.one(f'SELECT count(*) FROM "{table}"')[0]
    return LoadReport(rows_read=n, accepted=n, raw_columns=cols)


def load_registry(
    engine: Any, paths: Sequence[Path], table: str = "registry", **_: Any
) -> LoadReport:
    cols = _read(engine, paths, "_plain_reg")
    k = {_key(c): f'"{c}"' for c in cols}

    def g(name: str) -> str:
        return f"trim({k[name]})" if name in k else "NULL"

    def num(name: str, width: int) -> str:
        return f"lpad({g(name)}, {width}, '0')"

    jk = f"upper({g('JENIS_KLMIN')})"
    kw = f"upper({g('STAT_KWN')})"
    engine.execute(f"""
        CREATE OR REPLACE TABLE "{table}" AS
        SELECT row_number() OVER () - 1 AS row_id, {g("NIK")} AS nik, {g("NO_KK")} AS no_kk,
               {g("NAMA_LGKP")} AS nama, {g("TMPT_LHR")} AS tempat_lahir,
               {_date(g("TGL_LHR"))} AS tanggal_lahir,
               CASE WHEN {jk} IN ('L', 'LAKI-LAKI', '1') THEN 'L'
                    WHEN {jk} IN ('P', 'PEREMPUAN', '2') THEN 'P' END AS jenis_kelamin,
               CASE WHEN {kw} IN ('BELUM KAWIN', '1', 'B') THEN 'B'
                    WHEN {kw} IN ('KAWIN', '2', 'S') THEN 'S'
                    WHEN {kw} IN ('CERAI HIDUP', 'CERAI MATI', '3', '4', 'P') THEN 'P'
                    END AS status_kawin,
               {g("ALAMAT")} AS alamat, {g("NO_RT")} AS rt, {g("NO_RW")} AS rw,
               {num("NO_PROP", 2)} || {num("NO_KAB", 2)} || {num("NO_KEC", 2)}
                   || {num("NO_KEL", 4)} AS kode_desa,
               upper({g("STATUS_KTP_EL")}) AS status_ktp_el,
               {_date(g("TGL_REKAM"))} AS tgl_rekam
        FROM _plain_reg
    """)
    n = engine.one(f'SELECT count(*) FROM "{table}"')[0]
    return LoadReport(rows_read=n, accepted=n, raw_columns=cols)
