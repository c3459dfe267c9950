"""Users, roles, sessions, API tokens and the audit log.

Roles decide what a person sees; the region restriction (``kode_kab``) decides where. Both are
checked on the server for every page and endpoint through :class:`Principal`, never trusted
from the browser. Passwords are argon2id hashes; sessions and tokens are random secrets of
which only a sha256 is stored, so a leaked database does not yield a usable session or token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from padan.engine import Engine
from padan.errors import PadanError
from padan.reference import wilayah

ROLES: dict[str, str] = {
    "admin": "Administrator: semua wilayah, kelola pengguna, boleh melihat NIK lengkap",
    "provinsi": "Provinsi (KPU/Disdukcapil provinsi): semua wilayah, NIK tersamar",
    "kpu_kabupaten": "KPU kabupaten/kota: hanya kabupaten/kota sendiri, NIK tersamar",
    "dukcapil_kabupaten": "Disdukcapil kabupaten/kota: hanya kabupaten/kota sendiri, boleh melihat NIK lengkap",
    "pemantau": "Pemantau: hanya angka rekap, tanpa data pribadi",
}
KAB_ROLES = ("kpu_kabupaten", "dukcapil_kabupaten")
SESSION_HOURS = 8
SESSION_IDLE_MINUTES = 60
LOGIN_WINDOW_MINUTES = 15
LOGIN_MAX_FAILURES = 5

_hasher = PasswordHasher()


@dataclass(frozen=True)
class Principal:
    """Who is asking: a logged-in user or an API token's system."""

    name: str
    peran: str
    kode_kab: str | None = None
    user_id: int | None = None
    csrf_token: str | None = None
    via_token: bool = False

    @property
    def actor(self) -> str:
        return f"token:{self.name}" if self.via_token else self.name

    @property
    def all_regions(self) -> bool:
        return self.kode_kab is None

    @property
    def sees_personal(self) -> bool:
        """Voter lists, review queue, worklists: everyone but pemantau."""
        return self.peran != "pemantau"

    @property
    def sees_full_nik(self) -> bool:
        """Full NIK on request, always audited: admin and Disdukcapil kabupaten (the NIK is theirs)."""
        return self.peran in ("admin", "dukcapil_kabupaten")

    @property
    def may_review(self) -> bool:
        return self.peran in ("admin", "provinsi", "kpu_kabupaten", "dukcapil_kabupaten")

    @property
    def may_upload(self) -> bool:
        """Imports and match runs cover the whole province: admin and provinsi only."""
        return self.peran in ("admin", "provinsi")

    @property
    def is_admin(self) -> bool:
        return self.peran == "admin"

    def allows(self, code: str | None) -> bool:
        """May this principal see the region ``code`` (any level, or a TPS key)?"""
        if self.kode_kab is None:
            return True
        if not code:
            return False
        return code.startswith(self.kode_kab)


# -- passwords and users ---------------------------------------------------------------
def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _check_role(peran: str, kode_kab: str | None) -> str | None:
    if peran not in ROLES:
        raise PadanError(
            "ROLE_UNKNOWN",
            f"Peran {peran!r} tidak dikenal.",
            hint="Peran yang ada: " + ", ".join(ROLES),
        )
    if peran in KAB_ROLES:
        if not kode_kab:
            raise PadanError(
                "ROLE_NEEDS_KABUPATEN",
                f"Peran {peran} harus diberi kabupaten/kota.",
                hint="Tambahkan --kabupaten KODE, misalnya --kabupaten 7371.",
            )
        code = wilayah.undotted(kode_kab)
        region = wilayah.get(code)
        if region is None or region.level != "kabupaten":
            raise PadanError(
                "KABUPATEN_UNKNOWN",
                f"Kode kabupaten/kota {kode_kab!r} tidak dikenal.",
                hint="Pakai kode 4 angka, misalnya 7371 (Kota Makassar).",
            )
        return code
    if kode_kab:
        raise PadanError(
            "ROLE_NO_KABUPATEN",
            f"Peran {peran} berlaku untuk semua wilayah; --kabupaten tidak dipakai.",
        )
    return None


def _check_password(password: str) -> None:
    if len(password) < 10:
        raise PadanError(
            "PASSWORD_TOO_SHORT",
            "Kata sandi terlalu pendek (minimal 10 karakter).",
        )


