import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.test.client import ClientMixin

from portal.models import StaffProfile
from tests import factories
from tests.helpers.sign_in import force_login_password_only

USING_SERVICES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and bool(
    settings.REDIS_URL
)


def _own_redis_for_each_parallel_worker() -> None:
    """Tests run in parallel (``pytest -n``) each keep a Redis database and channel prefix
    of their own: a test empties its cache (Redis FLUSHDB), and pub/sub channels are the
    same in every database. Worker n uses REDIS_URL's database plus n. pytest-django
    gives each worker its own test database already."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not settings.REDIS_URL:
        return
    parts = urlsplit(settings.REDIS_URL)
    database = (int(parts.path.strip("/") or 0) + int(worker[2:])) % 16
    url = urlunsplit(parts._replace(path=f"/{database}"))
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    prefix = f"{config.get('prefix', 'asgi')}-{worker}"
    settings.REDIS_URL = settings.CACHES["default"]["LOCATION"] = url
    config["hosts"][0]["address"] = url
    config["prefix"] = prefix
    # ASGI workers the chat tests start read these.
    os.environ.update(REDIS_URL=url, CHANNEL_PREFIX=prefix)


_own_redis_for_each_parallel_worker()


def pytest_configure(config):
    if os.environ.get("PORTAL_REQUIRE_SERVICES") and not USING_SERVICES:
        raise pytest.UsageError(
            "PORTAL_REQUIRE_SERVICES is set but DATABASE_URL is not PostgreSQL or REDIS_URL is empty."
        )


def _restore_migrated_data(items):
    """Transactional tests (live servers, races) empty the database when they finish.

    Rows that migrations create (Wagtail's root page and collection, outcome areas,
    the site name) must be back for the next one, so every transactional test restores
    the serialized copy of the freshly migrated database when it starts.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        transactional = (marker is not None and marker.kwargs.get("transaction")) or (
            "transactional_db" in fixtures or "live_server" in fixtures
        )
        if transactional:
            kwargs = dict(marker.kwargs) if marker is not None else {}
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)
            # They leave the database empty, so the rest must not share it with them at
            # once: ``make test`` runs the rest in parallel, then these one at a time.
            item.add_marker(pytest.mark.transactional)


@pytest.hookimpl(tryfirst=True)  # the markers must be there before ``-m`` chooses
def pytest_collection_modifyitems(config, items):
    _restore_migrated_data(items)
    if USING_SERVICES:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL and Redis: runs in the second pass (make test-services, .ci/run)"
    )
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _services_reachable(django_db_setup, django_db_blocker):
    """In the services pass, fail loudly (not skip) when PostgreSQL or Redis is missing."""
    from django.db import connections

    # Playwright's sync API runs an event loop in the test thread, and asgiref then hands
    # out fresh connection objects there; they must still see the serialized copy of the
    # migrated database that transactional tests restore from.
    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents
    if USING_SERVICES:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CHAT_ATTACHMENT_ROOT = tmp_path / "private"
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_finishes_signing_in(monkeypatch):
    """``client.force_login(user)`` signs in as a person who finished signing in: for
    someone with an authenticator app that includes entering its code, as allauth records
    it. Tests of a session that did not use ``force_login_password_only``."""

    def force_login(client, user, backend=None):
        force_login_password_only(client, user, backend)
        session = client.session
        factories.session_passes_mfa(session, user)
        session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture
def key_worker(db):
    return factories.staff(StaffProfile.Role.KEY_WORKER)


@pytest.fixture
def manager(db):
    return factories.staff(StaffProfile.Role.MANAGER)


@pytest.fixture
def editor(db):
    return factories.staff(StaffProfile.Role.EDITOR)


@pytest.fixture
def family(db, key_worker):
    return factories.family(key_worker=key_worker, name="The Test family")


@pytest.fixture
def parent(family):
    return factories.parent(family, name="Aisha")


@pytest.fixture
def other_family(db):
    other_worker = factories.staff(StaffProfile.Role.KEY_WORKER)
    return factories.family(key_worker=other_worker, name="Another family")


@pytest.fixture
def other_parent(other_family):
    return factories.parent(other_family, name="Bea")


@pytest.fixture
def partner(family):
    return factories.partner(family)


@pytest.fixture
def session_queries(settings) -> int:
    """The queries a signed-in request makes to read its session: none when sessions are
    cached (with Redis, as in production), one when they are only in the database."""
    return 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
