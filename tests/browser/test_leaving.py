"""A key worker removes an adult from the household: that person's open page stops
updating at once, and their next request is refused."""

import re

import pytest
from playwright.sync_api import expect

from chat.models import Conversation
from tests.helpers.browser import Person, assert_accessible

pytestmark = pytest.mark.browser


def _live(page):
    expect(page.locator("#conversation[data-live='1']")).to_have_count(1)
    page.evaluate("window.notReloaded = true")


def test_a_removed_adults_open_page_stops_and_their_next_request_is_refused(open_page, people):
    conversation = Conversation.objects.get(family=people["family:parent"], kind="key_worker")
    url = conversation.get_absolute_url()
    imran = open_page(people["dad"], viewport="phone")
    imran.goto(url)
    _live(imran)
    aisha = open_page(people["parent"], viewport="phone")
    aisha.goto(url)
    _live(aisha)

    worker = Person(open_page(people["key_worker"], viewport="desktop"))
    worker.page.goto(people["family:parent"].get_absolute_url())
    expect(
        worker.page.get_by_role("heading", name="Before you contact this family")
    ).to_be_visible()
    worker.page.get_by_role("link", name="Remove from household Imran").click()
    expect(worker.page.get_by_role("heading", level=1)).to_have_text(
        "Remove Imran from the household"
    )
    worker.press("Remove Imran")
    expect(worker.page.get_by_role("alert")).to_contain_text("Say why this person is leaving")
    assert_accessible(worker.page)
    worker.fill("Why are they leaving the household?", "Moved out; a court order was made today")
    worker.press("Remove Imran")
    expect(worker.page.get_by_text("Imran is no longer part of The Khan family")).to_be_visible()

    # Imran's page is told, its socket closes and does not come back.
    expect(imran.locator("#conversation[data-live='1']")).to_have_count(0)
    expect(imran.locator("[data-send-form]")).to_have_count(0)

    worker.page.goto(url)
    worker.fill("Your message", "Only for Aisha now")
    worker.press("Send")
    expect(aisha.locator("[data-messages]")).to_contain_text("Only for Aisha now")
    expect(imran.locator("[data-messages]")).not_to_contain_text("Only for Aisha now")
    assert imran.evaluate("window.notReloaded === true")

    # Their next request is refused: the session has ended.
    imran.reload()
    expect(imran).to_have_url(re.compile(r"/accounts/login/"))
    expect(imran.get_by_text("Only for Aisha now")).to_have_count(0)

    # Signed in afresh on another browser, they find nothing of the family.
    again = open_page(people["dad"], viewport="phone")
    assert again.goto(url).status == 404
    again.goto("/dashboard/")
    expect(again.get_by_text("The Khan family")).to_have_count(0)
    expect(again.get_by_text("Aisha")).to_have_count(0)
