"""padan.synth: deterministic, contract-shaped synthetic data whose errors follow the model."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from padan.errors import PadanError
from padan.reference import wilayah
from padan.synth import ERROR_RATES, generate
from padan.synth import model as synth_model

REGISTRY_HEADER = (
    "NIK,NO_KK,NAMA_LGKP,TMPT_LHR,TGL_LHR,JENIS_KLMIN,STAT_KWN,ALAMAT,NO_RT,NO_RW,"
    "NO_PROP,NO_KAB,NO_KEC,NO_KEL,STATUS_KTP_EL,TGL_REKAM"
)
DPT_HEADER = (
    "KABUPATEN,KECAMATAN,KELURAHAN,TPS,NO,NKK,NIK,NAMA,TEMPAT_LAHIR,TANGGAL_LAHIR,USIA,"
    "STATUS_KAWIN,JENIS_KELAMIN,ALAMAT,RT,RW,DISABILITAS,KTP_EL,KETERANGAN"
)
GT_HEADER = "ROW,NIK_BENAR,STATUS_REKAM_BENAR,KESALAHAN,GANDA_DENGAN"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _sql(engine, path: Path) -> str:
    return f"read_csv('{path}', all_varchar=true, header=true)"


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth_small")
    generate(out, seed=7, voters=3000)
    return out


@pytest.fixture(scope="module")
def medium(tmp_path_factory) -> Path:
    """20k voters: enough rows to check every rate of the error model."""
    out = tmp_path_factory.mktemp("synth_20k")
    generate(out, seed=11, voters=20_000)
    return out


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, seed=3, voters=1500, kabupaten=["7306", "7371"], snapshots=3)
    generate(b, seed=3, voters=1500, kabupaten=["7306", "7371"], snapshots=3)
    generate(c, seed=4, voters=1500, kabupaten=["7306", "7371"], snapshots=3)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) == 3 + 1 + 3  # registry, dpt, ground truth, manifest, 3 deltas
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    assert (a / "dpt.csv").read_bytes() != (c / "dpt.csv").read_bytes()


def test_contract_columns_and_counts(small):
    m = json.loads((small / "manifest.json").read_text())
    assert (small / "registry.csv").read_text().splitlines()[0] == REGISTRY_HEADER
    assert (small / "dpt.csv").read_text().splitlines()[0] == DPT_HEADER
    assert (small / "ground_truth.csv").read_text().splitlines()[0] == GT_HEADER
    deltas = sorted((small / "snapshots").glob("registry-delta-*.csv"))
    assert [p.name for p in deltas][0] == "registry-delta-2020-11-19.csv"
    assert [p.name for p in deltas][-1] == "registry-delta-2020-12-08.csv"
    assert len(deltas) == 20 == m["counts"]["snapshots"]
    for p in deltas:
        assert p.read_text().splitlines()[0] == REGISTRY_HEADER
    reg, dpt, gt = (_read(small / f) for f in ("registry.csv", "dpt.csv", "ground_truth.csv"))
    assert m["counts"]["registry"] == len(reg)
    assert m["counts"]["dpt"] == len(dpt) == len(gt)
    assert abs(len(dpt) - 3000) <= 30
    # the register is the provincial extract, children included: ~2.8 rows per voter
    assert 2.5 < len(reg) / len(dpt) < 3.1
    assert sorted(m["per_kabupaten"]) == sorted(synth_model.REAL_DPT)
    assert m["error_model"]["rates"] == ERROR_RATES
    # value formats
    for r in reg[:500]:
        assert r["JENIS_KLMIN"] in ("LAKI-LAKI", "PEREMPUAN")
        assert r["STAT_KWN"] in ("BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI")
        dt.datetime.strptime(r["TGL_LHR"], "%d-%m-%Y")
        assert r["NO_PROP"] == "73"
        assert r["STATUS_KTP_EL"] in synth_model.STATUS_REKAM
    for r in dpt:
        assert r["JENIS_KELAMIN"] in ("L", "P")
        assert r["STATUS_KAWIN"] in ("B", "S", "P")
        assert r["KTP_EL"] in ("S", "B")
        assert r["DISABILITAS"] in "0123456"
        fmt = "%d|%m|%Y" if "|" in r["TANGGAL_LAHIR"] else "%d-%m-%Y"
        dt.datetime.strptime(r["TANGGAL_LAHIR"], fmt)
        assert r["NAMA"] == r["NAMA"].upper() and r["NAMA"].strip()


def _nik_problems(nik: str, birth: str, female: bool, kec_codes: set[str]) -> list[str]:
    """Decode a NIK by the rules (used when padan.identity.nik is not there)."""
    out = []
    if len(nik) != 16 or not nik.isdigit():
        return ["format"]
    if nik[:6] not in kec_codes:
        out.append("kecamatan")
    dd, mm, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if female:
        dd -= 40
    d = dt.datetime.strptime(birth, "%d-%m-%Y")
    if (dd, mm, yy) != (d.day, d.month, d.year % 100):
        out.append("tanggal")
    if int(nik[12:]) < 1:
        out.append("serial")
    return out


def test_every_register_nik_is_valid_and_unique(small):
    reg = _read(small / "registry.csv")
    kec_codes = {c for c, r in wilayah.regions().items() if r.level == "kecamatan"}
    niks = [r["NIK"] for r in reg]
    assert len(set(niks)) == len(niks)
    bad = [
        r["NIK"]
        for r in reg
        if _nik_problems(r["NIK"], r["TGL_LHR"], r["JENIS_KLMIN"] == "PEREMPUAN", kec_codes)
    ]
    assert bad == []
    try:
        from padan.identity.nik import check_nik
    except ImportError:
        check_nik = None
    if check_nik is not None:  # the project's own NIK rules agree
        for r in reg[:3000]:
            birth = dt.datetime.strptime(r["TGL_LHR"], "%d-%m-%Y").date()
            res = check_nik(r["NIK"], birth_date=birth, sex=r["JENIS_KLMIN"][0])
            assert res.valid and res.codes == (), (r["NIK"], res.codes)
    # some NIKs were first issued elsewhere: another kecamatan, kabupaten, province
    home = [r["NIK"][:6] == f"73{int(r['NO_KAB']):02d}{int(r['NO_KEC']):02d}" for r in reg]
    share_home = sum(home) / len(home)
    assert 0.75 < share_home < 0.97
    assert any(not r["NIK"].startswith("73") for r in reg)
    # NKK: 16 digits, one per household, shared by family members
    kk = {}
    for r in reg:
        kk.setdefault(r["NO_KK"], set()).add((r["ALAMAT"], r["NO_RT"], r["NO_RW"]))
    assert all(len(k) == 16 and k.isdigit() for k in kk)
    assert all(len(v) == 1 for v in kk.values())
    assert len(reg) / len(kk) > 3


def test_error_rates_reproduced(medium):
    gt = _read(medium / "ground_truth.csv")
    n = len(gt)
    counts: dict[str, int] = {}
    for r in gt:
        for e in filter(None, r["KESALAHAN"].split(";")):
            counts[e] = counts.get(e, 0) + 1
    assert set(counts) <= set(ERROR_RATES)
    for err, rate in ERROR_RATES.items():
        got = counts.get(err, 0) / n
        if err == "GANDA":  # both listings carry it; the rate is per person
            got = counts.get(err, 0) / 2 / (n - counts.get(err, 0) / 2)
        tol = max(4 * math.sqrt(rate * (1 - rate) / n), 0.1 * rate)
        assert abs(got - rate) <= tol, (err, got, rate)
    # combinations happen, and NIK errors exclude each other
    multi = [r for r in gt if r["KESALAHAN"].count(";") >= 1 and "GANDA" not in r["KESALAHAN"]]
    assert len(multi) > 0.005 * n
    for r in gt:
        assert sum(e in synth_model.NIK_ERRORS for e in r["KESALAHAN"].split(";")) <= 1


def test_errors_are_really_in_the_rows(medium):
    gt = _read(medium / "ground_truth.csv")
    dpt = _read(medium / "dpt.csv")
    reg = {r["NIK"]: r for r in _read(medium / "registry.csv")}
    seen = set()
    family: list[bool] = []  # the NIK used is a household member's (unless they moved)
    for g, d in zip(gt, dpt, strict=True):
        errs = set(filter(None, g["KESALAHAN"].split(";")))
        true = g["NIK_BENAR"]
        nik_err = errs & set(synth_model.NIK_ERRORS)
        if not nik_err:
            assert d["NIK"] == (true or d["NIK"])
            continue
        (e,) = nik_err
        seen.add(e)
        if e == "NIK_KOSONG":
            assert d["NIK"] == ""
        elif e == "NIK_DISAMARKAN":
            assert d["NIK"].count("*") == 10 and d["NIK"][:6] == (true or d["NIK"])[:6]
        elif e == "NKK_SEBAGAI_NIK":  # (the NKK column itself may be blank too)
            assert d["NIK"] == d["NKK"] or ("NKK_KOSONG" in errs and len(d["NIK"]) == 16)
        elif e == "NIK_SALAH_KETIK" and true:
            assert sum(a != b for a, b in zip(d["NIK"], true, strict=True)) == 1
        elif e == "NIK_TUKAR_DIGIT" and true:
            diff = [i for i in range(16) if d["NIK"][i] != true[i]]
            assert len(diff) == 2 and diff[1] == diff[0] + 1
        elif e == "NIK_KELUARGA" and true:
            assert d["NIK"] in reg and d["NIK"] != true
            family.append(reg[d["NIK"]]["NO_KK"] == d["NKK"])
        elif e == "NIK_ORANG_LAIN" and true:
            other = reg[d["NIK"]]
            assert d["NIK"] != true and other["NO_KK"] != reg[true]["NO_KK"]
            assert other["NO_KEL"] == reg[true]["NO_KEL"] or "DOMISILI_BEDA" in errs
    assert seen == set(synth_model.NIK_ERRORS)
    assert sum(family) >= 0.8 * len(family)
    # rows without name/date errors carry the register's name and date
    for g, d in list(zip(gt, dpt, strict=True))[:3000]:
        errs = set(filter(None, g["KESALAHAN"].split(";")))
        if not g["NIK_BENAR"]:
            continue
        r = reg[g["NIK_BENAR"]]
        if not errs & {"NAMA_VARIASI", "NAMA_LAIN"}:
            assert d["NAMA"] == r["NAMA_LGKP"]
        if "NAMA_LAIN" in errs:  # at most one word in common
            assert len(set(d["NAMA"].split()) & set(r["NAMA_LGKP"].split())) <= 1
        date_errors = {
            "TGL_PLACEHOLDER",
            "TGL_PLACEHOLDER_REGISTER",
            "TGL_TUKAR",
            "TGL_SALAH_KETIK",
        }
        if not errs & date_errors:
            assert d["TANGGAL_LAHIR"].replace("|", "-") == r["TGL_LHR"]
        else:
            assert d["TANGGAL_LAHIR"].replace("|", "-") != r["TGL_LHR"]
        if "NAMA_VARIASI" in errs:
            assert d["NAMA"] != r["NAMA_LGKP"]
        assert (d["JENIS_KELAMIN"] == r["JENIS_KLMIN"][0]) == ("JK_SALAH" not in errs)
        if "NKK_KOSONG" in errs:
            assert d["NKK"] == ""
        elif d["NKK"].isdigit():  # the DPT keeps the old family card of those who moved
            assert (d["NKK"] == r["NO_KK"]) == ("DOMISILI_BEDA" not in errs)


def test_unrecorded_rate_and_first_time_voters(medium):
    gt = _read(medium / "ground_truth.csv")
    dpt = _read(medium / "dpt.csv")
    found = [(g, d) for g, d in zip(gt, dpt, strict=True) if g["NIK_BENAR"]]
    belum = sum(g["STATUS_REKAM_BENAR"] == "BELUM_REKAM" for g, _ in found) / len(found)
    assert abs(belum - synth_model.UNRECORDED_DPT) < 0.005
    young = [g for g, d in found if int(d["USIA"]) <= 18]
    older = [g for g, d in found if int(d["USIA"]) > 25]
    r_young = sum(g["STATUS_REKAM_BENAR"] == "BELUM_REKAM" for g in young) / len(young)
    r_older = sum(g["STATUS_REKAM_BENAR"] == "BELUM_REKAM" for g in older) / len(older)
    assert r_young > 3 * r_older
    # every voter is 17 by election day or married (some married younger ones)
    # (a wrong DPT birth date can make a voter look younger, as in real lists)
    assert all(
        int(d["USIA"]) >= 17 or d["STATUS_KAWIN"] != "B"
        for g, d in found
        if "TGL_" not in g["KESALAHAN"]
    )


def test_pace_differs_by_kabupaten(medium):
    m = json.loads((medium / "manifest.json").read_text())
    left = {
        k: v["belum_rekam_akhir"] / v["belum_rekam"]
        for k, v in m["per_kabupaten"].items()
        if v["belum_rekam"] >= 20
    }
    assert min(left.values()) < 0.10  # some regions (almost) at zero by 8 Dec
    assert max(left.values()) > 0.25  # others far from it
    # per day: voters (people); per kabupaten: DPT rows (a GANDA voter counts twice there)
    by_day = list(m["realised"]["unrecorded_dpt_by_day"].values())
    rows_start = sum(v["belum_rekam"] for v in m["per_kabupaten"].values())
    rows_end = sum(v["belum_rekam_akhir"] for v in m["per_kabupaten"].values())
    assert 0 <= rows_start - by_day[0] <= 0.01 * rows_start + 2
    assert 0 <= rows_end - by_day[-1] <= 0.01 * rows_end + 2


def test_tps_at_most_500_and_ordered(medium):
    dpt = _read(medium / "dpt.csv")
    sizes: dict[tuple, int] = {}
    last_key, last_no = None, 0
    for d in dpt:
        key = (d["KABUPATEN"], d["KECAMATAN"], d["KELURAHAN"], int(d["TPS"]))
        sizes[key] = sizes.get(key, 0) + 1
        if key == last_key:
            assert int(d["NO"]) == last_no + 1
        else:
            assert int(d["NO"]) == 1
        last_key, last_no = key, int(d["NO"])
    assert max(sizes.values()) <= 500
    assert max(sizes.values()) > 200


def test_ground_truth_consistent_with_register(medium, engine):
    gt, reg = medium / "ground_truth.csv", medium / "registry.csv"
    rekam = ", ".join(f"('{k}', '{v}')" for k, v in synth_model.STATUS_REKAM.items())
    engine.execute(f"CREATE TABLE st(code VARCHAR, rekam VARCHAR); INSERT INTO st VALUES {rekam}")
    bad = engine.one(
        f"""SELECT count(*) FROM {_sql(engine, gt)} g
        LEFT JOIN {_sql(engine, reg)} r ON r.NIK = g.NIK_BENAR
        LEFT JOIN st ON st.code = r.STATUS_KTP_EL
        WHERE (g.NIK_BENAR IS NOT NULL AND (r.NIK IS NULL OR st.rekam <> g.STATUS_REKAM_BENAR))
           OR (g.NIK_BENAR IS NULL AND g.STATUS_REKAM_BENAR <> 'TIDAK_DITEMUKAN')
           OR (g.NIK_BENAR IS NULL) <> coalesce(g.KESALAHAN LIKE '%TIDAK_DI_REGISTER%', false)"""
    )[0]
    assert bad == 0
    rows = _read(gt)
    for i, r in enumerate(rows):
        assert int(r["ROW"]) == i
        if r["GANDA_DENGAN"]:
            other = rows[int(r["GANDA_DENGAN"])]
            assert other["GANDA_DENGAN"] == str(i)
            assert other["NIK_BENAR"] == r["NIK_BENAR"]
            assert "GANDA" in r["KESALAHAN"].split(";")
    dpt = _read(medium / "dpt.csv")
    pairs = [(i, int(r["GANDA_DENGAN"])) for i, r in enumerate(rows) if r["GANDA_DENGAN"]]
    assert pairs
    for i, j in pairs:  # listed at two different TPS
        a, b = dpt[i], dpt[j]
        assert (a["KELURAHAN"], a["TPS"]) != (b["KELURAHAN"], b["TPS"])


def test_deltas_change_rows_and_drive_unrecorded_down(small):
    reg = {r["NIK"]: r for r in _read(small / "registry.csv")}
    gt = _read(small / "ground_truth.csv")
    dpt_niks = {g["NIK_BENAR"] for g in gt if g["NIK_BENAR"]}
    state = {k: v for k, v in reg.items()}
    unrec = [sum(state[n]["STATUS_KTP_EL"] == "UNREGISTERED" for n in dpt_niks)]
    new_records = 0
    for p in sorted((small / "snapshots").glob("registry-delta-*.csv")):
        delta = _read(p)
        assert len({r["NIK"] for r in delta}) == len(delta)
        for r in delta:
            old = state.get(r["NIK"])
            if old is None:
                new_records += 1
            else:
                assert old != r, "a delta row must differ from the previous state"
                changed = {k for k in r if r[k] != old[k]}
                assert changed <= {"STATUS_KTP_EL", "TGL_REKAM"}
            state[r["NIK"]] = r
        unrec.append(sum(state[n]["STATUS_KTP_EL"] == "UNREGISTERED" for n in dpt_niks))
    assert all(b <= a for a, b in zip(unrec, unrec[1:], strict=False))
    assert unrec[-1] < 0.6 * unrec[0]
    assert new_records > 0


def test_snapshots_limit_and_kabupaten_subset(tmp_path):
    m = generate(tmp_path, seed=1, voters=800, kabupaten=["7326"], snapshots=2)
    assert [p.name for p in m.snapshots] == [
        "registry-delta-2020-11-19.csv",
        "registry-delta-2020-11-20.csv",
    ]
    dpt = _read(m.dpt)
    assert {d["KABUPATEN"] for d in dpt} <= {
        "TORAJA UTARA",
        "KAB. TORAJA UTARA",
        "KABUPATEN TORAJA UTARA",
    }
    # Toraja names: Christian given names are common there
    christian = {"YOHANES", "PETRUS", "PAULUS", "MARKUS", "MARTHEN", "MARIA", "YULIANA", "MARTHA"}
    assert sum(d["NAMA"].split(" ")[0] in christian for d in dpt) > 0.1 * len(dpt)


def test_bad_options_are_clear_errors(tmp_path):
    with pytest.raises(PadanError) as exc:
        generate(tmp_path, kabupaten=["9999"])
    assert exc.value.code == "SYNTH_KABUPATEN"
    with pytest.raises(PadanError) as exc:
        generate(tmp_path, scale="raksasa")
    assert exc.value.code == "SYNTH_SKALA"


def test_cli(tmp_path):
    from padan.cli import main

    res = CliRunner().invoke(
        main, ["synth", "--out", str(tmp_path), "--pemilih", "600", "--snapshots", "1"]
    )
    assert res.exit_code == 0, res.output
    assert "dpt.csv" in res.output and (tmp_path / "dpt.csv").exists()
    res = CliRunner().invoke(main, ["synth", "--out", str(tmp_path), "--kabupaten", "1234"])
    assert res.exit_code == 1 and "SYNTH_KABUPATEN" in res.output


def test_xlsx_per_desa_matches_dpt_and_damage(tmp_path):
    import python_calamine

    m = generate(
        tmp_path,
        seed=5,
        voters=2500,
        kabupaten=["7306", "7371"],
        snapshots=0,
        xlsx_per_desa=True,
        xlsx_damaged=0.5,
    )
    dpt = _read(m.dpt)
    assert m.xlsx == sorted(m.xlsx) and len(m.xlsx) > 1
    assert all(p.parent.name in ("7306", "7371") and p.name[:10].isdigit() for p in m.xlsx)
    got, numeric_files = [], 0
    for p in m.xlsx:
        wb = python_calamine.CalamineWorkbook.from_path(str(p))
        assert all(re.fullmatch(r"TPS \d{3}", s) for s in wb.sheet_names)
        numeric = False
        for s in wb.sheet_names:
            rows = wb.get_sheet_by_name(s).to_python()
            assert rows[0][0] == "DAFTAR PEMILIH TETAP"
            h = next(i for i, r in enumerate(rows) if r[0] == "KABUPATEN")
            assert 2 <= h <= 5
            for r in rows[h + 1 :]:
                got.append(r)
                numeric |= isinstance(r[6], float)
        numeric_files += numeric
    assert len(got) == len(dpt)
    assert 0 < numeric_files < len(m.xlsx)
    for r, d in zip(got, dpt, strict=True):
        assert r[7] == d["NAMA"] and int(r[4]) == int(d["NO"])
        if isinstance(r[6], str):
            assert r[6] == d["NIK"]
        elif d["NIK"].isdigit():  # damaged: only ~15 significant digits survive
            assert abs(r[6] - int(d["NIK"])) < 10


# -- properties of the building blocks ------------------------------------------------------


@given(st.lists(st.integers(-40_000, 30_000), min_size=1, max_size=50))
def test_civil_date_arithmetic_round_trips(days):
    from padan.synth.population import from_ymd, ymd

    arr = np.array(days)
    y, m, d = ymd(arr)
    assert (from_ymd(y, m, d) == arr).all()
    ref = arr.astype("datetime64[D]").astype(object)
    assert [(x.year, x.month, x.day) for x in ref] == list(zip(y, m, d, strict=True))


@given(st.lists(st.integers(0, 5), min_size=1, max_size=200), st.integers(0, 2**32 - 1))
def test_serials_are_one_to_n_within_each_key(keys, seed):
    from padan.synth.population import _serials

    k = np.array(keys)
    s = _serials(np.random.default_rng(seed), k)
    for key in set(keys):
        assert sorted(s[k == key]) == list(range(1, keys.count(key) + 1))


NAMES = [
    "MUHAMMAD ARIF",
    "SITI AMINAH",
    "NURHAYATI",
    "SAMPARA DAENG NGALLE",
    "ANDI BASO",
    "YOHANES PALINGGI",
    "ABDUL RAHMAN, S.PD",
    "BACO",
    "HJ. HASNAH",
    "ST. HAJRAH",
]


@settings(max_examples=200)
@given(
    st.sampled_from(NAMES),
    st.sampled_from(list(synth_model.NAME_VARIANTS)),
    st.integers(0, 2**32 - 1),
    st.booleans(),
    st.integers(17, 90),
)
def test_name_variant_always_differs(name, kind, seed, female, age):
    from padan.synth.variants import name_variant, place_variant

    out = name_variant(name, kind, np.random.default_rng(seed), female, age)
    assert out != name and out.strip() == out and out
    place = place_variant("UJUNG PANDANG", np.random.default_rng(seed))
    assert place != "UJUNG PANDANG" and place
