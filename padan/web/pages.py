"""Server-rendered pages (Bahasa Indonesia). Every route checks role and region itself."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from padan.errors import PadanError
from padan.recap.summary import LEVELS, region_name
from padan.reference import wilayah
from padan.web import auth, data, jobs
from padan.web.deps import (
    PRELOGIN_COOKIE,
    SESSION_COOKIE,
    Ctx,
    ctx,
    not_found,
    optional_ctx,
    post_ctx,
)
from padan.web.render import templates

router = APIRouter(include_in_schema=False)

CHILD_LEVEL = {2: "kabupaten", 4: "kecamatan", 6: "desa", 10: "tps"}
LEVEL_WORD = {2: "Provinsi", 4: "Kabupaten/Kota", 6: "Kecamatan", 10: "Desa/Kelurahan", 13: "TPS"}
PAGE_SIZE = 100


def page(c: Ctx, template: str, http_status: int = 200, **context: Any) -> HTMLResponse:
    s = c.settings
    base = {
        "who": c.who,
        "csrf": c.who.csrf_token if c.who else "",
        "pemilihan": s.profile,
        "nav": context.pop("nav", ""),
    }
    return templates.TemplateResponse(
        c.request, template, {**base, **context}, status_code=http_status
    )


def _code(code: str) -> str:
    code = wilayah.undotted(code)
    if not code.isdigit() or len(code) not in (2, 4, 6, 10, 13):
        raise not_found("Wilayah")
    if wilayah.get(code[:10]) is None:
        raise not_found("Wilayah")
    return code


def breadcrumbs(code: str, who: auth.Principal) -> list[tuple[str, str]]:
    out = []
    for n in (2, 4, 6, 10, 13):
        if len(code) >= n:
            part = code[:n]
            if n == 2 and who.kode_kab:
                continue
            out.append((part, region_name(part)))
    return out


# -- login / logout ------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, c: Ctx = Depends(optional_ctx), next: str = "/"):
    if c.who is not None and not c.who.via_token:
        return RedirectResponse("/", status_code=303)
    token = secrets.token_urlsafe(24)
    resp = page(c, "login.html", next=_safe_next(next), pre=token, error=None)
    _set_prelogin(resp, token, c)
    return resp


def _set_prelogin(resp: Response, token: str, c: Ctx) -> None:
    resp.set_cookie(
        PRELOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=c.settings.secure_cookies,
        max_age=3600,
    )


def _safe_next(target: str) -> str:
    """Only local paths: no open redirect."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    c: Ctx = Depends(optional_ctx),
    username: str = Form(""),
    password: str = Form(""),
    pre: str = Form(""),
    next: str = Form("/"),
):
    cookie = request.cookies.get(PRELOGIN_COOKIE, "")
    error = None
    if not cookie or not secrets.compare_digest(cookie, pre):
        error = "Formulir kedaluwarsa. Silakan coba lagi."
    else:
        try:
            who = auth.authenticate(c.db, username.strip(), password, c.client)
        except PadanError as exc:
            error = exc.message
            auth.audit(
                c.db,
                None,
                "gagal_masuk",
                username.strip()[:64],
                exc.code,
                client=c.client,
                actor=username.strip()[:64],
            )
        else:
            sid = auth.create_session(c.db, who.user_id or 0)
            auth.audit(c.db, who, "masuk", client=c.client)
            resp = RedirectResponse(_safe_next(next), status_code=303)
            resp.set_cookie(
                SESSION_COOKIE,
                c.settings.signer.sign(sid).decode(),
                httponly=True,
                samesite="strict",
                secure=c.settings.secure_cookies,
                path="/",
            )
            resp.delete_cookie(PRELOGIN_COOKIE)
            return resp
    token = secrets.token_urlsafe(24)
    status = 429 if error and "Terlalu banyak" in error else 401
    resp = page(
        c,
        "login.html",
        http_status=status,
        next=_safe_next(next),
        pre=token,
        error=error,
        username=username,
    )
    _set_prelogin(resp, token, c)
    return resp


