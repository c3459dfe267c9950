"""Indonesian name normalisation: one comparison key for the many ways a name is written.

The same person is "Hj. St. Nurhayati, S.Pd" in one list and "SITI NUR HAYATI" in another,
"Moh Ramdhan" and "Muhammad Ramdhan", "Soekarno" and "Sukarno", "Andi Muchtar" and
"Muchtar". :func:`normalize_name` turns each into a ``core``: upper-case ASCII letters and
single spaces, with titles, honorifics and academic degrees removed, old spellings folded to
one form and common abbreviations expanded.

The rules are data (:data:`RULES`, an ordered list of steps built from the tables below:
character deletions, regular-expression and literal replacements, a word map) and two
executors apply the same list: plain Python for single names, and one SQL expression for the
engine (:func:`normalize_name_sql`: ``translate``, ``regexp_replace``, ``replace`` and a
``CASE`` over the words; :func:`normalize_names_query`, the same in stages for a table of
names), so the match can run over millions of rows in DuckDB (or Spark,
through sqlglot) without a Python loop, and the two cannot drift apart (a property test keeps
them equal). The patterns use only what Python ``re`` and RE2 (DuckDB) share: character
classes, ``(?:...)``, ``\\b`` on ASCII text, ``$`` on text without newlines. Measured: 1 million
names in about 2.5 s on two cores (``strip_accents`` has no Spark built-in: a UDF there).

The ``core`` is a comparison key, not a display form. Old-spelling folds make one class of
letters that were written differently over time: ``OE``->``U``, ``DJ``->``J``, ``TJ``->``C``,
``CH``->``KH``, and ``J``->``Y`` (old ``J`` is modern ``Y``: "Jusuf" = "Yusuf"; with it
``NJ``->``NY`` and ``SJ``->``SY``). The last fold also turns modern ``J`` into ``Y``
("JAMALUDDIN" -> "YAMALUDDIN"): the same for both sides, so never wrong for comparison.

Joined and split words ("Nurhayati" / "Nur Hayati") keep their spaces in the core;
:func:`name_similarity` compares the names with spaces removed as well.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import JaroWinkler, Levenshtein

# -- the rules as data --------------------------------------------------------------------

APOSTROPHES = "'`\u2019\u2018\u00b4\u02bc"
"""Removed, joining the letters around them: "Pa'bentengan" -> "PABENTENGAN"."""

SPELLING_FOLDS: tuple[tuple[str, str], ...] = (
    ("OE", "U"),  # Soekarno -> SUKARNO
    ("DJ", "J"),  # Djamaluddin -> JAMALUDDIN (then Y, below)
    ("TJ", "C"),  # Tjoa -> COA
    ("CH", "KH"),  # Muchtar -> MUKHTAR
    ("J", "Y"),  # Jusuf -> YUSUF; also NJ -> NY, SJ -> SY
)
"""Old (van Ophuijsen / Soewandi) spellings -> one form. Order matters: DJ and TJ before J."""

TITLES: dict[str, tuple[str, ...]] = {
    "HAJI": ("H", "HJ", "HJH", "HAJI", "HAJJAH", "HAJAH", "HAJJ"),
    "ANDI": ("ANDI", "A"),
    "DAENG": ("DAENG", "DG"),
    "KARAENG": ("KARAENG", "KR", "KRG"),
    "PUANG": ("PUANG",),
    "PETTA": ("PETTA",),
    "OPU": ("OPU",),
    "LA": ("LA",),
    "I": ("I",),
    "WE": ("WE",),
    "BIN": ("BIN", "BINTI", "BT"),
    "DR": ("DR",),
    "DRS": ("DRS",),
    "DRA": ("DRA",),
    "IR": ("IR",),
    "PROF": ("PROF",),
    "ALMARHUM": ("ALM", "ALMH", "ALMARHUM", "ALMARHUMAH"),
    "KIAI": ("KH", "KIAI", "KYAI"),
    "USTADZ": ("UST", "USTADZ", "USTAD", "USTADZAH"),
}
"""Honorifics, Bugis-Makassar nobility and address words, religious and academic titles:
canonical -> the words (modern spelling) that stand for it. Whole words only, anywhere in the
name ("Abd Rauf Malaganni Kr Kio"). They say nothing about who a person is."""

DEGREES: tuple[str, ...] = (
    "S.PD.I", "S.PD.SD", "S.PD", "S.KOM", "S.SOS", "S.AG", "S.IP", "S.KM", "S.KEP", "S.KED",
    "S.FARM", "S.HUT", "S.PSI", "S.AK", "S.STP", "S.SI", "S.HI", "S.TH", "S.I.KOM", "S.GZ",
    "S.PT", "S.PI", "S.HUM", "S.TP", "S.KEB", "S.SN", "S.TR", "S.ST", "S.IN", "S.FIL", "S.KEL",
    "M.SI", "M.PD", "M.KES", "M.AG", "M.KOM", "M.AK", "M.SC", "M.HUM", "M.KEP", "M.ENG", "M.TH",
    "M.KN", "M.SN", "M.PSI", "M.AP", "A.MD.KEP", "A.MD.KEB", "A.MD.FARM", "A.MD", "A.MA.PD",
    "A.MA", "A.MK", "PH.D", "B.SC", "SP.OG", "SP.PD", "SP.A", "SP.B",
)  # fmt: skip
"""Academic degrees written with dots ("S.Pd.", "S. Kom", "A.Md"), removed anywhere."""

SHORT_DEGREES: tuple[str, ...] = (
    "S.E.I", "S.H.I", "S.E", "S.H", "S.T", "S.P", "S.S", "M.M", "M.H", "M.T", "M.A", "M.P",
    "M.E", "B.A",
)  # fmt: skip
"""Degrees that could also be initials ("M. H. Thamrin"): removed only after a comma
("Abdul Rauf, SE, MM") or at the end of the name ("Nurhayati S.E.")."""

DEGREE_WORDS: tuple[str, ...] = (
    "SPD", "SPDI", "SKOM", "SSOS", "SKM", "SKEP", "SKED", "SPSI", "SSTP", "SIKOM", "MSI", "MPD",
    "MKES", "MKOM", "MHUM", "MKEP", "AMD", "AMK", "AMDKEP", "AMDKEB", "AMAPD", "PHD", "LC",
)  # fmt: skip
"""Degrees written without dots that are never a name word: removed anywhere, like titles."""

EXPANSIONS: dict[str, tuple[str, ...]] = {
    "MUHAMMAD": (
        "M", "MHD", "MUHD", "MOHD", "MUH", "MOH", "MUKH", "MOKH", "MUHAMMMAD",
        *(f"M{o}{k}HA{m}{e}D" for o in "OU" for k in ("", "K") for m in ("M", "MM")
          for e in "AE"),
    ),
    "ABDUL": ("ABD", "ABDUL"),
    "SITI": ("ST", "SITTI", "SITI"),
    "AHMAD": ("AHMAD", "AKHMAD", "AHMED"),
}  # fmt: skip
"""Abbreviations and spellings of very common name words -> one form (whole words, in the
spelling after the folds: "Mochamad" is "MOKHAMAD" by then)."""


@dataclass(frozen=True)
class Step:
    """One step of the normalisation, applied the same way by both executors.

    ``op`` is one of ``delete`` (remove the characters in ``arg``), ``accents`` (decompose,
    drop combining marks), ``upper``, ``regex`` (replace every match of ``arg`` with
    ``repl``), ``replace`` (literal text ``arg`` -> ``repl``) and ``words`` (split on spaces,
    map each word through :data:`WORD_MAP`, drop empty words, join with single spaces: this
    also trims and collapses spaces). ``report`` marks the regex whose matches hold degrees,
    reported by :func:`parse_name` as titles.
    """

    op: str
    arg: str = ""
    repl: str = ""
    report: bool = False


def fold_spelling(s: str) -> str:
    """Apply :data:`SPELLING_FOLDS` to upper-case text."""
    for old, new in SPELLING_FOLDS:
        s = s.replace(old, new)
    return s


def _alt(words: list[str] | tuple[str, ...]) -> str:
    """A non-capturing alternation, longest first (leftmost-first engines try in order)."""
    return "(?:" + "|".join(sorted(set(words), key=lambda w: (-len(w), w))) + ")"


def _degree(canonical: str, sep: str) -> str:
    return sep.join(canonical.split("."))


# Spaces are not collapsed until the last step, hence " *".
_ANY_SEP = r"\.? *"  # after a comma: "S.Pd", "S. Pd", "SPd", "S Pd"
_DOT_SEP = r"\. *"  # elsewhere a dot is required: "S.Pd", "S. Pd"
_DEG_ANY = _alt([_degree(d, _ANY_SEP) for d in DEGREES + SHORT_DEGREES])
_DEG_DOTTED = _alt([_degree(d, _DOT_SEP) for d in DEGREES])
_DEG_DOTTED_ALL = _alt([_degree(d, _DOT_SEP) for d in DEGREES + SHORT_DEGREES])

DEGREE_PATTERN = (
    rf",(?:[ ,]*{_DEG_ANY}\b\.?)+"  # after a comma, any degree: ", SE, MM"
    rf"|(?: +{_DEG_DOTTED_ALL}\b\.?)+ *$"  # dotted degrees ending the name: " S.E. M.M."
    rf"|\b{_DEG_DOTTED}\b\.?"  # dotted degrees that are never initials, anywhere
    r"|[^A-Z ]+"  # what is left of dots and commas
)
"""Degrees while their dots still tell them apart from initials, then dots and commas; one
pass, leftmost-first."""

TITLE_WORDS: dict[str, str] = {}
"""A title word (folded spelling) -> its canonical title or degree, for reporting."""
for _canon, _variants in TITLES.items():
    for _v in _variants:
        TITLE_WORDS[fold_spelling(_v)] = _canon
for _d in DEGREE_WORDS:
    TITLE_WORDS[fold_spelling(_d)] = next((x for x in DEGREES if x.replace(".", "") == _d), _d)

WORD_MAP: dict[str, str] = {w: "" for w in TITLE_WORDS}
"""Whole words after the folds -> replacement ('' drops the word): titles and expansions."""
for _target, _variants in EXPANSIONS.items():
    assert fold_spelling(_target) == _target, _target  # fixed points, for idempotence
    for _v in _variants:
        assert fold_spelling(_v) not in TITLE_WORDS, _v
        WORD_MAP[fold_spelling(_v)] = _target
WORD_MAP[""] = ""

RULES: tuple[Step, ...] = (
    Step("delete", APOSTROPHES),
    Step("accents"),
    Step("regex", "[^A-Za-z., ]+", " "),  # before upper(): only ASCII is left to upper-case
    Step("upper"),
    Step("regex", DEGREE_PATTERN, " ", report=True),
    *(Step("replace", old, new) for old, new in SPELLING_FOLDS),
    Step("words"),
)
"""The normalisation, in order. Both executors apply exactly this list."""

_DEGREE_CANON = {d.replace(".", ""): d for d in DEGREES + SHORT_DEGREES}
_DEG_ANY_RE = re.compile(rf"\b{_DEG_ANY}\b")


# -- the Python executor ------------------------------------------------------------------


def _strip_accents(s: str) -> str:
    """What DuckDB's ``strip_accents`` does: decompose, drop combining marks."""
    return "".join(
        c for c in unicodedata.normalize("NFD", s) if not unicodedata.category(c).startswith("M")
    )


