"""Match quality against a ground truth (the synthetic generator's ``ground_truth.csv``).

A link is right when NIK_DUKCAPIL equals NIK_BENAR. Precision = right links / links made;
recall = right links / rows that have a register record (NIK_BENAR not empty); status accuracy =
STATUS_REKAM equals STATUS_REKAM_BENAR (a PERLU_TINJAU row counts as not yet right). Figures
are given overall, per tier (METODE_PADAN), per error type of the generator (KESALAHAN) and
at a few accept thresholds for the probabilistic tier. When the truth has GANDA_DENGAN (the
row's other listing), the duplicate flags are measured too: a row flagged GANDA* is right
when it is listed twice.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from padan.engine import connect
from padan.errors import PadanError
from padan.linkage.duplicates import CATEGORIES
from padan.linkage.match import Progress, match_tables
from padan.linkage.status import status_rekam_sql
from padan.reference.profiles import DEFAULT_PROFILE, load_profile

THRESHOLDS = (0.8, 0.9, 0.95, 0.99, 0.999, 0.9999, 0.999999)

_METRICS = """
    count(*) AS n,
    count(*) FILTER (WHERE nik_dukcapil IS NOT NULL) AS links,
    count(*) FILTER (WHERE nik_dukcapil IS NOT NULL AND nik_dukcapil = nik_benar) AS tp,
    count(*) FILTER (WHERE nik_dukcapil IS NOT NULL AND nik_dukcapil IS DISTINCT FROM nik_benar)
        AS fp,
    count(*) FILTER (WHERE nik_benar IS NOT NULL) AS should,
    count(*) FILTER (WHERE status_rekam = status_benar) AS status_ok,
    count(*) FILTER (WHERE status_rekam = 'PERLU_TINJAU') AS review
"""


def _ratios(row: dict[str, Any]) -> dict[str, Any]:
    links, tp, should = row["links"], row["tp"], row["should"]
    p = tp / links if links else 1.0
    r = tp / should if should else 1.0
    return row | {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "status_accuracy": row["status_ok"] / row["n"] if row["n"] else 1.0,
        "review_rate": row["review"] / row["n"] if row["n"] else 0.0,
    }


def _dicts(engine: Any, sql: str) -> list[dict[str, Any]]:
    t = engine.arrow(sql)
    return t.to_pylist()


def load_truth(engine: Any, truth_path: Path, table: str = "_q_truth") -> None:
    """ground_truth.csv -> table (row_id, nik_benar, status_benar, kesalahan)."""
    if not truth_path.is_file():
        raise PadanError("KUNCI_TIDAK_ADA", f"Berkas kunci jawaban {truth_path} tidak ada.")
    p = str(truth_path).replace("'", "''")
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE _q_raw AS SELECT * FROM read_csv('{p}', all_varchar=true, "
        "header=true)"
    )
    cols = {c.upper(): c for c in engine.columns("_q_raw")}
    for need in ("ROW", "NIK_BENAR", "STATUS_REKAM_BENAR"):
        if need not in cols:
            raise PadanError("KUNCI_TIDAK_LENGKAP", f"Kolom {need} tidak ada di {truth_path.name}.")
    kes = f'"{cols["KESALAHAN"]}"' if "KESALAHAN" in cols else "NULL"
    dup = f'"{cols["GANDA_DENGAN"]}"' if "GANDA_DENGAN" in cols else "NULL::VARCHAR"
    # ROW is the 1-based data row of the DPT file (row_id + 1) when it starts at 1.
    base = engine.one(f'SELECT min(TRY_CAST("{cols["ROW"]}" AS BIGINT)) FROM _q_raw')[0] or 0
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT CAST("{cols["ROW"]}" AS BIGINT) - {int(base)} AS row_id,
               nullif(trim("{cols["NIK_BENAR"]}"), '') AS nik_benar,
               upper(trim("{cols["STATUS_REKAM_BENAR"]}")) AS status_benar,
               nullif(trim({kes}), '') AS kesalahan,
               nullif(trim({dup}), '') AS ganda_dengan
        FROM _q_raw
    """)


