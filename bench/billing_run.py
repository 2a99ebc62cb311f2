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


def worker_cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_pages(base_url: str, pages: dict, sessions: list) -> dict:
    """Each family page and its reference page (same layout, size and queries), interleaved
    in the same slices as in `make bench`: req/s and their ratio."""
    from run import interleaved

    figures = {}
    for page in pages["pages"]:
        extra = max(page["queries"] - pages["reference_base_queries"], 0)
        reference = f"/_bench/reference/?queries={extra}&bytes={page['bytes']}"
        measured, base = interleaved(
            base_url,
            [
                [(cookie, page["path"], "") for cookie in sessions],
                [(cookie, reference, "") for cookie in sessions],
            ],
        )
        figures[page["name"]] = {
            "rps": measured["rps"],
            "reference_rps": base["rps"],
            "ratio": measured["rps"] / base["rps"],
            "p99": measured["p99"],
            "errors": measured["errors"] + base["errors"],
        }
    return figures


def measure(database_url: str, families: int = FAMILIES, workers: int = WORKERS):
    """Seeds, measures and returns the figures: one render, the run's wall time, and the family
    pages' throughput (as a ratio to their reference page) while the run works and idle."""
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
    manage(env, "collectstatic", "--no-input", "-v0")
    subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"], check=True)
    seed_seconds = time.monotonic() - started
    log(f"   seeded in {seed_seconds:.0f} s")
    render = probe(env, "p.render_ms(20)")
    log(
        f"   one invoice's render: {render['render_ms']:.0f} ms (median of 20; CPU "
        f"{render['render_cpu_ms']:.0f} ms)"
    )
    pages = probe(env, "p.pages()")
    OUT.mkdir(parents=True, exist_ok=True)
    from run import Session, start_server

    server, base_url = start_server(env, "gunicorn-billing.log")
    processes = []
    try:
        password = pages["password"]
        sessions = [Session(base_url, user, password).cookie for user in pages["usernames"]]
        log("   family pages, idle (no run):")
        idle = load_pages(base_url, pages, sessions)
        log_pages(idle)
        load_before = os.getloadavg()
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
        time.sleep(3)  # the workers are up before the run starts
        cpu_before = sum(worker_cpu_seconds(process.pid) for process in processes)
        started_run = probe(env, "p.start_run()")
        log(f"   run {started_run['run']} started over {started_run['drafts']} drafts")
        time.sleep(2)  # the workers busy
        log("   family pages, while the run works:")
        during = load_pages(base_url, pages, sessions)
        pending, finished = run_state(url, started_run["run"])
        pending_after_pages = pending
        log_pages(during)
        last_report = time.monotonic()
        while not finished:
            if any(process.poll() is not None for process in processes):
                sys.exit("a db_worker stopped: see bench/out/db_worker-*.log")
            if time.monotonic() - last_report > 30:
                log(f"   {pending} drafts pending")
                last_report = time.monotonic()
            time.sleep(0.5)
            pending, finished = run_state(url, started_run["run"])
        workers_cpu = sum(worker_cpu_seconds(process.pid) for process in processes) - cpu_before
        load_after = os.getloadavg()
    finally:
        for process in [*processes, server]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in [*processes, server]:
            process.wait(timeout=30)
    checked = probe(env, f"p.check_run({started_run['run']})")
    wall = checked["wall_seconds"]
    floor = families * render["render_ms"] / 1000 / workers
    data = {
        "families": families,
        "database": name,
        "workers": workers,
        "backend": "database (db_worker)",
        "render_ms": render["render_ms"],
        "render_cpu_ms": render["render_cpu_ms"],
        "invoice_lines": render["lines"],
        "wall_seconds": wall,
        "floor_seconds": floor,
        "ratio": floor / wall,
        "per_invoice_ms": wall * 1000 * workers / families,
        "workers_cpu_per_invoice_ms": workers_cpu * 1000 / families,
        "seed_seconds": seed_seconds,
        **{k: checked[k] for k in ("issued", "failed", "skipped", "pending", "gapless")},
        "stored_pdfs": checked["stored_pdfs"],
        "task_median_ms": checked["task_median_ms"],
        "tasks": checked["tasks"],
        "load_average": [round(value, 2) for value in (*load_before, *load_after)],
        "pages_idle": idle,
        "pages_during": during,
        # The pages were measured while drafts were still pending: a fair "during".
        "pages_during_run": pending_after_pages > 0,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    for line in report_lines(data):
        log(f"   {line}")
    return data


def log_pages(figures: dict) -> None:
    for name, page in figures.items():
        log(
            f"     {name}: {page['rps']:.0f} req/s vs reference {page['reference_rps']:.0f} "
            f"({page['ratio']:.2f}x), errors {page['errors']}"
        )


def pages_verdict(data: dict) -> tuple[bool | None, str]:
    """Family pages during the run vs idle: each one's ratio to its reference no more than
    15 % lower (`compare.TOLERANCE`, as between 2 000 and 100 000 families). None when the run
    was over before the pages were measured."""
    from compare import TOLERANCE

    changes = []
    for name, idle in data["pages_idle"].items():
        during = data["pages_during"][name]
        change = during["ratio"] / idle["ratio"] - 1
        changes.append((change >= -TOLERANCE and not during["errors"], name, change))
    detail = ", ".join(
        f"{name} {data['pages_idle'][name]['ratio']:.2f} idle vs "
        f"{data['pages_during'][name]['ratio']:.2f} during ({change:+.0%})"
        for _ok, name, change in changes
    )
    if not data["pages_during_run"]:
        return None, detail
    return all(ok for ok, _name, _change in changes), detail


def report_lines(data: dict) -> list[str]:
    verdict = "OK" if data["ratio"] >= TARGET else "MISSED"
    pages_ok, pages_detail = pages_verdict(data)
    load = data["load_average"]
    return [
        f"Billing run ({data['families']} families, one draft each, {data['workers']} "
        f"db_worker): one invoice's render {data['render_ms']:.0f} ms (median of 20, "
        f"{data['invoice_lines']} lines; CPU {data['render_cpu_ms']:.0f} ms); wall "
        f"{data['wall_seconds']:.1f} s; floor {data['families']} x {data['render_ms']:.0f} ms / "
        f"{data['workers']} = {data['floor_seconds']:.1f} s (per draft in its task: median "
        f"{data['task_median_ms']:.0f} ms, {data['tasks']} tasks; the workers' CPU per draft "
        f"{data['workers_cpu_per_invoice_ms']:.0f} ms: one render's CPU / the workers' per "
        f"draft {data['render_cpu_ms'] / data['workers_cpu_per_invoice_ms']:.2f}, the same "
        f"comparison whatever the neighbours' load); floor / wall {data['ratio']:.2f} "
        f"(target >= {TARGET}: {verdict}); {data['issued']} issued, {data['failed']} failed, "
        f"gapless numbers: {'yes' if data['gapless'] else 'NO'}. Load average (1, 5, 15 min) "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} before the run, {load[3]:.1f} {load[4]:.1f} "
        f"{load[5]:.1f} after, on {os.cpu_count()} CPUs.",
        "Family pages while the run works vs idle (ratio to their reference page, at most 15 % "
        "lower): "
        + {True: "OK", False: "MISSED", None: "not judged (the run ended first)"}[pages_ok]
        + f" ({pages_detail}).",
    ]


