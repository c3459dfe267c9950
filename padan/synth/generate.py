"""``generate``: write a synthetic register, DPT, ground truth, daily deltas and a manifest."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from padan.engine import connect
from padan.errors import PadanError
from padan.reference import wilayah
from padan.reference.profiles import load_profile
from padan.synth import dpt as dptmod
from padan.synth import model, names, population, status, variants
from padan.synth.population import age_on, day, ymd

Progress = Callable[[str, int, int | None], None]

REGISTRY_COLUMNS = [
    "NIK",
    "NO_KK",
    "NAMA_LGKP",
    "TMPT_LHR",
    "TGL_LHR",
    "JENIS_KLMIN",
    "STAT_KWN",
    "ALAMAT",
    "NO_RT",
    "NO_RW",
    "NO_PROP",
    "NO_KAB",
    "NO_KEC",
    "NO_KEL",
    "STATUS_KTP_EL",
    "TGL_REKAM",
]
DPT_COLUMNS = [
    "KABUPATEN",
    "KECAMATAN",
    "KELURAHAN",
    "TPS",
    "NO",
    "NKK",
    "NIK",
    "NAMA",
    "TEMPAT_LAHIR",
    "TANGGAL_LAHIR",
    "USIA",
    "STATUS_KAWIN",
    "JENIS_KELAMIN",
    "ALAMAT",
    "RT",
    "RW",
    "DISABILITAS",
    "KTP_EL",
    "KETERANGAN",
]
GROUND_TRUTH_COLUMNS = ["ROW", "NIK_BENAR", "STATUS_REKAM_BENAR", "KESALAHAN", "GANDA_DENGAN"]

# Calibrated share of residents who are voters (17 by election day or ever married).
ELIGIBLE_SHARE = 0.69
PROFILE = "pilkada-2020-sulsel"


@dataclass
class SynthManifest:
    """Where the files are and how many rows each holds."""

    out_dir: Path
    registry: Path
    dpt: Path
    ground_truth: Path
    manifest: Path
    snapshots: list[Path] = field(default_factory=list)
    xlsx: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seed: int = 42


def _noop(stage: str, done: int, total: int | None) -> None:
    pass


def generate(
    out_dir: Path,
    *,
    seed: int = 42,
    voters: int | None = None,
    scale: str = "kecil",
    kabupaten: Sequence[str] | None = None,
    snapshots: int | None = None,
    xlsx_per_desa: bool = False,
    xlsx_damaged: float = 0.0,
    progress: Progress | None = None,
) -> SynthManifest:
    """Generate a synthetic Sulsel register and DPT with known errors into ``out_dir``.

    Deterministic: the same seed and options give byte-identical files.
    """
    progress = progress or _noop
    profile = load_profile(PROFILE)
    kabs = _check_kabupaten(kabupaten, profile.regions)
    if voters is None:
        if scale not in model.SCALES:
            raise PadanError(
                "SYNTH_SKALA",
                f"Skala {scale!r} tidak dikenal.",
                hint="Pilih kecil, sedang atau provinsi, atau beri --pemilih N.",
            )
        voters = round(
            model.SCALES[scale] * sum(_real_dpt(k) for k in kabs) / sum(model.REAL_DPT.values())
        )
    if voters < 10:
        raise PadanError(
            "SYNTH_PEMILIH", f"Jumlah pemilih {voters} terlalu kecil.", hint="Minimal 10 pemilih."
        )
    if not 0.0 <= xlsx_damaged <= 1.0:
        raise PadanError(
            "SYNTH_XLSX_RUSAK", f"Nilai --xlsx-rusak {xlsx_damaged} harus antara 0 dan 1."
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    first = model.FIRST_SNAPSHOT
    ref_day = day(first)
    deadline = profile.recording_deadline
    n_days_total = (deadline - first).days
    n_days = n_days_total if snapshots is None else max(0, min(int(snapshots), n_days_total))

    # -- regions and sizes ------------------------------------------------------------------
    progress("wilayah", 0, None)
    share = {k: _real_dpt(k) for k in kabs}
    tot = sum(share.values())
    voters_k = {k: voters * share[k] / tot for k in kabs}
    persons_k = {
        k: v / (1 + model.ERROR_RATES["GANDA"]) / ELIGIBLE_SHARE / (1 - model.MISSING_FROM_DPT)
        for k, v in voters_k.items()
    }
    others = [k for k in population.sulsel_kabupaten() if k not in kabs]
    other_w = {k: model.OTHER_POPULATION.get(k, 1.5 * _real_dpt(k)) for k in others}
    outside_total = max(0.0, model.REGISTER_PER_VOTER * voters - sum(persons_k.values()))
    ow = sum(other_w.values()) or 1.0
    people_k = {**persons_k, **{k: outside_total * w / ow for k, w in other_w.items()}}
    regions = population.load_regions(sorted(people_k))
    desa_people = np.zeros(len(regions.desa_code))
    for k, p in people_k.items():
        idx = np.flatnonzero(regions.kab_code == k)
        # about one populated desa per 700 voters (all of them at province scale)
        per_desa = 700 if k in kabs else 1000
        n_used = min(len(idx), max(1, math.ceil(p * ELIGIBLE_SHARE / per_desa)))
        used = np.sort(rng.choice(idx, size=n_used, replace=False))
        w = rng.lognormal(0, 0.6, n_used) * np.where(regions.urban[used], 1.6, 1.0)
        desa_people[used] = p * w / w.sum()

    # -- people -----------------------------------------------------------------------------
    progress("penduduk", 0, None)
    sizes, hh_desa = population.make_households(rng, regions, desa_people)
    pop = population.make_people(rng, sizes, hh_desa, regions, ref_day)
    pop = _add_newborns(rng, pop, n_days, ref_day)
    n = len(pop)
    kab_p = regions.kab_code[pop.desa]
    in_play = np.isin(kab_p, kabs)
    # natural placeholders: many people born before 1970 carry one in every source
    y, _, _ = ymd(pop.birth)
    nat = (y < 1970) & (rng.random(n) < model.NATURAL_PLACEHOLDER_OLD)
    pop.birth[nat] = population.placeholder_dates(rng, pop.birth[nat])
    age_e = age_on(pop.birth, profile.election_day)
    age_s = age_on(pop.birth, first)
    ever_married = pop.marital > 0
    eligible = in_play & ((age_e >= profile.min_age) | ever_married) & (pop.new_day == 0)
    progress("penduduk", n, n)

    # -- who is in the DPT -------------------------------------------------------------------
    elig_idx = np.flatnonzero(eligible)
    target = min(len(elig_idx), round(voters / (1 + model.ERROR_RATES["GANDA"])))
    voters_p = np.sort(rng.choice(elig_idx, size=target, replace=False))
    in_dpt = np.zeros(n, bool)
    in_dpt[voters_p] = True
    ghost_rows = dptmod.pick(
        rng, np.arange(len(voters_p)), len(voters_p), model.ERROR_RATES["TIDAK_DI_REGISTER"]
    )
    ghost = np.zeros(n, bool)
    ghost[voters_p[ghost_rows]] = True
    # register birth date is a placeholder (and the NIK was made from it) for some voters
    reg_ph_rows = dptmod.pick(
        rng,
        np.flatnonzero(~ghost[voters_p]),
        len(voters_p),
        model.ERROR_RATES["TGL_PLACEHOLDER_REGISTER"],
    )
    reg_birth = pop.birth.copy()
    ph = population.placeholder_dates(rng, pop.birth[voters_p[reg_ph_rows]])
    reg_birth[voters_p[reg_ph_rows]] = ph
    reg_ph = np.zeros(n, bool)
    reg_ph[voters_p[reg_ph_rows]] = (
        reg_birth[voters_p[reg_ph_rows]] != pop.birth[voters_p[reg_ph_rows]]
    )

    # -- identifiers, names, places, addresses ------------------------------------------------
    progress("nik", 0, None)
    nik, nkk = population.assign_ids(rng, pop, regions, reg_birth, ref_day)
    progress("nama", 0, None)
    names_p = population.make_names(rng, pop, first)
    places_p = population.make_birth_places(rng, pop, regions, nik)
    addr_hh = population.make_addresses(rng, pop, regions)

    # -- e-KTP status --------------------------------------------------------------------------
    calibrate = in_dpt & ~ghost
    st, tgl, scale_used = status.initial_status(
        rng, pop.birth, age_s, age_e, ever_married, kab_p, calibrate, ref_day
    )
    st[pop.new_day > 0] = status.UNREG
    wajib = (age_s >= 17) | ever_married | (age_e >= 17)

    # -- registry.csv --------------------------------------------------------------------------
    progress("register", 0, None)
    # some voters moved: the register has them in another household and place, the DPT not
    moved_rows = dptmod.pick(
        rng, np.flatnonzero(~ghost[voters_p]), len(voters_p), model.ERROR_RATES["DOMISILI_BEDA"]
    )
    reg_hh = pop.hh.copy()
    reg_hh[voters_p[moved_rows]] = _moved_households(rng, pop, regions, voters_p[moved_rows])
    moved = np.zeros(n, bool)
    moved[voters_p[moved_rows]] = True
    reg_cols = _registry_columns(
        pop, regions, nik, nkk, names_p, places_p, addr_hh, reg_birth, reg_hh
    )
    base = np.flatnonzero((pop.new_day == 0) & ~ghost)
    engine = connect()
    try:
        registry_path = out_dir / "registry.csv"
        _write_csv(engine, _registry_reader(reg_cols, base, st, tgl), registry_path)
        progress("register", len(base), len(base))

        # -- DPT -------------------------------------------------------------------------------
        progress("dpt", 0, None)
        rows = dptmod.build_rows(
            rng,
            voters_p,
            ghost[voters_p],
            pop.desa,
            pop.hh,
            pop.member,
            regions.kab_code,
            regions.kec_code,
            profile.max_voters_per_tps,
        )
        pid = rows.pid
        nr = len(pid)
        rows.errors["TIDAK_DI_REGISTER"] = ghost[pid]
        rows.errors["TGL_PLACEHOLDER_REGISTER"] = reg_ph[pid]
        rows.errors["DOMISILI_BEDA"] = moved[pid]
        family = _family_nik(pop, nik, ghost)
        other = _other_nik(rng, pop, nik, ghost, pid)
        nik_s, nkk_s = dptmod.apply_nik_errors(
            rng, rows, nik[pid], nkk[pop.hh[pid]], family[pid], other
        )
        birth_row = dptmod.apply_date_errors(rng, rows, reg_birth[pid], pop.birth[pid])
        names_row = pc.take(names_p, pa.array(pid))
        age_row = age_on(birth_row, profile.election_day)
        names_row, name_kinds = dptmod.apply_name_errors(
            rng, rows, names_row, pop.female[pid], age_row, pop.group[pid]
        )
        places_row = dptmod.apply_place_errors(rng, rows, pc.take(places_p, pa.array(pid)))
        female_row = dptmod.apply_sex_errors(rng, rows, pop.female[pid])
        dpt_table, formats = _dpt_table(
            rng,
            rows,
            pop,
            regions,
            nik_s,
            nkk_s,
            names_row,
            places_row,
            birth_row,
            age_row,
            female_row,
            addr_hh,
            st,
            profile,
        )
        dpt_path = out_dir / "dpt.csv"
        _write_csv(engine, dpt_table, dpt_path)
        progress("dpt", nr, nr)

        # -- ground truth --------------------------------------------------------------------
        gt = _ground_truth(rows, nik, st, ghost)
        gt_path = out_dir / "ground_truth.csv"
        _write_csv(engine, gt, gt_path)

        # -- daily deltas --------------------------------------------------------------------
        snap_paths: list[Path] = []
        events, pace = status.campaign(
            rng, st, tgl, wajib, in_dpt & ~ghost, kab_p, pop.new_day, ref_day, n_days_total
        )
        snap_dir = out_dir / "snapshots"
        snap_dir.mkdir(exist_ok=True)
        for old in snap_dir.glob("registry-delta-*.csv"):
            old.unlink()
        delta_counts: dict[str, int] = {}
        unrec_dpt_by_day: dict[str, int] = {}
        cur = st.copy()
        tracked = in_dpt & ~ghost
        unrec_dpt_by_day[first.isoformat()] = int(((cur == status.UNREG) & tracked).sum())
        tg = tgl.copy()
        order = np.lexsort((events.person, events.day))
        ev_p, ev_d, ev_s, ev_t = (
            a[order] for a in (events.person, events.day, events.status, events.tgl)
        )
        bounds = np.searchsorted(ev_d, np.arange(1, n_days + 2))
        for i in range(n_days):
            d_date = first + dt.timedelta(days=i + 1)
            lo, hi = bounds[i], bounds[i + 1]
            who, s_new, t_new = ev_p[lo:hi], ev_s[lo:hi], ev_t[lo:hi]
            cur[who] = s_new
            path = snap_dir / f"registry-delta-{d_date.isoformat()}.csv"
            tg[who] = t_new
            _write_csv(engine, _registry_table(reg_cols, who, cur, tg), path)
            snap_paths.append(path)
            delta_counts[d_date.isoformat()] = len(who)
            unrec_dpt_by_day[d_date.isoformat()] = int(((cur == status.UNREG) & tracked).sum())
            progress("snapshot", i + 1, n_days)
    finally:
        engine.close()

    xlsx_paths: list[Path] = []
    if xlsx_per_desa:
        from padan.synth.xlsx import write_xlsx_per_desa

        xlsx_paths = write_xlsx_per_desa(
            rng, out_dir / "dpt-xlsx", dpt_table, rows, regions, profile, xlsx_damaged, progress
        )

    # -- manifest ------------------------------------------------------------------------------
    error_counts = {k: int(v.sum()) for k, v in sorted(rows.errors.items())}
    rekam = status.REKAM_OF_CODE[st[pid]]
    found = ~ghost[pid]
    per_kab = {}
    row_kab = regions.kab_code[rows.desa]
    for k in kabs:
        mk = row_kab == k
        per_kab[k] = {
            "nama": wilayah.get(k).name,
            "dpt": int(mk.sum()),
            "tps": int(len(np.unique(rows.desa[mk].astype(np.int64) * 1000 + rows.tps[mk]))),
            "belum_rekam": int(((rekam == "BELUM_REKAM") & found & mk).sum()),
            # after the last delta written (the same as belum_rekam without deltas)
            "belum_rekam_akhir": int(((cur[pid] == status.UNREG) & found & mk).sum()),
            "register": int(((regions.kab_code[pop.hh_desa[reg_hh[base]]]) == k).sum()),
        }
    counts = {
        "registry": len(base),
        "dpt": nr,
        "ground_truth": nr,
        "dpt_persons": len(voters_p),
        "snapshots": len(snap_paths),
        "delta_rows": int(sum(delta_counts.values())),
        "xlsx": len(xlsx_paths),
    }
    manifest = {
        "generator": "padan.synth",
        "seed": seed,
        "options": {
            "voters": voters,
            "scale": scale,
            "kabupaten": list(kabs),
            "snapshots": snapshots,
            "xlsx_per_desa": xlsx_per_desa,
            "xlsx_damaged": xlsx_damaged,
        },
        "profile": PROFILE,
        "dates": {
            "first_snapshot": first.isoformat(),
            "deltas": [p.name for p in snap_paths],
            "recording_deadline": deadline.isoformat(),
            "election_day": profile.election_day.isoformat(),
        },
        "counts": counts,
        "per_kabupaten": per_kab,
        "register_outside_pilkada": int((~in_play[base]).sum()),
        "error_model": {
            "rates": model.ERROR_RATES,
            "nik_errors_exclusive": list(model.NIK_ERRORS),
            "name_variant_kinds": model.NAME_VARIANTS,
            "placeholder_kinds": model.PLACEHOLDER_KINDS,
            "missing_from_dpt": model.MISSING_FROM_DPT,
        },
        "error_counts": error_counts,
        "name_variant_counts": name_kinds,
        "status_model": {
            "unrecorded_dpt_target": model.UNRECORDED_DPT,
            "unrecorded_age_factor": model.UNRECORDED_AGE_FACTOR,
            "kab_unrecorded_factor": model.KAB_UNRECORDED_FACTOR,
            "failed_rate": model.FAILED_RATE,
            "base_probability": round(scale_used, 6),
            "campaign": pace,
        },
        "realised": {
            "missing_from_dpt_share": round(1 - len(voters_p) / max(len(elig_idx), 1), 5),
            "belum_rekam_dpt": int(((rekam == "BELUM_REKAM") & found).sum()),
            "belum_rekam_dpt_share": round(
                float(((rekam == "BELUM_REKAM") & found).sum() / max(found.sum(), 1)), 5
            ),
            "unrecorded_dpt_by_day": unrec_dpt_by_day,
            "delta_rows_by_day": delta_counts,
        },
        "formats": formats,
    }
    manifest_path = out_dir / "manifest.json"
    manifest_path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return SynthManifest(
        out_dir=out_dir,
        registry=registry_path,
        dpt=dpt_path,
        ground_truth=gt_path,
        manifest=manifest_path,
        snapshots=snap_paths,
        xlsx=xlsx_paths,
        counts=counts,
        seed=seed,
    )


def manifest_dict(m: SynthManifest) -> dict:
    d = asdict(m)
    return {
        k: (str(v) if isinstance(v, Path) else [str(x) for x in v] if isinstance(v, list) else v)
        for k, v in d.items()
    }


# -- helpers --------------------------------------------------------------------------------------
def _real_dpt(k: str) -> float:
    if k in model.REAL_DPT:
        return model.REAL_DPT[k]
    return 0.67 * model.OTHER_POPULATION.get(k, 200_000)


def _check_kabupaten(kabupaten: Sequence[str] | None, default: Sequence[str]) -> list[str]:
    if not kabupaten:
        return sorted(default)
    out = []
    for raw in kabupaten:
        code = wilayah.undotted(str(raw))
        r = wilayah.get(code)
        if r is None or r.level != "kabupaten" or not code.startswith("73"):
            raise PadanError(
                "SYNTH_KABUPATEN",
                f"Kode kabupaten/kota {raw!r} bukan kabupaten/kota di Sulawesi Selatan.",
                hint="Contoh: 7306 (Gowa), 7371 (Kota Makassar).",
            )
        out.append(code)
    return sorted(set(out))


def _add_newborns(
    rng: np.random.Generator, pop: population.Population, n_days: int, ref_day: int
) -> population.Population:
    """Babies registered after the first snapshot: new register records in the deltas."""
    k = int(rng.binomial(len(pop), model.NEW_RECORDS_PER_DAY * max(n_days, 0)))
    if k == 0 or n_days == 0:
        return pop
    hhs = np.sort(rng.choice(len(pop.hh_desa), size=k, replace=False))
    d = rng.integers(1, n_days + 1, k)
    births = ref_day + d - rng.integers(1, 90, k)
    last_member = np.bincount(pop.hh, minlength=len(pop.hh_desa))
    group_hh = np.zeros(len(pop.hh_desa), np.int8)
    group_hh[pop.hh] = pop.group
    add = {
        "hh": hhs,
        "member": last_member[hhs],
        "role": np.full(k, 2, np.int8),
        "female": rng.random(k) < 0.49,
        "birth": births.astype(np.int64),
        "marital": np.zeros(k, np.int8),
        "desa": pop.hh_desa[hhs],
        "group": group_hh[hhs],
        "new_day": d.astype(np.int16),
    }
    for name, arr in add.items():
        setattr(
            pop, name, np.concatenate([getattr(pop, name), arr.astype(getattr(pop, name).dtype)])
        )
    return pop


def _family_nik(pop: population.Population, nik: np.ndarray, ghost: np.ndarray) -> np.ndarray:
    """For each person, the NIK of another member of the household (head, or the next one)."""
    n_hh = len(pop.hh_desa)
    base = pop.new_day == 0
    first = np.full(n_hh, -1, np.int64)
    second = np.full(n_hh, -1, np.int64)
    m0 = base & (pop.member == 0) & ~ghost
    first[pop.hh[m0]] = np.flatnonzero(m0)
    m1 = base & (pop.member == 1) & ~ghost
    second[pop.hh[m1]] = np.flatnonzero(m1)
    other = np.where(pop.member == 0, second[pop.hh], first[pop.hh])
    out = np.where(other >= 0, nik[np.maximum(other, 0)], 0)
    return out


def _other_nik(
    rng: np.random.Generator,
    pop: population.Population,
    nik: np.ndarray,
    ghost: np.ndarray,
    pid: np.ndarray,
) -> np.ndarray:
    """For each DPT row, the NIK of an unrelated register person of the same desa (0: none)."""
    base = np.flatnonzero((pop.new_day == 0) & ~ghost)  # sorted by desa (households are)
    desa_sorted = pop.desa[base]
    lo = np.searchsorted(desa_sorted, pop.desa[pid], side="left")
    hi = np.searchsorted(desa_sorted, pop.desa[pid], side="right")
    out = np.zeros(len(pid), np.int64)
    todo = np.flatnonzero(hi - lo > 1)
    for _ in range(4):
        if len(todo) == 0:
            break
        cand = base[lo[todo] + np.floor(rng.random(len(todo)) * (hi - lo)[todo]).astype(np.int64)]
        ok = pop.hh[cand] != pop.hh[pid[todo]]
        out[todo[ok]] = nik[cand[ok]]
        todo = todo[~ok]
    return out


def _dates(days: np.ndarray, fmt: str = "%d-%m-%Y") -> pa.Array:
    """Dates (days since epoch) as text; formatted once per distinct day, then looked up."""
    days = np.asarray(days, np.int64)
    if len(days) == 0:
        return pa.array([], pa.string())
    lo, hi = int(days.min()), int(days.max())
    table = pc.strftime(pa.array(np.arange(lo, hi + 1, dtype=np.int32), pa.date32()), format=fmt)
    return pc.take(table, pa.array(days - lo))


KAWIN_REG = np.array(["BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI"], dtype=object)
KAWIN_DPT = np.array(["B", "S", "P", "P"], dtype=object)


def _moved_households(
    rng: np.random.Generator, pop: population.Population, regions, who: np.ndarray
) -> np.ndarray:
    """A household elsewhere for each mover: another desa of the same kecamatan (30 %),
    another kecamatan of the same kabupaten (45 %), another kabupaten of Sulsel (25 %)."""
    hh_desa = pop.hh_desa
    hh_kec = regions.kec_code[hh_desa]
    hh_kab = hh_kec // 100
    out = np.empty(len(who), np.int64)
    by_kec = np.argsort(hh_kec, kind="stable")
    by_kab = np.argsort(hh_kab, kind="stable")
    kec_sorted, kab_sorted = hh_kec[by_kec], hh_kab[by_kab]
    u = rng.random(len(who))
    for i, p in enumerate(who):
        own = pop.hh[p]
        kec, kab = hh_kec[own], hh_kab[own]
        pick = own
        for _ in range(8):
            if u[i] < 0.30:
                lo, hi = np.searchsorted(kec_sorted, [kec, kec + 1])
                cand = by_kec[lo + int(rng.integers(max(hi - lo, 1)))]
                ok = hh_desa[cand] != hh_desa[own]
            elif u[i] < 0.75:
                lo, hi = np.searchsorted(kab_sorted, [kab, kab + 1])
                cand = by_kab[lo + int(rng.integers(max(hi - lo, 1)))]
                ok = hh_kec[cand] != kec
            else:
                cand = int(rng.integers(len(hh_desa)))
                ok = hh_kab[cand] != kab
            if ok:
                pick = cand
                break
        if pick == own:  # nowhere else nearby: another kabupaten
            while hh_kab[pick] == kab and len(np.unique(hh_kab)) > 1:
                pick = int(rng.integers(len(hh_desa)))
        out[i] = pick
    return out


def _registry_columns(
    pop, regions, nik, nkk, names_p, places_p, addr_hh, reg_birth, reg_hh
) -> dict[str, pa.Array]:
    """Register columns per person; address, family card and domicile from ``reg_hh`` (the
    household the register has them in)."""
    reg_desa = pop.hh_desa[reg_hh]
    return {
        "NIK": pc.cast(pa.array(nik), pa.string()),
        "NO_KK": pc.cast(pa.array(nkk[reg_hh]), pa.string()),
        "NAMA_LGKP": names_p,
        "TMPT_LHR": places_p,
        "TGL_LHR": _dates(reg_birth),
        "JENIS_KLMIN": pc.take(
            pa.array(["LAKI-LAKI", "PEREMPUAN"]), pa.array(pop.female.astype(np.int8))
        ),
        "STAT_KWN": pa.array(KAWIN_REG[pop.marital], pa.string()),
        "ALAMAT": pc.take(addr_hh, pa.array(reg_hh)),
        "NO_RT": pa.array(pop.hh_rt[reg_hh]),
        "NO_RW": pa.array(pop.hh_rw[reg_hh]),
        "NO_PROP": pa.array(
            np.array([c[:2] for c in regions.desa_code]).astype(np.int32)[reg_desa]
        ),
        "NO_KAB": pa.array(
            np.array([c[2:4] for c in regions.desa_code]).astype(np.int32)[reg_desa]
        ),
        "NO_KEC": pa.array(
            np.array([c[4:6] for c in regions.desa_code]).astype(np.int32)[reg_desa]
        ),
        "NO_KEL": pa.array(np.array([c[6:] for c in regions.desa_code]).astype(np.int32)[reg_desa]),
    }


def _registry_table(
    cols: dict[str, pa.Array], idx: np.ndarray, st: np.ndarray, tgl: np.ndarray
) -> pa.Table:
    take = pa.array(np.asarray(idx, np.int64))
    out = {c: pc.take(cols[c], take) for c in REGISTRY_COLUMNS[:14]}
    out["STATUS_KTP_EL"] = pa.array(np.array(status.CODES, dtype=object)[st[idx]], pa.string())
    t = tgl[idx]
    dates = _dates(np.maximum(t, 0))
    out["TGL_REKAM"] = pc.if_else(pa.array(t < 0), "", dates)
    return pa.table(out)


def _registry_reader(
    cols: dict[str, pa.Array],
    idx: np.ndarray,
    st: np.ndarray,
    tgl: np.ndarray,
    chunk: int = 500_000,
) -> pa.RecordBatchReader:
    """The register rows ``idx`` as a stream of batches, so that the full register is never
    held twice in memory while it is written."""
    schema = _registry_table(cols, idx[:1], st, tgl).schema

    def batches():
        for lo in range(0, len(idx), chunk):
            yield from _registry_table(cols, idx[lo : lo + chunk], st, tgl).to_batches()

    return pa.RecordBatchReader.from_batches(schema, batches())


def _kab_forms(rng: np.random.Generator, kabs: Sequence[str]) -> dict[str, dict[str, str]]:
    """How each kabupaten's Sidalih export writes its name, TPS numbers and dates."""
    forms = {}
    for k in kabs:
        full = wilayah.get(k).name.upper()
        plain = full.replace("KABUPATEN ", "").replace("KOTA ", "")
        is_kota = full.startswith("KOTA ")
        u = rng.random(3)
        if u[0] < 0.6:
            name = plain
        elif is_kota:
            name = full
        else:
            name = "KAB. " + plain if u[0] < 0.85 else full
        forms[k] = {
            "kabupaten": name,
            "tps": "001" if u[1] < 0.7 else "1",
            "tanggal": "DD-MM-YYYY" if u[2] < 0.65 else "DD|MM|YYYY",
        }
    return forms