@dataclass(frozen=True)
class ParsedName:
    original: str
    titles: tuple[str, ...]  # canonical titles/degrees found (ANDI, DAENG, HAJI, S.PD, ...)
    core: str  # the comparison key: upper-case ASCII, folded, expanded, single spaces
    tokens: tuple[str, ...]  # the words of ``core``


_REGEX = {r.arg: re.compile(r.arg) for r in RULES if r.op == "regex"}


def _degrees_in(text: str) -> list[str]:
    out = []
    for d in _DEG_ANY_RE.finditer(text):
        key = re.sub(r"[. ]", "", d.group(0))
        out.append(_DEGREE_CANON.get(key, key))
    return out


def parse_name(s: str | None) -> ParsedName:
    """Split a name into its titles (degrees first, then title words, each in name order)
    and its normalised core."""
    text = "" if s is None else str(s)
    found: list[str] = []
    for step in RULES:
        if step.op == "delete":
            text = text.translate({ord(c): None for c in step.arg})
        elif step.op == "accents":
            text = _strip_accents(text)
        elif step.op == "upper":
            text = text.upper()
        elif step.op == "replace":
            text = text.replace(step.arg, step.repl)
        elif step.op == "regex":
            if step.report:
                found.extend(_degrees_in(" ".join(_REGEX[step.arg].findall(text))))
                text = _REGEX[step.arg].sub(step.repl, text)
            else:
                text = _REGEX[step.arg].sub(step.repl, text)
        elif step.op == "words":
            words = []
            for w in text.split(" "):
                if w in TITLE_WORDS:
                    found.append(TITLE_WORDS[w])
                w = WORD_MAP.get(w, w)
                if w:
                    words.append(w)
            text = " ".join(words)
    return ParsedName("" if s is None else str(s), tuple(found), text, tuple(text.split()))


