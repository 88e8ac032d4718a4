"""Page weight and page speed, with one command:

    .venv/bin/python -m benchmarks.pages.run

Seeds a separate PostgreSQL database with a council-sized service, serves the portal with
production settings from several workers (uvicorn for ASGI, then gunicorn for WSGI), counts
each page's queries, loads each page with wrk at 50 concurrent connections beside a bare
Django view that renders a template of the same size in the same run, and weighs each page
as Chromium fetches it on a first and a repeat visit. Every page is made afresh. Loopback only; every step has a time limit and the run stops
its servers and removes its temporary files by itself. See README.md for the figures.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATABASE = os.environ.get("BENCH_DATABASE", "portal_bench_pages")
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
HOST = "127.0.0.1"
UVICORN = str(Path(sys.executable).with_name("uvicorn"))
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
WRK = shutil.which("wrk") or "/usr/bin/wrk"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Issue 13: every page made afresh, as fast as this. CPU is the server's per request under
# the flat-out load; each page also has a limit of its own (Page.cpu_ms).
TARGETS = {
    "first_visit_kb": 50,
    "repeat_visit_kb": 30,
    "p95_ms": 100,
    "cpu_times_bare": 8,
    "queries": 12,
}


@dataclass(frozen=True)
class Page:
    """A page to measure: a name, a slug for its bare twin, and each person's own path.

    ``text`` must appear on the page, so a benchmark of a sign-in redirect cannot pass.
    Both are given the ``Person`` who asks for the page.
    """

    name: str
    slug: str
    path: Callable[[Person], str]
    text: Callable[[Person], str]
    cpu_ms: float = 10


@dataclass(frozen=True)
class Person:
    """A parent in the load: the mum of the n-th family, in her own signed-in session."""

    number: int
    user: object
    cookie: str
    conversation_id: int
    other_parent: object
    resource_url: str


# One line per page. Each simulated person asks for her own family's page.
PAGES = [
    Page(
        "parent dashboard",
        "dashboard",
        lambda person: "/dashboard/",
        lambda person: f"The Bench family {person.number}<",
    ),
    Page(
        "plan page",
        "plan",
        lambda person: "/plans/",
        lambda person: "Get the children to school on time (16)",
        cpu_ms=20,
    ),
    Page(
        "conversation",
        "conversation",
        lambda person: f"/messages/{person.conversation_id}/",
        # Not a message's words: after runs with --keep-db the dads' notes fill the page.
        lambda person: "Messages with your key worker",
    ),
    Page(
        "resource page",
        "resource",
        lambda person: person.resource_url,
        lambda person: "Teenagers often talk more when you are side by side",
    ),
]


# Steps -----------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def production_env(static_root: Path, template_dir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.pages.settings",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        DATABASE_URL=f"{POSTGRES}/{DATABASE}",
        REDIS_URL=REDIS_URL,
        ALLOWED_HOSTS=HOST,
        LOG_LEVEL="WARNING",
        # The dads' messages would email the mums who are away; nothing listens on port 25.
        EMAIL_URL="dummymail://",
        BENCH_STATIC_ROOT=str(static_root),
        BENCH_TEMPLATE_DIR=str(template_dir),
    )
    return env


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')


def prepare_django(*, families: int, keep_db: bool):
    """Migrate, seed and collect static files in this process; returns the World."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from benchmarks.pages import seed

    if not keep_db:
        log(f"Creating the database {DATABASE}")
        recreate_database()
        log("Migrating")
        call_command("migrate", verbosity=0, interactive=False)
        log(f"Seeding {families} families")
        started = time.monotonic()
        world = seed.seed(families=families)
        log(f"Seeded {world.counts} in {time.monotonic() - started:.1f}s")
    else:
        world = existing_world(families)
    analyze()
    log("Collecting static files (hashed, compressed)")
    call_command("collectstatic", verbosity=0, interactive=False)
    connections.close_all()
    return world


