"""``padan import dpt|registry`` and ``padan imports`` (riwayat impor)."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click

from padan.cli.options import pemilihan_option, workspace_option
from padan.recap.formatting import format_int as N

STAGES = {
    "hash": "Memeriksa berkas",
    "normalisasi": "Normalisasi",
    "simpan": "Menyimpan ke workspace",
}


class _Progress:
    """A progress bar driven by bytes read, then one line per later stage (on stderr)."""

    def __init__(self) -> None:
        self.bar = None
        self.done = 0
        self.t0 = time.perf_counter()

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage == "baca" and total:
            if self.bar is None:
                self.bar = click.progressbar(length=total, label="Membaca berkas", file=sys.stderr)
                self.bar.__enter__()
            self.bar.update(done - self.done)
            self.done = done
            return
        self.close()
        click.echo(
            f"[{time.perf_counter() - self.t0:6.1f} d] {STAGES.get(stage, stage)} ...", err=True
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _mapping(kolom: tuple[str, ...], peta_kolom: str | None) -> dict[str, str] | None:
    from padan.ingest.columns import parse_mapping_items, read_mapping_file

    m: dict[str, str] = {}
    if peta_kolom:
        m.update(read_mapping_file(Path(peta_kolom)))
    m.update(parse_mapping_items(kolom))
    return m or None


def _common(f):
    f = click.option(
        "--kolom",
        multiple=True,
        metavar="KOLOM_PADAN=KOLOM_BERKAS",
        help="Peta kolom, misalnya --kolom NIK=NO_INDUK; boleh berulang.",
    )(f)
    f = click.option(
        "--peta-kolom",
        type=click.Path(exists=True, dir_okay=False),
        help="Berkas peta kolom: satu KOLOM_PADAN=KOLOM_BERKAS per baris.",
    )(f)
    f = click.option(
        "--oleh", help="Nama pengimpor yang dicatat (bawaan: pengguna sistem, $USER)."
    )(f)
    f = click.option(
        "--paksa", is_flag=True, help="Impor ulang walaupun berkas yang sama sudah pernah diimpor."
    )(f)
    f = click.option(
        "--ditolak",
        "rejects_dir",
        type=click.Path(file_okay=False),
        help="Folder untuk berkas baris ditolak (bawaan: folder workspace).",
    )(f)
    return workspace_option(f)


def echo_warnings(warnings, skip: tuple[str, ...] = ()) -> None:
    """A reader's warnings, each with up to 3 examples (codes in ``skip`` left out)."""
    for w in warnings:
        if w.code in skip:
            continue
        click.echo(f"  ! [{w.code}] {w.message}")
        for ex in w.examples[:3]:
            click.echo(f"      contoh: {ex}")


def _run(kind: str, files, workspace: str, rejects_dir: str | None, **kwargs) -> None:
    from padan.ingest import import_dpt, import_registry, write_rejects
    from padan.workspace import open_workspace

    progress = _Progress()
    engine = open_workspace(workspace)
    try:
        fn = import_dpt if kind == "dpt" else import_registry
        result = fn(engine, [Path(f) for f in files], progress=progress, **kwargs)
        progress.close()
        if result.skipped_duplicate:
            click.echo(
                f"Berkas ini sudah pernah diimpor (impor #{result.import_id}); tidak ada yang diubah. "
                "Pakai --paksa untuk mengimpor ulang."
            )
            return
        r = result.report
        click.echo(
            f"Impor #{result.import_id} ({'DPT' if kind == 'dpt' else 'data Dukcapil'}) selesai."
        )
        echo_warnings(r.warnings)
        if r.rejected:
            target = (
                Path(rejects_dir or Path(workspace).resolve().parent)
                / f"ditolak-impor-{result.import_id}.csv"
            )
            write_rejects(engine, result.import_id, target)
            click.echo(
                f"  Baris ditolak ({N(r.rejected)}) ditulis ke {target}: perbaiki lalu impor ulang."
            )
        click.echo(
            f"Dibaca {N(r.rows_read)} baris: diterima {N(r.accepted)}, ditolak {N(r.rejected)}."
        )
    finally:
        progress.close()
        engine.close()


