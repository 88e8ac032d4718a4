"""The demo journey on a 360-pixel phone, in a real Chromium, with axe checks."""

import os
import shutil

import pytest
from django.conf import settings
from django.test import Client

from plans.models import GoalRating, Plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (make chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def _phone(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _axe_clean(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_parent_drafts_agrees_reviews_and_sees_progress_on_a_phone(
    browser, live_server, parent, key_worker, family
):
    page = _phone(browser, live_server, parent)
    page.goto(f"{live_server.url}/plans/")
    page.get_by_role("button", name="Start the plan").click()
    _axe_clean(page)
    _no_sideways_scroll(page)

    page.get_by_role("link", name="Add something we want to change").click()
    page.get_by_label("What we want to change").fill("I need to get the kids to school")
    page.get_by_label("How we will change").type("I'll walk with the other parents", delay=5)
    page.keyboard.press("Tab")
    # Autosave: the goal and its latest words exist before the button is pressed. (The
    # in-memory SQLite test server shares one connection between threads, so the test
    # lets autosaves finish before submitting; PostgreSQL serves both at once.)
    page.get_by_text("Saved", exact=True).wait_for(timeout=10000)
    page.wait_for_timeout(2500)
    goal = Plan.objects.get().goals.get()
    assert goal.details == "I'll walk with the other parents"
    _axe_clean(page)
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Save goal").click()

    page.get_by_role("link", name="Add a step").click()
    page.get_by_label("What will happen").fill("Walk with the mums on our route")
    page.get_by_label("Who will do it").select_option("other")
    page.get_by_label("If it is other people, who are they?").fill("the mums on our route")
    page.keyboard.press("Tab")
    page.get_by_text("Saved", exact=True).wait_for(timeout=10000)
    page.wait_for_timeout(2500)
    page.get_by_role("button", name="Save step").click()
    assert page.locator(".app-step__text").all_inner_texts() == ["Walk with the mums on our route"]
    assert Plan.objects.get().goals.get().steps.count() == 1

    page.get_by_role("link", name="Read and agree the plan").click()
    page.get_by_role("button", name="I agree to this plan").click()
    staff = _phone(browser, live_server, key_worker)
    staff.goto(f"{live_server.url}/plans/family/{family.pk}/agree/")
    staff.get_by_role("button", name="I agree to this plan").click()
    assert Plan.objects.get().status == Plan.Status.AGREED

    page.goto(f"{live_server.url}/plans/")
    page.get_by_role("button", name="Rate how things are going").click()
    page.get_by_label("Rating from 1 to 10").fill("6")
    page.get_by_role("button", name="Save ratings").click()
    assert GoalRating.objects.get().score == 6
    assert page.locator("svg.app-plan-chart").is_visible()
    assert page.get_by_role("table").filter(has_text="Ratings at each review").is_visible()
    _axe_clean(page)
    _no_sideways_scroll(page)


def test_key_worker_sees_plain_english_hints_while_typing(
    browser, live_server, key_worker, manager, family, parent
):
    from plans import services

    services.plan_start(family=family, actor=parent)
    services.jargon_term_save(actor=manager, term="facilitate", alternative="help")
    page = _phone(browser, live_server, key_worker)
    page.goto(f"{live_server.url}/plans/family/{family.pk}/suggest/")
    page.get_by_label("Your suggestion").type("We will facilitate a meeting", delay=5)
    hint = page.get_by_text("Try “help” instead of “facilitate”.")
    hint.wait_for(timeout=10000)
    assert hint.is_visible()
    _axe_clean(page)
    _no_sideways_scroll(page)