def add_user(
    engine: Engine, username: str, password: str, peran: str, kode_kab: str | None = None
) -> int:
    """Create a user; raises ``USER_EXISTS`` when the name is taken."""
    kab = _check_role(peran, kode_kab)
    _check_password(password)
    username = username.strip()
    if not username or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise PadanError(
            "USERNAME_INVALID",
            f"Nama pengguna {username!r} tidak valid.",
            hint="Pakai huruf, angka, titik, garis bawah atau tanda hubung.",
        )
    if engine.one("SELECT 1 FROM users WHERE username = ?", [username]):
        raise PadanError("USER_EXISTS", f"Pengguna {username!r} sudah ada.")
    row = engine.one(
        "INSERT INTO users (user_id, username, password_hash, peran, kode_kab)"
        " VALUES (nextval('web_user_id_seq'), ?, ?, ?, ?) RETURNING user_id",
        [username, hash_password(password), peran, kab],
    )
    assert row is not None
    return int(row[0])


def set_password(engine: Engine, username: str, password: str) -> None:
    """Change a password and end that user's sessions."""
    _check_password(password)
    row = engine.one("SELECT user_id FROM users WHERE username = ?", [username])
    if row is None:
        raise PadanError("USER_UNKNOWN", f"Pengguna {username!r} tidak ada.")
    engine.execute(
        "UPDATE users SET password_hash = ?, password_changed_at = current_timestamp WHERE user_id = ?",
        [hash_password(password), row[0]],
    )
    engine.execute("DELETE FROM sessions WHERE user_id = ?", [row[0]])


def set_active(engine: Engine, username: str, active: bool) -> None:
    row = engine.one("SELECT user_id FROM users WHERE username = ?", [username])
    if row is None:
        raise PadanError("USER_UNKNOWN", f"Pengguna {username!r} tidak ada.")
    engine.execute("UPDATE users SET active = ? WHERE user_id = ?", [active, row[0]])
    if not active:
        engine.execute("DELETE FROM sessions WHERE user_id = ?", [row[0]])


def list_users(engine: Engine) -> list[dict]:
    cols = ("user_id", "username", "peran", "kode_kab", "active", "created_at")
    return [
        dict(zip(cols, r, strict=True))
        for r in engine.rows(f"SELECT {', '.join(cols)} FROM users ORDER BY username")
    ]


def ensure_demo_users(engine: Engine) -> list[tuple[str, str, str, str | None]]:
    """Create (or reset) one demo user per role; returns ``(user, password, role, kab)``.

    For ``padan demo`` only: the passwords are printed to the console of the person running it.
    """
    demo = [
        ("admin", "admin", None),
        ("provinsi", "provinsi", None),
        ("kpu_makassar", "kpu_kabupaten", "7371"),
        ("dukcapil_gowa", "dukcapil_kabupaten", "7306"),
        ("pemantau", "pemantau", None),
    ]
    out = []
    for username, peran, kab in demo:
        password = f"demo-{username}-{secrets.token_hex(3)}"
        if engine.one("SELECT 1 FROM users WHERE username = ?", [username]):
            set_password(engine, username, password)
            engine.execute(
                "UPDATE users SET peran = ?, kode_kab = ?, active = true WHERE username = ?",
                [peran, kab, username],
            )
        else:
            add_user(engine, username, password, peran, kab)
        out.append((username, password, peran, kab))
    return out