def normalize_name(s: str | None) -> str:
    """The normalised core of a name ('' for None or a name of titles only)."""
    return parse_name(s).core


# -- the SQL executor ---------------------------------------------------------------------


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _text_step_sql(step: Step, sql: str) -> str:
    """One step of :data:`RULES` other than ``words``, applied to the SQL text ``sql``."""
    if step.op == "delete":
        return f"translate({sql}, {_sql_str(step.arg)}, '')"
    if step.op == "accents":
        return f"strip_accents({sql})"
    if step.op == "upper":
        return f"upper({sql})"
    if step.op == "replace":
        return f"replace({sql}, {_sql_str(step.arg)}, {_sql_str(step.repl)})"
    if step.op == "regex":
        return f"regexp_replace({sql}, {_sql_str(step.arg)}, {_sql_str(step.repl)}, 'g')"
    raise ValueError(step.op)


def normalize_name_sql(expr: str) -> str:
    """:func:`normalize_name` as one DuckDB expression over ``expr`` ('' for NULL)."""
    sql = f"coalesce(CAST({expr} AS VARCHAR), '')"
    for step in RULES:
        if step.op != "words":
            sql = _text_step_sql(step, sql)
        else:
            # WORD_MAP as one CASE of IN-lists, one per replacement: three times faster in
            # DuckDB than a MAP lookup, and plain SQL for any engine.
            groups: dict[str, list[str]] = {}
            for k, v in sorted(WORD_MAP.items()):
                groups.setdefault(v, []).append(k)
            whens = " ".join(
                f"WHEN _pn_w IN ({', '.join(_sql_str(k) for k in ks)}) THEN {_sql_str(v)}"
                for v, ks in sorted(groups.items())
            )
            sql = (
                f"array_to_string(list_filter(list_transform(string_split({sql}, ' '), "
                f"lambda _pn_w: CASE {whens} ELSE _pn_w END), lambda _pn_w: _pn_w <> ''), ' ')"
            )
    return sql


