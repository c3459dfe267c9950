"""Daftar jemput bola: the voters a field team must visit, in walking order.

Only voters who still have to act (``BELUM_REKAM``, ``GAGAL_REKAM``) are listed, with what
they must do. Personal data is kept to what the visit needs: name, NIK (masked to the first
six digits, the kecamatan code, unless the caller may and asks to see it whole), address,
RT/RW, sex and age. Never the birth date or disability (UU 27/2022 PDP).
"""

from __future__ import annotations

from padan.engine import Engine
from padan.errors import PadanError
from padan.privacy import mask_nik_sql
from padan.recap.summary import (
    MUST_RECORD,
    normalize_code,
    region_filter,
    region_name,
    source_for,
)

# Columns of a worklist row, in the order exports show them.
COLUMNS = (
    "no", "kecamatan", "desa", "tps", "nama", "nik", "jenis_kelamin", "usia",
    "alamat", "rt", "rw", "status_rekam", "tindakan",
)  # fmt: skip
HEADERS = {
    "no": "No",
    "kecamatan": "Kecamatan",
    "desa": "Desa/Kelurahan",
    "tps": "TPS",
    "nama": "Nama",
    "nik": "NIK",
    "jenis_kelamin": "L/P",
    "usia": "Usia",
    "alamat": "Alamat",
    "rt": "RT",
    "rw": "RW",
    "status_rekam": "Status",
    "tindakan": "Yang harus dilakukan",
}


def action(status: str, kecamatan: str, kabupaten: str) -> str:
    """What the voter must do, in Bahasa Indonesia."""
    if status == "BELUM_REKAM":
        return (
            f"Rekam biometrik KTP-el di kantor Kecamatan {kecamatan} atau Disdukcapil {kabupaten}"
        )
    if status == "GAGAL_REKAM":
        return f"Perekaman ulang / selesaikan data ganda di Disdukcapil {kabupaten}"
    return ""


def worklist(
    engine: Engine,
    pemilihan: str,
    wilayah: str,
    *,
    full_nik: bool = False,
    match_id: int | None = None,
    allowed_kab: set[str] | None = None,
) -> list[dict]:
    """Voters in ``wilayah`` (any level down to a TPS) who must still record, as dicts with
    the keys of :data:`COLUMNS` plus codes, ordered for a walk: desa, RW, RT, address, TPS,
    name. ``full_nik`` shows whole NIKs: the caller decides whether the user may see them.
    """
    code = normalize_code(wilayah)
    if code is None:
        raise PadanError(
            "WILAYAH_WAJIB",
            "Daftar jemput bola dibuat per wilayah.",
            hint="Sebutkan --wilayah, misalnya kode desa/kelurahan atau kecamatan.",
        )
    src = source_for(engine, pemilihan, match_id)
    from padan.reference.profiles import load_profile

    try:
        election_day = load_profile(pemilihan).election_day
    except PadanError:
        election_day = src.registry_date
    where, params = region_filter(code, allowed_kab)
    where = where.replace("kode_", "m.kode_").replace("tps_key", "m.tps_key")
    nik_expr = "coalesce(d.nik, d.nik_raw)"
    nik_sql = nik_expr if full_nik else mask_nik_sql(nik_expr)
    statuses = ", ".join(f"'{s}'" for s in MUST_RECORD)
    rows = engine.rows(
        f"""
        SELECT m.kode_kab, m.kode_kec, m.kode_desa, coalesce(d.tps, substr(m.tps_key, 11)),
               d.nama, {nik_sql}, d.jenis_kelamin,
               coalesce(date_sub('year', d.tanggal_lahir, ?::DATE), d.usia),
               d.alamat, d.rt, d.rw, m.status_rekam, m.row_id
        FROM match_results m
        JOIN dpt_rows d ON d.import_id = ? AND d.row_id = m.row_id
        WHERE m.match_id = ? AND m.status_rekam IN ({statuses}) {where}
        ORDER BY m.kode_desa, try_cast(d.rw AS INTEGER) NULLS LAST, d.rw,
                 try_cast(d.rt AS INTEGER) NULLS LAST, d.rt, d.alamat NULLS LAST,
                 d.tps, d.nama, m.row_id
        """,
        [election_day, src.dpt_import_id, src.match_id, *params],
    )
    out = []
    for i, (kab, kec, desa, tps, nama, nik, jk, usia, alamat, rt, rw, status, row_id) in enumerate(
        rows, 1
    ):
        kec_name = region_name(kec) if kec else ""
        kab_name = region_name(kab) if kab else "kabupaten/kota"
        out.append(
            {
                "no": i,
                "kode_kab": kab,
                "kode_kec": kec,
                "kode_desa": desa,
                "kecamatan": kec_name,
                "desa": region_name(desa) if desa else "",
                "tps": tps or "",
                "nama": nama or "",
                "nik": nik or "",
                "jenis_kelamin": jk or "",
                "usia": None if usia is None else int(usia),
                "alamat": alamat or "",
                "rt": rt or "",
                "rw": rw or "",
                "status_rekam": status,
                "tindakan": action(status, kec_name or "setempat", kab_name),
                "row_id": int(row_id),
            }
        )
    return out
