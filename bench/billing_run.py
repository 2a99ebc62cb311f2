"""The billing-run benchmark of `make bench` (issue 14), on PostgreSQL only.

Seeds BENCH_BILLING_FAMILIES generated families (10 000 by default) with one draft invoice
each in a database of its own (`<DATABASE_URL's name>_billing`, dropped and re-created), measures
one invoice's render (median of 20), then issues every draft through one issuing run worked by
BENCH_BILLING_WORKERS `db_worker` processes (2) and measures its wall time (the run's
`created_at` to `finished_at`). The floor is families x render time / workers; the target is
floor / wall >= 0.8 (the run costs little beyond rendering the PDFs).

Standalone: `DATABASE_URL=postgres://…/portail_bench BENCH_BILLING_FAMILIES=500 python
bench/billing_run.py` (writes bench/out/results-billing-<families>.json); `bench/run.py` calls
`measure` after the pages and adds the figures to results.md.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
FAMILIES = int(os.environ.get("BENCH_BILLING_FAMILIES", "10000"))
WORKERS = int(os.environ.get("BENCH_BILLING_WORKERS", "2"))
TARGET = 0.8


def log(message: str) -> None:
    print(message, flush=True)


def billing_database(url: str) -> tuple[str, str]:
    """The run's own database beside the pages' one: (url, name)."""
    parsed = urllib.parse.urlparse(url)
    name = (parsed.path.lstrip("/") or "portail_bench") + "_billing"
    return parsed._replace(path=f"/{name}").geturl(), name


def env_for(url: str, media: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "BENCH": "1",
            "MEDIA_ROOT": str(media),
            "TASKS_BACKEND": "database",
            "DEBUG": "0",
        }
    )
    return env


def manage(env: dict, *args: str, debug: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env={**env, "DEBUG": "1" if debug else "0"},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def probe(env: dict, code: str) -> dict:
    out = manage(env, "shell", "-c", f"from bench import billing_probe as p; p.emit({code})")
    line = next(line for line in out.splitlines() if line.startswith("BENCH-JSON "))
    return json.loads(line.removeprefix("BENCH-JSON "))


def run_state(url: str, run_id: int) -> tuple[int, bool]:
    import psycopg

    with psycopg.connect(url) as connection:
        pending = connection.execute(
            "SELECT count(*) FROM billing_issuerunitem WHERE run_id = %s AND state = 'pending'",
            [run_id],
        ).fetchone()[0]
        finished = connection.execute(
            "SELECT finished_at IS NOT NULL FROM billing_issuerun WHERE id = %s", [run_id]
        ).fetchone()[0]
    return pending, finished


def measure(database_url: str, families: int = FAMILIES, workers: int = WORKERS, during=None):
    """Seeds, measures and returns the figures. `during(base)`, if given, is called once the
    workers are busy (e.g. to load the family pages meanwhile); its result is kept."""
    url, name = billing_database(database_url)
    media = OUT / "private" / name
    subprocess.run(["rm", "-rf", str(media)], check=True)
    admin_url = urllib.parse.urlparse(url)._replace(path="/postgres").geturl()
    subprocess.run(["psql", admin_url, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    env = env_for(url, media)
    log(f"== billing run: {families} families with one draft each ({name})")
    started = time.monotonic()
    manage(env, "migrate", "--no-input", debug=True)
    manage(env, "seed_demo", debug=True)
    manage(env, "bench_seed", "--families", str(families), "--drafts", debug=True)
    subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"], check=True)
    seed_seconds = time.monotonic() - started
    log(f"   seeded in {seed_seconds:.0f} s")
    render = probe(env, "p.render_ms(20)")
    log(f"   one invoice's render: {render['render_ms']:.0f} ms (median of 20)")
    OUT.mkdir(parents=True, exist_ok=True)
    processes = [
        subprocess.Popen(
            [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(OUT / f"db_worker-{index}.log").open("w"),
            start_new_session=True,
        )
        for index in range(workers)
    ]
    extra = None
    try:
        time.sleep(3)  # the workers are up before the run starts
        started_run = probe(env, "p.start_run()")
        log(f"   run {started_run['run']} started over {started_run['drafts']} drafts")
        if during is not None:
            extra = during()
        last_report = time.monotonic()
        while True:
            pending, finished = run_state(url, started_run["run"])
            if finished:
                break
            if any(process.poll() is not None for process in processes):
                sys.exit("a db_worker stopped: see bench/out/db_worker-*.log")
            if time.monotonic() - last_report > 30:
                log(f"   {pending} drafts pending")
                last_report = time.monotonic()
            time.sleep(0.5)
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    checked = probe(env, f"p.check_run({started_run['run']})")
    wall = checked["wall_seconds"]
    floor = families * render["render_ms"] / 1000 / workers
    data = {
        "families": families,
        "workers": workers,
        "backend": "database (db_worker)",
        "render_ms": render["render_ms"],
        "invoice_lines": render["lines"],
        "wall_seconds": wall,
        "floor_seconds": floor,
        "ratio": floor / wall,
        "per_invoice_ms": wall * 1000 * workers / families,
        "seed_seconds": seed_seconds,
        **{k: checked[k] for k in ("issued", "failed", "skipped", "pending", "gapless")},
        "stored_pdfs": checked["stored_pdfs"],
        "task_median_ms": checked["task_median_ms"],
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    if extra is not None:
        data["during"] = extra
    for line in report_lines(data):
        log(f"   {line}")
    return data


def report_lines(data: dict) -> list[str]:
    verdict = "OK" if data["ratio"] >= TARGET else "MISSED"
    return [
        f"Billing run ({data['families']} families, one draft each, {data['workers']} "
        f"db_worker): one invoice's render {data['render_ms']:.0f} ms (median of 20, "
        f"{data['invoice_lines']} lines); wall {data['wall_seconds']:.1f} s; floor "
        f"{data['families']} x {data['render_ms']:.0f} ms / {data['workers']} = "
        f"{data['floor_seconds']:.1f} s (one issuing task: median {data['task_median_ms']:.0f} "
        f"ms); floor / wall {data['ratio']:.2f} (target >= {TARGET}: "
        f"{verdict}); {data['issued']} issued, {data['failed']} failed, gapless numbers: "
        f"{'yes' if data['gapless'] else 'NO'}.",
    ]


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("the billing-run benchmark needs PostgreSQL: set DATABASE_URL")
    data = measure(url)
    path = OUT / f"results-billing-{data['families']}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    log(f"   raw figures: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
