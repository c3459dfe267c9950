"""Progress toward the recording deadline: one point per register snapshot date.

"Belum" on a progress point means every voter who must still act: ``BELUM_REKAM`` plus
``GAGAL_REKAM`` (the same as a recap row's ``gap``). Each point comes from the latest match
run on that registry date for the DPT import the recaps show (see ``latest_match``).

The arithmetic (needed rate, achieved rate, projected date) is in pure functions below, so it
can be checked by hand; :func:`progress` only reads the counts and applies them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from padan.engine import Engine
from padan.errors import PadanError
from padan.recap.summary import (
    LEVEL_KEY,
    LEVELS,
    MUST_RECORD,
    latest_match,
    level_of_code,
    normalize_code,
    profile_title,
    region_filter,
    region_name,
)

RATE_WINDOW_DAYS = 7
MAX_PROJECTION_DAYS = 3650  # projections beyond ten years are reported as "never" (None)


@dataclass(frozen=True)
class ProgressPoint:
    date: dt.date
    belum: int  # BELUM_REKAM + GAGAL_REKAM on that register date


@dataclass
class Progress:
    code: str
    name: str
    points: list[ProgressPoint]
    deadline: dt.date
    today: dt.date
    needed_per_day: float
    achieved_per_day_7d: float | None
    projected_zero: dt.date | None
    on_track: bool

    @property
    def current(self) -> int:
        """Belum on the latest point on or before ``today`` (0 with no points)."""
        return self.points[-1].belum if self.points else 0

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days

    @property
    def projected_at_deadline(self) -> int | None:
        """Belum expected on the deadline at the achieved rate (never below 0)."""
        if self.achieved_per_day_7d is None:
            return None
        left = self.current - self.achieved_per_day_7d * max(self.days_left, 0)
        return max(0, math.ceil(left))

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "points": [{"date": p.date.isoformat(), "belum": p.belum} for p in self.points],
            "deadline": self.deadline.isoformat(),
            "today": self.today.isoformat(),
            "current": self.current,
            "days_left": self.days_left,
            "needed_per_day": self.needed_per_day,
            "achieved_per_day_7d": self.achieved_per_day_7d,
            "projected_zero": self.projected_zero.isoformat() if self.projected_zero else None,
            "projected_at_deadline": self.projected_at_deadline,
            "on_track": self.on_track,
        }


# -- pure arithmetic -----------------------------------------------------------------------


def needed_per_day(current: int, today: dt.date, deadline: dt.date) -> float:
    """Voters per day to reach zero on the deadline, starting from ``today``.

    On or after the deadline everything left is needed at once: the rate is ``current``.
    """
    days = (deadline - today).days
    if current <= 0:
        return 0.0
    return current / days if days > 0 else float(current)


def achieved_per_day(
    points: list[ProgressPoint], today: dt.date, window_days: int = RATE_WINDOW_DAYS
) -> float | None:
    """Average daily fall in belum over the last ``window_days`` up to ``today``.

    Measured from the earliest point in ``[last - window_days, last)`` to the last point on or
    before ``today``; ``None`` when there are not two such points. A rise (new voters, failed
    recordings) gives a negative rate.
    """
    pts = sorted((p for p in points if p.date <= today), key=lambda p: p.date)
    if len(pts) < 2:
        return None
    end = pts[-1]
    start_from = end.date - dt.timedelta(days=window_days)
    window = [p for p in pts if start_from <= p.date < end.date]
    if not window:
        return None
    start = window[0]
    return (start.belum - end.belum) / (end.date - start.date).days


def projected_zero(current: int, last_date: dt.date, rate: float | None) -> dt.date | None:
    """Date belum reaches zero at ``rate`` per day from ``last_date``; None if it never does
    (no rate, a rate of zero or less, or more than ten years away)."""
    if current <= 0:
        return last_date
    if rate is None or rate <= 0:
        return None
    days = math.ceil(current / rate)
    # 350 / 2.8 is 125.00000000000001 in floating point: the ceiling is a day late whenever
    # the division overshoots an exact multiple, so step back while the day before is enough
    while days > 0 and (days - 1) * rate >= current:
        days -= 1
    if days > MAX_PROJECTION_DAYS:  # a trickle: effectively never
        return None
    return last_date + dt.timedelta(days=days)


def compute(
    code: str,
    name: str,
    points: list[ProgressPoint],
    deadline: dt.date,
    today: dt.date,
) -> Progress:
    """All progress figures for one region from its series (points after ``today`` dropped)."""
    pts = sorted((p for p in points if p.date <= today), key=lambda p: p.date)
    current = pts[-1].belum if pts else 0
    last_date = pts[-1].date if pts else today
    rate = achieved_per_day(pts, today)
    zero = projected_zero(current, last_date, rate)
    return Progress(
        code=code,
        name=name,
        points=pts,
        deadline=deadline,
        today=today,
        needed_per_day=needed_per_day(current, today, deadline),
        achieved_per_day_7d=rate,
        projected_zero=zero,
        on_track=current == 0 or (zero is not None and zero <= deadline),
    )


# -- reading the series from the workspace ----------------------------------------------------


def _deadline(pemilihan: str) -> dt.date:
    from padan.reference.profiles import load_profile

    return load_profile(pemilihan).recording_deadline


def _whole_election(pemilihan: str) -> tuple[str, str]:
    """Code and name of the whole election area: its province when there is one."""
    from padan.reference import wilayah
    from padan.reference.profiles import load_profile

    try:
        regions = load_profile(pemilihan).regions
    except PadanError:
        regions = ()
    provinces = {c[:2] for c in regions}
    if len(provinces) == 1:
        code = provinces.pop()
        r = wilayah.get(code)
        return code, r.name if r else code
    return "", profile_title(pemilihan)


def progress(
    engine: Engine,
    pemilihan: str,
    wilayah: str | None = None,
    *,
    today: dt.date | None = None,
    level_children: bool = False,
    allowed_kab: set[str] | None = None,
) -> Progress | list[Progress]:
    """Progress of ``wilayah`` (``None``: the whole election), or of each region one level
    below it when ``level_children`` (``None``: each kabupaten/kota), largest gap first.

    ``today`` defaults to the latest register date matched (the data is historical).
    """
    code = normalize_code(wilayah)
    src = latest_match(engine, pemilihan)
    if src is None:
        raise PadanError(
            "BELUM_ADA_PEMADANAN",
            f"Belum ada hasil pemadanan untuk pemilihan {pemilihan!r} di workspace ini.",
            hint="Impor DPT dan data Dukcapil, lalu jalankan `padan match`.",
        )
    deadline = _deadline(pemilihan)
    runs = engine.rows(
        """
        SELECT registry_date, match_id FROM (
            SELECT registry_date, match_id,
                   row_number() OVER (PARTITION BY registry_date
                       ORDER BY (finished_at IS NOT NULL) DESC, match_id DESC) AS rn
            FROM match_runs WHERE pemilihan = ? AND dpt_import_id = ?)
        WHERE rn = 1 ORDER BY registry_date
        """,
        [pemilihan, src.dpt_import_id],
    )
    dates = [r[0] for r in runs]
    if today is None:
        today = dates[-1]
    if level_children:
        level = "kabupaten" if code is None else LEVELS[LEVELS.index(level_of_code(code)) + 1]
        if level == "tps" and code is not None and len(code) == 13:
            raise PadanError("TINGKAT_TIDAK_SESUAI", "TPS tidak punya wilayah di bawahnya.")
        key = LEVEL_KEY[level]
    else:
        key = "NULL"
    where, params = region_filter(code, allowed_kab)
    ids = [r[1] for r in runs]
    placeholders = ", ".join("?" for _ in ids)
    statuses = ", ".join(f"'{s}'" for s in MUST_RECORD)
    counts = engine.rows(
        f"""
        SELECT match_id, {key} AS code, count(*) FILTER (WHERE status_rekam IN ({statuses}))
        FROM match_results
        WHERE match_id IN ({placeholders}) {where}
        GROUP BY ALL
        """,
        [*ids, *params],
    )
    date_of = {mid: d for d, mid in runs}
    series: dict[str | None, dict[dt.date, int]] = {}
    for mid, c, n in counts:
        series.setdefault(c, {})[date_of[mid]] = int(n)

    def build(c: str | None, name: str) -> Progress:
        by_date = series.get(c, {})
        pts = [ProgressPoint(d, by_date.get(d, 0)) for d in dates]
        return compute(c or "", name, pts, deadline, today)

    if not level_children:
        if code is None:
            whole_code, whole_name = _whole_election(pemilihan)
            result = build(None, whole_name)
            result.code = whole_code
            return result
        result = build(None, region_name(code))
        result.code = code
        return result
    out = [build(c, region_name(c)) for c in series]
    out.sort(key=lambda p: (-p.current, p.code == "", p.code))
    return out
