"""A page's server CPU with one request at a time, to tell the page's own cost from what
many open connections add under load:

    .venv/bin/python -m benchmarks.pages.sequential /plans/ [--people 50] [--requests 300]

Uses the database the page benchmark seeded (run ``benchmarks.pages.run`` once first) and
the same production settings and page server (gunicorn, two workers of 32 threads). Each
request goes to the next of ``--people`` mums in turn, over her own kept-alive
connection, one after another; the server's CPU time (its processes' user and system
time) over the requests served is printed. ``<conversation>`` in the path is each mum's
own family conversation.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.pages.run import HOST, Server, existing_world, people, production_env


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--people", type=int, default=1)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--port", type=int, default=8731)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-sequential-"))
    for folder in ("templates", "logs"):
        (work / folder).mkdir()
    os.environ.update(production_env(work / "static", work / "templates"))
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("collectstatic", verbosity=0, interactive=False)
        world = existing_world(1000)
        crowd = people(args.people, world.resources[0].url)
        with Server(
            "wsgi", port=args.port, workers=2, env=dict(os.environ), log_dir=work / "logs"
        ) as server:
            connections = [http.client.HTTPConnection(HOST, args.port) for _ in crowd]

            def get(index: int) -> None:
                person = crowd[index]
                path = args.path.replace("<conversation>", str(person.conversation_id))
                headers = {"Cookie": person.cookie, "Accept-Encoding": "gzip"}
                connections[index].request("GET", path, headers=headers)
                response = connections[index].getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"{path}: HTTP {response.status}")

            for _ in range(3):  # every worker thread warm, every fragment made
                for index in range(len(crowd)):
                    get(index)
            before = server.cpu_seconds()
            for number in range(args.requests):
                get(number % len(crowd))
            used = server.cpu_seconds() - before
        print(
            f"{args.path}: {used / args.requests * 1000:.2f} ms server CPU a request, "
            f"{args.people} {'person' if args.people == 1 else 'people'}, one request at a time"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
