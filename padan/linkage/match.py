"""The match engine: DPT rows against the register, cheapest tier first.

1. ``NIK``: the DPT NIK is in the register and the identity agrees (rules.NIK_VERIFIED).
   When the NIK belongs to someone else the link is refused (NIK_MILIK_ORANG_LAIN).
2. ``NIK_KOREKSI``: for the rest, candidate NIKs generated in SQL (every one-digit
   substitution, every swap of neighbouring digits, the family when the NKK was typed as NIK,
   the visible digits of a masked NIK), accepted only when the identity agrees.
3. ``PROBABILISTIK``: Fellegi-Sunter with Splink on what is left (padan.linkage.model).

Every stage is SQL on the engine (or Splink calls); tables prefixed ``_lk_`` are scratch.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from padan.engine import Beside
from padan.identity.names import normalize_names_query
from padan.identity.nik import ERROR as NIK_ERROR
from padan.identity.nik import EXACT_DOUBLE_LIMIT, NIK_REASONS, nik_clean_sql, nik_cleaned_sql
from padan.linkage import rules
from padan.linkage.duplicates import K2, find_duplicates
from padan.linkage.status import (
    STATUS_UNKNOWN_CODE,
    status_known_sql,
    status_rekam_sql,
    voter_flags_sql,
)
from padan.reference.profiles import ElectionProfile

Progress = Callable[[str, int, int | None], None] | None

TIER_NIK = "NIK"
TIER_KOREKSI = "NIK_KOREKSI"
TIER_PROB = "PROBABILISTIK"

# Deterministic tiers carry no model probability of their own; these are the scores written
# to SKOR_PADAN for them (documented in docs/linkage.md).
SCORE_NIK = 1.0
SCORE_KOREKSI = 0.999


@dataclass
class MatchSummary:
    rows: int
    by_tier: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    seconds_by_stage: dict[str, float] = field(default_factory=dict)
    # the one-shot run's input files: "dpt" and "registry" -> padan.ingest LoadReport
    inputs: dict[str, Any] = field(default_factory=dict)


class _Stages:
    """Times each stage and reports it through the progress callback."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.seconds: dict[str, float] = {}

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        if self.progress:
            self.progress(name, 0, None)
        out = fn()
        self.seconds[name] = round(time.perf_counter() - t0, 3)
        return out

    def report(self, name: str, done: int, total: int | None) -> None:
        if self.progress:
            self.progress(name, done, total)


# The NIK as the tiers match it (``nik_m``): the valid NIK, or the 16 digits of a NIK that
# Excel stored as a number (NIK_RUSAK_EXCEL: ``nik`` stays NULL, the duplicates and the
# reports do not trust it). Excel keeps 15 significant digits, so such a value ending in a
# digit other than 0 is exact (a file written by a program, not typed) and links as a NIK,
# below 2^53 (a double holds every integer up to there; above, Papua's codes 91-96, it may
# be off by one). Any other may have lost its last digit: tier 2 tries it and its nine
# last-digit neighbours as candidates (NIK_KOREKSI_EXCEL), accepted only if exactly one
# agrees.
_EXCEL_NIK = (
    "CASE WHEN contains(nik_flags, 'NIK_RUSAK_EXCEL') "
    "THEN NULLIF(regexp_extract(nik_raw, '^\\s*([0-9]{16})(\\.0*)?\\s*$', 1), '') END"
)
# NIK_TIDAK_VALID in CATATAN: the DPT NIK breaks a rule that makes it unusable as a NIK (an
# error of padan.identity.nik, which CATATAN also names); a blank or masked NIK has its own
# code (NIK_KOSONG, NIK_DISAMARKAN), as has a NIK Excel holds as a number (NIK_RUSAK_EXCEL:
# whole or cut, its digits are what the rules then check), and the warnings (another
# kecamatan code, birth date or sex than the NIK's digits) leave a NIK valid.
_NIK_INVALID = "[{}]".format(
    ", ".join(
        f"'{code}'"
        for code, (severity, _msg) in NIK_REASONS.items()
        if severity == NIK_ERROR
        and code not in ("NIK_KOSONG", "NIK_DISAMARKAN", "NIK_RUSAK_EXCEL")
    )
)
_EXCEL_MAYBE_CUT = (
    f"(d.nik IS NULL AND (ends_with(d.nik_m, '0') OR d.nik_m >= '{EXACT_DOUBLE_LIMIT}'))"
)


