"""Fixtures for journeys in a real Chromium against a live ASGI server.

A feature app's journey needs only these:

    def test_parent_sees_plan(open_page, people):
        page = open_page(people["parent"], viewport="phone")
        page.goto("/plans/")
        ...

``open_page`` gives a new browser context (a separate person, with their own cookies) each
time it is called, signed in as the given user or not, at "phone" (360 px) or "desktop"
width, with or without JavaScript. ``people`` is the demo service (portal/demo.py plus every
app's demo seeder). ``outbox.wait_for(email)`` returns the email the live server sent.
From ``tests.helpers.browser``: ``Person(page, keyboard=True)`` drives a page with the
keyboard only, ``assert_accessible(page)`` fails with axe's report, ``totp_code(secret)``
makes a two-step sign-in code. A failed test leaves a screenshot of every page it opened
under ``test-results/``.

The server is uvicorn in a thread of this process serving ``portal.asgi.application``, so
sockets work, and the test database, settings overrides and email outbox are shared.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from django.core import mail
from django.db import connections

from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORTS,
    LiveASGIServer,
    NeutralSite,
    sign_in_with_cookie,
    totp_activate,
    wagtail_root,
)

_reports = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run these journeys last, after pytest-django's ordering: the fast tests report first,
    and other apps' tests that expect the database as migrations left it (before any
    live-server test has flushed it) still find it so."""
    here = Path(__file__).parent

    def ours(item) -> bool:
        return Path(str(item.path)).is_relative_to(here)

    items[:] = [item for item in items if not ours(item)] + [item for item in items if ours(item)]


@pytest.fixture(scope="package")
def chromium(django_db_setup, django_db_blocker):
    """Debian's Chromium through Playwright. Missing Chromium fails the suite, never skips."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser journeys cannot run. "
            "Install it with `make chromium` (apt-get install chromium).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread. Django then refuses
    # ORM calls from the test unless told otherwise (for as long as the browser is open),
    # and hands the test a database connection of its own (asgiref keeps connections per
    # async context), which is closed at the end.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        with django_db_blocker.unblock():
            connections.close_all()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def portal_server(django_db_setup, django_db_blocker):
    """The whole portal (HTTP and websockets) on a random loopback port."""
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from portal.asgi import application

    server = LiveASGIServer(ASGIStaticFilesHandler(application)).start()
    yield server
    with django_db_blocker.unblock():
        server.stop()


@pytest.fixture(scope="package")
def neutral_site():
    site = NeutralSite().start()
    yield site
    site.stop()


@pytest.fixture
def browser_settings(settings, portal_server, neutral_site):
    """Links in emails point at the live server; "Exit this page" goes to a local page."""
    settings.SITE_URL = portal_server.url
    settings.EXIT_PAGE_URL = neutral_site.url
    return settings


@pytest.fixture
def make_context(request, transactional_db, portal_server, chromium):
    """``make_context(**options)``: a fresh browser context (a separate person), closed after
    the test; when the test fails, every page it opened is saved under test-results/.

    It asks for the database first, so its teardown (closing every page, then waiting
    for the server to finish what they asked) runs before the database is flushed."""
    contexts = []

    def _new(*, viewport: str = "desktop", **options):
        context = chromium.new_context(
            viewport=VIEWPORTS[viewport], locale="en-GB", timezone_id="Europe/London", **options
        )
        context.set_default_timeout(10_000)
        # Read by assert_accessible: axe cannot run in a page with scripts turned off.
        context.javascript_enabled = options.get("java_script_enabled", True)
        contexts.append(context)
        return context

    yield _new
    if any(report.failed for report in request.node.stash.get(_reports, {}).values()):
        _screenshot_all(request, contexts)
    for context in contexts:
        context.close()
    portal_server.settle()


@pytest.fixture
def open_page(
    make_context,
    portal_server,
    browser_settings,
    transactional_db,
):
    """Open a page in a new browser context: ``open_page(user=None, viewport="phone")``.

    ``user`` is signed in through a real session cookie (no sign-in screens); pass
    ``javascript=False`` to see the page as someone with scripts turned off.
    """

    def _open(user=None, *, viewport: str = "desktop", javascript: bool = True):
        context = make_context(
            viewport=viewport, base_url=portal_server.url, java_script_enabled=javascript
        )
        if user is not None:
            sign_in_with_cookie(context, user, portal_server.url)
        return context.new_page()

    return _open


def _results_folder(request) -> Path:
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
    return Path(request.config.rootpath, "test-results", name)


def _save_screenshot(page, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=path, full_page=True)
    except Exception as exc:  # a screenshot must not hide the failure
        path.with_suffix(".txt").write_text(f"No screenshot: {exc}\n")


def _screenshot_all(request, contexts) -> None:
    folder = _results_folder(request)
    for c, context in enumerate(contexts, start=1):
        for p, page in enumerate(context.pages, start=1):
            _save_screenshot(page, folder / f"browser{c}-page{p}.png")


@pytest.fixture
def screenshot(request):
    """``screenshot(page, name)`` saves the page under test-results/ (for subtests)."""

    def _shot(page, name: str) -> None:
        safe = re.sub(r"[^\w.-]+", "_", name)
        _save_screenshot(page, _results_folder(request) / f"{safe}.png")

    return _shot


@pytest.fixture
def people(transactional_db):
    """The demo service (see portal/demo.py): people by key, families as "family:<key>".

    Staff have an authenticator app, its secret under "secret:<key>", except Sam
    ("key_worker_2"), who has not set up two-step sign-in yet.
    """
    from portal import demo

    wagtail_root()
    _outcome_areas()
    people = demo.seed()
    for key in ("key_worker", "manager", "partner"):
        people[f"secret:{key}"] = totp_activate(people[key])
    return people


def _outcome_areas() -> None:
    """The plans' outcome areas are data from a migration, so they go with the flush too."""
    from importlib import import_module

    from django.apps import apps

    import_module("plans.migrations.0002_seed_outcome_areas").seed(apps, None)


@pytest.fixture
def outbox():
    """Emails the live server sent, newest last, with a helper to wait for one."""
    return Outbox()


class Outbox:
    def wait_for(self, to: str, *, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(mail.outbox):
                if to in message.to:
                    return message
            time.sleep(0.05)
        raise AssertionError(
            f"No email to {to} within {timeout}s; sent: {[m.to for m in mail.outbox]}"
        )
