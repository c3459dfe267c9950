"""A stored match run: the latest DPT import of an election against the register as of a date.

Results go to ``match_runs`` / ``match_results`` / ``match_explanations`` (ddl/20_match.sql);
review decisions taken earlier on the same DPT import are applied again, so a person never has
to decide the same row twice when the next day's snapshot arrives.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from padan.errors import PadanError
from padan.linkage.match import Progress, match_tables
from padan.linkage.model import import_splink_beside
from padan.reference.profiles import load_profile


def _latest_dpt_import(engine: Any, pemilihan: str) -> int:
    try:
        from padan.ingest import latest_dpt_import  # type: ignore[attr-defined]
    except ImportError:
        latest_dpt_import = None
    if latest_dpt_import is not None:
        found = latest_dpt_import(engine, pemilihan)
        found = getattr(found, "import_id", found)
    else:
        row = engine.one(
            "SELECT import_id FROM imports WHERE kind = 'dpt' AND pemilihan = $1 "
            "ORDER BY imported_at DESC, import_id DESC LIMIT 1",
            [pemilihan],
        )
        found = row[0] if row else None
    if found is None:
        raise PadanError(
            "DPT_BELUM_DIIMPOR",
            f"Belum ada DPT untuk pemilihan {pemilihan} di workspace.",
            hint="Impor DPT dulu: padan import dpt FILE --pemilihan " + pemilihan,
        )
    return int(found)


def _registry_as_of(engine: Any, tanggal: dt.date | None, name: str) -> dt.date:
    """Create view ``name``: the register as of ``tanggal`` (latest snapshot when None)."""
    if tanggal is None:
        row = engine.one("SELECT max(snapshot_date) FROM imports WHERE kind = 'registry'")
        tanggal = row[0] if row else None
        if tanggal is None:
            raise PadanError(
                "DUKCAPIL_BELUM_DIIMPOR",
                "Belum ada data Dukcapil di workspace.",
                hint="Impor data Dukcapil dulu: padan import registry FILE --tanggal YYYY-MM-DD",
            )
    try:
        from padan.ingest import registry_as_of  # type: ignore[attr-defined]
    except ImportError:
        registry_as_of = None
    if registry_as_of is not None:
        registry_as_of(engine, tanggal, name)
        return tanggal
    base = engine.one(
        "SELECT max(snapshot_date) FROM imports WHERE kind = 'registry' AND NOT is_delta "
        "AND snapshot_date <= $1",
        [tanggal],
    )[0]
    if base is None:
        raise PadanError(
            "DUKCAPIL_BELUM_DIIMPOR",
            f"Tidak ada snapshot lengkap data Dukcapil pada atau sebelum {tanggal}.",
            hint="Impor snapshot lengkap (bukan delta) dengan tanggal yang lebih awal.",
        )
    engine.execute(f"""
        CREATE OR REPLACE TEMP VIEW "{name}" AS
        SELECT r.* FROM registry_rows r JOIN imports i USING (import_id)
        WHERE i.kind = 'registry' AND ((NOT i.is_delta AND i.snapshot_date = DATE '{base}')
              OR (i.is_delta AND i.snapshot_date > DATE '{base}'
                  AND i.snapshot_date <= DATE '{tanggal}'))
        QUALIFY row_number() OVER (PARTITION BY r.nik
                                   ORDER BY r.snapshot_date DESC, r.import_id DESC) = 1
    """)
    return tanggal


def run_workspace_match(
    engine: Any, *, pemilihan: str, tanggal: dt.date | None = None, progress: Progress = None
) -> int:
    """Match the latest DPT import of ``pemilihan`` against the register as of ``tanggal``;
    store the run and return its match_id."""
    profile = load_profile(pemilihan)
    import_splink_beside()  # while the NIK tiers run
    dpt_import = _latest_dpt_import(engine, pemilihan)
    engine.execute(
        f"CREATE OR REPLACE TEMP VIEW _lk_ws_dpt AS SELECT * FROM dpt_rows "
        f"WHERE import_id = {dpt_import}"
    )
    reg_date = _registry_as_of(engine, tanggal, "_lk_ws_reg")
    summary = match_tables(
        engine, "_lk_ws_dpt", "_lk_ws_reg", profile,
        out_table="_lk_ws_out", explain_table="_lk_ws_explain", progress=progress,
    )  # fmt: skip
    params = {
        "ambang_terima": profile.thresholds.accept,
        "ambang_tinjau": profile.thresholds.review,
        "model": "padan-linkage-1",
    }
    with engine.transaction():
        match_id = engine.one("SELECT nextval('match_id_seq')")[0]
        engine.execute(
            "INSERT INTO match_runs (match_id, pemilihan, dpt_import_id, registry_date, params) "
            "VALUES ($1, $2, $3, $4, $5)",
            [match_id, pemilihan, dpt_import, reg_date, json.dumps(params)],
        )
        engine.execute(f"""
            INSERT INTO match_results
            SELECT {match_id}, row_id, kode_kab, kode_kec, kode_desa, tps_key, nik_dukcapil,
                   status_rekam, status_ktp_el, metode_padan, skor_padan, catatan
            FROM _lk_ws_out ORDER BY row_id
        """)
        engine.execute(f"""
            INSERT INTO match_explanations
            SELECT {match_id}, row_id, candidate_nik, candidate_rank, tier, match_probability,
                   match_weight, details FROM _lk_ws_explain
        """)
        from padan.linkage.review import apply_decisions

        applied = apply_decisions(engine, match_id)
        counts = dataclasses.asdict(summary) | {"keputusan_diterapkan": applied}
        engine.execute(
            "UPDATE match_runs SET finished_at = current_timestamp, counts = $1 "
            "WHERE match_id = $2",
            [json.dumps(counts), match_id],
        )
    for t in ("_lk_ws_out", "_lk_ws_explain"):
        engine.execute(f"DROP TABLE IF EXISTS {t}")
    for v in ("_lk_ws_dpt", "_lk_ws_reg"):
        engine.execute(f"DROP VIEW IF EXISTS {v}")
    return int(match_id)
