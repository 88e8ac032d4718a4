"""Chat benchmark: one command, loopback only, stops by itself.

    .venv/bin/python benchmarks/chat/run.py

It makes a fresh PostgreSQL database, empties its Redis database, migrates, creates the
people and conversations through the portal's services with ready-made sessions, starts
two ASGI worker processes on the Redis pub/sub channel layer, opens every person's socket
(spread over both workers, so most messages cross from one worker to the other), and
then measures, in this order:

1. memory per idle socket (worker RSS before and after the sockets open);
2. the bare relay (no auth, no database) at the target rate, then flat out;
3. the chat at the target rate: send-to-delivery latency and loss;
4. the chat flat out: persisted messages per second and loss.

Latency is from the moment the sender's frame goes out to the moment each recipient's
socket receives the message, measured with one clock (everything runs on this machine).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvloop

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "portal_chat"))
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/8")
    )
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="uvicorn")
    parser.add_argument("--key-workers", type=int, default=50)
    parser.add_argument("--group-families", type=int, default=160, help="two parents each")
    parser.add_argument("--pair-families", type=int, default=130, help="one parent each")
    parser.add_argument("--rate", type=float, default=400.0, help="sends per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the rate phases")
    parser.add_argument("--flood-seconds", type=float, default=15.0)
    parser.add_argument("--lanes", type=int, default=250, help="sends in flight when flat out")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


# Set-up ------------------------------------------------------------------------------------


def fresh_database(args) -> str:
    import psycopg

    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    return f"{args.postgres}/{args.database}"


def empty_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


def worker_env(database_url: str, redis_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.chat.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "bench",
        "CHANNEL_PREFIX": "bench",
        "CONN_MAX_AGE": "0",  # as on production ASGI workers (see ../pages/README.md)
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def migrate(env: dict) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def seed(args) -> tuple[list[tuple[int, list[int]]], dict[int, str]]:
    """People, families and conversations through the services; sessions made directly."""
    import django

    django.setup()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    from chat.models import Conversation
    from portal import services
    from portal.models import Family, FamilyMember, StaffProfile

    key_workers = []
    for n in range(args.key_workers):
        worker = services.staff_create(
            email=f"kw{n}@bench.example",
            password=None,
            first_name="Key",
            last_name=f"Worker{n}",
            role=StaffProfile.Role.KEY_WORKER,
        )
        TOTP.activate(worker, generate_totp_secret())
        key_workers.append(worker)
    users = list(key_workers)
    for n in range(args.group_families + args.pair_families):
        family = services.family_create(
            display_name=f"Bench family {n}",
            lead_key_worker=key_workers[n % len(key_workers)],
            status=Family.Status.ACTIVE,
        )
        parents = 2 if n < args.group_families else 1
        for p in range(parents):
            user = services.user_create(
                email=f"p{n}-{p}@bench.example", password=None, preferred_name=f"Parent {n}-{p}"
            )
            services.family_member_add(
                family=family,
                name=f"Parent {n}-{p}",
                relationship=FamilyMember.Relationship.MUM
                if p == 0
                else FamilyMember.Relationship.DAD,
                user=user,
            )
            users.append(user)
    # Every adult also has a private conversation with the key worker (chat.services makes
    # one as they join), so private conversations are in the mix, one per parent.
    conversations = []
    for conversation in Conversation.objects.prefetch_related("participants"):
        members = [p.user_id for p in conversation.participants.all() if p.left_at is None]
        conversations.append((conversation.pk, members))
    sessions = {}
    for user in users:
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
        store["_auth_user_hash"] = user.get_session_auth_hash()
        # The steps allauth records for a sign-in with a code from the authenticator app:
        # staff sockets need this session to have passed two-step sign-in.
        now = time.time()
        store["account_authentication_methods"] = [
            {"method": "password", "at": now, "email": user.email},
            {"method": "mfa", "at": now, "type": "totp"},
        ]
        store["account_authentication_methods_user"] = str(user.pk)
        store.create()
        sessions[user.pk] = store.session_key
    # PostgreSQL's statistics of the new tables, as autovacuum would keep them on a live
    # server (it is off on some machines): without them the planner only guesses.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        # The seeding's writes go to disk now, and the next timed checkpoint is minutes
        # away: one whose flush fell inside a phase stalled every commit (a p99 of 170 ms).
        cursor.execute("CHECKPOINT")
    return conversations, sessions


def message_count() -> int:
    from chat.models import Message

    return Message.objects.count()


class Worker:
    def __init__(self, server: str, port: int, env: dict):
        self.port = port
        if server == "daphne":
            command = [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
        else:
            command = [
                PYTHON, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
                "--ws", "websockets", "--log-level", "warning", "--no-access-log",
                "--lifespan", "off",
            ]  # fmt: skip
        self.process = subprocess.Popen(
            [*command, "benchmarks.chat.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_ready(self, timeout=60):
        import socket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode()[-3000:])
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"worker on {self.port} did not start")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


# Driving -----------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    sent: int = 0
    acked: int = 0
    errors: dict = field(default_factory=dict)
    latencies: list = field(default_factory=list)
    sent_at: list = field(default_factory=list)  # beside each latency, when it was sent
    expected: dict = field(default_factory=dict)  # seq -> set of recipients still to receive
    duplicates: int = 0
    started: float = 0.0
    last_send: float = 0.0
    last_ack: float = 0.0
    last_delivery: float = 0.0
    done: dict = field(default_factory=dict)  # seq -> future set when all recipients have it

    @property
    def missing(self) -> int:
        return sum(len(left) for left in self.expected.values())

    @property
    def delivered(self) -> int:
        return len(self.latencies)

    def percentiles(self) -> dict:
        if not self.latencies:
            return {"p50": None, "p95": None, "p99": None}
        ordered = sorted(self.latencies)
        cut = statistics.quantiles(ordered, n=100, method="inclusive")
        return {"p50": cut[49], "p95": cut[94], "p99": cut[98], "max": ordered[-1]}

    def slowest_bursts(self) -> dict:
        """Whether the slowest hundredth came spread out or in a few bursts: how many
        tenths of a second (by send time) hold it, and the most in any one."""
        if len(self.latencies) < 100:
            return {}
        ranked = sorted(zip(self.latencies, self.sent_at, strict=True), reverse=True)
        slowest = ranked[: len(ranked) // 100]
        tenths: dict[int, int] = {}
        for _latency, sent_at in slowest:
            tenth = int((sent_at - self.started) * 10)
            tenths[tenth] = tenths.get(tenth, 0) + 1
        worst = max(tenths, key=tenths.get)
        at = self.started + worst / 10
        return {
            "slowest_hundredth": len(slowest),
            "in_tenths_of_a_second": len(tenths),
            "most_in_one_tenth": tenths[worst],
            "that_tenth_starts_s": round(worst / 10, 1),
            # The wall clock, to find the same moment in PostgreSQL's log or a probe's.
            "that_tenth_starts_at": time.strftime("%H:%M:%S", time.gmtime(at))
            + f".{int(at % 1 * 10)}",
        }


@contextmanager
def driver_never_collects():
    """No garbage collection in this process while a phase is timed. A full collection
    of the driver's heap (500 sockets, every phase's records) took 126 ms and showed as
    the server's latency: a fifth of the chat's slowest hundredth in one pause."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Socket:
    def __init__(self, user_id: int, ws, kind: str):
        self.user_id = user_id
        self.ws = ws
        self.kind = kind
        self.pending: dict[str, asyncio.Future] = {}