def analyze() -> None:
    """Give PostgreSQL its statistics of the seeded tables, as autovacuum would have on a
    council's server long before a thousand families were on it. Without them (autovacuum
    is off on some machines, this one among them) the planner guesses, and the dashboard's
    steps-due query walked 40,000 index entries twenty times: 11 ms of the database's CPU
    on every dashboard."""
    from django.db import connection

    log("Analysing the tables (PostgreSQL's statistics)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def existing_world(families: int):
    from benchmarks.pages.seed import World
    from chat.models import Message
    from content.models import ResourcePage
    from plans.models import Goal
    from portal.models import Family

    world = World(families_wanted=families)
    world.resources = list(ResourcePage.objects.live().order_by("id"))
    world.counts["families"] = Family.objects.count()
    world.counts["plan goals"] = Goal.objects.count()
    world.counts["messages"] = Message.objects.count()
    world.counts["resource pages"] = len(world.resources)
    return world


def people(count: int, resource_url: str) -> list[Person]:
    """The mums of the first ``count`` families, each signed in in a session of her own."""
    from django.contrib.auth import get_user_model

    from chat.models import Conversation
    from portal.models import Family

    found = []
    for number in range(1, count + 1):
        family = Family.objects.get(reference=f"EH-{number:05d}")
        mum = get_user_model().objects.get(email=f"parent{number}@bench.example.org")
        dad = get_user_model().objects.get(email=f"dad{number}@bench.example.org")
        conversation = Conversation.objects.get(family=family, kind="key_worker")
        found.append(
            Person(
                number=number,
                user=mum,
                cookie=session_cookie(mum),
                conversation_id=conversation.pk,
                other_parent=dad,
                resource_url=resource_url,
            )
        )
    return found


def session_cookie(user) -> str:
    """A signed-in session for ``user``, as the Cookie header a browser would send."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    connections.close_all()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


class Server:
    """uvicorn (ASGI) or gunicorn (WSGI) with several workers, started and stopped here."""

    # Persistent connections suit a WSGI worker's long-lived threads; under ASGI every
    # request gets a new thread, so kept connections leak (see portal/settings.py).
    CONN_MAX_AGE = {"asgi": "0", "wsgi": "60"}

    def __init__(
        self,
        kind: str,
        *,
        port: int,
        workers: int,
        env: dict,
        log_dir: Path,
        threads: int = 32,
        keep_alive: int = 30,
    ):
        self.kind, self.port = kind, port
        env = dict(env, CONN_MAX_AGE=self.CONN_MAX_AGE[kind])
        if kind == "asgi":
            self.command = [
                UVICORN, "portal.asgi:application", "--host", HOST, "--port", str(port),
                "--workers", str(workers), "--interface", "asgi3", "--lifespan", "off",
                "--no-access-log", "--log-level", "warning",
            ]  # fmt: skip
        else:
            # As the README recommends for pages in production: gunicorn with threads
            # (a sync worker serves one connection at a time and needs a buffering proxy).
            # gunicorn 24 and later hold a thread on each open connection while it waits
            # for its next request, so there are threads enough for every open connection
            # (with 4, 50 people pausing between pages gave a p95 of 300 ms). Each worker
            # listens on its own socket (--reuse-port) so the kernel shares connections
            # out; on one shared socket one worker took nearly all of them.
            self.command = [
                GUNICORN, "portal.wsgi:application", "--bind", f"{HOST}:{port}",
                "--workers", str(workers), "--threads", str(threads), "--log-level", "warning",
                "--keep-alive", str(keep_alive), "--reuse-port",
                "--worker-tmp-dir", "/dev/shm",  # noqa: S108 - gunicorn makes it with mkstemp and unlinks it
            ]  # fmt: skip
        self.env = env
        self.log_path = log_dir / f"server-{kind}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> Server:
        log(f"Starting {self.kind.upper()} server: {' '.join(self.command[1:])}")
        with self.log_path.open("w") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the server did not answer /healthz in 90 s; see {self.log_path}")

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server and its workers (user and system)."""
        pids = {self.process.pid}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # the parent's pid
                pids.add(int(stat.parent.name))
        ticks = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def measure(self, url: str, **options) -> dict:
        """wrk against ``url``, with the server's CPU time per request: a figure that other
        work on the machine does not inflate the way it inflates latency."""
        before = self.cpu_seconds()
        figures = wrk(url, **options)
        used = self.cpu_seconds() - before
        figures["server_cpu_ms_per_request"] = round(1000 * used / max(figures["requests"], 1), 2)
        return figures

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # Only the process group this run started (start_new_session above).
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def people_file(folder: Path, page: Page, crowd: list[Person]) -> Path:
    """The load file for ``load.lua``: each person's cookie and her own path for ``page``."""
    path = folder / f"people-{page.slug}.tsv"
    path.write_text("".join(f"{person.cookie}\t{page.path(person)}\n" for person in crowd))
    return path


class Changes:
    """While a load runs, each person's partner (her family's dad) writes in their
    conversation with the key worker about every ``every`` seconds (in turn, evenly
    spread), through the chat's own service, so her pages change as they do in a live
    conversation: the unread count on every page and the conversation itself."""

    def __init__(self, crowd: list[Person], every: float):
        self.crowd, self.every = crowd, every
        self.sent = 0
        self.failed: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="changes", daemon=True)

    def _run(self) -> None:
        from django.db import connections

        from chat import access, services

        gap = self.every / len(self.crowd)
        turn = 0
        try:
            while not self._stop.wait(gap):
                person = self.crowd[turn % len(self.crowd)]
                turn += 1
                writer = person.other_parent
                try:
                    services.message_send(
                        access=access.conversation_for_user(writer, person.conversation_id),
                        sender=writer,
                        body=f"A note for you, number {turn}: see you on Thursday at ten.",
                        client_id=uuid.uuid4(),
                    )
                    self.sent += 1
                except Exception as error:  # reported in the results, never hidden
                    self.failed.append(repr(error))
        finally:
            connections.close_all()

    def __enter__(self) -> Changes:
        if self.every > 0:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def figures(self, seconds: int) -> dict:
        return {
            "every_seconds_per_family": self.every,
            "messages_sent": self.sent,
            "per_second": round(self.sent / seconds, 2),
            "failed": self.failed[:5],
        }


