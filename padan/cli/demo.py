"""`padan demo`: the whole job on a small synthetic Sulsel, then where to look."""

from __future__ import annotations

import time
from pathlib import Path

import click

from padan.cli.options import pemilihan_option
from padan.recap.formatting import format_int as _fmt


@click.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="padan-demo",
    show_default=True,
    help="Folder demo (data sintetis, workspace, laporan). Dibuat ulang bila berisi demo lama.",
)
@click.option(
    "--pemilih", type=int, default=30_000, show_default=True, help="Jumlah pemilih DPT sintetis."
)
@click.option(
    "--snapshots",
    type=int,
    default=6,
    show_default=True,
    help="Jumlah snapshot harian (delta) Dukcapil.",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Seed data sintetis.")
@pemilihan_option
@click.pass_context
def demo_cmd(ctx: click.Context, out: str, pemilih: int, snapshots: int, seed: int, pemilihan: str):
    """Demo lengkap: data sintetis Sulsel -> impor -> padan -> laporan, lalu ringkasannya."""
    from padan.cli.report import progress_cmd, report_cmd, worklist_cmd
    from padan.demo import prepare_demo
    from padan.recap import recap

    start = time.perf_counter()
    labels = {
        "synth": "Membuat data sintetis",
        "import": "Mengimpor DPT dan data Dukcapil",
        "match": "Memadankan (snapshot pertama dan delta harian)",
    }

    def say(stage: str, done: int, total: int | None) -> None:
        click.echo(f"- {labels.get(stage, stage)} ...")

    data = prepare_demo(
        Path(out), voters=pemilih, snapshots=snapshots, seed=seed, pemilihan=pemilihan, progress=say
    )
    ws = str(data.workspace)
    rep = data.out_dir / "laporan"
    rep.mkdir(exist_ok=True)
    click.echo("- Menulis laporan ...")
    from padan.workspace import open_workspace

    engine = open_workspace(ws)
    try:
        kab = recap(engine, pemilihan, "kabupaten")
        worst = max((r for r in kab.rows if r.code), key=lambda r: r.gap)
        desa = recap(engine, pemilihan, "desa", worst.code)
        target = max((r for r in desa.rows if r.code), key=lambda r: r.gap)
    finally:
        engine.close()
    outputs = {
        "Rekap (XLSX)": rep / "rekap-provinsi.xlsx",
        f"Laporan {worst.name} (PDF)": rep / f"laporan-{worst.code}.pdf",
        "Grafik burn-down (PNG)": rep / "burndown-provinsi.png",
        f"Daftar jemput bola {target.name} (XLSX)": rep / f"jemput-bola-{target.code}.xlsx",
        f"Daftar jemput bola {target.name} (PDF)": rep / f"jemput-bola-{target.code}.pdf",
    }
    quiet = dict(workspace=ws, pemilihan=pemilihan, match_id=None)
    ctx.invoke(
        report_cmd,
        tingkat=None,
        wilayah=None,
        fmt="xlsx",
        out=str(outputs["Rekap (XLSX)"]),
        per_kabupaten=False,
        **quiet,
    )
    ctx.invoke(
        report_cmd,
        tingkat="kecamatan",
        wilayah=worst.code,
        fmt="pdf",
        out=str(rep / f"laporan-{worst.code}.pdf"),
        per_kabupaten=False,
        **quiet,
    )
    ctx.invoke(
        progress_cmd,
        workspace=ws,
        pemilihan=pemilihan,
        wilayah=None,
        chart=str(rep / "burndown-provinsi.png"),
        rinci=True,
        hari_ini=None,
    )
    for fmt in ("xlsx", "pdf"):
        ctx.invoke(
            worklist_cmd,
            wilayah=target.code,
            fmt=fmt,
            out=str(rep / f"jemput-bola-{target.code}.{fmt}"),
            nik_lengkap=False,
            **quiet,
        )

    t = kab.total
    click.echo("")
    click.secho("Ringkasan demo padan", bold=True)
    click.echo(kab.source.line())
    click.echo(
        f"  Pemilih DPT           {_fmt(t.dpt):>10}   (ditolak saat impor: {_fmt(data.rejected)})"
    )
    click.echo(
        f"  Data Dukcapil         {_fmt(data.registry_rows):>10}   snapshot {data.snapshots[0]:%d-%m-%Y} + {len(data.snapshots) - 1} delta harian"
    )
    for label, n in (
        ("Sudah rekam", t.sudah),
        ("Belum rekam", t.belum),
        ("Gagal rekam", t.gagal),
        ("Tidak ditemukan", t.tidak_ditemukan),
        ("Perlu tinjau", t.perlu_tinjau),
        ("Ganda", t.ganda),
        ("Pemilih pemula", t.pemula),
    ):
        click.echo(f"  {label:<21} {_fmt(n):>10}")
    click.echo(f"  Cakupan rekam         {t.coverage * 100:>9.2f} %".replace(".", ","))
    click.echo(f"  Terjauh dari nol      {worst.name} (belum/gagal: {_fmt(worst.gap)})")
    click.echo("")
    click.secho("Berkas", bold=True)
    click.echo(f"  Workspace             {data.workspace}")
    click.echo(f"  Data sintetis         {data.out_dir / 'data'}")
    for label, path in outputs.items():
        click.echo(f"  {label:<21} {path}" if len(label) <= 21 else f"  {label}\n  {'':<21} {path}")
    click.echo("")
    click.secho("Dasbor", bold=True)
    click.echo(f"  .venv/bin/padan serve --workspace {data.workspace}")
    click.echo("  lalu buka http://127.0.0.1:8000 dan masuk sebagai salah satu pengguna demo:")
    for user, password, role, kab_code in data.demo_users:
        click.echo(
            f"    {user:<16} sandi: {password:<16} peran: {role}{' ' + kab_code if kab_code else ''}"
        )
    secs = time.perf_counter() - start
    click.echo(
        f"\nSelesai dalam {secs:.0f} detik "
        f"(data {data.seconds['synth']:.0f} d, impor {data.seconds['import']:.0f} d, "
        f"padan {data.seconds['match']:.0f} d)."
    )


commands = [demo_cmd]
