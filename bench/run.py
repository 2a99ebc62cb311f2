"""`make bench`: seeds a fresh database, serves the portal with gunicorn as in production and
drives it with wrk from a second process, with logged-in sessions of different families.

Prints a table and writes bench/results.md. Settings (environment):
  BENCH_FAMILIES   generated families (default 2000)
  BENCH_DURATION   seconds of load per page (default 8), and as much for its reference page
  BENCH_ROUNDS     slices the page and its reference alternate in (default 3; slices last
                   4 s at least, so BENCH_DURATION=8 gives 2)
  BENCH_SESSIONS   distinct logged-in families driving the load (default 40)
  BENCH_REUSE      1: keep the database when it already holds BENCH_FAMILIES generated families
                   (migrate still runs); otherwise it is dropped and seeded again
  DATABASE_URL     PostgreSQL when set (the database is dropped and re-created!), else SQLite
  BENCH_BILLING_FAMILIES  families of the billing-run benchmark (PostgreSQL only, in a database
                   `<name>_billing` of its own; default 10000, 0 skips it; bench/billing_run.py)

Raw figures go to bench/out/results-<engine>-<families>.json; `python bench/compare.py A B`
compares two of them (results.md includes the comparison of the PostgreSQL 2 000 and 100 000
family runs when both exist).
"""

import hashlib
import hmac
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import billing_run
import uploads

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
FAMILIES = int(os.environ.get("BENCH_FAMILIES", "2000"))
DURATION = int(os.environ.get("BENCH_DURATION", "8"))
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "40"))
REUSE = os.environ.get("BENCH_REUSE", "") == "1"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
MIN_SLICE = 4  # seconds
CONNECTIONS = 8


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def generated_families(url: str) -> int | None:
    """How many generated (bench*) accounts the database holds; None when it cannot tell."""
    query = "SELECT count(*) FROM accounts_user WHERE username LIKE 'bench%'"
    try:
        if url.startswith("postgres"):
            import psycopg

            with psycopg.connect(url, connect_timeout=5) as connection:
                return connection.execute(query).fetchone()[0]
        import sqlite3

        path = url.removeprefix("sqlite:///")
        if not Path(path).exists():
            return None
        with sqlite3.connect(path) as connection:
            return connection.execute(query).fetchone()[0]
    except Exception:  # a missing database or table: nothing to reuse
        return None


