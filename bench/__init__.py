"""`make bench`: the benchmark's scripts (run.py, probe.py, uploads.py, compare.py, verdicts.py)
and its dev-only Django app, installed only when BENCH=1 (bench runs): the `bench_seed` command
that generates families and the reference page `/_bench/reference/`. The portal's apps never
import it; settings and urls add it only when BENCH=1."""
