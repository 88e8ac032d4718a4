"""The demo parent's journey in a real Chromium, with accessibility checks on each page."""

import os
import shutil

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def page(live_server):
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (make chromium installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test itself is sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 390, "height": 844})
        yield context.new_page()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/logout/")
    if page.locator("form button[type=submit]").count():
        page.locator("main form button[type=submit]").first.click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", "demo-password-2026")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _no_axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]
    assert violations == []


@pytest.fixture
def demo_people(settings):
    """Seeded before the browser starts, so no query runs inside Playwright's loop."""
    from portal import demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    return demo.seed()


def test_demo_parent_asks_jo_and_jo_accepts(demo_people, page, live_server):
    _sign_in(page, live_server, "parent@example.org")
    page.goto(f"{live_server.url}/mentors/")
    assert page.get_by_text("Lives in Foleshill, like you").count() >= 1
    _no_axe_violations(page)
    page.get_by_role("link", name="Read about Jo and ask them").click()
    _no_axe_violations(page)
    page.fill("textarea[name=message]", "Zara is missing school.")
    page.get_by_role("button", name="Ask Jo").click()
    assert page.get_by_text("We have asked Jo").count() == 1
    _no_axe_violations(page)

    _sign_in(page, live_server, "mentor@example.org")
    page.goto(f"{live_server.url}/mentors/me/")
    page.get_by_role("link", name="The Khan family").click()
    page.get_by_label("Yes, I can support them").check()
    page.get_by_role("button", name="Send answer").click()
    assert page.get_by_text("The family has been told you can support them").count() == 1
    _no_axe_violations(page)
