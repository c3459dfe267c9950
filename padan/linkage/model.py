"""Tier 3: Fellegi-Sunter with Splink 5 (DuckDB backend) on what the NIK tiers left.

Only DPT rows without a link and register records that are not linked yet, of plausible
voter age and sharing a blocking key with one of those rows take part, so Splink scores a few
thousand pairs per region instead of the cartesian product of two registers.

Parameters, cheapest source first:

* defaults below (judgement, so that a tiny input still gets a sensible model);
* m from labels: the DPT/register pairs that share a NIK in this very run are thousands of
  free labelled pairs (a sample of up to 20 000), level counts computed in SQL from the
  comparisons' own level conditions (the NIK comparison keeps its default m);
* u from 250 k random pairs, counted the same way (about a second, where Splink's
  ``estimate_u_using_random_sampling`` took 20-28 s here);
* EM (``estimate_parameters_using_expectation_maximisation``, one session blocked on birth
  date + kabupaten) is available but off by default (see ``MIN_EM_ROWS``: on the rows that
  reach this tier it learned the household as the match class).

Term frequencies of names come from the whole register (registered lookup), not only from the
remaining rows. Placeholder birth dates (31 Dec, 1 Jul, 1 Jan, 15th) get their own, weaker,
level. The comparison SQL uses plain DuckDB functions, so the same model runs on Spark.
"""

from __future__ import annotations

import importlib
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from padan.linkage import rules
from padan.linkage.match import TIER_KOREKSI, TIER_PROB
from padan.reference.profiles import ElectionProfile

LEFT, RIGHT = "a_dpt", "b_reg"  # Splink orders _l/_r by dataset name: l is always the DPT
MIN_LABELS = 200  # fewer NIK-verified links than this: keep the default m values
MAX_LABELS = 20_000
U_SAMPLE = 1_000  # register records (x 250 DPT rows) = 250 k random pairs for u
PSEUDO_PAIRS = 50.0  # smoothing of label/random counts towards the default m/u
# EM is off by default: measured on 1 M synthetic rows, EM on the remaining rows learned the
# family as the match class (same NKK +28.6, different name only -2.0) and made 198 false
# links; m from NIK-sharing pairs alone made none of those. Set a row count to turn it on.
MIN_EM_ROWS: int | None = None
EM_MAX_ITERATIONS = 10  # starts from the label estimates: a few iterations suffice
LABELS_SILENT = {"nik"}  # comparisons NIK-sharing labels cannot teach
# Agreement on the family card says "this household", so it narrows the search to a handful
# of relatives, not to one person in the register: its weight is capped (log2 odds), or a
# relative with a name word in common outvotes a birth date that clearly differs (measured:
# 18 false links on 1 M rows with the uncapped +28.9).
MAX_AGREE_WEIGHT = {"kk": 8.0}
M_FLOOR = 1e-4  # no level is impossible among matches (labels come from agreeing pairs)
AMBIGUITY_WEIGHT_GAP = 5.0  # top candidate must beat the next by 2^5 to be accepted
EXPLAIN_MIN_PROBABILITY = 0.5  # candidates kept for explanation/review
# Without a name, a link is accepted only with this birth-date level or above (the
# tanggal_lahir comparison's levels: 5 the same, 4 the same placeholder, 3 day and month
# swapped, 2 two of three parts, 1 the year, 0 different); below, it goes to review.
NAMELESS_MIN_DOB_LEVEL = 3

PH_L = rules.placeholder_date_sql('"tgl_l"')


def _lvl(sql: str, label: str, m: float, u: float, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, "m_probability": m,
            "u_probability": u, **extra}  # fmt: skip


def _null(col: str) -> dict[str, Any]:
    return {"sql_condition": f'"{col}_l" IS NULL OR "{col}_r" IS NULL',
            "label_for_charts": f"{col} kosong", "is_null_level": True}  # fmt: skip


