"""Election profiles: the built-in one, user files, validation, voter rules, CLI."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from padan.cli import main
from padan.errors import PadanError
from padan.reference.profiles import DEFAULT_PROFILE, available, load_profile

SULSEL_12 = (
    "7301", "7302", "7306", "7309", "7310", "7311",
    "7312", "7318", "7322", "7324", "7326", "7371",
)  # fmt: skip

USER_TOML = """
name = "pilkada-uji"
judul = "Pilkada Uji"
hari_pemungutan = 2024-11-27
batas_rekam = 2024-11-20
tanggal_dpt = 2024-09-20
maks_pemilih_per_tps = 600
wilayah = ["73.06", "KOTA MAKASSAR"]
[ambang]
terima = 0.95
tinjau = 0.7
"""


def test_builtin_profile_facts():
    p = load_profile()
    assert p.name == DEFAULT_PROFILE == "pilkada-2020-sulsel"
    assert p.election_day == dt.date(2020, 12, 9)
    assert p.recording_deadline == dt.date(2020, 12, 8)
    assert p.dpt_date == dt.date(2020, 10, 15)
    assert p.regions == SULSEL_12 and len(p.regions) == 12
    assert p.min_age == 17 and p.married_may_vote and p.max_voters_per_tps == 500
    assert p.thresholds.accept == 0.99 and p.thresholds.review == 0.80
    assert available()["pilkada-2020-sulsel"] == "bawaan"


def test_voter_rule_17_by_election_day_or_married():
    p = load_profile()
    assert p.is_eligible(dt.date(2003, 12, 9), ever_married=False)  # 17 on election day
    assert not p.is_eligible(dt.date(2003, 12, 10), ever_married=False)  # 17 a day late
    assert p.is_eligible(dt.date(2005, 1, 1), ever_married=True)  # married at 15
    assert not p.is_eligible(None, ever_married=False)
    assert p.is_eligible(None, ever_married=True)
    assert p.age_on(dt.date(2003, 12, 10)) == 16
    assert p.age_on(dt.date(1960, 2, 29), dt.date(2020, 2, 28)) == 59


def test_first_time_voter_rule():
    p = load_profile()
    # turns 17 between the DPT date (15 Oct 2020) and election day (9 Dec 2020)
    assert p.is_first_time_voter(dt.date(2003, 11, 1))
    assert p.is_first_time_voter(dt.date(2003, 12, 9))
    assert not p.is_first_time_voter(dt.date(2003, 10, 15))  # already 17 at the DPT date
    assert not p.is_first_time_voter(dt.date(2003, 12, 10))  # not yet 17
    assert not p.is_first_time_voter(None)


def test_user_profile_from_folder(tmp_path, monkeypatch):
    (tmp_path / "pilkada-uji.toml").write_text(USER_TOML, encoding="utf-8")
    monkeypatch.setenv("PADAN_PROFILE_DIR", str(tmp_path))
    assert available()["pilkada-uji"] == str(tmp_path / "pilkada-uji.toml")
    p = load_profile("pilkada-uji")
    assert p.title == "Pilkada Uji" and p.election_day == dt.date(2024, 11, 27)
    assert p.regions == ("7306", "7371")  # a dotted code and a name, both resolved
    assert p.max_voters_per_tps == 600
    assert p.thresholds.accept == 0.95 and p.thresholds.review == 0.7


def test_user_profile_by_path_and_province_code(tmp_path):
    f = tmp_path / "pilgub.toml"
    f.write_text(
        'judul = "Pilgub"\nhari_pemungutan = 2024-11-27\nbatas_rekam = 2024-11-26\n'
        'wilayah = ["73"]\n',
        encoding="utf-8",
    )
    p = load_profile(str(f))
    assert p.name == "pilgub"  # from the file name when the file has none
    assert len(p.regions) == 24 and p.regions[0] == "7301" and "7373" in p.regions
    assert p.dpt_date == p.election_day


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("name = 'x'\nhari_pemungutan = 2020-12-09\n", "'wilayah'"),
        ("name = 'x'\nbatas_rekam = 2020-12-08\nwilayah = ['7306']\n", "'hari_pemungutan'"),
        (
            "name = 'x'\nhari_pemungutan = '9 Desember'\nbatas_rekam = 2020-12-08\n"
            "wilayah = ['7306']\n",
            "bukan tanggal",
        ),
        (
            "name = 'x'\nhari_pemungutan = 2020-12-09\nbatas_rekam = 2020-12-10\n"
            "wilayah = ['7306']\n",
            "batas_rekam",
        ),
        (
            "name = 'x'\nhari_pemungutan = 2020-12-09\nbatas_rekam = 2020-12-08\n"
            "wilayah = ['7399']\n",
            "7399 tidak dikenal",
        ),
        (
            "name = 'x'\nhari_pemungutan = 2020-12-09\nbatas_rekam = 2020-12-08\n"
            "wilayah = ['730601']\n",
            "bukan kode kabupaten",
        ),
        (
            "name = 'x'\nhari_pemungutan = 2020-12-09\nbatas_rekam = 2020-12-08\n"
            "wilayah = ['BANDUNG']\n",
            "ambigu",
        ),
        (
            "name = 'x'\nhari_pemungutan = 2020-12-09\nbatas_rekam = 2020-12-08\n"
            "wilayah = ['7306']\nusia_minimal = 'tujuh belas'\n",
            "harus berupa angka",
        ),
        (
            "name = 'x'\nhari_pemungutan = 2020-12-09\nbatas_rekam = 2020-12-08\n"
            "wilayah = ['7306']\n[ambang]\nterima = 0.5\ntinjau = 0.9\n",
            "tinjau <= terima",
        ),
        ("name = 'x\nhari_pemungutan = \n", "bukan TOML"),
    ],
)
def test_invalid_profile_file(tmp_path, text, fragment):
    f = tmp_path / "rusak.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(PadanError) as info:
        load_profile(str(f))
    assert info.value.code == "PROFILE_INVALID"
    assert fragment in info.value.message
    assert str(f) in info.value.message  # says which file


def test_unknown_profile():
    with pytest.raises(PadanError) as info:
        load_profile("pilkada-1999")
    assert info.value.code == "PROFILE_UNKNOWN"
    assert "pilkada-2020-sulsel" in (info.value.hint or "")


def test_not_utf8(tmp_path):
    f = tmp_path / "latin.toml"
    f.write_bytes("judul = 'Pemilihan \xe9'\n".encode("latin-1"))
    with pytest.raises(PadanError, match="UTF-8"):
        load_profile(str(f))


def test_cli_pemilihan_list_and_show(tmp_path, monkeypatch):
    (tmp_path / "pilkada-uji.toml").write_text(USER_TOML, encoding="utf-8")
    (tmp_path / "rusak.toml").write_text("name = ", encoding="utf-8")
    monkeypatch.setenv("PADAN_PROFILE_DIR", str(tmp_path))
    r = CliRunner().invoke(main, ["pemilihan"])
    assert r.exit_code == 0, r.output
    assert "pilkada-2020-sulsel" in r.output and "[bawaan]" in r.output
    assert "pilkada-uji  Pilkada Uji" in r.output
    assert "rusak" in r.output and "tidak bisa dibaca" in r.output

    r = CliRunner().invoke(main, ["pemilihan", "show", "pilkada-2020-sulsel"])
    assert r.exit_code == 0, r.output
    assert "9 Desember 2020" in r.output and "8 Desember 2020" in r.output
    assert "Wilayah (12)" in r.output and "7371  Kota Makassar" in r.output


def test_cli_pemilihan_show_unknown():
    r = CliRunner().invoke(main, ["pemilihan", "show", "tidak-ada"])
    assert r.exit_code == 1
    assert "PROFILE_UNKNOWN" in r.output and "tidak ditemukan" in r.output
