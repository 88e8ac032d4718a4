"""Every family page, and the staff pages around them, checked with axe at both widths.

A page fails on any serious or critical violation, with axe's report. To check a new
page, add one line to ``FAMILY_PAGES`` or ``STAFF_PAGES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from portal import services
from tests.browser.support import VIEWPORTS, Person, assert_accessible

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Check:
    name: str
    # Key of the signed-in person in the ``people`` fixture, or None for a visitor.
    who: str | None
    # A path, or a function of ``people`` that returns one (it may create records).
    path: str | Callable[[dict], str]
    # A button to press first, to check the page as it shows errors.
    submit: str = ""
    # Or any steps a person takes first, as a function of (Person, people).
    steps: Callable[[Person, dict], None] | None = None

    def open(self, open_page, people):
        page = open_page(people[self.who] if self.who else None)
        path = self.path(people) if callable(self.path) else self.path
        page.goto(path)
        person = Person(page)
        if self.submit:
            person.press(self.submit)
            expect(page.get_by_role("alert").first).to_be_visible()
        if self.steps:
            self.steps(person, people)
        return page


def family(key: str) -> Callable[[dict], str]:
    return lambda people: people[f"family:{key}"].get_absolute_url()


def invitation(people: dict) -> str:
    _invitation, token = services.invitation_create(
        family=people["family:brown"],
        email="gran@example.org",
        name="Gran",
        relationship="carer",
        actor=people["key_worker"],
    )
    return f"/invitation/{token}/"


def request_code(person: Person, people: dict) -> None:
    person.fill("Email", "parent@example.org")
    person.press("Request Code")
    expect(person.page.get_by_label("Code", exact=True)).to_be_visible()


FAMILY_PAGES = [
    Check("home page", None, "/"),
    Check("sign in", None, "/accounts/login/"),
    Check("sign in, with errors", None, "/accounts/login/", submit="Sign in"),
    Check("email me a sign-in code", None, "/accounts/login/code/"),
    Check("enter the sign-in code", None, "/accounts/login/code/", steps=request_code),
    Check("forgotten password", None, "/accounts/password/reset/"),
    Check("parent dashboard", "parent", "/dashboard/"),
    Check("family page", "parent", family("parent")),
    Check("set up your account", None, invitation),
    Check("set up your account, with errors", None, invitation, submit="Create my account"),
    Check("invitation that no longer works", None, "/invitation/not-a-real-token/"),
    Check("accessibility statement", None, "/accessibility/"),
    Check("privacy", None, "/privacy/"),
    Check("page not found", None, "/no-such-page/"),
    Check("another family's page", "parent", family("brown")),
    Check("your account", "parent", "/accounts/email/"),
]

STAFF_PAGES = [
    Check("staff dashboard", "key_worker", "/dashboard/"),
    Check("staff family page", "key_worker", family("parent")),
    Check("staff dashboard before two-step sign-in", "key_worker_2", "/dashboard/"),
    Check("manager dashboard", "manager", "/dashboard/"),
]


@pytest.mark.parametrize("checks", [FAMILY_PAGES, STAFF_PAGES], ids=["family", "staff"])
def test_pages_have_no_serious_accessibility_problems_on_a_phone_or_a_desktop(
    open_page, people, subtests, screenshot, checks
):
    # One database for all the pages (resetting it is the slow part); each page is still
    # reported on its own.
    for check in checks:
        with subtests.test(msg=check.name):
            page = check.open(open_page, people)
            try:
                for viewport in ("phone", "desktop"):
                    page.set_viewport_size(VIEWPORTS[viewport])
                    try:
                        assert_accessible(page, label=f"{check.name}, {viewport} width")
                    except AssertionError:
                        screenshot(page, f"{check.name}-{viewport}")
                        raise
            finally:
                page.context.close()