def comparisons() -> list[dict[str, Any]]:
    """The model's comparisons with default m/u (refined from data at run time)."""
    jw = "jaro_winkler_similarity"
    return [
        {
            "output_column_name": "nama",
            "comparison_levels": [
                _null("nm"),
                _lvl('"nm_l" = "nm_r"', "nama sama", 0.80, 0.0005,
                     tf_adjustment_column="nm", tf_adjustment_weight=1.0),
                _lvl(f'"nms_l" = "nms_r" OR {jw}("nm_l", "nm_r") >= 0.95 OR '
                     f"{jw}(replace(\"nm_l\", ' ', ''), replace(\"nm_r\", ' ', '')) >= 0.95",
                     "nama hampir sama", 0.12, 0.001),
                _lvl(f'{jw}("nm_l", "nm_r") >= 0.88 OR (least(len("toks_l"), len("toks_r")) >= 1'
                     ' AND len(list_intersect("toks_l", "toks_r")) = least(len("toks_l"), '
                     'len("toks_r")))', "nama mirip / sebagian", 0.06, 0.01),
                _lvl("ELSE", "nama beda", 0.02, 0.9885),
            ],
        },
        {
            "output_column_name": "tanggal_lahir",
            "comparison_levels": [
                _null("tgl"),
                _lvl(f'"tgl_l" = "tgl_r" AND NOT {PH_L}', "tanggal sama", 0.85, 0.0001),
                _lvl('"tgl_l" = "tgl_r"', "tanggal sama (tanggal pengganti)", 0.05, 0.003),
                _lvl('year("tgl_l") = year("tgl_r") AND month("tgl_l") = day("tgl_r") '
                     'AND day("tgl_l") = month("tgl_r")', "hari/bulan tertukar", 0.02, 0.0001),
_lvl('(year("tgl_l") = year("tgl_r") AND (month("tgl_l") = month("tgl_r") '
                     'OR day("tgl_l") = day("tgl_r"))) OR (month("tgl_l") = month("tgl_r") '
                     'AND day("tgl_l") = day("tgl_r"))', "dua dari tiga bagian sama", 0.04,
                     0.003),
                _lvl('year("tgl_l") = year("tgl_r")', "tahun sama", 0.03, 0.02),
                _lvl("ELSE", "tanggal beda", 0.01, 0.9749),
            ],
        },
        {
            "output_column_name": "jenis_kelamin",
            "comparison_levels": [
                _null("jk"),
                _lvl('"jk_l" = "jk_r"', "jenis kelamin sama", 0.98, 0.5),
                _lvl("ELSE", "jenis kelamin beda", 0.02, 0.5),
            ],
        },
        {
            "output_column_name": "wilayah",
            "comparison_levels": [
                _null("kode_kab"),
                _lvl('"kode_desa_l" = "kode_desa_r"', "desa sama", 0.85, 0.002),
                _lvl('"kode_kec_l" = "kode_kec_r"', "kecamatan sama", 0.08, 0.02),
                _lvl('"kode_kab_l" = "kode_kab_r"', "kabupaten sama", 0.04, 0.1),
                _lvl("ELSE", "wilayah beda", 0.03, 0.878),
            ],
        },
        {
            "output_column_name": "tempat_lahir",
            "comparison_levels": [
                _null("tempat_lahir"),
                _lvl('"tempat_lahir_l" = "tempat_lahir_r"', "tempat lahir sama", 0.85, 0.05),
                _lvl(f'{jw}("tempat_lahir_l", "tempat_lahir_r") >= 0.88', "tempat lahir mirip",
                     0.08, 0.02),
                _lvl("ELSE", "tempat lahir beda", 0.07, 0.93),
            ],
        },
        {
            "output_column_name": "nik",
            "comparison_levels": [
                _null("nik"),
                _lvl('"nik_l" = "nik_r"', "NIK sama", 0.3, 1e-7),
                _lvl("ELSE", "NIK beda", 0.7, 0.9999999),
            ],
        },
        {
            "output_column_name": "kk",
            "comparison_levels": [
                _null("kk"),
                _lvl('"kk_l" = "kk_r"', "NKK sama", 0.7, 1e-5),
                _lvl("ELSE", "NKK beda", 0.3, 0.99999),
            ],
        },
    ]  # fmt: skip