SECTION = "## Billing run alone (bench/billing_run.py)"


def write_results(data: dict) -> None:
    """bench/results.md keeps the pages' figures of the last `make bench`; the billing run
    measured alone replaces only its own section, at the end."""
    from verdicts import billing_verdict_lines

    results = ROOT / "bench" / "results.md"
    text = results.read_text() if results.exists() else ""
    text = text.split(f"\n{SECTION}\n")[0].rstrip("\n")
    section = [
        SECTION,
        "",
        f"Measured {data['measured_at']}, database {data['database']}.",
        "",
        *("- " + line for line in report_lines(data)),
        *load_note(data),
        "",
        *billing_verdict_lines(data),
    ]
    results.write_text(text + "\n\n" + "\n".join(section) + "\n")


def load_note(data: dict) -> list[str]:
    """A warning when the neighbours' load moved much between the render's measure (before the
    run) and the end of the run: the floor and the wall time then saw different machines."""
    before, after = data["load_average"][0], data["load_average"][3]
    if abs(after - before) <= 0.3 * max(before, after):
        return []
    return [
        "",
        f"The load average went from {before:.1f} to {after:.1f} during the run: the render "
        "(the floor) and the run were not measured under the same load, so floor / wall is "
        "only indicative; the CPU comparison (one render's CPU / the workers' CPU per draft) "
        "depends much less on it.",
    ]


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("the billing-run benchmark needs PostgreSQL: set DATABASE_URL")
    data = measure(url)
    path = OUT / f"results-billing-{data['families']}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    write_results(data)
    log(f"   raw figures: {path.relative_to(ROOT)}; bench/results.md updated")


if __name__ == "__main__":
    main()
