"""End to end: a real uvicorn server on a free port, driven by headless Chromium (Playwright).

Log in, drill down to a TPS, accept a review candidate, upload a register delta (real import
and match in the server's worker thread) and see the numbers fall, and check that a kabupaten
user cannot open another kabupaten. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import csv
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from padan.web import auth, create_app
from padan.web.sample import build_sample
from padan.workspace import open_workspace

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PASSWORD = "sandi-e2e-panjang"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    tmp = tmp_path_factory.mktemp("e2e")
    engine = open_workspace(tmp / "ws.duckdb")
    info = build_sample(engine, per_tps=8)
    auth.add_user(engine, "prov", PASSWORD, "provinsi")
    auth.add_user(engine, "kpu_mks", PASSWORD, "kpu_kabupaten", "7371")
    auth.add_user(engine, "dukcapil_mks", PASSWORD, "dukcapil_kabupaten", "7371")
    app = create_app(engine, upload_dir=tmp / "unggah")
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    info.update(url=f"http://127.0.0.1:{port}", engine=engine, tmp=tmp)
    yield info
    srv.should_exit = True
    thread.join(timeout=30)
    engine.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (scripts/bootstrap --system)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-gpu",
            ],  # fmt: skip
        )
        yield b
        b.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(browser, server, name: str):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server["url"] + "/")
    assert "/login" in page.url
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server["url"] + "/")
    return ctx, page, errors, requests


def gap_total(page) -> int:
    return int(page.inner_text("#gap-total").replace(".", ""))


def test_provinsi_user_full_flow(browser, server):
    ctx, page, errors, requests = log_in(browser, server, "prov")
    page.wait_for_selector(".chart svg", timeout=20_000)  # vega drew the charts in the browser
    assert page.locator(".chart svg").count() == 2
    assert "batas rekam" in page.inner_text(".countdown").lower()
    before = gap_total(page)
    shot(page, "01-ringkasan")

    # drill down: kabupaten -> kecamatan -> desa -> TPS, by clicking the recap tables
    page.click("table.recap tbody a:text('Kota Makassar')")
    page.wait_for_url(re.compile(r"/wilayah/7371$"))
    page.wait_for_selector(".chart svg")
    shot(page, "02-kabupaten")
    page.click("table.recap tbody a >> nth=0")
    page.wait_for_url(re.compile(r"/wilayah/\d{6}$"))
    page.click("table.recap tbody a >> nth=0")
    page.wait_for_url(re.compile(r"/wilayah/\d{10}$"))
    shot(page, "03-desa")
    page.click("table.recap tbody a >> nth=0")
    page.wait_for_url(re.compile(r"/pemilih/\d{13}$"))
    assert "Daftar pemilih" in page.inner_text("h1")
    rows = page.locator("table.voters tbody tr")
    assert rows.count() == 8
    nik_cells = page.locator("table.voters code.nik").all_inner_texts()
    assert all(re.fullmatch(r"\d{6}\*{10}", n) for n in nik_cells)
    assert page.locator("button:text('tampilkan')").count() == 0  # provinsi: no full NIK
    shot(page, "04-tps-daftar-pemilih")

    # review: accept the first candidate of the first row
    page.click("nav.mainnav a:text('Tinjau')")
    first = page.locator("article.review").first
    row_id = int(first.get_attribute("id").split("-")[1])
    shot(page, "05-tinjau")
    first.locator("input[name=catatan]").fill("nama, tanggal lahir dan alamat sama")
    first.locator("button[value=terima]").click()
    page.wait_for_selector(f"#tinjau-{row_id}.done")
    assert "Diterima" in page.inner_text(f"#tinjau-{row_id}")
    status = (
        server["engine"]
        .cursor()
        .one(
            "SELECT status_rekam FROM match_results WHERE match_id = ? AND row_id = ?",
            [server["match_id"], row_id],
        )[0]
    )
    assert status != "PERLU_TINJAU"

    # upload a register delta: five unrecorded voters have now recorded
    cur = server["engine"].cursor()
    belum = cur.rows(
        "SELECT d.nik, d.nama, d.tempat_lahir, d.tanggal_lahir, d.jenis_kelamin FROM match_results m"
        " JOIN dpt_rows d ON d.row_id = m.row_id AND d.import_id = ?"
        " WHERE m.match_id = ? AND m.status_rekam = 'BELUM_REKAM' ORDER BY m.row_id LIMIT 5",
        [server["dpt_import_id"], server["match_id"]],
    )
    cur.close()
    assert len(belum) == 5
    delta = server["tmp"] / "siak_delta_20201128.csv"
    with delta.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["NIK", "NAMA_LGKP", "TMPT_LHR", "TGL_LHR", "JENIS_KLMIN", "STATUS_KTP_EL"])
        for nik, nama, tempat, tgl, jk in belum:
            w.writerow([nik, nama, tempat, tgl.strftime("%d-%m-%Y"), jk, "CARD_ISSUED"])
        w.writerow(["123", "BARIS RUSAK", "MAKASSAR", "31-02-1990", "L", "CARD_ISSUED"])  # rejected
    page.click("nav.mainnav a:text('Unggah')")
    form = page.locator("#form-registry")
    form.locator("input[type=file]").set_input_files(str(delta))
    form.locator("input[name=tanggal]").fill("2020-11-28")
    form.locator("button").click()
    page.wait_for_selector("#jobs-new .job", timeout=10_000)
    shot(page, "06-unggah-berjalan")
    page.wait_for_selector("#jobs-new .job-selesai, #jobs-new .job-gagal", timeout=180_000)
    text = page.inner_text("#jobs-new .job")
    assert "Selesai" in text, text
    assert "ditolak" in text and "Pemadanan" in text
    shot(page, "07-unggah-selesai")
    with page.expect_download() as dl:
        page.click("#jobs-new a:text('unduh baris ditolak')")
    assert "ditolak" in dl.value.suggested_filename

    page.click("nav.mainnav a:text('Ringkasan')")
    page.wait_for_selector(".chart svg")
    after = gap_total(page)
    assert after <= before - 5, (before, after)
    assert "28 Nov 2020" in page.inner_text(".page-head .source")
    shot(page, "08-ringkasan-sesudah-delta")

    page.click("nav.mainnav a:text('Audit')")
    audit = page.inner_text("table.data")
    assert "tinjau" in audit and "unggah_registry" in audit
    shot(page, "09-audit")

    # nothing was loaded from outside the server
    assert all(u.startswith(server["url"]) for u in requests), [
        u for u in requests if not u.startswith(server["url"])
    ]
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors
    ctx.close()


def test_kabupaten_user_cannot_see_another_kabupaten(browser, server):
    ctx, page, errors, _ = log_in(browser, server, "kpu_mks")
    body = page.inner_text("main")
    assert "Kota Makassar" in body and "Gowa" not in body
    shot(page, "10-kabupaten-ringkasan")
    # the ranking chart is interactive: clicking a kecamatan's bar opens it
    bars = page.locator(".chart[data-spec=spec-ranking] svg .mark-rect path")
    assert bars.count() == 2
    bars.first.click()
    page.wait_for_url(re.compile(r"/wilayah/7371\d{2}$"))
    page.go_back()
    gowa = next(d for d in server["desas"] if d.startswith("7306"))
    for url in (
        "/wilayah/7306",
        f"/wilayah/{gowa}",
        f"/pemilih/{gowa}001",
        "/unduh/daftar-kerja.csv?wilayah=7306",
    ):
        resp = (
            page.goto(server["url"] + url)
            if "csv" not in url
            else page.request.get(server["url"] + url)
        )
        assert resp.status == 403, url
    page.goto(server["url"] + "/wilayah/7306")
    assert "di luar kabupaten/kota Anda" in page.inner_text("main")
    shot(page, "11-kabupaten-ditolak")
    page.goto(server["url"] + "/wilayah/73")
    assert page.url.endswith("/wilayah/7371")
    assert page.locator("nav.mainnav a:text('Unggah')").count() == 0
    ctx.close()


def test_dukcapil_user_reveals_one_nik_and_it_is_audited(browser, server):
    ctx, page, errors, _ = log_in(browser, server, "dukcapil_mks")
    desa = next(d for d in server["desas"] if d.startswith("7371"))
    page.goto(f"{server['url']}/pemilih/{desa}001")
    first = page.locator("table.voters tbody tr").first
    masked = first.locator("code.nik").inner_text()
    assert re.fullmatch(r"\d{6}\*{10}", masked)
    first.locator("button:text('tampilkan')").click()  # htmx POST with the CSRF header
    full = first.locator("code.nik-full")
    full.wait_for()
    assert re.fullmatch(r"\d{16}", full.inner_text()) and full.inner_text()[:6] == masked[:6]
    shot(page, "12-nik-lengkap")
    cur = server["engine"].cursor()
    row = cur.one(
        "SELECT actor, detail FROM audit_log WHERE action = 'lihat_nik' ORDER BY audit_id DESC LIMIT 1"
    )
    cur.close()
    assert row[0] == "dukcapil_mks" and full.inner_text() not in row[1]
    assert not [e for e in errors if "Uncaught" in e], errors
    ctx.close()


def teardown_module(module):
    # leave only screenshots behind; uploads live in the test's tmp folder
    shutil.rmtree(SHOTS.parent / "tmp", ignore_errors=True)