@router.post("/logout")
def logout(request: Request, c: Ctx = Depends(post_ctx)):
    raw = request.cookies.get(SESSION_COOKIE, "")
    with contextlib.suppress(Exception):
        auth.end_session(c.db, c.settings.signer.unsign(raw).decode())
    c.audit("keluar")
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


# -- ringkasan -------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def ringkasan(c: Ctx = Depends(ctx)):
    s = c.settings
    assert c.who is not None
    counts = data.has_data(c.db)
    src = data.source(c.db, s.pemilihan)
    if src is None:
        return page(
            c, "kosong.html", nav="ringkasan", counts=counts, jobs=jobs.recent_jobs(c.db, 5)
        )
    kab = c.who.kode_kab
    level, within = ("kecamatan", kab) if kab else ("kabupaten", None)
    rec = data.get_recap(c.db, s.pemilihan, level, within, kab)
    prog = data.get_progress(c.db, s.pemilihan, None, kab)
    children = data.get_progress(c.db, s.pemilihan, within, kab, children=True)
    off_track = {p.code for p in children if not p.on_track}
    by_code = {p.code: p for p in children}
    return page(
        c,
        "ringkasan.html",
        nav="ringkasan",
        src=src,
        rec=rec,
        prog=prog,
        by_code=by_code,
        off_track=off_track,
        countdown=data.countdown(src, s.profile.recording_deadline),
        burndown=data.burndown_spec(prog),
        ranking=data.ranking_spec(rec.rows, level, off_track),
        scope=region_name(kab) if kab else s.profile.title,
        level_word="Kecamatan" if kab else "Kabupaten/Kota",
    )


# -- drill-down --------------------------------------------------------------------------------
@router.get("/wilayah/{code}", response_class=HTMLResponse)
def wilayah_page(code: str, c: Ctx = Depends(ctx)):
    assert c.who is not None
    code = _code(code)
    if len(code) == 2 and c.who.kode_kab:
        return RedirectResponse(f"/wilayah/{c.who.kode_kab}", status_code=303)
    c.region(code)
    if len(code) == 13:
        return RedirectResponse(f"/pemilih/{code}", status_code=303)
    s = c.settings
    src = data.source(c.db, s.pemilihan)
    if src is None:
        return RedirectResponse("/", status_code=303)
    kab = c.who.kode_kab
    level = CHILD_LEVEL[len(code)]
    rec = data.get_recap(c.db, s.pemilihan, level, code, kab)
    prog = data.get_progress(c.db, s.pemilihan, code, kab)
    off_track: set[str] = set()
    if level != "tps":
        off_track = {
            p.code
            for p in data.get_progress(c.db, s.pemilihan, code, kab, children=True)
            if not p.on_track
        }
    return page(
        c,
        "wilayah.html",
        nav="wilayah",
        code=code,
        name=region_name(code),
        level_word=LEVEL_WORD[len(code)],
        child_word=LEVEL_WORD[len(code) + {2: 2, 4: 2, 6: 4, 10: 3}[len(code)]],
        trail=breadcrumbs(code, c.who),
        rec=rec,
        prog=prog,
        src=src,
        off_track=off_track,
        burndown=data.burndown_spec(prog),
        ranking=data.ranking_spec(
            rec.rows, level, off_track, links=level != "tps" or c.who.sees_personal
        ),
        child_is_tps=level == "tps",
        shows_voters=len(code) == 10 and c.who.sees_personal,
    )


