"""Duplicates within the DPT (ganda), in KPU's three categories.

- ``GANDA_K1``: identical identity: the same normalised name (spaces ignored, so "Nur Hayati"
  = "Nurhayati"), birth date and sex, on another row (usually another address or TPS; the
  same TPS twice counts too).
- ``GANDA_K2``: the same NIK on rows whose identity is not identical (another name, birth
  date or sex): at least one NIK is wrong.
- ``GANDA_K3``: a similar identity: (a) a similar name (:func:`names.name_similarity` >=
  ``K3_SIMILARITY``, every word of the shorter name close to one of the other) with the
  same birth date and sex in the same kecamatan; (b) the same
  name and sex with day and month of birth swapped; (c) the same name and birth date with the
  sex differing; (d) the same words of the name in another order, same birth date and sex.

Both rows of a pair are flagged and each records the other; nothing is ever removed. Pure
SQL, blocked on exact keys (names by their hashes, the text checked per pair) so it stays
cheap at millions of rows; each pair is compared once. A block (rows sharing a key)
larger than ``MAX_PARTNERS`` is compared against its first ``MAX_PARTNERS`` rows only: every
row of it is still flagged, with at most that many partners from the block recorded (a
placeholder NIK shared by thousands of rows must not produce millions of pairs).
"""

from __future__ import annotations

from typing import Any

from padan.errors import PadanError
from padan.identity.names import (
    best_word_match_sql,
    name_similarity_sql,
    normalize_names_query,
)
from padan.linkage.rules import sorted_words_sql, words_sql

K1, K2, K3 = "GANDA_K1", "GANDA_K2", "GANDA_K3"
CATEGORIES = (K1, K2, K3)
GANDA = "GANDA"

K3_SIMILARITY = 0.90
"""Name similarity from which two names with the same birth date, sex and kecamatan are a
possible duplicate (twins with rhyming names score lower: "Hasan" / "Husain" ~0.8)."""

K3_WORD = 0.85
"""... and every word of the shorter name must have a partner this close (Jaro-Winkler) in
the other: siblings "Syamsul Hidayat" / "Rina Hidayat" share a word but are two people."""

K3_PREFILTER = 0.80
"""Cheap necessary-in-practice test before the similarity: a word in common, or the names
without spaces at Jaro-Winkler >= this. Placeholder birth dates (1 Jul, 31 Dec) make blocks
of dozens of rows per kecamatan; this keeps the similarity to a few percent of the pairs."""

MAX_PARTNERS = 50


# Name keys are blocked on by their hashes (integers group and join several times faster
# than text); every pair's condition checks the text itself, so a collision adds nothing.
def _key_hash(col: str) -> str:
    """The hash a name key is blocked on (NULL for an empty name: no block)."""
    return f"CASE WHEN {col} <> '' THEN hash({col}) END AS {col}_h"


_REQUIRED = ("row_id", "nama", "tanggal_lahir", "jenis_kelamin")
_BASE = "_dup_base"
_PAIRS = "_dup_pairs"
_SWAP = "_dup_swap"
_WORDS = "_dup_words"


def _opt(cols: set[str], name: str, sql_type: str = "VARCHAR") -> str:
    return f'"{name}"' if name in cols else f"NULL::{sql_type}"


