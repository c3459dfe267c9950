"""Kemendagri area codes for all of Indonesia, shipped in ``data/wilayah`` (ODbL 1.0,
idn-area-data 4.0.1; see ``data/wilayah/SOURCE.md`` and ``LICENSE.md``).

Codes are handled without dots: province ``73``, kabupaten/kota ``7371``, kecamatan
``737101``, desa/kelurahan ``7371011001``. A TPS is its desa code plus a 3-digit number.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

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


def _read(name: str) -> list[dict[str, str]]:
    base = resources.files("padan.reference").joinpath("data", "wilayah")
    if (base / name).is_file():
        text = (base / name).read_text(encoding="utf-8")
    else:
        text = gzip.decompress((base / f"{name}.gz").read_bytes()).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def regions() -> dict[str, Region]:
    """Every region of Indonesia by undotted code."""
    out: dict[str, Region] = {}
    for row in _read("provinces.csv"):
        out[undotted(row["code"])] = Region(undotted(row["code"]), row["name"], "provinsi", None)
    for fname, level, parent_col in (
        ("regencies.csv", "kabupaten", "province_code"),
        ("districts.csv", "kecamatan", "regency_code"),
        ("villages.csv", "desa", "district_code"),
    ):
        for row in _read(fname):
            code = undotted(row["code"])
            out[code] = Region(code, row["name"], level, undotted(row[parent_col]))
    return out


def get(code: str) -> Region | None:
    """The region with this code (dotted or not), or ``None``."""
    return regions().get(undotted(code))


@cache
def _children() -> dict[str | None, list[Region]]:
    kids: dict[str | None, list[Region]] = {}
    for r in regions().values():
        kids.setdefault(r.parent, []).append(r)
    return kids


def children(code: str | None) -> list[Region]:
    """Regions directly inside ``code`` (``None``: the provinces)."""
    return list(_children().get(None if code is None else undotted(code), []))
