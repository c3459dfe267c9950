"""Property tests: whatever bytes or rows arrive, padan raises only PadanError, and every row
it could split is accounted for (accepted + rejected = rows read)."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from padan.engine import connect
from padan.errors import PadanError
from padan.ingest import load_dpt, load_registry
from padan.ingest.load import input_sources

HEADER = [
    "KABUPATEN",
    "KECAMATAN",
    "KELURAHAN",
    "TPS",
    "NIK",
    "NAMA",
    "TEMPAT_LAHIR",
    "TANGGAL_LAHIR",
    "JENIS_KELAMIN",
]
_counter = itertools.count()
ENGINE = None


def _engine():
    global ENGINE
    if ENGINE is None:
        ENGINE = connect()
    return ENGINE


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(data=st.binary(max_size=2000), with_header=st.booleans(), registry=st.booleans())
def test_random_bytes_never_crash(tmp_path_factory, data, with_header, registry):
    d = tmp_path_factory.mktemp("rb")
    f = d / "x.csv"
    head = (",".join(HEADER) + "\n").encode() if with_header else b""
    f.write_bytes(head + data)
    load = load_registry if registry else load_dpt
    try:
        r = load(_engine(), [f], table=f"t{next(_counter)}")
    except PadanError as exc:
        assert exc.code and exc.message
        return
    assert r.accepted + r.rejected == r.rows_read


@SETTINGS
@given(data=st.binary(max_size=3000))
def test_random_bytes_as_xlsx_never_crash(tmp_path_factory, data):
    f = tmp_path_factory.mktemp("rx") / "x.xlsx"
    f.write_bytes(b"PK\x03\x04" + data)
    try:
        load_dpt(_engine(), [f], table=f"t{next(_counter)}")
    except PadanError as exc:
        assert exc.code


cell = st.text(alphabet="AB 7x0-/|;,.", max_size=8)
row = st.lists(cell, min_size=0, max_size=12)


@SETTINGS
@given(
    rows=st.lists(row, min_size=0, max_size=25),
    delim=st.sampled_from([",", ";", "\t", "|"]),
    crlf=st.booleans(),
)
def test_malformed_rows_all_accounted_for(tmp_path_factory, rows, delim, crlf):
    width = len(HEADER)
    lines = [delim.join(HEADER)] + [delim.join(r) for r in rows]
    nl = "\r\n" if crlf else "\n"
    f = tmp_path_factory.mktemp("mr") / "x.csv"
    f.write_text(nl.join(lines) + nl, encoding="utf-8")
    expected = 0
    for r in rows:
        line = delim.join(r)
        fields = line.split(delim)
        if not line.strip(" \t"):
            continue  # blank line: not a row
        if len(fields) <= width and all(not x.strip(" \t") for x in fields):
            continue  # a row of empty cells (its empty last cells perhaps left off): not a row
        expected += 1
    name = f"t{next(_counter)}"
    try:
        rep = load_dpt(_engine(), [f, f], table=name)  # twice: two parts
    except PadanError as exc:
        assert exc.code
        return
    assert rep.rows_read == rep.accepted + rep.rejected
    assert rep.rows_read == 2 * expected, (rep.rows_read, expected, lines)
    # row ids: dense, 0-based, in input order
    n, bad, top = _engine().one(
        f"SELECT count(*), count(*) FILTER (WHERE row_id <> rowid), max(row_id) FROM {name}"
    )
    assert bad == 0 and (n == 0 or top == n - 1)


# Each column draws its values from one "style" per example (a file is usually uniform:
# then padan keeps the value in a canonical column and gives it back, see
# LoadReport.raw_sources), or from all styles at once (then it stays in ``raw``).
STYLES = {
    "TPS": [
        ["1", "2", "12"],
        ["001", "002", "012"],
        ["TPS 001", "TPS 7"],
        ["TPS.01", "Tps-002", "TPS No. 3"],
        ["", "0", "1000", "-1"],
    ],
    "USIA": [["17", "45", "80"], ["017", "45.0", " 30"], ["", "abc"]],
    "TANGGAL_LAHIR": [
        ["05-07-1990", "31-12-1969"],
        ["05/07/1990", "01/01/2001"],
        ["1990-07-05", "2001-01-31"],
        ["5-7-1990", "31-02-1990", "kemarin", ""],
    ],
    "JENIS_KELAMIN": [["L", "P"], ["LAKI-LAKI", "PEREMPUAN"], ["", "L"], ["l ", " P"]],
    "NAMA": [["SITI AMINAH", "BUDI"], [" Budi ", "Siti\u00a0"], ["", "ANI"]],
    "NKK": [["7371010101010001", ""], ["7371010101010001"], [" 7371010101010002"]],
    "RT": [["001", "002"], ["", "1"], ["01 ", "2"]],
}
RT_HEADER = [*HEADER, "USIA", "NKK", "RT"]


@SETTINGS
@given(
    st.integers(min_value=1, max_value=12).flatmap(
        lambda n: st.tuples(
            st.fixed_dictionaries(
                {k: st.sampled_from([*range(len(v)), None]) for k, v in STYLES.items()}
            ),
            st.lists(
                st.lists(st.integers(0, 99), min_size=12, max_size=12), min_size=n, max_size=n
            ),
        )
    )
)
def test_input_values_given_back_exactly(tmp_path_factory, case):
    """Whatever padan keeps in canonical columns instead of ``raw`` comes back as read."""
    import csv

    styles, picks = case
    rows = []
    for pick in picks:
        r = ["KOTA MAKASSAR", "MARISO", "BONTORANNU", None, "7371014507900001", None, "MAKASSAR",
             None, None, None, None, None]  # fmt: skip
        for j, col in enumerate(RT_HEADER):
            if col in STYLES:
                s = styles[col]
                pool = STYLES[col][s] if s is not None else sum(STYLES[col], [])
                r[j] = pool[pick[j] % len(pool)]
        if not (r[5] or "").strip():
            r[5] = "ANI"  # a row without name and NIK would be rejected: not this test
        rows.append(r)
    f = tmp_path_factory.mktemp("rt") / "x.csv"
    with open(f, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([RT_HEADER, *rows])
    name = f"t{next(_counter)}"
    rep = load_dpt(_engine(), [f], table=name)
    assert rep.accepted == len(rows)
    values = ", ".join(input_sources(rep))
    got = _engine().rows(f"SELECT [{values}] FROM {name} ORDER BY row_id")
    assert [list(g[0]) for g in got] == rows


_EDGE_CHARS = st.sampled_from([" ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\ufeff", "é", "'", "A", "7", "-"])


@settings(max_examples=300, deadline=None)
@given(v=st.one_of(st.none(), st.text(_EDGE_CHARS, max_size=5), st.text(max_size=8)))
def test_strip_shortcut_equals_the_regex(v):
    """The per-row shortcut of ``strip`` (a value with visible ASCII at both ends is taken
    as it is) gives what the regex gives, for any value: it must never keep a blank the
    regex would strip."""
    from padan.ingest import normalize as N

    full = f"regexp_replace($1, '^{N.BLANKS}+|{N.BLANKS}+$', '', 'g')"
    got, want = _engine().one(f"SELECT {N.strip('$1')}, {full}", [v])
    assert got == want