@dataclass(frozen=True)
class Block:
    """A blocking rule: records with equal ``keys`` (SQL over one record, ``{t}`` standing
    for its alias) and, if given, ``extra`` (over ``l`` and ``r``) are paired."""

    keys: tuple[str, ...]
    extra: str = ""
    # the keys as the prefilter hashes them, where a precomputed hash stands for a name key
    # (equal names have equal hashes, so the prefilter still keeps every pair)
    hashed: tuple[str, ...] = ()

    def rule(self) -> str:
        eq = " AND ".join(f"{k.format(t='l')} = {k.format(t='r')}" for k in self.keys)
        return f"{eq} AND ({self.extra})" if self.extra else eq

    def key_hash(self, t: str) -> str:
        return f"hash({', '.join(k.format(t=t) for k in self.hashed or self.keys)})"


BLOCKS = [
    # birth date within the kabupaten (placeholder dates make big blocks: add the kecamatan)
    Block(("{t}.tgl", "{t}.kode_kab"),
          f"NOT {rules.placeholder_date_sql('l.tgl')} OR l.kode_kec = r.kode_kec"),
    # the same name within the kecamatan (birth date wrong)
    Block(("{t}.nm", "{t}.kode_kec"), hashed=("{t}.nm_h", "{t}.kode_kec")),
    # last name word + birth year within the kecamatan (spelling and date both off); a
    # single common word (MUHAMMAD, SITI, NUR) is never the last word of a two-word name
    Block(("{t}.nm_last", "year({t}.tgl)", "{t}.kode_kec"),
          hashed=("{t}.last_h", "year({t}.tgl)", "{t}.kode_kec")),
    # the same name and birth date anywhere (moved house)
    Block(("{t}.nm", "{t}.tgl"), hashed=("{t}.nm_h", "{t}.tgl")),
    # NIK region + birth-date digits (wrong serial) and the NIK itself (identity disputed)
    Block(("substr({t}.nik, 1, 12)",)),
    # the family card
    Block(("{t}.kk", "{t}.jk")),
]  # fmt: skip
BLOCKING_RULES = [b.rule() for b in BLOCKS]


def _columns(src: str, uid: str, kk: str, extra: str = "", nik: str = "nik") -> str:
    """The model's input columns from a prepared table (``extra``: more columns to carry).

    The place of birth is compared in capitals: folded here, for the few rows the model
    sees, not for every prepared row (only the model reads it). The DPT side passes
    ``nik="nik_m"``, the NIK as the tiers match it (an Excel-number NIK's digits too, see
    match._EXCEL_NIK), so that the NIK comparison still counts for those rows. The sorted
    words are computed here, for the few rows the model reads (_lk_r does not store them:
    match._prepare)."""
    return (
        f"SELECT {uid} AS unique_id, nm, {rules.sorted_words_sql('nm')} AS nms, "
        f"{rules.words_sql('nm')} AS toks, "
        f"{rules.words_sql('nm')}[-1] AS nm_last, tgl, jk, kode_desa, kode_kec, kode_kab, "
        f"upper(trim(tempat_lahir)) AS tempat_lahir, {nik} AS nik, {kk} AS kk, nm_h, "
        f"last_h{extra} FROM {src}"
    )


# The register's kecamatan and kabupaten codes are prefixes of its desa code. _lk_r does not
# store them: the model derives them for the records it reads, after they are picked (_lk_r
# of 2.8 M records on one thread: 2.1-2.5 s with them, 1.8-1.9 s without).
REGISTER_REGION = "substr(kode_desa, 1, 6) AS kode_kec, substr(kode_desa, 1, 4) AS kode_kab"


def register_rows(picked: str) -> str:
    """Register records (a subquery over _lk_r) with the columns the model reads."""
    return f"(SELECT *, {REGISTER_REGION} FROM {picked})"


