"""``padan nik``, ``padan wilayah``, ``padan pemilihan``: check identifiers, look up area codes,
see election profiles. Thin: the rules live in padan.identity.nik, padan.reference."""

from __future__ import annotations

import datetime as dt
import json

import click

from padan.identity import nik as nikmod
from padan.recap.formatting import format_date
from padan.reference import profiles, wilayah


def _parse_date(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    for fmt in ("%d-%m-%Y", "%d/%m/%Y", "%d|%m|%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(
        f"tanggal {value!r} tidak bisa dibaca; tulis DD-MM-YYYY, misalnya 12-04-1977."
    )


def _issue_region(code6: str) -> dict | None:
    """The kecamatan a NIK was first issued in, also under a renumbered (pre-2022) code."""
    region = wilayah.get(code6)
    note = None
    if region is None and code6[:4] in nikmod.FORMER_KABUPATEN:
        region = wilayah.get(nikmod.FORMER_KABUPATEN[code6[:4]] + code6[4:])
        note = "kode lama (sebelum pemekaran 2022)"
    if region is None:
        kab = wilayah.get(code6[:4])
        return None if kab is None else {"kode": kab.code, "nama": kab.name, "catatan": None}
    return {"kode": region.code, "nama": wilayah.describe(region), "catatan": note}


# -- padan nik -------------------------------------------------------------------------------
@click.command("nik")
@click.argument("nilai", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON (untuk program lain).")
@click.option(
    "--tanggal-lahir",
    callback=_parse_date,
    help="Tanggal lahir tercatat (DD-MM-YYYY), dibandingkan dengan tanggal di dalam NIK.",
)
@click.option(
    "--jenis-kelamin",
    type=click.Choice(["L", "P"], case_sensitive=False),
    help="Jenis kelamin tercatat, dibandingkan dengan NIK (tanggal +40 = perempuan).",
)
@click.option("--nkk", "is_nkk", is_flag=True, help="Periksa nilai sebagai Nomor KK, bukan NIK.")
def nik_command(nilai, as_json, tanggal_lahir, jenis_kelamin, is_nkk):
    """Periksa satu atau beberapa NIK (atau NKK): sah atau tidak, tanggal lahir dan jenis
    kelamin menurut NIK, kecamatan tempat NIK pertama diterbitkan, dan setiap masalah dengan
    kodenya.

    Kode keluar: 0 bila semua nilai sah (peringatan saja tidak membuatnya tidak sah),
    1 bila ada nilai yang tidak sah. Daftar kode: docs/reason-codes-nik.md.
    """
    results = []
    for value in nilai:
        if is_nkk:
            c = nikmod.check_nkk(value)
        else:
            c = nikmod.check_nik(value, birth_date=tanggal_lahir, sex=jenis_kelamin)
        results.append(
            {
                "nilai": value,
                "nik" if not is_nkk else "nkk": c.nik,
                "valid": c.valid,
                "tanggal_lahir": c.birth_date.isoformat() if c.birth_date else None,
                "jenis_kelamin": c.sex,
                "kecamatan": _issue_region(c.nik[:6]) if c.nik else None,
                "masalah": [
                    {"kode": i.code, "tingkat": i.severity, "pesan": i.message} for i in c.issues
                ],
            }
        )
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for r in results:
            click.echo(f"{r['nilai']}: {'VALID' if r['valid'] else 'TIDAK VALID'}")
            if r["tanggal_lahir"]:
                d = dt.date.fromisoformat(r["tanggal_lahir"])
                click.echo(f"  Tanggal lahir   : {d:%d-%m-%Y}")
            if r["jenis_kelamin"]:
                jk = "Laki-laki" if r["jenis_kelamin"] == "L" else "Perempuan"
                click.echo(f"  Jenis kelamin   : {jk}")
            if r["kecamatan"]:
                k = r["kecamatan"]
                extra = f" [{k['catatan']}]" if k["catatan"] else ""
                if len(k["kode"]) == 6:
                    click.echo(f"  Kecamatan terbit: {k['nama']}{extra}")
                else:
                    click.echo(
                        f"  Kab/kota terbit : {k['kode']} {k['nama']} (kecamatan tidak dikenal)"
                    )
            for i in r["masalah"]:
                tingkat = "GALAT" if i["tingkat"] == "error" else "PERINGATAN"
                click.echo(f"  {tingkat} [{i['kode']}] {i['pesan']}")
    if not all(r["valid"] for r in results):
        raise SystemExit(1)


# -- padan wilayah ---------------------------------------------------------------------------
def _parent_code(name: str) -> str:
    """--dalam given as a name: a kabupaten/kota or a province that resolves exactly."""
    for level in ("kabupaten", "provinsi"):
        res = wilayah.resolver().resolve(name, level)
        if res.status == "ok":
            return res.code  # type: ignore[return-value]
    raise click.BadParameter(
        f"{name!r} bukan nama kabupaten/kota atau provinsi yang jelas; pakai kodenya "
        "(lihat `padan wilayah NAMA`).",
        param_hint="--dalam",
    )


@click.command("wilayah")
@click.argument("nama")
@click.option(
    "--tingkat",
    type=click.Choice(["provinsi", "kabupaten", "kecamatan", "desa"]),
    help="Tingkat wilayah yang dicari. Bawaan: dari panjang kode, atau satu tingkat di bawah "
    "--dalam, atau (nama saja) kabupaten/kota, lalu kecamatan, lalu desa/kelurahan.",
)
@click.option(
    "--dalam",
    help="Wilayah induk: kode (7306, 730601) atau nama kabupaten/kota atau provinsi (GOWA).",
)
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
def wilayah_command(nama, tingkat, dalam, as_json):
    """Cari kode wilayah dari nama seperti yang biasa diketik (KAB. GOWA, TATOR, Pa Bentengan)
    atau dari kodenya (7371, 73.71.01.1001).

    Hasil: ok (persis), fuzzy (salah ketik, diperbaiki: periksa!), ambiguous (beberapa
    wilayah cocok: sebutkan --dalam) atau unknown. Kode keluar 0 untuk ok/fuzzy, 1 selain itu.
    """
    if dalam and not wilayah.undotted(dalam).replace(" ", "").isdigit():
        dalam = _parent_code(dalam)
    if tingkat is None:
        code = wilayah.undotted(nama).replace(" ", "")
        if code.isdigit() and wilayah.level_of(code) and not dalam:
            tingkat = wilayah.level_of(code)
        elif dalam:
            parent = wilayah.level_of(wilayah.undotted(dalam))
            lv = wilayah.LEVELS
            tingkat = lv[min(lv.index(parent) + 1, 3)] if parent else "kabupaten"
        else:
            tingkat = None  # a bare name: kabupaten, else kecamatan, else desa
    if tingkat is None:
        for tingkat in ("kabupaten", "kecamatan", "desa"):
            res = wilayah.resolver().resolve(nama, tingkat)
            if res.status != "unknown":
                break
        else:
            tingkat = "kabupaten"
            res = wilayah.resolver().resolve(nama, tingkat)
    else:
        res = wilayah.resolver().resolve(nama, tingkat, dalam)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "query": res.query,
                    "tingkat": tingkat,
                    "status": res.status,
                    "kode": res.code,
                    "nama": res.region.name if res.region else None,
                    "kandidat": [{"kode": r.code, "nama": r.name} for r in res.candidates],
                    "pesan": res.message,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        if res.region:
            click.echo(f"{res.region.dotted}  {wilayah.describe(res.region)}")
        click.echo(f"Status: {res.status}")
        click.echo(res.message)
        if res.status in ("ambiguous", "unknown") and res.candidates:
            click.echo("Kandidat:")
            for r in res.candidates:
                click.echo(f"  {wilayah.describe(r)}")
    if not res.resolved:
        raise SystemExit(1)


# -- padan pemilihan -------------------------------------------------------------------------
@click.group("pemilihan", invoke_without_command=True)
@click.pass_context
def pemilihan_group(ctx):
    """Profil pemilihan: daftar profil yang tersedia (tanpa subperintah), atau rincian satu
    profil dengan `padan pemilihan show NAMA`. Profil sendiri: berkas NAMA.toml di folder
    $PADAN_PROFILE_DIR atau ./pemilihan."""
    if ctx.invoked_subcommand is not None:
        return
    for name, source in sorted(profiles.available().items()):
        try:
            title = profiles.load_profile(name).title
        except Exception as exc:  # a broken user file must not hide the others
            title = f"(tidak bisa dibaca: {getattr(exc, 'message', exc)})"
        asal = "bawaan" if source == "bawaan" else source
        click.echo(f"{name}  {title}  [{asal}]")


@pemilihan_group.command("show")
@click.argument("nama")
def pemilihan_show(nama):
    """Rincian profil NAMA (nama profil atau path berkas .toml)."""
    p = profiles.load_profile(nama)
    click.echo(f"Profil         : {p.name}")
    click.echo(f"Judul          : {p.title}")
    click.echo(f"Hari pemungutan: {format_date(p.election_day, short=False)}")
    click.echo(f"Batas rekam    : {format_date(p.recording_deadline, short=False)}")
    click.echo(f"Tanggal DPT    : {format_date(p.dpt_date, short=False)}")
    kawin = " atau sudah/pernah kawin" if p.married_may_vote else ""
    click.echo(f"Syarat pemilih : {p.min_age} tahun pada hari pemungutan{kawin}")
    click.echo(f"Maks. per TPS  : {p.max_voters_per_tps} pemilih")
    click.echo(f"Ambang padan   : terima >= {p.thresholds.accept}, tinjau >= {p.thresholds.review}")
    click.echo(f"Wilayah ({len(p.regions)}):")
    for code in p.regions:
        r = wilayah.get(code)
        click.echo(f"  {code}  {r.name if r else '?'}")


commands: list[click.Command] = [nik_command, wilayah_command, pemilihan_group]
