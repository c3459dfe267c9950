"""Identity rules shared by the deterministic tiers, written once as SQL expressions.

Every function returns a DuckDB-dialect SQL expression (no Python loops over rows), so the
tiers run inside the engine and can be transpiled for Spark later. Prepared tables carry the
columns ``nm`` (normalised name), ``nm_h``/``last_h`` (hashes of the name and its last word),
``tgl`` (birth date) and ``jk`` (sex ``L``/``P``). The words as a list, and sorted, are
computed where a rule needs them (``words_sql``, ``sorted_words_sql``).
"""

from __future__ import annotations


def sorted_words_sql(nm: str) -> str:
    """The words of a normalised name in alphabetical order (word order mistakes)."""
    return f"array_to_string(list_sort(string_split({nm}, ' ')), ' ')"


def words_sql(nm: str) -> str:
    """The words of a normalised name as a list."""
    return f"string_split({nm}, ' ')"


def name_hashes_sql(nm: str) -> str:
    """Hashes of the name and of its last word (``nm_h``, ``last_h``), computed once per
    distinct name: tier 3's blocking-key prefilter hashes them with other keys instead of
    hashing the text again for every register record."""
    return f"hash({nm}) AS nm_h, hash({words_sql(nm)}[-1]) AS last_h"


def placeholder_date_sql(d: str) -> str:
    """Dates registers use when the real one was unknown: 31 Dec, 1 Jul, 1 Jan, the 15th."""
    return (
        f"((month({d}) = 12 AND day({d}) = 31) OR (month({d}) = 7 AND day({d}) = 1) "
        f"OR (month({d}) = 1 AND day({d}) = 1) OR day({d}) = 15)"
    )


def covers_sql(a: str, b: str) -> str:
    """Every word of list ``a`` is in list ``b``, or is one letter that starts a word of ``b``
    (an initial: A. RAIHAN / AHMAD RAIHAN)."""
    return (
        f"list_bool_and(list_transform({a}, lambda w: list_contains({b}, w) OR "
        f"(length(w) = 1 AND len(list_filter({b}, lambda v: starts_with(v, w))) > 0)))"
    )


def name_similarity_sql(d: str = "d", r: str = "r") -> str:
    """0-1: best of Jaro-Winkler on the names, on their sorted words, on the names without
    spaces (NUR HAYATI / NURHAYATI), and 0.95 when all words of the shorter name (two or
    more) occur in the longer one, initials allowed (a name given in short)."""
    # The word lists are split, and sorted, here, in the branch that needs them, rather than
    # stored with every row: only pairs whose names differ reach it (at 1 M, 40 k of the NIK
    # tier's 990 k pairs; sorting the words of 2.5 M distinct register names took 1.4 CPU-s).
    dt, rt = words_sql(f"{d}.nm"), words_sql(f"{r}.nm")
    short_d = f"len({dt}) <= len({rt})"
    subset = (
        f"(least(len({dt}), len({rt})) >= 2 AND CASE WHEN {short_d} "
        f"THEN {covers_sql(dt, rt)} ELSE {covers_sql(rt, dt)} END)"
    )
    # Identical non-empty names (most NIK pairs) score 1.0 without the three Jaro-Winklers
    # and the word lists (the same value: each term is at most 1.0).
    return (
        f"CASE WHEN {d}.nm = {r}.nm AND {d}.nm <> '' THEN 1.0::DOUBLE ELSE "
        f"coalesce(greatest(jaro_winkler_similarity({d}.nm, {r}.nm), "
        f"jaro_winkler_similarity({sorted_words_sql(f'{d}.nm')}, {sorted_words_sql(f'{r}.nm')}), "
        f"jaro_winkler_similarity(replace({d}.nm, ' ', ''), replace({r}.nm, ' ', '')), "
        f"CASE WHEN {subset} THEN 0.95 ELSE 0 END), 0) END"
    )