def _dpt_table(
    rng,
    rows,
    pop,
    regions,
    nik_s,
    nkk_s,
    names_row,
    places_row,
    birth_row,
    age_row,
    female_row,
    addr_hh,
    st,
    profile,
):
    pid = rows.pid
    kabs = sorted(set(regions.kab_code[np.unique(rows.desa)]))
    forms = _kab_forms(rng, kabs)
    row_kab = regions.kab_code[rows.desa]
    # desa/kelurahan names, a few typed differently (consistently within the desa)
    used = np.unique(rows.desa)
    desa_names = regions.desa_name.copy()
    variant = used[rng.random(len(used)) < 0.04]
    for d in variant:
        desa_names[d] = variants.area_variant(str(desa_names[d]), rng)
    kab_name = _map(row_kab, {k: f["kabupaten"] for k, f in forms.items()})
    tps_plain = _map(row_kab, {k: f["tps"] == "1" for k, f in forms.items()}).astype(bool)
    tps_s = pc.cast(pa.array(rows.tps), pa.string())
    tps_pad = pc.utf8_lpad(tps_s, 3, "0")
    pipe = _map(row_kab, {k: f["tanggal"] == "DD|MM|YYYY" for k, f in forms.items()}).astype(bool)
    tgl = pc.if_else(pa.array(pipe), _dates(birth_row, "%d|%m|%Y"), _dates(birth_row))
    u = rng.random((3, len(pid)))
    recorded = status.REKAM_OF_CODE[st[pid]] != "BELUM_REKAM"
    ktp = np.where(recorded, np.where(u[0] < 0.97, "S", "B"), np.where(u[0] < 0.55, "B", "S"))
    ghost = rows.errors["TIDAK_DI_REGISTER"]
    ktp = np.where(ghost, np.where(u[0] < 0.8, "S", "B"), ktp)
    disab = np.where(
        u[1] < 0.006 + 0.0004 * np.maximum(age_row - 40, 0), rng.integers(1, 7, len(pid)), 0
    )
    rt = pc.utf8_lpad(pc.cast(pa.array(pop.hh_rt[rows.hh_addr]), pa.string()), 3, "0")
    rw = pc.utf8_lpad(pc.cast(pa.array(pop.hh_rw[rows.hh_addr]), pa.string()), 3, "0")
    table = pa.table(
        {
            "KABUPATEN": pa.array(kab_name, pa.string()),
            "KECAMATAN": pa.array(regions.kec_name[rows.desa], pa.string()),
            "KELURAHAN": pa.array(desa_names[rows.desa], pa.string()),
            "TPS": pc.if_else(pa.array(tps_plain), tps_s, tps_pad),
            "NO": pa.array(rows.no),
            "NKK": nkk_s,
            "NIK": nik_s,
            "NAMA": names_row,
            "TEMPAT_LAHIR": places_row,
            "TANGGAL_LAHIR": tgl,
            "USIA": pa.array(age_row.astype(np.int32)),
            "STATUS_KAWIN": pa.array(KAWIN_DPT[pop.marital[pid]], pa.string()),
            "JENIS_KELAMIN": pc.take(pa.array(["L", "P"]), pa.array(female_row.astype(np.int8))),
            "ALAMAT": pc.take(addr_hh, pa.array(rows.hh_addr)),
            "RT": rt,
            "RW": rw,
            "DISABILITAS": pa.array(disab.astype(np.int32)),
            "KTP_EL": pa.array(ktp),
            "KETERANGAN": pa.array(np.full(len(pid), ""), pa.string()),
        }
    )
    desa_variants = {str(regions.desa_code[d]): str(desa_names[d]) for d in variant}
    return table, {"per_kabupaten": forms, "kelurahan_variants": desa_variants}


