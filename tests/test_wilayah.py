"""Area codes and the name resolver."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from padan.cli import main
from padan.errors import PadanError
from padan.reference import wilayah
from padan.reference.wilayah import normalize_region_name, resolver


def test_reference_counts_and_helpers():
    assert wilayah.get("73.71").name == "Kota Makassar"
    assert wilayah.get("7371011001").parent == "737101"
    assert len([r for r in wilayah.children("73")]) == 24
    assert wilayah.dotted("7371011001") == "73.71.01.1001"
    assert wilayah.undotted("73.71.01.1001") == "7371011001"
    assert wilayah.level_of("737101") == "kecamatan"
    assert wilayah.tps_key("7371011001", "7") == "7371011001007"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("KAB. GOWA", "GOWA"),
        ("Kabupaten  Gowa ", "GOWA"),
        ("KOTA MAKASSAR", "MAKASSAR"),
        ("Pa'bentengan", "PABENTENGAN"),
        ("Pa’bentengan", "PABENTENGAN"),
        ("KEL. BONTO-BONTOA", "BONTO BONTOA"),
        ("KEC. SOMBA OPU", "SOMBA OPU"),
        ("Desa Bontoa", "BONTOA"),
        ("KEP. SELAYAR", "KEPULAUAN SELAYAR"),
        ("Pare-Pare", "PARE PARE"),
    ],
)
def test_normalize_region_name(typed, key):
    assert normalize_region_name(typed) == key


def test_normalize_by_level_keeps_names_that_start_with_a_level_word():
    assert normalize_region_name("Kota Baru", "kecamatan") == "KOTA BARU"
    assert normalize_region_name("Kota Baru", "kabupaten") == "BARU"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("KAB. GOWA", "7306"),
        ("GOWA", "7306"),
        ("Kabupaten Gowa", "7306"),
        ("KAB GOWA", "7306"),
        ("kab.gowa", "7306"),
        ("KOTA MAKASSAR", "7371"),
        ("MAKASSAR", "7371"),
        ("KEP. SELAYAR", "7301"),
        ("SELAYAR", "7301"),
        ("PANGKEP", "7310"),
        ("PANGKAJENE DAN KEPULAUAN", "7310"),
        ("TATOR", "7318"),
        ("TANA TORAJA", "7318"),
        ("TORUT", "7326"),
        ("TORAJA UTARA", "7326"),
        ("LUTIM", "7324"),
        ("LUTRA", "7322"),
        ("SIDRAP", "7314"),
        ("LUWU", "7317"),  # Kabupaten Luwu itself, never Luwu Utara/Timur
        ("PARE-PARE", "7372"),
        ("KOTA PAREPARE", "7372"),
        ("7371", "7371"),
        ("73.71", "7371"),
        ("KOTA BANDUNG", "3273"),
        ("KAB. BANDUNG", "3204"),
        ("Kab. Malang", "3507"),
        ("Kota Malang", "3573"),
        ("KOTA ADM. JAKARTA PUSAT", "3171"),
    ],
)
def test_kabupaten_ok(typed, code):
    res = resolver().kabupaten(typed)
    assert (res.status, res.code) == ("ok", code), res.message
    assert res.resolved and res.region.code == code
    assert res.candidates[0].code == code


def test_typo_is_fuzzy_and_says_so():
    res = resolver().kabupaten("MAKASAR")
    assert res.status == "fuzzy" and res.code == "7371"
    assert "MAKASAR" in res.message and "Kota Makassar" in res.message
    assert "7371" in [r.code for r in res.candidates]
    res = resolver().kabupaten("LUWU TIMR", within="73")
    assert (res.status, res.code) == ("fuzzy", "7324")


def test_same_name_kabupaten_and_kota_is_ambiguous():
    for name in ("BANDUNG", "MALANG", "Bogor"):
        res = resolver().kabupaten(name)
        assert res.status == "ambiguous" and res.code is None
        assert len(res.candidates) == 2
        assert "ambigu" in res.message and "KAB." in res.message


def test_kota_prefix_without_kota_falls_back_visibly():
    res = resolver().kabupaten("KOTA GOWA")
    assert res.status == "fuzzy" and res.code == "7306"
    assert "Kabupaten Gowa" in res.message


def test_unknown_names_and_codes():
    r = resolver()
    assert r.kabupaten("XYZ").status == "unknown"
    assert r.kabupaten("").status == "unknown"
    assert r.kabupaten("   ").code is None
    res = r.kabupaten("7399")
    assert res.status == "unknown" and "7399" in res.message
    res = r.kabupaten("73.71.01.1001")
    assert res.status == "unknown" and "desa" in res.message


def test_short_name_shared_by_several_is_ambiguous_not_guessed():
    for typed in ("LUWU U", "LUWU T"):
        res = resolver().kabupaten(typed)
        assert res.status == "ambiguous" and res.code is None, typed
        assert "nama lengkapnya" in res.message
    res = resolver().kabupaten("TORAJA")  # Tana Toraja or Toraja Utara: not guessed
    assert res.code is None and res.status in ("ambiguous", "unknown")
    assert {"7318", "7326"} <= {r.code for r in res.candidates}
    res = resolver().kecamatan("BONTO", within="7306")
    assert res.status == "ambiguous"
    assert {r.code for r in res.candidates} >= {"730601", "730606"}
    assert res.message.startswith('Nama kecamatan "BONTO" ambigu')


def test_kabupaten_within_province():
    assert resolver().kabupaten("GOWA", within="73").code == "7306"
    res = resolver().kabupaten("GOWA", within="72")
    assert res.status == "unknown"
    assert "7306" in res.message  # says where the name does exist
    assert resolver().kabupaten("BANDUNG", within="73").status == "unknown"


def test_kecamatan_in_two_kabupaten_is_ambiguous_unless_parent_given():
    res = resolver().kecamatan("Kota Baru")  # Jambi, Karawang, Ende
    assert res.status == "ambiguous" and len(res.candidates) >= 2
    res = resolver().kecamatan("KEC. KOTA BARU", within="1571")
    assert (res.status, res.code) == ("ok", "157107")


def test_kecamatan_names_and_codes():
    r = resolver()
    assert r.kecamatan("KEC. SOMBA OPU").code == "730608"
    assert r.kecamatan("Somba Opu", within="7306").code == "730608"
    assert r.kecamatan("Bonto Nompo", within="7306").code == "730601"  # space inside
    assert r.kecamatan("01", within="7371").code == "737101"  # only the last part
    assert r.kecamatan("73.71.01").code == "737101"
    res = r.kecamatan("730601", within="7371")
    assert res.status == "unknown" and "tidak berada" in res.message
    res = r.kecamatan("Somba Opu", within="7371")
    assert res.status == "unknown" and "730608" in res.message
    res = r.kecamatan("Tamalatte", within="7371")
    assert (res.status, res.code) == ("fuzzy", "737110")


def test_desa_with_apostrophes():
    r = resolver()
    for typed in ("Pa Bentengan", "Pa'bentengan", "PA'BENTENGAN", "Pabentengan"):
        res = r.desa(typed, within="730303")
        assert (res.status, res.code) == ("ok", "7303032005"), (typed, res.message)
    # nationwide the same name is still unique
    assert r.desa("Pa Bentengan").code == "7303032005"
    # in Gowa the desa is Pa'bentengang: a typo away, said to be fuzzy
    res = r.desa("Pa Bentengan", within="7306")
    assert (res.status, res.code) == ("fuzzy", "7306022007")


def test_desa_codes():
    r = resolver()
    assert r.desa("73.71.01.1001").code == "7371011001"
    assert r.desa("7371011001", within="737101").code == "7371011001"
    assert r.desa("1001", within="737101").code == "7371011001"


def test_same_desa_name_twice_in_one_kabupaten():
    res = resolver().desa("Baji Pamai", within="7309")
    assert res.status == "ambiguous"
    assert {r.code for r in res.candidates} == {"7309041001", "7309102006"}
    assert resolver().desa("Baji Pamai", within="730904").code == "7309041001"


def test_bad_within_is_an_error():
    with pytest.raises(PadanError) as info:
        resolver().kecamatan("Somba Opu", within="9999")
    assert info.value.code == "WILAYAH_INDUK_TIDAK_DIKENAL"
    with pytest.raises(PadanError):
        resolver().kabupaten("GOWA", within="7306")  # not above kabupaten


def test_provinsi():
    assert resolver().provinsi("SULSEL").code == "73"
    assert resolver().provinsi("Prov. Sulawesi Selatan").code == "73"
    assert resolver().provinsi("73").code == "73"


def test_resolver_is_cached_and_fast_enough():
    import time

    r = resolver()
    assert r is resolver()
    r.desa("Bontoa", within="7309")  # build the index
    names = [d.name for d in wilayah.children("730904")] * 20
    t = time.perf_counter()
    for n in names:
        assert r.desa(n, within="730904").status in ("ok", "ambiguous")
    per_call = (time.perf_counter() - t) / len(names)
    assert per_call < 0.01  # generous: about 0.05 ms measured


# -- CLI -------------------------------------------------------------------------------------
def test_cli_wilayah():
    run = CliRunner().invoke
    r = run(main, ["wilayah", "KAB. GOWA"])
    assert r.exit_code == 0 and "7306" in r.output and "Status: ok" in r.output
    r = run(main, ["wilayah", "MAKASAR"])
    assert r.exit_code == 0 and "Status: fuzzy" in r.output
    r = run(main, ["wilayah", "BONTO", "--dalam", "7306"])  # level below --dalam
    assert r.exit_code == 1 and "ambiguous" in r.output and "730601" in r.output
    r = run(main, ["wilayah", "73.71.01.1001"])  # level from the code
    assert r.exit_code == 0 and "Bontorannu" in r.output
    r = run(main, ["wilayah", "Pa Bentengan", "--tingkat", "desa", "--json"])
    data = json.loads(r.output)
    assert data["status"] == "ok" and data["kode"] == "7303032005"
    r = run(main, ["wilayah", "Tamalate", "--json"])  # not a kabupaten: the kecamatan
    assert r.exit_code == 0 and json.loads(r.output)["tingkat"] == "kecamatan"
    r = run(main, ["wilayah", "ENTAH", "--json"])
    assert r.exit_code == 1 and json.loads(r.output)["status"] == "unknown"
    r = run(main, ["wilayah", "Somba Opu", "--dalam", "KAB. GOWA"])  # parent by name
    assert r.exit_code == 0 and "730608" in r.output
    r = run(main, ["wilayah", "Somba Opu", "--dalam", "BANDUNG"])  # ambiguous parent
    assert r.exit_code == 2 and "--dalam" in r.output
    r = run(main, ["wilayah", "Somba Opu", "--dalam", "9999"])
    assert r.exit_code == 1 and "WILAYAH_INDUK_TIDAK_DIKENAL" in r.output


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=30),
    st.sampled_from(["provinsi", "kabupaten", "kecamatan", "desa"]),
    st.sampled_from([None, "73", "7306"]),
)
def test_resolver_never_raises_on_any_text(text, level, within):
    if within and wilayah.CODE_LENGTH[level] <= len(within):
        within = None
    res = resolver().resolve(text, level, within)
    assert res.status in ("ok", "fuzzy", "ambiguous", "unknown")
    assert (res.code is not None) == (res.status in ("ok", "fuzzy"))
    if res.code:
        assert wilayah.get(res.code).level == level
        assert within is None or res.code.startswith(within)
    assert res.message
