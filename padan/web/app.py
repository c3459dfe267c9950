"""The FastAPI application: server-rendered pages (Jinja2 + htmx) and a JSON API.

Everything the browser loads is served from ``padan/web/static`` (no CDN, no internet). The
app owns the workspace engine for as long as it runs; each request gets its own cursor.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from itsdangerous import Signer
from starlette.exceptions import HTTPException as StarletteHTTPException

from padan import __version__
from padan.engine import Engine
from padan.errors import PadanError
from padan.reference.profiles import DEFAULT_PROFILE, load_profile
from padan.web import auth
from padan.web.deps import STATUS, LoginRequired, Settings
from padan.web.jobs import JobRunner
from padan.web.render import templates

log = logging.getLogger("padan.web")
STATIC_DIR = Path(__file__).parent / "static"

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    # vega compiles its expressions with Function(): 'unsafe-eval', but no inline scripts.
    "script-src 'self' 'unsafe-eval'; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)


def _secret(engine: Engine) -> str:
    row = engine.one("SELECT value FROM web_settings WHERE key = 'cookie_secret'")
    if row:
        return row[0]
    value = secrets.token_urlsafe(48)
    engine.execute("INSERT INTO web_settings VALUES ('cookie_secret', ?)", [value])
    return value


def create_app(
    engine: Engine,
    *,
    pemilihan: str = DEFAULT_PROFILE,
    secure_cookies: bool = False,
    upload_dir: Path | None = None,
) -> FastAPI:
    """The web app over an open workspace ``engine`` (see :func:`padan.workspace.open_workspace`).

    The caller keeps ownership of the engine; the app stops its job worker on shutdown.
    """
    profile = load_profile(pemilihan)
    auth.purge_expired(engine)
    jobs = JobRunner(engine)
    settings = Settings(
        engine=engine,
        pemilihan=profile.name,
        profile=profile,
        signer=Signer(_secret(engine), salt="padan-sesi"),
        jobs=jobs,
        # a private folder (mode 0700) per server; uploads are deleted after their import
        upload_dir=upload_dir or Path(tempfile.mkdtemp(prefix="padan-unggah-")),
        secure_cookies=secure_cookies,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        jobs.shutdown()
        if upload_dir is None:
            shutil.rmtree(settings.upload_dir, ignore_errors=True)

    app = FastAPI(
        title="padan API",
        version=__version__,
        description="Pemadanan DPT dengan data kependudukan: rekap, kemajuan, status pemilih, unggah data Dukcapil.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN: not served (no internet at run time)
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    from padan.web import api, pages

    app.include_router(pages.router)
    app.include_router(api.router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "no-referrer")
        if not request.url.path.startswith("/static/"):
            h.setdefault("Cache-Control", "no-store")
        return response

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def error_page(request: Request, status: int, code: str, message: str, hint: str | None = None):
        if is_api(request):
            return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
        if request.headers.get("hx-request"):
            return HTMLResponse(
                f'<div class="alert alert-error" role="alert">{_esc(message)}</div>',
                status_code=status,
            )
        who = getattr(request.state, "who", None)
        return templates.TemplateResponse(
            request,
            "error.html",
            {
                "status": status,
                "code": code,
                "message": message,
                "hint": hint,
                "who": who,
                "csrf": who.csrf_token if who else "",
                "pemilihan": settings.profile,
                "nav": "",
            },
            status_code=status,
        )

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired):
        if is_api(request):
            return error_page(
                request, 401, "BELUM_MASUK", "Masuk dulu atau kirim token API (Bearer)."
            )
        if request.headers.get("hx-request"):
            resp = HTMLResponse("", status_code=401)
            resp.headers["HX-Redirect"] = "/login"
            return resp
        target = request.url.path
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(PadanError)
    async def padan_error(request: Request, exc: PadanError):
        return error_page(request, STATUS.get(exc.code, 400), exc.code, exc.message, exc.hint)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = {404: "TIDAK_DITEMUKAN", 405: "METODE_TIDAK_DIIZINKAN"}.get(exc.status_code, "HTTP")
        message = {404: "Halaman atau data tidak ditemukan.", 405: "Metode tidak diizinkan."}.get(
            exc.status_code, str(exc.detail)
        )
        return error_page(request, exc.status_code, code, message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        parts = []
        for e in exc.errors()[:5]:
            where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path"))
            parts.append(f"{where}: {e.get('msg')}")
        return error_page(
            request, 422, "INPUT_TIDAK_VALID", "Masukan tidak valid: " + "; ".join(parts)
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return error_page(
            request, 500, "KESALAHAN_SERVER", "Terjadi kesalahan di server. Lihat log server."
        )

    return app


def _esc(s: str) -> str:
    from markupsafe import escape

    return str(escape(s))
