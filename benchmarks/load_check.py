"""Load check for ``padan serve``: do pages keep answering while a match runs?

Not a test. Generates a synthetic Sulsel (padan.synth), imports the DPT and the first register
snapshot, matches once, then starts ``padan serve`` in a child process on 127.0.0.1 and runs
concurrent clients (each its own logged-in session) against the pages and the API:

1. baseline: clients only, for ``--baseline`` seconds;
2. under load: a register delta is pushed through the API (``POST /api/v1/registry``), which
   imports it and runs a full match in the server's worker thread; the clients keep going
   until the job has finished.

Prints p50/p95/max latency per phase, the ratio against the baseline, errors, and the match
time. Run it under the heavy-work lock on shared machines:

    flock /tmp/padan-heavy.lock .venv/bin/python benchmarks/load_check.py --pemilih 30000
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

PASSWORD = "beban-uji-sandi-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(tmp: Path, voters: int, seed: int) -> tuple[Path, str, Path, dt.date, list[str]]:
    """Synthetic files, a workspace with one match, users and a token."""
    from padan.ingest import import_dpt, import_registry
    from padan.linkage import run_workspace_match
    from padan.synth import generate
    from padan.synth import model as synth_model
    from padan.web import auth
    from padan.workspace import open_workspace

    t = time.perf_counter()
    man = generate(tmp / "synth", seed=seed, voters=voters, snapshots=3)
    print(f"synth: {man.counts} in {time.perf_counter() - t:.1f} s")
    first = synth_model.FIRST_SNAPSHOT
    delta = man.snapshots[0]
    m = re.search(r"(\d{4})-?(\d{2})-?(\d{2})", delta.name)
    delta_date = dt.date(int(m[1]), int(m[2]), int(m[3])) if m else first + dt.timedelta(days=1)
    ws = tmp / "load.duckdb"
    with open_workspace(ws) as eng:
        t = time.perf_counter()
        import_dpt(eng, [man.dpt], pemilihan="pilkada-2020-sulsel", by="load_check")
        import_registry(eng, [man.registry], tanggal=first, by="load_check")
        print(f"import DPT + register: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        run_workspace_match(eng, pemilihan="pilkada-2020-sulsel")
        print(f"first match (no server): {time.perf_counter() - t:.1f} s")
        for i in range(8):
            auth.add_user(eng, f"klien{i}", PASSWORD, "provinsi")
        token = auth.add_token(eng, "load-check", "provinsi")
        kab = eng.one("SELECT kode_kab FROM match_results WHERE kode_kab IS NOT NULL LIMIT 1")[0]
        kec = eng.one("SELECT kode_kec FROM match_results WHERE kode_kab = ? LIMIT 1", [kab])[0]
        tps = eng.one("SELECT tps_key FROM match_results WHERE kode_kec = ? LIMIT 1", [kec])[0]
    urls = [
        "/",
        f"/wilayah/{kab}",
        f"/wilayah/{kec}",
        f"/pemilih/{tps}",
        f"/api/v1/rekap?tingkat=kecamatan&wilayah={kab}",
    ]
    return ws, token, delta, delta_date, urls


def login(base: str, name: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=120)
    r = c.get("/login")
    pre = re.search(r'name="pre" value="([^"]+)"', r.text)[1]
    r = c.post("/login", data={"username": name, "password": PASSWORD, "pre": pre})
    if r.status_code != 303 or "padan_sesi" not in c.cookies:
        raise RuntimeError(f"login as {name} failed: {r.status_code}")
    return c


per_url: dict[str, list[float]] = {}


def run_clients(
    base: str, n: int, urls: list[str], stop: threading.Event
) -> tuple[list[float], int]:
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(i: int) -> None:
        c = login(base, f"klien{i}")
        k = i
        while not stop.is_set():
            url = urls[k % len(urls)]
            k += 1
            t = time.perf_counter()
            try:
                r = c.get(url)
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            dt_ = time.perf_counter() - t
            with lock:
                lat.append(dt_)
                per_url.setdefault(url, []).append(dt_)
                errors[0] += not ok
        c.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    return lat, errors, threads  # type: ignore[return-value]


def summary(
    label: str, lat: list[float], errors: int, seconds: float, base: dict | None = None
) -> dict:
    if not lat:
        print(f"{label}: no requests")
        return {}
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [lat[0]] * 99
    s = {
        "n": len(lat),
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "max": max(lat) * 1000,
        "rps": len(lat) / seconds,
    }
    line = (f"{label:<22} requests {s['n']:>6}  errors {errors:>3}  {s['rps']:6.1f} req/s  "
            f"p50 {s['p50']:7.1f} ms  p95 {s['p95']:7.1f} ms  max {s['max']:8.1f} ms")  # fmt: skip
    if base:
        line += (
            f"  (x{s['p50'] / base['p50']:.1f} p50, x{s['p95'] / base['p95']:.1f} p95 vs baseline)"
        )
    print(line)
    return s


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pemilih", type=int, default=30_000, help="synthetic DPT rows")
    ap.add_argument("--klien", type=int, default=8, help="concurrent clients (max 8)")
    ap.add_argument("--baseline", type=float, default=15.0, help="seconds of baseline load")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    n = max(1, min(args.klien, 8))
    with tempfile.TemporaryDirectory(prefix="padan-load-") as d:
        tmp = Path(d)
        ws, token, delta, delta_date, urls = prepare(tmp, args.pemilih, args.seed)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "padan", "serve", "--workspace", str(ws), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/login", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    print("server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.3)
            print(f"server pid {server.pid} on {base}; {n} clients; pages: {', '.join(urls)}")

            stop = threading.Event()
            t0 = time.perf_counter()
            lat, errs, threads = run_clients(base, n, urls, stop)
            time.sleep(args.baseline)
            stop.set()
            for th in threads:
                th.join()
            base_s = summary("baseline", lat, errs[0], time.perf_counter() - t0)

            stop = threading.Event()
            t0 = time.perf_counter()
            lat, errs, threads = run_clients(base, n, urls, stop)
            with delta.open("rb") as f:
                r = httpx.post(
                    base + "/api/v1/registry",
                    headers={"Authorization": f"Bearer {token}"},
                    files={"berkas": (delta.name, f, "text/csv")},
                    data={"tanggal": delta_date.isoformat(), "delta": "true"},
                    timeout=120,
                )
            r.raise_for_status()
            job_id = r.json()["job_id"]
            while True:
                job = httpx.get(
                    base + f"/api/v1/pekerjaan/{job_id}",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=120,
                ).json()
                if job["status"] in ("selesai", "gagal"):
                    break
                time.sleep(0.5)
            stop.set()
            for th in threads:
                th.join()
            secs = time.perf_counter() - t0
            summary("during import+match", lat, errs[0], secs, base_s)
            for url, xs in per_url.items():
                print(
                    f"  {url:<48} median {statistics.median(xs) * 1000:7.1f} ms  max {max(xs) * 1000:7.1f} ms  (both phases)"
                )
            print(f"job #{job_id}: {job['status']} in {secs:.1f} s: {job['message']}")
            status = Path(f"/proc/{server.pid}/status")
            if status.exists():
                hwm = next(
                    (ln for ln in status.read_text().splitlines() if ln.startswith("VmHWM")), ""
                )
                print(f"server peak memory (VmHWM): {hwm.split(':')[-1].strip()}")
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