def measure(
    engine: Any,
    out_table: str,
    explain_table: str,
    truth_table: str,
    *,
    registry_table: str | None = None,
    review: float = 0.8,
) -> dict[str, Any]:
    """All figures for a match result already in ``out_table`` (with explanations)."""
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _q_j AS
        SELECT o.*, t.nik_benar, t.status_benar, t.kesalahan, t.ganda_dengan
        FROM "{out_table}" o LEFT JOIN {truth_table} t USING (row_id)
    """)
    overall = _ratios(_dicts(engine, f"SELECT {_METRICS} FROM _q_j")[0])
    by_tier = {
        r.pop("metode"): _ratios(r)
        for r in _dicts(
            engine,
            f"SELECT coalesce(metode_padan, '-') AS metode, {_METRICS} FROM _q_j GROUP BY 1 "
            "ORDER BY 1",
        )
    }
    by_error = {
        r.pop("err"): _ratios(r)
        for r in _dicts(
            engine,
            f"SELECT err, {_METRICS} FROM (SELECT *, unnest(CASE WHEN kesalahan IS NULL "
            "THEN ['(tanpa kesalahan)'] ELSE string_split(kesalahan, ';') END) AS err "
            "FROM _q_j) GROUP BY 1 ORDER BY 1",
        )
    }
    # The probabilistic tier at other accept thresholds (review band from ``review``): its
    # best candidate is accepted when p >= t unless the run held it back (ambiguous, or the
    # record is held by another row); the deterministic tiers are unchanged.
    at: dict[float, dict[str, Any]] = {}
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _q_top AS
        SELECT row_id, candidate_nik, match_probability AS p,
               json_extract_string(details, '$.keputusan') AS keputusan
        FROM "{explain_table}" WHERE tier = 'PROBABILISTIK' AND candidate_rank = 1
    """)
    held = (
        "coalesce(j.catatan LIKE '%TINJAU_KANDIDAT_GANDA%' "
        "OR j.catatan LIKE '%TINJAU_REKAM_DIPAKAI%' OR j.catatan LIKE '%TINJAU_IDENTITAS%', false)"
    )
    reg = (
        f'LEFT JOIN (SELECT nik, any_value(status_ktp_el) AS status_ktp_el FROM "{registry_table}" '
        "GROUP BY nik) rg ON rg.nik = q.candidate_nik"
        if registry_table
        else "LEFT JOIN (SELECT NULL AS nik, NULL AS status_ktp_el) rg ON false"
    )
    for t in THRESHOLDS:
        acc = f"(q.p >= {t} AND NOT {held})"
        keep = "(q.row_id IS NULL OR j.metode_padan IN ('NIK', 'NIK_KOREKSI'))"
        row = _dicts(
            engine,
            f"""
            SELECT {_METRICS} FROM (
              SELECT j.row_id, j.nik_benar, j.status_benar,
                CASE WHEN {keep} THEN j.nik_dukcapil WHEN {acc} THEN q.candidate_nik
                     END AS nik_dukcapil,
                CASE WHEN {keep} THEN j.status_rekam
                     WHEN {acc} THEN {status_rekam_sql("rg.status_ktp_el")}
                     WHEN q.p >= {review} OR {held} THEN 'PERLU_TINJAU'
                     ELSE 'TIDAK_DITEMUKAN' END AS status_rekam
              FROM _q_j j LEFT JOIN _q_top q USING (row_id) {reg})
            """,
        )[0]
        at[t] = _ratios(row)
    report = {"overall": overall, "by_tier": by_tier, "by_error": by_error, "at_threshold": at}
    if engine.one("SELECT count(ganda_dengan) FROM _q_j")[0]:
        report["ganda"] = _duplicates(engine)
    return report


