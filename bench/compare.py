"""Compares two `make bench` runs (bench/out/results-<engine>-<families>.json), page by page:
the throughput of each and its change, against the target "within 15 %" (issue 7: pages at
100 000 families within 15 % of their throughput at 2 000, on PostgreSQL).

    python bench/compare.py bench/out/results-postgresql-2000.json \\
        bench/out/results-postgresql-100000.json

The ratio to the reference page is compared too: both runs measure their own reference, so the
ratio's change is less sensitive than raw req/s to the load of a shared machine.
"""

import json
import sys
from pathlib import Path

TOLERANCE = 0.15


def _label(run: dict) -> str:
    return f"{run['families']:,}".replace(",", " ")


def _verdict(change: float) -> str:
    return "yes" if change >= -TOLERANCE else "**no**"


def comparison_lines(before: dict, after: dict) -> list[str]:
    a, b = _label(before), _label(after)
    lines = [
        f"## {before['engine']}: {a} vs {b} families (target: within 15 %)",
        "",
        f"Runs measured {before['measured_at']} and {after['measured_at']}.",
        "",
        f"| page | req/s at {a} | req/s at {b} | change | ratio to reference at {a} "
        f"| at {b} | ratio change | within 15 % (req/s) | within 15 % (ratio) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    pages_after = {page["name"]: page for page in after["pages"]}
    for page in before["pages"]:
        other = pages_after.get(page["name"])
        if other is None:
            continue
        change = other["rps"] / page["rps"] - 1
        if page["ratio"] and other["ratio"]:
            ratio_change = other["ratio"] / page["ratio"] - 1
            ratios = f"{page['ratio']:.2f} | {other['ratio']:.2f} | {ratio_change * 100:+.0f} %"
            ratio_verdict = _verdict(ratio_change)
        else:
            ratios, ratio_verdict = "n/a | n/a | n/a", "n/a"
        lines.append(
            f"| {page['name']} | {page['rps']:.0f} | {other['rps']:.0f} | {change * 100:+.0f} % "
            f"| {ratios} | {_verdict(change)} | {ratio_verdict} |"
        )
    return lines


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        sys.exit("usage: python bench/compare.py BEFORE.json AFTER.json")
    before, after = (json.loads(Path(name).read_text()) for name in argv)
    print("\n".join(comparison_lines(before, after)))


if __name__ == "__main__":
    main(sys.argv[1:])
