"""Where a page's server time goes, in one process, without a server in front:

    .venv/bin/python -m benchmarks.pages.profile /dashboard/ /plans/ [--profile]

Uses the database the page benchmark seeded (run ``benchmarks.pages.run`` once first), the
same production settings, and the first family's mum signed in. For each path it prints the
CPU per request (the median of batches), the number of queries and, with ``--profile``, the
functions that took the most time. Figures are per request through Django's test client,
so they leave out the server but keep every middleware, query and template.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.pages.run import HOST, existing_world, people, production_env


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    (work / "templates").mkdir()
    os.environ.update(production_env(work / "static", work / "templates"))
    os.environ["CONN_MAX_AGE"] = "60"
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, reset_queries
        from django.test import Client

        call_command("collectstatic", verbosity=0, interactive=False)
        world = existing_world(1000)
        mum = people(1, world.resources[0].url)[0]
        cookie = mum.cookie
        paths = [p.replace("<conversation>", str(mum.conversation_id)) for p in args.paths]
        name, value = cookie.split("=", 1)
        client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_ENCODING="gzip")
        client.cookies[name] = value
        for path in paths:
            response = client.get(path)
            if response.status_code != 200:
                print(f"{path}: HTTP {response.status_code}", file=sys.stderr)
                return 1
            for _ in range(20):
                client.get(path)
            queries: list[str] = []

            def record(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(record):
                client.get(path)
            batches = []
            for _ in range(5):
                started = time.process_time()
                for _ in range(args.requests // 5):
                    client.get(path)
                batches.append((time.process_time() - started) / (args.requests // 5) * 1000)
            print(
                f"{path}: {statistics.median(batches):.2f} ms CPU a request "
                f"(batches {', '.join(f'{b:.2f}' for b in batches)}), "
                f"{len(queries)} queries, {len(response.content)} bytes sent"
            )
            if os.environ.get("SHOW_QUERIES"):
                for sql in queries:
                    print("   ", sql[:220])
            if args.profile:
                profiler = cProfile.Profile(time.process_time)
                profiler.enable()
                for _ in range(50):
                    client.get(path)
                profiler.disable()
                pstats.Stats(profiler).sort_stats(
                    os.environ.get("PROFILE_SORT", "cumulative")
                ).print_stats(args.top)
            reset_queries()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
