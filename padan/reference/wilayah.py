"""Kemendagri area codes for all of Indonesia, shipped in ``data/wilayah`` (ODbL 1.0,
idn-area-data 4.0.1; see ``data/wilayah/SOURCE.md`` and ``LICENSE.md``).

Codes are handled without dots: province ``73``, kabupaten/kota ``7371``, kecamatan
``737101``, desa/kelurahan ``7371011001``. A TPS is its desa code plus a 3-digit number.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process

from padan.errors import PadanError

LEVELS = ("provinsi", "kabupaten", "kecamatan", "desa")
CODE_LENGTH = {"provinsi": 2, "kabupaten": 4, "kecamatan": 6, "desa": 10}


@dataclass(frozen=True, slots=True)
class Region:
    code: str  # without dots
    name: str  # as in the reference ("Kabupaten Gowa", "Kota Makassar", "Somba Opu")
    level: str  # one of LEVELS
    parent: str | None  # code of the enclosing region

    @property
    def dotted(self) -> str:
        return dotted(self.code)


def undotted(code: str) -> str:
    """``73.71.01.1001`` -> ``7371011001``."""
    return code.replace(".", "").strip()


def dotted(code: str) -> str:
    """``7371011001`` -> ``73.71.01.1001``."""
    parts = [code[:2], code[2:4], code[4:6], code[6:]]
    return ".".join(p for p in parts if p)


def level_of(code: str) -> str | None:
    for level, n in CODE_LENGTH.items():
        if len(code) == n:
            return level
    return None


def tps_key(kode_desa: str, tps: int | str) -> str:
    """The Sirekap TPS key: desa code + 3-digit TPS number (``7371011001`` + ``001``)."""
    return f"{kode_desa}{int(tps):03d}"


def _read(name: str) -> list[list[str]]:
    """The rows of one reference file, its header first."""
    base = resources.files("padan.reference").joinpath("data", "wilayah")
    if (base / name).is_file():
        text = (base / name).read_text(encoding="utf-8")
    else:
        text = gzip.decompress((base / f"{name}.gz").read_bytes()).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


_FILES = {  # level -> reference file and the column that names the parent
    "provinsi": ("provinces.csv", None),
    "kabupaten": ("regencies.csv", "province_code"),
    "kecamatan": ("districts.csv", "regency_code"),
    "desa": ("villages.csv", "district_code"),
}


@cache
def _level(level: str) -> dict[str, Region]:
    """The regions of one level by undotted code. Read per level: a lookup of a province or
    kabupaten (an election profile's regions) reads 550 rows, not the 84 k villages."""
    # csv.reader with column positions (not DictReader) and undotted() inlined: this runs
    # over ~84k rows for the villages.
    fname, parent_col = _FILES[level]
    header, *rows = _read(fname)
    ci, ni = header.index("code"), header.index("name")
    pi = header.index(parent_col) if parent_col else None
    out: dict[str, Region] = {}
    for row in rows:
        code = row[ci].replace(".", "").strip()
        parent = row[pi].replace(".", "").strip() if pi is not None else None
        out[code] = Region(code, row[ni], level, parent)
    return out


@cache
def regions() -> dict[str, Region]:
    """Every region of Indonesia by undotted code."""
    out: dict[str, Region] = {}
    for level in LEVELS:
        out.update(_level(level))
    return out


def get(code: str) -> Region | None:
    """The region with this code (dotted or not), or ``None``."""
    c = undotted(code)
    level = level_of(c)
    return _level(level).get(c) if level else None


@cache
def _children() -> dict[str | None, list[Region]]:
    kids: dict[str | None, list[Region]] = {}
    for r in regions().values():
        kids.setdefault(r.parent, []).append(r)
    return kids


def children(code: str | None) -> list[Region]:
    """Regions directly inside ``code`` (``None``: the provinces)."""
    return list(_children().get(None if code is None else undotted(code), []))


# -- names -> codes -----------------------------------------------------------------------
#
# People type area names in many ways ("KAB. GOWA", "Kabupaten Gowa", "GOWA", "TATOR",
# "Pa Bentengan" for "Pa'bentengan"). The resolver turns them into codes, but never guesses:
# a name that fits two regions is "ambiguous", a typo is accepted only when one candidate is
# clearly the best ("fuzzy", and the Resolution says so), anything else is "unknown".

LEVEL_LABEL = {
    "provinsi": "provinsi",
    "kabupaten": "kabupaten/kota",
    "kecamatan": "kecamatan",
    "desa": "desa/kelurahan",
}

# Prefix words that name the level, stripped from the front of a name (after punctuation is
# gone, so "KAB." is "KAB"). Longest first so that "KOTA ADMINISTRASI" wins over "KOTA".
_PREFIXES: dict[str, tuple[tuple[str, str | None], ...]] = {
    # (prefix, kind): kind is "kota"/"kabupaten" for kabupaten-level names, else None
    "provinsi": (("PROVINSI", None), ("PROPINSI", None), ("PROV", None), ("PROP", None)),
    "kabupaten": (
        ("KABUPATEN ADMINISTRASI", "kabupaten"),
        ("KOTA ADMINISTRASI", "kota"),
        ("KOTA ADM", "kota"),
        ("KAB ADM", "kabupaten"),
        ("KABUPATEN", "kabupaten"),
        ("KOTAMADYA", "kota"),
        ("KODYA", "kota"),
        ("KOTA", "kota"),
        ("KAB", "kabupaten"),
        ("KOT", "kota"),
    ),
    "kecamatan": (("KECAMATAN", None), ("KEC", None)),
    "desa": (
        ("KELURAHAN", None),
        ("DESA", None),
        ("KEL", None),
        ("DS", None),
        ("KAMPUNG", None),
        ("NAGARI", None),
        ("GAMPONG", None),
    ),
}

# Abbreviations expanded inside names.
_ABBREVIATIONS = {"KEP": "KEPULAUAN", "KEPL": "KEPULAUAN", "KEPUL": "KEPULAUAN"}

# Names everybody uses that are not the official name (mostly Sulawesi Selatan), by level.
ALIASES: dict[str, dict[str, str]] = {
    "provinsi": {
        "SULSEL": "73",
        "SULBAR": "76",
        "SULTRA": "74",
        "SULTENG": "72",
        "SULUT": "71",
        "DKI": "31",
        "DKI JAKARTA": "31",
        "JAKARTA": "31",
        "DIY": "34",
        "JOGJA": "34",
        "YOGYAKARTA": "34",
    },
    "kabupaten": {
        "SELAYAR": "7301",
        "PANGKEP": "7310",
        "PANGKAJENE": "7310",
        "PANGKAJENE KEPULAUAN": "7310",
        "TATOR": "7318",
        "TORUT": "7326",
        "LUTIM": "7324",
        "LUTRA": "7322",
        "SIDRAP": "7314",
        "SIDENRENG RAPANG": "7314",
        "UJUNG PANDANG": "7371",
        "UJUNGPANDANG": "7371",
        "PARE": "7372",
    },
    "kecamatan": {},
    "desa": {},
}

_APOSTROPHES = "'’‘`´ʼ"
_DROP_APOSTROPHES = str.maketrans("", "", _APOSTROPHES)
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_CODE_INPUT = re.compile(r"^\s*[0-9]+(?:[.\s][0-9]+)*\s*$")

FUZZY_MIN_SCORE = 85.0  # rapidfuzz ratio (0-100) a typo must reach to be accepted
SUGGEST_MIN_SCORE = 60.0  # shown as "did you mean" for unknown names
FUZZY_MIN_LENGTH = 4  # shorter names are never fuzzy-matched


def _clean(name: str) -> str:
    """Upper case ASCII letters and digits, apostrophes dropped, other punctuation -> space."""
    s = str(name)
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = _NON_ALNUM.sub(" ", s.translate(_DROP_APOSTROPHES).upper()).strip()
    if "KEP" in s:
        s = " ".join(_ABBREVIATIONS.get(t, t) for t in s.split())
    return s


def _strip_prefix(key: str, level: str | None) -> tuple[str, str | None]:
    """Remove one leading level word; return the rest and the kind it implies (kota/kab)."""
    levels = LEVELS if level is None else (level,)
    for lv in levels:
        for prefix, kind in _PREFIXES[lv]:
            if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
                return key[len(prefix) + 1 :], kind
    return key, None


def normalize_region_name(name: str, level: str | None = None) -> str:
    """The key used for lookup: upper case, no level prefix (KAB./KOTA/KEC./DESA/KEL.), no
    punctuation, apostrophes dropped (``Pa'bentengan`` -> ``PABENTENGAN``), single spaces.

    ``level`` limits the prefixes stripped to that level's words, so that a kecamatan really
    called "Kota Baru" keeps its name when resolved as a kecamatan.
    """
    return _strip_prefix(_clean(name), level)[0]


def _compact(key: str) -> str:
    return key.replace(" ", "")


def _kind(region: Region) -> str | None:
    if region.level != "kabupaten":
        return None
    return "kota" if region.name.upper().startswith("KOTA") else "kabupaten"


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one typed name (or code) to a region code."""

    query: str
    code: str | None  # undotted code when status is "ok" or "fuzzy"
    status: str  # "ok" | "fuzzy" | "ambiguous" | "unknown"
    candidates: tuple[Region, ...]  # the regions considered (the match first when ok/fuzzy)
    message: str  # Bahasa Indonesia

    @property
    def resolved(self) -> bool:
        return self.status in ("ok", "fuzzy")

    @property
    def region(self) -> Region | None:
        return get(self.code) if self.code else None


def _place(region: Region) -> str:
    return f"Kec. {region.name}" if region.level == "kecamatan" else region.name


def describe(region: Region) -> str:
    """``730601 Bontonompo (Kabupaten Gowa)``: code, name and enclosing kabupaten/kecamatan."""
    out = f"{region.code} {region.name}"
    parents = []
    p = get(region.parent) if region.parent else None
    while p is not None and p.level in ("kecamatan", "kabupaten"):
        parents.append(p.name if p.level == "kabupaten" else f"Kec. {p.name}")
        p = get(p.parent) if p.parent else None
    return f"{out} ({', '.join(parents)})" if parents else out


class _LevelIndex:
    """Lookup tables over some regions of one level: all of them, or those inside a scope."""

    def __init__(self, level: str, members: list[Region]):
        self.level = level
        self.regions = members
        self.raw: dict[str, list[Region]] = {}
        self.stripped: dict[str, list[Region]] = {}
        self.raw_compact: dict[str, list[Region]] = {}
        self.stripped_compact: dict[str, list[Region]] = {}
        self.fuzzy_keys: list[str] = []
        for r in members:
            raw = _clean(r.name)
            stripped = _strip_prefix(raw, level)[0]
            self.raw.setdefault(raw, []).append(r)
            self.stripped.setdefault(stripped, []).append(r)
            self.raw_compact.setdefault(_compact(raw), []).append(r)
            self.stripped_compact.setdefault(_compact(stripped), []).append(r)
            self.fuzzy_keys.append(_compact(stripped))


def _inside(scope: str, level: str) -> list[Region]:
    """The regions of ``level`` inside ``scope``, found by walking down the tree from it."""
    frontier, found = [scope], []
    while frontier:
        kids = [k for c in frontier for k in _children().get(c, [])]
        found.extend(k for k in kids if k.level == level)
        frontier = [k.code for k in kids if k.level != level]
    return found


class Resolver:
    """Names (or codes) as people type them -> area codes. Get one with :func:`resolver`."""

    def __init__(self) -> None:
        # (level, scope) -> index; scope None is the whole level. Scoped indexes are small
        # (a kecamatan's desa), so resolving "desa X within kecamatan Y" never pays for
        # indexing all ~84k desa of Indonesia.
        self._indexes: dict[tuple[str, str | None], _LevelIndex] = {}
        self._lock = threading.Lock()  # the web server resolves from several threads

    def _index(self, level: str, scope: str | None = None) -> _LevelIndex:
        key = (level, scope)
        if key not in self._indexes:
            with self._lock:
                if key not in self._indexes:
                    if scope is None:
                        members = [r for r in regions().values() if r.level == level]
                    else:
                        members = _inside(scope, level)
                    self._indexes[key] = _LevelIndex(level, members)
        return self._indexes[key]

    # -- public API ---------------------------------------------------------------------
    def provinsi(self, name: str) -> Resolution:
        return self.resolve(name, "provinsi")

    def kabupaten(self, name: str, within: str | None = None) -> Resolution:
        """A kabupaten/kota; ``within``: a province code."""
        return self.resolve(name, "kabupaten", within)

    def kecamatan(self, name: str, within: str | None = None) -> Resolution:
        """A kecamatan; ``within``: a kabupaten/kota code (or the province)."""
        return self.resolve(name, "kecamatan", within)

    def desa(self, name: str, within: str | None = None) -> Resolution:
        """A desa/kelurahan; ``within``: a kecamatan code (or a kabupaten/province)."""
        return self.resolve(name, "desa", within)

    def resolve(self, name: str, level: str, within: str | None = None) -> Resolution:
        """Resolve ``name`` at ``level`` (one of LEVELS), optionally inside ``within``."""
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}")
        label = LEVEL_LABEL[level]
        query = "" if name is None else str(name)
        scope = self._check_within(within, level)
        where = f" di {_place(get(scope))}" if scope else ""  # type: ignore[arg-type]

        if not query.strip():
            return Resolution(query, None, "unknown", (), f"Nama {label} kosong.")
        if _CODE_INPUT.match(query):
            return self._by_code(query, level, scope)

        idx = self._index(level, scope)
        raw = _clean(query)
        stripped, kind = _strip_prefix(raw, level)

        def pick(found: list[Region] | None) -> list[Region]:
            out = [r for r in (found or []) if scope is None or r.code.startswith(scope)]
            if kind:
                typed = [r for r in out if _kind(r) == kind]
                return typed or out  # "KOTA GOWA": fall back to the kabupaten (see below)
            return out

        steps: list[tuple[str, list[Region]]] = [
            ("exact", pick(idx.raw.get(raw))),
            ("exact", pick(idx.stripped.get(stripped))),
        ]
        alias = ALIASES[level].get(stripped) or ALIASES[level].get(raw)
        steps.append(("alias", pick([get(alias)] if alias and get(alias) else None)))
        steps.append(("exact", pick(idx.raw_compact.get(_compact(raw)))))
        steps.append(("exact", pick(idx.stripped_compact.get(_compact(stripped)))))
        for how, found in steps:
            if not found:
                continue
            if len(found) > 1:
                return self._ambiguous(query, label, found, where)
            r = found[0]
            if kind and _kind(r) != kind:
                return Resolution(
                    query,
                    r.code,
                    "fuzzy",
                    (r,),
                    f'"{query}": tidak ada {kind} dengan nama itu{where}; yang ada '
                    f"{describe(r)}. Periksa apakah maksudnya {r.name}.",
                )
            if how == "alias":
                msg = f'"{query}" adalah sebutan umum untuk {describe(r)}.'
            else:
                msg = f'"{query}" = {describe(r)}.'
            return Resolution(query, r.code, "ok", (r,), msg)
        return self._fuzzy(query, level, _compact(stripped), kind, scope, where)

    # -- helpers ------------------------------------------------------------------------
    def _check_within(self, within: str | None, level: str) -> str | None:
        if within is None or not str(within).strip():
            return None
        code = undotted(str(within)).replace(" ", "")
        parent = get(code)
        if parent is None or CODE_LENGTH[parent.level] >= CODE_LENGTH[level]:
            raise PadanError(
                "WILAYAH_INDUK_TIDAK_DIKENAL",
                f"Kode wilayah induk {within!r} tidak dikenal atau bukan wilayah di atas "
                f"{LEVEL_LABEL[level]}.",
                hint="Pakai kode provinsi/kabupaten/kecamatan, misalnya 73 atau 7306.",
            )
        return code

    def _by_code(self, query: str, level: str, scope: str | None) -> Resolution:
        label = LEVEL_LABEL[level]
        code = re.sub(r"[.\s]", "", query)
        want = CODE_LENGTH[level]
        parent_len = CODE_LENGTH[LEVELS[LEVELS.index(level) - 1]] if level != "provinsi" else 0
        if scope and len(scope) == parent_len and len(code) <= want - parent_len:
            # only the last part ("01" for a kecamatan inside 7371, NO_KEC style): complete it
            code = scope + code.zfill(want - parent_len)
        if len(code) != want:
            other = level_of(code)
            what = f"kode {LEVEL_LABEL[other]}" if other else f"{len(code)} angka"
            return Resolution(
                query,
                None,
                "unknown",
                (),
                f'"{query}" adalah {what}, bukan kode {label} ({want} angka).',
            )
        r = get(code)
        if r is None or r.level != level:
            return Resolution(query, None, "unknown", (), f"Kode {label} {code} tidak dikenal.")
        if scope and not code.startswith(scope):
            return Resolution(
                query,
                None,
                "unknown",
                (r,),
                f"Kode {label} {code} ({r.name}) tidak berada di {_place(get(scope))}.",  # type: ignore[arg-type]
            )
        return Resolution(query, code, "ok", (r,), f'"{query}" = {describe(r)}.')

    @staticmethod
    def _ambiguous(query: str, label: str, found: list[Region], where: str) -> Resolution:
        found = sorted(set(found), key=lambda r: r.code)
        listing = ", ".join(describe(r) for r in found[:8])
        more = f", dan {len(found) - 8} lainnya" if len(found) > 8 else ""
        hint = {
            "kabupaten/kota": "Tulis KAB. atau KOTA di depan nama",
            "kecamatan": "Sebutkan kabupaten/kotanya",
            "desa/kelurahan": "Sebutkan kecamatannya",
            "provinsi": "Tulis nama lengkapnya",
        }[label]
        same_name = len({_compact(normalize_region_name(r.name, r.level)) for r in found}) == 1
        if where or (label == "kabupaten/kota" and not same_name):
            hint = "Tulis nama lengkapnya atau pakai kode wilayah"
        return Resolution(
            query,
            None,
            "ambiguous",
            tuple(found),
            f'Nama {label} "{query}" ambigu{where}: {listing}{more}. {hint}.',
        )

    def _fuzzy(
        self,
        query: str,
        level: str,
        key: str,
        kind: str | None,
        scope: str | None,
        where: str,
    ) -> Resolution:
        label = LEVEL_LABEL[level]
        idx = self._index(level, scope)
        keys, regs = idx.fuzzy_keys, idx.regions
        scored = process.extract(
            key, keys, scorer=fuzz.ratio, score_cutoff=SUGGEST_MIN_SCORE, limit=12
        )
        hits = [(regs[i], score) for _, score, i in scored]
        if kind:
            hits = [(r, s) for r, s in hits if _kind(r) == kind] or hits
        good = [(r, s) for r, s in hits if s >= FUZZY_MIN_SCORE]
        # A shortened name ("BONTO", "LUWU") that starts several names is ambiguous, never a
        # typo of the one that happens to be closest.
        prefixed = (
            [r for k, r in zip(keys, regs, strict=True) if k.startswith(key) and k != key]
            if len(key) >= 3
            else []
        )
        if kind:
            prefixed = [r for r in prefixed if _kind(r) == kind] or prefixed
        if len(prefixed) >= 2 or (prefixed and good and prefixed[0] != good[0][0]):
            found = {r.code: r for r in [*prefixed, *(r for r, _ in good)]}
            return self._ambiguous(query, label, list(found.values()), where)
        if len(key) >= FUZZY_MIN_LENGTH and len(good) == 1:
            r, s = good[0]
            return Resolution(
                query,
                r.code,
                "fuzzy",
                tuple(h for h, _ in hits[:5]),
                f'Nama {label} "{query}" tidak persis ada{where}; dianggap {describe(r)} '
                f"(kemiripan {s:.0f}%). Periksa ejaannya.",
            )
        if len(key) >= FUZZY_MIN_LENGTH and len(good) > 1:
            return self._ambiguous(query, label, [r for r, _ in good], where)
        suggestions = tuple(r for r, _ in hits[:5])
        msg = f'Nama {label} "{query}" tidak dikenal{where}.'
        if scope:
            # Elsewhere in the same province (a scope inside one), else anywhere: indexing
            # every desa of Indonesia costs ~2 s, paid by an import for one misspelt desa.
            wider = scope[:2] if len(scope) > 2 else None
            elsewhere = self._index(level, wider).stripped_compact.get(key, [])
            if elsewhere:
                listing = ", ".join(describe(r) for r in elsewhere[:3])
                msg += f" Nama itu ada di wilayah lain: {listing}."
        if suggestions:
            msg += " Mungkin maksudnya: " + ", ".join(describe(r) for r in suggestions) + "."
        return Resolution(query, None, "unknown", suggestions, msg)


@cache
def resolver() -> Resolver:
    """The shared :class:`Resolver` (indexes are built on first use of each level)."""
    return Resolver()
