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


def _parse(data: dict, source: str) -> ElectionProfile:
    try:
        regions = tuple(wilayah.undotted(str(c)) for c in data["wilayah"])
        for code in regions:
            if wilayah.get(code) is None:
                raise PadanError(
                    "PROFILE_INVALID", f"Profil {source}: kode wilayah {code} tidak dikenal."
                )
        th = data.get("ambang", {})
        return ElectionProfile(
            name=str(data["name"]),
            title=str(data.get("judul", data["name"])),
            election_day=data["hari_pemungutan"],
            recording_deadline=data["batas_rekam"],
            dpt_date=data.get("tanggal_dpt", data["hari_pemungutan"]),
            regions=regions,
            min_age=int(data.get("usia_minimal", 17)),
            married_may_vote=bool(data.get("kawin_boleh_memilih", True)),
            max_voters_per_tps=int(data.get("maks_pemilih_per_tps", 500)),
            thresholds=Thresholds(
                accept=float(th.get("terima", 0.99)), review=float(th.get("tinjau", 0.80))
            ),
        )
    except KeyError as exc:
        raise PadanError(
            "PROFILE_INVALID",
            f"Profil {source}: kolom wajib {exc.args[0]!r} tidak ada.",
            hint="Lihat contoh di padan/reference/profiles/pilkada-2020-sulsel.toml.",
        ) from None


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


def load_profile(name_or_path: str = DEFAULT_PROFILE) -> ElectionProfile:
    """A profile by name (built-in or user folder) or by the path of its TOML file."""
    path = Path(name_or_path)
    if name_or_path.endswith(".toml") and path.is_file():
        text, source = path.read_text(encoding="utf-8"), str(path)
    else:
        for d in _user_dirs():
            if (d / f"{name_or_path}.toml").is_file():
                f = d / f"{name_or_path}.toml"
                text, source = f.read_text(encoding="utf-8"), str(f)
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
        raise PadanError("PROFILE_INVALID", f"Profil {source} tidak bisa dibaca: {exc}") from None
    return _parse(data, source)
