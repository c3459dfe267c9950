"""Per-request context: a database cursor, who is asking, and the checks every route uses."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Depends, Request
from itsdangerous import BadSignature, Signer

from padan.engine import Engine
from padan.errors import PadanError
from padan.reference.profiles import ElectionProfile
from padan.web import auth
from padan.web.jobs import JobRunner

SESSION_COOKIE = "padan_sesi"
PRELOGIN_COOKIE = "padan_pra"

# HTTP status for error codes raised by the web layer (anything else: 400).
STATUS = {
    "BELUM_MASUK": 401,
    "TOKEN_TIDAK_VALID": 401,
    "AKSES_DITOLAK": 403,
    "WILAYAH_DITOLAK": 403,
    "CSRF_TIDAK_VALID": 403,
    "TIDAK_DITEMUKAN": 404,
    "LOGIN_BLOCKED": 429,
    "LOGIN_FAILED": 401,
    "BELUM_ADA_PEMADANAN": 404,
    "WORKSPACE_BUSY": 503,
}


@dataclass
class Settings:
    engine: Engine
    pemilihan: str
    profile: ElectionProfile
    signer: Signer
    jobs: JobRunner
    upload_dir: Path
    secure_cookies: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class LoginRequired(Exception):
    """A page needs a session: redirect to /login (pages) or 401 (API)."""


def denied(message: str = "Anda tidak berhak membuka halaman ini.") -> PadanError:
    return PadanError("AKSES_DITOLAK", message)


def region_denied() -> PadanError:
    return PadanError(
        "WILAYAH_DITOLAK",
        "Wilayah ini di luar kabupaten/kota Anda.",
        hint="Akun kabupaten/kota hanya bisa membuka data kabupaten/kotanya sendiri.",
    )


def not_found(what: str = "Data") -> PadanError:
    return PadanError("TIDAK_DITEMUKAN", f"{what} tidak ditemukan.")


@dataclass
class Ctx:
    request: Request
    db: Engine
    settings: Settings
    who: auth.Principal | None = None

    @property
    def client(self) -> str:
        return self.request.client.host if self.request.client else "-"

    def need(self, ok: bool, message: str = "Anda tidak berhak melakukan ini.") -> None:
        if not ok:
            raise denied(message)

    def region(self, code: str | None) -> None:
        """Refuse a region outside the principal's kabupaten/kota (server-side, always)."""
        assert self.who is not None
        if not self.who.allows(code):
            raise region_denied()

    def audit(
        self,
        action: str,
        target: str | None = None,
        detail: str | None = None,
        kab: str | None = None,
    ):
        auth.audit(self.db, self.who, action, target, detail, kode_kab=kab, client=self.client)


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def _db(request: Request) -> Iterator[Engine]:
    cur = settings_of(request).engine.cursor()
    try:
        yield cur
    finally:
        cur.close()


def _principal(request: Request, db: Engine, s: Settings) -> auth.Principal | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        who = auth.token_principal(db, header[7:].strip())
        if who is None:
            raise PadanError("TOKEN_TIDAK_VALID", "Token API tidak valid atau sudah dicabut.")
        return who
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        sid = s.signer.unsign(raw).decode()
    except BadSignature:
        return None
    return auth.session_principal(db, sid)


def optional_ctx(request: Request) -> Iterator[Ctx]:
    s = settings_of(request)
    for db in _db(request):
        who = _principal(request, db, s)
        request.state.who = who  # for error pages drawn outside the route
        yield Ctx(request, db, s, who)


def ctx(request: Request) -> Iterator[Ctx]:
    """A logged-in user (or API token); anything else goes to the login page / 401."""
    for c in optional_ctx(request):
        if c.who is None:
            raise LoginRequired()
        yield c


async def csrf(request: Request) -> None:
    """Every state-changing request with a session cookie carries the session's CSRF token
    (form field ``csrf_token`` or header ``X-CSRF-Token``, which htmx sends). Bearer-token
    requests carry no cookie and are exempt."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    sent = request.headers.get("x-csrf-token")
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    request.state.csrf_sent = sent or ""


def check_csrf(c: Ctx) -> None:
    """Compare the token sent (collected by :func:`csrf`) with the session's."""
    if c.who is None or c.who.via_token or c.request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = getattr(c.request.state, "csrf_sent", "")
    if not (c.who.csrf_token and sent and hmac.compare_digest(sent, c.who.csrf_token)):
        raise PadanError(
            "CSRF_TIDAK_VALID",
            "Formulir kedaluwarsa atau tidak sah.",
            hint="Muat ulang halaman lalu coba lagi.",
        )


def post_ctx(c: Ctx = Depends(ctx), _: None = Depends(csrf)) -> Ctx:
    """:func:`ctx` for state-changing requests: the CSRF token must match."""
    check_csrf(c)
    return c
