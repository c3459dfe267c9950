"""The synthetic population register: regions, households, people, NIK/NKK, e-KTP status.

Everything is drawn vectorised with numpy from one seeded generator, so the same seed gives
the same people. A :class:`Population` holds one numpy array per attribute (one element per
person); strings are built as Arrow arrays only for the columns that need them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from padan.reference import wilayah
from padan.synth import model, names

EPOCH = dt.date(1970, 1, 1)


def day(d: dt.date) -> int:
    """Days since 1970-01-01 (numpy's datetime64[D] origin)."""
    return (d - EPOCH).days


@dataclass
class Regions:
    """The desa/kelurahan of the kabupaten in play, as parallel arrays."""

    desa_code: np.ndarray  # str, 10 digits
    kec_code: np.ndarray  # int, 6 digits
    kab_code: np.ndarray  # str, 4 digits
    desa_name: np.ndarray  # str, upper case
    kec_name: np.ndarray  # str, upper case
    urban: np.ndarray  # bool: kelurahan (code 1xxx) rather than desa (2xxx)


@dataclass
class Population:
    """One element per person (register residents, voters missing from it, later records)."""

    hh: np.ndarray  # household index
    member: np.ndarray  # 0 head, 1.. others in household order
    role: np.ndarray  # 0 head, 1 spouse, 2 child, 3 parent
    female: np.ndarray
    birth: np.ndarray  # true birth date, days since epoch
    marital: np.ndarray  # 0 BELUM KAWIN, 1 KAWIN, 2 CERAI HIDUP, 3 CERAI MATI
    desa: np.ndarray  # index into Regions
    group: np.ndarray  # naming group (names.GROUPS)
    new_day: np.ndarray  # 0: in the first snapshot; d > 0: new record on snapshot day d
    hh_desa: np.ndarray  # per household
    hh_rt: np.ndarray
    hh_rw: np.ndarray
    extra: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.hh)


def load_regions(kab_codes: list[str]) -> Regions:
    rows = []
    for kab in kab_codes:
        for kec in sorted(wilayah.children(kab), key=lambda r: r.code):
            for desa in sorted(wilayah.children(kec.code), key=lambda r: r.code):
                rows.append((desa.code, int(kec.code), kab, desa.name.upper(), kec.name.upper()))
    return Regions(
        desa_code=np.array([r[0] for r in rows]),
        kec_code=np.array([r[1] for r in rows], dtype=np.int64),
        kab_code=np.array([r[2] for r in rows]),
        desa_name=np.array([r[3] for r in rows], dtype=object),
        kec_name=np.array([r[4] for r in rows], dtype=object),
        urban=np.array([r[0][6] == "1" for r in rows]),
    )


def sulsel_kabupaten() -> list[str]:
    return sorted(r.code for r in wilayah.children("73"))


def all_kecamatan_codes(province: str | None = None, exclude_province: str | None = None):
    codes = [
        int(code)
        for code, r in wilayah.regions().items()
        if r.level == "kecamatan"
        and (province is None or code.startswith(province))
        and (exclude_province is None or not code.startswith(exclude_province))
    ]
    return np.array(sorted(codes), dtype=np.int64)


TWIN_RATE = 0.012  # of pairs of consecutive children in a household
# Household sizes (Sulsel: about 4 people per household).
HH_SIZES = np.arange(1, 10)
HH_P = np.array([0.07, 0.14, 0.19, 0.21, 0.17, 0.11, 0.06, 0.03, 0.02])
HH_P = HH_P / HH_P.sum()


