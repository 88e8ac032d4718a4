"""A parent says how it is safe to contact them; their key worker reads it before calling."""

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import Person

pytestmark = pytest.mark.browser


def test_portal_only_unticks_the_other_ways_and_the_key_worker_sees_it(open_page, people):
    imran = Person(open_page(people["dad"], viewport="phone"))
    imran.page.goto("/dashboard/")
    imran.follow("Tell us how we can contact you safely")
    email, text = (
        imran.page.get_by_label("Email", exact=True),
        imran.page.get_by_label("Text message", exact=True),
    )
    email.check()
    text.check()
    imran.page.get_by_label("Only through messages on this site").check()
    # GOV.UK's exclusive option: choosing it clears the others.
    expect(email).not_to_be_checked()
    expect(text).not_to_be_checked()
    imran.page.get_by_label("No, do not leave messages").check()
    imran.press("Save")
    expect(imran.page.get_by_text("We will contact you only in these ways")).to_be_visible()
    expect(imran.page.get_by_label("Only through messages on this site")).to_be_checked()

    worker = open_page(people["key_worker"])
    worker.goto(people["family:parent"].get_absolute_url())
    panel = worker.locator(".app-safe-contact")
    expect(panel).to_contain_text("Imran")
    expect(panel).to_contain_text("Only through messages on this site. Do not email, text or call.")
