"""A tiny synthetic workspace written straight into the canonical tables, for the web's tests,
end-to-end tests and load check (no import or match code involved, so they test the web alone).

All names and NIKs are made up. Two kabupaten (Makassar 7371, Gowa 7306), two kecamatan each,
two desa per kecamatan, two TPS per desa, ``per_tps`` voters per TPS; match runs on several
register dates with the number of unrecorded voters falling; a few rows PERLU_TINJAU with two
candidates each.
"""

from __future__ import annotations

import datetime as dt
import json
import random

from padan.engine import Engine
from padan.reference import wilayah

FIRST = [
    "Andi",
    "Muh.",
    "Siti",
    "Nur",
    "Ahmad",
    "Rahmawati",
    "Sitti",
    "Irwan",
    "Hasni",
    "Baso",
    "Fitri",
    "Syamsul",
]
LAST = [
    "Rahman",
    "Hasanuddin",
    "Aminah",
    "Saleh",
    "Jufri",
    "Daeng Ngalle",
    "Basri",
    "Tahir",
    "Kadir",
    "Arifin",
]
KABS = ("7371", "7306")
DATES = (dt.date(2020, 11, 13), dt.date(2020, 11, 20), dt.date(2020, 11, 27))


def _nik(kec: str, birth: dt.date, female: bool, serial: int) -> str:
    day = birth.day + (40 if female else 0)
    return f"{kec}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def build_sample(
    engine: Engine, *, per_tps: int = 10, seed: int = 7, pemilihan: str = "pilkada-2020-sulsel"
) -> dict:
    """Fill an empty workspace; returns codes and ids the tests use."""
    rnd = random.Random(seed)
    engine.execute(
        "INSERT INTO imports (import_id, kind, pemilihan, versi, rows_read, accepted, rejected)"
        " VALUES (nextval('import_id_seq'), 'dpt', ?, 'DPT', 0, 0, 0)",
        [pemilihan],
    )
    dpt_import = engine.one("SELECT max(import_id) FROM imports")[0]
    voters = []
    row_id = 0
    desas = []
    for kab in KABS:
        for kec in sorted(wilayah.children(kab), key=lambda r: r.code)[:2]:
            for desa in sorted(wilayah.children(kec.code), key=lambda r: r.code)[:2]:
                desas.append(desa.code)
                for tps in (1, 2):
                    for _ in range(per_tps):
                        female = rnd.random() < 0.5
                        birth = dt.date(
                            rnd.randint(1950, 2002), rnd.randint(1, 12), rnd.randint(1, 28)
                        )
                        nik = _nik(kec.code, birth, female, 1000 + row_id)
                        voters.append(
                            {
                                "row_id": row_id,
                                "kab": kab,
                                "kec": kec.code,
                                "desa": desa.code,
                                "tps": f"{tps:03d}",
                                "nik": nik,
                                "nama": f"{rnd.choice(FIRST)} {rnd.choice(LAST)}".upper(),
                                "birth": birth,
                                "jk": "P" if female else "L",
                                "tempat": rnd.choice(["MAKASSAR", "GOWA", "MAROS", "BONE"]),
                                "alamat": f"JL. {rnd.choice(LAST).upper()} NO. {rnd.randint(1, 99)}",
                            }
                        )
                        row_id += 1
    engine.execute(
        "UPDATE imports SET rows_read = ?, accepted = ? WHERE import_id = ?",
        [len(voters), len(voters), dpt_import],
    )
    for v in voters:
        engine.execute(
            "INSERT INTO dpt_rows (import_id, row_id, source_file, source_row, kode_kab, kode_kec, kode_desa, tps,"
            " tps_key, nik, nik_raw, nik_flags, nama, tempat_lahir, tanggal_lahir, jenis_kelamin, alamat, rt, rw)"
            " VALUES (?, ?, 'dpt.csv', ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, '001', '002')",
            [
                dpt_import,
                v["row_id"],
                v["row_id"] + 2,
                v["kab"],
                v["kec"],
                v["desa"],
                v["tps"],
                v["desa"] + v["tps"],
                v["nik"],
                v["nik"],
                v["nama"],
                v["tempat"],
                v["birth"],
                v["jk"],
                v["alamat"],
            ],  # fmt: skip
        )
    # status per voter per date: everyone starts belum with some probability and records later.
    n = len(voters)
    review_rows = {v["row_id"] for v in voters[3::17]}
    reg_imports = []
    for i, d in enumerate(DATES):
        engine.execute(
            "INSERT INTO imports (import_id, kind, snapshot_date, is_delta, rows_read, accepted, rejected)"
            " VALUES (nextval('import_id_seq'), 'registry', ?, ?, ?, ?, 0)",
            [d, i > 0, n, n],
        )
        reg_imports.append(engine.one("SELECT max(import_id) FROM imports")[0])
    results = {d: [] for d in DATES}
    for v in voters:
        r = rnd.random()
        # date index from which the voter is recorded (3 = never)
        recorded_from = 0 if r < 0.55 else (1 if r < 0.70 else (2 if r < 0.80 else 3))
        failed = rnd.random() < 0.05
        for i, d in enumerate(DATES):
            if v["row_id"] in review_rows:
                status, ktp, nik_d, metode, skor = "PERLU_TINJAU", None, None, None, 0.9
            elif failed:
                status, ktp, nik_d, metode, skor = (
                    "GAGAL_REKAM",
                    "ENROLL_FAILURE_AT_CENTRAL",
                    v["nik"],
                    "NIK",
                    1.0,
                )
            elif i >= recorded_from:
                status, ktp, nik_d, metode, skor = (
                    "SUDAH_REKAM",
                    "CARD_ISSUED",
                    v["nik"],
                    "NIK",
                    1.0,
                )
            else:
                status, ktp, nik_d, metode, skor = (
                    "BELUM_REKAM",
                    "BELUM REKAM",
                    v["nik"],
                    "NIK",
                    1.0,
                )
            results[d].append((v, status, ktp, nik_d, metode, skor))
    for i, d in enumerate(DATES):
        # the register: one record per voter (with changes only in deltas after the first)
        for v, status, ktp, *_ in results[d]:
            if i and status == results[DATES[i - 1]][v["row_id"]][1]:
                continue
            engine.execute(
                "INSERT INTO registry_rows (import_id, snapshot_date, row_id, nik, nama, tempat_lahir, tanggal_lahir,"
                " jenis_kelamin, alamat, kode_desa, status_ktp_el) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    reg_imports[i],
                    d,
                    v["row_id"],
                    v["nik"],
                    v["nama"],
                    v["tempat"],
                    v["birth"],
                    v["jk"],
                    v["alamat"],
                    v["desa"],
                    ktp or "CARD_ISSUED",
                ],  # fmt: skip
            )
        engine.execute(
            "INSERT INTO match_runs (match_id, pemilihan, dpt_import_id, registry_date, finished_at)"
            " VALUES (nextval('match_id_seq'), ?, ?, ?, current_timestamp)",
            [pemilihan, dpt_import, d],
        )
        match_id = engine.one("SELECT max(match_id) FROM match_runs")[0]
        for v, status, ktp, nik_d, metode, skor in results[d]:
            catatan = "PEMILIH_PEMULA" if v["birth"].year >= 2003 else ""
            engine.execute(
                "INSERT INTO match_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    match_id,
                    v["row_id"],
                    v["kab"],
                    v["kec"],
                    v["desa"],
                    v["desa"] + v["tps"],
                    nik_d,
                    status,
                    ktp,
                    metode,
                    skor,
                    catatan,
                ],  # fmt: skip
            )
            if status == "PERLU_TINJAU":
                for rank, (cand, prob, w) in enumerate(
                    ((v["nik"], 0.93, 6.2), (v["nik"][:-4] + "9999", 0.81, 2.1))
                ):
                    details = {
                        "weights": {
                            "nama": 3.1 - rank * 2,
                            "tanggal_lahir": 2.4,
                            "tempat_lahir": 0.7 - rank,
                            "jenis_kelamin": 0.2,
                        }
                    }
                    engine.execute(
                        "INSERT INTO match_explanations VALUES (?, ?, ?, ?, 'PROBABILISTIK', ?, ?, ?)",
                        [match_id, v["row_id"], cand, rank, prob, w, json.dumps(details)],
                    )
    # second candidate's register record (a different person, same village)
    for v in voters:
        if v["row_id"] in review_rows:
            engine.execute(
                "INSERT INTO registry_rows (import_id, snapshot_date, row_id, nik, nama, tempat_lahir, tanggal_lahir,"
                " jenis_kelamin, alamat, kode_desa, status_ktp_el) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'BELUM REKAM')",
                [
                    reg_imports[0],
                    DATES[0],
                    100000 + v["row_id"],
                    v["nik"][:-4] + "9999",
                    v["nama"] + " BINTI SALEH",
                    v["tempat"],
                    v["birth"] + dt.timedelta(days=3),
                    v["jk"],
                    v["alamat"],
                    v["desa"],
                ],  # fmt: skip
            )
    return {
        "dpt_import_id": dpt_import,
        "match_id": engine.one("SELECT max(match_id) FROM match_runs")[0],
        "desas": desas,
        "voters": voters,
        "review_rows": sorted(review_rows),
    }