def fetch(url: str, cookie: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.read()


def check_page(server: Server, path: str, cookie: str, text: str) -> bytes:
    status, body = fetch(server.url + path, cookie)
    if status != 200 or text.encode() not in body:
        raise RuntimeError(f"{path} answered {status} without {text!r}: not the signed-in page")
    return body


def count_queries(path: str, cookie: str) -> int:
    """The queries one request for ``path`` makes, in this process (the second request, so
    nothing made once per process counts)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    name, value = cookie.split("=", 1)
    client = Client(HTTP_HOST=HOST)
    client.cookies[name] = value
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return len(queries)


def write_bare_template(template_dir: Path, slug: str, body: bytes) -> None:
    """The page's own HTML as static text: the same size, with nothing to look up."""
    folder = template_dir / "bare"
    folder.mkdir(parents=True, exist_ok=True)
    html = body.decode()
    (folder / f"{slug}.html").write_text("{% verbatim %}" + html + "{% endverbatim %}")


def wrk(
    url: str, *, people: Path | None = None, connections: int, seconds: int, think_ms: int = 0
) -> dict:
    """wrk at ``url``; with ``people`` (a file from ``people_file``), each request is the
    next person's own page in her own session instead."""
    env = dict(os.environ, BENCH_PEOPLE=str(people or ""), BENCH_THINK_MS=str(think_ms))
    command = [
        WRK,
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(HERE / "load.lua"),
        url,
    ]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("{"))
    figures = json.loads(line)
    figures["p95_ms"] = round(figures["p95_us"] / 1000, 1)
    figures["p50_ms"] = round(figures["p50_us"] / 1000, 1)
    figures["p99_ms"] = round(figures["p99_us"] / 1000, 1)
    return figures


def weigh(server: Server, path: str, cookie: str) -> dict:
    """Bytes over the wire (compressed, with headers) on a first and a repeat visit."""
    from playwright.sync_api import sync_playwright

    name, value = cookie.split("=", 1)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                base_url=server.url, viewport={"width": 360, "height": 740}
            )
            context.add_cookies([{"name": name, "value": value, "url": server.url}])
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            seen: dict[str, dict] = {}

            def on_response(event):
                response = event["response"]
                headers = {k.lower(): v for k, v in response["headers"].items()}
                seen.setdefault(event["requestId"], {}).update(
                    url=response["url"].removeprefix(server.url),
                    status=response["status"],
                    encoding=headers.get("content-encoding", ""),
                    cache_control=headers.get("cache-control", ""),
                    from_cache=bool(
                        response.get("fromDiskCache") or response.get("fromPrefetchCache")
                    ),
                )

            def on_finished(event):
                seen.setdefault(event["requestId"], {})["bytes"] = int(event["encodedDataLength"])

            def on_cached(event):
                seen.setdefault(event["requestId"], {})["from_cache"] = True

            cdp.on("Network.responseReceived", on_response)
            cdp.on("Network.loadingFinished", on_finished)
            cdp.on("Network.requestServedFromCache", on_cached)

            visits = {}
            for visit in ("first", "repeat"):
                seen.clear()
                page.goto(path, wait_until="networkidle")
                resources = [r for r in seen.values() if "url" in r]
                visits[visit] = {
                    "bytes": sum(r.get("bytes", 0) for r in resources),
                    "requests": len(resources),
                    "resources": sorted(resources, key=lambda r: -r.get("bytes", 0)),
                }
            return visits
        finally:
            browser.close()


