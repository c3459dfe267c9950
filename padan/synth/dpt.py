"""The DPT drawn from the synthetic population, with the errors real lists have.

Rows are built as numpy arrays (one element per DPT row, ``pid`` pointing at the person), the
error model picks rows for each error type at its documented rate, and only the few affected
strings are touched in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from padan.synth import model, variants
from padan.synth.population import age_on, from_ymd, placeholder_dates, ymd


@dataclass
class DptRows:
    pid: np.ndarray  # person of each row
    desa: np.ndarray  # desa index of the listing
    hh_addr: np.ndarray  # household whose address the listing carries
    dup_of: np.ndarray  # row index of the other listing, -1 if none (after ordering)
    tps: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    no: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    errors: dict[str, np.ndarray] = field(default_factory=dict)  # error -> bool per row


def pick(rng: np.random.Generator, candidates: np.ndarray, n_rows: int, rate: float) -> np.ndarray:
    """Row indices for an error: a binomial count over all rows, drawn from the candidates."""
    k = min(int(rng.binomial(n_rows, rate)), len(candidates))
    if k == 0:
        return np.zeros(0, np.int64)
    return np.sort(rng.choice(candidates, size=k, replace=False))


def build_rows(
    rng: np.random.Generator,
    voters: np.ndarray,
    ghost: np.ndarray,
    person_desa: np.ndarray,
    person_hh: np.ndarray,
    person_member: np.ndarray,
    desa_kab: np.ndarray,
    desa_kec: np.ndarray,
    max_per_tps: int,
) -> DptRows:
    """Voter rows plus second listings (GANDA), ordered by region, TPS, NO."""
    n_persons = len(voters)
    candidates = np.flatnonzero(~ghost)
    dup_src = pick(rng, candidates, n_persons, model.ERROR_RATES["GANDA"])
    # the second listing goes to another desa of the same kecamatan if there is one, else of
    # the same kabupaten, else anywhere; it carries the address of a household there
    used_desa = np.unique(person_desa[voters])
    voter_desa = person_desa[voters]
    order_by_desa = np.argsort(voter_desa, kind="stable")
    vd_sorted = voter_desa[order_by_desa]
    dup_desa = np.empty(len(dup_src), np.int64)
    dup_hh = np.empty(len(dup_src), np.int64)
    for i, r in enumerate(dup_src):
        own = voter_desa[r]
        pool = used_desa[(desa_kec[used_desa] == desa_kec[own]) & (used_desa != own)]
        if len(pool) == 0:
            pool = used_desa[(desa_kab[used_desa] == desa_kab[own]) & (used_desa != own)]
        if len(pool) == 0:
            pool = used_desa[used_desa != own]
        if len(pool) == 0:
            pool = np.array([own])
        target = int(pool[rng.integers(len(pool))])
        lo, hi = np.searchsorted(vd_sorted, [target, target + 1])
        other = voters[order_by_desa[lo + int(rng.integers(max(hi - lo, 1)))]]
        dup_desa[i] = target
        dup_hh[i] = person_hh[other]
    pid = np.concatenate([voters, voters[dup_src]])
    desa = np.concatenate([voter_desa, dup_desa])
    hh_addr = np.concatenate([person_hh[voters], dup_hh])
    member = np.concatenate([person_member[voters], np.full(len(dup_src), 99)])
    src_row = np.concatenate([np.full(n_persons, -1), dup_src])
    order = np.lexsort((member, hh_addr, desa))
    pid, desa, hh_addr, member, src_row = (a[order] for a in (pid, desa, hh_addr, member, src_row))
    # dup_of: pair each second listing with its first one, in the final order
    new_pos = np.empty(len(order), np.int64)
    new_pos[order] = np.arange(len(order))
    dup_of = np.full(len(order), -1, np.int64)
    second_rows = np.flatnonzero(src_row >= 0)
    first_rows = new_pos[src_row[second_rows]]
    dup_of[second_rows] = first_rows
    dup_of[first_rows] = second_rows

    # TPS within each desa: contiguous blocks, none over the cap
    starts = np.flatnonzero(np.r_[True, desa[1:] != desa[:-1]])
    counts = np.diff(np.r_[starts, len(desa)])
    # each desa's TPS are planned for 350-500 voters (never more than the profile's maximum)
    cap = rng.integers(min(350, max_per_tps), max_per_tps + 1, len(counts))
    n_tps = np.ceil(counts / cap).astype(np.int64)
    pos = np.arange(len(desa)) - np.repeat(starts, counts)
    cnt = np.repeat(counts, counts)
    tps = (pos * np.repeat(n_tps, counts)) // cnt + 1
    # NO: position within the TPS
    tps_key = desa.astype(np.int64) * 1000 + tps
    tstarts = np.flatnonzero(np.r_[True, tps_key[1:] != tps_key[:-1]])
    tcounts = np.diff(np.r_[tstarts, len(desa)])
    no = np.arange(len(desa)) - np.repeat(tstarts, tcounts) + 1
    rows = DptRows(
        pid=pid,
        desa=desa,
        hh_addr=hh_addr,
        dup_of=dup_of,
        tps=tps.astype(np.int32),
        no=no.astype(np.int32),
    )
    rows.errors["GANDA"] = dup_of >= 0
    return rows


def apply_nik_errors(
    rng: np.random.Generator,
    rows: DptRows,
    nik_true: np.ndarray,
    nkk_row: np.ndarray,
    family_nik: np.ndarray,
    other_nik: np.ndarray,
) -> tuple[pa.Array, pa.Array]:
    """The NIK (and NKK) column as typed: the true NIK, or one of the NIK errors."""
    n = len(rows.pid)
    nik = nik_true.copy()
    taken = np.zeros(n, bool)
    chosen: dict[str, np.ndarray] = {}
    for err in model.NIK_ERRORS:
        applicable = ~taken
        if err == "NIK_KELUARGA":
            applicable &= family_nik > 0
        if err == "NIK_ORANG_LAIN":
            applicable &= other_nik > 0
        idx = pick(rng, np.flatnonzero(applicable), n, model.ERROR_RATES[err])
        taken[idx] = True
        chosen[err] = idx
        mask = np.zeros(n, bool)
        mask[idx] = True
        rows.errors[err] = mask
    # one digit mistyped (mostly among the last ten)
    idx = chosen["NIK_SALAH_KETIK"]
    p = np.where(
        rng.random(len(idx)) < 0.75, rng.integers(6, 16, len(idx)), rng.integers(1, 6, len(idx))
    )
    place = 10 ** (15 - p)
    old = (nik[idx] // place) % 10
    new = (old + rng.integers(1, 10, len(idx))) % 10
    nik[idx] = nik[idx] + (new - old) * place
    # neighbouring digits transposed (where they differ)
    idx = chosen["NIK_TUKAR_DIGIT"]
    if len(idx):
        digits = (nik[idx][:, None] // (10 ** (15 - np.arange(16)))[None, :]) % 10
        differ = digits[:, :-1] != digits[:, 1:]
        score = rng.random(differ.shape) * differ
        p = np.argmax(score, axis=1)
        a = digits[np.arange(len(idx)), p]
        b = digits[np.arange(len(idx)), p + 1]
        pa_, pb_ = 10 ** (15 - p), 10 ** (14 - p)
        nik[idx] = nik[idx] - a * pa_ - b * pb_ + b * pa_ + a * pb_
    nik[chosen["NKK_SEBAGAI_NIK"]] = nkk_row[chosen["NKK_SEBAGAI_NIK"]]
    nik[chosen["NIK_KELUARGA"]] = family_nik[chosen["NIK_KELUARGA"]]
    nik[chosen["NIK_ORANG_LAIN"]] = other_nik[chosen["NIK_ORANG_LAIN"]]
    nik_s = pc.cast(pa.array(nik), pa.string())
    nkk_s = pc.cast(pa.array(nkk_row), pa.string())
    blank = rows.errors["NIK_KOSONG"]
    masked = pa.array(rows.errors["NIK_DISAMARKAN"])
    stars = "*" * 10
    nik_m = pc.binary_join_element_wise(pc.utf8_slice_codeunits(nik_s, 0, 6), stars, "")
    nkk_m = pc.binary_join_element_wise(pc.utf8_slice_codeunits(nkk_s, 0, 6), stars, "")
    nik_s = pc.if_else(masked, nik_m, pc.if_else(pa.array(blank), "", nik_s))
    nkk_s = pc.if_else(masked, nkk_m, nkk_s)
    # NKK left blank (independent of the NIK errors, not on masked rows)
    idx = pick(
        rng, np.flatnonzero(~rows.errors["NIK_DISAMARKAN"]), n, model.ERROR_RATES["NKK_KOSONG"]
    )
    no_kk = np.zeros(n, bool)
    no_kk[idx] = True
    rows.errors["NKK_KOSONG"] = no_kk
    nkk_s = pc.if_else(pa.array(no_kk), "", nkk_s)
    return nik_s, nkk_s


def apply_date_errors(
    rng: np.random.Generator, rows: DptRows, reg_birth_row: np.ndarray, true_birth_row: np.ndarray
) -> np.ndarray:
    """The DPT birth date: the true date, a placeholder, or day and month swapped."""
    n = len(rows.pid)
    birth = true_birth_row.copy()
    ph = placeholder_dates(rng, birth)
    can_ph = (ph != birth) & ~rows.errors["TGL_PLACEHOLDER_REGISTER"]
    idx = pick(rng, np.flatnonzero(can_ph), n, model.ERROR_RATES["TGL_PLACEHOLDER"])
    birth[idx] = ph[idx]
    m_ph = np.zeros(n, bool)
    m_ph[idx] = True
    rows.errors["TGL_PLACEHOLDER"] = m_ph
    y, m, d = ymd(birth)
    can_swap = (d <= 12) & (d != m) & ~m_ph & ~rows.errors["TGL_PLACEHOLDER_REGISTER"]
    idx = pick(rng, np.flatnonzero(can_swap), n, model.ERROR_RATES["TGL_TUKAR"])
    birth[idx] = from_ymd(y[idx], d[idx], m[idx])
    m_sw = np.zeros(n, bool)
    m_sw[idx] = True
    rows.errors["TGL_TUKAR"] = m_sw
    # one part mistyped: the year off by one or ten, the day or the month off by one
    can = ~m_ph & ~m_sw & ~rows.errors["TGL_PLACEHOLDER_REGISTER"]
    idx = pick(rng, np.flatnonzero(can), n, model.ERROR_RATES["TGL_SALAH_KETIK"])
    kind = rng.choice(3, size=len(idx), p=[0.4, 0.4, 0.2])
    step = np.where(rng.random(len(idx)) < 0.5, -1, 1)
    yy, mm, dd = y[idx].copy(), m[idx].copy(), d[idx].copy()
    yy = np.where(kind == 0, yy + step * np.where(rng.random(len(idx)) < 0.8, 1, 10), yy)
    dd = np.where(kind == 1, np.clip(dd + step, 1, 28), dd)
    dd = np.where((kind == 1) & (dd == d[idx]), dd - step, dd)  # clipped: go the other way
    mm = np.where(kind == 2, (mm - 1 + step) % 12 + 1, mm)
    dd = np.where(kind == 2, np.minimum(dd, 28), dd)
    yy = np.minimum(yy, 2003)  # still of voting age by the DPT's own date
    new = from_ymd(yy, mm, dd)
    keep = new != birth[idx]
    birth[idx[keep]] = new[keep]
    m_ty = np.zeros(n, bool)
    m_ty[idx[keep]] = True
    rows.errors["TGL_SALAH_KETIK"] = m_ty
    return birth


def apply_name_errors(
    rng: np.random.Generator,
    rows: DptRows,
    names_row: pa.Array,
    female_row: np.ndarray,
    age_row: np.ndarray,
    group_row: np.ndarray,
) -> tuple[pa.Array, dict[str, int]]:
    n = len(rows.pid)
    # another name altogether (the name the person goes by)
    lain = pick(rng, np.arange(n), n, model.ERROR_RATES["NAMA_LAIN"])
    originals = pc.take(names_row, pa.array(lain)).to_pylist()
    out = [
        variants.other_name(s, rng, bool(f), int(g))
        for s, f, g in zip(originals, female_row[lain], group_row[lain], strict=True)
    ]
    mask = np.zeros(n, bool)
    mask[lain] = True
    rows.errors["NAMA_LAIN"] = mask
    names_row = _scatter(names_row, lain, out)
    idx = pick(rng, np.flatnonzero(~mask), n, model.ERROR_RATES["NAMA_VARIASI"])
    kinds = list(model.NAME_VARIANTS)
    kind_idx = rng.choice(len(kinds), size=len(idx), p=np.array(list(model.NAME_VARIANTS.values())))
    originals = pc.take(names_row, pa.array(idx)).to_pylist()
    fem = female_row[idx]
    ages = age_row[idx]
    out = [
        variants.name_variant(s, kinds[k], rng, bool(f), int(a))
        for s, k, f, a in zip(originals, kind_idx, fem, ages, strict=True)
    ]
    mask = np.zeros(n, bool)
    mask[idx] = True
    rows.errors["NAMA_VARIASI"] = mask
    counts = {k: int((kind_idx == i).sum()) for i, k in enumerate(kinds)}
    return _scatter(names_row, idx, out), counts


def apply_place_errors(rng: np.random.Generator, rows: DptRows, places_row: pa.Array) -> pa.Array:
    n = len(rows.pid)
    idx = pick(rng, np.arange(n), n, model.ERROR_RATES["TEMPAT_VARIASI"])
    originals = pc.take(places_row, pa.array(idx)).to_pylist()
    out = [variants.place_variant(s, rng) for s in originals]
    mask = np.zeros(n, bool)
    mask[idx] = True
    rows.errors["TEMPAT_VARIASI"] = mask
    return _scatter(places_row, idx, out)


def _scatter(base: pa.Array, idx: np.ndarray, values: list[str]) -> pa.Array:
    """``base`` with the elements at ``idx`` replaced by ``values``."""
    if len(idx) == 0:
        return base
    combined = pa.concat_arrays([base, pa.array(values, pa.string())])
    take = np.arange(len(base))
    take[idx] = len(base) + np.arange(len(idx))
    return pc.take(combined, pa.array(take))


def apply_sex_errors(rng: np.random.Generator, rows: DptRows, female_row: np.ndarray) -> np.ndarray:
    """JENIS_KELAMIN as typed: wrong on a few rows."""
    n = len(rows.pid)
    idx = pick(rng, np.arange(n), n, model.ERROR_RATES["JK_SALAH"])
    wrong = np.zeros(n, bool)
    wrong[idx] = True
    rows.errors["JK_SALAH"] = wrong
    return female_row ^ wrong


def usia(birth: np.ndarray, election_day: dt.date) -> np.ndarray:
    return age_on(birth, election_day)