def _prepare(
    engine: Any,
    dpt_table: str,
    registry_table: str,
    registry_unique: bool = False,
    shared: bool = False,
    profile: ElectionProfile | None = None,
    drop_registry: bool = False,
) -> None:
    # One record per NIK (an as-of view already is; a raw extract may repeat a NIK).
    repeated = (
        not registry_unique
        and engine.one(f'SELECT count(nik) - count(DISTINCT nik) FROM "{registry_table}"')[0]
    )
    # The register records a tier can link (with ``profile``): those of plausible voter age
    # (rules.voter_age_sql: the probabilistic tier looks at no other) and those whose NIK a
    # DPT row carries (the NIK tier verifies or refuses them whatever the age). A younger
    # record fails the correction tier's identity gate (the birth year must agree, and a
    # voter is not ten), so leaving it out changes no link; its name is not normalised (at
    # 1 M, 2.8 M records of which 0.73 M younger).
    kept = "nik IS NOT NULL"
    if profile is not None:
        age = rules.voter_age_sql(
            profile.min_age, profile.election_day.isoformat(), "tanggal_lahir"
        )
        # The younger records a DPT row points to, found once (a handful): the two
        # statements below then test membership in this small table, where a test against
        # every DPT NIK cost a hash table of them and a probe per record, twice (about 3 of
        # 12 CPU-s of the preparation at province scale).
        engine.execute(f"""
            CREATE OR REPLACE TEMP TABLE _lk_young AS
            SELECT DISTINCT r.nik
            FROM (SELECT nik FROM "{registry_table}"
                  WHERE nik IS NOT NULL AND NOT coalesce({age}, false)) r
            SEMI JOIN (SELECT coalesce(nik, {_EXCEL_NIK}) AS nik FROM "{dpt_table}") d
              ON d.nik = r.nik
        """)
        kept += f" AND ({age} OR nik IN (SELECT nik FROM _lk_young))"
    # Names repeat a lot: normalise each distinct spelling once (a chain of regexes), then join.
    # ``n_reg``: how many of _lk_r's records carry the spelling, from which the model sums its
    # term frequencies over the distinct spellings instead of counting every record (on one
    # thread at province scale 0.06 instead of 0.48 s). Left out when repeated NIKs are
    # dropped below (then the model counts _lk_r). Names' sorted words are not stored: the
    # tiers sort the words of the few pairs whose names differ (rules.name_similarity_sql),
    # the duplicates those of the few rows that can pair on them, the model its own rows.
    n_reg = "" if repeated else ", n_reg"
    spellings = (
        f"SELECT nama, sum(r)::BIGINT AS n_reg, bool_or(d) AS in_dpt FROM ("
        f'SELECT nama, true AS d, 0 AS r FROM "{dpt_table}" '
        f'UNION ALL SELECT nama, false, 1 FROM "{registry_table}" WHERE {kept}) '
        "WHERE nama IS NOT NULL GROUP BY nama"
    )
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_names AS
        SELECT nama, nm, {rules.name_hashes_sql("nm")}{n_reg}, in_dpt
        FROM (SELECT nama, nullif(trim(nm0), '') AS nm, n_reg, in_dpt
              FROM ({normalize_names_query(spellings, out="nm0")}))
    """)
    # shared: a plain table, which a second connection (match_tables' concurrent) can read.
    # Joined to the DPT's spellings only: a hash table half the size when every name is
    # distinct (1.02 against 1.21 CPU-s at 1m-nama).
    engine.execute(f"""
        CREATE OR REPLACE {"" if shared else "TEMP "}TABLE _lk_d AS
        SELECT row_id, nik, nik_raw, coalesce(nik_flags, '') AS nik_flags,
               coalesce(nik, {_EXCEL_NIK}) AS nik_m,
               {nik_clean_sql("nkk")} AS nkk,
               n.nm, n.nm_h, n.last_h, tanggal_lahir AS tgl, jenis_kelamin AS jk,
               tempat_lahir, kode_kab, kode_kec, kode_desa,
               tps_key, status_kawin, ktp_el, nama IS NULL AS nama_none
        FROM "{dpt_table}" d LEFT JOIN (SELECT * FROM _lk_names WHERE in_dpt) n USING (nama)
    """)
    # the last row per NIK, as the loader's warning says (NIK_GANDA_DI_REGISTER)
    dedupe = (
        "QUALIFY row_number() OVER (PARTITION BY nik ORDER BY row_id DESC) = 1" if repeated else ""
    )
    # (the kecamatan and kabupaten codes, prefixes of the desa code, are derived where the
    # model picks its records: model.register_rows)
    # (the last row per NIK is picked before the rows are kept: a NIK's last row decides
    # whether it is kept, not an earlier one)
    src = (
        f'(SELECT * FROM "{registry_table}" WHERE nik IS NOT NULL {dedupe})'
        if repeated
        else f'"{registry_table}"'
    )
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_r AS
        SELECT nik, {nik_clean_sql("no_kk")} AS no_kk,
               n.nm, n.nm_h, n.last_h, tanggal_lahir AS tgl, jenis_kelamin AS jk,
               tempat_lahir, kode_desa, status_kawin, status_ktp_el
        FROM {src} r LEFT JOIN _lk_names n USING (nama)
        WHERE {kept}
    """)
    engine.execute("DROP TABLE IF EXISTS _lk_young")
    if drop_registry:  # every record a tier reads is in _lk_r now
        engine.execute(f'DROP TABLE "{registry_table}"')
    # One row per (DPT row, candidate register record) found by any tier, with its verdict
    # and the record's e-KTP status (taken where the tier joins the record anyway, so that
    # the result needs no second join of every link with the whole register). Shared: the
    # duplicates' connection reads the verified NIK links (see SETTLED).
    engine.execute(f"""
        CREATE OR REPLACE {"" if shared else "TEMP "}TABLE _lk_cand (
            row_id BIGINT, cand VARCHAR, tier VARCHAR, kind VARCHAR, score DOUBLE,
            weight DOUBLE, decision VARCHAR, reason VARCHAR, details JSON, status_ktp_el VARCHAR)
    """)


