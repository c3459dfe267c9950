"""Column resolution: which input column holds which canonical field.

The contract (CONTRACT.md) names the columns; users' files spell them in many ways. Names are
compared after :func:`norm_name` (case-insensitive; spaces, dots, slashes, underscores and
hyphens count as the same), against the contract's name and its usual synonyms. An explicit
mapping (``--kolom NIK=NO_INDUK`` or a ``--peta-kolom`` file) wins over the synonyms.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from padan.errors import PadanError


@dataclass(frozen=True)
class Field:
    key: str  # canonical key used in code (lower case)
    label: str  # the contract's column name, shown to users
    synonyms: tuple[str, ...]
    required: bool = False


def norm_name(name: object) -> str:
    """``Tanggal Lahir`` / ``TANGGAL_LAHIR`` / ``tanggal.lahir`` -> ``TANGGAL_LAHIR``."""
    s = "" if name is None else str(name)
    s = s.replace("\ufeff", "").strip().strip('"').strip()
    return re.sub(r"[\s./_\-]+", "_", s.upper()).strip("_")


_NOTE = re.compile(r"[(\[][^)\]]*[)\]]")


def _field_of(known: dict[str, str], name: object) -> str | None:
    """The field a column name says, by :func:`norm_name`, else without a note in brackets:
    templates write ``Tanggal Lahir (DD-MM-YYYY)``, ``Jenis Kelamin (L/P)``, ``Nomor Induk
    Kependudukan (NIK)``, and a name that is only a note, ``(NIK)``, is what it says. (Only
    for finding fields: columns are told apart by their whole names, so ``CATATAN (PPS)``
    and ``CATATAN (KPU)`` stay two columns.)"""
    if (key := known.get(norm_name(name))) or name is None:
        return key
    s = str(name)
    bare = _NOTE.sub(" ", s)
    return known.get(norm_name(bare if bare.strip() else re.sub(r"[()\[\]]", " ", s)))


DPT_FIELDS: tuple[Field, ...] = (
    Field(
        "kabupaten",
        "KABUPATEN",
        ("KAB_KOTA", "KABUPATEN_KOTA", "KAB", "KOTA", "KABKOTA", "NAMA_KAB", "NAMA_KABUPATEN"),
    ),
    Field("kecamatan", "KECAMATAN", ("KEC", "NAMA_KEC", "NAMA_KECAMATAN")),
    Field(
        "kelurahan",
        "KELURAHAN",
        (
            "DESA",
            "DESA_KELURAHAN",
            "KELURAHAN_DESA",
            "KEL",
            "KEL_DESA",
            "DESA_KEL",
            "NAMA_KEL",
            "NAMA_DESA",
            "NAMA_KELURAHAN",
        ),
    ),
    Field(
        "kode_wilayah", "KODE_WILAYAH", ("KODE_DESA", "KODE_KELURAHAN", "KODE_WIL", "KD_WILAYAH")
    ),
    Field("tps", "TPS", ("NO_TPS", "NOMOR_TPS", "KODE_TPS"), required=True),
    Field("no", "NO", ("NOMOR", "NO_URUT", "NOMOR_URUT")),
    Field("nkk", "NKK", ("NO_KK", "NOMOR_KK", "NOMOR_KARTU_KELUARGA")),
    Field("nik", "NIK", ("NO_NIK", "NOMOR_NIK", "NOMOR_INDUK_KEPENDUDUKAN"), required=True),
    Field("nama", "NAMA", ("NAMA_LENGKAP", "NAMA_LGKP", "NAMA_PEMILIH"), required=True),
    Field(
        "tempat_lahir",
        "TEMPAT_LAHIR",
        ("TMPT_LHR", "TEMPAT_LHR", "TMP_LAHIR", "TMPT_LAHIR"),
        required=True,
    ),
    Field(
        "tanggal_lahir",
        "TANGGAL_LAHIR",
        ("TGL_LAHIR", "TGL_LHR", "TANGGAL_LHR", "TGL_LAHIR_DD_MM_YYYY"),
        required=True,
    ),
    Field("usia", "USIA", ("UMUR",)),
    Field(
        "status_kawin",
        "STATUS_KAWIN",
        (
            "STS_KAWIN",
            "STAT_KWN",
            "KAWIN",
            "STATUS_PERKAWINAN",
            "STATUS_PERNIKAHAN",
            "STAT_KAWIN",
            "STS_KWN",
            "STATUS_KWN",
        ),
    ),
    Field(
        "jenis_kelamin",
        "JENIS_KELAMIN",
        (
            "L_P",
            "LP",
            "JK",
            "JENIS_KLMIN",
            "KELAMIN",
            "SEX",
            "JNS_KELAMIN",
            "JNS_KLMIN",
            "JENIS_KEL",
            "JNS_KEL",
        ),
        required=True,
    ),
    Field("alamat", "ALAMAT", ("JALAN_DUSUN", "ALAMAT_LENGKAP")),
    Field("rt", "RT", ("NO_RT",)),
    Field("rw", "RW", ("NO_RW",)),
    Field("disabilitas", "DISABILITAS", ("DIFABEL", "JENIS_DISABILITAS", "DISABILITAS_0_6")),
    Field("ktp_el", "KTP_EL", ("KTPEL", "E_KTP", "EKTP", "STATUS_KTP_EL", "KTP_ELEKTRONIK")),
    Field("keterangan", "KETERANGAN", ("KET", "CATATAN")),
)

REGISTRY_FIELDS: tuple[Field, ...] = (
    Field("nik", "NIK", ("NO_NIK", "NOMOR_NIK"), required=True),
    Field("no_kk", "NO_KK", ("NKK", "NOMOR_KK")),
    Field("nama", "NAMA_LGKP", ("NAMA", "NAMA_LENGKAP"), required=True),
    Field("tempat_lahir", "TMPT_LHR", ("TEMPAT_LAHIR", "TEMPAT_LHR", "TMPT_LAHIR"), required=True),
    Field("tanggal_lahir", "TGL_LHR", ("TANGGAL_LAHIR", "TGL_LAHIR", "TANGGAL_LHR"), required=True),
    Field(
        "jenis_kelamin",
        "JENIS_KLMIN",
        (
            "JENIS_KELAMIN",
            "JK",
            "L_P",
            "KELAMIN",
            "JNS_KELAMIN",
            "JNS_KLMIN",
            "JENIS_KEL",
            "JNS_KEL",
        ),
        required=True,
    ),
    Field(
        "status_kawin",
        "STAT_KWN",
        ("STATUS_KAWIN", "STS_KAWIN", "STATUS_PERKAWINAN", "STAT_KAWIN", "STS_KWN", "STATUS_KWN"),
    ),
    Field("alamat", "ALAMAT", ()),
    Field("rt", "NO_RT", ("RT",)),
    Field("rw", "NO_RW", ("RW",)),
    Field("no_prop", "NO_PROP", ("NO_PROV", "KODE_PROP", "KD_PROP")),
    Field("no_kab", "NO_KAB", ("KODE_KAB", "KD_KAB")),
    Field("no_kec", "NO_KEC", ("KODE_KEC", "KD_KEC")),
    Field("no_kel", "NO_KEL", ("KODE_KEL", "KD_KEL", "NO_DESA")),
    Field("kode_wilayah", "KODE_WILAYAH", ("KODE_DESA",)),
    Field(
        "status_ktp_el",
        "STATUS_KTP_EL",
        ("STATUS_KTPEL", "STAT_KTP_EL", "KTP_EL", "STATUS_EKTP"),
        required=True,
    ),
    Field("tgl_rekam", "TGL_REKAM", ("TANGGAL_REKAM", "TGL_PEREKAMAN")),
)

FIELDS = {"dpt": DPT_FIELDS, "registry": REGISTRY_FIELDS}
#: Columns :func:`padan.ingest.write_rejects` appends; dropped when a rejects file is re-imported.
REJECT_COLUMNS = ("ALASAN", "KOLOM", "PESAN")


@functools.cache
def _lookup(kind: str) -> dict[str, str]:
    """Normalised name -> field key. Built once per kind: with one file per kelurahan the
    header of every file is resolved, and rebuilding this each time (about 120
    :func:`norm_name` calls) took 5 s for 1 155 files. Callers only read it."""
    out: dict[str, str] = {}
    for f in FIELDS[kind]:
        for n in (f.label, f.key, *f.synonyms):
            out.setdefault(norm_name(n), f.key)
    return out


def field_by_label(kind: str, name: str) -> Field | None:
    """The field a user means by ``name`` (its contract label, key or a synonym)."""
    key = _lookup(kind).get(norm_name(name))
    return next((f for f in FIELDS[kind] if f.key == key), None)


def normalize_mapping(kind: str, mapping: dict[str, str] | None) -> dict[str, str]:
    """``{"NIK": "NO_INDUK"}`` -> ``{"nik": "NO_INDUK"}`` (field key -> normalised input name)."""
    out: dict[str, str] = {}
    for target, source in (mapping or {}).items():
        f = field_by_label(kind, target)
        if f is None:
            known = ", ".join(x.label for x in FIELDS[kind])
            raise PadanError(
                "KOLOM_PETA_TIDAK_DIKENAL",
                f"Peta kolom: {target!r} bukan kolom yang dikenal padan.",
                hint=f"Kolom yang dikenal: {known}.",
            )
        out[f.key] = norm_name(source)
    return out


def score_header(kind: str, cells: list[object], mapping: dict[str, str]) -> int:
    """How many cells of a row name a known field (to find the header row under titles)."""
    known = _lookup(kind)
    wanted = set(mapping.values())
    return len(
        {
            _field_of(known, c) or ("map:" + norm_name(c) if norm_name(c) in wanted else None)
            for c in cells
        }
        - {None}
    )


def resolve(kind: str, header: list[str], mapping: dict[str, str], where: str) -> dict[str, int]:
    """Field key -> column index in ``header``; raises when a required column is missing.

    ``mapping`` is the output of :func:`normalize_mapping`. The first column that matches
    wins; an explicit mapping beats synonyms.
    """
    normed = [norm_name(h) for h in header]
    known = _lookup(kind)
    found: dict[str, int] = {}
    for key, source in mapping.items():
        if source in normed:
            found[key] = normed.index(source)
    taken = set(found.values())
    for i, h in enumerate(header):
        key = _field_of(known, h)
        if key and key not in found and key not in mapping and i not in taken:
            found[key] = i
            taken.add(i)
    missing = [f for f in FIELDS[kind] if f.required and f.key not in found]
    if kind == "dpt" and "kode_wilayah" not in found:
        for key in ("kabupaten", "kecamatan", "kelurahan"):
            if key not in found:
                missing.append(next(f for f in DPT_FIELDS if f.key == key))
    if missing:
        shown = ", ".join(repr(h) for h in header if str(h).strip()) or "(tidak ada)"
        parts = []
        for f in missing:
            if f.key in mapping:
                parts.append(
                    f"{f.label} (dipetakan ke {mapping[f.key]!r}, tetapi kolom itu tidak ada)"
                )
                continue
            close = difflib.get_close_matches(
                norm_name(f.label), [n for n in normed if n], n=3, cutoff=0.5
            )
            near = [header[normed.index(c)] for c in close]
            parts.append(
                f.label + (f" (mungkin: {', '.join(repr(c) for c in near)})" if near else "")
            )
        first = missing[0].label
        raise PadanError(
            "KOLOM_WAJIB_TIDAK_ADA",
            f"{where}: kolom wajib tidak ditemukan: {'; '.join(parts)}. Kolom yang ada: {shown}.",
            hint=f"Ganti nama kolom di berkas, atau petakan dengan --kolom {first}=NAMA_KOLOM_ANDA.",
            missing=[f.label for f in missing],
            found=list(header),
        )
    return found


def other_candidates(
    kind: str, header: list[str], found: dict[str, int], mapping: dict[str, str]
) -> list[tuple[str, int, int]]:
    """(field key, column used, another column that names the same field) for fields that
    several columns could be: two ``NIK`` columns, ``NIK`` beside ``NO_NIK``. The first
    wins (:func:`resolve`); the user is told which, since a wrong pick goes unnoticed
    otherwise. Fields given by ``mapping`` are the user's choice, not listed."""
    known = _lookup(kind)
    used = set(found.values())
    return [
        (key, found[key], i)
        for i, h in enumerate(header)
        if (key := _field_of(known, h)) and key in found and key not in mapping and i not in used
    ]


def parse_mapping_items(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["NIK=NO_INDUK", ...]`` (from ``--kolom``) -> dict."""
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise PadanError(
                "KOLOM_PETA_SALAH",
                f"Peta kolom {item!r} tidak dipahami.",
                hint="Tulis KOLOM_PADAN=KOLOM_BERKAS, misalnya --kolom NIK=NO_INDUK.",
            )
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def read_mapping_file(path: Path) -> dict[str, str]:
    """A mapping file: one ``KOLOM_PADAN=KOLOM_BERKAS`` (or ``,``/``;``/tab separated) a line;
    blank lines and lines starting with ``#`` are ignored."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PadanError(
            "KOLOM_PETA_SALAH", f"Berkas peta kolom {path} tidak bisa dibaca: {exc}"
        ) from None
    items = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for sep in ("=", "\t", ";", ","):
            if sep in line:
                k, v = line.split(sep, 1)
                items.append(f"{k.strip().strip(chr(34))}={v.strip().strip(chr(34))}")
                break
        else:
            raise PadanError(
                "KOLOM_PETA_SALAH", f"Berkas peta kolom {path}: baris {line!r} tidak dipahami."
            )
    return parse_mapping_items(items)
