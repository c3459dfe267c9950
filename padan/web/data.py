"""What the web shows, read through the domain libraries (padan.recap, padan.linkage,
padan.ingest, padan.reports), plus the few listing queries only the web needs.

Every function takes the caller's :class:`~padan.web.auth.Principal` region restriction as
``allowed_kab`` (``None``: all regions) so that no page or endpoint can forget it.
Domain logic stays in its domain (padan.recap, padan.linkage.review, padan.reports); this
module only adapts it to what the pages need (region restriction, masking, formatting).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from padan.engine import Engine
from padan.errors import PadanError
from padan.privacy import mask_nik, mask_nik_sql
from padan.recap import latest_match, progress, recap, worklist
from padan.recap.formatting import format_date, format_int
from padan.recap.summary import SourceInfo, region_name

STATUS_LABELS = {
    "SUDAH_REKAM": "Sudah rekam",
    "BELUM_REKAM": "Belum rekam",
    "GAGAL_REKAM": "Gagal rekam",
    "TIDAK_DITEMUKAN": "Tidak ditemukan",
    "PERLU_TINJAU": "Perlu ditinjau",
}


def allowed(kab: str | None) -> set[str] | None:
    return None if kab is None else {kab}


def source(engine: Engine, pemilihan: str) -> SourceInfo | None:
    return latest_match(engine, pemilihan)


def has_data(engine: Engine) -> dict[str, int]:
    """Counts that tell a fresh workspace from a working one."""
    row = engine.one(
        "SELECT (SELECT count(*) FROM imports WHERE kind = 'dpt'),"
        " (SELECT count(*) FROM imports WHERE kind = 'registry'),"
        " (SELECT count(*) FROM match_runs)"
    )
    dpt, reg, runs = row or (0, 0, 0)
    return {"dpt": int(dpt), "registry": int(reg), "match": int(runs)}


def get_recap(engine: Engine, pemilihan: str, level: str, within: str | None, kab: str | None):
    return recap(engine, pemilihan, level, within, allowed_kab=allowed(kab))


def get_progress(
    engine: Engine, pemilihan: str, wilayah: str | None, kab: str | None, children=False
):
    if wilayah is None and kab is not None:
        wilayah = kab
    return progress(engine, pemilihan, wilayah, level_children=children, allowed_kab=allowed(kab))


_SPEC_CACHE: dict[str, dict] = {}


def burndown_spec(prog: Any) -> dict:
    """The same Vega-Lite spec the reports render (padan.reports.charts), else a plain one.

    Building it through Altair costs ~75 ms (schema validation); the result depends only on
    the progress figures, so it is cached by them.
    """
    key = json.dumps(prog.as_dict(), sort_keys=True, default=str)
    spec = _SPEC_CACHE.get(key)
    if spec is None:
        if len(_SPEC_CACHE) > 512:
            _SPEC_CACHE.clear()
        spec = _SPEC_CACHE[key] = _burndown_spec(prog)
    return spec


def _burndown_spec(prog: Any) -> dict:
    from padan.reports.charts import burndown_spec as spec_of

    spec = spec_of(prog)
    if "layer" in spec and "facet" not in spec:
        spec = {**spec, "width": "container"}
    return spec


def ranking_spec(rows: list, level: str, off_track: set[str], *, links: bool = True) -> dict:
    """Bar chart of the gap per region; padan.js opens a region when its bar is clicked (``href``)."""
    values = [
        {
            "kode": r.code,
            "nama": r.name,
            "gap": r.gap,
            "dpt": r.dpt,
            "cakupan": round(r.coverage * 100, 1),
            "status": "Tidak sesuai target" if r.code in off_track else "Sesuai target",
            "href": f"/wilayah/{r.code}" if r.code and links else "",
        }
        for r in rows
        if r.code
    ][:40]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container",
        "height": {"step": 26},
        "data": {"values": values},
        "mark": {"type": "bar", "cursor": "pointer"},
        "encoding": {
            "y": {"field": "nama", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "gap", "type": "quantitative", "title": "Belum + gagal rekam"},
            "color": {
                "field": "status",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": ["Sesuai target", "Tidak sesuai target"],
                    "range": ["#3b7a57", "#c0392b"],
                },
            },
            "tooltip": [
                {"field": "nama", "title": "Wilayah"},
                {"field": "gap", "title": "Belum+gagal", "format": ",d"},
                {"field": "dpt", "title": "DPT", "format": ",d"},
                {"field": "cakupan", "title": "Sudah rekam (%)"},
            ],
        },
    }


# -- voter list (daftar pemilih) ----------------------------------------------------------
def voters(
    engine: Engine,
    src: SourceInfo,
    code: str,
    *,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """Voters of a desa (10 digits) or TPS (13 digits) with status and reasons, NIK masked."""
    key = "m.tps_key" if len(code) == 13 else "m.kode_desa"
    where, params = f"m.match_id = ? AND {key} = ?", [src.match_id, code]
    if status:
        where += " AND m.status_rekam = ?"
        params.append(status)
    total = engine.one(f"SELECT count(*) FROM match_results m WHERE {where}", params)
    rows = engine.rows(
        f"""
        SELECT m.row_id, coalesce(d.tps, substr(m.tps_key, 11)), d.nama,
               {mask_nik_sql("coalesce(d.nik, d.nik_raw)")}, d.jenis_kelamin, d.usia,
               d.alamat, d.rt, d.rw, m.status_rekam, m.status_ktp_el, m.metode_padan,
               m.skor_padan, m.catatan, (coalesce(d.nik, d.nik_raw) IS NOT NULL)
        FROM match_results m
        LEFT JOIN dpt_rows d ON d.import_id = ? AND d.row_id = m.row_id
        WHERE {where}
        ORDER BY d.tps, d.source_row, m.row_id
        LIMIT ? OFFSET ?
        """,
        [src.dpt_import_id, *params, limit, offset],
    )
    cols = (
        "row_id", "tps", "nama", "nik", "jenis_kelamin", "usia", "alamat", "rt", "rw",
        "status_rekam", "status_ktp_el", "metode_padan", "skor_padan", "catatan", "has_nik",
    )  # fmt: skip
    return [dict(zip(cols, r, strict=True)) for r in rows], int(total[0] if total else 0)


def voter_region(engine: Engine, src: SourceInfo, row_id: int) -> str | None:
    """kode_kab of a DPT row in the current match (None when the row does not exist)."""
    row = engine.one(
        "SELECT coalesce(kode_kab, '') FROM match_results WHERE match_id = ? AND row_id = ?",
        [src.match_id, row_id],
    )
    return None if row is None else row[0]


def full_nik(engine: Engine, src: SourceInfo, row_id: int) -> str | None:
    row = engine.one(
        "SELECT coalesce(nik, nik_raw) FROM dpt_rows WHERE import_id = ? AND row_id = ?",
        [src.dpt_import_id, row_id],
    )
    return None if row is None else row[0]


def lookup_nik(engine: Engine, src: SourceInfo, nik: str, kab: str | None) -> list[dict]:
    """Status of every DPT row with this NIK (DPT NIK or the register NIK linked to it)."""
    where, params = "", []
    if kab is not None:
        where, params = " AND m.kode_kab = ?", [kab]
    rows = engine.rows(
        f"""
        SELECT m.kode_kab, m.kode_kec, m.kode_desa, m.tps_key, m.status_rekam, m.status_ktp_el,
               m.metode_padan, m.skor_padan, m.catatan
        FROM match_results m JOIN dpt_rows d ON d.import_id = ? AND d.row_id = m.row_id
        WHERE m.match_id = ? AND (d.nik = ? OR m.nik_dukcapil = ?) {where}
        ORDER BY m.row_id
        """,
        [src.dpt_import_id, src.match_id, nik, nik, *params],
    )
    cols = (
        "kode_kab", "kode_kec", "kode_desa", "tps_key", "status_rekam", "status_ktp_el",
        "metode_padan", "skor_padan", "catatan",
    )  # fmt: skip
    out = []
    for r in rows:
        d = dict(zip(cols, r, strict=True))
        d["nik"] = mask_nik(nik)
        d["source"] = src.line()
        out.append(d)
    return out


def worklist_rows(engine: Engine, pemilihan: str, wilayah: str, kab: str | None) -> list[dict]:
    return worklist(engine, pemilihan, wilayah, allowed_kab=allowed(kab))


# -- review queue -------------------------------------------------------------------------
def review_queue(
    engine: Engine, src: SourceInfo, kab: str | None, limit: int = 20, offset: int = 0
):
    """PERLU_TINJAU rows beside their candidates (padan.linkage.review), NIKs masked."""
    from padan.linkage.review import review_queue as queue

    items = queue(
        engine,
        src.match_id,
        kab_codes=None if kab is None else {kab},
        limit=limit,
        offset=offset,
    )
    return [_mask_item(i) for i in items]


def _json(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


DPT_FIELDS = ("nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "alamat", "nkk")


def _explain(details: Any) -> list[tuple[str, str, int]]:
    """Compared fields as (field, text, sign): sign > 0 supports the link, < 0 speaks against."""
    details = _json(details)
    out: list[tuple[str, str, int]] = []
    if not isinstance(details, dict):
        return out
    if isinstance(details.get("weights"), dict):
        details = details["weights"]
    for key, v in details.items():
        if isinstance(v, dict):
            w = v.get("bobot", v.get("weight"))
            level = v.get("level")
            if isinstance(w, int | float):
                text = f"bobot {w:+.1f}".replace(".", ",") + (
                    f" (tingkat {level})" if level is not None else ""
                )
                out.append((key, text, 1 if w > 0 else -1))
        elif isinstance(v, bool):
            out.append((key, "cocok" if v else "beda", 1 if v else -1))
        elif isinstance(v, int | float):
            out.append((key, f"{v:g}".replace(".", ","), 1 if v > 0 else -1))
        elif v is not None:
            out.append((key, str(v), 0))
    return out


def _mask_item(item: dict) -> dict:
    """One shape for the template (the DPT side under ``dpt``); NIKs masked: reviewers compare
    the first 12 digits, a full NIK is never shown in the queue."""
    item = dict(item)
    d = (
        dict(item["dpt"])
        if isinstance(item.get("dpt"), dict)
        else {k: item.get(k) for k in DPT_FIELDS}
    )
    if d.get("nik"):
        d["nik"] = mask_nik(d["nik"], visible=12)
    if d.get("nkk"):
        d["nkk"] = mask_nik(d["nkk"])
    item["dpt"] = d
    cands = []
    for c in item.get("candidates", []):
        c = dict(c)
        if c.get("nik"):
            c["nik"] = mask_nik(c["nik"], visible=12)
        if c.get("nkk"):
            c["nkk"] = mask_nik(c["nkk"])
        c["fields"] = _explain(c.get("details"))
        c.pop("details", None)
        cands.append(c)
    item["candidates"] = cands
    return item


def review_row(engine: Engine, src: SourceInfo, row_id: int) -> tuple[str | None, str | None]:
    """(kode_kab, status_rekam) of a DPT row in the current match."""
    row = engine.one(
        "SELECT coalesce(kode_kab, ''), status_rekam FROM match_results WHERE match_id = ? AND row_id = ?",
        [src.match_id, row_id],
    )
    return (None, None) if row is None else (row[0], row[1])


def candidate_niks(engine: Engine, src: SourceInfo, row_id: int) -> list[str]:
    return [
        r[0]
        for r in engine.rows(
            "SELECT candidate_nik FROM match_explanations WHERE match_id = ? AND row_id = ?"
            " AND candidate_nik IS NOT NULL ORDER BY candidate_rank",
            [src.match_id, row_id],
        )
    ]


def decide(
    engine: Engine,
    src: SourceInfo,
    row_id: int,
    *,
    candidate_nik: str | None,
    decision: str,
    note: str,
    by: str,
) -> str:
    """Record a review decision (padan.linkage.review) and return the row's new STATUS_REKAM."""
    from padan.linkage import review

    review.decide(
        engine,
        src.match_id,
        row_id,
        candidate_nik=candidate_nik,
        decision=decision,
        note=note,
        by=by,
    )
    row = engine.one(
        "SELECT status_rekam FROM match_results WHERE match_id = ? AND row_id = ?",
        [src.match_id, row_id],
    )
    return row[0] if row else ""


