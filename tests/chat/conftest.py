"""Fixtures for the chat tests: conversations, sockets with real sessions."""

from __future__ import annotations

import asyncio
import inspect
import io
import os
import socket
import subprocess
import sys
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

from chat import services
from chat.access import socket_may_use
from portal.models import StaffProfile
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _chat_isolated(request, settings, tmp_path):
    from chat import sending

    settings.CHAT_ATTACHMENT_ROOT = tmp_path / "private"
    settings.CHAT_SEND_RATE = (1000, 60)
    if inspect.iscoroutinefunction(request.function):
        request.getfixturevalue("_chat_settled")
    yield
    # Each test has its own event loop; its sockets' PostgreSQL connections end with it.
    sending.connections_close()


@pytest.fixture
async def _chat_settled():
    """Before the database is flushed, let work a send started in the background finish
    (it runs in a database thread; a flush under it deadlocks or waits for ever)."""
    from chat import sending

    yield
    await sending.settle()


@pytest.fixture
def conversation(family, parent, key_worker):
    return services.conversation_key_worker_ensure(family=family)


@pytest.fixture
def mentor(db):
    """A vetted peer mentor whose own family has left the service."""
    from portal import services as portal_services

    return portal_services.user_create(
        email="jo.mentor@example.org", password=factories.PASSWORD, preferred_name="Jo"
    )


@pytest.fixture
def mentor_with_family(db):
    """A peer mentor who is still in their own family (a parent who became a mentor)."""
    other = factories.family(key_worker=factories.staff(StaffProfile.Role.KEY_WORKER))
    return factories.parent(other, name="Tunde")


@pytest.fixture
def mentor_conversation(family, parent, mentor):
    return services.conversation_mentor_open(family=family, mentor=mentor, match_id=77)


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


class Worker:
    """One daphne process serving the portal on the test database and Redis."""

    def __init__(self, port: int | None = None):
        self.port = port or _free_port()
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": django_settings.REDIS_URL,
            "CACHE_KEY_PREFIX": "portal",
            "DEBUG": "true",  # so WhiteNoise serves static files without collectstatic
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "portal.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode()[-2000:])
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("daphne did not start")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# A channel layer that fails on demand ------------------------------------------------------


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
