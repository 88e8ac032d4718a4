"""Editors publish help in the Wagtail admin, through the two-person review, for families."""

import re

import pytest
from playwright.sync_api import expect
from wagtail.models import WorkflowState

from content.models import ResourcePage
from tests.helpers.browser import Person, totp_activate, totp_code, wait_until

pytestmark = pytest.mark.browser

TITLE = "Calm bedtimes for busy families"
BODY = "Try a wind-down lullaby routine with the lights turned low."


def _editor_signs_in(open_page, email: str, secret: str) -> Person:
    editor = Person(open_page(viewport="desktop"))
    editor.sign_in_with_password(email)
    editor.fill("Code", totp_code(secret))
    editor.press("Sign in")
    expect(editor.page).not_to_have_url(re.compile(r"/accounts/"))
    editor.page.goto("/cms/")
    return editor


def _parent_searches(parent: Person, word: str) -> None:
    parent.page.goto("/")
    parent.fill("Search for help, groups and local services", word)
    parent.press("Search")
    expect(parent.page).to_have_url(re.compile(rf"/search/\?q={word}"))


def _in_review(title):
    page = ResourcePage.objects.filter(title=title).first()
    state = page.current_workflow_state if page else None
    return page if state and state.status == WorkflowState.STATUS_IN_PROGRESS else None


def _published(title):
    page = ResourcePage.objects.filter(title=title, live=True).first()
    return page if page and page.current_workflow_state is None else None


def test_editor_publishes_a_resource_and_a_parent_finds_it_by_search(open_page, people):
    eve_secret = totp_activate(people["editor"])
    raj_secret = totp_activate(people["editor_2"])

    # Eve writes a guide under "Help and advice" and sends it for review.
    eve = _editor_signs_in(open_page, "editor@example.org", eve_secret)
    page = eve.page
    page.get_by_role("button", name="Pages").click()
    page.get_by_role("link", name="View child pages of 'Family support'").click()
    page.get_by_role("link", name="Help and advice", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cms/pages/\d+/$"))
    page.get_by_role("link", name="Add child page").first.click()
    expect(page).to_have_url(re.compile(r"/cms/pages/add/content/resourcepage/\d+/$"))
    page.get_by_role("textbox", name="Title*").fill(TITLE)
    page.get_by_role("combobox", name="Kind of page*").select_option(label="Guide")
    page.get_by_role("textbox", name="Summary*").fill("Small steps that make evenings easier.")
    stream = page.get_by_role("region", name="Body*")
    stream.get_by_role("button", name="Insert a block").click()
    page.get_by_role("option", name="Text").click()
    # The rich text editor listens to key presses, so the body is typed, as a person does.
    stream.get_by_role("textbox").click()
    page.keyboard.type(BODY)
    expect(stream.get_by_role("textbox")).to_have_text(BODY)
    # Draftail copies what was typed into the form a moment later; submitting sooner
    # would send an empty body.
    expect(page.locator("input[name='body-0-value']")).to_have_value(re.compile("lullaby"))
    page.get_by_role("button", name="More actions").click()
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    page.get_by_role("button", name="Submit to Two-person review").click()
    # Wagtail may autosave the page as a draft before "Submit", and then words its message
    # differently: what matters is the page's workflow state.
    guide = wait_until(lambda: _in_review(TITLE), f"'{TITLE}' going to review")
    assert not guide.live

    # Until a second editor approves, families cannot find it.
    parent = Person(open_page(viewport="phone"))
    parent.sign_in_with_password("parent@example.org")
    expect(parent.page.get_by_role("heading", level=1)).to_have_text("The Khan family")
    _parent_searches(parent, "lullaby")
    expect(parent.page.get_by_text("Nothing found for “lullaby”")).to_be_visible()
    expect(parent.page.get_by_role("link", name=TITLE)).to_have_count(0)

    # Raj finds it waiting for his review, reads it and approves it (the portal's workflow
    # publishes on approval; editors cannot publish by themselves).
    raj = _editor_signs_in(open_page, "editor2@example.org", raj_secret)
    review = raj.page.get_by_role("region", name="Awaiting your review")
    review.get_by_role("link", name=TITLE).click()
    expect(raj.page.get_by_role("region", name="Body*").get_by_role("textbox")).to_have_text(BODY)
    raj.page.get_by_role("button", name="More actions").click()
    raj.page.get_by_role("button", name="Approve and Publish").click()
    wait_until(lambda: _published(TITLE), f"'{TITLE}' being published")

    # Now Aisha finds it by a word from its body, and reads it.
    _parent_searches(parent, "lullaby")
    parent.follow(TITLE)
    expect(parent.page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(parent.page.get_by_role("main")).to_contain_text(BODY)