class Driver:
    def __init__(self, conversations, sessions, ports):
        self.conversations = conversations
        self.sessions = sessions
        self.ports = ports
        self.phase: Phase | None = None
        self.seq = 0
        self.chat: dict[int, Socket] = {}
        self.relay: dict[int, Socket] = {}
        self.readers: list[asyncio.Task] = []

    def port_for(self, user_id: int) -> int:
        return self.ports[user_id % len(self.ports)]

    async def open(self, kind: str):
        from websockets.asyncio.client import connect

        limit = asyncio.Semaphore(40)
        target = self.chat if kind == "chat" else self.relay

        async def one(user_id):
            port = self.port_for(user_id)
            async with limit:
                if kind == "chat":
                    ws = await connect(
                        f"ws://127.0.0.1:{port}/ws/",
                        origin=f"http://127.0.0.1:{port}",
                        additional_headers={"Cookie": f"sessionid={self.sessions[user_id]}"},
                        compression=None,
                        ping_interval=None,
                        max_queue=None,
                        open_timeout=60,
                    )
                    hello = json.loads(await ws.recv())
                    assert hello["type"] == "hello", hello
                else:
                    ws = await connect(
                        f"ws://127.0.0.1:{port}/relay/?id={user_id}",
                        compression=None,
                        ping_interval=None,
                        max_queue=None,
                        open_timeout=60,
                    )
            sock = Socket(user_id, ws, kind)
            target[user_id] = sock
            self.readers.append(asyncio.create_task(self.read(sock)))

        await asyncio.gather(*(one(uid) for uid in self.sessions))

    async def close(self, kind: str):
        target = self.chat if kind == "chat" else self.relay
        await asyncio.gather(*(s.ws.close() for s in target.values()), return_exceptions=True)
        target.clear()

    async def read(self, sock: Socket):
        try:
            async for raw in sock.ws:
                now = time.time()
                event = json.loads(raw)
                phase = self.phase
                if sock.kind == "relay":
                    self.received(phase, event["s"], sock.user_id, event["t"], now)
                    continue
                kind = event["type"]
                if kind == "message":
                    message = event["message"]
                    if message["sender"] == sock.user_id:
                        continue
                    _word, seq, sent_at = message["html"].split(" ")
                    self.received(phase, int(seq), sock.user_id, float(sent_at), now)
                elif kind == "sent":
                    future = sock.pending.pop(event["client_id"], None)
                    if phase is not None:
                        phase.acked += 1
                        phase.last_ack = now
                    if future and not future.done():
                        future.set_result(event["id"])
                elif kind == "error" and phase is not None:
                    phase.errors[event["code"]] = phase.errors.get(event["code"], 0) + 1
                    future = sock.pending.pop(event.get("client_id", ""), None)
                    if future and not future.done():
                        future.set_exception(RuntimeError(event["code"]))
        except Exception:  # noqa: S110 - the socket closed at the end of a phase
            pass

    def received(self, phase: Phase | None, seq: int, user_id: int, sent_at: float, now: float):
        if phase is None:
            return
        left = phase.expected.get(seq)
        if left is None or user_id not in left:
            phase.duplicates += 1 if left is not None else 0
            return
        left.discard(user_id)
        phase.latencies.append((now - sent_at) * 1000)
        phase.sent_at.append(sent_at)
        phase.last_delivery = now
        if not left:
            future = phase.done.pop(seq, None)
            if future is not None and not future.done():
                future.set_result(True)

    async def send_one(self, kind: str, wait_ack: bool = False):
        conversation_id, members = random.choice(self.conversations)
        sender = random.choice(members)
        others = [m for m in members if m != sender]
        self.seq += 1
        seq = self.seq
        phase = self.phase
        phase.expected[seq] = set(others)
        now = time.time()
        if kind == "relay":
            frame = json.dumps({"to": others, "s": seq, "t": now})
            future = asyncio.get_running_loop().create_future() if wait_ack else None
            if future is not None:
                phase.done[seq] = future
            await self.relay[sender].ws.send(frame)
            phase.sent += 1
            phase.last_send = now
            if future is not None:
                await asyncio.wait_for(future, timeout=30)
            return
        sock = self.chat[sender]
        client_id = str(uuid.uuid4())
        future = asyncio.get_running_loop().create_future() if wait_ack else None
        delivered = asyncio.get_running_loop().create_future() if wait_ack else None
        if future is not None:
            sock.pending[client_id] = future
            phase.done[seq] = delivered
        frame = json.dumps(
            {
                "type": "send",
                "conversation": conversation_id,
                "client_id": client_id,
                "body": f"bench {seq} {now:.6f}",
            }
        )
        await sock.ws.send(frame)
        phase.sent += 1
        phase.last_send = now
        if future is not None:
            # Saved (acknowledged) and in every recipient's hands, as the relay lanes wait.
            await asyncio.wait_for(asyncio.gather(future, delivered), timeout=30)

    async def at_rate(
        self, name: str, kind: str, rate: float, seconds: float, warm_up: float = 2.0
    ) -> Phase:
        if warm_up:
            # Unmeasured: each worker opens its database connections and prepares its
            # statement on its first sends (40 to 60 ms), once in a worker's life.
            print(f"Warm-up: {name} at {rate:.0f} sends/s for {warm_up:.0f} s", flush=True)
            await self.at_rate(f"{name} warm-up", kind, rate, warm_up, warm_up=0)
        print(f"Phase: {name} at {rate:.0f} sends/s for {seconds:.0f} s", flush=True)
        with driver_never_collects():
            return await self._at_rate(name, kind, rate, seconds)

    async def _at_rate(self, name: str, kind: str, rate: float, seconds: float) -> Phase:
        self.phase = phase = Phase(name)
        phase.started = start = time.time()
        while True:
            elapsed = time.time() - start
            if elapsed >= seconds:
                break
            due = int(elapsed * rate) - phase.sent
            for _ in range(due):
                await self.send_one(kind)
            await asyncio.sleep(0.002)
        await self.drain(phase)
        return phase

    async def flat_out(self, name: str, kind: str, seconds: float, lanes: int) -> Phase:
        print(f"Phase: {name}, {lanes} lanes for {seconds:.0f} s", flush=True)
        with driver_never_collects():
            return await self._flat_out(name, kind, seconds, lanes)

    async def _flat_out(self, name: str, kind: str, seconds: float, lanes: int) -> Phase:
        self.phase = phase = Phase(name)
        phase.started = time.time()
        deadline = phase.started + seconds

        async def lane():
            # Each lane keeps one message in flight: the next goes when the message has
            # reached every recipient (and, for the chat, the sender has the
            # acknowledgement that it is saved).
            while time.time() < deadline:
                try:
                    await self.send_one(kind, wait_ack=True)
                except (RuntimeError, TimeoutError):
                    await asyncio.sleep(0.05)

        await asyncio.gather(*(lane() for _ in range(lanes)))
        await self.drain(phase)
        return phase

    async def drain(self, phase: Phase, quiet: float = 2.0, limit: float = 30.0):
        """Wait until every expected delivery arrived, or nothing moved for ``quiet`` s."""
        start = time.time()
        last_missing, last_change = phase.missing, time.time()
        while phase.missing and time.time() - start < limit:
            await asyncio.sleep(0.1)
            if phase.missing != last_missing:
                last_missing, last_change = phase.missing, time.time()
            elif time.time() - last_change > quiet:
                break