def _compare_cols(gate: str | None = None) -> str:
    """The compared fields of a pair ``d``/``r``; with ``gate``, name and birth date are
    compared only for pairs that pass it (NULL otherwise: a lazy CASE, never a WHERE, which
    the optimizer could turn into a join key)."""
    name, dob = rules.name_similarity_sql(), rules.dob_level_sql()
    if gate:
        name, dob = f"CASE WHEN {gate} THEN {name} END", f"CASE WHEN {gate} THEN {dob} END"
    return f"{name} AS name_sim, {dob} AS dob, {rules.sex_agrees_sql()} AS sex_ok"


_DETAILS = (
    "json_object('nama', round(name_sim, 3), 'tanggal_lahir', dob, "
    "'jenis_kelamin', CASE WHEN sex_ok THEN 'sama' ELSE 'beda' END)"
)


def _details(explain: bool) -> str:
    """The compared fields as JSON for the explanations; NULL when none are kept (the
    one-shot run): a JSON object per link costs about 0.1 s per million links."""
    return _DETAILS if explain else "NULL::JSON"


def _tier_nik(engine: Any, explain: bool = True) -> None:
    """Exact NIK join; verified links accepted, the others remembered for the next tiers."""
    # own_sim only where NIK_NAME_OWN can depend on it: a pair whose family card, name or
    # verification (name_sim >= 0.80 unless the family card agrees) decides it gets NULL
    # (at 1 M, 571 pairs instead of the 40 913 whose names differ; the word lists cost
    # 0.15-0.19 of the statement's 1.07 s on one thread). name_sim and kk_same are the
    # columns computed before it (DuckDB's lateral column aliases).
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_t1 AS
        SELECT d.row_id, r.nik AS cand, r.status_ktp_el, {_compare_cols()},
               coalesce(d.nkk = r.no_kk, false) AS kk_same,
               d.nik IS NULL AS xl, {_EXCEL_MAYBE_CUT} AS xl0,
               d.nm IS NULL OR r.nm IS NULL AS nm_none,
               CASE WHEN d.nm <> r.nm AND NOT kk_same AND name_sim >= 0.80 AND name_sim < 0.97
                    THEN {rules.own_words_similarity_sql()} END AS own_sim
        FROM _lk_d d JOIN _lk_r r ON d.nik_m = r.nik
    """)
    verified = f"({rules.NIK_VERIFIED} AND {rules.NIK_NAME_OWN} AND NOT xl0)"
    engine.execute(f"""
        INSERT INTO _lk_cand
        SELECT row_id, cand, '{TIER_NIK}', NULL, {SCORE_NIK}, NULL, 'accept',
               CASE WHEN {rules.IDENTITY_DIFFERS} THEN 'IDENTITAS_BEDA' END, {_details(explain)},
               status_ktp_el
        FROM _lk_t1 WHERE {verified}
    """)
    # (a damaged Excel number that hits another record is not "someone else's NIK"; without
    # a name on either side, only a birth date or sex that clearly differs says it is)
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_refused AS
        SELECT row_id, cand,
               CASE WHEN nm_none THEN {rules.IDENTITY_OTHER_NO_NAME} ELSE {rules.NIK_OTHER_PERSON} END
               AND NOT xl AS other_person
        FROM _lk_t1 WHERE NOT {verified}
    """)


# The fields a tier-2 candidate pair is compared on, fetched once by the join that follows
# the candidate pairs (structs d and r, read by the rules as d.nm, r.tgl, ...): comparing
# inside the joins that find the pairs, or joining the candidates (about 13 per row at
# province scale) to the rows and records once more for the comparison, cost about twice
# as much.
_PAIR_FIELDS = (
    "{'nm': d.nm, 'tgl': d.tgl, 'jk': d.jk, 'nkk': d.nkk} AS d, "
    "{'nm': r.nm, 'tgl': r.tgl, 'jk': r.jk, 'no_kk': r.no_kk, "
    "'status_ktp_el': r.status_ktp_el} AS r"
)


