"""e-KTP status at the first snapshot and its daily progress up to the recording deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from padan.synth import model
from padan.synth.population import day

CODES: tuple[str, ...] = (
    "UNREGISTERED",
    *model.FAILURE_CODES,
    *model.RECORDED_CODES,
)
CODE = {c: i for i, c in enumerate(CODES)}
UNREG = CODE["UNREGISTERED"]
FAILED = np.array([CODE[c] for c in model.FAILURE_CODES])
IN_PROGRESS = np.array(
    [CODE[c] for c in ("BIO_CAPTURED", "PROCESSING", "SENT_FOR_ENROLLMENT", "RECEIVED_AT_CENTRAL")]
)
REKAM_OF_CODE = np.array([model.STATUS_REKAM[c] for c in CODES], dtype=object)
PROGRAM_START = day(dt.date(2011, 9, 1))


def initial_status(
    rng: np.random.Generator,
    birth: np.ndarray,
    age_snapshot: np.ndarray,
    age_election: np.ndarray,
    ever_married: np.ndarray,
    kab: np.ndarray,
    calibrate: np.ndarray,
    ref_day: int,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Status code index and TGL_REKAM (days, -1 none) per person at the first snapshot.

    People who must hold an e-KTP (17, married, or 17 by election day) are unrecorded with a
    probability scaled by kabupaten and age; the scale is solved so that exactly
    ``model.UNRECORDED_DPT`` of the ``calibrate`` set (the DPT voters) is expected unrecorded.
    """
    n = len(birth)
    wajib = (age_snapshot >= 17) | ever_married | (age_election >= 17)
    factor = np.ones(n)
    for k, f in model.KAB_UNRECORDED_FACTOR.items():
        factor[kab == k] = f
    for a, f in model.UNRECORDED_AGE_FACTOR.items():
        factor[age_election == a] *= f
    denom = factor[calibrate].mean() if calibrate.any() else 1.0
    scale = model.UNRECORDED_DPT / denom
    p_unrec = np.clip(scale * factor, 0, 0.95)
    u = rng.random((3, n))
    status = np.full(n, UNREG, np.int8)
    unrec = ~wajib | (u[0] < p_unrec)
    rec = ~unrec
    failed = rec & (u[1] < model.FAILED_RATE)
    fcodes = list(model.FAILURE_CODES.values())
    status[failed] = FAILED[
        rng.choice(len(fcodes), size=int(failed.sum()), p=np.array(fcodes) / sum(fcodes))
    ]
    ok = rec & ~failed
    rcodes = list(model.RECORDED_CODES)
    rp = np.array(list(model.RECORDED_CODES.values()))
    status[ok] = np.array([CODE[c] for c in rcodes])[
        rng.choice(len(rcodes), size=int(ok.sum()), p=rp / rp.sum())
    ]
    # recording date: from the program start (or turning 16/17) to shortly before the snapshot
    lo = np.maximum(PROGRAM_START, birth + int(16.5 * 365.25))
    hi = np.full(n, ref_day - 20)
    recent = np.isin(status, IN_PROGRESS)
    lo = np.where(recent, ref_day - 45, lo)
    hi = np.where(recent, ref_day - 1, hi)
    pr = status == CODE["PRINT_READY_RECORD"]
    lo = np.where(pr, np.maximum(lo, ref_day - 500), lo)
    lo = np.minimum(lo, hi - 1)
    tgl = (lo + np.floor(u[2] * (hi - lo))).astype(np.int64)
    tgl[status == UNREG] = -1
    return status, tgl, float(scale)


@dataclass
class Events:
    """Status changes after the first snapshot: person, day number (1 = day after), new state."""

    person: np.ndarray
    day: np.ndarray
    status: np.ndarray
    tgl: np.ndarray


