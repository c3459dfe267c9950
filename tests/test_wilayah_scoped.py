"""The resolver indexes only the regions inside ``within`` when it is given.

Ingest resolves kabupaten, then kecamatan within the kabupaten, then desa within the
kecamatan; building the index of all ~84k desa of Indonesia for that cost seconds per process.
"""

from __future__ import annotations

import pytest

from padan.reference import wilayah


def test_scoped_resolution_does_not_index_the_whole_level():
    res = wilayah.Resolver()  # a fresh one: the shared resolver may hold indexes already
    kab = res.kabupaten("KAB. GOWA")
    kec = res.kecamatan("BAJENG", within=kab.code)
    desa = res.desa("LIMBUNG", within=kec.code)  # ambiguous nationally, one in Kec. Bajeng
    assert (kab.code, kec.code, desa.code) == ("7306", "730602", "7306021002")
    assert desa.status == "ok"
    fuzzy = res.desa("Tubajen", within="730602")  # a typo: the scoped fuzzy path
    assert (fuzzy.status, fuzzy.code) == ("fuzzy", "7306021017")

    assert ("desa", None) not in res._indexes
    assert ("kecamatan", None) not in res._indexes
    scoped = res._indexes[("desa", "730602")]
    assert scoped.regions  # only Kec. Bajeng's desa
    assert {r.parent for r in scoped.regions} == {"730602"}


def test_unknown_name_in_scope_still_says_where_it_exists():
    # The "elsewhere" hint looks in the scope's province, without indexing all of Indonesia.
    res = wilayah.Resolver()
    r = res.desa("PANRANNUANGKU", within="730602")
    assert r.status == "unknown"
    assert "Nama itu ada di wilayah lain: 7305041001 Panrannuangku" in r.message
    assert ("desa", "73") in res._indexes and ("desa", None) not in res._indexes


@pytest.mark.parametrize(
    ("name", "level", "within", "code"),
    [
        ("KAB. GOWA", "kabupaten", "73", "7306"),
        ("BAJENG", "kecamatan", "7306", "730602"),
        ("KEC. BAJENG", "kecamatan", "73", "730602"),
        ("TUBAJENG", "desa", "730602", "7306021017"),
        ("Kalebajeng", "desa", "7306", "7306021001"),
        ("DESA TUBAJENG", "desa", "73", "7306021017"),
    ],
)
def test_scoped_and_unscoped_agree(name, level, within, code):
    scoped = wilayah.Resolver().resolve(name, level, within)
    unscoped = wilayah.Resolver().resolve(name, level)
    assert (scoped.status, scoped.code) == (unscoped.status, unscoped.code) == ("ok", code)
    assert [c.code for c in scoped.candidates] == [c.code for c in unscoped.candidates]
    assert scoped.message == unscoped.message
