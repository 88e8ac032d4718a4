"""Key workers' journeys: two-step sign-in, and inviting a parent into the right family."""

import re

import pytest
from playwright.sync_api import expect

from portal.demo import DEMO_PASSWORD
from tests.helpers.browser import Person, emailed_link, totp_code

pytestmark = pytest.mark.browser

HOW = pytest.mark.parametrize("keyboard", [False, True], ids=["pointer", "keyboard"])


@HOW
def test_key_worker_invites_a_parent_who_joins_the_right_family(
    open_page, people, outbox, keyboard
):
    worker = Person(open_page(viewport="desktop"), keyboard=keyboard)
    worker.sign_in_with_password("keyworker@example.org")
    worker.fill("Code", totp_code(people["secret:key_worker"]))
    worker.press("Sign in")
    expect(worker.page.get_by_role("heading", level=1)).to_have_text("Your caseload")

    worker.follow("The Browns")
    expect(worker.page.get_by_role("heading", level=1)).to_have_text("The Browns")
    invite = worker.within("form[action$='/invite/']")
    invite.fill("Their name", "Dan")
    invite.choose("Dad")
    invite.fill("Their email address", "dan@example.org")
    invite.press("Send invitation")
    expect(
        worker.page.get_by_text("We have emailed an invitation to dan@example.org")
    ).to_be_visible()

    link = emailed_link(outbox.wait_for("dan@example.org"), r"/invitation/\S+/")
    parent = Person(open_page(viewport="phone"), keyboard=keyboard)
    parent.page.goto(link)
    expect(parent.page.get_by_text("You have been invited to join The Browns")).to_be_visible()
    parent.fill("What should we call you?", "Dan")
    parent.fill("Create a password", "blue kettle morning 42")
    parent.fill("Type the password again", "blue kettle morning 42")
    parent.press("Create my account")

    expect(parent.page).to_have_url(re.compile(r"/dashboard/$"))
    expect(parent.page.get_by_role("heading", level=1)).to_have_text("The Browns")
    expect(parent.page.get_by_text("Welcome. You have joined The Browns.")).to_be_visible()
    expect(parent.page.get_by_text("The Khan family")).to_have_count(0)

    parent.page.goto(link)
    expect(parent.page.get_by_role("heading", level=1)).not_to_have_text("Set up your account")


@HOW
def test_key_worker_without_two_step_sign_in_sets_it_up_before_a_family_opens(
    open_page, people, keyboard
):
    worker = Person(open_page(viewport="desktop"), keyboard=keyboard)
    worker.sign_in_with_password("keyworker2@example.org")
    expect(worker.page).to_have_url(re.compile(r"/dashboard/$"))

    # A link to the family's record, say from a colleague's email.
    worker.page.goto(people["family:nowak"].get_absolute_url())
    expect(
        worker.page.get_by_text("Set up two-step sign-in with an authenticator app")
    ).to_be_visible()
    expect(worker.page.get_by_text("Marta")).to_have_count(0)
    # allauth asks for the password again before changing how someone signs in.
    expect(worker.page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    worker.fill("Password", DEMO_PASSWORD)
    worker.press("Confirm")
    expect(worker.page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))

    secret = worker.page.get_by_label("Authenticator secret").input_value()
    worker.fill("Authenticator code", totp_code(secret))
    worker.press("Turn on two-step sign-in")
    expect(worker.page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    worker.press("Carry on to your work")
    expect(worker.page).to_have_url(re.compile(r"/dashboard/$"))

    worker.page.goto("/dashboard/")
    worker.follow("Nowak household")
    expect(worker.page.get_by_role("heading", level=1)).to_have_text("Nowak household")
    expect(worker.page.get_by_role("cell", name="Marta", exact=True)).to_be_visible()