def _map(keys: np.ndarray, mapping: dict) -> np.ndarray:
    out = np.empty(len(keys), dtype=object)
    for k, v in mapping.items():
        out[keys == k] = v
    return out


def _ground_truth(
    rows: dptmod.DptRows, nik: np.ndarray, st: np.ndarray, ghost: np.ndarray
) -> pa.Table:
    pid = rows.pid
    g = ghost[pid]
    nik_s = pc.cast(pa.array(nik[pid]), pa.string())
    rekam = status.REKAM_OF_CODE[st[pid]].copy()
    rekam[g] = "TIDAK_DITEMUKAN"
    order = list(model.NIK_ERRORS) + [e for e in model.ERROR_RATES if e not in model.NIK_ERRORS]
    parts = [
        pc.if_else(pa.array(rows.errors[e]), e, pa.scalar(None, pa.string()))
        for e in order
        if e in rows.errors
    ]
    kes = names.join(parts, ";")
    dup = pc.cast(pa.array(rows.dup_of), pa.string())
    return pa.table(
        {
            "ROW": pa.array(np.arange(len(pid))),
            "NIK_BENAR": pc.if_else(pa.array(g), "", nik_s),
            "STATUS_REKAM_BENAR": pa.array(rekam, pa.string()),
            "KESALAHAN": kes,
            "GANDA_DENGAN": pc.if_else(pa.array(rows.dup_of < 0), "", dup),
        }
    )


def _write_csv(engine, data: pa.Table | pa.RecordBatchReader, path: Path) -> None:
    """CSV (UTF-8, comma, header), values quoted only where needed, rows in input order."""
    engine.register("_synth_out", data)
    try:
        # empty values are written as empty fields (not ""), as Sidalih and SIAK export them
        cols = ", ".join(
            f'NULLIF("{f.name}", \'\') AS "{f.name}"'
            if pa.types.is_string(f.type)
            else f'"{f.name}"'
            for f in data.schema
        )
        engine.copy_to(f"SELECT {cols} FROM _synth_out", path, "csv")
    finally:
        engine.unregister("_synth_out")
