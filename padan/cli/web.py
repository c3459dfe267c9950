"""``padan serve``, ``padan user`` and ``padan token``: the web dashboard and its accounts."""

from __future__ import annotations

import sys

import click

from padan.cli.options import pemilihan_option, workspace_option
from padan.errors import PadanError


def _open(workspace: str):
    from padan.workspace import open_workspace

    return open_workspace(workspace)


def _read_password(stdin: bool) -> str:
    if stdin:
        line = sys.stdin.readline().rstrip("\n")
        if not line:
            raise PadanError("PASSWORD_EMPTY", "Kata sandi kosong dibaca dari stdin.")
        return line
    return click.prompt("Kata sandi", hide_input=True, confirmation_prompt="Ulangi kata sandi")


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Alamat yang didengarkan (0.0.0.0: semua antarmuka).",
)
@click.option("--port", default=8000, show_default=True, type=int, help="Port HTTP.")
@click.option("--secure-cookie/--no-secure-cookie", default=False, show_default=True,
              help="Tandai cookie sesi Secure (wajib bila server di belakang HTTPS).")  # fmt: skip
@workspace_option
@pemilihan_option
def serve(host: str, port: int, secure_cookie: bool, workspace: str, pemilihan: str) -> None:
    """Jalankan dasbor web dan API padan.

    Server memegang workspace selama berjalan: impor dan pemadanan dilakukan lewat halaman
    Unggah atau API, bukan lewat baris perintah lain.
    """
    import uvicorn

    from padan.web import create_app, data

    engine = _open(workspace)
    try:
        app = create_app(engine, pemilihan=pemilihan, secure_cookies=secure_cookie)
        counts = data.has_data(engine)
        users = engine.one("SELECT count(*) FROM users")
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
        click.secho(f"padan: dasbor di http://{shown}:{port}/  (workspace {workspace})", fg="green")
        if not users or not users[0]:
            click.secho(
                "Belum ada pengguna. Buat admin dulu (server perlu dihentikan):", fg="yellow"
            )
            click.echo(f"  padan user add admin --peran admin --workspace {workspace}")
        if not counts["match"]:
            click.secho(
                "Workspace belum berisi hasil pemadanan. Setelah masuk, buka halaman Unggah:",
                fg="yellow",
            )
            click.echo("  1. unggah DPT (Sidalih, CSV/XLSX)")
            click.echo("  2. unggah data Dukcapil (SIAK) dengan tanggal snapshot-nya")
            click.echo("  pemadanan berjalan otomatis setelah keduanya ada.")
            click.echo(
                "Atau, dengan server berhenti: padan import dpt ..., padan import registry ..., padan match"
            )
        click.echo("Tekan Ctrl+C untuk berhenti.")
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
    finally:
        engine.close()


@click.group("user")
def user() -> None:
    """Kelola pengguna dasbor web (peran dan wilayahnya)."""


@user.command("add")
@click.argument("name")
@click.option("--peran", required=True, type=click.Choice(["admin", "provinsi", "kpu_kabupaten", "dukcapil_kabupaten", "pemantau"]),
              help="Peran pengguna (lihat docs/web.md).")  # fmt: skip
@click.option(
    "--kabupaten",
    default=None,
    help="Kode kabupaten/kota (4 angka) untuk peran *_kabupaten, misalnya 7371.",
)
@click.option(
    "--kata-sandi-stdin", "stdin", is_flag=True, help="Baca kata sandi dari stdin (untuk skrip)."
)
@workspace_option
def user_add(name: str, peran: str, kabupaten: str | None, stdin: bool, workspace: str) -> None:
    """Tambah pengguna NAME dengan peran tertentu."""
    from padan.web import auth

    password = _read_password(stdin)
    with _open(workspace) as engine:
        auth.add_user(engine, name, password, peran, kabupaten)
        auth.audit(
            engine,
            None,
            "tambah_pengguna",
            name,
            f"peran {peran} {kabupaten or ''} (CLI)".strip(),
            actor="cli",
        )
    click.echo(f"Pengguna {name} ({peran}{' ' + kabupaten if kabupaten else ''}) ditambahkan.")