def _prepare_inputs(engine: Any, profile: ElectionProfile) -> tuple[int, int]:
    day = profile.election_day.isoformat()
    # The rows no tier has a candidate for: the NIK_KOREKSI tier's rows (those the NIK tier
    # did not link) without a candidate of that tier. A few thousand rows, picked before the
    # prepared rows are read: anti-joining every prepared row with every candidate cost 7x
    # as much (0.21 against 0.03 s at 1 M).
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_pd AS {_columns("_lk_d", "row_id::VARCHAR", "nkk", nik="nik_m")}
        SEMI JOIN (SELECT row_id FROM _lk_t2rows
                   ANTI JOIN (SELECT row_id FROM _lk_cand WHERE tier = '{TIER_KOREKSI}') c
                   USING (row_id)) k ON k.row_id = _lk_d.row_id
    """)
    # Unlinked register records of plausible voter age (_lk_r also holds younger records
    # whose NIK a DPT row carries: match._prepare)
    age = rules.voter_age_sql(profile.min_age, day)
    # One pass over the register gives both the prior's count (the unlinked records of voter
    # age) and the records Splink is given: those among them that share a blocking key with a
    # remaining DPT row (a superset of those its rules pair: keys compared by hash; at 1 M,
    # 15 k of 1.1 M). Splink copies and term-frequency-joins every record it is given. The
    # key tests run after the anti join with the linked records, on the unlinked ones only,
    # and the model's columns are computed for the few kept. (Counting and keeping in two
    # statements, each with its own anti join, cost 4.6 against 2.5 CPU-s at province scale.)
    # The kept NIKs come out as one list: at this scale a few hundred thousand at most.
    accepted = "SELECT cand FROM _lk_cand WHERE decision = 'accept'"
    in_block = " OR ".join(
        f"{b.key_hash('u')} IN (SELECT {b.key_hash('l')} FROM _lk_pd l)" for b in BLOCKS
    )
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_pk AS
        WITH u AS (SELECT r.*, {REGISTER_REGION} FROM (SELECT *, no_kk AS kk FROM _lk_r) r
                   ANTI JOIN ({accepted}) c ON c.cand = r.nik WHERE {age})
        SELECT count(*) AS n, coalesce(list(nik) FILTER (WHERE {in_block}), []) AS niks FROM u
    """)
    n_right = engine.one("SELECT n FROM _lk_pk")[0]
    kept = register_rows(
        "(SELECT *, no_kk AS kk FROM _lk_r "
        "SEMI JOIN (SELECT unnest(niks) AS nik FROM _lk_pk) k USING (nik))"
    )
    engine.execute(f"CREATE OR REPLACE TEMP TABLE _lk_pr AS {_columns(kept, 'nik', 'no_kk')}")
    return engine.one("SELECT count(*) FROM _lk_pd")[0], n_right


def _settings(comps: list[dict], prior: float) -> dict[str, Any]:
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "comparisons": comps,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": b, "sql_dialect": "duckdb"} for b in BLOCKING_RULES
        ],
        "probability_two_random_records_match": prior,
        "max_iterations": EM_MAX_ITERATIONS,
        "retain_intermediate_calculation_columns": True,
        "retain_matching_columns": True,
    }


def _cap_weights(comps: list[dict]) -> list[dict]:
    """Raise u where needed so that no agreement level of a capped comparison weighs more
    than ``MAX_AGREE_WEIGHT`` (log2 m/u)."""
    for c in comps:
        cap = MAX_AGREE_WEIGHT.get(c["output_column_name"])
        if cap is None:
            continue
        for lv in c["comparison_levels"]:
            if lv.get("is_null_level") or lv["sql_condition"] == "ELSE":
                continue
            lv["u_probability"] = max(lv["u_probability"], lv["m_probability"] / 2**cap)
    return comps


def _floor_m(comps: list[dict]) -> list[dict]:
    """Labels come from pairs that agreed: a level never seen among them must stay possible."""
    for c in comps:
        levels = [lv for lv in c["comparison_levels"] if not lv.get("is_null_level")]
        for lv in levels:
            m = lv.get("m_probability")
            if not isinstance(m, float | int) or m < M_FLOOR or math.isnan(m):
                lv["m_probability"] = M_FLOOR
            u = lv.get("u_probability")
            if not isinstance(u, float | int) or u <= 0 or math.isnan(u):
                lv["u_probability"] = 1e-7
        total = sum(lv["m_probability"] for lv in levels)
        for lv in levels:
            lv["m_probability"] = lv["m_probability"] / total
    return comps


def _gamma_sql(comp: dict[str, Any]) -> str:
    """The level index of a comparison as Splink numbers it (-1 null, 0 = ELSE, best highest)."""
    levels = comp["comparison_levels"]
    n = len([lv for lv in levels if not lv.get("is_null_level")])
    whens, k = [], n - 1
    for lv in levels:
        if lv.get("is_null_level"):
            whens.append(f"WHEN {lv['sql_condition']} THEN -1")
        elif lv["sql_condition"] != "ELSE":
            whens.append(f"WHEN {lv['sql_condition']} THEN {k}")
            k -= 1
    return f"CASE {' '.join(whens)} ELSE 0 END"