def _tier_correction(engine: Any, explain: bool = True) -> None:
    """Candidate NIKs for rows the NIK tier did not link, generated as keys and joined."""
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_t2rows AS
        SELECT d.row_id, d.nik_m AS nik, d.nik_raw, d.nkk, d.nm, d.tgl, d.jk,
               {_EXCEL_MAYBE_CUT} AS xl0,
               NOT regexp_matches(d.nik_flags, '_(PROVINSI|KABUPATEN|KECAMATAN)_TIDAK_DIKENAL')
                   AS region_known
        FROM _lk_d d ANTI JOIN _lk_cand c ON c.row_id = d.row_id
    """)
    # Keys as numbers: a NIK is 16 digits, so substituting digit p (weight w = 10^(16-p))
    # is n + (c - digit) * w and swapping p and p+1 is n + (next - digit) * 9 * w / 10.
    # Integer arithmetic and an integer join, where building 159 strings per row with
    # substr and || took 2.4x as long (same keys). The keys are stored first, narrow (the
    # kind as the sign of the position): joined as a subquery, the optimizer built its hash
    # table on the 16 M keys at province scale instead of on the register (1.7 -> 1.2 s).
    # Only the changes a correction may make are generated (at 1 M, 1.8 M keys instead of
    # 3.8 M, the tier's statements 1.62-1.75 -> 1.40-1.52 s on one thread; the rules were
    # applied after the keys were joined until 5 Dec):
    # - a change inside the birth-date digits (7-12; a swap from 6) is refused when those
    #   digits agree with the DPT's own birth date and sex (``dk``): then the DPT NIK is
    #   consistent and the one-digit neighbour is another person (a namesake born ten years
    #   apart);
    # - a change inside the region digits (1-6) is refused when the DPT NIK's region is a
    #   known kecamatan (``rk``): such a NIK is most often right and its owner missing from
    #   this extract (from another kabupaten), and the neighbour is a person elsewhere with a
    #   similar name (SITI MARYAM / SITI MARWAH): on 1 M rows 30 of 46 such corrections were
    #   wrong, against none of 58 from an unknown region.
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_t2k AS
        WITH d AS (SELECT row_id, TRY_CAST(nik AS BIGINT) AS n, region_known AS rk,
                          substr(nik, 7, 6) IS NOT DISTINCT FROM {rules.nik_date_sql("tgl", "jk")}
                              AS dk
                   FROM _lk_t2rows WHERE nik IS NOT NULL),
        w AS (SELECT p::INT AS pos, (10 ** (16 - p))::BIGINT AS w FROM range(1, 17) a(p)),
        dg AS (SELECT row_id, n, pos, w, (n // w) % 10 AS dp,
                      CASE WHEN pos < 16 THEN (n // (w // 10)) % 10 END AS dq, dk
               FROM d, w WHERE n IS NOT NULL AND NOT (pos <= 6 AND rk))
        -- one digit substituted (16 positions x 9 other digits): the position
        SELECT row_id, n + (c - dp) * w AS cand, pos::TINYINT AS pos
        FROM dg, range(0, 10) b(c) WHERE c <> dp AND NOT (pos BETWEEN 7 AND 12 AND dk)
        UNION ALL
        -- two neighbouring digits swapped: minus the position
        SELECT row_id, n + (dq - dp) * 9 * (w // 10), -pos::TINYINT
        FROM dg WHERE pos < 16 AND dp <> dq AND NOT (pos BETWEEN 6 AND 12 AND dk)
    """)
    # only keys that are a register NIK are kept (159 per row are generated)
    engine.execute("""
        CREATE OR REPLACE TEMP TABLE _lk_t2keys AS
        SELECT k.row_id, lpad(k.cand::VARCHAR, 16, '0') AS cand,
               CASE WHEN k.pos > 0 THEN 'NIK_KOREKSI_SATU_DIGIT'
                    ELSE 'NIK_KOREKSI_TUKAR_DIGIT' END AS kind, abs(k.pos)::INTEGER AS pos
        FROM _lk_t2k k SEMI JOIN (SELECT TRY_CAST(nik AS BIGINT) AS ni FROM _lk_r) r
          ON r.ni = k.cand
    """)
    engine.execute("DROP TABLE _lk_t2k")
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_t2 AS
        -- The candidate pairs first, then the compared fields fetched once for all of
        -- them: when each kind fetched its own, the register's fields were scanned again
        -- for each (0.53-0.64 s then, 0.41-0.49 s now, at 1 M).
        WITH p AS (
            -- the digit changes: register NIKs already, and only those a correction may
            -- make (_lk_t2k)
            SELECT row_id, cand, kind FROM _lk_t2keys
            UNION ALL
            -- families, found by one join of the register on its NO_KK (three joins, one
            -- per kind, cost 0.47 s against 0.17-0.20 s at 1 M): the NKK typed as NIK (the
            -- family with that NO_KK); the family of the DPT's own NKK; the family of the
            -- person whose NIK was used (that person excluded)
            SELECT f.row_id, r.nik, f.kind
            FROM (SELECT row_id, nik AS kk, 'NIK_KOREKSI_NKK' AS kind, NULL::VARCHAR AS excl
                  FROM _lk_t2rows WHERE nik IS NOT NULL
                  UNION ALL
                  SELECT row_id, nkk, 'NIK_KOREKSI_KELUARGA', NULL FROM _lk_t2rows
                  WHERE nkk IS NOT NULL AND nkk <> coalesce(nik, '')
                  UNION ALL
                  SELECT d.row_id, o.no_kk, 'NIK_KOREKSI_KELUARGA', o.nik
                  FROM _lk_t2rows d JOIN _lk_r o ON o.nik = d.nik WHERE o.no_kk IS NOT NULL) f
            JOIN _lk_r r ON r.no_kk = f.kk
            WHERE r.nik IS DISTINCT FROM f.excl
            UNION ALL
            -- a NIK Excel stored as a number that may have lost its last digit (xl0)
            SELECT row_id, substr(nik, 1, 15) || x::VARCHAR, 'NIK_KOREKSI_EXCEL'
            FROM _lk_t2rows, range(10) t(x) WHERE xl0
            UNION ALL
            -- a masked NIK (KPU publishes 10 of 16 digits hidden): visible digits must
            -- agree, blocked by the visible kecamatan prefix and birth date / sex; the cell
            -- as the NIK rules see it (blanks and Excel's leading ' removed)
            SELECT d.row_id, r.nik, 'NIK_KOREKSI_SAMARAN'
            FROM (SELECT row_id, tgl, jk, {nik_cleaned_sql("nik_raw")} AS masked
                  FROM _lk_t2rows WHERE nik IS NULL) d
            JOIN _lk_r r
              ON substr(r.nik, 1, 6) = substr(d.masked, 1, 6) AND r.tgl = d.tgl
                 AND r.jk IS NOT DISTINCT FROM d.jk
            WHERE regexp_full_match(d.masked, '[0-9]{{6}}[0-9*xX#]{{10}}')
              AND r.nik LIKE regexp_replace(d.masked, '[*xX#]', '_', 'g'))
        SELECT p.row_id, r.nik AS cand, p.kind, {_PAIR_FIELDS}
        FROM p JOIN _lk_r r ON r.nik = p.cand JOIN _lk_t2rows d ON d.row_id = p.row_id
    """)
    # An Excel-cut NIK's last-digit neighbours share birth date, sex and kecamatan (NIK
    # digits): only the name tells them apart, so two of them whose name is not clearly
    # another person's (a common single name such as MUHAMMAD) send the row to review
    # even if one agrees. Not clearly another person's: the whole names alike (>= 0.80) and
    # the words that differ spelling variants (MUHAMMAD / MUHAMMAD ALI and MUHAMMAD YUSUF
    # are; MUHAMMAD RUSDI / MUHAMMAD ARDI, alike through MUHAMMAD alone, are not: on 60 000
    # voters with every NIK cut, 248 right rows went to review that way).
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_t2ok AS
        WITH c AS (SELECT row_id, cand, kind, r.status_ktp_el,
                          {_compare_cols(rules.CORRECTION_POSSIBLE)},
                          CASE WHEN {rules.CORRECTION_POSSIBLE}
                               THEN {rules.own_words_similarity_sql()} END AS own_sim,
                          -- (Excel cut the NKK's last digit as it cut the NIK's)
                          coalesce(d.nkk = r.no_kk OR (kind = 'NIK_KOREKSI_EXCEL'
                                   AND ends_with(d.nkk, '0')
                                   AND substr(d.nkk, 1, 15) = substr(r.no_kk, 1, 15)), false)
                              AS kk_same
                   FROM _lk_t2),
        xl AS (SELECT row_id FROM c
               WHERE kind = 'NIK_KOREKSI_EXCEL' AND NOT {rules.NIK_OTHER_PERSON}
                     AND {rules.OWN_WORDS_AGREE}
               GROUP BY row_id HAVING count(DISTINCT cand) > 1)
        SELECT row_id, cand, min(kind) AS kind, any_value({_details(explain)}) AS details,
               any_value(status_ktp_el) AS status_ktp_el,
               row_id IN (SELECT row_id FROM xl) AS xl_ambiguous
        FROM c WHERE CASE WHEN kind = 'NIK_KOREKSI_EXCEL' THEN {rules.EXCEL_CUT_AGREES}
                          ELSE {rules.CORRECTION_AGREES} AND {rules.OWN_WORDS_AGREE} END
        GROUP BY row_id, cand
    """)
    engine.execute(f"""
        INSERT INTO _lk_cand
        SELECT row_id, cand, '{TIER_KOREKSI}', kind, {SCORE_KOREKSI}, NULL,
               CASE WHEN count(*) OVER (PARTITION BY row_id) = 1 AND NOT xl_ambiguous
                    THEN 'accept' ELSE 'review' END,
               CASE WHEN count(*) OVER (PARTITION BY row_id) > 1 OR xl_ambiguous
                    THEN 'TINJAU_KANDIDAT_GANDA' END,
               details, status_ktp_el
        FROM _lk_t2ok
    """)


