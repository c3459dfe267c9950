"""A small hand-made workspace for the recap, report and progress tests (synthetic data).

Built by inserting rows straight into the workspace tables, so these tests do not depend on
the importer or the matcher. Imported by tests/test_recap*.py, test_reports*.py and
test_progress*.py.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pyarrow as pa

PEMILIHAN = "pilkada-2020-sulsel"
DESA = [
    "7371011001",  # Bontorannu, Mariso, Kota Makassar
    "7371011002",  # Mattoangin
    "7371021001",  # Sambung Jawa, Mamajang
    "7306011001",  # Bontonompo, Bontonompo, Kabupaten Gowa
    "7306021001",  # Kalebajeng, Bajeng
    "7306021002",  # Limbung
]
# Per desa, statuses of its voters in the final run (index = voter number in the desa).
STATUS_CYCLE = [
    "SUDAH_REKAM", "SUDAH_REKAM", "BELUM_REKAM", "SUDAH_REKAM", "GAGAL_REKAM",
    "SUDAH_REKAM", "TIDAK_DITEMUKAN", "SUDAH_REKAM", "PERLU_TINJAU", "BELUM_REKAM",
]  # fmt: skip
# Snapshot dates of the runs; each run turns some BELUM into SUDAH.
RUN_DATES = [dt.date(2020, 11, 4), dt.date(2020, 11, 11), dt.date(2020, 11, 18)]


def voters_per_desa(i: int) -> int:
    return 10 + 5 * i  # 10, 15, 20, ... different sizes so the sort order is testable


def status_of(desa_i: int, n: int, run_i: int) -> str:
    """Final status from the cycle; earlier runs have more BELUM (they recorded later)."""
    final = STATUS_CYCLE[n % len(STATUS_CYCLE)]
    if final == "SUDAH_REKAM" and n % 3 < (len(RUN_DATES) - 1 - run_i):
        return "BELUM_REKAM"
    return final


def make_workspace(engine, *, versi: str = "DPT", evil_names: bool = False) -> dict:
    """Schema + one DPT import + one match run per RUN_DATES entry. Returns facts for tests."""
    # Only the schema these tests read (other domains' DDL may be mid-change).
    ddl = resources.files("padan.workspace").joinpath("ddl")
    for name in ("10_imports.sql", "20_match.sql"):
        engine.execute(ddl.joinpath(name).read_text(encoding="utf-8"))
    engine.execute(
        "INSERT INTO imports (import_id, kind, pemilihan, versi) VALUES (3, 'dpt', ?, ?)",
        [PEMILIHAN, versi],
    )
    engine.execute(
        "INSERT INTO imports (import_id, kind, snapshot_date) VALUES (1, 'registry', ?)",
        [RUN_DATES[0]],
    )
    dpt: dict[str, list] = {
        k: []
        for k in (
            "row_id", "kode_kab", "kode_kec", "kode_desa", "tps", "tps_key", "nik", "nama",
            "tanggal_lahir", "jenis_kelamin", "alamat", "rt", "rw", "disabilitas",
        )
    }  # fmt: skip
    results: dict[str, list] = {
        k: []
        for k in (
            "match_id", "row_id", "kode_kab", "kode_kec", "kode_desa", "tps_key",
            "status_rekam", "catatan",
        )
    }  # fmt: skip
    row_id = 0
    people = []
    for di, desa in enumerate(DESA):
        for n in range(voters_per_desa(di)):
            tps = f"{n % 2 + 1:03d}"
            nik = f"{desa[:6]}{(n % 28) + 1:02d}0190{di:02d}{n:02d}"
            name = f"WARGA {di}-{n:02d}"
            if evil_names and n == 2:
                name = '=HYPERLINK("http://x","klik")'
            if evil_names and n == 9:
                name = "+62 SITI"
            people.append((row_id, desa, tps, nik, name, n))
            dpt["row_id"].append(row_id)
            dpt["kode_kab"].append(desa[:4])
            dpt["kode_kec"].append(desa[:6])
            dpt["kode_desa"].append(desa)
            dpt["tps"].append(tps)
            dpt["tps_key"].append(desa + tps)
            dpt["nik"].append(nik)
            dpt["nama"].append(name)
            dpt["tanggal_lahir"].append(dt.date(1990 - n, 1 + n % 12, 1 + n % 28))
            dpt["jenis_kelamin"].append("L" if n % 2 else "P")
            dpt["alamat"].append(f"JL. MAWAR NO. {n % 7}")
            dpt["rt"].append(f"{(n * 7) % 5 + 1:03d}")
            dpt["rw"].append(f"{(n * 3) % 4 + 1:03d}")
            dpt["disabilitas"].append("2")
            row_id += 1
    # One voter whose region could not be resolved (counted in the "unknown" row).
    dpt_unknown = row_id
    for k in dpt:
        dpt[k].append(None)
    dpt["row_id"][-1] = dpt_unknown
    dpt["nama"][-1] = "TANPA WILAYAH"
    engine.register("_t_dpt", pa.table(dpt))
    engine.execute("INSERT INTO dpt_rows BY NAME SELECT 3 AS import_id, * FROM _t_dpt")
    engine.unregister("_t_dpt")
    for ri, day in enumerate(RUN_DATES):
        match_id = 10 + ri
        engine.execute(
            "INSERT INTO match_runs (match_id, pemilihan, dpt_import_id, registry_date, finished_at)"
            " VALUES (?, ?, 3, ?, now())",
            [match_id, PEMILIHAN, day],
        )
        for rid, desa, tps, _nik, _name, n in people:
            di = DESA.index(desa)
            catatan = []
            if n % 10 == 4:
                catatan.append("GANDA_DPT")
            if n % 11 == 0:
                catatan.append("PEMILIH_PEMULA")
            if n % 10 == 6:
                catatan.append("TINJAU_KANDIDAT_GANDA")  # a review note, not a duplicate
            results["match_id"].append(match_id)
            results["row_id"].append(rid)
            results["kode_kab"].append(desa[:4])
            results["kode_kec"].append(desa[:6])
            results["kode_desa"].append(desa)
            results["tps_key"].append(desa + tps)
            results["status_rekam"].append(status_of(di, n, ri))
            results["catatan"].append(";".join(catatan))
        results["match_id"].append(match_id)
        results["row_id"].append(dpt_unknown)
        for k in ("kode_kab", "kode_kec", "kode_desa", "tps_key"):
            results[k].append(None)
        results["status_rekam"].append("BELUM_REKAM")
        results["catatan"].append("")
    engine.register("_t_res", pa.table(results))
    engine.execute("INSERT INTO match_results BY NAME SELECT * FROM _t_res")
    engine.unregister("_t_res")
    return {"rows": row_id + 1, "latest_match": 10 + len(RUN_DATES) - 1}


def expected_counts(run_i: int = len(RUN_DATES) - 1) -> dict[str, dict[str, int]]:
    """Status counts per desa in run ``run_i``, computed independently of the recap SQL."""
    out: dict[str, dict[str, int]] = {}
    for di, desa in enumerate(DESA):
        c = out.setdefault(desa, {})
        for n in range(voters_per_desa(di)):
            s = status_of(di, n, run_i)
            c[s] = c.get(s, 0) + 1
            c["dpt"] = c.get("dpt", 0) + 1
            if n % 10 == 4:
                c["ganda"] = c.get("ganda", 0) + 1
            if n % 11 == 0:
                c["pemula"] = c.get("pemula", 0) + 1
    return out