# Names of upper-case letters and spaces only (most register names) pass the steps before the
# spelling folds unchanged: no apostrophe, accent, lower case or character to blank out, and
# every alternative of DEGREE_PATTERN needs a comma, a dot or another character outside
# [A-Z ] (each degree is written with its dots).
assert all("." in d for d in DEGREES + SHORT_DEGREES)
_PLAIN_SQL = "[^A-Z ]"  # a value with any such character takes the full steps


def normalize_names_query(src: str, col: str = "nama", out: str = "nm") -> str:
    """``SELECT *, <core> AS {out} FROM ({src})`` (with four working columns ``_nm_*``
    besides, which the caller leaves out): :func:`normalize_name_sql` of ``col`` over a table
    of (distinct) names, the same cores computed in stages so that each row pays only for the
    steps that change it. Measured on 2.5 M distinct names: 2.5-2.7 against 5.5 CPU-s.

    * A name of upper-case letters and spaces skips the steps before the folds (see
      ``_PLAIN_SQL``): 95 % of a register's names.
    * The spelling folds run only on a name that holds one of their patterns (a fifth).
    * The word map is applied without a lambda: one ``\\b``-bounded alternation per
      replacement, only to the names that hold a mapped word (a third of them; a lambda's
      ``CASE`` of 95 words cost 1.5 s of the 5.5, and a lambda runs for every row of a vector
      once one row needs it). Words are ``[A-Z]+`` by then, so ``\\b`` is a word's edge, and
      no replacement is itself mapped, so one pass per replacement gives the word map.
    * Spaces are collapsed only where there is something to collapse.

    Each stage is a subquery over column references, so no expression is repeated."""
    x = f"coalesce(CAST({col} AS VARCHAR), '')"
    # RULES is: the steps a plain name skips, then the spelling folds, then the word map
    first_fold = next(i for i, st in enumerate(RULES) if st.op == "replace")
    assert all(st.op == "replace" for st in RULES[first_fold:-1]) and RULES[-1].op == "words"
    pre = "_nm_x"
    for step in RULES[:first_fold]:
        pre = _text_step_sql(step, pre)
    p = f"CASE WHEN regexp_matches(_nm_x, '{_PLAIN_SQL}') THEN {pre} ELSE _nm_x END"
    # The folds only for a name that holds one of their patterns (a fifth of them): a fold
    # can only make a later one's pattern where it replaced something, so a name without
    # any is its own fold. Five replace() passes over every name cost 0.6 CPU-s of 3.0 on
    # 2.5 M names; the test and the folds of a fifth, 0.25.
    folds = RULES[first_fold:-1]
    chain = "_nm_p"
    for step in folds:
        chain = _text_step_sql(step, chain)
    olds = {st.arg for st in folds}
    olds = sorted(o for o in olds if not any(q != o and q in o for q in olds))  # DJ has J
    has = " OR ".join(f"contains(_nm_p, {_sql_str(o)})" for o in olds)
    f = f"CASE WHEN {has} THEN {chain} ELSE _nm_p END"
    # (a word mapped to itself, such as MUHAMMAD or SITI, is left out: replacing it changes
    # nothing, and testing for it sent 2.8 times as many names through the replacements,
    # 886 k instead of 315 k of 2.5 M distinct names)
    groups: dict[str, list[str]] = {}
    for k, v in sorted(WORD_MAP.items()):
        if k and k != v:
            assert re.fullmatch("[A-Z]+", k) and WORD_MAP.get(v, v) == v, k
            groups.setdefault(v, []).append(k)

    def words(ks: list[str]) -> str:
        return _sql_str(r"\b" + _alt(ks) + r"\b")

    mapped = "_nm_f"
    for v, ks in sorted(groups.items()):
        mapped = f"regexp_replace({mapped}, {words(ks)}, {_sql_str(v)}, 'g')"
    w = (
        f"CASE WHEN regexp_matches(_nm_f, {words([k for ks in groups.values() for k in ks])}) "
        f"THEN {mapped} "
        "ELSE _nm_f END"
    )
    core = (
        "CASE WHEN contains(_nm_w, '  ') OR starts_with(_nm_w, ' ') OR ends_with(_nm_w, ' ') "
        "THEN trim(regexp_replace(_nm_w, ' +', ' ', 'g')) ELSE _nm_w END"
    )
    return (
        f"SELECT *, {core} AS {out} FROM (SELECT *, {w} AS _nm_w FROM "
        f"(SELECT *, {f} AS _nm_f FROM (SELECT *, {p} AS _nm_p FROM "
        f"(SELECT *, {x} AS _nm_x FROM ({src})))))"
    )