# The run ---------------------------------------------------------------------------------


def run(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    static_root, template_dir = work / "static", work / "templates"
    template_dir.mkdir()
    env = production_env(static_root, template_dir)
    os.environ.update(env)
    results: dict = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"cpus": os.cpu_count()},
        "settings": {
            "conn_max_age": Server.CONN_MAX_AGE,
            "workers": args.workers,
            "connections": args.connections,
            "seconds": args.seconds,
            "think_ms_for_users": args.think_ms,
            "message_into_each_family_every_s": args.change_every,
            "wsgi_threads": args.wsgi_threads,
        },
        "targets": TARGETS,
        "pages": {},
    }
    try:
        world = prepare_django(families=args.families, keep_db=args.keep_db)
        from django.conf import settings

        # Of each WSGI worker's threads, how many run Django at once (portal.serving).
        results["settings"]["page_worker_concurrency"] = settings.PAGE_WORKER_CONCURRENCY
        results["data"] = {
            kind: world.counts.get(kind, "not seeded yet (its app has not landed)")
            for kind in seed_targets()
        } | {k: v for k, v in world.counts.items() if k not in seed_targets()}
        crowd = people(args.connections, world.resources[0].url)
        results["people"] = len(crowd)
        for page in PAGES:
            results["pages"][page.name] = {
                "path": page.path(crowd[0]),
                "cpu_target_ms": page.cpu_ms,
                # Asked again of a page already seen: the conversation is then read.
                "queries": count_queries(page.path(crowd[0]), crowd[0].cookie),
            }
        kinds = ("asgi",) if args.asgi_only else ("wsgi",) if args.wsgi_only else ("asgi", "wsgi")
        for server_kind in kinds:
            port = args.port + (0 if server_kind == "asgi" else 1)
            with Server(
                server_kind,
                port=port,
                workers=args.workers,
                env=env,
                log_dir=RESULTS,
                threads=args.wsgi_threads,
                keep_alive=args.wsgi_keep_alive,
            ) as server:
                for page in PAGES:
                    first = crowd[0]
                    path = page.path(first)
                    body = check_page(server, path, first.cookie, page.text(first))
                    for person in crowd[1:]:
                        check_page(server, page.path(person), person.cookie, page.text(person))
                    load = people_file(work, page, crowd)
                    bare_path = f"/bench/bare/{page.slug}/"
                    if server_kind == kinds[0]:
                        write_bare_template(template_dir, page.slug, body)
                    check_page(server, bare_path, "", page.text(first))
                    entry = results["pages"].setdefault(page.name, {"path": path})
                    entry["html_bytes"] = len(body)
                    if server_kind == kinds[0]:
                        log(f"Weighing {page.name} in Chromium")
                        entry["weight"] = weigh(server, path, first.cookie)
                    log(f"Warming up {server_kind.upper()} workers")
                    wrk(server.url, people=load, connections=10, seconds=2)
                    wrk(server.url + bare_path, connections=10, seconds=2)
                    log(f"Loading {page.name} and its bare twin, {args.seconds}s each")
                    with Changes(crowd, args.change_every) as changes:
                        flat_out = server.measure(
                            server.url,
                            people=load,
                            connections=args.connections,
                            seconds=args.seconds,
                        )
                    flat_out["changes"] = changes.figures(args.seconds)
                    entry[server_kind] = {
                        "page": flat_out,
                        "bare": server.measure(
                            server.url + bare_path,
                            connections=args.connections,
                            seconds=args.seconds,
                        ),
                    }
                    log(
                        f"{len(crowd)} people, one page every {args.think_ms} ms each, "
                        f"a message into each family every {args.change_every:g} s"
                    )
                    with Changes(crowd, args.change_every) as changes:
                        entry[server_kind]["users"] = server.measure(
                            server.url,
                            people=load,
                            connections=args.connections,
                            seconds=args.seconds,
                            think_ms=args.think_ms,
                        )
                    entry[server_kind]["users"]["changes"] = changes.figures(args.seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def seed_targets() -> dict:
    from benchmarks.pages.seed import TARGETS as seed_sizes

    return seed_sizes


def verdicts(results: dict) -> list[str]:
    lines = []
    for name, entry in results["pages"].items():
        weight = entry.get("weight", {})
        first_kb = weight.get("first", {}).get("bytes", 0) / 1024
        repeat_kb = weight.get("repeat", {}).get("bytes", 0) / 1024
        lines.append(f"## {name} ({entry['path']}, {entry.get('html_bytes', 0):,} bytes of HTML)")
        lines.append(
            f"first visit {first_kb:.1f} KB (target <= {TARGETS['first_visit_kb']}): "
            f"{'met' if first_kb <= TARGETS['first_visit_kb'] else 'NOT met'}"
        )
        lines.append(
            f"repeat visit {repeat_kb:.1f} KB (target <= {TARGETS['repeat_visit_kb']}): "
            f"{'met' if repeat_kb <= TARGETS['repeat_visit_kb'] else 'NOT met'}"
        )
        queries = entry.get("queries", 0)
        lines.append(
            f"queries {queries} (target <= {TARGETS['queries']}): "
            f"{'met' if queries <= TARGETS['queries'] else 'NOT met'}"
        )
        for kind in ("asgi", "wsgi"):
            if kind not in entry:
                continue
            page, bare = entry[kind]["page"], entry[kind]["bare"]
            cpu, bare_cpu = page["server_cpu_ms_per_request"], bare["server_cpu_ms_per_request"]
            times = cpu / bare_cpu if bare_cpu else 0
            target = entry.get("cpu_target_ms", 10)
            lines.append(
                f"{kind.upper()}: server CPU per request: page {cpu} ms (target <= {target}: "
                f"{'met' if cpu <= target else 'NOT met'}), bare {bare_cpu} ms, "
                f"{times:.1f} times the bare view's (target <= {TARGETS['cpu_times_bare']}: "
                f"{'met' if times <= TARGETS['cpu_times_bare'] else 'NOT met'})"
            )
            share = page["rps"] / bare["rps"] if bare["rps"] else 0
            lines.append(
                f"{kind.upper()}: flat out: page {page['rps']:.0f} req/s, p95 {page['p95_ms']} ms "
                f"(p50 {page['p50_ms']}, errors {sum(page['errors'].values())}); "
                f"bare {bare['rps']:.0f} req/s, p95 {bare['p95_ms']} ms; page/bare {share:.2f} "
                "(a saturation figure, not a target: see README)"
            )
            if "users" in entry[kind]:
                users = entry[kind]["users"]
                errors = sum(users["errors"].values())
                met = users["p95_ms"] < TARGETS["p95_ms"] and not errors
                changes = users.get("changes", {})
                lines.append(
                    f"{kind.upper()}: p95 with {results.get('people', '?')} people each "
                    f"asking every {results['settings']['think_ms_for_users']} ms, "
                    f"{changes.get('messages_sent', 0)} messages into their families: "
                    f"{users['p95_ms']} ms (p99 {users['p99_ms']}) at {users['rps']:.0f} req/s, "
                    f"{errors} errors (target < 100: {'met' if met else 'NOT met'})"
                )
    return lines


def main(argv=None) -> int:
    global DATABASE, REDIS_URL
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes of each server")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--wsgi-threads", type=int, default=32, help="threads in each gunicorn worker"
    )
    parser.add_argument(
        "--wsgi-keep-alive", type=int, default=30, help="gunicorn's --keep-alive (0: off)"
    )
    parser.add_argument("--seconds", type=int, default=8, help="length of each wrk run")
    parser.add_argument("--think-ms", type=int, default=1000)
    parser.add_argument(
        "--change-every",
        type=float,
        default=30,
        help="while people read, a message into each family about this often (s; 0: none)",
    )
    parser.add_argument("--port", type=int, default=8710)
    parser.add_argument(
        "--database", default=DATABASE, help="PostgreSQL database to drop, seed and use"
    )
    parser.add_argument("--redis-url", default=REDIS_URL, help="Redis for cache and channels")
    parser.add_argument("--keep-db", action="store_true", help="reuse the seeded database")
    parser.add_argument("--asgi-only", action="store_true", help="skip the WSGI comparison")
    parser.add_argument(
        "--wsgi-only", action="store_true", help="only the production page server (gunicorn)"
    )
    parser.add_argument(
        "--max-minutes", type=int, default=10, help="give up (and clean up) after this long"
    )
    args = parser.parse_args(argv)
    DATABASE, REDIS_URL = args.database, args.redis_url

    def give_up(signum, frame):
        raise TimeoutError(f"The benchmark ran longer than {args.max_minutes} minutes")

    RESULTS.mkdir(exist_ok=True)
    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(args.max_minutes * 60)
    try:
        results = run(args)
    finally:
        signal.alarm(0)
    out = RESULTS
    name = "latest.json"
    (out / name).write_text(json.dumps(results, indent=2))
    print()
    print("\n".join(verdicts(results)))
    print(f"\nData: {results['data']}")
    print(f"Full figures: {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
