"""Two real browsers talk through two real ASGI workers (PostgreSQL + Redis pass)."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.chat.conftest import Worker, session_cookie

pytestmark = [
    pytest.mark.browser,
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]


def _page(browser, worker, cookie, path):
    context = browser.new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": cookie,
                "domain": "127.0.0.1",
                "path": "/",
            }
        ]
    )
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{worker.port}{path}")
    page.wait_for_selector("#conversation[data-live='1']", timeout=15000)
    return page


def _assert_accessible(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_parent_and_key_worker_exchange_messages_live_and_catch_up_after_a_worker_restart(
    conversation, parent, key_worker
):
    from playwright.sync_api import expect, sync_playwright

    parent_cookie = session_cookie(parent)
    worker_cookie = session_cookie(key_worker)
    path = f"/messages/{conversation.pk}/"
    first, second = Worker(), Worker()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            parent_page = _page(browser, first, parent_cookie, path)
            worker_page = _page(browser, second, worker_cookie, path)
            _assert_accessible(parent_page)

            parent_page.get_by_label("Your message").fill("Hello Kim\nSee you Thursday")
            parent_page.get_by_role("button", name="Send").click()
            expect(worker_page.locator("[data-messages]")).to_contain_text("See you Thursday")
            # The sender's page did not reload: it shows the message once, as sent.
            expect(parent_page.locator("[data-messages] li")).to_have_count(1)

            worker_page.get_by_label("Your message").fill("Thanks Aisha")
            worker_page.get_by_role("button", name="Send").click()
            expect(parent_page.locator("[data-messages]")).to_contain_text("Thanks Aisha")

            # The key worker's ASGI worker restarts; a message sent meanwhile arrives
            # once the page reconnects and resumes, without a reload.
            port = second.port
            second.stop()
            parent_page.get_by_label("Your message").fill("Sent while you were away")
            parent_page.get_by_role("button", name="Send").click()
            second = Worker(port=port)
            expect(worker_page.locator("[data-messages]")).to_contain_text(
                "Sent while you were away", timeout=20000
            )
            expect(worker_page.locator("[data-messages] li")).to_have_count(3)
            browser.close()
    finally:
        first.stop()
        second.stop()