# -- daftar pemilih --------------------------------------------------------------------------
@router.get("/pemilih/{code}", response_class=HTMLResponse)
def pemilih_page(
    code: str,
    c: Ctx = Depends(ctx),
    status: str = Query(""),
    hal: int = Query(1, ge=1),
):
    assert c.who is not None
    code = _code(code)
    c.need(c.who.sees_personal, "Peran pemantau hanya melihat angka rekap, tanpa data pribadi.")
    if len(code) not in (10, 13):
        return RedirectResponse(f"/wilayah/{code}", status_code=303)
    c.region(code)
    src = data.source(c.db, c.settings.pemilihan)
    if src is None:
        return RedirectResponse("/", status_code=303)
    status = status if status in data.STATUS_LABELS else ""
    rows, total = data.voters(
        c.db, src, code, status=status or None, limit=PAGE_SIZE, offset=(hal - 1) * PAGE_SIZE
    )
    rec = data.get_recap(
        c.db, c.settings.pemilihan, "tps" if len(code) == 13 else "desa", code, c.who.kode_kab
    )
    return page(
        c,
        "pemilih.html",
        nav="wilayah",
        code=code,
        name=region_name(code),
        trail=breadcrumbs(code, c.who),
        rows=rows,
        total=total,
        rec=rec,
        src=src,
        status=status,
        statuses=data.STATUS_LABELS,
        hal=hal,
        pages=max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE),
    )


@router.post("/pemilih/nik/{row_id}", response_class=HTMLResponse)
def reveal_nik(row_id: int, c: Ctx = Depends(post_ctx)):
    """Show one full NIK: only roles allowed to, only in their region, always audited."""
    assert c.who is not None
    c.need(c.who.sees_full_nik, "Peran Anda tidak boleh melihat NIK lengkap.")
    src = data.source(c.db, c.settings.pemilihan)
    if src is None:
        raise not_found("Pemilih")
    kab = data.voter_region(c.db, src, row_id)
    if kab is None:
        raise not_found("Pemilih")
    c.region(kab)
    nik = data.full_nik(c.db, src, row_id) or ""
    c.audit(
        "lihat_nik",
        f"baris DPT #{row_id} (impor #{src.dpt_import_id})",
        data.mask_nik(nik),
        kab=kab or None,
    )
    return HTMLResponse(
        f'<code class="nik nik-full" title="Tercatat di log audit">{_esc(nik)}</code>'
    )


# -- tinjau -----------------------------------------------------------------------------------
@router.get("/tinjau", response_class=HTMLResponse)
def tinjau_page(c: Ctx = Depends(ctx), hal: int = Query(1, ge=1)):
    assert c.who is not None
    c.need(c.who.sees_personal, "Peran pemantau tidak membuka antrean tinjau (data pribadi).")
    src = data.source(c.db, c.settings.pemilihan)
    items, total = [], 0
    if src is not None:
        items = data.review_queue(c.db, src, c.who.kode_kab, limit=20, offset=(hal - 1) * 20)
        where, params = "", []
        if c.who.kode_kab:
            where, params = " AND kode_kab = ?", [c.who.kode_kab]
        total = c.db.one(
            f"SELECT count(*) FROM match_results WHERE match_id = ? AND status_rekam = 'PERLU_TINJAU'{where}",
            [src.match_id, *params],
        )[0]
    return page(
        c,
        "tinjau.html",
        nav="tinjau",
        items=items,
        total=total,
        src=src,
        hal=hal,
        region_name=region_name,
    )


