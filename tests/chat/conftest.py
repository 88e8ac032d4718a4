"""Fixtures for the chat tests: conversations and mentors (helpers: tests/helpers/chat.py)."""

from __future__ import annotations

import inspect

import pytest

from chat import services
from portal.models import StaffProfile
from tests import factories
from tests.helpers.chat import PrivateRedis, Worker


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


@pytest.fixture
def dad(family):
    """A second adult in the family, in its key worker conversation too."""
    from portal.models import FamilyMember

    return factories.parent(family, name="Imran", relationship=FamilyMember.Relationship.DAD)


@pytest.fixture
def redis_server():
    """A private redis-server, running (see PrivateRedis)."""
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.kill()


@pytest.fixture
def uvicorn_workers(redis_server, transactional_db):
    """Two uvicorn worker processes sharing the private Redis, as the README deploys them."""
    workers = [Worker(server="uvicorn", redis_url=redis_server.url) for _ in range(2)]
    yield workers
    for worker in workers:
        worker.stop()
