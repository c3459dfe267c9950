"""Spelling variants of names, birth places and area names as they appear in real lists.

These work on one string at a time and are applied only to the rows the error model picks
(a tenth of the DPT at most), so a plain Python loop over those rows stays fast.
"""

from __future__ import annotations

import re

import numpy as np

from padan.synth import names as _names

_ABBREV = [
    (r"\bMUHAMMAD\b", ["MUH.", "MOH.", "M.", "MUHAMAD", "MOHAMMAD", "MUHAMMAD"]),
    (r"\bMUH\.", ["MUHAMMAD", "MUH", "M."]),
    (r"\bABDUL\b", ["ABD.", "ABD", "A."]),
    (r"\bANDI\b", ["A.", "ANDI."]),
    (r"\bDAENG\b", ["DG.", "DG"]),
    (r"\bSITI\b", ["ST.", "SITTI"]),
    (r"\bSITTI\b", ["ST.", "SITI"]),
    (r"\bST\.", ["SITI", "SITTI", "ST"]),
    (r"\bNUR\b", ["NURUL", "NOER"]),
    (r"\bAHMAD\b", ["ACHMAD", "AHMAD", "A."]),
]
_ABBREV_RE = [(re.compile(p), r) for p, r in _ABBREV]
_OLD_SPELLING = [("U", "OE"), ("J", "DJ"), ("C", "TJ"), ("Y", "J"), ("KH", "CH")]
_LETTERS = "AEIOUNRSTLMKHGDBY"


def name_variant(name: str, kind: str, rng: np.random.Generator, female: bool, age: int) -> str:
    """A variant of ``name`` of the given kind; a typo when that kind does not apply."""
    out = _apply(name, kind, rng, female, age)
    if out is None or out == name:
        # that kind does not apply to this name: try the others (in a random order)
        others = [k for k in _KINDS if k != kind]
        for j in rng.permutation(len(others)):
            out = _apply(name, others[j], rng, female, age)
            if out is not None and out != name:
                return out
        out = typo(name, rng)
    return out


_KINDS = ("SINGKATAN", "GELAR", "EJAAN_LAMA", "SPASI", "KATA_HILANG")


def _apply(name: str, kind: str, rng: np.random.Generator, female: bool, age: int) -> str | None:
    if kind == "SINGKATAN":
        options = [(p, r) for p, r in _ABBREV_RE if p.search(name)]
        if not options:
            return None
        pat, repl = options[int(rng.integers(len(options)))]
        choice = repl[int(rng.integers(len(repl)))]
        return pat.sub(choice, name, count=1).strip()
    if kind == "GELAR":
        if "," in name:  # the register carries an academic title: the DPT drops it
            return name.split(",")[0].strip()
        if re.match(r"^(DRS?\.|H\.|HJ\.|IR\.)", name):
            return name.split(" ", 1)[1] if " " in name else None
        u = rng.random()
        if age >= 35 and u < 0.6:
            return ("HJ. " if female else "H. ") + name
        if age >= 45 and u < 0.75 and not female:
            return "DRS. " + name
        title = [", S.PD", ", S.E", ", S.H", ", S.SOS", ", S.KEP", ", S.AG"][int(rng.integers(6))]
        return name + title if age >= 23 else None
    if kind == "EJAAN_LAMA":
        options = [(a, b) for a, b in _OLD_SPELLING if a in name]
        if not options:
            return None
        a, b = options[int(rng.integers(len(options)))]
        return name.replace(a, b, 1)
    if kind == "SPASI":
        words = name.split(" ")
        if len(words) >= 2 and rng.random() < 0.6:
            i = int(rng.integers(len(words) - 1))
            if words[i] in ("H.", "HJ.", "A.", "DG.") or words[i].endswith(","):
                return None
            return " ".join(words[:i] + [words[i] + words[i + 1]] + words[i + 2 :])
        for prefix in ("NUR", "ABDUL", "SRI", "SITI"):
            for j, w in enumerate(words):
                rest = w[len(prefix) :]
                if w.startswith(prefix) and len(rest) >= 4 and rest[:2] not in ("UL", "IA"):
                    words[j] = prefix + " " + w[len(prefix) :]
                    return " ".join(words)
        return None
    if kind == "KATA_HILANG":
        core, comma, title = name.partition(",")  # keep an academic title out of it
        words = core.strip().split(" ")
        if len(words) < 2:
            return None
        if "DAENG" in words and words.index("DAENG") > 0:
            kept = words[: words.index("DAENG")]
        else:
            drop = int(rng.integers(len(words)))
            kept = words[:drop] + words[drop + 1 :]
        return " ".join(kept) + (comma + title if comma else "")
    return None


def typo(s: str, rng: np.random.Generator) -> str:
    """One keyboard slip: a letter replaced, doubled, dropped, or two neighbours swapped."""
    idx = [i for i, c in enumerate(s) if c.isalpha()]
    if len(idx) < 3:
        return s + s[-1] if s else s
    i = idx[int(rng.integers(1, len(idx)))]
    kind = int(rng.integers(4))
    if kind == 0:
        c = _LETTERS[int(rng.integers(len(_LETTERS)))]
        if c == s[i]:
            c = "A" if s[i] != "A" else "E"
        return s[:i] + c + s[i + 1 :]
    if kind == 1:
        return s[:i] + s[i] + s[i:]
    if kind == 2:
        out = s[:i] + s[i + 1 :]
        return out if out.strip() else s + "A"
    j = i - 1
    if s[j] == s[i] or not s[j].isalpha():
        return s[:i] + s[i] + s[i:]
    return s[:j] + s[i] + s[j] + s[i + 1 :]