@router.post("/tinjau/{row_id}", response_class=HTMLResponse)
def tinjau_decide(
    row_id: int,
    c: Ctx = Depends(post_ctx),
    keputusan: str = Form(...),
    kandidat: str = Form(""),
    catatan: str = Form(""),
):
    assert c.who is not None
    c.need(c.who.may_review, "Peran Anda tidak boleh memutuskan tinjauan.")
    src = data.source(c.db, c.settings.pemilihan)
    if src is None:
        raise not_found("Baris tinjau")
    kab, status = data.review_row(c.db, src, row_id)
    if kab is None:
        raise not_found("Baris tinjau")
    c.region(kab)
    if keputusan not in ("terima", "tolak"):
        raise PadanError("INPUT_TIDAK_VALID", "Keputusan harus 'terima' atau 'tolak'.")
    if status != "PERLU_TINJAU":
        raise PadanError("SUDAH_DITINJAU", "Baris ini sudah tidak dalam antrean tinjau.")
    cands = data.candidate_niks(c.db, src, row_id)
    chosen: str | None = None
    if keputusan == "terima":
        # The form carries the candidate's rank, never a NIK; a NIK is resolved here.
        try:
            chosen = cands[int(kandidat)]
        except (ValueError, IndexError):
            raise PadanError("INPUT_TIDAK_VALID", "Pilih satu kandidat untuk diterima.") from None
    elif kandidat.isdigit() and int(kandidat) < len(cands):
        chosen = cands[int(kandidat)]
    new = data.decide(
        c.db,
        src,
        row_id,
        candidate_nik=chosen,
        decision=keputusan,
        note=catatan.strip()[:500],
        by=c.who.actor,
    )
    c.audit(
        "tinjau",
        f"baris DPT #{row_id} (pemadanan #{src.match_id})",
        f"{keputusan}; kandidat {data.mask_nik(chosen) if chosen else '-'}; status baru {new}; catatan: {catatan.strip()[:200]}",
        kab=kab or None,
    )
    return templates.TemplateResponse(
        c.request,
        "_tinjau_done.html",
        {"row_id": row_id, "keputusan": keputusan, "status": new, "labels": data.STATUS_LABELS},
    )


# -- unggah -----------------------------------------------------------------------------------
def _save_uploads(c: Ctx, files: list[UploadFile]) -> tuple[Path, list[Path]]:
    target = c.settings.upload_dir / secrets.token_hex(8)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in files:
        if not f.filename:
            continue
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(f.filename).name)[:120] or "berkas"
        p = target / name
        with p.open("wb") as out:
            shutil.copyfileobj(f.file, out)
        paths.append(p)
    if not paths:
        shutil.rmtree(target, ignore_errors=True)
        raise PadanError("BERKAS_KOSONG", "Pilih minimal satu berkas untuk diunggah.")
    return target, paths


@router.get("/unggah", response_class=HTMLResponse)
def unggah_page(c: Ctx = Depends(ctx)):
    assert c.who is not None
    c.need(c.who.may_upload, "Unggah dan pemadanan hanya untuk admin dan pengguna provinsi.")
    imports = data.import_summary(c.db, c.who.kode_kab)
    return page(
        c,
        "unggah.html",
        nav="unggah",
        imports=imports,
        jobs=jobs.recent_jobs(c.db, 10),
        today=dt.date.today().isoformat(),
        counts=data.has_data(c.db),
    )


def _job_started(c: Ctx, job_id: int) -> HTMLResponse:
    job = jobs.get_job(c.db, job_id)
    return templates.TemplateResponse(c.request, "_job.html", {"job": job, "who": c.who})


@router.post("/unggah/dpt", response_class=HTMLResponse)
def unggah_dpt(
    c: Ctx = Depends(post_ctx),
    berkas: list[UploadFile] = File(...),
    versi: str = Form("DPT"),
):
    assert c.who is not None
    c.need(c.who.may_upload, "Unggah hanya untuk admin dan pengguna provinsi.")
    versi = re.sub(r"[^A-Za-z0-9 _-]", "", versi).strip()[:40] or "DPT"
    folder, paths = _save_uploads(c, berkas)
    job_id = c.settings.jobs.submit(
        "impor_dpt",
        c.who.actor,
        jobs.import_dpt_work(paths, c.settings.pemilihan, versi, c.who.actor),
        cleanup=folder,
    )
    c.audit(
        "unggah_dpt",
        f"pekerjaan #{job_id}",
        f"versi {versi}; {len(paths)} berkas: {', '.join(p.name for p in paths)[:300]}",
    )
    return _job_started(c, job_id)


