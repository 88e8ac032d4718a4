"""What the chat tests share: sending, sockets, images, private Redis and worker processes,
and a page-like client that follows live.js's rules."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from websockets.exceptions import ConnectionClosed

from chat import services
from chat.access import socket_may_use

ROOT = Path(__file__).resolve().parents[2]


def access_for(user, conversation):
    access = socket_may_use(user, conversation)
    assert access is not None, f"{user} cannot use {conversation}"
    return access


def send(user, conversation, body="Hello", client_id=None, attachment=None):
    message, _created = services.message_send(
        access=access_for(user, conversation),
        sender=user,
        body=body,
        client_id=client_id or uuid.uuid4(),
        attachment=attachment,
    )
    return message


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def communicator(cookie: str | None, *, origin: str | None = "http://testserver"):
    from portal.asgi import application

    headers = [(b"host", b"testserver")]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie:
        headers.append((b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, "/ws/", headers=headers)


async def open_socket(cookie: str):
    socket = communicator(cookie)
    connected, code = await socket.connect(timeout=5)
    assert connected, code
    hello = await socket.receive_json_from(timeout=5)
    assert hello["type"] == "hello"
    return socket, hello


async def receive_until(socket, kind: str, wait: float = 5):
    """Receive events until one of ``kind`` arrives; return it and what came before."""
    skipped = []
    while True:
        event = await socket.receive_json_from(timeout=wait)
        if event["type"] == kind:
            return event, skipped
        skipped.append(event)


asend = database_sync_to_async(send)


async def socket_send(socket, conversation, body: str) -> None:
    """Send a text message over a test socket with a new client id."""
    await socket.send_json_to(
        {
            "type": "send",
            "conversation": conversation.pk,
            "client_id": str(uuid.uuid4()),
            "body": body,
        }
    )


def png_bytes(size=(40, 30), exif=None, text=None) -> bytes:
    from PIL import Image, PngImagePlugin

    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    info = None
    if text:
        info = PngImagePlugin.PngInfo()
        for key, value in text.items():
            info.add_text(key, value)
    image.save(out, format="PNG", exif=exif, pnginfo=info)
    return out.getvalue()


def gps_exif():
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "Editor 1.0"  # Software
    gps = {1: "N", 2: (52.0, 24.0, 30.0), 3: "W", 4: (1.0, 30.0, 15.0)}
    exif[0x8825] = gps  # GPSInfo
    return exif


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited")
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


REDIS_SERVER = "/usr/bin/redis-server"


class PrivateRedis:
    """A redis-server of the test's own on a free port, with nothing saved to disk, so a
    test can kill it and start it again empty."""

    def __init__(self):
        if not os.path.exists(REDIS_SERVER):
            pytest.fail(f"{REDIS_SERVER} is missing: apt-get install redis-server", pytrace=False)
        self.port = _free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, self.process, "redis-server", timeout=10)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class Worker:
    """One ASGI worker process (daphne or uvicorn, as the README deploys them) serving the
    portal on the test database and Redis (the suite's, or ``redis_url``)."""

    def __init__(self, port: int | None = None, *, server: str = "daphne", redis_url: str = ""):
        self.port = port or _free_port()
        self.server = server
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.chat.worker_settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": redis_url or django_settings.REDIS_URL,
            "CACHE_KEY_PREFIX": "portal",
            "DEBUG": "true",  # so WhiteNoise serves static files without collectstatic
            "LOG_LEVEL": "WARNING",
        }
        if server == "daphne":
            command = ["-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port)]
            command.append("portal.asgi:application")
        else:
            command = ["-m", "uvicorn", "portal.asgi:application", "--ws", "websockets"]
            command += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        # A file, not a pipe: a worker logging through a Redis outage would fill a pipe
        # nobody reads and stop.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, *command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        try:
            _wait_for_port(self.port, self.process, server)
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f"{exc}: {self.output()}") from None

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def kill(self) -> None:
        """Kill the process at once, as a crash or an OOM kill would."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def saved_ids(conversation) -> list[int]:
    from chat.models import Message

    return list(
        Message.objects.filter(conversation=conversation)
        .order_by("id")
        .values_list("id", flat=True)
    )


async def ws_connect(port: int, cookie: str):
    """A real websocket to a Worker, signed in; returns it after its ``hello``."""
    from websockets.asyncio.client import connect

    ws = await connect(
        f"ws://127.0.0.1:{port}/ws/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"{django_settings.SESSION_COOKIE_NAME}={cookie}"},
        open_timeout=20,
        max_size=None,
    )
    hello = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
    assert hello["type"] == "hello", hello
    return ws, hello


async def ws_until(ws, kind: str, wait: float = 20):
    """Receive events from a real websocket until one of ``kind``; it and what came before."""
    skipped = []
    while True:
        event = json.loads(await asyncio.wait_for(ws.recv(), timeout=wait))
        if event["type"] == kind:
            return event, skipped
        skipped.append(event)


class LivePage:
    """A conversation page's socket to a Worker, keeping the rules chat/static/chat/live.js
    keeps (chat/consumers.py explains them).

    ``last_id`` is the id up to which it has every message; only a message whose ``prev``
    is at or below it moves it on, and ``in_order`` records each id as it does. Any other
    message is kept in ``ahead`` and the page resumes from ``last_id``, as it does on
    ``hello`` and ``subscribed``. Unacknowledged sends wait in ``outbox`` and go again,
    with the same client id, after reconnecting. ``twice`` lists every id one socket
    delivered more than once (the server promises none, the answer to a repeated send
    aside).
    """

    def __init__(self, cookie: str, conversation_id: int):
        self.cookie = cookie
        self.conversation_id = conversation_id
        self.last_id = 0
        self.ahead: dict[int, int | None] = {}
        self.shown: set[int] = set()
        self.in_order: list[int] = []
        self.twice: list[int] = []
        self.outbox: dict[str, str] = {}
        self.acks: dict[str, asyncio.Future] = {}
        self.subscribed = 0
        self.resuming = False
        self.ws = None
        self.on_socket: set[int] = set()
        self.reader: asyncio.Task | None = None
        self.closed = asyncio.Event()
        self.changed = asyncio.Event()

    async def connect(self, port: int) -> None:
        self.ws, _hello = await ws_connect(port, self.cookie)
        self.closed.clear()
        self.on_socket = set()
        self.reader = asyncio.ensure_future(self._read(self.ws))
        await self._resume()
        for client_id, body in list(self.outbox.items()):
            await self._send_frame(client_id, body)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)

    async def send(self, body: str) -> int:
        """Send a message; its id once acknowledged (after a reconnect, if need be)."""
        client_id = str(uuid.uuid4())
        self.outbox[client_id] = body
        ack = self.acks[client_id] = asyncio.get_running_loop().create_future()
        await self._send_frame(client_id, body)
        return await asyncio.wait_for(ack, timeout=60)

    async def until(self, done, what: str, within: float = 60) -> None:
        """Wait until ``done()`` is true of this page (checked whenever an event arrives)."""
        deadline = asyncio.get_running_loop().time() + within
        while not done():
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"gave up waiting for {what}: last_id {self.last_id}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=left)

    async def _send_frame(self, client_id: str, body: str) -> None:
        frame = {"type": "send", "conversation": self.conversation_id}
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(json.dumps({**frame, "client_id": client_id, "body": body}))

    async def _resume(self) -> None:
        self.resuming = True
        frame = {"type": "resume", "conversation": self.conversation_id, "after": self.last_id}
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(json.dumps(frame))

    async def _read(self, ws) -> None:
        try:
            async for raw in ws:
                await self._handle(json.loads(raw))
                self.changed.set()
        except ConnectionClosed:
            pass
        finally:
            if ws is self.ws:
                self.resuming = False
                self.closed.set()
                self.changed.set()

    async def _handle(self, event: dict) -> None:
        kind = event["type"]
        if kind == "message" and event["message"]["conversation"] == self.conversation_id:
            await self._arrived(event["message"]["id"], event["message"]["prev"])
        elif kind == "sent":
            self.outbox.pop(event["client_id"], None)
            # A repeated send is answered with the message it made, whether or not this
            # socket has had it; anything else comes once.
            await self._arrived(event["id"], event["message"]["prev"], once=not event["duplicate"])
            ack = self.acks.pop(event["client_id"], None)
            if ack is not None and not ack.done():
                ack.set_result(event["id"])
        elif kind == "error":
            # Nothing here should be refused: fail the sends waiting rather than hang.
            self.outbox.pop(event.get("client_id"), None)
            refused = (
                [self.acks.pop(event["client_id"])]
                if event.get("client_id") in self.acks
                else list(self.acks.values())
            )
            for ack in refused:
                if not ack.done():
                    ack.set_exception(AssertionError(event))
        elif kind == "resumed" and event["conversation"] == self.conversation_id:
            self.resuming = False
            # This socket has now been sent every message up to "last".
            self.in_order += sorted(i for i in self.shown if self.last_id < i <= event["last"])
            self.last_id = max(self.last_id, event["last"])
            self._catch_up()
            if event["more"] or self.ahead:
                await self._resume()
        elif kind == "subscribed":
            self.subscribed += 1
            await self._resume()

    async def _arrived(self, message_id: int, prev: int | None, once: bool = True) -> None:
        if once:
            if message_id in self.on_socket:
                self.twice.append(message_id)
            self.on_socket.add(message_id)
        self.shown.add(message_id)
        if message_id <= self.last_id:
            return
        if prev is not None and prev <= self.last_id:
            self.in_order.append(message_id)
            self.last_id = message_id
            self._catch_up()
            return
        self.ahead[message_id] = prev
        if not self.resuming:
            await self._resume()

    def _catch_up(self) -> None:
        while True:
            for message_id in [i for i in self.ahead if i <= self.last_id]:
                del self.ahead[message_id]
            ready = [
                i for i, prev in self.ahead.items() if prev is not None and prev <= self.last_id
            ]
            if not ready:
                return
            message_id = min(ready)
            del self.ahead[message_id]
            self.in_order.append(message_id)
            self.last_id = message_id


class FlakyLayer(InMemoryChannelLayer):
    """The in-memory layer, made to fail like Redis going away while ``down`` (chat.live
    watches every layer but the plain in-memory one)."""

    down = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.refused = asyncio.Event()

    def _refuse_while_down(self) -> None:
        if self.down:
            self.refused.set()
            raise OSError("the channel layer is down")

    async def send(self, channel, message):
        self._refuse_while_down()
        await super().send(channel, message)

    async def group_send(self, group, message):
        self._refuse_while_down()
        await super().group_send(group, message)


class BrokenMailBackend:
    """An email backend whose mail server is always down; counts the attempts."""

    attempts = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        type(self).attempts += 1
        raise ConnectionRefusedError("the mail server is down")


BROKEN_MAIL = "tests.helpers.chat.BrokenMailBackend"
