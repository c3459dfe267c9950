"""Names padan has never seen: a synthetic folder with its name words enciphered.

padan is scored on lists it has not seen, with other names. The generator draws Bugis,
Makassar and Muslim names, the ones the name normaliser's tables know. :func:`cipher_names`
copies a ``padan synth`` folder with every name word outside those tables put through one
fixed letter permutation (vowels to vowels, consonants to consonants), the same in the DPT
and the register. A word keeps its length, its frequency and its typos: a one-letter slip
stays one letter, and two enciphered words score the same Jaro-Winkler and Levenshtein
similarity as before. Titles, honorifics, degrees and the abbreviations the normaliser
expands (H., Andi, Dg., Muh., Abd.) are kept, so these rules still apply. What is lost is
every spelling fold (``OE``/``U``, ``DJ``/``J``): folded pairs become pairs the normaliser
does not know, so the test is harder than real data. The answer key (ground_truth.csv) does
not change.
"""

from __future__ import annotations

import csv
import random
import re
import shutil
from pathlib import Path

from padan.identity import names as N

NAME_COLUMNS = {"dpt.csv": "NAMA", "registry.csv": "NAMA_LGKP"}
COPIED = ("ground_truth.csv", "manifest.json")
_WORD = re.compile(r"[A-Za-z]+")
_VOWELS = "AEIOU"
_CONSONANTS = "BCDFGHJKLMNPQRSTVWXYZ"


def known_words() -> frozenset[str]:
    """The words the normaliser's tables name (upper case)."""
    words: set[str] = set()

    def walk(x: object) -> None:
        if isinstance(x, str):
            words.update(w.upper() for w in _WORD.findall(x))
        elif isinstance(x, dict):
            for k, v in x.items():
                walk(k)
                walk(v)
        elif isinstance(x, (tuple, list, set, frozenset)):
            for v in x:
                walk(v)

    for table in (N.TITLES, N.TITLE_WORDS, N.DEGREES, N.DEGREE_WORDS, N.SHORT_DEGREES,
                  N.EXPANSIONS, N.WORD_MAP):  # fmt: skip
        walk(table)
    return frozenset(words)


def letter_permutation(seed: int) -> dict[str, str]:
    """A permutation of A-Z that maps vowels to vowels and consonants to consonants (names
    stay pronounceable and keep their shape)."""
    rng = random.Random(seed)
    v, c = list(_VOWELS), list(_CONSONANTS)
    rng.shuffle(v)
    rng.shuffle(c)
    return dict(zip(_VOWELS + _CONSONANTS, v + c, strict=True))


def encipher(name: str, perm: dict[str, str], keep: frozenset[str]) -> str:
    """``name`` with each word of three letters or more that is not in ``keep`` permuted,
    letter case kept (so "Hj. Siti Rahma" keeps "Hj." and "Siti" and changes "Rahma")."""

    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        if len(w) < 3 or w.upper() in keep:
            return w
        return "".join(perm[ch.upper()] if ch.isupper() else perm[ch.upper()].lower() for ch in w)

    return _WORD.sub(word, name)


def cipher_names(src: Path, dst: Path, seed: int = 1) -> int:
    """Copy the synthetic folder ``src`` to ``dst`` with enciphered names; returns the number
    of name cells changed. Other columns, the row order and the answer key are unchanged."""
    perm, keep = letter_permutation(seed), known_words()
    dst.mkdir(parents=True, exist_ok=True)
    changed = 0
    for fname, column in NAME_COLUMNS.items():
        with (
            (src / fname).open(newline="", encoding="utf-8") as fin,
            (dst / fname).open("w", newline="", encoding="utf-8") as fout,
        ):
            reader, writer = csv.reader(fin), csv.writer(fout, lineterminator="\n")
            header = next(reader)
            writer.writerow(header)
            j = header.index(column)
            for row in reader:
                if len(row) > j:
                    new = encipher(row[j], perm, keep)
                    changed += new != row[j]
                    row[j] = new
                writer.writerow(row)
    for fname in COPIED:
        if (src / fname).exists():
            shutil.copy(src / fname, dst / fname)
    return changed
