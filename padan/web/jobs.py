"""Long work (imports, matches) started from the browser or the API.

The server is the one process holding the DuckDB file, so the work runs in a worker thread of
the server with its own cursor; pages keep answering meanwhile (DuckDB releases the GIL while
a query runs). One worker: imports and matches of one workspace run one after the other, never
at the same time. Progress goes to the ``jobs`` table, which the page polls with htmx.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from padan.engine import Engine
from padan.errors import PadanError

log = logging.getLogger("padan.web")

KIND_LABELS = {
    "impor_dpt": "Impor DPT",
    "impor_registry": "Impor data Dukcapil",
    "padan": "Pemadanan",
}
STATUS_LABELS = {
    "menunggu": "Menunggu giliran",
    "berjalan": "Berjalan",
    "selesai": "Selesai",
    "gagal": "Gagal",
}
STAGE_LABELS = {
    "hash": "Memeriksa berkas",
    "baca": "Membaca berkas",
    "persiapan": "Pemadanan: persiapan",
    "NIK": "Pemadanan: tahap NIK",
    "NIK_KOREKSI": "Pemadanan: koreksi NIK",
    "PROBABILISTIK": "Pemadanan: probabilistik",
    "konflik": "Pemadanan: menyelesaikan konflik",
    "ganda": "Pemadanan: mencari data ganda",
    "simpan": "Menyimpan ke workspace",
    "read": "Membaca berkas",
    "load": "Memuat baris",
    "normalize": "Menormalkan",
    "write": "Menyimpan",
    "match": "Memadankan",
}

Progress = Callable[[str, int, "int | None"], None]
Work = Callable[[Engine, Progress], dict]


class JobRunner:
    """Runs one job at a time in a worker thread; each job gets its own engine cursor."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="padan-job")
        self.futures: dict[int, Future] = {}
        self._lock = threading.Lock()
        cur = engine.cursor()
        try:
            cur.execute(
                "UPDATE jobs SET status = 'gagal', finished_at = current_timestamp,"
                " message = 'Server berhenti sebelum pekerjaan ini selesai; jalankan lagi.'"
                " WHERE status IN ('menunggu', 'berjalan')"
            )
        finally:
            cur.close()

    def submit(
        self, kind: str, by: str, work: Work, *, cleanup: Path | None = None, message: str = ""
    ) -> int:
        cur = self.engine.cursor()
        try:
            row = cur.one(
                "INSERT INTO jobs (job_id, kind, status, started_by, message)"
                " VALUES (nextval('job_id_seq'), ?, 'menunggu', ?, ?) RETURNING job_id",
                [kind, by, message or "Menunggu giliran"],
            )
        finally:
            cur.close()
        assert row is not None
        job_id = int(row[0])
        with self._lock:
            self.futures[job_id] = self.pool.submit(self._run, job_id, work, cleanup)
        return job_id

    def _run(self, job_id: int, work: Work, cleanup: Path | None) -> None:
        cur = self.engine.cursor()
        last = [0.0]

        def progress(stage: str, done: int, total: int | None) -> None:
            now = time.monotonic()
            if now - last[0] < 0.5:
                return
            last[0] = now
            try:
                cur.execute(
                    "UPDATE jobs SET stage = ?, done = ?, total = ? WHERE job_id = ?",
                    [stage, done, total, job_id],
                )
            except Exception:  # progress is best effort; the work itself must not fail
                log.debug("progress update failed", exc_info=True)

        try:
            cur.execute(
                "UPDATE jobs SET status = 'berjalan', started_at = current_timestamp,"
                " message = 'Sedang berjalan' WHERE job_id = ?",
                [job_id],
            )
            result = work(cur, progress)
            cur.execute(
                "UPDATE jobs SET status = 'selesai', finished_at = current_timestamp, message = ?,"
                " result = ? WHERE job_id = ?",
                [result.pop("message", "Selesai"), json.dumps(result, default=_jsonable), job_id],
            )
        except PadanError as exc:
            msg = exc.message + (f" Saran: {exc.hint}" if exc.hint else "")
            cur.execute(
                "UPDATE jobs SET status = 'gagal', finished_at = current_timestamp, message = ?,"
                " result = ? WHERE job_id = ?",
                [msg, json.dumps({"code": exc.code}), job_id],
            )
        except Exception as exc:  # an unexpected failure: keep the server up, tell the user
            log.exception("job %s failed", job_id)
            cur.execute(
                "UPDATE jobs SET status = 'gagal', finished_at = current_timestamp, message = ?"
                " WHERE job_id = ?",
                [
                    f"Terjadi kesalahan tak terduga ({type(exc).__name__}). Lihat log server.",
                    job_id,
                ],
            )
        finally:
            cur.close()
            if cleanup is not None:
                shutil.rmtree(cleanup, ignore_errors=True)

    def wait(self, job_id: int, timeout: float | None = None) -> None:
        """Block until a job is done (tests, API clients asking ``?wait=1``)."""
        fut = self.futures.get(job_id)
        if fut is not None:
            fut.result(timeout=timeout)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _jsonable(v: Any) -> Any:
    if isinstance(v, dt.date | dt.datetime):
        return v.isoformat()
    return str(v)