def import_summary(engine: Engine, kab: str | None, limit: int = 20) -> list[dict]:
    cols = (
        "import_id", "kind", "versi", "snapshot_date", "is_delta", "imported_by", "imported_at",
        "rows_read", "accepted", "rejected",
    )  # fmt: skip
    return [
        dict(zip(cols, r, strict=True))
        for r in engine.rows(
            f"SELECT {', '.join(cols)} FROM imports ORDER BY import_id DESC LIMIT ?", [limit]
        )
    ]


def rejects(engine: Engine, import_id: int, limit: int = 50) -> list[dict]:
    cols = (
        "source_file",
        "source_sheet",
        "source_row",
        "reason",
        "column_name",
        "value_masked",
        "message",
    )
    return [
        dict(zip(cols, r, strict=True))
        for r in engine.rows(
            f"SELECT {', '.join(cols)} FROM import_rejects WHERE import_id = ?"
            " ORDER BY source_file, source_sheet, source_row LIMIT ?",
            [import_id, limit],
        )
    ]


def reject_reasons(engine: Engine, import_id: int) -> list[tuple[str, int]]:
    return [
        (r[0], int(r[1]))
        for r in engine.rows(
            "SELECT reason, count(*) FROM import_rejects WHERE import_id = ? GROUP BY 1 ORDER BY 2 DESC",
            [import_id],
        )
    ]


def countdown(src: SourceInfo | None, deadline: dt.date) -> dict:
    """Days from the latest register date (the data's 'today') to the recording deadline."""
    today = src.registry_date if src else dt.date.today()
    days = (deadline - today).days
    return {
        "deadline": format_date(deadline, short=False),
        "today": format_date(today, short=False),
        "days": days,
        "label": f"H-{days}" if days > 0 else ("Hari ini" if days == 0 else f"Lewat {-days} hari"),
    }


def fmt(n: Any) -> str:
    return format_int(n)


def name_of(code: str | None) -> str:
    return region_name(code) if code else "Seluruh wilayah"


def ensure(cond: bool, code: str, message: str) -> None:
    if not cond:
        raise PadanError(code, message)