@router.post("/unggah/registry", response_class=HTMLResponse)
def unggah_registry(
    c: Ctx = Depends(post_ctx),
    berkas: list[UploadFile] = File(...),
    tanggal: dt.date = Form(...),
    delta: bool = Form(False),
):
    job_id = start_registry_import(c, berkas, tanggal, delta, via="web")
    return _job_started(c, job_id)


def start_registry_import(
    c: Ctx, berkas: list[UploadFile], tanggal: dt.date, delta: bool, *, via: str
) -> int:
    """Save the uploaded register files and import them (then match) in the background; the
    page and the API share this so both check the same role and write the same audit entry."""
    assert c.who is not None
    c.need(c.who.may_upload, "Unggah hanya untuk admin dan pengguna provinsi.")
    folder, paths = _save_uploads(c, berkas)
    work = jobs.import_registry_work(paths, tanggal, delta, c.settings.pemilihan, c.who.actor)
    job_id = c.settings.jobs.submit("impor_registry", c.who.actor, work, cleanup=folder)
    c.audit(
        "unggah_registry",
        f"pekerjaan #{job_id}",
        f"{'delta' if delta else 'snapshot'} per {tanggal}; {len(paths)} berkas ({via})",
    )
    return job_id


@router.post("/unggah/padankan", response_class=HTMLResponse)
def padankan(c: Ctx = Depends(post_ctx)):
    assert c.who is not None
    c.need(c.who.may_upload, "Pemadanan hanya untuk admin dan pengguna provinsi.")
    job_id = c.settings.jobs.submit(
        "padan", c.who.actor, jobs.match_work(c.settings.pemilihan, None)
    )
    c.audit("padankan", f"pekerjaan #{job_id}")
    return _job_started(c, job_id)


@router.get("/pekerjaan/{job_id}", response_class=HTMLResponse)
def job_fragment(job_id: int, c: Ctx = Depends(ctx)):
    assert c.who is not None
    c.need(c.who.may_upload)
    job = jobs.get_job(c.db, job_id)
    if job is None:
        raise not_found("Pekerjaan")
    reasons = []
    if job["status"] == "selesai" and job["result"].get("import_id"):
        reasons = data.reject_reasons(c.db, int(job["result"]["import_id"]))
    return templates.TemplateResponse(
        c.request, "_job.html", {"job": job, "who": c.who, "reasons": reasons}
    )


@router.get("/unggah/impor/{import_id}", response_class=HTMLResponse)
def import_detail(import_id: int, c: Ctx = Depends(ctx)):
    assert c.who is not None
    c.need(c.who.may_upload)
    imp = [i for i in data.import_summary(c.db, None, 1000) if i["import_id"] == import_id]
    if not imp:
        raise not_found("Impor")
    return page(
        c,
        "impor.html",
        nav="unggah",
        imp=imp[0],
        reasons=data.reject_reasons(c.db, import_id),
        rejects=data.rejects(c.db, import_id, 100),
    )


@router.get("/unggah/impor/{import_id}/ditolak.csv")
def rejects_csv(import_id: int, c: Ctx = Depends(ctx)):
    assert c.who is not None
    c.need(c.who.may_upload)
    rows = data.rejects(c.db, import_id, 1_000_000)
    c.audit("unduh_ditolak", f"impor #{import_id}", f"{len(rows)} baris")
    header = ["BERKAS", "LEMBAR", "BARIS", "ALASAN", "KOLOM", "NILAI", "KETERANGAN"]
    return _csv(f"ditolak-impor-{import_id}.csv", header, [list(r.values()) for r in rows])


# -- unduh ------------------------------------------------------------------------------------
def _csv(filename: str, header: list[str], rows: list[list]) -> Response:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _within(c: Ctx, wilayah_code: str) -> str | None:
    assert c.who is not None
    code = _code(wilayah_code) if wilayah_code else None
    if code is None or len(code) == 2:
        return c.who.kode_kab
    c.region(code)
    return code