def get_job(engine: Engine, job_id: int) -> dict | None:
    cols = (
        "job_id", "kind", "status", "started_by", "created_at", "started_at", "finished_at",
        "stage", "done", "total", "message", "result",
    )  # fmt: skip
    row = engine.one(f"SELECT {', '.join(cols)} FROM jobs WHERE job_id = ?", [job_id])
    if row is None:
        return None
    job = dict(zip(cols, row, strict=True))
    job["result"] = json.loads(job["result"]) if job["result"] else {}
    job["kind_label"] = KIND_LABELS.get(job["kind"], job["kind"])
    job["status_label"] = STATUS_LABELS.get(job["status"], job["status"])
    job["stage_label"] = STAGE_LABELS.get(job["stage"] or "", job["stage"] or "")
    job["percent"] = (
        min(100, int(100 * job["done"] / job["total"])) if job["total"] and job["done"] else None
    )
    return job


def recent_jobs(engine: Engine, limit: int = 10) -> list[dict]:
    ids = [
        r[0] for r in engine.rows("SELECT job_id FROM jobs ORDER BY job_id DESC LIMIT ?", [limit])
    ]
    return [j for j in (get_job(engine, i) for i in ids) if j]


# -- the work itself (domain calls) ---------------------------------------------------------
def _import_result(res: Any) -> dict:
    rep = res.report
    return {
        "import_id": res.import_id,
        "rows_read": getattr(rep, "rows_read", None),
        "accepted": getattr(rep, "accepted", None),
        "rejected": getattr(rep, "rejected", None),
        "warnings": [str(getattr(w, "message", w)) for w in (getattr(rep, "warnings", None) or [])][
            :20
        ],
        "skipped_duplicate": bool(getattr(res, "skipped_duplicate", False)),
    }


def _has(engine: Engine, kind: str) -> bool:
    row = engine.one("SELECT count(*) FROM imports WHERE kind = ?", [kind])
    return bool(row and row[0])


def _match(engine: Engine, pemilihan: str, tanggal: dt.date | None, progress: Progress) -> int:
    from padan.linkage import run_workspace_match

    return int(run_workspace_match(engine, pemilihan=pemilihan, tanggal=tanggal, progress=progress))


def import_dpt_work(paths: list[Path], pemilihan: str, versi: str, by: str) -> Work:
    def work(engine: Engine, progress: Progress) -> dict:
        from padan.ingest import import_dpt

        res = import_dpt(engine, paths, pemilihan=pemilihan, versi=versi, by=by, progress=progress)
        out = _import_result(res)
        parts = [f"DPT diimpor: {out['accepted']} baris diterima, {out['rejected']} ditolak."]
        if out["skipped_duplicate"]:
            parts = ["Berkas ini sudah pernah diimpor; tidak diimpor lagi."]
        elif _has(engine, "registry"):
            out["match_id"] = _match(engine, pemilihan, None, progress)
            parts.append(f"Pemadanan #{out['match_id']} selesai.")
        out["message"] = " ".join(parts)
        return out

    return work


def import_registry_work(
    paths: list[Path], tanggal: dt.date, delta: bool, pemilihan: str, by: str
) -> Work:
    def work(engine: Engine, progress: Progress) -> dict:
        from padan.ingest import import_registry

        res = import_registry(engine, paths, tanggal=tanggal, delta=delta, by=by, progress=progress)
        out = _import_result(res)
        what = "Delta" if delta else "Snapshot"
        parts = [
            f"{what} Dukcapil per {tanggal.isoformat()}: {out['accepted']} baris diterima, {out['rejected']} ditolak."
        ]
        if out["skipped_duplicate"]:
            parts = ["Berkas ini sudah pernah diimpor; tidak diimpor lagi."]
        elif _has(engine, "dpt"):
            out["match_id"] = _match(engine, pemilihan, tanggal, progress)
            parts.append(f"Pemadanan #{out['match_id']} selesai.")
        out["message"] = " ".join(parts)
        return out

    return work


def match_work(pemilihan: str, tanggal: dt.date | None) -> Work:
    def work(engine: Engine, progress: Progress) -> dict:
        match_id = _match(engine, pemilihan, tanggal, progress)
        return {"match_id": match_id, "message": f"Pemadanan #{match_id} selesai."}

    return work