def make_households(
    rng: np.random.Generator, regions: Regions, desa_people: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Household sizes and desa of each household, so that each desa gets about its people."""
    mean = float((HH_SIZES * HH_P).sum())
    n_hh_desa = np.maximum(1, np.round(desa_people / mean).astype(np.int64))
    n_hh_desa[desa_people == 0] = 0
    hh_desa = np.repeat(np.arange(len(desa_people)), n_hh_desa)
    sizes = rng.choice(HH_SIZES, size=len(hh_desa), p=HH_P)
    return sizes, hh_desa


def make_people(
    rng: np.random.Generator,
    sizes: np.ndarray,
    hh_desa: np.ndarray,
    regions: Regions,
    ref_day: int,
) -> Population:
    """People of each household: a head, often a spouse, children, sometimes a parent."""
    n_hh = len(sizes)
    hh = np.repeat(np.arange(n_hh), sizes)
    starts = np.cumsum(sizes) - sizes
    member = np.arange(len(hh)) - np.repeat(starts, sizes)
    s = sizes[hh]
    n = len(hh)
    u = rng.random((6, n))

    # head
    head_age_hh = np.clip(19 + rng.gamma(4.2, 6.8, n_hh), 18, 97)
    head_female_hh = np.where(sizes == 1, rng.random(n_hh) < 0.45, rng.random(n_hh) < 0.12)
    has_spouse_hh = (sizes >= 2) & (rng.random(n_hh) < 0.88) & (head_age_hh < 85)
    has_parent_hh = (sizes >= 3) & (rng.random(n_hh) < 0.16) & (head_age_hh < 62)
    head_age = head_age_hh[hh]
    head_female = head_female_hh[hh]

    role = np.full(n, 2, np.int8)
    role[member == 0] = 0
    role[(member == 1) & has_spouse_hh[hh]] = 1
    role[(member == s - 1) & has_parent_hh[hh] & (member >= 2)] = 3

    age = np.empty(n)
    female = np.empty(n, bool)
    is_head = role == 0
    age[is_head] = head_age[is_head]
    female[is_head] = head_female[is_head]
    sp = role == 1
    age[sp] = np.clip(
        head_age[sp] + np.where(head_female[sp], 4, -4) + rng.normal(0, 4, sp.sum()), 17, 97
    )
    female[sp] = ~head_female[sp]
    par = role == 3
    age[par] = np.clip(head_age[par] + rng.uniform(21, 36, par.sum()), 40, 100)
    female[par] = u[0][par] < 0.68
    ch = role == 2
    # children's ages follow the mother's (the spouse when the head is a man)
    spouse_age_hh = np.full(n_hh, np.nan)
    spouse_age_hh[hh[sp]] = age[sp]
    mother_hh = np.where(~head_female_hh & has_spouse_hh, spouse_age_hh, head_age_hh)
    mother_age = mother_hh[hh[ch]]
    gap = rng.uniform(17, 44, ch.sum())
    child_age = mother_age - gap
    neg = child_age < 0
    child_age[neg] = rng.uniform(0, 1, neg.sum()) * np.maximum(mother_age[neg] - 17, 0.3)
    age[ch] = child_age
    female[ch] = u[0][ch] < 0.49

    # birth date: days before the reference day
    birth = (ref_day - np.floor(age * 365.25 + rng.uniform(0, 365, n))).astype(np.int64)
    birth = np.minimum(birth, ref_day - 1)
    # twins (about 1.2 % of children): the next child of the household shares the birth date,
    # the household and the address, a hard case for any linkage
    twin = np.flatnonzero((role[:-1] == 2) & (role[1:] == 2) & (hh[:-1] == hh[1:]))
    twin = twin[rng.random(len(twin)) < TWIN_RATE]
    birth[twin + 1] = birth[twin]

    # marital status
    marital = np.zeros(n, np.int8)
    marital[is_head | sp] = 1
    alone = is_head & ~has_spouse_hh[hh]
    a_age = age[alone]
    alone_m = np.where(
        a_age < 28,
        np.where(u[1][alone] < 0.85, 0, 2),
        np.where(u[1][alone] < 0.25, 0, np.where(u[1][alone] < 0.45, 2, 3)),
    )
    marital[alone] = alone_m
    married_child = ch & (
        ((age >= 19) & (u[2] < 0.18)) | ((age >= 15) & (age < 19) & female & (u[2] < 0.04))
    )
    marital[married_child] = 1
    marital[par] = np.where(u[1][par] < 0.75, 3, 1)

    # naming group per household, by kabupaten mix
    kab_of_desa = regions.kab_code[hh_desa]
    group_hh = np.zeros(n_hh, np.int8)
    for kab in np.unique(kab_of_desa):
        m = kab_of_desa == kab
        mix = np.array(names.GROUP_MIX.get(str(kab), names.DEFAULT_MIX))
        group_hh[m] = rng.choice(4, size=int(m.sum()), p=mix / mix.sum())
    group = group_hh[hh]
    # a few mixed marriages
    mixed = sp & (u[3] < 0.08)
    group[mixed] = rng.integers(0, 2, mixed.sum())

    # RT/RW: households numbered within their desa
    order = np.argsort(hh_desa, kind="stable")
    first = np.searchsorted(hh_desa[order], hh_desa[order], side="left")
    rank = np.empty(n_hh, np.int64)
    rank[order] = np.arange(n_hh) - first
    per_rt = np.where(regions.urban[hh_desa], 45, 30)
    rt_seq = rank // per_rt
    rts_per_rw = np.where(regions.urban[hh_desa], 5, 3)
    hh_rw = (rt_seq // rts_per_rw + 1).astype(np.int32)
    hh_rt = (rt_seq % rts_per_rw + 1).astype(np.int32)

    return Population(
        hh=hh,
        member=member,
        role=role,
        female=female,
        birth=birth,
        marital=marital,
        desa=hh_desa[hh],
        group=group,
        new_day=np.zeros(n, np.int16),
        hh_desa=hh_desa,
        hh_rt=hh_rt,
        hh_rw=hh_rw,
    )


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of dates given as days since epoch (integer civil-calendar arithmetic,
    much faster than going through datetime64 units)."""
    z = np.asarray(days, np.int64) + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = yoe + era * 400 + (m <= 2)
    return y, m, d


def age_on(birth_days: np.ndarray, on: dt.date) -> np.ndarray:
    """Completed years on ``on`` for birth dates given as days since epoch."""
    y, m, d = ymd(birth_days)
    before = (on.month < m) | ((on.month == m) & (on.day < d))
    return on.year - y - before.astype(np.int64)


def from_ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    months = (np.asarray(y) - 1970) * 12 + (np.asarray(m) - 1)
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + (
        np.asarray(d) - 1
    )


def placeholder_dates(rng: np.random.Generator, birth: np.ndarray) -> np.ndarray:
    """The birth year kept, day and month replaced by a placeholder (31 Dec, 1 Jul, 1 Jan, 15th)."""
    y, m, _ = ymd(birth)
    kinds = list(model.PLACEHOLDER_KINDS)
    k = rng.choice(len(kinds), size=len(birth), p=np.array(list(model.PLACEHOLDER_KINDS.values())))
    mm = np.select([k == 0, k == 1, k == 2], [12, 7, 1], m)
    dd = np.select([k == 0, k == 1, k == 2], [31, 1, 1], 15)
    return from_ymd(y, mm, dd)


def assign_ids(
    rng: np.random.Generator,
    pop: Population,
    regions: Regions,
    nik_birth: np.ndarray,
    ref_day: int,
) -> tuple[np.ndarray, np.ndarray]:
    """NIK per person and NKK per household, valid by the rules and unique.

    NIK: digits 1-6 the kecamatan of first issue (mostly where the person lives; for some
    adults another kecamatan, kabupaten or province), 7-12 DDMMYY of birth (+40 on the day
    for women), 13-16 a serial from 0001 within the same first twelve digits.
    """
    n = len(pop)
    home_kec = regions.kec_code[pop.desa]
    adult = (ref_day - pop.birth) > 17 * 365
    u = rng.random(n)
    sulsel = all_kecamatan_codes("73")
    elsewhere = all_kecamatan_codes(exclude_province="73")
    kab_of_home = home_kec // 100
    # another kecamatan of the same kabupaten
    same_kab_choice = _random_kec_same_kab(rng, kab_of_home, sulsel)
    prefix = home_kec.copy()
    prefix = np.where(adult & (u < 0.09), same_kab_choice, prefix)
    prefix = np.where(adult & (u >= 0.09) & (u < 0.15), rng.choice(sulsel, n), prefix)
    prefix = np.where(adult & (u >= 0.15) & (u < 0.18), rng.choice(elsewhere, n), prefix)
    y, m, d = ymd(nik_birth)
    d = d + np.where(pop.female, 40, 0)
    ddmmyy = d * 10_000 + m * 100 + (y % 100)
    key12 = prefix * 1_000_000 + ddmmyy
    nik = key12 * 10_000 + _serials(rng, key12)

    # NKK: kecamatan where the card was issued, date of issue, serial
    n_hh = len(pop.hh_desa)
    hh_kec = regions.kec_code[pop.hh_desa]
    issue = rng.integers(day(dt.date(2006, 1, 1)), ref_day - 30, n_hh)
    iy, im, idd = ymd(issue)
    k12 = hh_kec * 1_000_000 + (idd * 10_000 + im * 100 + iy % 100)
    nkk = k12 * 10_000 + _serials(rng, k12)
    return nik, nkk


def _serials(rng: np.random.Generator, key: np.ndarray) -> np.ndarray:
    """1, 2, ... within each key, in a random order (issuing order)."""
    perm = rng.permutation(len(key))
    k = key[perm]
    order = np.argsort(k, kind="stable")
    ks = k[order]
    first = np.searchsorted(ks, ks, side="left")
    rank_sorted = np.arange(len(ks)) - first + 1
    out = np.empty(len(key), np.int64)
    out[perm[order]] = rank_sorted
    return out


def _random_kec_same_kab(rng, kab_of_home: np.ndarray, sulsel_kec: np.ndarray) -> np.ndarray:
    kab_of_kec = sulsel_kec // 100
    order = np.argsort(kab_of_kec, kind="stable")
    kk = kab_of_kec[order]
    lo = np.searchsorted(kk, kab_of_home, side="left")
    hi = np.searchsorted(kk, kab_of_home, side="right")
    width = np.maximum(hi - lo, 1)
    pick = lo + np.floor(rng.random(len(kab_of_home)) * width).astype(np.int64)
    pick = np.minimum(pick, len(kk) - 1)
    return sulsel_kec[order][pick]


def make_names(rng: np.random.Generator, pop: Population, ref: dt.date) -> pa.Array:
    age = age_on(pop.birth, ref)
    base = names.make_names(rng, pop.group, pop.female, age)
    # Andi runs in families: the head and most children carry it, a spouse sometimes
    group_hh = np.zeros(len(pop.hh_desa), np.int8)
    group_hh[pop.hh[pop.member == 0]] = pop.group[pop.member == 0]
    andi_hh = rng.random(len(pop.hh_desa)) < np.asarray(names.ANDI_HOUSEHOLDS)[group_hh]
    share = np.select([pop.role == 0, pop.role == 1, pop.role == 2], [1.0, 0.45, 0.9], 0.3)
    andi = andi_hh[pop.hh] & (rng.random(len(pop)) < share) & (pop.group <= names.BUGIS)
    base = pc.if_else(pa.array(andi), pc.binary_join_element_wise("ANDI", base, " "), base)
    # academic titles on a few adults' register names
    titled = (age >= 24) & (rng.random(len(pop)) < 0.025)
    title = names.draw(rng, names.ACADEMIC, len(pop))
    with_title = pc.binary_join_element_wise(base, title, "")
    return pc.if_else(pa.array(titled), with_title, base)


def make_birth_places(
    rng: np.random.Generator, pop: Population, regions: Regions, nik: np.ndarray
) -> pa.Array:
    """Birth places as people write them: town or kecamatan of birth, old names included.

    The place follows the kecamatan of first issue in the NIK (people born elsewhere got
    their NIK elsewhere). Built as indices into a vocabulary, then taken once.
    """
    n = len(pop)
    prefix = nik // 10_000_000_000
    prov = prefix // 10_000
    kab = prefix // 100
    y, _, _ = ymd(pop.birth)
    u = rng.random(n)
    vocab: list[str] = []
    index: dict[str, int] = {}

    def ids(tokens) -> np.ndarray:
        out = []
        for t in tokens:
            if t not in index:
                index[t] = len(vocab)
                vocab.append(t)
            out.append(index[t])
        return np.asarray(out, np.int32)

    idx = np.zeros(n, np.int32)
    sulsel = prov == 73
    for k in np.unique(kab[sulsel]):
        m = np.flatnonzero(kab == k)
        ks = str(int(k))
        region = wilayah.get(ks)
        fallback = (
            (region.name.upper() if region else ks).replace("KABUPATEN ", "").replace("KOTA ", "")
        )
        toks, p = names.BIRTH_PLACES.get(ks, ([fallback], np.array([1.0])))
        idx[m] = ids(toks)[rng.choice(len(toks), size=len(m), p=p)]
    # a third write the kecamatan instead (not in Makassar, where the city name is used)
    kec = np.array(
        sorted(
            c for c, r in wilayah.regions().items() if r.level == "kecamatan" and c.startswith("73")
        )
    )
    kec_ids = ids(wilayah.get(c).name.upper() for c in kec)
    use_kec = sulsel & (u < 0.35) & (kab != 7371)
    pos = np.clip(np.searchsorted(kec.astype(np.int64), prefix[use_kec]), 0, len(kec) - 1)
    idx[use_kec] = kec_ids[pos]
    mks = (kab == 7371) & (y >= 1971) & (y <= 1999) & (u < 0.75)
    idx[mks] = ids(["UJUNG PANDANG"])[0]
    other = ~sulsel
    toks, p = names.OUTSIDE_PLACES
    idx[other] = ids(toks)[rng.choice(len(toks), size=int(other.sum()), p=p)]
    # Toraja Utara was part of Tana Toraja until 2008; Luwu Utara/Timur of Luwu until 1999/2003
    idx[(kab == 7326) & (y < 2008) & (u > 0.5)] = ids(["TANA TORAJA"])[0]
    idx[np.isin(kab, [7322, 7324]) & (y < 1999) & (u > 0.8)] = ids(["LUWU"])[0]
    return pc.take(pa.array(vocab, pa.string()), pa.array(idx))


def make_addresses(rng: np.random.Generator, pop: Population, regions: Regions) -> pa.Array:
    """One address per household: streets and housing estates in towns, dusun in villages."""
    n_hh = len(pop.hh_desa)
    urban = regions.urban[pop.hh_desa]
    u = rng.random(n_hh)
    num = pa.array(rng.integers(1, 160, n_hh).astype(str))
    street = names.draw(rng, names.STREETS, n_hh)
    jl = names.join([pa.array(["JL."] * n_hh), street, pa.array(["NO."] * n_hh), num])
    lorong = names.join(
        [
            pa.array(["JL."] * n_hh),
            street,
            pa.array(["LR."] * n_hh),
            pa.array(rng.integers(1, 12, n_hh).astype(str)),
            pa.array(["NO."] * n_hh),
            num,
        ]
    )
    btn = names.join(
        [
            names.draw(rng, names.BTN, n_hh),
            pa.array(["BLOK"] * n_hh),
            pa.array(np.array(list("ABCDEFGHIJK"))[rng.integers(0, 11, n_hh)]),
            pa.array(["NO."] * n_hh),
            num,
        ]
    )
    # dusun named after a desa of Sulsel, fixed per desa and RW
    pool = np.array(
        sorted(
            {
                r.name.upper()
                for c, r in wilayah.regions().items()
                if r.level == "desa" and c.startswith("73")
            }
        ),
        dtype=object,
    )
    dusun_idx = (pop.hh_desa.astype(np.int64) * 7919 + pop.hh_rw.astype(np.int64) * 104729) % len(
        pool
    )
    dusun = pa.array(pool[dusun_idx], pa.string())
    lingk = pa.array(np.where(u < 0.5, "DUSUN", "LINGK."), pa.string())
    rural = names.join([lingk, dusun])
    addr = pc.if_else(pa.array(u < 0.70), jl, pc.if_else(pa.array(u < 0.82), lorong, btn))
    return pc.if_else(pa.array(urban), addr, pc.if_else(pa.array(u < 0.85), rural, jl))