def nik_date_sql(tgl: str, jk: str) -> str:
    """The DDMMYY digits a NIK issued for this birth date and sex carries (+40 for women)."""
    return (
        f"lpad((day({tgl}) + CASE WHEN {jk} = 'P' THEN 40 ELSE 0 END)::VARCHAR, 2, '0') "
        f"|| strftime({tgl}, '%m%y')"
    )


def dob_level_sql(d: str = "d", r: str = "r") -> str:
    """How two birth dates agree: exact, swap (day/month), placeholder (same year, one side a
    placeholder date), typo (one digit or two neighbouring digits), year, diff, null."""
    a, b = f"{d}.tgl", f"{r}.tgl"
    return (
        f"CASE WHEN {a} IS NULL OR {b} IS NULL THEN 'null' "
        f"WHEN {a} = {b} THEN 'exact' "
        f"WHEN year({a}) = year({b}) AND month({a}) = day({b}) AND day({a}) = month({b}) "
        f"THEN 'swap' "
        f"WHEN year({a}) = year({b}) AND ({placeholder_date_sql(a)} OR {placeholder_date_sql(b)}) "
        f"THEN 'placeholder' "
        f"WHEN damerau_levenshtein(strftime({a}, '%Y%m%d'), strftime({b}, '%Y%m%d')) = 1 "
        f"THEN 'typo' "
        f"WHEN year({a}) = year({b}) THEN 'year' ELSE 'diff' END"
    )


AGE_SLACK_YEARS = 3
"""Years a register record may be younger than a voter and still be a candidate: its birth
date may be wrong."""


def voter_age_sql(
    min_age: int, election_day: str, tgl: str = "tgl", kawin: str = "status_kawin"
) -> str:
    """A register record of plausible voter age, the only kind a tier looks for among the
    records whose NIK no DPT row carries: ``min_age`` minus AGE_SLACK_YEARS on election day
    (``election_day``: ISO date), married (now or before: they vote whatever their age), or
    without a birth date. Age >= n on the day is tgl <= day - n years (age() per row cost
    about 0.1 s per million rows)."""
    return (
        f"({tgl} IS NULL OR {kawin} IN ('S', 'P') "
        f"OR {tgl} <= DATE '{election_day}' - INTERVAL {min_age - AGE_SLACK_YEARS} YEAR)"
    )


def sex_agrees_sql(d: str = "d", r: str = "r") -> str:
    return f"({d}.jk IS NULL OR {r}.jk IS NULL OR {d}.jk = {r}.jk)"


# Decisions on the compared identity (columns name_sim, dob, sex_ok of a candidate table;
# kk_same for the NIK tier: both rows carry the same 16-digit family card number).
NIK_VERIFIED = (
    "((name_sim >= 0.90 AND dob IN ('exact', 'swap', 'placeholder', 'typo', 'null') AND sex_ok)"
    " OR (name_sim >= 0.97 AND (dob IN ('exact', 'swap', 'placeholder', 'typo') OR sex_ok))"
    " OR (name_sim >= 0.80 AND dob = 'exact' AND sex_ok)"
    " OR (kk_same AND dob = 'exact' AND sex_ok))"
)
"""The DPT NIK exists in the register and the identity agrees: link on the NIK.

The last clause links a person listed under another name (a daeng name, a nickname, a
second name used at home) when everything else is the record's own: the NIK, the birth date,
the sex and the family card. A mistyped NIK that lands on someone else also carries that
person's birth date and sex (they are digits of the NIK), but not the family card: on 1 M
synthetic rows the 117 such wrong pairs all had another family card, the 6 055 right ones
(3 747 spelled beyond 0.80, 1 976 another name) the same. What it still takes for a wrong
link is a same-sex twin's NIK in the twin's row. Such links carry IDENTITAS_BEDA."""

