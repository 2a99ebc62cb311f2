"""One verdict line for every target of bench/README.md ("Targets"), drawn from a run's raw
figures and, for the scale target, from the PostgreSQL runs at 2 000 and 100 000 families."""

from compare import TOLERANCE

PAGE_RATIO = 0.5  # every family page, to its reference page
LONG_FORMS = {"Famille": 0.25, "Un élève": 0.25}  # the two long forms (issue 11)
LOGIN_SPREAD = 0.10
SEARCH_MS = 200
BILLING_RATIO = 0.8  # issuing run's floor (renders / workers) to its wall time (issue 14)
# The 12 MP photo of bench/uploads.py decoded as RGB: re-encoding needs it, and a copy.
JPEG_BITMAP_MB = 4000 * 3000 * 3 / 1e6


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def verdict_lines(data: dict, runs: tuple[dict, dict] | None = None) -> list[str]:
    measures = data.get("measures", {})
    lines = ["## Verdicts (targets of bench/README.md)", ""]

    family = [p for p in data["pages"] if not p.get("staff") and p["ratio"] is not None]
    below = [
        f"{p['name']} {p['ratio']:.2f}"
        for p in family
        if p["ratio"] < LONG_FORMS.get(p["name"], PAGE_RATIO)
    ]
    lowest = min(family, key=lambda p: p["ratio"], default=None)
    detail = f"lowest {lowest['name']} {lowest['ratio']:.2f}" if lowest else "no page measured"
    lines.append(
        f"- Family pages ≥ {PAGE_RATIO}× their reference (Famille, Un élève ≥ 0.25×): "
        f"{_met(bool(family) and not below)} ({'below: ' + ', '.join(below) if below else detail})"
    )

    if "login_known_ms" in measures:
        known, unknown = measures["login_known_ms"], measures["login_unknown_ms"]
        spread = (unknown - known) / known
        lines.append(
            f"- Failed login, known vs unknown identifiant within 10 %: "
            f"{_met(abs(spread) <= LOGIN_SPREAD)} ({known:.0f} ms vs {unknown:.0f} ms, "
            f"{spread * 100:+.1f} %)"
        )
    else:
        lines.append("- Failed login, known vs unknown identifiant within 10 %: not measured")

    differ = [
        f"{p['name']} {p['queries_small']} vs {p['queries_large']}"
        for p in data["pages"]
        if p["queries_small"] != p["queries_large"]
    ]
    lines.append(
        "- Same queries for a family with 1 student and with 8: "
        f"{_met(not differ)} ({'differ: ' + ', '.join(differ) if differ else 'every page'})"
    )

    if runs:
        before, after = runs
        pages_after = {p["name"]: p for p in after["pages"]}
        outside = []
        for page in before["pages"]:
            other = pages_after.get(page["name"])
            if other is None:
                continue
            # The ratio to the reference where there is one: raw req/s of two runs minutes
            # apart move with a shared machine's load (bench/README.md).
            if page["ratio"] and other["ratio"]:
                change = other["ratio"] / page["ratio"] - 1
            else:
                change = other["rps"] / page["rps"] - 1
            if change < -TOLERANCE:
                outside.append(f"{page['name']} {change * 100:+.0f} %")
        lines.append(
            "- Throughput at 100 000 families within 15 % of 2 000 (PostgreSQL, ratio to the "
            f"reference): {_met(not outside)} "
            f"({'outside: ' + ', '.join(outside) if outside else 'every page'})"
        )
    else:
        lines.append(
            "- Throughput at 100 000 families within 15 % of 2 000 (PostgreSQL): not judged by "
            "this run (needs bench/out/results-postgresql-2000.json and -100000.json)"
        )

    searches = measures.get("admin_search_ms", {})
    slowest = max(searches.values(), default=None)
    label = f"- Admin family search under {SEARCH_MS} ms at 100 000 families (PostgreSQL): "
    if slowest is None:
        lines.append(label + "not measured")
    elif data["engine"] == "PostgreSQL" and data["families"] >= 100_000:
        lines.append(label + f"{_met(slowest < SEARCH_MS)} (slowest {slowest:.0f} ms)")
    else:
        lines.append(
            label + f"not judged by this run ({data['engine']}, {data['families']} families; "
            f"slowest {slowest:.0f} ms)"
        )

    uploads = data.get("uploads", [])
    growths = []
    for result in uploads:
        growth = result["peak_rss_mb"] - result["baseline_rss_mb"]
        if result["file"].endswith(".pdf"):
            kind, bound, why = "PDF", result["bytes"] / 1e6, "its size: never read whole"
        else:
            kind, bound, why = "JPEG", 2 * JPEG_BITMAP_MB, "twice its bitmap: re-encoding"
        growths.append(
            (
                growth < bound and result["accepted"],
                f"{kind} +{growth:.0f} MB, bound {bound:.0f} MB ({why})",
            )
        )
    lines.append(
        "- Worker memory during uploads bounded: "
        + (
            f"{_met(all(ok for ok, _ in growths))} ({'; '.join(text for _, text in growths)})"
            if growths
            else "not measured"
        )
    )
    lines += billing_verdict_lines(data.get("billing"))
    return lines


def billing_verdict_lines(billing: dict | None) -> list[str]:
    """The issuing run's targets (issue 14): its wall time against the render floor, and the
    family pages answering as usual meanwhile."""
    from billing_run import pages_verdict

    label = "- Billing run of 10 000 families, 2 workers, ≥ 0.8× the render floor (PostgreSQL): "
    pages_label = "- Family pages during the billing run ≤ 15 % below idle (ratio to reference): "
    if not billing:
        absent = "not measured (PostgreSQL only; BENCH_BILLING_FAMILIES=0 skips it)"
        return [label + absent, pages_label + absent]
    ok = billing["ratio"] >= BILLING_RATIO and billing["gapless"] and not billing["failed"]
    load = billing.get("load_average")
    detail = (
        f"floor / wall {billing['ratio']:.2f}: {billing['families']} families, render "
        f"{billing['render_ms']:.0f} ms, wall {billing['wall_seconds']:.0f} s, floor "
        f"{billing['floor_seconds']:.0f} s"
        + (f", load average {load[0]:.1f} before, {load[3]:.1f} after" if load else "")
    )
    if billing["families"] < 10_000:
        lines = [label + f"not judged by this run ({detail})"]
    else:
        lines = [label + f"{_met(ok)} ({detail})"]
    if "pages_idle" not in billing:
        return [*lines, pages_label + "not measured"]
    pages_ok, pages_detail = pages_verdict(billing)
    verdict = "not judged (the run ended first)" if pages_ok is None else _met(pages_ok)
    return [*lines, pages_label + f"{verdict} ({pages_detail})"]
