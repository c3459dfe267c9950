"""Election profiles ("pemilihan"): what an election needs padan to know.

A profile is a small TOML file. The built-in ones are in ``profiles/``; a user adds their own
by putting ``NAME.toml`` in a folder named by ``$PADAN_PROFILE_DIR`` (or ``./pemilihan``), or
by giving the path of the file instead of a name.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from padan.errors import PadanError
from padan.reference import wilayah

DEFAULT_PROFILE = "pilkada-2020-sulsel"


@dataclass(frozen=True)
class Thresholds:
    accept: float = 0.99  # >= accept: link accepted automatically
    review: float = 0.80  # >= review and < accept: PERLU_TINJAU


@dataclass(frozen=True)
class ElectionProfile:
    name: str
    title: str
    election_day: dt.date
    recording_deadline: dt.date
    dpt_date: dt.date
    regions: tuple[str, ...]  # kabupaten/kota codes taking part
    min_age: int = 17
    married_may_vote: bool = True
    max_voters_per_tps: int = 500
    thresholds: Thresholds = field(default_factory=Thresholds)

    def age_on(self, birth: dt.date, day: dt.date | None = None) -> int:
        """Completed years on ``day`` (default: election day)."""
        d = day or self.election_day
        return d.year - birth.year - ((d.month, d.day) < (birth.month, birth.day))

    def is_eligible(self, birth: dt.date | None, ever_married: bool) -> bool:
        """The voter rule: ``min_age`` by election day, or married (now or before)."""
        if ever_married and self.married_may_vote:
            return True
        return birth is not None and self.age_on(birth) >= self.min_age

    def is_first_time_voter(self, birth: dt.date | None) -> bool:
        """Turns ``min_age`` between the DPT date and election day (pemilih pemula)."""
        if birth is None:
            return False
        return self.age_on(birth, self.dpt_date) < self.min_age <= self.age_on(birth)


def _invalid(source: str, what: str) -> PadanError:
    return PadanError(
        "PROFILE_INVALID",
        f"Profil {source}: {what}",
        hint="Lihat contoh di padan/reference/profiles/pilkada-2020-sulsel.toml.",
    )


def _date(data: dict, key: str, source: str, default: dt.date | None = None) -> dt.date:
    value = data.get(key, default)
    if value is None:
        raise _invalid(source, f"kolom wajib {key!r} tidak ada.")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _invalid(
            source, f"{key} = {value!r} bukan tanggal; tulis YYYY-MM-DD, misalnya 2020-12-09."
        ) from None


def _number(data: dict, key: str, source: str, default, kind):
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(source, f"{key} = {value!r} harus berupa angka.")
    return kind(value)


def _regions(values: object, source: str) -> tuple[str, ...]:
    """Kabupaten/kota codes; a province code stands for all its kabupaten/kota, and a name is
    accepted when it resolves exactly (``"KAB. GOWA"``)."""
    if not isinstance(values, list) or not values:
        raise _invalid(source, "wilayah harus berupa daftar kode kabupaten/kota, tidak kosong.")
    out: list[str] = []
    for value in values:
        code = wilayah.undotted(str(value)).replace(" ", "")
        if not code.isdigit():
            res = wilayah.resolver().kabupaten(str(value))
            if res.status != "ok":
                raise _invalid(source, f"wilayah {value!r}: {res.message}")
            code = res.code  # type: ignore[assignment]
        region = wilayah.get(code)
        if region is None:
            raise _invalid(source, f"kode wilayah {code} tidak dikenal.")
        if region.level == "provinsi":
            out.extend(r.code for r in sorted(wilayah.children(code), key=lambda r: r.code))
        elif region.level == "kabupaten":
            out.append(code)
        else:
            raise _invalid(
                source, f"kode wilayah {code} ({region.name}) bukan kode kabupaten/kota."
            )
    return tuple(dict.fromkeys(out))


def _parse(data: dict, source: str, default_name: str | None = None) -> ElectionProfile:
    if "wilayah" not in data:
        raise _invalid(source, "kolom wajib 'wilayah' tidak ada.")
    name = data.get("name", default_name)
    if not name:
        raise _invalid(source, "kolom wajib 'name' tidak ada.")
    election_day = _date(data, "hari_pemungutan", source)
    deadline = _date(data, "batas_rekam", source)
    dpt_date = _date(data, "tanggal_dpt", source, election_day)
    if deadline > election_day:
        raise _invalid(source, "batas_rekam tidak boleh sesudah hari_pemungutan.")
    if dpt_date > election_day:
        raise _invalid(source, "tanggal_dpt tidak boleh sesudah hari_pemungutan.")
    th = data.get("ambang", {})
    if not isinstance(th, dict):
        raise _invalid(source, "ambang harus berupa tabel [ambang] dengan terima dan tinjau.")
    thresholds = Thresholds(
        accept=_number(th, "terima", source, 0.99, float),
        review=_number(th, "tinjau", source, 0.80, float),
    )
    if not 0 < thresholds.review <= thresholds.accept <= 1:
        raise _invalid(source, "ambang harus memenuhi 0 < tinjau <= terima <= 1.")
    min_age = _number(data, "usia_minimal", source, 17, int)
    per_tps = _number(data, "maks_pemilih_per_tps", source, 500, int)
    if min_age <= 0 or per_tps <= 0:
        raise _invalid(source, "usia_minimal dan maks_pemilih_per_tps harus lebih dari 0.")
    married = data.get("kawin_boleh_memilih", True)
    if not isinstance(married, bool):
        raise _invalid(source, "kawin_boleh_memilih harus true atau false.")
    return ElectionProfile(
        name=str(name),
        title=str(data.get("judul", name)),
        election_day=election_day,
        recording_deadline=deadline,
        dpt_date=dpt_date,
        regions=_regions(data["wilayah"], source),
        min_age=min_age,
        married_may_vote=married,
        max_voters_per_tps=per_tps,
        thresholds=thresholds,
    )


def _user_dirs() -> list[Path]:
    dirs = [Path("pemilihan")]
    if os.environ.get("PADAN_PROFILE_DIR"):
        dirs.insert(0, Path(os.environ["PADAN_PROFILE_DIR"]))
    return [d for d in dirs if d.is_dir()]


def available() -> dict[str, str]:
    """Profile name -> where it comes from (built-in or a file path)."""
    out = {}
    for f in resources.files("padan.reference").joinpath("profiles").iterdir():
        if f.name.endswith(".toml"):
            out[f.name[:-5]] = "bawaan"
    for d in _user_dirs():
        for f in sorted(d.glob("*.toml")):
            out[f.stem] = str(f)
    return out


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PadanError(
            "PROFILE_INVALID",
            f"Profil {path} bukan teks UTF-8.",
            hint="Simpan berkas profil sebagai teks UTF-8 (misalnya dengan Notepad: Save As, "
            "Encoding UTF-8).",
        ) from None
    except OSError as exc:
        raise PadanError("PROFILE_INVALID", f"Profil {path} tidak bisa dibaca: {exc}") from None


def load_profile(name_or_path: str = DEFAULT_PROFILE) -> ElectionProfile:
    """A profile by name (built-in or user folder) or by the path of its TOML file."""
    path = Path(name_or_path)
    if name_or_path.endswith(".toml") and path.is_file():
        text, source = _read_text(path), str(path)
    else:
        for d in _user_dirs():
            if (d / f"{name_or_path}.toml").is_file():
                f = d / f"{name_or_path}.toml"
                text, source = _read_text(f), str(f)
                break
        else:
            f = resources.files("padan.reference").joinpath("profiles", f"{name_or_path}.toml")
            if not f.is_file():
                raise PadanError(
                    "PROFILE_UNKNOWN",
                    f"Profil pemilihan {name_or_path!r} tidak ditemukan.",
                    hint="Profil yang ada: " + ", ".join(sorted(available())),
                )
            text, source = f.read_text(encoding="utf-8"), name_or_path
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PadanError(
            "PROFILE_INVALID",
            f"Profil {source} tidak bisa dibaca (bukan TOML yang benar): {exc}",
            hint="Lihat contoh di padan/reference/profiles/pilkada-2020-sulsel.toml.",
        ) from None
    return _parse(data, source, Path(source).stem)