_PAIR_COLS = ("unique_id", "nm", "nms", "toks", "nm_last", "tgl", "jk", "kode_desa", "kode_kec",
              "kode_kab", "tempat_lahir", "nik", "kk")  # fmt: skip


def _pairs_select(left: str, right: str) -> str:
    cols = [f'l.{c} AS "{c}_l"' for c in _PAIR_COLS] + [f'r.{c} AS "{c}_r"' for c in _PAIR_COLS]
    return f"SELECT {', '.join(cols)} FROM {left} l, {right} r"


def _level_counts(engine: Any, pairs_sql: str, comps: list[dict]) -> list[dict[int, int]]:
    gammas = ", ".join(f"{_gamma_sql(c)} AS g{i}" for i, c in enumerate(comps))
    engine.execute(f"CREATE OR REPLACE TEMP TABLE _lk_g AS SELECT {gammas} FROM ({pairs_sql})")
    out = [
        dict(engine.rows(f"SELECT g{i}, count(*) FROM _lk_g GROUP BY 1")) for i in range(len(comps))
    ]
    engine.execute("DROP TABLE IF EXISTS _lk_g")
    return out


def _apply_counts(comps: list[dict], counts: list[dict[int, int]], key: str, prior: float) -> None:
    """Level probabilities from counts, smoothed towards the defaults with ``prior`` pseudo
    pairs (a level never observed keeps a small, non-zero probability)."""
    for comp, cnt in zip(comps, counts, strict=True):
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        total = sum(v for g, v in cnt.items() if g >= 0)
        n = len(levels)
        for j, lv in enumerate(levels):
            c = cnt.get(n - 1 - j, 0)
            lv[key] = (c + prior * lv[key]) / (total + prior)