@router.get("/unduh", response_class=HTMLResponse)
def unduh_page(c: Ctx = Depends(ctx), kode: str = Query("", alias="wilayah")):
    assert c.who is not None
    within = _within(c, kode)
    src = data.source(c.db, c.settings.pemilihan)
    options = []
    scope_code = within or (c.who.kode_kab or None)
    kids = (
        wilayah.children(scope_code)
        if scope_code
        else [wilayah.get(k) for k in c.settings.profile.regions]
    )
    options = [(r.code, r.name) for r in kids if r is not None and c.who.allows(r.code)]
    return page(
        c,
        "unduh.html",
        nav="unduh",
        src=src,
        within=within,
        within_name=region_name(within) if within else c.settings.profile.title,
        options=options,
        levels=[
            lv for lv in LEVELS if within is None or LEVELS.index(lv) > LEVELS.index(_level(within))
        ],
    )


def _level(code: str) -> str:
    return {2: "provinsi", 4: "kabupaten", 6: "kecamatan", 10: "desa", 13: "tps"}[len(code)]


@router.get("/unduh/rekap.csv")
def rekap_csv(c: Ctx = Depends(ctx), tingkat: str = Query("kabupaten"), wilayah: str = Query("")):
    assert c.who is not None
    within = _within(c, wilayah)
    rec = data.get_recap(c.db, c.settings.pemilihan, tingkat, within, c.who.kode_kab)
    header = ["KODE", "WILAYAH", "DPT", "SUDAH_REKAM", "BELUM_REKAM", "GAGAL_REKAM", "TIDAK_DITEMUKAN",
              "PERLU_TINJAU", "GANDA", "PEMILIH_PEMULA", "BELUM_DAN_GAGAL", "CAKUPAN_PERSEN"]  # fmt: skip
    rows = [
        [
            r.code,
            r.name,
            r.dpt,
            r.sudah,
            r.belum,
            r.gagal,
            r.tidak_ditemukan,
            r.perlu_tinjau,
            r.ganda,
            r.pemula,
            r.gap,
            round(r.coverage * 100, 2),
        ]  # fmt: skip
        for r in [*rec.rows, rec.total]
    ]
    rows.append([])
    rows.append([rec.source.line()])
    c.audit("unduh_rekap", f"{tingkat} {within or 'semua'}")
    return _csv(f"rekap-{tingkat}-{within or 'semua'}.csv", header, rows)


@router.get("/unduh/daftar-kerja.csv")
def worklist_csv(c: Ctx = Depends(ctx), wilayah: str = Query(...)):
    assert c.who is not None
    c.need(c.who.sees_personal, "Peran pemantau tidak boleh mengunduh data pribadi.")
    code = _code(wilayah)
    c.region(code)
    from padan.recap.worklist import COLUMNS, HEADERS

    rows = data.worklist_rows(c.db, c.settings.pemilihan, code, c.who.kode_kab)
    c.audit(
        "unduh_daftar_kerja",
        f"wilayah {code}",
        f"{len(rows)} pemilih (NIK tersamar)",
        kab=code[:4] if len(code) >= 4 else None,
    )
    return _csv(
        f"daftar-jemput-bola-{code}.csv",
        [HEADERS[k] for k in COLUMNS],
        [[r[k] for k in COLUMNS] for r in rows],
    )


def _file_response(suffix: str, filename: str, write) -> Response:
    """Let a report writer (padan.reports) write to a temporary file; send its bytes."""
    import tempfile

    media = {
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".pdf": "application/pdf",
    }[suffix]
    with tempfile.TemporaryDirectory(prefix="padan-unduh-") as d:
        path = Path(d) / f"berkas{suffix}"
        write(path)
        body = path.read_bytes()
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/unduh/rekap.xlsx")
def rekap_xlsx(c: Ctx = Depends(ctx), wilayah: str = Query("")):
    """One sheet per level below the chosen region (down to desa), as the reports write it."""
    assert c.who is not None
    from padan.reports.xlsx import write_recap_xlsx

    within = _within(c, wilayah)
    start = LEVELS.index(_level(within)) + 1 if within else 1
    levels = [lv for lv in LEVELS[start:] if lv != "tps"] or ["tps"]
    recs = [data.get_recap(c.db, c.settings.pemilihan, lv, within, c.who.kode_kab) for lv in levels]
    c.audit("unduh_rekap", f"xlsx {within or 'semua'}")
    return _file_response(
        ".xlsx", f"rekap-{within or 'semua'}.xlsx", lambda p: write_recap_xlsx(recs, p)
    )


