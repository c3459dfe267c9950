"""``padan report`` (rekapitulasi), ``padan worklist`` (daftar jemput bola) and
``padan progress`` (kemajuan menuju batas rekam)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from padan.cli.options import pemilihan_option, workspace_option
from padan.errors import PadanError
from padan.recap.formatting import format_int

LEVEL_CHOICE = click.Choice(["provinsi", "kabupaten", "kecamatan", "desa", "tps"])


def _open(workspace: str):
    from padan.workspace import open_workspace

    if not Path(workspace).is_file():
        raise PadanError(
            "WORKSPACE_TIDAK_ADA",
            f"Workspace {workspace} tidak ditemukan.",
            hint="Impor DPT dan data Dukcapil lalu jalankan `padan match`, atau sebutkan --workspace.",
        )
    return open_workspace(workspace, read_only=True)


def _slug(code: str | None, pemilihan: str) -> str:
    return code or pemilihan


def _levels_below(code: str | None) -> list[str]:
    from padan.recap.summary import LEVELS, level_of_code

    if code is None:
        return list(LEVELS)
    return list(LEVELS[LEVELS.index(level_of_code(code)) :])


def _child_level(code: str | None) -> str:
    from padan.recap.summary import LEVELS, level_of_code

    if code is None:
        return "kabupaten"
    i = LEVELS.index(level_of_code(code))
    return LEVELS[min(i + 1, len(LEVELS) - 1)]


@click.command("report")
@workspace_option
@pemilihan_option
@click.option(
    "--tingkat",
    type=LEVEL_CHOICE,
    default=None,
    help="Tingkat rekap. XLSX tanpa --tingkat: satu sheet per tingkat; PDF/CSV: satu "
    "tingkat di bawah --wilayah (kabupaten/kota bila tanpa --wilayah).",
)
@click.option(
    "--wilayah",
    default=None,
    help="Kode wilayah yang direkap (mis. 7306 Kabupaten Gowa); tanpa ini: seluruh wilayah pemilihan.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "pdf", "csv"]),
    required=True,
    help="xlsx untuk dibuka di Excel, pdf untuk dicetak, csv untuk program lain.",
)
@click.option(
    "--out",
    type=click.Path(),
    default=None,
    help="Berkas keluaran (CSV: '-' = layar). Dengan --per-kabupaten: folder. "
    "Bawaan: rekap-<wilayah>.<format> di folder kerja.",
)
@click.option(
    "--per-kabupaten",
    is_flag=True,
    help="PDF: satu laporan per kabupaten/kota (rekap per kecamatan + grafik) ke folder --out.",
)
@click.option(
    "--match-id", type=int, default=None, help="Pakai hasil pemadanan ini (bawaan: yang terbaru)."
)
def report_cmd(workspace, pemilihan, tingkat, wilayah, fmt, out, per_kabupaten, match_id):
    """Rekapitulasi perekaman KTP-el per tingkat wilayah (XLSX, PDF atau CSV)."""
    from padan.recap import progress, recap
    from padan.recap.summary import normalize_code
    from padan.reports.csv_export import recap_csv_text
    from padan.reports.pdf import write_kabupaten_pdf
    from padan.reports.xlsx import write_recap_xlsx

    code = normalize_code(wilayah)
    engine = _open(workspace)
    try:
        if fmt == "xlsx":
            levels = [tingkat] if tingkat else _levels_below(code)
            recaps = [recap(engine, pemilihan, lv, code, match_id=match_id) for lv in levels]
            path = Path(out or f"rekap-{_slug(code, pemilihan)}.xlsx")
            write_recap_xlsx(recaps, path)
            click.echo(f"Rekap ditulis ke {path} ({', '.join(levels)}).")
            click.echo(recaps[0].source.line())
        elif fmt == "csv":
            r = recap(engine, pemilihan, tingkat or _child_level(code), code, match_id=match_id)
            text = recap_csv_text(r)
            if out == "-":
                sys.stdout.write(text)
            else:
                path = Path(out or f"rekap-{_slug(code, pemilihan)}-{r.level}.csv")
                path.write_text(text, encoding="utf-8")
                click.echo(f"Rekap ditulis ke {path} ({len(r.rows)} baris).")
        else:
            if per_kabupaten:
                folder = Path(out or "laporan")
                folder.mkdir(parents=True, exist_ok=True)
                kab = recap(engine, pemilihan, "kabupaten", code, match_id=match_id)
                for row in kab.rows:
                    if not row.code:
                        continue
                    r = recap(
                        engine, pemilihan, tingkat or "kecamatan", row.code, match_id=match_id
                    )
                    p = progress(engine, pemilihan, row.code) if match_id is None else None
                    path = write_kabupaten_pdf(folder / f"laporan-{row.code}.pdf", r, p)
                    click.echo(f"{row.name}: {path}")
            else:
                r = recap(engine, pemilihan, tingkat or _child_level(code), code, match_id=match_id)
                p = progress(engine, pemilihan, code) if match_id is None else None
                path = Path(out or f"laporan-{_slug(code, pemilihan)}.pdf")
                write_kabupaten_pdf(path, r, p)
                click.echo(f"Laporan ditulis ke {path}.")
    finally:
        engine.close()


@click.command("worklist")
@workspace_option
@pemilihan_option
@click.option(
    "--wilayah",
    required=True,
    help="Kode desa/kelurahan atau TPS (boleh juga kecamatan/kabupaten) yang didatangi.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "pdf", "csv"]),
    default="xlsx",
    show_default=True,
    help="xlsx untuk Excel, pdf untuk dicetak dan dibawa ke lapangan, csv untuk program lain.",
)
@click.option(
    "--out",
    type=click.Path(),
    default=None,
    help="Berkas keluaran (bawaan: jemput-bola-<wilayah>.<format>).",
)
@click.option(
    "--nik-lengkap",
    is_flag=True,
    help="Tampilkan NIK lengkap (bawaan: hanya 6 digit pertama). Hanya untuk petugas yang "
    "berwenang; dokumen ditandai RAHASIA.",
)
@click.option(
    "--match-id", type=int, default=None, help="Pakai hasil pemadanan ini (bawaan: yang terbaru)."
)
def worklist_cmd(workspace, pemilihan, wilayah, fmt, out, nik_lengkap, match_id):
    """Daftar jemput bola: pemilih yang belum/gagal rekam, urut untuk disusuri (RW, RT, alamat)."""
    from padan.recap import worklist
    from padan.recap.summary import normalize_code, region_name, source_for
    from padan.reports.csv_export import write_worklist_csv
    from padan.reports.pdf import write_worklist_pdf
    from padan.reports.xlsx import write_worklist_xlsx

    code = normalize_code(wilayah)
    engine = _open(workspace)
    try:
        rows = worklist(engine, pemilihan, code, full_nik=nik_lengkap, match_id=match_id)
        source = source_for(engine, pemilihan, match_id)
    finally:
        engine.close()
    if nik_lengkap:
        click.secho(
            "Perhatian: daftar ini berisi NIK lengkap. Simpan dan bagikan hanya kepada petugas "
            "yang berwenang (UU 27/2022 PDP).",
            fg="yellow",
            err=True,
        )
    title = f"Daftar jemput bola perekaman KTP-el - {region_name(code)}"
    path = Path(out or f"jemput-bola-{code}.{fmt}")
    if fmt == "xlsx":
        write_worklist_xlsx(
            rows, path, title=title, source_line=source.line(), full_nik=nik_lengkap
        )
    elif fmt == "pdf":
        write_worklist_pdf(rows, path, title=title, source_line=source.line(), full_nik=nik_lengkap)
    else:
        write_worklist_csv(rows, path)
    click.echo(f"{format_int(len(rows))} pemilih belum/gagal rekam ditulis ke {path}.")


def progress_table(items) -> str:
    """Plain-text table of progress figures, one line per region."""
    from padan.recap.formatting import format_date, format_decimal

    head = ("Wilayah", "Belum+gagal", "Perlu/hari", "Laju 7 hr", "Proyeksi nol", "Status")
    lines = []
    for p in items:
        status = "sudah nol" if p.current == 0 else ("tercapai" if p.on_track else "TIDAK TERCAPAI")
        lines.append(
            (
                p.name,
                format_int(p.current),
                format_decimal(p.needed_per_day),
                format_decimal(p.achieved_per_day_7d),
                format_date(p.projected_zero),
                status,
            )
        )
    widths = [max(len(str(r[i])) for r in [head, *lines]) for i in range(len(head))]
    out = []
    for n, r in enumerate([head, *lines]):
        cells = [
            str(c).ljust(widths[i]) if i in (0, 5) else str(c).rjust(widths[i])
            for i, c in enumerate(r)
        ]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


@click.command("progress")
@workspace_option
@pemilihan_option
@click.option(
    "--wilayah",
    default=None,
    help="Kode wilayah (bawaan: seluruh wilayah pemilihan); wilayah di bawahnya ikut ditampilkan.",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False),
    default=None,
    help="Simpan grafik burn-down ke berkas .png atau .svg.",
)
@click.option(
    "--rinci", is_flag=True, help="Grafik: satu panel per wilayah di bawahnya (bukan satu grafik)."
)
@click.option(
    "--hari-ini",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Tanggal acuan YYYY-MM-DD (bawaan: tanggal data Dukcapil terbaru yang dipadankan).",
)
def progress_cmd(workspace, pemilihan, wilayah, chart, rinci, hari_ini):
    """Kemajuan menuju batas rekam: belum rekam per tanggal data, laju, proyeksi nol."""
    from padan.recap import latest_match, progress
    from padan.recap.formatting import format_date
    from padan.recap.summary import normalize_code
    from padan.reports.charts import burndown_spec, render

    code = normalize_code(wilayah)
    today = hari_ini.date() if isinstance(hari_ini, dt.datetime) else None
    engine = _open(workspace)
    try:
        whole = progress(engine, pemilihan, code, today=today)
        kids = (
            []
            if code is not None and len(code) == 13
            else progress(engine, pemilihan, code, today=today, level_children=True)
        )
        source = latest_match(engine, pemilihan)
    finally:
        engine.close()
    click.echo(
        f"Kemajuan per {format_date(whole.today)}; batas rekam {format_date(whole.deadline)} "
        f"({whole.days_left} hari lagi). Belum = belum rekam + gagal rekam."
    )
    click.echo(progress_table([whole, *kids]))
    behind = [p.name for p in kids if not p.on_track]
    if behind:
        click.echo(f"\nTidak tercapai pada laju 7 hari terakhir: {', '.join(behind)}.")
    if source:
        click.echo(source.line())
    if chart:
        spec = burndown_spec(
            kids if rinci and kids else whole, source=source.line() if source else None
        )
        click.echo(f"Grafik ditulis ke {render(spec, chart)}.")


commands = [report_cmd, worklist_cmd, progress_cmd]