def _resolve_conflicts(engine: Any) -> None:
    """Precision first: a register record accepted for two DPT rows.

    When all the rows claiming a record agree with each other (name, birth date, sex), they
    are one person listed twice: all kept, flagged GANDA. Otherwise verified-NIK links stay
    and every other claim (a corrected NIK, a probabilistic link) goes to review.
    """
    engine.execute("""
        CREATE OR REPLACE TEMP TABLE _lk_conflict AS
        SELECT c.cand, c.row_id, c.tier FROM _lk_cand c
        JOIN (SELECT cand FROM _lk_cand WHERE decision = 'accept'
              GROUP BY cand HAVING count(*) > 1) k USING (cand)
        WHERE c.decision = 'accept'
    """)
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_conflict_bad AS
        SELECT DISTINCT cand FROM (
            SELECT a.cand, {_compare_cols()}
            FROM _lk_conflict a JOIN _lk_conflict b ON a.cand = b.cand AND a.row_id < b.row_id
            JOIN _lk_d d ON d.row_id = a.row_id JOIN _lk_d r ON r.row_id = b.row_id)
        WHERE NOT {rules.CORRECTION_AGREES}
        UNION
        -- a corrected NIK that lands on a record another row holds by its own NIK: a
        -- namesake born the same day is as likely as a duplicate entry, a person decides
        SELECT a.cand FROM _lk_conflict a JOIN _lk_conflict b ON a.cand = b.cand
        WHERE a.tier = '{TIER_KOREKSI}' AND b.tier = '{TIER_NIK}'
    """)
    engine.execute(f"""
        UPDATE _lk_cand c SET decision = 'review', reason = 'TINJAU_REKAM_DIPAKAI'
        FROM _lk_conflict_bad k
        WHERE c.cand = k.cand AND c.decision = 'accept' AND c.tier <> '{TIER_NIK}'
    """)


def _assemble(
    engine: Any,
    dpt_table: str,
    profile: ElectionProfile,
    out_table: str,
    explain_table: str | None,
    dup_table: str | None,
) -> None:
    """One result row per DPT row (in no particular order: its readers order by row_id, and
    sorting it here cost 0.5 s per million rows); explanations for accepted/reviewed links."""
    # The best accepted candidate per row. A row has at most one NIK-tier candidate (one NIK,
    # and the register's NIKs are unique in _lk_r), and the later tiers take only rows
    # without a NIK-tier link: a row with several accepted candidates has one from tiers 2-3,
    # so only those few rows are counted. Without any (the usual case), the accepted
    # candidates themselves, as a view (a copy of every link cost 1.3 CPU-s at province scale);
    # otherwise the window picks the best for the rows that have several.
    accepted = (
        "SELECT row_id, cand, tier, score, kind, reason, status_ktp_el "
        "FROM _lk_cand WHERE decision = 'accept'"
    )
    multi = f"""
        SELECT row_id FROM ({accepted}) WHERE row_id IN (
            SELECT row_id FROM _lk_cand WHERE decision = 'accept' AND tier <> '{TIER_NIK}')
        GROUP BY row_id HAVING count(*) > 1"""
    if engine.one(f"SELECT count(*) FROM ({multi})")[0] == 0:
        engine.execute("DROP TABLE IF EXISTS _lk_best_t")
        engine.execute(f"CREATE OR REPLACE TEMP VIEW _lk_best AS {accepted}")
    else:
        engine.execute(f"""
            CREATE OR REPLACE TEMP TABLE _lk_best_t AS
            WITH a AS ({accepted}), multi AS ({multi})
            SELECT * FROM a ANTI JOIN multi USING (row_id)
            UNION ALL
            SELECT * FROM a SEMI JOIN multi USING (row_id)
            QUALIFY row_number() OVER (PARTITION BY row_id ORDER BY score DESC, cand) = 1
        """)
        engine.execute("CREATE OR REPLACE TEMP VIEW _lk_best AS SELECT * FROM _lk_best_t")
    # Rows with a candidate in review and no accepted one. (The few review rows are looked up
    # among the links, not every link hashed for an anti join.)
    engine.execute("""
        CREATE OR REPLACE TEMP TABLE _lk_rev AS
        WITH v AS (SELECT row_id, reason FROM _lk_cand WHERE decision = 'review')
        SELECT row_id, any_value(reason) AS reason FROM v
        WHERE row_id NOT IN (SELECT row_id FROM _lk_best WHERE row_id IN (SELECT row_id FROM v))
        GROUP BY row_id
    """)
    # Rows whose record another row's best link holds too. Such a record was already held
    # twice when the conflicts were resolved (which only takes links away), so only the rows
    # of _lk_conflict are looked at, not every link (0.75 CPU-s at province scale).
    engine.execute("""
        CREATE OR REPLACE TEMP TABLE _lk_ganda AS
        WITH x AS (SELECT row_id, cand FROM _lk_best
                   WHERE row_id IN (SELECT row_id FROM _lk_conflict))
        SELECT row_id FROM x WHERE cand IN (SELECT cand FROM x GROUP BY cand HAVING count(*) > 1)
    """)
    # The e-KTP status is mapped once per distinct register code (a handful), not per row.
    status = status_rekam_sql("s")
    st_expr = (
        "CASE WHEN b.row_id IS NOT NULL THEN st.status_rekam "
        "WHEN v.row_id IS NOT NULL THEN 'PERLU_TINJAU' ELSE 'TIDAK_DITEMUKAN' END"
    )
    # A pair of look-alike rows (K1, K3) whose rows the register links to two different
    # records is two people, each verified by Dukcapil: no duplicate to check in the field.
    # (On synthetic Sulsel, namesakes born on the same placeholder date made 9 of 10 K1
    # flags.) K2 stays: one of the two rows carries a NIK that is not its own.
    dup_join = (
        f"LEFT JOIN (SELECT p.row_id, string_agg(DISTINCT p.category, ';' ORDER BY p.category) "
        f'AS cats FROM "{dup_table}" p '
        "LEFT JOIN _lk_best a ON a.row_id = p.row_id "
        "LEFT JOIN _lk_best b ON b.row_id = p.other_row_id "
        f"WHERE p.category = '{K2}' OR a.cand IS NULL OR b.cand IS NULL OR a.cand = b.cand "
        "GROUP BY p.row_id) dup ON dup.row_id = d.row_id"
        if dup_table
        else "LEFT JOIN (SELECT NULL::BIGINT AS row_id, NULL::VARCHAR AS cats) dup ON false"
    )
    flags = voter_flags_sql(profile, "tgl", "status_kawin", "ktp_el", "status_rekam")
    # CATATAN is a list expression over a few codes per row; the combinations of its inputs
    # are few (hundreds), so it is built once per combination and joined back.
    keys = ("nik_flags", "other_person", "nik_absent", "metode_padan", "kind", "reason",
            "ganda", "cats", "flags", "nama_none", "status_unknown")  # fmt: skip
    on = " AND ".join(f"k.{c} IS NOT DISTINCT FROM base.{c}" for c in keys)
    engine.execute(f"""
        CREATE OR REPLACE TABLE "{out_table}" AS
        WITH st AS (
            SELECT s, {status} AS status_rekam, {status_known_sql("s")} AS known
            FROM (SELECT status_ktp_el AS s FROM _lk_best UNION SELECT NULL::VARCHAR)),
        -- (the flags inside the CTE that both branches read: computed once per row; the
        -- columns they are made from are not carried on)
        base AS (SELECT * EXCLUDE (tgl, status_kawin, ktp_el, nik), {flags} AS flags FROM (
            SELECT d.row_id, d.kode_kab, d.kode_kec, d.kode_desa, d.tps_key, d.tgl,
                   d.status_kawin, d.ktp_el, d.nik_flags, d.nik, d.nama_none,
                   b.cand AS nik_dukcapil, {st_expr} AS status_rekam,
                   b.status_ktp_el, b.row_id IS NOT NULL AND NOT st.known AS status_unknown,
                   b.tier AS metode_padan, b.score AS skor_padan, b.kind,
                   coalesce(b.reason, v.reason) AS reason,
                   f.row_id IS NOT NULL AND f.other_person AS other_person,
                   d.nik IS NOT NULL AND f.row_id IS NULL AS nik_absent,
                   g.row_id IS NOT NULL OR dup.cats IS NOT NULL AS ganda, dup.cats
            FROM _lk_d d
            LEFT JOIN _lk_best b ON b.row_id = d.row_id
            LEFT JOIN st ON st.s IS NOT DISTINCT FROM b.status_ktp_el
            LEFT JOIN _lk_rev v ON v.row_id = d.row_id
            LEFT JOIN (SELECT r.row_id, bool_or(r.other_person AND r.cand IS DISTINCT FROM a.cand)
                              AS other_person
                       FROM _lk_refused r LEFT JOIN _lk_best a ON a.row_id = r.row_id
                       GROUP BY r.row_id) f ON f.row_id = d.row_id
            LEFT JOIN _lk_ganda g ON g.row_id = d.row_id
            {dup_join})
        ),
        k AS (
            SELECT {", ".join(keys)},
                   list_has_any(string_split(nik_flags, ';'), {_NIK_INVALID}) AS nik_invalid,
                   array_to_string(list_distinct(list_filter(
                   [CASE WHEN nik_invalid THEN 'NIK_TIDAK_VALID' END]
                   || string_split(nik_flags, ';') || [
                     CASE WHEN other_person THEN 'NIK_MILIK_ORANG_LAIN' END,
                     CASE WHEN nik_absent AND metode_padan IS DISTINCT FROM 'NIK'
                          AND NOT nik_invalid THEN 'NIK_TIDAK_DITEMUKAN' END,
                     CASE WHEN kind IS NOT NULL THEN 'NIK_DIKOREKSI' END, kind, reason,
                     CASE WHEN ganda THEN 'GANDA' END,
                     CASE WHEN nama_none THEN 'NAMA_KOSONG' END,
                     CASE WHEN status_unknown THEN '{STATUS_UNKNOWN_CODE}' END] || string_split(coalesce(cats, ''), ';')
                   || string_split(flags, ';'),
                   lambda x: x IS NOT NULL AND x <> '')), ';') AS catatan
            FROM (SELECT DISTINCT {", ".join(keys)} FROM base))
        SELECT base.row_id, kode_kab, kode_kec, kode_desa, tps_key, nik_dukcapil, status_rekam,
               status_ktp_el, base.metode_padan, skor_padan, k.catatan
        FROM base JOIN k ON {on}
    """)
    if explain_table is None:  # the one-shot result file has no place for explanations
        return
    # Most rows have one candidate: only rows with several are ranked by a window. The JSON
    # merge runs once per distinct (details, decision, kind): a few hundred of 1 M rows.
    engine.execute(f"""
        CREATE OR REPLACE TABLE "{explain_table}" AS
        WITH multi AS (SELECT row_id FROM _lk_cand GROUP BY row_id HAVING count(*) > 1),
        ranked AS (
            SELECT row_id, cand, 1::INTEGER AS candidate_rank, tier, score, weight, details,
                   decision, kind
            FROM _lk_cand ANTI JOIN multi USING (row_id)
            UNION ALL
            SELECT row_id, cand,
                   row_number() OVER (PARTITION BY row_id ORDER BY decision = 'accept' DESC,
                                      score DESC, cand)::INTEGER AS candidate_rank,
                   tier, score, weight, details, decision, kind
            FROM _lk_cand SEMI JOIN multi USING (row_id)
            QUALIFY candidate_rank <= 3),
        j AS (
            SELECT details, decision, kind,
                   json_merge_patch(coalesce(details, '{{}}'::JSON),
                                    json_object('keputusan', decision, 'jenis', kind)) AS dj
            FROM (SELECT DISTINCT details, decision, kind FROM ranked))
        SELECT row_id, cand AS candidate_nik, candidate_rank, tier, score AS match_probability,
               weight AS match_weight, j.dj AS details
        FROM ranked JOIN j ON j.details IS NOT DISTINCT FROM ranked.details
             AND j.decision IS NOT DISTINCT FROM ranked.decision
             AND j.kind IS NOT DISTINCT FROM ranked.kind
        ORDER BY row_id, candidate_rank
    """)


def _cleanup(engine: Any) -> None:
    engine.execute("DROP VIEW IF EXISTS _lk_best")
    for t in ("_lk_names", "_lk_young", "_lk_d", "_lk_r", "_lk_cand", "_lk_t1", "_lk_refused", "_lk_t2rows", "_lk_t2k", "_lk_t2keys",
              "_lk_t2", "_lk_t2ok", "_lk_conflict", "_lk_conflict_bad", "_lk_lab", "_lk_trd",
              "_lk_trr", "_lk_labels", "_lk_tf", "_lk_best_t", "_lk_rev", "_lk_ganda",
              "_lk_dup", "_lk_pd", "_lk_pk", "_lk_pr", "_lk_pred"):  # fmt: skip
        engine.execute(f"DROP TABLE IF EXISTS {t}")


def match_tables(
    engine: Any,
    dpt_table: str,
    registry_table: str,
    profile: ElectionProfile,
    *,
    out_table: str = "match_out",
    explain_table: str | None = "match_explain",
    progress: Progress = None,
    probabilistic: bool = True,
    registry_unique: bool = False,
    concurrent: bool = False,
    drop_registry: bool = False,
) -> MatchSummary:
    """Match canonical DPT rows against canonical register rows (docs/ARCHITECTURE.md).

    Writes ``out_table`` (row_id, region keys, the contract's section 3 columns) with one
    row per DPT row (unordered: order by row_id), and ``explain_table`` (up to 3 candidates
    per row with tier, score and compared fields; None: not made, as for the one-shot result
    file, which has no place for it). ``registry_unique``: the caller knows each register
    NIK occurs once (the loader counted), so that is not counted again. ``concurrent``: the
    duplicates are found on a second connection while the probabilistic tier runs, filling
    the core Splink's Python leaves idle. Only for an in-memory database: the two
    connections share the prepared DPT rows as a plain table, which a workspace file would
    store. ``drop_registry``: drop ``registry_table`` once its records are prepared, for a
    caller that made it for this match alone (the one-shot match: 0.4-0.5 GB less at 1 M,
    2.0-2.1 instead of 2.4-2.6 GB).
    """
    st = _Stages(progress)
    st.run(
        "persiapan",
        lambda: _prepare(
            engine,
            dpt_table,
            registry_table,
            registry_unique,
            shared=concurrent,
            profile=profile,
            drop_registry=drop_registry,
        ),
    )
    total = engine.one("SELECT count(*) FROM _lk_d")[0]
    explain = explain_table is not None

    def dups(con: Any) -> dict[str, int]:
        return find_duplicates(con, dpt_table, "_lk_dup", prepared="_lk_d", settled=SETTLED)

    _deterministic_tiers(engine, st, total, explain)
    if concurrent:
        # Beside the probabilistic tier, whose Python (Splink's settings and SQL) leaves a
        # core idle; beside the NIK tiers, whose statements use both cores, the duplicates
        # only competed with them (1 M rows: tiers 1-2 took 3.5 s instead of 1.7 s).
        with Beside(engine, dups) as beside:
            _later_tiers(engine, st, profile, total, probabilistic)
            st.run("ganda", beside.result)
    else:
        _later_tiers(engine, st, profile, total, probabilistic)
        st.run("ganda", lambda: dups(engine))
    st.run(
        "hasil",
        lambda: _assemble(engine, dpt_table, profile, out_table, explain_table, "_lk_dup"),
    )
    by_tier = dict(
        engine.rows(f"SELECT coalesce(metode_padan, ''), count(*) FROM \"{out_table}\" GROUP BY 1")
    )
    by_status = dict(engine.rows(f'SELECT status_rekam, count(*) FROM "{out_table}" GROUP BY 1'))
    _cleanup(engine)
    return MatchSummary(
        rows=total, by_tier=by_tier, by_status=by_status, seconds_by_stage=st.seconds
    )


# The links no later stage changes: the verified NIK links (conflicts demote only the other
# tiers' links). The duplicates run after them and skip look-alike pairs of two rows settled
# on two records (two people); _assemble drops the other such pairs once all links are known.
SETTLED = f"SELECT row_id, cand FROM _lk_cand WHERE tier = '{TIER_NIK}' AND decision = 'accept'"


def _accepted(engine: Any, tier: str) -> int:
    """Rows a tier accepted a link for (its progress count). Each tier accepts at most one
    link per row (the NIK tier joins a register with one record per NIK; tier 2 accepts
    only a row's single candidate; tier 3 only its best), so the links are counted, not
    their distinct rows: ``count(DISTINCT row_id)`` over the NIK tier's links cost 0.6
    CPU-s at province scale for a progress line."""
    return engine.one(
        "SELECT count(*) FROM _lk_cand WHERE tier = $1 AND decision = 'accept'", [tier]
    )[0]


def _deterministic_tiers(engine: Any, st: _Stages, total: int, explain: bool) -> None:
    """The NIK tier, then the NIK correction tier (the cheap tiers, first)."""
    st.run("NIK", lambda: _tier_nik(engine, explain))
    st.report("NIK", _accepted(engine, TIER_NIK), total)
    st.run("NIK_KOREKSI", lambda: _tier_correction(engine, explain))
    st.report("NIK_KOREKSI", _accepted(engine, TIER_KOREKSI), total)


def _later_tiers(
    engine: Any, st: _Stages, profile: ElectionProfile, total: int, probabilistic: bool
) -> None:
    """The probabilistic tier on what is left, then the conflicts between accepted links."""
    if probabilistic:
        from padan.linkage.model import tier_probabilistic

        info = st.run(TIER_PROB, lambda: tier_probabilistic(engine, profile))
        st.seconds.update(
            {f"{TIER_PROB}.{k}": v for k, v in info.items() if k.startswith("detik_")}
        )
        st.report(TIER_PROB, _accepted(engine, TIER_PROB), total)
    st.run("konflik", lambda: _resolve_conflicts(engine))


def explanation_json(details: Any) -> dict:
    """Explanation details as a dict (DuckDB returns JSON as text)."""
    return json.loads(details) if isinstance(details, str) else dict(details or {})