def _duplicates(engine: Any) -> dict[str, dict[str, Any]]:
    """Duplicate flags against the truth, any GANDA* code and per category (as the reports
    count them: a CATATAN code starting with GANDA)."""
    codes = "list_filter(string_split(coalesce(catatan, ''), ';'), lambda c: starts_with(c, 'GANDA'))"
    out = {}
    for label, test in (("GANDA*", f"len({codes}) > 0"),
                        *((k, f"list_contains({codes}, '{k}')") for k in CATEGORIES)):  # fmt: skip
        flagged, right, listed = engine.one(f"""
            SELECT count(*) FILTER (WHERE {test}),
                   count(*) FILTER (WHERE {test} AND ganda_dengan IS NOT NULL),
                   count(ganda_dengan)
            FROM _q_j
        """)
        out[label] = {
            "flagged": flagged,
            "right": right,
            "listed_twice": listed,
            "precision": right / flagged if flagged else 1.0,
            "recall": right / listed if listed else 1.0,
        }
    return out


def evaluate(
    dpt_paths: Sequence[Path],
    registry_paths: Sequence[Path],
    truth_path: Path,
    *,
    pemilihan: str = DEFAULT_PROFILE,
    progress: Progress = None,
    out_path: Path | None = None,
) -> dict[str, Any]:
    """Load, match and measure; the figures as a dict (see :func:`format_report`)."""
    from padan.linkage.files import _load, result_header, result_sql, write_result

    profile = load_profile(pemilihan)
    engine = connect()
    try:
        t0 = time.perf_counter()
        loaded, reg = _load(engine, dpt_paths, registry_paths, progress)
        t1 = time.perf_counter()
        summary = match_tables(
            engine,
            "dpt",
            "registry",
            profile,
            progress=progress,
            registry_unique=reg.repeated_niks == 0,
        )
        t2 = time.perf_counter()
        if out_path is not None:
            write_result(
                engine, result_sql("dpt", "match_out", loaded), out_path, result_header(loaded)
            )
        load_truth(engine, Path(truth_path))
        report = measure(
            engine, "match_out", "match_explain", "_q_truth",
            registry_table="registry", review=profile.thresholds.review,
        )  # fmt: skip
        report["seconds"] = {"baca": round(t1 - t0, 2), "padan": round(t2 - t1, 2)}
        report["seconds_by_stage"] = summary.seconds_by_stage
        report["thresholds"] = {
            "accept": profile.thresholds.accept,
            "review": profile.thresholds.review,
        }
        return report
    finally:
        engine.close()


def _line(name: str, m: dict[str, Any]) -> str:
    return (
        f"{name:<28} {m['n']:>9,} {m['links']:>9,} {m['precision']:>9.5f} {m['recall']:>9.5f} "
        f"{m['f1']:>8.5f} {m['status_accuracy']:>8.5f} {m['review_rate'] * 100:>7.3f}%"
    )


def format_report(report: dict[str, Any]) -> str:
    head = (
        f"{'':<28} {'baris':>9} {'padan':>9} {'presisi':>9} {'recall':>9} {'F1':>8} "
        f"{'status':>8} {'tinjau':>8}"
    )
    out = ["Mutu pemadanan", head, _line("KESELURUHAN", report["overall"]), "", "Per metode:"]
    out += [_line(k, v) for k, v in report["by_tier"].items()]
    out += ["", "Per jenis kesalahan (generator):"]
    out += [_line(k, v) for k, v in report["by_error"].items()]
    out += [
        "",
        f"Ambang terima tingkat probabilistik (tinjau mulai {report.get('thresholds', {}).get('review', 0.8)}):",
    ]
    out += [_line(f"terima >= {t}", v) for t, v in report["at_threshold"].items()]
    if report.get("ganda"):
        out += [
            "",
            "Data ganda (benar = tercatat dua kali menurut kunci jawaban; GANDA_K2 = NIK sama "
            "pada identitas beda, biasanya dua orang):",
        ]
        out += [
            f"{k:<28} ditandai {v['flagged']:>9,}  benar {v['right']:>9,}  "
            f"presisi {v['precision']:.4f}  recall {v['recall']:.4f}"
            for k, v in report["ganda"].items()
        ]
    secs = report.get("seconds", {})
    if secs:
        out += ["", "Waktu (detik): " + ", ".join(f"{k} {v}" for k, v in secs.items())]
    return "\n".join(out)
