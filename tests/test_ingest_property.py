"""Property tests: whatever bytes or rows arrive, padan raises only PadanError, and every row
it could split is accounted for (accepted + rejected = rows read)."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from padan.engine import connect
from padan.errors import PadanError
from padan.ingest import load_dpt, load_registry

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
        if len(fields) == width and all(not x.strip(" \t") for x in fields):
            continue  # a row of empty cells: not a row
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
