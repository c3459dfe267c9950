"""``padan match`` (pemadanan) and ``padan quality`` (mutu pemadanan)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from padan.cli.imports import echo_warnings
from padan.cli.options import ManyFilesCommand, pemilihan_option, workspace_option
from padan.recap.formatting import format_decimal
from padan.recap.formatting import format_int as N

STAGE_LABELS = {
    "baca": "Membaca berkas DPT",
    "normalisasi": "Menormalkan DPT",
    "register:baca": "Membaca data Dukcapil",
    "register:normalisasi": "Menormalkan data Dukcapil",
    "persiapan": "Persiapan data",
    "NIK": "Tingkat 1: NIK cocok",
    "NIK_KOREKSI": "Tingkat 2: koreksi NIK",
    "PROBABILISTIK": "Tingkat 3: probabilistik (Splink)",
    "konflik": "Cek konflik",
    "ganda": "Cek pemilih ganda",
    "hasil": "Menyusun hasil",
    "tulis": "Menulis berkas hasil",
}


class _Progress:
    """Prints one line per stage when it starts and, when known, its count: at each tenth
    of the total and at the end (reading a province file reports every 8 MB, which would
    be hundreds of lines)."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.tenth: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        label = STAGE_LABELS.get(stage, stage)
        elapsed = time.perf_counter() - self.t0
        if total is None or done == 0:
            click.echo(f"[{elapsed:7.1f} d] {label} ...", err=True)
        else:
            pct = 100.0 * done / total if total else 0.0
            tenth = int(pct // 10)
            if done < total and self.tenth.get(stage) == tenth:
                return
            self.tenth[stage] = tenth
            click.echo(
                f"[{elapsed:7.1f} d] {label}: {_amount(stage, done)} dari "
                f"{_amount(stage, total)} ({format_decimal(pct)}%)",
                err=True,
            )


def _amount(stage: str, n: int) -> str:
    """Reading counts bytes (progress by bytes read): shown in MB, so that they are not
    taken for rows; the other stages count rows."""
    return f"{format_decimal(n / 1e6)} MB" if stage.endswith("baca") else N(n)


# What happens to rejected rows of each input in the one-shot run.
REJECT_FATE = {
    "dpt": "tetap ada di berkas hasil, alasannya di CATATAN",
    "registry": "tidak ikut dipadankan",
}


def _print_inputs(inputs: dict) -> None:
    """Rows read, accepted and rejected per input, and the reader's warnings: nothing
    is dropped without a word (the workspace import prints the same)."""
    for kind, r in inputs.items():
        label = "DPT" if kind == "dpt" else "Data Dukcapil"
        line = f"{label}: dibaca {N(r.rows_read)} baris, diterima {N(r.accepted)}"
        if r.rejected:
            line += f", ditolak {N(r.rejected)} ({REJECT_FATE[kind]})"
        click.echo(line + ".")
        for ex in r.reject_examples:
            click.echo(f"      ditolak: {ex}")
        # BARIS_DITOLAK is said above, with this run's own wording
        echo_warnings(r.warnings, skip=("BARIS_DITOLAK",))


def _print_summary(summary) -> None:
    _print_inputs(summary.inputs)
    click.echo(f"Baris DPT yang dipadankan: {N(summary.rows)}")
    click.echo("Metode padan:")
    for k, v in sorted(summary.by_tier.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {k or '(tidak padan)':<16} {N(v):>12}")
    click.echo("Status rekam:")
    for k, v in sorted(summary.by_status.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {k:<16} {N(v):>12}")
    click.echo(f"Waktu: {format_decimal(sum(summary.seconds_by_stage.values()))} detik")


@click.command("match", cls=ManyFilesCommand)
@click.option(
    "--dpt", "dpt", multiple=True, type=click.Path(exists=True),
    help="Berkas DPT (CSV/XLSX, folder atau zip); satu atau lebih (--dpt a.csv b.csv, "
    "atau --dpt berulang). Tanpa workspace.",
)  # fmt: skip
@click.option(
    "--registry", "registry", multiple=True, type=click.Path(exists=True),
    help="Berkas data Dukcapil (CSV/XLSX); satu atau lebih. Dipakai bersama --dpt.",
)  # fmt: skip
@click.option(
    "--out", "out", type=click.Path(dir_okay=False),
    help="Berkas hasil: .csv, .xlsx atau .parquet (dipakai bersama --dpt).",
)  # fmt: skip
@click.option(
    "--tanggal", type=click.DateTime(formats=["%Y-%m-%d", "%d-%m-%Y"]),
    help="Data Dukcapil per tanggal ini (mode workspace; bawaan: snapshot terakhir).",
)  # fmt: skip
@workspace_option
@pemilihan_option
def match_command(dpt, registry, out, tanggal, workspace, pemilihan):
    """Padankan DPT dengan data Dukcapil dan tentukan status rekam KTP-el.

    Tanpa --dpt: memakai DPT versi terakhir dan data Dukcapil di workspace.
    Dengan --dpt, --registry dan --out: sekali jalan, tanpa workspace, hasil ke berkas.
    """
    progress = _Progress()
    if dpt or registry or out:
        if not (dpt and registry and out):
            raise click.UsageError("Mode berkas memerlukan --dpt, --registry dan --out bersamaan.")
        from padan.linkage.files import match_files

        summary = match_files(list(dpt), list(registry), Path(out), pemilihan=pemilihan,
                              progress=progress)  # fmt: skip
        _print_summary(summary)
        click.echo(f"Hasil ditulis ke {out}")
        return
    from padan.errors import PadanError
    from padan.linkage.workspace import run_workspace_match
    from padan.workspace import open_workspace

    if not Path(workspace).exists():  # (opening would make an empty one)
        raise PadanError(
            "WORKSPACE_TIDAK_ADA",
            f"Workspace {workspace} belum ada: belum ada DPT dan data Dukcapil yang diimpor.",
            hint="Impor dulu (padan import dpt ..., padan import registry ...), atau padankan "
            "berkas sekali jalan: padan match --dpt FILE... --registry FILE... --out FILE.",
        )
    engine = open_workspace(workspace)
    try:
        match_id = run_workspace_match(
            engine, pemilihan=pemilihan, tanggal=tanggal.date() if tanggal else None,
            progress=progress,
        )  # fmt: skip
        counts = engine.rows(
            "SELECT status_rekam, count(*) FROM match_results WHERE match_id = $1 "
            "GROUP BY 1 ORDER BY 2 DESC",
            [match_id],
        )
    finally:
        engine.close()
    click.echo(f"Pemadanan #{match_id} selesai.")
    for k, v in counts:
        click.echo(f"  {k:<16} {N(v):>12}")


@click.command("quality", cls=ManyFilesCommand)
@click.option("--synth", type=click.Path(exists=True, file_okay=False),
              help="Folder keluaran `padan synth` (dpt.csv, registry.csv, ground_truth.csv).")  # fmt: skip
@click.option("--dpt", "dpt", multiple=True, type=click.Path(exists=True), help="Berkas DPT.")
@click.option("--registry", "registry", multiple=True, type=click.Path(exists=True),
              help="Berkas data Dukcapil.")  # fmt: skip
@click.option("--truth", type=click.Path(exists=True, dir_okay=False),
              help="Kunci jawaban (ground_truth.csv: ROW, NIK_BENAR, STATUS_REKAM_BENAR, ...).")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False),
              help="Simpan juga hasil pemadanan ke berkas ini (.csv/.xlsx/.parquet).")  # fmt: skip
@pemilihan_option
def quality_command(synth, dpt, registry, truth, out, pemilihan):
    """Ukur mutu pemadanan terhadap kunci jawaban: presisi, recall, F1, akurasi status,
    volume tinjauan, per metode, per jenis kesalahan dan pada beberapa ambang."""
    from padan.linkage.quality import evaluate, format_report

    if synth:
        d = Path(synth)
        dpt, registry, truth = [d / "dpt.csv"], [d / "registry.csv"], d / "ground_truth.csv"
    if not (dpt and registry and truth):
        raise click.UsageError("Berikan --synth FOLDER, atau --dpt, --registry dan --truth.")
    report = evaluate(list(dpt), list(registry), Path(truth), pemilihan=pemilihan,
                      progress=_Progress(), out_path=Path(out) if out else None)  # fmt: skip
    click.echo(format_report(report))


commands: list[click.Command] = [match_command, quality_command]
