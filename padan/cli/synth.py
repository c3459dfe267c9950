"""``padan synth``: generate synthetic register, DPT and ground truth files."""

from __future__ import annotations

from pathlib import Path

import click

from padan.recap.formatting import format_int as N
from padan.synth import generate

STAGES = {
    "wilayah": "Menyiapkan wilayah",
    "penduduk": "Membuat penduduk",
    "nik": "Membuat NIK dan NKK",
    "nama": "Membuat nama, tempat lahir, alamat",
    "register": "Menulis data kependudukan",
    "dpt": "Menyusun DPT",
    "snapshot": "Menulis perubahan harian",
    "xlsx": "Menulis XLSX per desa",
}


@click.command("synth")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder tujuan berkas sintetis.",
)
@click.option("--seed", default=42, show_default=True, help="Benih acak: benih sama, berkas sama.")
@click.option(
    "--pemilih",
    type=int,
    default=None,
    help="Jumlah baris DPT yang diinginkan (mengalahkan --skala).",
)
@click.option(
    "--skala",
    type=click.Choice(["kecil", "sedang", "provinsi"]),
    default="kecil",
    show_default=True,
    help="Ukuran: kecil ~30 ribu pemilih, sedang ~300 ribu, provinsi = ukuran nyata (~3,39 juta).",
)
@click.option(
    "--kabupaten",
    default=None,
    help="Kode kabupaten/kota dipisah koma, mis. 7306,7371 (bawaan: 12 daerah Pilkada 2020).",
)
@click.option(
    "--snapshots",
    type=int,
    default=None,
    help="Jumlah berkas perubahan harian (bawaan: sampai batas rekam).",
)
@click.option(
    "--xlsx-per-desa", is_flag=True, help="Tulis juga DPT sebagai satu XLSX per desa/kelurahan."
)
@click.option(
    "--xlsx-rusak",
    type=float,
    default=0.0,
    show_default=True,
    help="Bagian berkas XLSX yang NIK-nya tersimpan sebagai angka (rusak oleh Excel), 0-1.",
)
def synth_command(out_dir, seed, pemilih, skala, kabupaten, snapshots, xlsx_per_desa, xlsx_rusak):
    """Buat data sintetis Sulawesi Selatan: data kependudukan, DPT dengan kesalahan yang
    realistis, perubahan harian, dan kunci jawaban (ground truth)."""
    last = {"stage": None}

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage != last["stage"]:
            last["stage"] = stage
            click.echo(f"  {STAGES.get(stage, stage)} ...", err=True)

    kabs = [k.strip() for k in kabupaten.split(",") if k.strip()] if kabupaten else None
    m = generate(
        out_dir,
        seed=seed,
        voters=pemilih,
        scale=skala,
        kabupaten=kabs,
        snapshots=snapshots,
        xlsx_per_desa=xlsx_per_desa,
        xlsx_damaged=xlsx_rusak,
        progress=progress,
    )
    c = m.counts
    click.echo(f"Data sintetis ditulis ke {m.out_dir}")
    # (numbers formatted alone: a "," in a file name must stay a ",")
    click.echo(f"  {m.registry.name:<20} {N(c['registry']):>12} baris data kependudukan")
    click.echo(f"  {m.dpt.name:<20} {N(c['dpt']):>12} baris DPT")
    click.echo(f"  {m.ground_truth.name:<20} {N(c['ground_truth']):>12} baris kunci jawaban")
    click.echo(
        f"  snapshots/           {c['snapshots']:>12} berkas perubahan harian "
        f"({N(c['delta_rows'])} baris)"
    )
    if m.xlsx:
        click.echo(f"  dpt-xlsx/            {len(m.xlsx):>12} berkas XLSX")
    click.echo(f"  {m.manifest.name:<20} ringkasan, tarif kesalahan, jumlah per kabupaten")


commands = [synth_command]