NIK_NAME_OWN = "(kk_same OR name_sim >= 0.97 OR coalesce(own_sim, 1.0) >= 0.85)"
"""With NIK_VERIFIED: a name that only resembles the record's through a common word
(MUHAMMAD NASIR / MUHAMMAD LUKMAN, 0.85 as whole names) is not the record's own unless the
family card agrees. On 1 M synthetic rows the NIK links between 0.80 and 0.97 without the
family card and with other differing words were 22 wrong and 45 right ones; those rows go
on to the next tiers."""

NIK_OTHER_PERSON = "(name_sim < 0.80)"
"""The NIK exists but the name is clearly someone else's (often a family member's NIK).
Not written when a later tier links the row to that NIK's record after all (a name the NIK
tier could not verify, such as a single word, that the probabilistic tier accepts)."""

IDENTITY_OTHER_NO_NAME = "(dob IN ('year', 'diff') OR NOT sex_ok)"
"""NIK_OTHER_PERSON when the DPT row or the record has no name (blank, or only a title such
as ANDI): the birth date or the sex clearly differs."""

CORRECTION_AGREES = (
    "(sex_ok AND ((name_sim >= 0.92 AND dob IN ('exact', 'swap'))"
    " OR (name_sim >= 0.97 AND dob = 'placeholder')))"
)
"""A corrected NIK is accepted only when name, birth date and sex agree (stricter than the
verified-NIK rule: the NIK itself is no longer evidence)."""


EXCEL_CUT_AGREES = f"({NIK_VERIFIED} AND {NIK_NAME_OWN})"
"""A NIK Excel stored as a number, tried with its ten last-digit neighbours
(NIK_KOREKSI_EXCEL): its first 15 digits are the DPT's own, as typed (Excel kept them), so a
neighbour that agrees is as good as the NIK tier's record, and the NIK tier's rule applies;
exactly one neighbour must pass it (a same-sex twin shares the family card, birth date and
the first 15 digits: two pass, and the row goes to review). CORRECTION_AGREES, for NIKs
whose digits were mistyped, sent single-word, shortened and other names (A. AZIZ, HAMID) to
review: on 15 000 synthetic voters with 30 % of the XLSX files damaged, recall 0.98887 with
it."""


def own_words_similarity_sql(d: str = "d", r: str = "r") -> str:
    """0-1: Jaro-Winkler of the words each name has and the other lacks; 1 when one name's
    words are all in the other (initials allowed, as :func:`covers_sql`). Two people who
    share a common word score high on the whole name (SITI AMINAH / SITI ZAINAB 0.93,
    MUHAMMAD ALIF / MUHAMMAD ZAINAL 0.93) but not on the words that tell them apart (AMINAH /
    ZAINAB 0.78, ALIF / ZAINAL 0.61), while a spelling variant keeps a high score there (RIZAL /
    RISAL 0.89)."""
    dt, rt = words_sql(f"{d}.nm"), words_sql(f"{r}.nm")

    def own(a: str, b: str) -> str:
        return f"array_to_string(list_filter({a}, lambda w: NOT list_contains({b}, w)), ' ')"

    return (
        f"CASE WHEN {d}.nm = {r}.nm OR {covers_sql(dt, rt)} OR {covers_sql(rt, dt)} "
        f"THEN 1.0::DOUBLE ELSE jaro_winkler_similarity({own(dt, rt)}, {own(rt, dt)}) END"
    )


OWN_WORDS_AGREE = "(own_sim >= 0.85)"
"""For a corrected NIK (tier 2): the words that differ between the names must be spelling
variants of each other, not other names (:func:`own_words_similarity_sql`)."""

CORRECTION_POSSIBLE = f"(year(d.tgl) = year(r.tgl) AND {sex_agrees_sql()})"
"""Implied by CORRECTION_AGREES (each birth-date level it accepts needs the same year): most
generated candidates (a family member, a one-digit neighbour) fail it and are not compared."""

IDENTITY_DIFFERS = "(dob IN ('year', 'diff') OR NOT sex_ok OR name_sim < 0.85)"
"""An accepted link whose birth date, sex or name differs beyond the usual variations."""
