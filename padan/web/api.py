"""JSON API under ``/api/v1`` (OpenAPI at ``/api/openapi.json``).

Authenticated by a Bearer token (``padan token add``) or by a browser session (with the CSRF
header on POST). The same role and region rules as the pages apply. Errors always have the
shape ``{"error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

import datetime as dt
import re

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from padan.errors import PadanError
from padan.privacy import mask_nik
from padan.web import data, jobs
from padan.web.deps import Ctx, ctx, not_found, post_ctx
from padan.web.pages import _within, start_registry_import

router = APIRouter(prefix="/api/v1", tags=["padan"])


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS = {
    401: {"model": ErrorResponse, "description": "Belum masuk / token tidak valid"},
    403: {"model": ErrorResponse, "description": "Peran atau wilayah tidak diizinkan"},
    404: {"model": ErrorResponse, "description": "Tidak ditemukan"},
}


class NikQuery(BaseModel):
    nik: str = Field(
        ...,
        description="NIK 16 digit (dikirim di badan permintaan, bukan di URL, agar tidak tercatat di log akses)",
    )


@router.get("/saya", responses=ERRORS, summary="Siapa saya (peran dan wilayah)")
def me(c: Ctx = Depends(ctx)):
    assert c.who is not None
    return {
        "nama": c.who.actor,
        "peran": c.who.peran,
        "kode_kab": c.who.kode_kab,
        "boleh": {
            "data_pribadi": c.who.sees_personal,
            "nik_lengkap": c.who.sees_full_nik,
            "tinjau": c.who.may_review,
            "unggah": c.who.may_upload,
        },
    }


@router.get("/rekap", responses=ERRORS, summary="Rekap per tingkat wilayah")
def rekap(
    c: Ctx = Depends(ctx),
    tingkat: str = Query("kabupaten", description="provinsi, kabupaten, kecamatan, desa atau tps"),
    wilayah: str = Query(
        "", description="kode wilayah induk (kosong: seluruh wilayah yang boleh Anda lihat)"
    ),
):
    assert c.who is not None
    within = _within(c, wilayah)
    rec = data.get_recap(c.db, c.settings.pemilihan, tingkat, within, c.who.kode_kab)
    return {
        "tingkat": rec.level,
        "wilayah": rec.within,
        "judul": rec.title,
        "sumber": rec.source.as_dict(),
        "baris": [r.as_dict() for r in rec.rows],
        "jumlah": rec.total.as_dict(),
    }


@router.get("/kemajuan", responses=ERRORS, summary="Kemajuan menuju batas rekam")
def kemajuan(
    c: Ctx = Depends(ctx),
    wilayah: str = Query(
        "", description="kode wilayah (kosong: seluruh wilayah yang boleh Anda lihat)"
    ),
    anak: bool = Query(False, description="true: satu baris per wilayah di bawahnya"),
):
    assert c.who is not None
    within = _within(c, wilayah)
    prog = data.get_progress(c.db, c.settings.pemilihan, within, c.who.kode_kab, children=anak)
    src = data.source(c.db, c.settings.pemilihan)
    body = [p.as_dict() for p in prog] if isinstance(prog, list) else prog.as_dict()
    return {"sumber": src.as_dict() if src else None, "kemajuan": body}


@router.post("/pemilih/cari", responses=ERRORS, summary="Status rekam pemilih menurut NIK")
def cari_nik(q: NikQuery, c: Ctx = Depends(post_ctx)):
    """For authorised systems: the voter's STATUS_REKAM; audited. The NIK comes in the body
    (not the URL) so that it never lands in access logs; the answer shows it masked."""
    assert c.who is not None
    c.need(c.who.sees_personal, "Peran pemantau tidak boleh mencari data pribadi.")
    nik = q.nik.strip()
    if not re.fullmatch(r"\d{16}", nik):
        raise PadanError("NIK_TIDAK_VALID", "NIK harus 16 angka.")
    src = data.source(c.db, c.settings.pemilihan)
    if src is None:
        raise PadanError("BELUM_ADA_PEMADANAN", "Belum ada hasil pemadanan.")
    found = data.lookup_nik(c.db, src, nik, c.who.kode_kab)
    c.audit("cari_nik", mask_nik(nik), f"{len(found)} baris")
    if not found:
        raise not_found("Pemilih dengan NIK ini (di wilayah Anda)")
    return {"nik": mask_nik(nik), "hasil": found}


@router.post(
    "/registry", status_code=202, responses=ERRORS, summary="Unggah snapshot/delta data Dukcapil"
)
def unggah_registry(
    c: Ctx = Depends(post_ctx),
    berkas: list[UploadFile] = File(
        ..., description="CSV/XLSX dengan kolom SIAK (CONTRACT.md bagian 2)"
    ),
    tanggal: dt.date = Form(..., description="tanggal snapshot, YYYY-MM-DD"),
    delta: bool = Form(False, description="true: hanya baris yang berubah sejak snapshot terakhir"),
):
    """Import runs in the background, followed by a match; poll ``status_url``."""
    job_id = start_registry_import(c, berkas, tanggal, delta, via="API")
    return JSONResponse(
        {"job_id": job_id, "status": "menunggu", "status_url": f"/api/v1/pekerjaan/{job_id}"},
        status_code=202,
    )


@router.get("/pekerjaan/{job_id}", responses=ERRORS, summary="Status pekerjaan latar belakang")
def pekerjaan(job_id: int, c: Ctx = Depends(ctx)):
    assert c.who is not None
    c.need(c.who.may_upload, "Hanya untuk admin dan provinsi.")
    job = jobs.get_job(c.db, job_id)
    if job is None:
        raise not_found("Pekerjaan")
    keep = ("job_id", "kind", "status", "started_by", "created_at", "started_at", "finished_at",
            "stage", "done", "total", "message", "result")  # fmt: skip
    return {k: job[k] for k in keep}