def summary(phase: Phase, seconds: float | None = None) -> dict:
    result = {
        "sent": phase.sent,
        "expected_deliveries": phase.sent and phase.delivered + phase.missing,
        "delivered": phase.delivered,
        "lost": phase.missing,
        "duplicates": phase.duplicates,
        "errors": phase.errors,
        **{k: round(v, 2) if v is not None else None for k, v in phase.percentiles().items()},
        "slowest_bursts": phase.slowest_bursts(),
    }
    if seconds:
        result["sends_per_s"] = round(phase.sent / seconds, 1)
    return result


def cpu_per_message(workers, before: float, phase: Phase) -> float:
    """Worker CPU (both processes, milliseconds) per message sent in a phase."""
    used = sum(w.cpu_seconds() for w in workers) - before
    return round(used * 1000 / max(phase.sent, 1), 3)


async def drive(args, conversations, sessions, workers) -> dict:
    driver = Driver(conversations, sessions, [w.port for w in workers])
    results: dict = {}

    def cpu():
        return sum(w.cpu_seconds() for w in workers)

    # Warm both workers (imports, first connections) before measuring memory.
    warm = list(sessions)[:4]
    saved = driver.sessions
    driver.sessions = {uid: sessions[uid] for uid in warm}
    await driver.open("chat")
    await driver.close("chat")
    driver.sessions = saved
    await asyncio.sleep(1)

    before = [w.rss_mb() for w in workers]
    started = time.time()
    await driver.open("chat")
    opened = time.time() - started
    await asyncio.sleep(3)
    after = [w.rss_mb() for w in workers]
    sockets = len(driver.chat)
    results["sockets"] = sockets
    results["open_seconds"] = round(opened, 2)
    results["rss_mb_before"] = [round(x, 1) for x in before]
    results["rss_mb_after"] = [round(x, 1) for x in after]
    results["kb_per_idle_socket"] = round((sum(after) - sum(before)) * 1024 / sockets, 1)

    await driver.open("relay")
    await asyncio.sleep(1)
    cpu_before = cpu()
    relay = await driver.at_rate("relay", "relay", args.rate, args.seconds)
    results["relay_at_rate"] = summary(relay, args.seconds)
    results["relay_at_rate"]["worker_cpu_ms_per_send"] = cpu_per_message(workers, cpu_before, relay)
    await driver.close("relay")
    await asyncio.sleep(2)

    cpu_before = cpu()
    chat = await driver.at_rate("chat", "chat", args.rate, args.seconds)
    results["chat_at_rate"] = summary(chat, args.seconds)
    results["chat_at_rate"]["worker_cpu_ms_per_send"] = cpu_per_message(workers, cpu_before, chat)

    count_before = await asyncio.to_thread(message_count)
    cpu_before = cpu()
    flood = await driver.flat_out("chat flat out", "chat", args.flood_seconds, args.lanes)
    count_after = await asyncio.to_thread(message_count)
    span = max(flood.last_ack - flood.started, 1e-6)
    persisted = count_after - count_before
    results["chat_flat_out"] = {
        **summary(flood),
        "acked": flood.acked,
        "persisted": persisted,
        "persisted_per_s": round(persisted / span, 1),
        "worker_cpu_ms_per_send": cpu_per_message(workers, cpu_before, flood),
        "seconds": round(span, 2),
    }
    await driver.close("chat")
    await asyncio.sleep(2)

    await driver.open("relay")
    cpu_before = cpu()
    relay_flat = await driver.flat_out("relay flat out", "relay", 5.0, args.lanes)
    span = max(relay_flat.last_delivery - relay_flat.started, 1e-6)
    results["relay_flat_out"] = {
        **summary(relay_flat),
        "delivered_per_s": round(relay_flat.delivered / span, 1),
        "sends_per_s": round(relay_flat.sent / span, 1),
        "worker_cpu_ms_per_send": cpu_per_message(workers, cpu_before, relay_flat),
    }
    await driver.close("relay")
    for task in driver.readers:
        task.cancel()
    return results