# -- similarity ---------------------------------------------------------------------------

TOKEN_MATCH = 0.92
"""Jaro-Winkler at or above which two words count as the same word (typos, spellings)."""

AGREE = 0.85
"""Name similarity at or above which two names agree (see :func:`names_agree`)."""


def _similarity_of_cores(ca: str, cb: str) -> float:
    if not ca or not cb:
        return 0.0
    if ca == cb:
        return 1.0
    ta, tb = ca.split(" "), cb.split(" ")
    best_a = [max(JaroWinkler.similarity(x, y) for y in tb) for x in ta]
    best_b = [max(JaroWinkler.similarity(y, x) for x in ta) for y in tb]
    words = (sum(best_a) + sum(best_b)) / (len(ta) + len(tb))
    ja, jb = ca.replace(" ", ""), cb.replace(" ", "")
    joined = 1.0 - Levenshtein.distance(ja, jb) / max(len(ja), len(jb))
    return max(words, joined)


def name_similarity(a: str | None, b: str | None) -> float:
    """0..1 similarity of two names, after normalisation.

    The larger of: (1) a soft Dice over words: every word of each name scored by its best
    Jaro-Winkler partner in the other, averaged over all words of both (a dropped or added
    word costs its share, word order does not matter, typos cost little); (2) the Levenshtein
    ratio of the names with spaces removed (joined or split words: "Nurhayati" / "Nur Hayati").
    """
    return _similarity_of_cores(normalize_name(a), normalize_name(b))


