"""The main pages work with JavaScript turned off: they render, and their forms post."""

import re

import pytest
from playwright.sync_api import expect

from portal import services
from portal.demo import DEMO_PASSWORD
from tests.helpers.browser import Person

pytestmark = pytest.mark.browser


def test_parent_signs_in_with_a_password_and_reads_their_pages_without_javascript(
    open_page, people
):
    page = open_page(viewport="phone", javascript=False)
    person = Person(page)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Family support")
    person.follow("Sign in")

    person.fill("Email", "parent@example.org")
    person.fill("Password", "not-the-password")
    person.press("Sign in")
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_label("Email", exact=True)).to_have_value("parent@example.org")

    person.fill("Password", DEMO_PASSWORD)
    person.press("Sign in")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Khan family")
    person.follow("See who is in your family on this site")
    expect(page.get_by_role("cell", name="Zara")).to_be_visible()
    for path, heading in (
        ("/accessibility/", "Accessibility"),
        ("/privacy/", "How we use your information"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


def test_sign_in_code_is_requested_and_used_without_javascript(open_page, people, outbox):
    page = open_page(viewport="phone", javascript=False)
    person = Person(page)
    page.goto("/accounts/login/code/")
    person.fill("Email", "lisa@example.org")
    person.press("Request Code")
    body = outbox.wait_for("lisa@example.org").body
    code = next(
        line.strip() for line in body.splitlines() if re.fullmatch(r"[A-Z0-9-]{4,12}", line.strip())
    )
    person.fill("Code", code)
    person.press("Confirm")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Browns")


def test_key_worker_searches_and_invites_without_javascript(open_page, people, outbox):
    page = open_page(people["key_worker"], javascript=False)
    worker = Person(page)
    page.goto("/dashboard/")
    worker.fill("Search by family name, reference or person", "Brown")
    worker.press("Search")
    expect(page).to_have_url(re.compile(r"q=Brown"))
    expect(page.get_by_role("link", name="The Browns")).to_be_visible()
    expect(page.get_by_role("link", name="The Khan family")).to_have_count(0)

    worker.follow("The Browns")
    invite = worker.within("form[action$='/invite/']")
    invite.fill("Their name", "Dan")
    invite.press("Send invitation")
    expect(page.get_by_role("alert")).to_contain_text("Choose who they are in the family.")
    expect(page.get_by_role("alert")).to_contain_text("Enter their email address.")
    invite = worker.within("form[action$='/invite/']")
    expect(invite.root.get_by_label("Their name", exact=True)).to_have_value("Dan")

    invite.choose("Dad")
    invite.fill("Their email address", "dan@example.org")
    invite.press("Send invitation")
    expect(page.get_by_text("We have emailed an invitation to dan@example.org")).to_be_visible()
    outbox.wait_for("dan@example.org")


def test_invited_parent_sets_up_their_account_without_javascript(open_page, people):
    _invitation, token = services.invitation_create(
        family=people["family:brown"],
        email="gran@example.org",
        name="Gran",
        relationship="carer",
        actor=people["key_worker"],
    )
    page = open_page(viewport="phone", javascript=False)
    person = Person(page)
    page.goto(f"/invitation/{token}/")
    person.fill("What should we call you?", "Gran")
    person.fill("Create a password", "blue kettle morning 42")
    person.fill("Type the password again", "blue kettle evening 42")
    person.press("Create my account")
    expect(page.get_by_role("alert")).to_contain_text("The two passwords are different")
    expect(page.get_by_label("What should we call you?")).to_have_value("Gran")

    person.fill("Create a password", "blue kettle morning 42")
    person.fill("Type the password again", "blue kettle morning 42")
    person.press("Create my account")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Browns")