@router.get("/unduh/laporan.pdf")
def report_pdf(c: Ctx = Depends(ctx), wilayah: str = Query("")):
    """The region report (key figures, burn-down, recap of the level below) as a PDF."""
    assert c.who is not None
    from padan.reports.pdf import write_kabupaten_pdf

    within = _within(c, wilayah)
    level = LEVELS[LEVELS.index(_level(within)) + 1] if within else "kabupaten"
    rec = data.get_recap(c.db, c.settings.pemilihan, level, within, c.who.kode_kab)
    prog = data.get_progress(c.db, c.settings.pemilihan, within, c.who.kode_kab)
    c.audit("unduh_laporan", f"pdf {within or 'semua'}")
    return _file_response(
        ".pdf", f"laporan-{within or 'semua'}.pdf", lambda p: write_kabupaten_pdf(p, rec, prog)
    )


@router.get("/unduh/daftar-kerja.{fmt}")
def worklist_file(fmt: str, c: Ctx = Depends(ctx), wilayah: str = Query(...)):
    """The field worklist as XLSX or PDF (NIK masked)."""
    assert c.who is not None
    if fmt not in ("xlsx", "pdf"):
        raise not_found("Format")
    c.need(c.who.sees_personal, "Peran pemantau tidak boleh mengunduh data pribadi.")
    code = _code(wilayah)
    c.region(code)
    rows = data.worklist_rows(c.db, c.settings.pemilihan, code, c.who.kode_kab)
    src = data.source(c.db, c.settings.pemilihan)
    title = f"Daftar jemput bola - {region_name(code)}"
    line = src.line() if src else ""
    c.audit(
        "unduh_daftar_kerja",
        f"wilayah {code}",
        f"{fmt}; {len(rows)} pemilih (NIK tersamar)",
        kab=code[:4] if len(code) >= 4 else None,
    )
    if fmt == "xlsx":
        from padan.reports.xlsx import write_worklist_xlsx

        return _file_response(".xlsx", f"daftar-jemput-bola-{code}.xlsx",
                              lambda p: write_worklist_xlsx(rows, p, title=title, source_line=line))  # fmt: skip
    from padan.reports.pdf import write_worklist_pdf

    return _file_response(".pdf", f"daftar-jemput-bola-{code}.pdf",
                          lambda p: write_worklist_pdf(rows, p, title=title, source_line=line))  # fmt: skip


@router.get("/unduh/grafik.{fmt}")
def chart(fmt: str, c: Ctx = Depends(ctx), wilayah: str = Query("")):
    assert c.who is not None
    if fmt not in ("svg", "png"):
        raise not_found("Format")
    within = _within(c, wilayah)
    prog = data.get_progress(c.db, c.settings.pemilihan, within, c.who.kode_kab)
    spec = data.burndown_spec(prog)
    spec = {**spec, "width": 720} if spec.get("width") == "container" else spec
    import vl_convert as vlc

    name = f"grafik-{within or 'semua'}.{fmt}"
    disp = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "svg":
        return Response(vlc.vegalite_to_svg(spec), media_type="image/svg+xml", headers=disp)
    return Response(vlc.vegalite_to_png(spec, scale=2), media_type="image/png", headers=disp)