def _train_from_labels(engine: Any, comps: list[dict]) -> tuple[list[dict], int]:
    """m from pairs that share a NIK (free labelled pairs), u from random pairs.

    Labels are all DPT/register pairs joined on the NIK, whether the identity agreed or not:
    filtering them by identity would teach the model that names never differ among matches.
    A shared NIK says nothing about how NIKs differ among the rows that reach this tier, so
    the NIK comparison keeps its default m. Both are level counts computed in SQL from the
    comparisons' own level conditions: about a second, not Splink's fixed ~55 s
    random-sampling run.
    """
    # (not a NIK that Excel may have cut: that pair may be two people)
    n = engine.one("SELECT count(*) FROM _lk_t1 WHERE NOT xl0")[0]
    if n < MIN_LABELS:
        return _cap_weights(comps), n
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_lab AS
        SELECT row_id, cand FROM _lk_t1 WHERE NOT xl0 ORDER BY hash(row_id) LIMIT {MAX_LABELS}
    """)
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_trd AS
        {_columns("_lk_d", "row_id::VARCHAR", "nkk", nik="nik_m")} WHERE row_id IN (SELECT row_id FROM _lk_lab)
    """)
    # (the labelled records are picked before their model columns are computed)
    labelled_r = register_rows("(SELECT r.* FROM _lk_r r SEMI JOIN _lk_lab b ON b.cand = r.nik)")
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_trr AS
        SELECT c.*, b.row_id::VARCHAR AS lab_row_id FROM _lk_lab b
        JOIN ({_columns(labelled_r, "nik", "no_kk")}) c ON c.unique_id = b.cand
    """)
    labelled = _pairs_select("_lk_trd", "_lk_trr") + " WHERE l.unique_id = r.lab_row_id"
    counts = _level_counts(engine, labelled, comps)
    learn = [c["output_column_name"] not in LABELS_SILENT for c in comps]
    _apply_counts(
        [c for c, ok in zip(comps, learn, strict=True) if ok],
        [k for k, ok in zip(counts, learn, strict=True) if ok],
        "m_probability",
        PSEUDO_PAIRS,
    )
    # u: random DPT rows against random register records (almost all non-matches).
    randoms = _pairs_select(
        f"(SELECT * FROM _lk_trd ORDER BY hash(unique_id) LIMIT {U_SAMPLE // 4})",
        f"({_columns(register_rows(f'(SELECT * FROM _lk_r ORDER BY hash(nik) LIMIT {U_SAMPLE})'), 'nik', 'no_kk')})",
    )
    _apply_counts(comps, _level_counts(engine, randoms, comps), "u_probability", PSEUDO_PAIRS)
    return _cap_weights(_floor_m(comps)), n


def _name_counts_source(engine: Any) -> tuple[str, str, str]:
    """Where the term frequencies count names: (table, count, filter). Summed from
    match._prepare's per-spelling counts when it has them (the same integers, from the
    distinct spellings instead of every record), else counted over _lk_r."""
    if "n_reg" in engine.columns("_lk_names"):
        return "_lk_names", "sum(n_reg)", "n_reg > 0 AND nm IS NOT NULL"
    return "_lk_r", "count(*)", "nm IS NOT NULL"


def name_counts_sql(engine: Any, only: str | None = None) -> str:
    """(nm, n): how many of _lk_r's records carry each normalised name (``only``: of the
    names this subquery gives), for the term frequencies."""
    src, n, keep = _name_counts_source(engine)
    if only is not None:
        keep += f" AND nm IN ({only})"
    return f"SELECT nm, {n} AS n FROM {src} WHERE {keep} GROUP BY nm"


def name_total_sql(engine: Any) -> str:
    """The sum of :func:`name_counts_sql`'s ``n`` over every name: _lk_r's named records."""
    src, n, keep = _name_counts_source(engine)
    return f"SELECT {n} FROM {src} WHERE {keep}"


VALIDATE = False  # Splink's settings validation (see tier_probabilistic)


def import_splink_beside() -> threading.Thread:
    """Import Splink in a thread now, while the input files are read (DuckDB releases the
    GIL), instead of when the probabilistic tier starts: 0.26 s of Python off the critical
    path of a one-shot match. Idempotent: Python imports a module once."""
    th = threading.Thread(target=importlib.import_module, args=("splink",), daemon=True)
    th.start()
    return th


def tier_probabilistic(engine: Any, profile: ElectionProfile) -> dict[str, Any]:
    """Score remaining DPT rows against unlinked register records; add candidates to _lk_cand.

    Returns facts about the model (labels used, pairs scored) for the match run's params.
    """
    from splink import Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    n_left, n_right = _prepare_inputs(engine, profile)
    info: dict[str, Any] = {"dpt_sisa": n_left, "register_kandidat": n_right}
    if n_left == 0 or n_right == 0:
        return info
    t0 = time.perf_counter()
    comps, n_labels = _train_from_labels(engine, comparisons())
    info["label_nik"] = n_labels
    info["detik_latih_label"] = round(time.perf_counter() - t0, 2)
    # Prior: about half of the rows that reach this tier are in the register at all.
    prior = min(0.5 / n_right, 0.5)
    db = engine.splink_db_api()
    left = db.register("_lk_pd", dataset_display_name=LEFT)
    right = db.register("_lk_pr", dataset_display_name=RIGHT)
    # Only the names of the records Splink is given: it looks no other up (grouping every
    # distinct name cost 0.6 CPU-s for 2.5 M of them; the names given, 0.05). The total is a
    # scalar subquery, not sum(n) OVER (): that window runs on one thread.
    given = "SELECT nm FROM _lk_pd UNION ALL SELECT nm FROM _lk_pr"
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_tf AS
        SELECT nm, n / ({name_total_sql(engine)}) AS tf_nm
        FROM ({name_counts_sql(engine, only=given)})
    """)
    # The settings are padan's own, checked by a test (test_model_settings_pass_validation);
    # Splink's validation of them on every run cost 0.2 s of Python and only logs.
    linker = Linker(
        [left, right], _settings(comps, prior), log_level=None, validate_settings=VALIDATE
    )
    linker.table_management.register_term_frequency_lookup(db.register("_lk_tf"), "nm")
    if MIN_EM_ROWS is not None and n_left >= MIN_EM_ROWS:
        # One session: blocking on birth date + kabupaten lets EM estimate the name, sex,
        # birth place, NIK and NKK comparisons (the birth date's m comes from the labels).
        linker.training.estimate_parameters_using_expectation_maximisation(
            "l.tgl = r.tgl AND l.kode_kab = r.kode_kab", estimate_without_term_frequencies=True
        )
        info["em"] = True
    info["detik_em"] = round(time.perf_counter() - t0, 2) - info["detik_latih_label"]
    t0 = time.perf_counter()
    pred = linker.inference.predict(
        threshold_match_probability=EXPLAIN_MIN_PROBABILITY, warning_mode="never"
    )
    _collect(engine, pred.physical_name, linker, profile)
    info["pasangan_dinilai"] = engine.one(f"SELECT count(*) FROM {pred.physical_name}")[0]
    info["detik_prediksi"] = round(time.perf_counter() - t0, 2)
    return info