def main() -> int:
    args = parse_args()
    random.seed(args.seed)
    total_start = time.time()
    database_url = fresh_database(args)
    empty_redis(args.redis)
    env = worker_env(database_url, args.redis)
    print(f"Fresh database {args.database}; migrating...", flush=True)
    migrate(env)
    # The driver itself only needs the database: no Redis layer or cache in this process.
    os.environ.update({k: v for k, v in env.items() if k not in {"REDIS_URL"}})
    os.environ["REDIS_URL"] = ""
    sys.path.insert(0, str(ROOT))
    started = time.time()
    conversations, sessions = seed(args)
    sizes = [len(m) for _c, m in conversations]
    print(
        f"Seeded {len(sessions)} people, {len(conversations)} conversations "
        f"({sizes.count(2)} one-to-one, {len(sizes) - sizes.count(2)} groups) "
        f"in {time.time() - started:.1f} s",
        flush=True,
    )
    workers = [Worker(args.server, port, env) for port in (18761, 18762)]
    try:
        for worker in workers:
            worker.wait_ready()
        print(f"Two {args.server} workers up; driving...", flush=True)
        # The driver runs on uvloop too, as the workers do: its own queueing (500 sockets,
        # every send, acknowledgement and delivery on one loop) is measured as latency.
        results = uvloop.run(drive(args, conversations, sessions, workers))
    finally:
        for worker in workers:
            worker.stop()
    results.update(
        {
            "server": args.server,
            "rate": args.rate,
            "people": len(sessions),
            "conversations": len(conversations),
            "total_seconds": round(time.time() - total_start, 1),
            "load_average_at_end": os.getloadavg(),
        }
    )
    relay_p99 = results["relay_at_rate"]["p99"]
    chat = results["chat_at_rate"]
    flood = results["chat_flat_out"]
    checks = {
        "chat p99 <= 3 x relay p99 at rate": chat["p99"] is not None
        and relay_p99 is not None
        and chat["p99"] <= 3 * relay_p99,
        "no loss at rate": chat["lost"] == 0 and chat["duplicates"] == 0 and not chat["errors"],
        # Issue 13's targets are ratios in the same run: machines differ threefold in speed.
        "flat-out persisted messages/s >= 0.75 x relay flat-out sends/s": flood["persisted_per_s"]
        >= 0.75 * results["relay_flat_out"]["sends_per_s"],
        "no loss flat out": flood["lost"] == 0
        and flood["persisted"] == flood["acked"]
        and flood["duplicates"] == 0,
    }
    results["checks"] = checks
    print(json.dumps(results, indent=2))
    (Path(__file__).parent / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