def _contained(ta: list[str], tb: list[str]) -> bool:
    """Every word of ``ta`` is in ``tb`` (Jaro-Winkler >= TOKEN_MATCH), and ``ta`` is not a
    single word standing for a longer name of three or more words."""
    if not ta or not all(max(JaroWinkler.similarity(x, y) for y in tb) >= TOKEN_MATCH for x in ta):
        return False
    return len(ta) >= 2 or len(tb) <= 2


def names_agree(a: str | None, b: str | None) -> bool:
    """The name rule for verifying a link: the names are the same name written differently.

    True when :func:`name_similarity` >= :data:`AGREE`, or when one name is the other with
    words dropped ("Muchtar Ali" / "Andi Muchtar Ali Yusuf", "Ali" / "Muhammad Ali"), but not
    a single word against a name of three or more words. Birth date and sex are checked by the
    caller.
    """
    ca, cb = normalize_name(a), normalize_name(b)
    if not ca or not cb:
        return False
    if _similarity_of_cores(ca, cb) >= AGREE:
        return True
    ta, tb = ca.split(" "), cb.split(" ")
    return _contained(ta, tb) or _contained(tb, ta)


def best_word_match_sql(xs: str, ys: str) -> str:
    """For each word of list ``xs``: its best Jaro-Winkler against the words of ``ys``.

    The lambda parameters have names no caller's column will have: a parameter shadows a
    column of the same name inside the lambda."""
    return (
        f"list_transform({xs}, lambda _pn_x: list_max(list_transform({ys}, "
        "lambda _pn_y: jaro_winkler_similarity(_pn_x, _pn_y))))"
    )


def name_similarity_sql(
    a_expr: str,
    b_expr: str,
    a_words: str | None = None,
    b_words: str | None = None,
    a_joined: str | None = None,
    b_joined: str | None = None,
) -> str:
    """:func:`name_similarity` as a DuckDB expression over two *normalised* names.

    ``a_expr`` and ``b_expr`` are cores (columns computed with :func:`normalize_name_sql`);
    computing the core once per row and comparing columns is far cheaper than normalising
    inside every comparison. For the same reason the words (``string_split(core, ' ')``) and
    the core without spaces may be given as precomputed columns.
    """
    ta = a_words or f"string_split({a_expr}, ' ')"
    tb = b_words or f"string_split({b_expr}, ' ')"
    ja = a_joined or f"replace({a_expr}, ' ', '')"
    jb = b_joined or f"replace({b_expr}, ' ', '')"
    words = f"(list_sum({best_word_match_sql(ta, tb)}) + list_sum({best_word_match_sql(tb, ta)})) / (len({ta}) + len({tb}))"
    joined = f"1.0 - levenshtein({ja}, {jb}) / greatest(length({ja}), length({jb}))"
    return (
        f"(CASE WHEN coalesce({a_expr}, '') = '' OR coalesce({b_expr}, '') = '' THEN 0.0 "
        f"WHEN {a_expr} = {b_expr} THEN 1.0 "
        f"ELSE greatest({words}, {joined}) END)"
    )


def names_agree_sql(a_expr: str, b_expr: str) -> str:
    """:func:`names_agree` as a DuckDB boolean expression over two *normalised* names."""
    ta, tb = f"string_split({a_expr}, ' ')", f"string_split({b_expr}, ' ')"

    def contained(xs: str, ys: str) -> str:
        return (
            f"(list_min({best_word_match_sql(xs, ys)}) >= {TOKEN_MATCH} "
            f"AND (len({xs}) >= 2 OR len({ys}) <= 2))"
        )

    return (
        f"(coalesce({a_expr}, '') <> '' AND coalesce({b_expr}, '') <> '' AND "
        f"({name_similarity_sql(a_expr, b_expr)} >= {AGREE} "
        f"OR {contained(ta, tb)} OR {contained(tb, ta)}))"
    )