@click.group("import")
def import_group() -> None:
    """Impor DPT (KPU) atau data kependudukan (Dukcapil) ke workspace."""


@import_group.command("dpt")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@pemilihan_option
@click.option(
    "--versi",
    default="DPT",
    show_default=True,
    help="Versi daftar pemilih: DPS, DPSHP, DPT, DPT-PERBAIKAN-1, ...",
)
@_common
def import_dpt_command(
    files, pemilihan, versi, kolom, peta_kolom, oleh, paksa, rejects_dir, workspace
):
    """Impor DPT dari CSV/XLSX, banyak berkas, folder atau zip.

    Setiap baris diterima atau ditolak dengan alasan; baris ditolak ditulis ke berkas CSV
    yang bisa diperbaiki lalu diimpor ulang.
    """
    _run(
        "dpt",
        files,
        workspace,
        rejects_dir,
        pemilihan=pemilihan,
        versi=versi,
        by=oleh,
        force=paksa,
        mapping=_mapping(kolom, peta_kolom),
    )


@import_group.command("registry")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--tanggal",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d", "%d-%m-%Y"]),
    help="Tanggal snapshot data Dukcapil (YYYY-MM-DD).",
)
@click.option(
    "--delta",
    is_flag=True,
    help="Berkas hanya berisi baris yang berubah sejak snapshot sebelumnya.",
)
@_common
def import_registry_command(
    files, tanggal, delta, kolom, peta_kolom, oleh, paksa, rejects_dir, workspace
):
    """Impor ekstrak data kependudukan (SIAK) per tanggal snapshot, penuh atau --delta."""
    _run(
        "registry",
        files,
        workspace,
        rejects_dir,
        tanggal=tanggal.date(),
        delta=delta,
        by=oleh,
        force=paksa,
        mapping=_mapping(kolom, peta_kolom),
    )


@click.command("imports")
@workspace_option
def imports_command(workspace):
    """Riwayat impor: versi DPT dan snapshot data Dukcapil, siapa, kapan, berapa baris."""
    from padan.ingest import list_imports
    from padan.workspace import open_workspace

    if not Path(workspace).is_file():  # nothing to list; do not create a workspace for it
        click.echo(f"Belum ada impor: workspace {workspace} belum ada.")
        return
    # Read-only: listing the history must not block (or be blocked by) other readers.
    engine = open_workspace(workspace, read_only=True)
    try:
        rows = list_imports(engine)
    finally:
        engine.close()
    if not rows:
        click.echo("Belum ada impor di workspace ini.")
        return
    click.echo(
        f"{'#':>4}  {'jenis':<9} {'versi/tanggal':<30} {'oleh':<12} {'waktu':<16} {'dibaca':>11} {'diterima':>11} {'ditolak':>8}  berkas"
    )
    for r in rows:
        if r["kind"] == "dpt":
            what = f"{r['versi']} {r['pemilihan'] or ''}".strip()
            kind = "DPT"
        else:
            d = r["snapshot_date"]
            what = (d.strftime("%d-%m-%Y") if isinstance(d, dt.date) else str(d)) + (
                " (delta)" if r["is_delta"] else ""
            )
            kind = "Dukcapil"
        when = r["imported_at"].strftime("%d-%m-%Y %H:%M") if r["imported_at"] else ""
        names = ", ".join(f["name"] for f in (r["files"] or []))
        if len(names) > 60:
            names = names[:57] + "..."
        click.echo(
            f"{r['import_id']:>4}  {kind:<9} {what[:30]:<30} {str(r['imported_by'] or '')[:12]:<12} {when:<16} "
            f"{N(r['rows_read']):>11} {N(r['accepted']):>11} {N(r['rejected']):>8}  {names}"
        )


commands: list[click.Command] = [import_group, imports_command]