# -- login, rate limit, sessions -------------------------------------------------------
def _sha(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()


def login_blocked(engine: Engine, username: str, client: str) -> bool:
    """Too many failed attempts for this name or from this address in the window."""
    row = engine.one(
        "SELECT count(*) FILTER (WHERE username = ?), count(*) FILTER (WHERE client = ?)"
        " FROM login_attempts WHERE NOT ok AND at_time > current_timestamp - to_minutes(?)",
        [username, client, LOGIN_WINDOW_MINUTES],
    )
    by_name, by_client = row if row else (0, 0)
    return by_name >= LOGIN_MAX_FAILURES or by_client >= LOGIN_MAX_FAILURES * 4


def authenticate(engine: Engine, username: str, password: str, client: str) -> Principal:
    """Check a password (rate-limited); raises ``LOGIN_FAILED`` or ``LOGIN_BLOCKED``."""
    if login_blocked(engine, username, client):
        raise PadanError(
            "LOGIN_BLOCKED",
            f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {LOGIN_WINDOW_MINUTES} menit.",
        )
    row = engine.one(
        "SELECT user_id, password_hash, peran, kode_kab, active FROM users WHERE username = ?",
        [username],
    )
    ok = bool(row and row[4] and verify_password(row[1], password))
    engine.execute(
        "INSERT INTO login_attempts (username, client, ok) VALUES (?, ?, ?)", [username, client, ok]
    )
    if not ok or row is None:
        raise PadanError("LOGIN_FAILED", "Nama pengguna atau kata sandi salah.")
    return Principal(name=username, peran=row[2], kode_kab=row[3], user_id=row[0])


def create_session(engine: Engine, user_id: int) -> str:
    """A new session; returns the secret id for the cookie (only its hash is stored)."""
    sid = secrets.token_urlsafe(32)
    engine.execute(
        "INSERT INTO sessions (session_id, user_id, csrf_token, expires_at)"
        " VALUES (?, ?, ?, current_timestamp + to_hours(?))",
        [_sha(sid), user_id, secrets.token_urlsafe(32), SESSION_HOURS],
    )
    return sid


def session_principal(engine: Engine, sid: str) -> Principal | None:
    """The user of a live session (absolute and idle expiry), touching ``last_seen``."""
    row = engine.one(
        "SELECT u.user_id, u.username, u.peran, u.kode_kab, s.csrf_token, s.session_id"
        " FROM sessions s JOIN users u USING (user_id)"
        " WHERE s.session_id = ? AND u.active AND s.expires_at > current_timestamp"
        " AND s.last_seen > current_timestamp - to_minutes(?)",
        [_sha(sid), SESSION_IDLE_MINUTES],
    )
    if row is None:
        return None
    engine.execute(
        "UPDATE sessions SET last_seen = current_timestamp WHERE session_id = ?"
        " AND last_seen < current_timestamp - INTERVAL 30 SECOND",
        [row[5]],
    )
    return Principal(name=row[1], peran=row[2], kode_kab=row[3], user_id=row[0], csrf_token=row[4])


def end_session(engine: Engine, sid: str) -> None:
    engine.execute("DELETE FROM sessions WHERE session_id = ?", [_sha(sid)])


def purge_expired(engine: Engine) -> None:
    engine.execute("DELETE FROM sessions WHERE expires_at <= current_timestamp")
    engine.execute("DELETE FROM login_attempts WHERE at_time < current_timestamp - INTERVAL 1 DAY")


# -- API tokens ------------------------------------------------------------------------
def add_token(engine: Engine, system: str, peran: str, kode_kab: str | None = None) -> str:
    """Create an API token for a system; returns the token (shown once, only its hash kept)."""
    kab = _check_role(peran, kode_kab)
    token = "padan_" + secrets.token_urlsafe(32)
    engine.execute(
        "INSERT INTO api_tokens (token_id, system, token_hash, prefix, peran, kode_kab)"
        " VALUES (nextval('api_token_id_seq'), ?, ?, ?, ?, ?)",
        [system, _sha(token), token[:10], peran, kab],
    )
    return token


def revoke_token(engine: Engine, token_id: int) -> None:
    engine.execute("UPDATE api_tokens SET active = false WHERE token_id = ?", [token_id])


def list_tokens(engine: Engine) -> list[dict]:
    cols = (
        "token_id",
        "system",
        "prefix",
        "peran",
        "kode_kab",
        "active",
        "created_at",
        "last_used",
    )
    return [
        dict(zip(cols, r, strict=True))
        for r in engine.rows(f"SELECT {', '.join(cols)} FROM api_tokens ORDER BY token_id")
    ]


def token_principal(engine: Engine, token: str) -> Principal | None:
    row = engine.one(
        "SELECT token_id, system, peran, kode_kab FROM api_tokens WHERE token_hash = ? AND active",
        [_sha(token)],
    )
    if row is None:
        return None
    engine.execute(
        "UPDATE api_tokens SET last_used = current_timestamp WHERE token_id = ?", [row[0]]
    )
    return Principal(name=row[1], peran=row[2], kode_kab=row[3], via_token=True)


# -- audit -----------------------------------------------------------------------------
def audit(
    engine: Engine,
    who: Principal | None,
    action: str,
    target: str | None = None,
    detail: str | None = None,
    *,
    kode_kab: str | None = None,
    client: str | None = None,
    actor: str | None = None,
) -> None:
    """Append to the audit log. ``target``/``detail`` must never hold a full NIK."""
    engine.execute(
        "INSERT INTO audit_log (audit_id, actor, peran, kode_kab, action, target, detail, client)"
        " VALUES (nextval('audit_id_seq'), ?, ?, ?, ?, ?, ?, ?)",
        [
            actor or (who.actor if who else None),
            who.peran if who else None,
            kode_kab or (who.kode_kab if who else None),
            action,
            target,
            detail,
            client,
        ],
    )


def audit_entries(engine: Engine, who: Principal, limit: int = 200, offset: int = 0) -> list[dict]:
    """Audit entries this principal may read (kabupaten users: their own kabupaten)."""
    cols = ("at_time", "actor", "peran", "kode_kab", "action", "target", "detail", "client")
    where, params = "", []
    if who.kode_kab:
        where, params = "WHERE kode_kab = ?", [who.kode_kab]
    return [
        dict(zip(cols, r, strict=True))
        for r in engine.rows(
            f"SELECT {', '.join(cols)} FROM audit_log {where} ORDER BY audit_id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
    ]


def now() -> dt.datetime:
    return dt.datetime.now()
