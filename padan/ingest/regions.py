"""Region names and codes -> Kemendagri codes, resolved once per distinct combination.

The resolver (:func:`padan.reference.wilayah.resolver`) does the name matching; this module
only feeds it the distinct (kabupaten, kecamatan, kelurahan, KODE_WILAYAH) combinations of an
import and turns its answers into codes plus one warning per unknown or doubtful name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from padan.reference import wilayah


@dataclass
class RegionIssue:
    code: str  # WILAYAH_TIDAK_DIKENAL | WILAYAH_AMBIGU | WILAYAH_MIRIP | KODE_WILAYAH_TIDAK_DIKENAL
    level: str
    name: str
    within: str | None
    message: str
    rows: int = 0
    candidates: list[str] = field(default_factory=list)


def _code_like(value: str | None, level: str) -> str | None:
    """``73.71`` / ``7371`` as a code of ``level`` when it is one in the reference."""
    if value is None:
        return None
    v = wilayah.undotted(value)
    if re.fullmatch(r"\d+", v) and len(v) == wilayah.CODE_LENGTH[level] and wilayah.get(v):
        return v
    return None


class _FallbackResolver:
    """Exact (normalised) name matching, used only until the reference resolver exists."""

    def __init__(self) -> None:
        self.index: dict[tuple[str | None, str, str], list[str]] = {}
        for r in wilayah.regions().values():
            if r.level in ("kabupaten", "kecamatan", "desa"):
                self.index.setdefault((r.parent, r.level, _norm(r.name)), []).append(r.code)
                if r.level == "kabupaten":
                    self.index.setdefault((None, r.level, _norm(r.name)), []).append(r.code)

    def _find(self, level: str, name: str, within: str | None) -> Any:
        codes = self.index.get((within, level, _norm(name)), [])
        status = "ok" if len(codes) == 1 else ("ambiguous" if codes else "unknown")
        return _Res(name, codes[0] if len(codes) == 1 else None, status, codes, "")

    def kabupaten(self, name: str, within: str | None = None) -> Any:
        return self._find("kabupaten", name, within)

    def kecamatan(self, name: str, within: str | None = None) -> Any:
        return self._find("kecamatan", name, within)

    def desa(self, name: str, within: str | None = None) -> Any:
        return self._find("desa", name, within)


@dataclass
class _Res:
    query: str
    code: str | None
    status: str
    candidates: list[str]
    message: str


def _norm(name: str) -> str:
    s = re.sub(r"[^A-Z0-9 ]", " ", name.upper())
    s = re.sub(r"^(KABUPATEN|KAB|KOTA|KEC|KECAMATAN|KEL|KELURAHAN|DESA)\s+", "", s.strip())
    return re.sub(r"\s+", " ", s).strip()


def _resolver() -> Any:
    fn = getattr(wilayah, "resolver", None)
    return fn() if fn else _FallbackResolver()


LEVEL_LABEL = {"kabupaten": "Kabupaten/kota", "kecamatan": "Kecamatan", "desa": "Desa/kelurahan"}


def resolve_regions(
    combos: Iterable[tuple[str | None, str | None, str | None, str | None, int]],
) -> tuple[dict[tuple, tuple[str | None, str | None, str | None]], list[RegionIssue]]:
    """(kab, kec, desa, kode_wilayah, rows) -> codes per combination, and issues per name."""
    res = _resolver()
    cache: dict[tuple, Any] = {}
    issues: dict[tuple, RegionIssue] = {}
    out: dict[tuple, tuple[str | None, str | None, str | None]] = {}

    def look(level: str, name: str, within: str | None, rows: int) -> str | None:
        code = _code_like(name, level)
        if code and (within is None or code.startswith(within)):
            return code
        key = (level, name, within)
        if key not in cache:
            try:
                cache[key] = getattr(res, level)(name, within=within)
            except Exception as exc:  # a resolver bug must not lose the import
                cache[key] = _Res(name, None, "unknown", [], str(exc))
        r = cache[key]
        status = getattr(r, "status", "unknown")
        code = getattr(r, "code", None) if status in ("ok", "fuzzy") else None
        if status != "ok":
            where = f" di {_describe(within)}" if within else ""
            cands = [getattr(c, "code", str(c)) for c in (getattr(r, "candidates", None) or [])][:5]
            cand_txt = [_describe(c) for c in cands]
            if status == "fuzzy" and code:
                issue_code, msg = (
                    "WILAYAH_MIRIP",
                    f"{LEVEL_LABEL[level]} {name!r}{where} dibaca sebagai {_describe(code)}",
                )
            elif status == "ambiguous":
                issue_code, msg = (
                    "WILAYAH_AMBIGU",
                    f"{LEVEL_LABEL[level]} {name!r}{where} cocok dengan lebih dari satu wilayah"
                    + (f" ({', '.join(cand_txt)})" if cand_txt else ""),
                )
            else:
                issue_code, msg = (
                    "WILAYAH_TIDAK_DIKENAL",
                    f"{LEVEL_LABEL[level]} {name!r}{where} tidak dikenal"
                    + (f" (mungkin: {', '.join(cand_txt)})" if cand_txt else ""),
                )
            it = issues.setdefault(key, RegionIssue(issue_code, level, name, within, msg, 0, cands))
            it.rows += rows
        return code

    for kab, kec, desa, kw, rows in combos:
        codes: tuple[str | None, str | None, str | None] = (None, None, None)
        if kw:
            c = wilayah.undotted(kw)
            if re.fullmatch(r"\d{10}", c) and wilayah.get(c):
                codes = (c[:4], c[:6], c)
            else:
                key = ("kode", kw, None)
                it = issues.setdefault(
                    key,
                    RegionIssue(
                        "KODE_WILAYAH_TIDAK_DIKENAL",
                        "desa",
                        kw,
                        None,
                        f"KODE_WILAYAH {kw!r} bukan kode desa/kelurahan yang dikenal; nama wilayah dipakai",
                    ),
                )
                it.rows += rows
        if codes[2] is None and (kab or kec or desa):
            k1 = look("kabupaten", kab, None, rows) if kab else None
            k2 = look("kecamatan", kec, k1, rows) if kec and k1 else None
            k3 = look("desa", desa, k2, rows) if desa and k2 else None
            codes = (k1, k2, k3)
        out[(kab, kec, desa, kw)] = codes
    return out, list(issues.values())


def _describe(code: str) -> str:
    r = wilayah.get(code)
    return f"{r.name} ({code})" if r else code