def database_env() -> tuple[dict, str, bool]:
    """The database to use, its name (for its private files) and whether it is reused."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        parsed = urllib.parse.urlparse(url)
        name = parsed.path.lstrip("/") or "portail_bench"
        url = parsed._replace(path=f"/{name}").geturl()
    else:
        name = "bench-sqlite"
        url = f"sqlite:///{OUT / 'bench.sqlite3'}"
    if REUSE:
        found = generated_families(url)
        if found == FAMILIES:
            return {"DATABASE_URL": url}, name, True
        log(f"   BENCH_REUSE: {name} holds {found} generated families, not {FAMILIES}: seeding")
    if url.startswith("postgres"):
        admin_url = parsed._replace(path="/postgres").geturl()
        subprocess.run(["psql", admin_url, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
        subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{OUT / 'bench.sqlite3'}{suffix}").unlink(missing_ok=True)
    return {"DATABASE_URL": url}, name, False


def base_env(db_env: dict, media: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(db_env)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "BENCH": "1",
            "MEDIA_ROOT": str(media),
        }
    )
    return env


def manage(env: dict, *args: str, debug: bool = False) -> str:
    run_env = {**env, "DEBUG": "1" if debug else "0"}
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=run_env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def totp_code(hex_key: str) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), as the staff member's application computes it."""
    counter = struct.pack(">Q", int(time.time()) // 30)
    digest = hmac.new(bytes.fromhex(hex_key), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class Session:
    """A logged-in family (or the staff member, with its second factor): its cookie header."""

    def __init__(self, base_url: str, username: str, password: str, totp_key: str = ""):
        self.jar = CookieJar()
        self.opener = opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )
        html = opener.open(f"{base_url}/connexion/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        try:
            opener.open(f"{base_url}/connexion/", data=data)
        except urllib.error.HTTPError as exc:
            if exc.code != 302:
                raise
        if totp_key:
            html = opener.open(f"{base_url}/connexion/verification/").read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            data = urllib.parse.urlencode(
                {"code": totp_code(totp_key), "csrfmiddlewaretoken": token}
            ).encode()
            try:
                opener.open(f"{base_url}/connexion/verification/", data=data)
                sys.exit(f"second factor refused for {username}")
            except urllib.error.HTTPError as exc:
                if exc.code != 302:
                    raise
        self.cookie = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        if "sessionid" not in self.cookie:
            sys.exit(f"login failed for {username}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wrk(url: str, targets: list[tuple[str, str, str]], seconds: int) -> dict:
    """Load `url` with wrk for `seconds`, rotating over (cookie, path, body) targets."""
    targets_file = OUT / "targets.tsv"
    targets_file.write_text("".join(f"{c}\t{p}\t{b}\n" for c, p, b in targets))
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "targets.lua"),
            url,
            "--",
            str(targets_file),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests, elapsed, unit = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out).groups()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def latency(pct: str) -> float:
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {
        "rps": rps,
        "requests": int(requests),
        "seconds": float(elapsed) * {"ms": 0.001, "s": 1, "m": 60}[unit],
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    run_started = time.monotonic()
    db_env, db_name, reused = database_env()
    engine = "PostgreSQL" if db_env["DATABASE_URL"].startswith("postgres") else "SQLite"
    # Each database keeps its own private files, so that a reused one still finds them.
    media = OUT / "private" / db_name
    if not reused:
        shutil.rmtree(media, ignore_errors=True)
    env = base_env(db_env, media)

    started = time.monotonic()
    if reused:
        log(f"== database: {engine} {db_name}, reused ({FAMILIES} families); migrating")
        manage(env, "migrate", "--no-input", debug=True)
        # Another checkout has no private files for this database: the generated invoices and
        # documents all point at two sample PDFs, written again when missing.
        manage(
            env,
            "shell",
            "-c",
            "from bench import seed_billing, seed_students; "
            "seed_billing.sample_pdf(); seed_students.sample_pdf()",
        )
        seed_seconds = None
    else:
        log(f"== database: {engine} {db_name}; seeding {FAMILIES} families")
        manage(env, "migrate", "--no-input", debug=True)
        manage(env, "seed_demo", debug=True)
        manage(env, "bench_seed", "--families", str(FAMILIES), debug=True)
        seed_seconds = time.monotonic() - started
        log(f"   seeded in {seed_seconds:.0f} s")
        if engine == "PostgreSQL":
            # Fresh statistics, and no autovacuum of the bulk load during the measurements.
            started = time.monotonic()
            subprocess.run(["psql", db_env["DATABASE_URL"], "-qc", "VACUUM ANALYZE"], check=True)
            log(f"   VACUUM ANALYZE in {time.monotonic() - started:.0f} s")
    manage(env, "collectstatic", "--no-input", "-v0")

    log("== probing pages (queries, size) in-process")
    probe = json.loads(
        subprocess.run(
            [PYTHON, str(ROOT / "bench" / "probe.py")],
            cwd=ROOT,
            env={**env, "DEBUG": "0"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )

    server, base_url = start_server(env)
    try:
        results = run_pages(base_url, probe)
        log("== uploads over HTTP (10 MB PDF, 12 MP JPEG): worker memory")
        upload_results = uploads.measure(
            lambda username: Session(base_url, username, probe["password"]),
            base_url,
            server.pid,
            probe["uploads"],
        )
        for result in upload_results:
            log("   {}: {}".format(*uploads.describe(result)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    run_seconds = time.monotonic() - run_started
    data = raw_figures(engine, db_name, seed_seconds, run_seconds, probe, results)
    data["uploads"] = upload_results
    if engine == "PostgreSQL" and billing_run.FAMILIES > 0:
        data["billing"] = billing_run.measure(db_env["DATABASE_URL"])
    json_path = OUT / f"results-{engine.lower()}-{FAMILIES}.json"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    log(f"   raw figures: {json_path.relative_to(ROOT)}; whole run {run_seconds:.0f} s")
    report(data)


def start_server(env: dict, log_name: str = "gunicorn.log"):
    """The portal served as in production (gunicorn, 2 sync workers, DEBUG off), once it
    answers: (its process, its base URL)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env={**env, "DEBUG": "0"},
        stdout=subprocess.DEVNULL,
        stderr=(OUT / log_name).open("w"),
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base_url}/sante/")
            break
        except OSError:
            time.sleep(0.1)
    return server, base_url


def run_pages(base_url: str, probe: dict) -> dict:
    spread = probe["usernames"]
    usernames = spread[:: max(len(spread) // SESSIONS, 1)][:SESSIONS]
    log(f"== logging in {len(usernames)} families")
    sessions = [Session(base_url, name, probe["password"]) for name in usernames]
    staff = Session(base_url, "admin", probe["admin_password"], probe["admin_totp_key"])
    results = {}
    for page in probe["pages"]:
        targets = []
        for session, name in zip(sessions, usernames, strict=True):
            path = page["paths"].get(name)
            if path:
                targets.append((staff.cookie if page.get("staff") else session.cookie, path, ""))
        if page["name"] == "Connexion (POST)":
            targets = login_targets(base_url, usernames, probe["password"])
        if not targets:
            continue
        log(f"== {page['name']}")
        if page.get("absolute"):
            measured = interleaved(base_url, [targets])[0]
            results[page["name"]] = {**measured, "reference": None}
            log(f"   {measured['rps']:.0f} req/s, errors {measured['errors']}")
            continue
        extra_queries = max(page["queries"] - probe["reference_base_queries"], 0)
        reference_path = f"/_bench/reference/?queries={extra_queries}&bytes={page['bytes']}"
        reference_targets = [(s.cookie, reference_path, "") for s in sessions]
        measured, reference = interleaved(base_url, [targets, reference_targets])
        results[page["name"]] = {**measured, "reference": reference}
        log(
            f"   {measured['rps']:.0f} req/s vs reference {reference['rps']:.0f} req/s "
            f"({measured['rps'] / reference['rps']:.2f}x), errors {measured['errors']}"
        )
    return results


def interleaved(base_url: str, loads: list[list]) -> list[dict]:
    """Each load (a page, its reference) in ROUNDS alternating slices, so that both see the same
    background load of a shared machine; totals over the slices, median p50, worst p99."""
    # Slices of 4 s at least: wrk drops the requests in flight when a slice ends, which would
    # bias the slowest pages (about a second per request under load) downwards.
    rounds = min(ROUNDS, max(1, DURATION // MIN_SLICE))
    seconds = max(1, round(DURATION / rounds))
    slices = [[] for _ in loads]
    for _ in range(rounds):
        for index, targets in enumerate(loads):
            slices[index].append(wrk(base_url, targets, seconds))
    totals = []
    for measured in slices:
        requests = sum(m["requests"] for m in measured)
        elapsed = sum(m["seconds"] for m in measured)
        totals.append(
            {
                "rps": requests / elapsed,
                "p50": statistics.median(m["p50"] for m in measured),
                "p99": max(m["p99"] for m in measured),
                "errors": sum(m["errors"] for m in measured),
                "requests": requests,
                "slices": [m["rps"] for m in measured],
            }
        )
    return totals


def login_targets(base_url: str, usernames: list[str], password: str) -> list:
    targets = []
    for name in usernames:
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        html = opener.open(f"{base_url}/connexion/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        body = urllib.parse.urlencode(
            {"username": name, "password": password, "csrfmiddlewaretoken": token}
        )
        targets.append((cookie, "/connexion/", body))
    return targets


def raw_figures(engine, db_name, seed_seconds, run_seconds, probe, results) -> dict:
    """Everything the tables are made of, for results-<engine>-<families>.json."""
    pages = []
    for page in probe["pages"]:
        result = results.get(page["name"])
        if result is None:
            continue
        reference = result["reference"]
        pages.append(
            {
                "name": page["name"],
                "staff": page["staff"],
                **{key: result[key] for key in ("rps", "p50", "p99", "errors")},
                "reference": reference,
                "ratio": result["rps"] / reference["rps"] if reference else None,
                "queries": page["queries"],
                "queries_small": page["queries_small"],
                "queries_large": page["queries_large"],
                "bytes": page["bytes"],
            }
        )
    return {
        "engine": engine,
        "database": db_name,
        "families": FAMILIES,
        "duration": DURATION,
        "connections": CONNECTIONS,
        "sessions": SESSIONS,
        "seed_seconds": seed_seconds,
        "run_seconds": run_seconds,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "machine": f"{platform.node()}, {os.cpu_count()} CPUs",
        "pages": pages,
        "extra": probe.get("extra", {}),
        "measures": probe.get("measures", {}),
    }


def report(data: dict) -> None:
    from compare import comparison_lines
    from verdicts import verdict_lines

    seeding = (
        f"Seeding: {data['seed_seconds']:.0f} s."
        if data["seed_seconds"] is not None
        else "Seeding: none (BENCH_REUSE=1, the database was reused)."
    )
    lines = [
        f"# Benchmark results ({data['engine']}, {data['families']} families, "
        f"{data['duration']} s per page, {data['connections']} connections, gunicorn sync x2)",
        "",
        f"{seeding} Whole run: {data['run_seconds']:.0f} s. Measured {data['measured_at']}. "
        "Reference page: same middleware, layout, size and number of queries as the page it "
        "is compared with.",
        "",
        "| page | req/s | ratio to reference | p50 ms | p99 ms | errors | queries (1 student) "
        "| queries (8 students) | bytes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in data["pages"]:
        ratio = f"{page['ratio']:.2f}" if page["ratio"] is not None else "n/a"
        lines.append(
            f"| {page['name']} | {page['rps']:.0f} | {ratio} | {page['p50']:.1f} | "
            f"{page['p99']:.1f} | {page['errors']} | {page['queries_small']} | "
            f"{page['queries_large']} | {page['bytes']} |"
        )
    lines.append("")
    lines.append(
        "The login POST has no reference: its cost is the password hash (Argon2id), "
        "which is deliberate."
    )
    extra = dict(data["extra"])
    extra.update(uploads.describe(result) for result in data.get("uploads", []))
    for name, value in extra.items():
        lines.append("")
        lines.append(f"- {name}: {value}")
    if data.get("uploads"):
        lines += [
            "",
            "Uploads: a logged-in family posts the file through its student's page (multipart, "
            "CSRF token, the real view); the memory is the serving gunicorn worker's VmHWM "
            "(reset to its RSS just before the request), the time is the request's.",
        ]
    if data.get("billing"):
        lines += ["", *("- " + line for line in billing_run.report_lines(data["billing"]))]
    small, large = (OUT / f"results-postgresql-{n}.json" for n in (2000, 100000))
    runs = None
    if data["engine"] == "PostgreSQL" and small.exists() and large.exists():
        runs = json.loads(small.read_text()), json.loads(large.read_text())
    lines += ["", *verdict_lines(data, runs)]
    if runs:
        lines += ["", *comparison_lines(*runs)]
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    (ROOT / "bench" / "results.md").write_text(text)


if __name__ == "__main__":
    main()
