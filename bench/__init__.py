"""`make bench`: the benchmark's scripts (run.py, probe.py, uploads.py, compare.py) and its
dev-only Django app, installed only when BENCH=1 (bench runs): the `bench_seed` command that
generates families and the reference page `/_bench/reference/`. Nothing in the portal's own
apps imports it."""
