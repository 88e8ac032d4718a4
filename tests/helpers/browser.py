"""Helpers for the browser journeys: a live ASGI server, axe checks, and a person at a page.

The fixtures that use them are in ``tests/browser/conftest.py``.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client

from portal.demo import DEMO_PASSWORD

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

# A cheap phone and a laptop. 360 px is the narrowest screen the portal supports.
VIEWPORTS = {
    "phone": {"width": 360, "height": 740},
    "desktop": {"width": 1280, "height": 900},
}

# The accessibility bar: these impacts fail a page; "moderate" and "minor" are reported only.
FAILING_IMPACTS = ("serious", "critical")


# The live server ------------------------------------------------------------------------


class LiveASGIServer:
    """The portal's ASGI application (HTTP and websockets) served by uvicorn in a thread.

    Running in this process means the test database, settings overrides and Django's
    email outbox are shared with the test, so a journey can read the email it caused.
    Static files are served from the finders, as ``runserver`` does.
    """

    def __init__(self, application, host: str = "127.0.0.1"):
        import uvicorn

        self.host = host
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(
            application,
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="live-asgi")

    def _run(self) -> None:
        async def serve():
            self._loop = asyncio.get_running_loop()
            await self._server.serve(sockets=[self._socket])

        asyncio.run(serve())

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 15) -> LiveASGIServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The live ASGI server did not start.")
            time.sleep(0.02)
        return self

    def settle(self, timeout: float = 15) -> None:
        """Wait until every connection the browser made has closed and every request it
        sent has finished, so a test's database flush never meets a request still running
        (PostgreSQL would end one of them as a deadlock). The timeout is a safety net."""
        state = self._server.server_state
        deadline = time.monotonic() + timeout
        while state.connections or state.tasks:
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)

    def stop(self) -> None:
        self._close_server_connections()
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def _close_server_connections(self) -> None:
        """Close the database connections of the thread that ran the views.

        PostgreSQL will not drop the test database while they are open.
        """
        from asgiref.sync import sync_to_async
        from django.db import connections

        if self._loop is None or not self._loop.is_running():
            return
        future = asyncio.run_coroutine_threadsafe(
            sync_to_async(connections.close_all, thread_sensitive=True)(), self._loop
        )
        future.result(timeout=10)


class NeutralSite:
    """A plain weather page on another port: where "Exit this page" sends people in tests.

    The real setting points at a public website, which this machine cannot reach.
    """

    BODY = (
        b"<!DOCTYPE html><html lang='en'><head><title>Weather</title></head>"
        b"<body><h1>Weather for today</h1><p>Sunny spells.</p></body></html>"
    )

    def __init__(self):
        body = self.BODY

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # the standard library's name
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/weather"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> NeutralSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


# Accessibility ---------------------------------------------------------------------------


_axe = Axe()


def axe_violations(page, *, impacts=FAILING_IMPACTS) -> list[dict]:
    """axe-core's violations on the page as it is now, limited to the given impacts."""
    if getattr(page.context, "javascript_enabled", True):
        results = _axe.run(page)
    else:
        results = _axe_run_on_a_copy(page)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


# The page as someone without JavaScript sees it: no scripts, and <noscript> shown.
_COPY_WITHOUT_SCRIPTS = """() => {
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll("script").forEach((script) => script.remove());
    copy.querySelectorAll("noscript").forEach((n) => n.replaceWith(...n.childNodes));
    const base = document.createElement("base");
    base.href = document.baseURI;
    copy.querySelector("head").prepend(base);
    return "<!DOCTYPE html>" + copy.outerHTML;
}"""


def _axe_run_on_a_copy(page):
    """axe-core on a page whose context has JavaScript turned off.

    axe's run waits on ``setTimeout``, and Chromium never fires timers while scripts are
    off, so running it there never returns (``page.evaluate`` has no timeout). The same
    HTML, with its scripts removed, is checked in a context with scripts on instead.
    """
    html = page.evaluate(_COPY_WITHOUT_SCRIPTS)
    context = page.context.browser.new_context(viewport=page.viewport_size, locale="en-GB")
    try:
        copy = context.new_page()
        copy.set_content(html)
        return _axe.run(copy)
    finally:
        context.close()