def _collect(engine: Any, pred_table: str, linker: Any, profile: ElectionProfile) -> None:
    names = [c["output_column_name"] for c in comparisons()]
    cols = set(engine.columns(pred_table))
    parts = []
    for nm in names:
        mw = f"mw_{nm}" if f"mw_{nm}" in cols else "NULL"
        tf = f" + coalesce(mw_tf_{nm}, 0)" if f"mw_tf_{nm}" in cols else ""
        gamma = f"gamma_{nm}" if f"gamma_{nm}" in cols else "NULL"
        parts.append(f"'{nm}', json_object('level', {gamma}, 'bobot', round({mw}{tf}, 2))")
    details = f"json_object({', '.join(parts)})"
    accept, review = profile.thresholds.accept, profile.thresholds.review
    # Precision first: a link whose names clearly differ is never accepted automatically,
    # whatever the other fields say (a relative in the same house shares them all).
    gamma_name = "gamma_nama" if "gamma_nama" in cols else "1"
    # ... and without a name on either side, nor one whose birth date does not agree (the
    # same, a placeholder, or day and month swapped: NAMELESS_MIN_DOB_LEVEL): what is left,
    # the NIK, the place and the sex, is what a family member's NIK typed into the row has.
    gamma_dob = "gamma_tanggal_lahir" if "gamma_tanggal_lahir" in cols else str(NAMELESS_MIN_DOB_LEVEL)
    identity_ok = f"(gn <> 0 AND (gn <> -1 OR gd >= {NAMELESS_MIN_DOB_LEVEL}))"
    # Orient: l is the DPT (dataset names sort that way), but check rather than trust.
    swap = engine.one(f"SELECT count(*) FROM {pred_table} WHERE source_dataset_l <> '{LEFT}'")[0]
    uid_d, uid_r = ("unique_id_r", "unique_id_l") if swap else ("unique_id_l", "unique_id_r")
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_pred AS
        SELECT {uid_d}::BIGINT AS row_id, {uid_r} AS cand, match_probability AS p,
               match_weight AS w, {details} AS details, {gamma_name} AS gn, {gamma_dob} AS gd,
               row_number() OVER (PARTITION BY {uid_d} ORDER BY match_weight DESC, {uid_r}) AS rk,
               lead(match_weight) OVER (PARTITION BY {uid_d} ORDER BY match_weight DESC, {uid_r})
                   AS w_next
        FROM {pred_table}
    """)
    engine.execute(f"""
        INSERT INTO _lk_cand
        SELECT row_id, cand, '{TIER_PROB}', NULL, p, w,
               CASE WHEN rk = 1 AND p >= {accept} AND {identity_ok}
                         AND (w_next IS NULL OR w - w_next >= {AMBIGUITY_WEIGHT_GAP}) THEN 'accept'
                    WHEN p >= {review} THEN 'review' ELSE 'candidate' END,
               CASE WHEN rk = 1 AND p >= {accept} AND w - w_next < {AMBIGUITY_WEIGHT_GAP}
                    THEN 'TINJAU_KANDIDAT_GANDA'
                    WHEN p >= {accept} AND NOT {identity_ok} THEN 'TINJAU_IDENTITAS'
                    WHEN p >= {review} AND p < {accept} THEN 'TINJAU_SKOR' END,
               details, r.status_ktp_el
        FROM _lk_pred LEFT JOIN _lk_r r ON r.nik = _lk_pred.cand WHERE rk <= 3
    """)
