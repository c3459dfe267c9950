"""Progress arithmetic on hand-made series with known rates and dates, and from a workspace."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from test_recap_data import PEMILIHAN, make_workspace

from padan.recap import Progress, ProgressPoint, progress
from padan.recap.progress import achieved_per_day, compute, needed_per_day, projected_zero

D = dt.date
DEADLINE = D(2020, 12, 8)


def series(*pairs):
    return [ProgressPoint(D(2020, m, d), n) for (m, d), n in pairs]


def test_needed_per_day():
    assert needed_per_day(2000, D(2020, 11, 18), DEADLINE) == 100.0  # 20 days left
    assert needed_per_day(0, D(2020, 11, 18), DEADLINE) == 0.0
    assert needed_per_day(50, DEADLINE, DEADLINE) == 50.0  # on the day: all of it
    assert needed_per_day(50, D(2020, 12, 10), DEADLINE) == 50.0


def test_achieved_rate_uses_the_last_seven_days():
    pts = series(((11, 1), 5000), ((11, 4), 4000), ((11, 11), 3300), ((11, 18), 2600))
    # From 11 Nov (exactly 7 days before 18 Nov) to 18 Nov: 700 in 7 days.
    assert achieved_per_day(pts, D(2020, 11, 18)) == 100.0
    # With today = 11 Nov, the window is 4..11 Nov: 700 in 7 days as well.
    assert achieved_per_day(pts, D(2020, 11, 11)) == 100.0
    # Daily points inside the window: the earliest one in the window counts.
    daily = series(((11, 10), 1000), ((11, 12), 960), ((11, 15), 900), ((11, 17), 860))
    assert achieved_per_day(daily, D(2020, 11, 17)) == pytest.approx(140 / 7)
    # A single point, or none in the window: no rate.
    assert achieved_per_day(series(((11, 18), 10)), D(2020, 11, 18)) is None
    assert achieved_per_day(series(((11, 1), 10), ((11, 18), 5)), D(2020, 11, 18)) is None
    # A rise gives a negative rate.
    assert achieved_per_day(series(((11, 15), 10), ((11, 18), 16)), D(2020, 11, 18)) == -2.0


def test_projected_zero():
    assert projected_zero(2600, D(2020, 11, 18), 100.0) == D(2020, 12, 14)  # 26 days
    assert projected_zero(2650, D(2020, 11, 18), 100.0) == D(2020, 12, 15)  # rounds up
    assert projected_zero(0, D(2020, 11, 18), None) == D(2020, 11, 18)
    assert projected_zero(10, D(2020, 11, 18), None) is None
    assert projected_zero(10, D(2020, 11, 18), 0.0) is None
    assert projected_zero(10, D(2020, 11, 18), -1.0) is None


def test_compute_flags_a_region_that_will_not_make_it():
    pts = series(((11, 4), 4000), ((11, 11), 3300), ((11, 18), 2600))
    p = compute("7306", "Kabupaten Gowa", pts, DEADLINE, D(2020, 11, 18))
    assert p.current == 2600
    assert p.needed_per_day == 130.0  # 2600 / 20 days
    assert p.achieved_per_day_7d == 100.0
    assert p.projected_zero == D(2020, 12, 14)
    assert p.on_track is False
    assert p.projected_at_deadline == 600  # 2600 - 20 * 100
    on = compute(
        "7371", "Kota Makassar", series(((11, 11), 300), ((11, 18), 100)), DEADLINE, D(2020, 11, 18)
    )
    assert on.achieved_per_day_7d == pytest.approx(200 / 7)
    assert on.projected_zero == D(2020, 11, 22)  # ceil(100 / 28.57) = 4 days
    assert on.on_track is True
    # Points after "today" are ignored.
    early = compute("x", "x", pts, DEADLINE, D(2020, 11, 11))
    assert early.current == 3300 and len(early.points) == 2


@example(current=350, rate=2.8, days=0)  # 350 / 2.8 = 125.00000000000001 in floating point
@given(
    current=st.integers(0, 100_000),
    rate=st.floats(0.01, 10_000, allow_nan=False),
    days=st.integers(0, 60),
)
def test_projection_reaches_zero_not_before_it_can(current, rate, days):
    start = D(2020, 11, 1) + dt.timedelta(days=days)
    z = projected_zero(current, start, rate)
    if current / rate > 3650:
        assert z is None
        return
    assert z is not None and z >= start
    n = (z - start).days
    assert n * rate >= current - 1e-6
    assert n == 0 or (n - 1) * rate < current


def test_progress_from_workspace(engine):
    make_workspace(engine)
    p = progress(engine, PEMILIHAN)
    assert isinstance(p, Progress)
    assert (p.code, p.name) == ("73", "Sulawesi Selatan")
    assert [pt.date for pt in p.points] == [D(2020, 11, 4), D(2020, 11, 11), D(2020, 11, 18)]
    assert p.today == D(2020, 11, 18) and p.deadline == DEADLINE
    belum = [pt.belum for pt in p.points]
    assert belum == sorted(belum, reverse=True)
    assert p.achieved_per_day_7d == pytest.approx((belum[1] - belum[2]) / 7)
    assert p.needed_per_day == pytest.approx(belum[2] / 20)

    kids = progress(engine, PEMILIHAN, level_children=True)
    assert [k.code for k in kids][:2] == ["7306", "7371"]  # largest gap first
    assert sum(k.current for k in kids) == p.current
    gowa = progress(engine, PEMILIHAN, "7306")
    assert gowa.code == "7306" and gowa.current == kids[0].current
    kec = progress(engine, PEMILIHAN, "7306", level_children=True)
    assert {k.code for k in kec} == {"730601", "730602"}
    assert sum(k.current for k in kec) == gowa.current
    earlier = progress(engine, PEMILIHAN, today=D(2020, 11, 11))
    assert earlier.current == belum[1] and len(earlier.points) == 2
    only = progress(engine, PEMILIHAN, level_children=True, allowed_kab={"7371"})
    assert [k.code for k in only] == ["7371"]
    d = p.as_dict()
    assert d["points"][0] == {"date": "2020-11-04", "belum": belum[0]}
