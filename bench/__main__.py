"""Benchmarks: `make bench` (all) or `make bench BENCH_ARGS=eligibility` (those whose name matches).

Each bench module is `bench/bench_<name>.py` with a `main()` that prints its numbers beside a
reference measured in the same run. They need PostgreSQL (DATABASE_URL) and build their own
data in a database of their own, never the portal's.
"""

import importlib
import os
import pkgutil
import sys

import django


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pojian.settings")
    # Tasks the measured code sends on commit (e.g. the VACUUM after a tax import) run in-process,
    # as part of what is measured, not left on a broker queue that no worker reads.
    os.environ["CELERY_BROKER_URL"] = ""
    django.setup()
    import bench

    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    wanted = [n for n in names if not argv or any(a in n for a in argv)]
    for name in wanted:
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
