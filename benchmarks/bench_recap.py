"""Benchmark: recaps, progress and worklists on a province-scale match (synthetic).

Fabricates, with SQL, a workspace in memory (or --workspace FILE) holding one DPT import of
``--rows`` voters (default 3.4 M, the 12 Pilkada regions of Sulawesi Selatan, 2020) spread
over the real desa codes of the profile's regions, and ``--runs`` match runs (one per
register date) whose BELUM count falls run by run. Then times, in this process:

* baseline: one plain ``count(*) GROUP BY kode_kab`` over the latest run;
* ``recap`` at every level, ``progress`` (province, and per kabupaten), a desa worklist;
* writing the all-levels XLSX.

and prints each time and its ratio to the baseline. Run it under the heavy-job lock:

    flock /tmp/padan-heavy.lock .venv/bin/python benchmarks/bench_recap.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from padan.engine import connect
from padan.recap import LEVELS, progress, recap, worklist
from padan.reference import wilayah
from padan.reference.profiles import load_profile
from padan.reports.xlsx import write_recap_xlsx
from padan.workspace import ddl_statements

PEMILIHAN = "pilkada-2020-sulsel"


def fabricate(engine, rows: int, runs: int) -> dict:
    profile = load_profile(PEMILIHAN)
    desa = [
        d.code
        for kab in profile.regions
        for kec in wilayah.children(kab)
        for d in wilayah.children(kec.code)
    ]
    engine.register("_desa", pa.table({"idx": list(range(len(desa))), "kode_desa": desa}))
    for script in ddl_statements():
        engine.execute(script)
    engine.execute(
        "INSERT INTO imports (import_id, kind, pemilihan, versi) VALUES (1, 'dpt', ?, 'DPT')",
        [PEMILIHAN],
    )
    nd = len(desa)
    # Voters i of a desa: ~rows/nd each; TPS of 400; status from a hash of the row.
    engine.execute(
        f"""
        INSERT INTO dpt_rows (import_id, row_id, kode_kab, kode_kec, kode_desa, tps, tps_key, nik,
                              nama, tanggal_lahir, jenis_kelamin, alamat, rt, rw)
        SELECT 1, i, substr(d.kode_desa, 1, 4), substr(d.kode_desa, 1, 6), d.kode_desa,
               lpad(CAST((i // {nd}) // 400 + 1 AS VARCHAR), 3, '0'),
               d.kode_desa || lpad(CAST((i // {nd}) // 400 + 1 AS VARCHAR), 3, '0'),
               substr(d.kode_desa, 1, 6) || lpad(CAST(i % 1000000000 AS VARCHAR), 10, '0'),
               'WARGA ' || i, DATE '1960-01-01' + CAST(i % 15000 AS INTEGER),
               CASE WHEN i % 2 = 0 THEN 'L' ELSE 'P' END, 'JL. ' || (i % 97),
               lpad(CAST(i % 9 + 1 AS VARCHAR), 3, '0'), lpad(CAST(i % 5 + 1 AS VARCHAR), 3, '0')
        FROM range({rows}) t(i) JOIN _desa d ON d.idx = i % {nd}
        """
    )
    start = dt.date(2020, 11, 18) - dt.timedelta(days=7 * (runs - 1))
    for r in range(runs):
        day = start + dt.timedelta(days=7 * r)
        # The final run has ~2.4% must-record (Sulsel, 18 Nov 2020: 80,459 of 3.39 M);
        # earlier runs have more.
        belum_permille = 16 + 8 * (runs - 1 - r)
        engine.execute(
            "INSERT INTO match_runs (match_id, pemilihan, dpt_import_id, registry_date, finished_at)"
            " VALUES (?, ?, 1, ?, now())",
            [r + 1, PEMILIHAN, day],
        )
        engine.execute(
            f"""
            INSERT INTO match_results (match_id, row_id, kode_kab, kode_kec, kode_desa, tps_key,
                                       status_rekam, catatan)
            SELECT {r + 1}, row_id, kode_kab, kode_kec, kode_desa, tps_key,
                   CASE WHEN h < {belum_permille} THEN 'BELUM_REKAM'
                        WHEN h < {belum_permille + 8} THEN 'GAGAL_REKAM'
                        WHEN h < {belum_permille + 13} THEN 'TIDAK_DITEMUKAN'
                        WHEN h < {belum_permille + 16} THEN 'PERLU_TINJAU'
                        ELSE 'SUDAH_REKAM' END,
                   CASE WHEN h % 97 = 0 THEN 'GANDA' WHEN h % 53 = 0 THEN 'PEMILIH_PEMULA'
                        ELSE '' END
            FROM (SELECT *, hash(row_id) % 1000 AS h FROM dpt_rows WHERE import_id = 1)
            """
        )
    return {"desa": nd, "first_desa": desa[0]}


def timed(label: str, fn, baseline: float | None = None):
    t0 = time.perf_counter()
    out = fn()
    t = time.perf_counter() - t0
    ratio = f"  x{t / baseline:6.1f} baseline" if baseline else ""
    print(f"{label:<44} {t:8.3f} s{ratio}", flush=True)
    return out, t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--rows", type=int, default=3_400_000, help="DPT voters (match_results per run)"
    )
    ap.add_argument("--runs", type=int, default=4, help="match runs (register dates)")
    ap.add_argument("--workspace", default=None, help="DuckDB file (default: in memory)")
    args = ap.parse_args()

    engine = connect(args.workspace)
    facts, _ = timed(
        f"fabricate {args.rows:,} voters x {args.runs} runs",
        lambda: fabricate(engine, args.rows, args.runs),
    )
    n = engine.one("SELECT count(*) FROM match_results")[0]
    print(f"match_results rows: {n:,}; desa: {facts['desa']:,}")

    _, base = timed(
        "baseline: count(*) GROUP BY kode_kab",
        lambda: engine.rows(
            f"SELECT kode_kab, count(*) FROM match_results WHERE match_id = {args.runs} GROUP BY 1"
        ),
    )
    recaps = []
    for level in LEVELS:
        r, _ = timed(f"recap {level}", lambda lv=level: recap(engine, PEMILIHAN, lv), base)
        recaps.append(r)
        print(f"    {len(r.rows):,} rows; DPT {r.total.dpt:,}; belum+gagal {r.total.gap:,}")
    assert len({r.total.dpt for r in recaps}) == 1
    timed(
        "recap kecamatan within Kota Makassar",
        lambda: recap(engine, PEMILIHAN, "kecamatan", "7371"),
        base,
    )
    p, _ = timed("progress (province)", lambda: progress(engine, PEMILIHAN), base)
    print(f"    points {[pt.belum for pt in p.points]}; needed/day {p.needed_per_day:.0f}; "
          f"7-day {p.achieved_per_day_7d:.0f}; zero {p.projected_zero}; on track {p.on_track}")  # fmt: skip
    kids, _ = timed(
        "progress (each kabupaten)", lambda: progress(engine, PEMILIHAN, level_children=True), base
    )
    print(f"    {len(kids)} kabupaten, {sum(not k.on_track for k in kids)} not on track")
    wl, _ = timed(
        f"worklist desa {facts['first_desa']}",
        lambda: worklist(engine, PEMILIHAN, facts["first_desa"]),
        base,
    )
    print(f"    {len(wl):,} voters")
    with tempfile.TemporaryDirectory() as tmp:
        timed(
            "write XLSX, all levels", lambda: write_recap_xlsx(recaps, Path(tmp) / "r.xlsx"), base
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB")
    engine.close()


if __name__ == "__main__":
    main()