def axe_report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node.get("target", []))
            lines.append(f"    at {target}: {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_accessible(page, *, label: str = "") -> None:
    """Fail with axe's report when the page has serious or critical violations."""
    violations = axe_violations(page)
    if violations:
        where = f"{label} ({page.url})" if label else page.url
        raise AssertionError(
            f"axe found {len(violations)} serious or critical problem(s) on {where}:\n"
            + axe_report(violations)
        )


def wait_until(condition, what: str, *, timeout: float = 60.0):
    """Wait for a state (usually in the database) that a page's action leads to, and
    return what ``condition`` returned. The timeout is only a safety net for a state that
    never comes; nothing here waits for a length of time."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {timeout:.0f} s and {what} never happened")
        time.sleep(0.05)


# Two-step sign-in ------------------------------------------------------------------------


def totp_activate(user) -> str:
    """Give a test user an authenticator app; returns its secret so a test can make codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    for attr in ("_portal_has_mfa",):
        if hasattr(user, attr):
            delattr(user, attr)
    # This object stands for the person signed in with a code, as factories.give_mfa says.
    user._portal_session_mfa = True
    return secret


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The six digits an authenticator app shows now for ``secret``.

    Near the end of a period it waits for the next one, as a person would, so the code
    does not expire between typing it and the server checking it.
    """
    from allauth.mfa import app_settings

    period = app_settings.TOTP_PERIOD
    if at is None:
        remaining = period - time.time() % period
        if remaining < 3:
            time.sleep(remaining + 0.1)
        at = time.time()
    counter = int(at) // period
    return format_hotp_value(hotp_value(secret, counter))


# Email ------------------------------------------------------------------------------------


def emailed_code(message) -> str:
    """The sign-in code in an allauth "login by code" email."""
    codes = [
        line.strip()
        for line in message.body.splitlines()
        if re.fullmatch(r"[A-Z0-9-]{4,12}", line.strip())
    ]
    assert codes, f"No sign-in code in the email:\n{message.body}"
    return codes[0]


def emailed_link(message, path_pattern: str) -> str:
    """The first link in an email whose path matches ``path_pattern``."""
    match = re.search(rf"https?://[^\s/]+{path_pattern}", message.body)
    assert match, f"No link like {path_pattern} in the email:\n{message.body}"
    return match.group(0)


# A person at a page ----------------------------------------------------------------------


@dataclass
class Person:
    """Does what a person does on a page, with a pointer or with the keyboard only.

    Journeys are written once against this; the keyboard variant reaches every control
    with Tab (and the arrow keys inside radio groups) and presses Enter, so a control
    that cannot be reached or used from the keyboard fails the journey.
    """

    page: object
    keyboard: bool = False
    max_tabs: int = 80
    # Where to look for controls: the whole page, or one form when a page has several.
    scope: object = None

    @property
    def root(self):
        return self.scope if self.scope is not None else self.page

    def within(self, selector: str) -> Person:
        """The same person, looking only inside ``selector`` (say one of two forms)."""
        return replace(self, scope=self.page.locator(selector))

    def sign_in_with_password(self, email: str, password: str = DEMO_PASSWORD) -> None:
        """Sign in on the sign-in page; staff then get the two-step code page."""
        self.page.goto("/accounts/login/")
        self.fill("Email", email)
        self.fill("Password", password)
        self.press("Sign in")

    def fill(self, label: str, value: str) -> None:
        field = self.root.get_by_label(label, exact=True)
        if self.keyboard:
            self._tab_to(field)
            self.page.keyboard.press("ControlOrMeta+a")
            self.page.keyboard.type(value)
        else:
            field.fill(value)

    def choose(self, label: str) -> None:
        """Pick a radio button by its label."""
        option = self.root.get_by_label(label, exact=True)
        if not self.keyboard:
            option.check()
            return
        name = option.get_attribute("name")
        group = self.root.locator(f"input[type=radio][name='{name}']")
        self._tab_to(group)
        for _ in range(group.count()):
            if _is_focused(option):
                break
            self.page.keyboard.press("ArrowDown")
        if not option.is_checked():
            self.page.keyboard.press("Space")
        assert option.is_checked(), f"Could not choose {label!r} with the keyboard"

    def tick(self, label: str, *, ticked: bool = True) -> None:
        """Tick (or untick) a checkbox by its label; from the keyboard, Tab and Space."""
        box = self.root.get_by_label(label, exact=True)
        assert box.get_attribute("type") == "checkbox", f"{label!r} is not a checkbox"
        if box.is_checked() != ticked:
            if self.keyboard:
                self._tab_to(box)
                self.page.keyboard.press("Space")
            else:
                box.set_checked(ticked)
        assert box.is_checked() == ticked, f"Could not {'tick' if ticked else 'untick'} {label!r}"

    def untick(self, label: str) -> None:
        self.tick(label, ticked=False)

    def select(self, label: str, option: str) -> None:
        """Pick ``option`` in a drop-down list; from the keyboard, by typing its first words."""
        field = self.root.get_by_label(label, exact=True)
        if self.keyboard:
            self._tab_to(field)
            self.page.keyboard.type(option)
        else:
            field.select_option(label=option)
        chosen = field.evaluate("el => el.options[el.selectedIndex].text")
        assert chosen.strip() == option, f"Chose {chosen!r}, not {option!r}, in {label!r}"

    def press(self, name: str) -> None:
        """Press a button (a <button>, or a link styled as one)."""
        self._activate(self.root.get_by_role("button", name=name, exact=True))

    def follow(self, name: str) -> None:
        """Follow a link by its text."""
        self._activate(self.root.get_by_role("link", name=name, exact=True).first)

    def _activate(self, control) -> None:
        if self.keyboard:
            self._tab_to(control)
            self.page.keyboard.press("Enter")
        else:
            control.click()

    def _tab_to(self, locator) -> None:
        for _ in range(self.max_tabs):
            if _is_focused(locator):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"Pressing Tab {self.max_tabs} times never reached {locator}")


def _is_focused(locator) -> bool:
    return bool(
        locator.evaluate_all("els => els.some(el => el === document.activeElement)")
        if locator.count()
        else False
    )


def sign_in_with_cookie(context, user, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": base_url, "httpOnly": True}]
    )


def wagtail_root() -> None:
    """Wagtail's root page, locale and root collection come from its migrations, and each
    live-server test starts from a flushed database (as Django's TransactionTestCase leaves
    it, with content types and permissions rebuilt), so they are put back first."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    # A flush before this test rebuilt the content types under new ids; forget the old ones.
    ContentType.objects.clear_cache()
    locale, _created = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def no_sideways_scroll(page) -> None:
    """The page fits a 360 px phone screen: nothing scrolls sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways on a 360 px screen ({width} px wide)"