# -- audit ------------------------------------------------------------------------------------
@router.get("/audit", response_class=HTMLResponse)
def audit_page(c: Ctx = Depends(ctx), hal: int = Query(1, ge=1)):
    assert c.who is not None
    c.need(c.who.peran != "pemantau", "Peran pemantau tidak membuka log audit.")
    entries = auth.audit_entries(c.db, c.who, limit=100, offset=(hal - 1) * 100)
    return page(c, "audit.html", nav="audit", entries=entries, hal=hal)


# -- admin ------------------------------------------------------------------------------------
def _admin_page(
    c: Ctx, message: str | None = None, error: str | None = None, token: str | None = None
):
    kabs = [wilayah.get(k) for k in c.settings.profile.regions]
    return page(
        c,
        "admin.html",
        nav="admin",
        users=auth.list_users(c.db),
        tokens=auth.list_tokens(c.db),
        kabs=[k for k in kabs if k],
        message=message,
        error=error,
        token=token,
        http_status=400 if error else 200,
    )


@router.get("/admin", response_class=HTMLResponse)
def admin_page(c: Ctx = Depends(ctx)):
    assert c.who is not None
    c.need(c.who.is_admin, "Halaman ini hanya untuk admin.")
    return _admin_page(c)


@router.post("/admin/pengguna", response_class=HTMLResponse)
def admin_add_user(
    c: Ctx = Depends(post_ctx),
    username: str = Form(...),
    password: str = Form(...),
    peran: str = Form(...),
    kabupaten: str = Form(""),
):
    assert c.who is not None
    c.need(c.who.is_admin, "Halaman ini hanya untuk admin.")
    try:
        auth.add_user(c.db, username, password, peran, kabupaten or None)
    except PadanError as exc:
        return _admin_page(c, error=exc.message)
    c.audit("tambah_pengguna", username, f"peran {peran} {kabupaten}".strip())
    return _admin_page(c, message=f"Pengguna {username} ditambahkan.")


@router.post("/admin/pengguna/{username}/status", response_class=HTMLResponse)
def admin_user_status(username: str, c: Ctx = Depends(post_ctx), aktif: bool = Form(False)):
    assert c.who is not None
    c.need(c.who.is_admin, "Halaman ini hanya untuk admin.")
    if username == c.who.name and not aktif:
        return _admin_page(c, error="Anda tidak bisa menonaktifkan akun sendiri.")
    auth.set_active(c.db, username, aktif)
    c.audit("ubah_pengguna", username, "aktif" if aktif else "nonaktif (sesi diakhiri)")
    return _admin_page(
        c, message=f"Pengguna {username} {'diaktifkan' if aktif else 'dinonaktifkan'}."
    )


@router.post("/admin/token", response_class=HTMLResponse)
def admin_add_token(
    c: Ctx = Depends(post_ctx),
    sistem: str = Form(...),
    peran: str = Form(...),
    kabupaten: str = Form(""),
):
    assert c.who is not None
    c.need(c.who.is_admin, "Halaman ini hanya untuk admin.")
    try:
        token = auth.add_token(c.db, sistem.strip(), peran, kabupaten or None)
    except PadanError as exc:
        return _admin_page(c, error=exc.message)
    c.audit("tambah_token", sistem, f"peran {peran} {kabupaten}".strip())
    return _admin_page(
        c,
        message=f"Token untuk {sistem} dibuat. Salin sekarang: token tidak ditampilkan lagi.",
        token=token,
    )


@router.post("/admin/token/{token_id}/cabut", response_class=HTMLResponse)
def admin_revoke_token(token_id: int, c: Ctx = Depends(post_ctx)):
    assert c.who is not None
    c.need(c.who.is_admin, "Halaman ini hanya untuk admin.")
    auth.revoke_token(c.db, token_id)
    c.audit("cabut_token", f"token #{token_id}")
    return _admin_page(c, message=f"Token #{token_id} dicabut.")


def _esc(s: str) -> str:
    from markupsafe import escape

    return str(escape(s))
