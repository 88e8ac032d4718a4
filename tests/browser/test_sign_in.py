"""Signing in as families and staff do, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import Person, emailed_code

pytestmark = pytest.mark.browser

HOW = pytest.mark.parametrize("keyboard", [False, True], ids=["pointer", "keyboard"])


@HOW
def test_parent_signs_in_with_an_emailed_code_on_a_small_phone(open_page, people, outbox, keyboard):
    page = open_page(viewport="phone")
    person = Person(page, keyboard=keyboard)
    page.goto("/")
    person.follow("Sign in")
    person.follow("Email me a sign-in code")
    person.fill("Email", "parent@example.org")
    person.press("Request Code")
    expect(page).to_have_url(re.compile(r"/accounts/login/code/confirm/"))

    person.fill("Code", emailed_code(outbox.wait_for("parent@example.org")))
    person.press("Confirm")

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The Khan family")
    expect(page.get_by_text("Kim Lewis")).to_be_visible()
    for other in ("The Browns", "Nowak household", "The Greens"):
        expect(page.get_by_text(other)).to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"The dashboard scrolls sideways on a 360 px screen ({width} px wide)"