_PLACE_SYNONYMS = {
    "UJUNG PANDANG": ["U. PANDANG", "UJ. PANDANG", "UJUNGPANDANG", "MAKASSAR", "UJUNG PANDAN"],
    "MAKASSAR": ["MAKASAR", "UJUNG PANDANG", "MKS", "KOTA MAKASSAR", "U. PANDANG"],
    "SUNGGUMINASA": ["GOWA", "SUNGGU MINASA", "SUNGGUMINASA GOWA"],
    "GOWA": ["SUNGGUMINASA", "KAB. GOWA"],
    "PANGKEP": ["PANGKAJENE", "PANGKAJENE KEPULAUAN"],
    "PANGKAJENE": ["PANGKEP"],
    "TANA TORAJA": ["TATOR", "MAKALE", "TANATORAJA", "TORAJA"],
    "MAKALE": ["TANA TORAJA", "TATOR"],
    "RANTEPAO": ["TORAJA UTARA", "TANA TORAJA", "RANTE PAO"],
    "TORAJA UTARA": ["RANTEPAO", "TANA TORAJA", "TORUT"],
    "SOPPENG": ["WATANSOPPENG", "WATAN SOPPENG"],
    "WATANSOPPENG": ["SOPPENG"],
    "SELAYAR": ["BENTENG", "KEPULAUAN SELAYAR", "SALAYAR"],
    "BENTENG": ["SELAYAR"],
    "LUWU UTARA": ["MASAMBA", "LUWU", "LUTRA"],
    "MASAMBA": ["LUWU UTARA", "LUWU"],
    "LUWU TIMUR": ["MALILI", "LUWU", "LUTIM"],
    "MALILI": ["LUWU TIMUR", "LUWU"],
    "SOROWAKO": ["SOROAKO", "LUWU TIMUR"],
    "PAREPARE": ["PARE-PARE", "PARE PARE"],
    "PARE-PARE": ["PAREPARE"],
    "BONE": ["WATAMPONE", "KAB. BONE"],
    "WAJO": ["SENGKANG"],
    "SENGKANG": ["WAJO"],
    "MAROS": ["KAB. MAROS", "MAROS BARU"],
}


def place_variant(place: str, rng: np.random.Generator) -> str:
    """Another way of writing the same birth place."""
    options = _PLACE_SYNONYMS.get(place)
    u = rng.random()
    if options and u < 0.75:
        return options[int(rng.integers(len(options)))]
    if u < 0.85 and place in _KABUPATEN_PLACES:
        return "KAB. " + place
    if u < 0.85 and place in _KOTA_PLACES:
        return "KOTA " + place
    return typo(place, rng)


_KABUPATEN_PLACES = {
    "GOWA",
    "MAROS",
    "BONE",
    "LUWU",
    "TAKALAR",
    "BULUKUMBA",
    "PINRANG",
    "SOPPENG",
    "BARRU",
    "JENEPONTO",
    "BANTAENG",
    "SINJAI",
    "WAJO",
    "ENREKANG",
    "SELAYAR",
    "PANGKEP",
    "SIDRAP",
}
_KOTA_PLACES = {"MAKASSAR", "PAREPARE", "PALOPO"}


def area_variant(name: str, rng: np.random.Generator) -> str:
    """A desa/kelurahan name as Sidalih operators sometimes typed it."""
    opts = []
    if "-" in name:
        opts.append(name.replace("-", " "))
    if "'" in name:
        opts.append(name.replace("'", ""))
    if " " in name:
        opts.append(name.replace(" ", "", 1))
    else:
        opts.append(typo(name, rng))
    opts.append(name.replace("  ", " ") + " ")
    return opts[int(rng.integers(len(opts)))].strip() or name


def other_name(name: str, rng: np.random.Generator, female: bool, group: int) -> str:
    """Another name the person goes by: the daeng name alone, a different second name, or
    a nickname; shares at most one word with ``name``."""
    words = [w for w in name.split(" ") if w and w != "ANDI" and not w.endswith(",")]
    if "DAENG" in words and words.index("DAENG") < len(words) - 1:
        dn = words[words.index("DAENG") + 1]
        return ("DAENG " if rng.random() < 0.6 else "DG. ") + dn
    if group == _names.TORAJA:
        table = _names.TORAJA_CHRISTIAN_F if female else _names.TORAJA_CHRISTIAN_M
    elif group == _names.JAWA:
        table = _names.JAWA_F if female else _names.JAWA_M
    else:
        table = _names.FEMALE_SECOND if female else _names.MALE_SECOND
    toks, p = table
    for _ in range(10):
        new = toks[int(rng.choice(len(toks), p=p))]
        if new not in words:
            break
    u = rng.random()
    if len(words) >= 2 and u < 0.5:
        return f"{words[0]} {new}"  # same first name, another second name
    if len(words) >= 2 and u < 0.75:
        return f"{new} {words[-1]}"
    return new  # a nickname / the name used at home