def campaign(
    rng: np.random.Generator,
    status: np.ndarray,
    tgl: np.ndarray,
    wajib: np.ndarray,
    in_dpt: np.ndarray,
    kab: np.ndarray,
    new_day: np.ndarray,
    ref_day: int,
    n_days: int,
) -> tuple[Events, dict[str, dict[str, float]]]:
    """Daily recording progress, uneven by kabupaten (weekends slow; some regions surge late,
    some start strong and stall)."""
    ev_p, ev_d, ev_s, ev_t = [], [], [], []
    days = np.arange(1, n_days + 1)
    weekday = np.array([(dt.date.fromordinal(ref_day + 719163 + int(d))).weekday() for d in days])
    week_f = np.select([weekday == 6, weekday == 5], [0.15, 0.55], 1.0)
    pace: dict[str, dict[str, float]] = {}
    unrec = (status == UNREG) & wajib & (new_day == 0)
    for k in np.unique(kab):
        m = unrec & (kab == k)
        if not m.any():
            continue
        reach = model.CAMPAIGN_REACH.get(str(k), model.CAMPAIGN_REACH_OTHER)
        slope = float(rng.uniform(-1.5, 1.5))
        w = week_f * np.exp(slope * days / n_days) * rng.uniform(0.6, 1.4, n_days)
        w = w / w.sum()
        pace[str(k)] = {"reach": reach, "slope": round(slope, 3)}
        who = np.flatnonzero(m)
        r = np.where(in_dpt[who], reach, min(reach, model.CAMPAIGN_REACH_OTHER + 0.2))
        go = who[rng.random(len(who)) < r]
        d = rng.choice(days, size=len(go), p=w)
        _chain(rng, go, d, ref_day, n_days, ev_p, ev_d, ev_s, ev_t, start="BIO_CAPTURED")
    # records in progress at the snapshot move on
    prog = np.flatnonzero(np.isin(status, IN_PROGRESS) & (rng.random(len(status)) < 0.7))
    d = rng.integers(1, n_days + 1, len(prog))
    _emit(ev_p, ev_d, ev_s, ev_t, prog, d, "PRINT_READY_RECORD", tgl[prog])
    # a few print-ready records get their card
    pr = np.flatnonzero((status == CODE["PRINT_READY_RECORD"]) & (rng.random(len(status)) < 0.08))
    _emit(ev_p, ev_d, ev_s, ev_t, pr, rng.integers(1, n_days + 1, len(pr)), "CARD_ISSUED", tgl[pr])
    # failures resolved: sent again for enrollment, then print-ready
    fl = np.flatnonzero(
        np.isin(status, FAILED) & (rng.random(len(status)) < model.FAILURE_RESOLVED)
    )
    d = rng.integers(1, n_days + 1, len(fl))
    _emit(ev_p, ev_d, ev_s, ev_t, fl, d, "SENT_FOR_ENROLLMENT", tgl[fl])
    d2 = d + rng.integers(2, 9, len(fl))
    keep = d2 <= n_days
    _emit(ev_p, ev_d, ev_s, ev_t, fl[keep], d2[keep], "PRINT_READY_RECORD", tgl[fl][keep])
    # new records (newborns registered late) appear unrecorded on their day
    nw = np.flatnonzero(new_day > 0)
    _emit(
        ev_p,
        ev_d,
        ev_s,
        ev_t,
        nw,
        new_day[nw].astype(np.int64),
        "UNREGISTERED",
        np.full(len(nw), -1),
    )
    ev = Events(
        person=np.concatenate(ev_p) if ev_p else np.zeros(0, np.int64),
        day=np.concatenate(ev_d) if ev_d else np.zeros(0, np.int64),
        status=np.concatenate(ev_s) if ev_s else np.zeros(0, np.int8),
        tgl=np.concatenate(ev_t) if ev_t else np.zeros(0, np.int64),
    )
    return ev, pace


def _chain(rng, who, d, ref_day, n_days, ev_p, ev_d, ev_s, ev_t, start):
    t = ref_day + d
    _emit(ev_p, ev_d, ev_s, ev_t, who, d, start, t)
    d2 = d + rng.integers(1, 4, len(who))
    k = d2 <= n_days
    _emit(ev_p, ev_d, ev_s, ev_t, who[k], d2[k], "SENT_FOR_ENROLLMENT", t[k])
    d3 = d2 + rng.integers(2, 10, len(who))
    k = d3 <= n_days
    _emit(ev_p, ev_d, ev_s, ev_t, who[k], d3[k], "PRINT_READY_RECORD", t[k])


def _emit(ev_p, ev_d, ev_s, ev_t, who, d, code, tgl):
    ev_p.append(np.asarray(who, np.int64))
    ev_d.append(np.asarray(d, np.int64))
    ev_s.append(np.full(len(who), CODE[code], np.int8))
    ev_t.append(np.asarray(tgl, np.int64))