@user.command("list")
@workspace_option
def user_list(workspace: str) -> None:
    """Daftar pengguna."""
    from padan.web import auth

    with _open(workspace) as engine:
        users = auth.list_users(engine)
    if not users:
        click.echo("Belum ada pengguna. Tambah dengan: padan user add NAMA --peran admin")
        return
    click.echo(f"{'PENGGUNA':<20} {'PERAN':<20} {'KAB/KOTA':<9} AKTIF")
    for u in users:
        click.echo(
            f"{u['username']:<20} {u['peran']:<20} {u['kode_kab'] or 'semua':<9} {'ya' if u['active'] else 'tidak'}"
        )


@user.command("passwd")
@click.argument("name")
@click.option(
    "--kata-sandi-stdin", "stdin", is_flag=True, help="Baca kata sandi dari stdin (untuk skrip)."
)
@workspace_option
def user_passwd(name: str, stdin: bool, workspace: str) -> None:
    """Ganti kata sandi NAME (semua sesinya diakhiri)."""
    from padan.web import auth

    password = _read_password(stdin)
    with _open(workspace) as engine:
        auth.set_password(engine, name, password)
        auth.audit(engine, None, "ganti_kata_sandi", name, "CLI", actor="cli")
    click.echo(f"Kata sandi {name} diganti; sesi yang ada diakhiri.")


@user.command("disable")
@click.argument("name")
@workspace_option
def user_disable(name: str, workspace: str) -> None:
    """Nonaktifkan NAME dan akhiri sesinya."""
    from padan.web import auth

    with _open(workspace) as engine:
        auth.set_active(engine, name, False)
        auth.audit(engine, None, "ubah_pengguna", name, "nonaktif (CLI)", actor="cli")
    click.echo(f"Pengguna {name} dinonaktifkan.")


@click.group("token")
def token() -> None:
    """Kelola token API untuk sistem lain (misalnya SIAK Disdukcapil)."""


@token.command("add")
@click.argument("system")
@click.option("--peran", required=True, type=click.Choice(["admin", "provinsi", "kpu_kabupaten", "dukcapil_kabupaten", "pemantau"]),
              help="Peran token; aturan peran dan wilayah sama dengan pengguna.")  # fmt: skip
@click.option("--kabupaten", default=None, help="Kode kabupaten/kota untuk peran *_kabupaten.")
@workspace_option
def token_add(system: str, peran: str, kabupaten: str | None, workspace: str) -> None:
    """Buat token API untuk SYSTEM (ditampilkan sekali saja)."""
    from padan.web import auth

    with _open(workspace) as engine:
        tok = auth.add_token(engine, system, peran, kabupaten)
        auth.audit(
            engine,
            None,
            "tambah_token",
            system,
            f"peran {peran} {kabupaten or ''} (CLI)".strip(),
            actor="cli",
        )
    click.echo(f"Token untuk {system} ({peran}). Simpan sekarang, tidak akan ditampilkan lagi:")
    click.echo(tok)
    click.echo("Pakai sebagai header:  Authorization: Bearer <token>")


@token.command("list")
@workspace_option
def token_list(workspace: str) -> None:
    """Daftar token API (tanpa nilai token)."""
    from padan.web import auth

    with _open(workspace) as engine:
        tokens = auth.list_tokens(engine)
    if not tokens:
        click.echo("Belum ada token.")
    for t in tokens:
        click.echo(
            f"#{t['token_id']:<4} {t['system']:<20} {t['prefix']}… {t['peran']:<20} {t['kode_kab'] or 'semua':<6} {'aktif' if t['active'] else 'dicabut'}"
        )


@token.command("revoke")
@click.argument("token_id", type=int)
@workspace_option
def token_revoke(token_id: int, workspace: str) -> None:
    """Cabut token nomor TOKEN_ID."""
    from padan.web import auth

    with _open(workspace) as engine:
        auth.revoke_token(engine, token_id)
        auth.audit(engine, None, "cabut_token", f"token #{token_id}", "CLI", actor="cli")
    click.echo(f"Token #{token_id} dicabut.")


commands: list[click.Command] = [serve, user, token]