def _prepare(
    engine: Any, dpt_table: str, prepared: str | None = None, settled: str | None = None
) -> None:
    if prepared:
        # The match engine's rows already carry the normalised name and its sorted words: only
        # the keys derived from them are added (a join of every row to its name saved).
        # own: settled on a record no other settled row has (records compared by hash: a
        # collision only leaves a row not "own", which keeps its pairs). Two "own" rows are
        # two people, whatever their records.
        own = "s.row_id IS NOT NULL" if settled else "false"
        link = (
            f"LEFT JOIN (SELECT any_value(row_id) AS row_id FROM ({settled}) s0 "
            "GROUP BY hash(cand) HAVING count(*) = 1) s ON s.row_id = p.row_id"
            if settled
            else ""
        )
        engine.execute(f"""
            CREATE OR REPLACE TEMP TABLE {_BASE} AS
            SELECT *, {_key_hash("nk")} FROM (
                SELECT p.row_id, nik, nm, tgl, jk, coalesce(kode_kec, substr(kode_desa, 1, 6)) AS kec,
                       replace(nm, ' ', '') AS nk, {own} AS own
                FROM "{prepared}" p {link})
        """)
        return
    cols = set(engine.columns(dpt_table))
    missing = [c for c in _REQUIRED if c not in cols]
    if missing:
        raise PadanError(
            "GANDA_KOLOM_KURANG",
            f"Tabel DPT {dpt_table} tidak punya kolom {', '.join(missing)}; "
            "pemeriksaan data ganda tidak bisa dijalankan.",
            hint="Impor DPT lewat `padan impor dpt` agar kolomnya lengkap.",
        )
    kec = _opt(cols, "kode_kec")
    desa = _opt(cols, "kode_desa")
    # Names repeat a lot: normalise each distinct spelling once (a chain of regexes), derive
    # its keys once, then join them to the rows.
    distinct = f'SELECT DISTINCT "nama" AS nama FROM "{dpt_table}"'
    named = f"SELECT nama, nm FROM ({normalize_names_query(distinct)})"
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE {_BASE} AS
        WITH n0 AS (
            SELECT nama, nm, replace(nm, ' ', '') AS nk FROM ({named})),
        n AS (SELECT *, {_key_hash("nk")} FROM n0)
        SELECT d.row_id, d.nik, n.nm, d.tgl, d.jk, d.kec, n.nk, n.nk_h,
               false AS own
        FROM (
            SELECT row_id::BIGINT AS row_id,
                   nullif(trim({_opt(cols, "nik")}), '') AS nik,
                   "nama" AS nama,
                   tanggal_lahir::DATE AS tgl,
                   nullif(upper(trim(jenis_kelamin)), '') AS jk,
                   coalesce({kec}, substr({desa}, 1, 6)) AS kec
            FROM "{dpt_table}") d
        LEFT JOIN n ON n.nama IS NOT DISTINCT FROM d.nama
    """)


def _pairs(
    engine: Any,
    category: str,
    block: list[str],
    condition: str = "true",
    source: str = _BASE,
    cols: tuple[str, ...] = (),
    derived: dict[str, str] | None = None,
    final: str | None = None,
    late: dict[str, str] | None = None,
    late_cols: tuple[str, ...] = (),
) -> None:
    """Add the pairs of rows of ``source`` that share ``block`` (all non-null: a name key's
    hash is NULL for an empty name, see ``_key_hashes``) and meet ``condition`` (over
    aliases ``a`` and ``b``, which may use ``block``, ``row_id``, ``cols`` and the
    ``derived`` columns, computed for the blocked rows only), in both directions.

    Blocks of two or more rows are found first with a grouping (cheap); only their rows are
    numbered and carried, with only the columns the condition needs. ``condition`` must be
    symmetric (every caller's is): each pair is tested once, the lower row id first (or the
    row beyond the first ``MAX_PARTNERS`` against one of them), and written both ways.

    With ``final``, ``condition`` is a cheap necessary test and ``final`` the full one, over
    ``row_id``, ``late_cols`` and the ``late`` columns (name -> SQL over ``late_cols``):
    those are carried, computed and joined to the pairs only for the rows of the pairs that
    pass the cheap test (word lists cost more to carry through the block join than the
    comparisons cost).

    Look-alike categories (K1, K3; not K2, a shared NIK): two rows each settled on a
    register record of its own are two people and not a pair; blocks of such rows only
    (most blocks, once the NIK tier has run) are not joined at all."""
    look_alike = category != K2
    if look_alike:
        condition = f"({condition}) AND NOT (a.own AND b.own)"
        cols = (*cols, "own")
    part = ", ".join(block)
    on = " AND ".join(f"a.{c} = b.{c}" for c in block)
    where = " AND ".join(f"{c} IS NOT NULL" for c in block)
    carried = ", ".join(dict.fromkeys(["row_id", *block, *cols, *late_cols]))
    extra = "".join(f", {sql} AS {name}" for name, sql in (derived or {}).items())
    kept = ", ".join(dict.fromkeys(["row_id", *block, *cols, *(derived or {})]))
    if final is None:
        tail = "p AS (SELECT x, y FROM p0)"
    else:
        cols_late = ", ".join(
            [*late_cols, *(f"{sql} AS {name}" for name, sql in (late or {}).items())]
        )
        tail = f"""t AS (
            SELECT row_id, {cols_late} FROM j
            SEMI JOIN (SELECT x AS r FROM p0 UNION ALL SELECT y FROM p0) q ON q.r = j.row_id),
        p AS (
            SELECT p0.x, p0.y FROM p0 JOIN t a ON a.row_id = p0.x JOIN t b ON b.row_id = p0.y
            WHERE {final})"""
    # A look-alike block needs a row that is not "own": its keys are found among those
    # rows first (a few per cent once the NIK tier has run), and only the rows sharing one
    # are grouped, where grouping every row by every block's keys cost a hash table of
    # about one entry per row for each category.
    # (materialised: the few rows are read twice, by the grouping and the join)
    rows = (
        f"r AS MATERIALIZED (SELECT {carried} FROM {source} SEMI JOIN (SELECT DISTINCT "
        f"{part} FROM {source} WHERE {where} AND NOT own) o USING ({part})),"
        if look_alike
        else f"r AS (SELECT {carried} FROM {source} WHERE {where}),"
    )
    # Rows are numbered (for the cap) only in blocks larger than the cap, which are rare: a
    # window over every blocked row cost as much as the comparisons.
    engine.execute(f"""
        INSERT INTO {_PAIRS}
        WITH {rows}
        k AS (
            SELECT {part}, count(*) AS _n FROM r GROUP BY {part} HAVING count(*) > 1),
        j AS (SELECT {carried}{extra}, _n FROM r JOIN k USING ({part})),
        g AS (
            SELECT {kept}, 0 AS _rn FROM j WHERE _n <= {MAX_PARTNERS}
            UNION ALL
            SELECT {kept}, row_number() OVER (PARTITION BY {part} ORDER BY row_id) AS _rn
            FROM j WHERE _n > {MAX_PARTNERS}),
        p0 AS (
            SELECT a.row_id AS x, b.row_id AS y
            FROM g a JOIN (SELECT * FROM g WHERE _rn <= {MAX_PARTNERS}) b
              ON {on} AND (a.row_id < b.row_id OR a._rn > {MAX_PARTNERS})
            WHERE {condition}),
        {tail}
        SELECT x, '{category}', y FROM p
        UNION ALL
        SELECT y, '{category}', x FROM p
    """)


def find_duplicates(
    engine: Any,
    dpt_table: str,
    out_table: str,
    prepared: str | None = None,
    settled: str | None = None,
) -> dict[str, int]:
    """Find duplicate rows in ``dpt_table`` (canonical DPT columns).

    Creates ``out_table(row_id BIGINT, category VARCHAR, other_row_id BIGINT)``: one row per
    (row, other row, category), both directions, ordered by row. Returns how many DPT rows
    carry each category (``GANDA_K1``, ``GANDA_K2``, ``GANDA_K3``). ``prepared`` optionally
    names a table of the DPT rows with their names already normalised (row_id, nik, nm, tgl,
    jk, kode_kec, kode_desa: the match engine's ``_lk_d``). ``settled`` (with ``prepared``)
    optionally gives a query of (row_id, cand): rows whose link to register record ``cand``
    is final (the match engine's verified NIK links). Two rows settled on different records
    are two people: they make no K1 or K3 pair (the match engine drops the other such pairs
    when it assembles the result, once every link is known).
    """
    _prepare(engine, dpt_table, prepared, settled)
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {_PAIRS} "
        "(row_id BIGINT, category VARCHAR, other_row_id BIGINT)"
    )
    same_identity = "(a.nk = b.nk AND a.tgl = b.tgl AND a.jk = b.jk)"
    _pairs(engine, K1, ["nk_h", "tgl", "jk"], "a.nk = b.nk", cols=("nk",))
    _pairs(engine, K2, ["nik"], f"NOT coalesce({same_identity}, false)", cols=("nk", "tgl", "jk"))
    sim = name_similarity_sql("a.nm", "b.nm", "a.toks", "b.toks", "a.nk", "b.nk")
    # symmetric, as _pairs needs: names of as many words are covered if either way is
    shorter_covered = (
        f"CASE WHEN len(a.toks) < len(b.toks) THEN list_min({best_word_match_sql('a.toks', 'b.toks')}) "
        f"WHEN len(a.toks) > len(b.toks) THEN list_min({best_word_match_sql('b.toks', 'a.toks')}) "
        f"ELSE greatest(list_min({best_word_match_sql('a.toks', 'b.toks')}), "
        f"list_min({best_word_match_sql('b.toks', 'a.toks')})) END"
    )
    # The cheap test first, on the blocked rows' keys: the names differ, and share a word (a
    # common bit of the words' hashes: necessary, not sufficient) or are close without
    # spaces. The words themselves and the similarity only for the pairs that pass.
    word_bits = (
        f"list_reduce(list_transform({words_sql('nm')}, "
        "lambda _w: (1::UBIGINT << (hash(_w) % 64)::INTEGER)), lambda _x, _y: _x | _y)"
    )
    close = f"jaro_winkler_similarity(a.nk, b.nk) >= {K3_PREFILTER}"
    _pairs(
        engine,
        K3,
        ["kec", "tgl", "jk"],
        f"a.nk <> b.nk AND ((a.wb & b.wb) <> 0 OR {close})",
        cols=("nk",),
        derived={"wb": word_bits},
        final=f"(list_has_any(a.toks, b.toks) OR {close}) "
        f"AND {sim} >= {K3_SIMILARITY} AND {shorter_covered} >= {K3_WORD}",
        late_cols=("nm", "nk"),
        late={"toks": words_sql("nm")},  # only the K3 comparison needs the word lists
    )
    # (a view: its block is grouped over the few rows that are not "own", see _pairs; a
    # table copied nearly every row)
    engine.execute(f"""
        CREATE OR REPLACE TEMP VIEW {_SWAP} AS
        SELECT row_id, nk, nk_h, jk, tgl, year(tgl) AS y, least(month(tgl), day(tgl)) AS lo,
               greatest(month(tgl), day(tgl)) AS hi, own
        FROM {_BASE} WHERE month(tgl) <> day(tgl)
    """)
    _pairs(
        engine, K3, ["nk_h", "jk", "y", "lo", "hi"], "a.nk = b.nk AND a.tgl <> b.tgl",
        source=_SWAP, cols=("nk", "tgl"),
    )  # fmt: skip
    _pairs(
        engine, K3, ["nk_h", "tgl"], "a.nk = b.nk AND a.jk IS DISTINCT FROM b.jk", cols=("nk", "jk")
    )
    # The same words in another order: the sorted words only for the rows that can be in
    # such a pair. One of its two rows is not "own" (see _pairs), and both have the same
    # birth date, sex and name length (the same words, single spaces), so only rows sharing
    # those with a row that is not "own" get them (a few per cent; sorting the words of
    # every DPT spelling cost 0.5 CPU-s at 1m-nama).
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE {_WORDS} AS
        SELECT *, {_key_hash("ns")} FROM (
            SELECT row_id, nk, tgl, jk, own, {sorted_words_sql("nm")} AS ns
            FROM {_BASE}
            SEMI JOIN (SELECT DISTINCT tgl, jk, length(nm) AS len FROM {_BASE}
                       WHERE NOT own AND tgl IS NOT NULL AND jk IS NOT NULL) o
              ON o.tgl = {_BASE}.tgl AND o.jk = {_BASE}.jk AND o.len = length({_BASE}.nm))
    """)
    _pairs(
        engine, K3, ["ns_h", "tgl", "jk"], "a.ns = b.ns AND a.nk <> b.nk", source=_WORDS,
        cols=("ns", "nk"),
    )  # fmt: skip
    engine.execute(f"""
        CREATE OR REPLACE TABLE "{out_table}" AS
        SELECT DISTINCT row_id, category, other_row_id FROM {_PAIRS}
        ORDER BY row_id, category, other_row_id
    """)
    engine.execute(f"DROP VIEW IF EXISTS {_SWAP}")
    for t in (_PAIRS, _WORDS, _BASE):
        engine.execute(f"DROP TABLE IF EXISTS {t}")
    counts = dict(
        engine.rows(f'SELECT category, count(DISTINCT row_id) FROM "{out_table}" GROUP BY 1')
    )
    return {c: int(counts.get(c, 0)) for c in CATEGORIES}


def catatan_sql(dup_table: str) -> str:
    """A query giving, per flagged row, its CATATAN codes: ``GANDA;GANDA_K1`` and so on."""
    return (
        f"SELECT row_id, '{GANDA};' || string_agg(DISTINCT category, ';' ORDER BY category) "
        f'AS catatan FROM "{dup_table}" GROUP BY row_id'
    )
