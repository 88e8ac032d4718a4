""" "Exit this page" gets someone off the portal fast, and Back does not bring it back."""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import Person

pytestmark = pytest.mark.browser


def leave(page, how: str) -> None:
    if how == "button":
        page.get_by_role("button", name="Exit this page").click()
    elif how == "keyboard":
        Person(page, keyboard=True).press("Emergency Exit this page")
    elif how == "shift":
        page.locator("body").click(position={"x": 5, "y": 300})
        for _ in range(3):
            page.keyboard.press("Shift")
    elif how == "no-javascript":
        page.get_by_role("button", name="Exit this page").click()


@pytest.mark.parametrize("how", ["button", "keyboard", "shift", "no-javascript"])
def test_exit_this_page_leaves_the_portal_and_back_does_not_show_it(
    open_page, people, neutral_site, how
):
    page = open_page(people["parent"], viewport="phone", javascript=how != "no-javascript")
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Khan family")

    leave(page, how)

    expect(page).to_have_url(neutral_site.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Weather for today")
    page.go_back()
    # Signed-in pages are never stored, so Back asks the server again, which now wants
    # a sign-in: the page does not come back from the browser's cache.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dashboard/"))
    expect(page.get_by_text("The Khan family")).to_have_count(0)
    expect(page.get_by_text("Aisha")).to_have_count(0)
    # Leaving also signed them out: the dashboard now asks them to sign in.
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_staff_pages_do_not_show_exit_this_page(open_page, people):
    page = open_page(people["key_worker"])
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    expect(page.get_by_role("button", name="Exit this page")).to_have_count(0)
