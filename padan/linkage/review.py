"""The review queue (PERLU_TINJAU) and the decisions people take on it.

Decisions are stored per DPT import and row (``review_decisions``), not per match run, so that
every later run on the same DPT applies them again (:func:`apply_decisions`).
"""

from __future__ import annotations

import json
from typing import Any

from padan.errors import PadanError
from padan.linkage.status import status_rekam_sql

DECIDED = "DIPUTUSKAN_PETUGAS"
DECISIONS = ("terima", "tolak")


def _dpt_import(engine: Any, match_id: int) -> int:
    row = engine.one("SELECT dpt_import_id FROM match_runs WHERE match_id = $1", [match_id])
    if row is None:
        raise PadanError("PEMADANAN_TIDAK_ADA", f"Pemadanan #{match_id} tidak ditemukan.")
    return int(row[0])


def review_queue(
    engine: Any,
    match_id: int,
    *,
    kab_codes: set[str] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict]:
    """PERLU_TINJAU rows of a run, each with the DPT identity and up to 3 candidates
    (register identity, tier, probability, per-field explanation)."""
    imp = _dpt_import(engine, match_id)
    params: list[Any] = [match_id, imp]
    kab = ""
    if kab_codes is not None:
        if not kab_codes:
            return []
        kab = " AND list_contains($3, m.kode_kab)"
        params.append(sorted(kab_codes))
    rows = engine.rows(
        "SELECT m.row_id, m.kode_kab, m.kode_kec, m.kode_desa, m.tps_key, m.catatan, d.nik_raw, "
        "d.nkk, d.nama, d.tempat_lahir, d.tanggal_lahir, d.jenis_kelamin, d.alamat "
        "FROM match_results m JOIN dpt_rows d ON d.row_id = m.row_id AND d.import_id = $2 "
        "WHERE m.match_id = $1 AND m.status_rekam = 'PERLU_TINJAU'"
        + kab
        + f" ORDER BY m.row_id LIMIT {int(limit)} OFFSET {int(offset)}",
        params,
    )
    keys = ["row_id", "kode_kab", "kode_kec", "kode_desa", "tps_key", "catatan", "nik", "nkk",
            "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "alamat"]  # fmt: skip
    out = [dict(zip(keys, r, strict=True)) for r in rows]
    if not out:
        return out
    ids = ", ".join(str(r["row_id"]) for r in out)
    cands = engine.rows(
        "SELECT e.row_id, e.candidate_nik, e.candidate_rank, e.tier, e.match_probability, "
        "e.match_weight, e.details, r.nama, r.tempat_lahir, r.tanggal_lahir, r.jenis_kelamin, "
        "r.kode_desa, r.alamat, r.status_ktp_el "
        "FROM match_explanations e LEFT JOIN (SELECT * FROM registry_rows "
        "  QUALIFY row_number() OVER (PARTITION BY nik ORDER BY snapshot_date DESC) = 1) r "
        "  ON r.nik = e.candidate_nik "
        f"WHERE e.match_id = $1 AND e.row_id IN ({ids}) ORDER BY e.row_id, e.candidate_rank",
        [match_id],
    )
    by_row: dict[int, list[dict]] = {}
    ckeys = ["row_id", "nik", "rank", "tier", "match_probability", "match_weight", "details",
             "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "kode_desa", "alamat",
             "status_ktp_el"]  # fmt: skip
    for c in cands:
        d = dict(zip(ckeys, c, strict=True))
        d["details"] = json.loads(d["details"]) if isinstance(d["details"], str) else d["details"]
        by_row.setdefault(d.pop("row_id"), []).append(d)
    for r in out:
        r["candidates"] = by_row.get(r["row_id"], [])
    return out


def decide(
    engine: Any,
    match_id: int,
    row_id: int,
    *,
    candidate_nik: str | None,
    decision: str,
    note: str,
    by: str,
) -> None:
    """Record a reviewer's decision and apply it to the run's result row.

    ``terima``: the candidate becomes NIK_DUKCAPIL with its status; ``tolak``: no register
    record (TIDAK_DITEMUKAN). CATATAN gains DIPUTUSKAN_PETUGAS either way.
    """
    if decision not in DECISIONS:
        raise PadanError("KEPUTUSAN_TIDAK_DIKENAL", f"Keputusan {decision!r} tidak dikenal.",
                         hint="Pilih 'terima' atau 'tolak'.")  # fmt: skip
    if decision == "terima" and not candidate_nik:
        raise PadanError("KANDIDAT_KOSONG", "Pilih kandidat yang diterima.")
    imp = _dpt_import(engine, match_id)
    exists = engine.one(
        "SELECT count(*) FROM match_results WHERE match_id = $1 AND row_id = $2",
        [match_id, row_id],
    )[0]
    if not exists:
        raise PadanError("BARIS_TIDAK_ADA", f"Baris {row_id} tidak ada di pemadanan #{match_id}.")
    if decision == "terima":
        ok = engine.one(
            "SELECT count(*) FROM match_explanations WHERE match_id = $1 AND row_id = $2 "
            "AND candidate_nik = $3",
            [match_id, row_id, candidate_nik],
        )[0]
        if not ok:
            raise PadanError(
                "KANDIDAT_TIDAK_ADA",
                "NIK yang dipilih bukan kandidat untuk baris ini.",
                hint="Pilih salah satu kandidat yang ditampilkan.",
            )
    with engine.transaction():
        engine.execute(
            "INSERT INTO review_decisions (review_id, dpt_import_id, row_id, candidate_nik, "
            "decision, note, decided_by) VALUES (nextval('review_id_seq'), $1, $2, $3, $4, $5, $6)",
            [imp, row_id, candidate_nik if decision == "terima" else None, decision, note, by],
        )
        _apply(engine, match_id, f"row_id = {int(row_id)}")


def apply_decisions(engine: Any, match_id: int) -> int:
    """Apply the latest decision per row of this run's DPT import; returns rows changed."""
    return _apply(engine, match_id, "true")


def _apply(engine: Any, match_id: int, row_filter: str) -> int:
    imp = _dpt_import(engine, match_id)
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_dec AS
        SELECT row_id, candidate_nik, decision FROM review_decisions
        WHERE dpt_import_id = {imp} AND {row_filter}
        QUALIFY row_number() OVER (PARTITION BY row_id ORDER BY decided_at DESC, review_id DESC) = 1
    """)
    n = engine.one(
        f"SELECT count(*) FROM _lk_dec d JOIN match_results m ON m.row_id = d.row_id "
        f"AND m.match_id = {int(match_id)}"
    )[0]
    # The candidate's current register record: status from the latest snapshot holding it.
    engine.execute(f"""
        UPDATE match_results m SET
            nik_dukcapil = CASE WHEN d.decision = 'terima' THEN d.candidate_nik END,
            status_ktp_el = CASE WHEN d.decision = 'terima' THEN r.status_ktp_el END,
            status_rekam = CASE WHEN d.decision = 'terima' THEN {status_rekam_sql("r.status_ktp_el")}
                                ELSE 'TIDAK_DITEMUKAN' END,
            metode_padan = CASE WHEN d.decision = 'terima'
                                THEN coalesce(e.tier, m.metode_padan) END,
            skor_padan = CASE WHEN d.decision = 'terima' THEN 1.0 END,
            catatan = array_to_string(list_distinct(list_filter(
                          string_split(coalesce(m.catatan, ''), ';') || ['{DECIDED}'],
                          lambda x: x <> '' AND NOT starts_with(x, 'TINJAU_'))), ';')
        FROM _lk_dec d
        LEFT JOIN (SELECT nik, status_ktp_el FROM registry_rows
                   QUALIFY row_number() OVER (PARTITION BY nik ORDER BY snapshot_date DESC,
                                              import_id DESC) = 1) r
          ON r.nik = d.candidate_nik
        LEFT JOIN (SELECT row_id, candidate_nik, any_value(tier) AS tier
                   FROM match_explanations WHERE match_id = {int(match_id)}
                   GROUP BY ALL) e
          ON e.row_id = d.row_id AND e.candidate_nik = d.candidate_nik
        WHERE m.match_id = {int(match_id)} AND m.row_id = d.row_id
    """)
    engine.execute("DROP TABLE IF EXISTS _lk_dec")
    return int(n)
