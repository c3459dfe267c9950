"""Web pages and API through FastAPI's TestClient: every endpoint, every role, region checks."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

from padan.web import auth, create_app
from padan.web.sample import build_sample
from padan.workspace import open_workspace

PASSWORD = "rahasia-panjang-1"
USERS = {
    "admin": ("admin", None),
    "prov": ("provinsi", None),
    "kpu_mks": ("kpu_kabupaten", "7371"),
    "dukcapil_mks": ("dukcapil_kabupaten", "7371"),
    "dukcapil_gowa": ("dukcapil_kabupaten", "7306"),
    "pantau": ("pemantau", None),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("web") / "ws.duckdb"
    engine = open_workspace(path)
    info = build_sample(engine, per_tps=6)
    for name, (peran, kab) in USERS.items():
        auth.add_user(engine, name, PASSWORD, peran, kab)
    tokens = {
        "prov": auth.add_token(engine, "siak-sulsel", "provinsi"),
        "mks": auth.add_token(engine, "siak-makassar", "dukcapil_kabupaten", "7371"),
        "pantau": auth.add_token(engine, "dasbor-publik", "pemantau"),
    }
    app = create_app(engine, upload_dir=tmp_path_factory.mktemp("unggah"))
    info.update(engine=engine, app=app, tokens=tokens)
    yield info
    engine.close()


def login(app, name: str, password: str = PASSWORD) -> TestClient:
    c = TestClient(app)
    r = c.get("/login")
    pre = re.search(r'name="pre" value="([^"]+)"', r.text).group(1)
    r = c.post(
        "/login", data={"username": name, "password": password, "pre": pre}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    return c


def csrf_of(c: TestClient) -> str:
    r = c.get("/unduh")
    return re.search(r'"X-CSRF-Token": "([^"]+)"', r.text).group(1)


@pytest.fixture(scope="module")
def clients(site):
    return {name: login(site["app"], name) for name in USERS}


def kab_codes(site, kab):
    desa = next(d for d in site["desas"] if d.startswith(kab))
    return {"kab": kab, "kec": desa[:6], "desa": desa, "tps": desa + "001"}


# -- login, sessions, CSRF ---------------------------------------------------------------------
def test_pages_need_login_and_api_needs_credentials(site):
    c = TestClient(site["app"])
    r = c.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = c.get("/api/v1/rekap")
    assert r.status_code == 401
    assert r.json() == {"error": {"code": "BELUM_MASUK", "message": r.json()["error"]["message"]}}
    r = c.get("/api/v1/rekap", headers={"Authorization": "Bearer padan_salah"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "TOKEN_TIDAK_VALID"


def test_session_cookie_is_opaque_signed_httponly_strict(site):
    c = TestClient(site["app"])
    r = c.get("/login")
    pre = re.search(r'name="pre" value="([^"]+)"', r.text).group(1)
    r = c.post(
        "/login",
        data={"username": "prov", "password": PASSWORD, "pre": pre},
        follow_redirects=False,
    )
    cookie = r.headers["set-cookie"]
    assert (
        "padan_sesi=" in cookie
        and "HttpOnly" in cookie
        and "SameSite=strict" in cookie.replace("Strict", "strict")
    )
    value = c.cookies.get("padan_sesi")
    assert "prov" not in value and "." in value  # random id + signature, nothing about the user
    # tampering with the signature logs out
    c.cookies.set("padan_sesi", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert c.get("/", follow_redirects=False).status_code == 303
    # the stored session id is a hash, not the cookie's id
    sid = value.rsplit(".", 1)[0]
    assert site["engine"].one("SELECT count(*) FROM sessions WHERE session_id = ?", [sid])[0] == 0


def test_login_without_form_token_fails(site):
    c = TestClient(site["app"])
    r = c.post(
        "/login",
        data={"username": "prov", "password": PASSWORD, "pre": "x"},
        follow_redirects=False,
    )
    assert r.status_code == 401 and "kedaluwarsa" in r.text


def test_login_is_rate_limited(site):
    c = TestClient(site["app"])
    for _ in range(auth.LOGIN_MAX_FAILURES):
        r = c.get("/login")
        pre = re.search(r'name="pre" value="([^"]+)"', r.text).group(1)
        r = c.post("/login", data={"username": "kpu_mks", "password": "salah-sekali", "pre": pre})
        assert r.status_code == 401 and "salah" in r.text
    r = c.get("/login")
    pre = re.search(r'name="pre" value="([^"]+)"', r.text).group(1)
    r = c.post("/login", data={"username": "kpu_mks", "password": PASSWORD, "pre": pre})
    assert r.status_code == 429 and "Terlalu banyak" in r.text
    site["engine"].execute("DELETE FROM login_attempts")  # other tests log in as kpu_mks


def test_logout_revokes_session_server_side(site):
    c = login(site["app"], "prov")
    cookie = c.cookies.get("padan_sesi")
    token = csrf_of(c)
    assert c.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    other = TestClient(site["app"])
    other.cookies.set("padan_sesi", cookie)  # a copied cookie no longer works
    assert other.get("/", follow_redirects=False).status_code == 303


def test_expired_session_is_refused(site):
    c = login(site["app"], "prov")
    site["engine"].execute(
        "UPDATE sessions SET expires_at = current_timestamp - INTERVAL 1 MINUTE"
        " WHERE user_id = (SELECT user_id FROM users WHERE username = 'prov')"
    )
    assert c.get("/", follow_redirects=False).status_code == 303


def test_post_without_csrf_token_is_refused(site, clients):
    c = clients["admin"]
    r = c.post(
        "/admin/pengguna", data={"username": "x1", "password": "abcdefghijkl", "peran": "pemantau"}
    )
    assert r.status_code == 403 and "CSRF" in r.text or "tidak sah" in r.text
    r = c.post(
        "/admin/pengguna",
        data={
            "username": "x1",
            "password": "abcdefghijkl",
            "peran": "pemantau",
            "csrf_token": "palsu",
        },
    )
    assert r.status_code == 403
    assert site["engine"].one("SELECT count(*) FROM users WHERE username = 'x1'")[0] == 0


def test_security_headers_and_no_cdn(site, clients):
    r = clients["prov"].get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert "http://" not in r.text.replace(
        "http://www.w3.org", ""
    ) and "https://" not in r.text.replace("https://vega.github.io/schema", "")
    for asset in (
        "htmx-2.0.11.min.js",
        "vega-6.2.0-lite-6.4-embed-7.0.2.min.js",
        "padan.css",
        "padan.js",
    ):
        assert clients["prov"].get(f"/static/{asset}").status_code == 200


# -- pages per role ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(USERS))
def test_overview_and_drilldown_for_every_role(site, clients, name):
    c = clients[name]
    r = c.get("/")
    assert r.status_code == 200
    assert "Batas rekam" in r.text and "Sumber: DPT versi DPT" in r.text
    peran, kab = USERS[name]
    if kab:
        assert "Kota Makassar" in r.text or "Gowa" in r.text
        own = kab_codes(site, kab)
        for code in ("kab", "kec", "desa"):
            assert c.get(f"/wilayah/{own[code]}").status_code == 200
        assert c.get("/wilayah/73", follow_redirects=False).headers["location"] == f"/wilayah/{kab}"
    else:
        for kab2 in ("7371", "7306"):
            for level, code in kab_codes(site, kab2).items():
                expected = (
                    403 if (level == "tps" and peran == "pemantau") else 200
                )  # TPS: voter list
                assert c.get(f"/wilayah/{code}").status_code == expected


@pytest.mark.parametrize("name", ["kpu_mks", "dukcapil_mks", "dukcapil_gowa"])
def test_kabupaten_user_cannot_open_another_kabupaten(site, clients, name):
    c = clients[name]
    own = USERS[name][1]
    other = kab_codes(site, "7306" if own == "7371" else "7371")
    for code in other.values():
        r = c.get(f"/wilayah/{code}", follow_redirects=False)
        assert r.status_code == 403, code
        assert "di luar kabupaten/kota Anda" in r.text
    assert c.get(f"/pemilih/{other['tps']}").status_code == 403
    assert c.get(f"/pemilih/{other['desa']}").status_code == 403
    assert c.get(f"/unduh/daftar-kerja.csv?wilayah={other['kab']}").status_code == 403
    assert c.get(f"/unduh/rekap.csv?tingkat=desa&wilayah={other['kec']}").status_code == 403
    assert c.get(f"/unduh/grafik.svg?wilayah={other['kab']}").status_code == 403
    assert c.get(f"/unduh?wilayah={other['kab']}").status_code == 403
    # the overview and the downloads only ever contain their own kabupaten
    r = c.get("/unduh/rekap.csv?tingkat=kabupaten")
    assert own in r.text and (other["kab"] not in r.text)
    api = c.get(f"/api/v1/rekap?tingkat=kecamatan&wilayah={other['kab']}")
    assert api.status_code == 403 and api.json()["error"]["code"] == "WILAYAH_DITOLAK"
    api = c.get("/api/v1/rekap?tingkat=kabupaten")
    assert [r["code"] for r in api.json()["baris"]] == [own]


def test_voter_list_masks_nik_and_shows_statuses(site, clients):
    own = kab_codes(site, "7371")
    r = clients["kpu_mks"].get(f"/pemilih/{own['tps']}")
    assert r.status_code == 200
    voter = next(v for v in site["voters"] if v["desa"] + v["tps"] == own["tps"])
    assert voter["nik"] not in r.text
    assert voter["nik"][:6] + "*" * 10 in r.text
    assert "Sudah rekam" in r.text or "Belum rekam" in r.text
    assert "tampilkan" not in r.text  # kpu_kabupaten may not reveal NIKs
    r = clients["kpu_mks"].get(f"/pemilih/{own['tps']}?status=BELUM_REKAM")
    assert r.status_code == 200 and '<span class="badge ok">Sudah rekam' not in r.text
    assert '<span class="badge bad">Belum rekam' in r.text


def test_pemantau_sees_aggregates_only(site, clients):
    c = clients["pantau"]
    own = kab_codes(site, "7371")
    assert c.get("/").status_code == 200
    r = c.get(f"/wilayah/{own['desa']}")
    assert r.status_code == 200
    assert f"/wilayah/{own['tps']}" not in r.text and f"/pemilih/{own['tps']}" not in r.text  # no voter lists
    for url in (f"/pemilih/{own['tps']}", "/tinjau", "/audit", "/unggah", "/admin",
                f"/unduh/daftar-kerja.csv?wilayah={own['kab']}"):  # fmt: skip
        assert c.get(url).status_code == 403, url
    assert c.get("/unduh/rekap.csv?tingkat=desa").status_code == 200
    assert c.post("/api/v1/pemilih/cari", json={"nik": site["voters"][0]["nik"]},
                  headers={"X-CSRF-Token": csrf_of(c)}).status_code == 403  # fmt: skip


def test_full_nik_reveal_needs_role_region_and_is_audited(site, clients):
    eng = site["engine"]
    mks = next(v for v in site["voters"] if v["kab"] == "7371")
    gowa = next(v for v in site["voters"] if v["kab"] == "7306")
    c = clients["dukcapil_mks"]
    page = c.get(f"/pemilih/{mks['desa']}{mks['tps']}")
    assert "tampilkan" in page.text
    token = csrf_of(c)
    r = c.post(
        f"/pemilih/nik/{mks['row_id']}", headers={"X-CSRF-Token": token, "HX-Request": "true"}
    )
    assert r.status_code == 200 and mks["nik"] in r.text
    row = eng.one(
        "SELECT actor, action, detail FROM audit_log WHERE action = 'lihat_nik' ORDER BY audit_id DESC LIMIT 1"
    )
    assert (
        row[0] == "dukcapil_mks" and mks["nik"] not in row[2] and row[2].startswith(mks["nik"][:6])
    )
    # another kabupaten's row: refused, by changing the id in the URL
    r = c.post(f"/pemilih/nik/{gowa['row_id']}", headers={"X-CSRF-Token": token})
    assert r.status_code == 403 and gowa["nik"] not in r.text
    # without CSRF token: refused
    assert c.post(f"/pemilih/nik/{mks['row_id']}").status_code == 403
    # roles that may not see NIKs
    for name in ("prov", "kpu_mks"):
        r = clients[name].post(
            f"/pemilih/nik/{mks['row_id']}", headers={"X-CSRF-Token": csrf_of(clients[name])}
        )
        assert r.status_code == 403
    # admin may, for any region
    r = clients["admin"].post(
        f"/pemilih/nik/{gowa['row_id']}", headers={"X-CSRF-Token": csrf_of(clients["admin"])}
    )
    assert r.status_code == 200 and gowa["nik"] in r.text


def test_review_queue_and_decision_update_status_and_audit(site, clients):
    eng = site["engine"]
    match_id = site["match_id"]
    c = clients["kpu_mks"]
    r = c.get("/tinjau")
    assert r.status_code == 200 and "Kandidat 1" in r.text and "Perbandingan" in r.text
    mks_rows = [
        v["row_id"]
        for v in site["voters"]
        if v["row_id"] in site["review_rows"] and v["kab"] == "7371"
    ]
    gowa_rows = [
        v["row_id"]
        for v in site["voters"]
        if v["row_id"] in site["review_rows"] and v["kab"] == "7306"
    ]
    # only own kabupaten's rows in the queue
    assert f'id="tinjau-{mks_rows[0]}"' in r.text and f'id="tinjau-{gowa_rows[0]}"' not in r.text
    for v in site["voters"]:
        if v["row_id"] in mks_rows:
            assert v["nik"] not in r.text  # masked
    token = csrf_of(c)
    # deciding on another kabupaten's row by changing the id: refused, nothing stored
    r = c.post(
        f"/tinjau/{gowa_rows[0]}",
        data={"keputusan": "terima", "kandidat": "0", "csrf_token": token},
    )
    assert r.status_code == 403
    assert eng.one("SELECT count(*) FROM review_decisions WHERE row_id = ?", [gowa_rows[0]])[0] == 0
    r = c.post(
        f"/tinjau/{mks_rows[0]}",
        data={
            "keputusan": "terima",
            "kandidat": "0",
            "catatan": "nama dan tanggal lahir sama",
            "csrf_token": token,
        },
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "Diterima" in r.text
    status = eng.one("SELECT status_rekam, nik_dukcapil FROM match_results WHERE match_id = ? AND row_id = ?",
                     [match_id, mks_rows[0]])  # fmt: skip
    assert status[0] != "PERLU_TINJAU" and status[1] is not None
    assert eng.one(
        "SELECT decision, decided_by FROM review_decisions WHERE row_id = ?", [mks_rows[0]]
    ) == (
        "terima",
        "kpu_mks",
    )
    audit = eng.one(
        "SELECT detail FROM audit_log WHERE action = 'tinjau' ORDER BY audit_id DESC LIMIT 1"
    )[0]
    assert "terima" in audit and "nama dan tanggal lahir sama" in audit
    # a second decision on the same row is refused
    r = c.post(f"/tinjau/{mks_rows[0]}", data={"keputusan": "tolak", "csrf_token": token})
    assert r.status_code == 400
    # reject
    r = c.post(
        f"/tinjau/{mks_rows[1]}",
        data={"keputusan": "tolak", "catatan": "orang lain", "csrf_token": token},
    )
    assert r.status_code == 200
    assert eng.one("SELECT status_rekam FROM match_results WHERE match_id = ? AND row_id = ?",
                   [match_id, mks_rows[1]])[0] == "TIDAK_DITEMUKAN"  # fmt: skip
    # pemantau cannot decide
    r = clients["pantau"].post(
        f"/tinjau/{mks_rows[2]}",
        data={"keputusan": "tolak", "csrf_token": csrf_of(clients["pantau"])},
    )
    assert r.status_code == 403


def test_audit_page_scoped_to_kabupaten(site, clients):
    r = clients["admin"].get("/audit")
    assert r.status_code == 200 and "masuk" in r.text
    r = clients["dukcapil_gowa"].get("/audit")
    assert r.status_code == 200
    assert "kpu_mks" not in r.text  # Makassar's actions are not shown to Gowa


def test_downloads(site, clients):
    c = clients["prov"]
    r = c.get("/unduh/rekap.csv?tingkat=kecamatan&wilayah=7371")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("KODE,WILAYAH,DPT") and lines[-1].strip('"').startswith("Sumber:")
    r = c.get("/unduh/daftar-kerja.csv?wilayah=7371")
    assert r.status_code == 200 and "Yang harus dilakukan" in r.text
    assert all(v["nik"] not in r.text for v in site["voters"])
    r = c.get("/unduh/grafik.svg?wilayah=7371")
    assert r.status_code == 200 and r.text.lstrip().startswith("<svg")
    r = c.get("/unduh/grafik.png")
    assert r.status_code == 200 and r.content[:4] == b"\x89PNG"
    assert c.get("/unduh/grafik.exe").status_code == 404


@pytest.mark.slow
def test_report_downloads_xlsx_pdf(site, clients):
    from io import BytesIO

    from pypdf import PdfReader
    from python_calamine import CalamineWorkbook

    c = clients["kpu_mks"]
    r = c.get("/unduh/rekap.xlsx?wilayah=7371")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    wb = CalamineWorkbook.from_filelike(BytesIO(r.content))
    assert len(wb.sheet_names) == 2  # kecamatan, desa
    text = str(wb.get_sheet_by_index(0).to_python())
    assert "Mariso" in text or "Mamajang" in text
    r = c.get("/unduh/laporan.pdf?wilayah=7371")
    assert r.status_code == 200 and r.content[:4] == b"%PDF"
    assert "Makassar" in "".join(p.extract_text() for p in PdfReader(BytesIO(r.content)).pages)
    r = c.get("/unduh/daftar-kerja.xlsx?wilayah=7371")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = c.get("/unduh/daftar-kerja.pdf?wilayah=7371")
    assert r.status_code == 200 and r.content[:4] == b"%PDF"
    for url in ("/unduh/rekap.xlsx?wilayah=7306", "/unduh/laporan.pdf?wilayah=7306",
                "/unduh/daftar-kerja.xlsx?wilayah=7306", "/unduh/daftar-kerja.pdf?wilayah=730601"):  # fmt: skip
        assert c.get(url).status_code == 403, url
    assert clients["pantau"].get("/unduh/daftar-kerja.xlsx?wilayah=7371").status_code == 403
    assert clients["pantau"].get("/unduh/rekap.xlsx").status_code == 200
    r = clients["prov"].get("/unduh")
    assert "/unduh/rekap.xlsx" in r.text and "/unduh/laporan.pdf" in r.text


def test_admin_page_users_and_tokens(site, clients):
    c = clients["admin"]
    token = csrf_of(c)
    r = c.post("/admin/pengguna", data={"username": "baru", "password": "sandi-baru-123", "peran": "kpu_kabupaten",
                                        "kabupaten": "7306", "csrf_token": token})  # fmt: skip
    assert r.status_code == 200 and "ditambahkan" in r.text
    r = c.post(
        "/admin/pengguna",
        data={"username": "baru2", "password": "pendek", "peran": "pemantau", "csrf_token": token},
    )
    assert r.status_code == 400 and "terlalu pendek" in r.text
    r = c.post("/admin/token", data={"sistem": "uji", "peran": "provinsi", "csrf_token": token})
    tok = re.search(r"(padan_[A-Za-z0-9_-]+)</code>", r.text).group(1)
    assert (
        TestClient(site["app"])
        .get("/api/v1/saya", headers={"Authorization": f"Bearer {tok}"})
        .json()["nama"]
        == "token:uji"
    )
    tid = site["engine"].one("SELECT token_id FROM api_tokens WHERE system = 'uji'")[0]
    c.post(f"/admin/token/{tid}/cabut", data={"csrf_token": token})
    assert (
        TestClient(site["app"])
        .get("/api/v1/saya", headers={"Authorization": f"Bearer {tok}"})
        .status_code
        == 401
    )
    r = c.post("/admin/pengguna/baru/status", data={"csrf_token": token})
    assert "dinonaktifkan" in r.text
    for name in ("prov", "kpu_mks", "pantau"):
        assert clients[name].get("/admin").status_code == 403


# -- API ---------------------------------------------------------------------------------------
def bearer(site, key):
    return {"Authorization": f"Bearer {site['tokens'][key]}"}


def test_openapi_served_and_lists_endpoints(site):
    spec = TestClient(site["app"]).get("/api/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/v1/rekap",
        "/api/v1/kemajuan",
        "/api/v1/pemilih/cari",
        "/api/v1/registry",
        "/api/v1/pekerjaan/{job_id}",
        "/api/v1/saya",
    } <= paths
    assert not any(p.startswith("/wilayah") for p in paths)
    assert TestClient(site["app"]).get("/docs").status_code == 404  # Swagger UI needs a CDN


def test_api_recap_and_progress_per_token_role(site):
    c = TestClient(site["app"])
    r = c.get("/api/v1/rekap?tingkat=kabupaten", headers=bearer(site, "prov"))
    assert r.status_code == 200
    body = r.json()
    assert {row["code"] for row in body["baris"]} == {"7371", "7306"}
    assert body["jumlah"]["dpt"] == len(site["voters"]) and "Sumber" in body["sumber"]["line"]
    r = c.get("/api/v1/rekap?tingkat=kabupaten", headers=bearer(site, "mks"))
    assert {row["code"] for row in r.json()["baris"]} == {"7371"}
    assert (
        c.get("/api/v1/rekap?tingkat=desa&wilayah=7306", headers=bearer(site, "mks")).status_code
        == 403
    )
    assert (
        c.get("/api/v1/rekap?tingkat=planet", headers=bearer(site, "prov")).json()["error"]["code"]
        == "TINGKAT_TIDAK_DIKENAL"
    )
    r = c.get("/api/v1/kemajuan", headers=bearer(site, "pantau"))
    assert r.status_code == 200 and len(r.json()["kemajuan"]["points"]) == 3
    r = c.get("/api/v1/kemajuan?anak=true", headers=bearer(site, "mks"))
    assert [p["code"][:4] for p in r.json()["kemajuan"]] and all(
        p["code"].startswith("7371") for p in r.json()["kemajuan"]
    )
    assert c.get("/api/v1/kemajuan?wilayah=7306", headers=bearer(site, "mks")).status_code == 403


def test_api_nik_lookup(site):
    c = TestClient(site["app"])
    mks = next(v for v in site["voters"] if v["kab"] == "7371")
    gowa = next(v for v in site["voters"] if v["kab"] == "7306")
    r = c.post("/api/v1/pemilih/cari", json={"nik": mks["nik"]}, headers=bearer(site, "mks"))
    assert r.status_code == 200
    body = r.json()
    assert mks["nik"] not in r.text and body["hasil"][0]["status_rekam"] in {
        "SUDAH_REKAM", "BELUM_REKAM", "GAGAL_REKAM", "PERLU_TINJAU", "TIDAK_DITEMUKAN"}  # fmt: skip
    # another kabupaten's voter is not found for a kabupaten token
    r = c.post("/api/v1/pemilih/cari", json={"nik": gowa["nik"]}, headers=bearer(site, "mks"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "TIDAK_DITEMUKAN"
    assert (
        c.post(
            "/api/v1/pemilih/cari", json={"nik": gowa["nik"]}, headers=bearer(site, "prov")
        ).status_code
        == 200
    )
    assert (
        c.post(
            "/api/v1/pemilih/cari", json={"nik": gowa["nik"]}, headers=bearer(site, "pantau")
        ).status_code
        == 403
    )
    r = c.post("/api/v1/pemilih/cari", json={"nik": "12345"}, headers=bearer(site, "prov"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "NIK_TIDAK_VALID"
    r = c.post("/api/v1/pemilih/cari", json={}, headers=bearer(site, "prov"))
    assert r.status_code == 422 and set(r.json()) == {"error"}
    row = site["engine"].one(
        "SELECT actor, target FROM audit_log WHERE action = 'cari_nik' ORDER BY audit_id DESC LIMIT 1"
    )
    assert row[0] == "token:siak-sulsel" and gowa["nik"] not in row[1]


def test_api_session_post_needs_csrf(site, clients):
    c = clients["prov"]
    nik = site["voters"][0]["nik"]
    assert c.post("/api/v1/pemilih/cari", json={"nik": nik}).status_code == 403
    assert (
        c.post(
            "/api/v1/pemilih/cari", json={"nik": nik}, headers={"X-CSRF-Token": csrf_of(c)}
        ).status_code
        == 200
    )


def test_api_registry_upload_runs_in_background(site, tmp_path):
    c = TestClient(site["app"])
    files = {
        "berkas": (
            "delta.csv",
            b"NIK,NAMA_LGKP,TMPT_LHR,TGL_LHR,JENIS_KLMIN,STATUS_KTP_EL\n",
            "text/csv",
        )
    }
    r = c.post(
        "/api/v1/registry",
        files=files,
        data={"tanggal": "2020-11-28", "delta": "true"},
        headers=bearer(site, "mks"),
    )
    assert r.status_code == 403  # kabupaten tokens cannot import for the whole province
    r = c.post(
        "/api/v1/registry",
        files=files,
        data={"tanggal": "2020-11-28", "delta": "true"},
        headers=bearer(site, "prov"),
    )
    assert r.status_code == 202
    job_id = r.json()["job_id"]
    site["app"].state.settings.jobs.wait(job_id, timeout=120)
    job = c.get(f"/api/v1/pekerjaan/{job_id}", headers=bearer(site, "prov")).json()
    assert job["status"] in ("selesai", "gagal") and job["message"]
    assert c.get(f"/api/v1/pekerjaan/{job_id}", headers=bearer(site, "pantau")).status_code == 403
    assert c.get("/api/v1/pekerjaan/99999", headers=bearer(site, "prov")).status_code == 404
    r = c.post("/api/v1/registry", data={"tanggal": "2020-11-28"}, headers=bearer(site, "prov"))
    assert r.status_code == 422 and "error" in r.json()


def test_job_runner_reports_progress_and_errors(site):
    from padan.errors import PadanError

    runner = site["app"].state.settings.jobs

    def work(engine, progress):
        engine.one("SELECT count(*) FROM match_results")
        progress("match", 5, 10)
        return {"message": "beres", "n": 1}

    def bad(engine, progress):
        raise PadanError("CONTOH", "Berkas rusak.", hint="Periksa berkas.")

    ok, fail = runner.submit("padan", "uji", work), runner.submit("padan", "uji", bad)
    runner.wait(ok, 30)
    runner.wait(fail, 30)
    eng = site["engine"]
    assert eng.one("SELECT status, message FROM jobs WHERE job_id = ?", [ok]) == (
        "selesai",
        "beres",
    )
    status, message = eng.one("SELECT status, message FROM jobs WHERE job_id = ?", [fail])
    assert status == "gagal" and "Berkas rusak." in message and "Periksa berkas." in message


def test_upload_pages_start_jobs_and_poll(site, clients):
    c = clients["prov"]
    assert c.get("/unggah").status_code == 200
    token = csrf_of(c)
    files = {"berkas": ("dpt.csv", b"KABUPATEN,KECAMATAN,KELURAHAN,TPS,NIK,NAMA\n", "text/csv")}
    r = c.post(
        "/unggah/dpt",
        files=files,
        data={"versi": "DPT-UJI", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "Impor DPT" in r.text
    job_id = int(re.search(r'id="job-(\d+)"', r.text).group(1))
    site["app"].state.settings.jobs.wait(job_id, timeout=120)
    r = c.get(f"/pekerjaan/{job_id}")
    assert (
        r.status_code == 200
        and ("Selesai" in r.text or "Gagal" in r.text)
        and "every 1s" not in r.text
    )
    assert (
        clients["kpu_mks"]
        .post("/unggah/dpt", files=files, data={"csrf_token": csrf_of(clients["kpu_mks"])})
        .status_code
        == 403
    )
    assert clients["kpu_mks"].get(f"/pekerjaan/{job_id}").status_code == 403


def test_pages_keep_answering_while_a_job_runs(site, clients):
    runner = site["app"].state.settings.jobs

    def slow(engine, progress):
        engine.one(
            "SELECT count(*) FROM range(60000000) a, range(1) b WHERE (a.range * 7) % 13 = 1"
        )
        return {"message": "ok"}

    job = runner.submit("padan", "uji", slow)
    t0 = time.monotonic()
    r = clients["prov"].get("/")
    assert r.status_code == 200
    answered = time.monotonic() - t0
    runner.wait(job, 120)
    assert answered < 30


def test_fresh_workspace_explains_how_to_import(tmp_path):
    engine = open_workspace(tmp_path / "kosong.duckdb")
    auth.add_user(engine, "admin", PASSWORD, "admin")
    app = create_app(engine, upload_dir=tmp_path / "unggah")
    c = login(app, "admin")
    r = c.get("/")
    assert r.status_code == 200 and "belum berisi hasil pemadanan" in r.text and "/unggah" in r.text
    assert "padan import" in r.text
    assert c.get("/api/v1/rekap").json()["error"]["code"] == "BELUM_ADA_PEMADANAN"
    engine.close()


def test_demo_users_and_cli(tmp_path):
    from click.testing import CliRunner

    from padan.cli import main

    ws = str(tmp_path / "cli.duckdb")
    engine = open_workspace(ws)
    demo = auth.ensure_demo_users(engine)
    assert {d[2] for d in demo} == set(auth.ROLES)
    again = auth.ensure_demo_users(engine)  # idempotent, new passwords
    assert len(auth.list_users(engine)) == len(demo) and again[0][1] != demo[0][1]
    assert auth.authenticate(engine, again[0][0], again[0][1], "t").peran == again[0][2]
    engine.close()
    run = CliRunner().invoke
    r = run(main, ["user", "add", "ops", "--peran", "kpu_kabupaten", "--kabupaten", "7371", "--kata-sandi-stdin", "-w", ws],
            input="sandi-operator-1\n")  # fmt: skip
    assert r.exit_code == 0, r.output
    r = run(
        main,
        ["user", "add", "ops2", "--peran", "kpu_kabupaten", "--kata-sandi-stdin", "-w", ws],
        input="sandi-operator-1\n",
    )
    assert r.exit_code == 1 and "harus diberi kabupaten" in r.output
    r = run(main, ["user", "list", "-w", ws])
    assert "ops" in r.output and "7371" in r.output
    r = run(
        main, ["user", "passwd", "ops", "--kata-sandi-stdin", "-w", ws], input="sandi-baru-sekali\n"
    )
    assert r.exit_code == 0
    r = run(main, ["token", "add", "siak", "--peran", "provinsi", "-w", ws])
    assert r.exit_code == 0 and "padan_" in r.output
    r = run(main, ["token", "list", "-w", ws])
    assert "siak" in r.output
    r = run(main, ["serve", "--help"])
    assert "--port" in r.output and "--host" in r.output
    with open_workspace(ws) as eng:
        assert auth.authenticate(eng, "ops", "sandi-baru-sekali", "t").kode_kab == "7371"
