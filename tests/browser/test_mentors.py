"""A parent asks a peer mentor for support, and the mentor says yes."""

import re

import pytest
from playwright.sync_api import expect

from peer_mentors.models import MentorMatch
from tests.helpers.browser import Person, assert_accessible

# On SQLite the live server thread and the test thread share one in-memory database whose
# table locks have no busy timeout, and this journey writes from both at once (seen as
# "database table is locked" in CI). It runs in the PostgreSQL and Redis pass.
pytestmark = [pytest.mark.browser, pytest.mark.services]

HOW = pytest.mark.parametrize("keyboard", [False, True], ids=["pointer", "keyboard"])


@HOW
def test_parent_asks_jo_to_be_their_mentor_and_jo_accepts(open_page, people, keyboard):
    parent = Person(open_page(people["parent"], viewport="phone"), keyboard=keyboard)
    parent.page.goto("/mentors/")
    expect(parent.page.get_by_text("Lives in Foleshill, like you").first).to_be_visible()
    assert_accessible(parent.page)
    parent.follow("Read about Jo and ask them")
    expect(parent.page).to_have_url(re.compile(r"/mentors/mentor/[^/]+/$"))
    expect(parent.page.get_by_role("button", name="Ask Jo")).to_be_visible()
    assert_accessible(parent.page)
    parent.fill("A message for the mentor (optional)", "Zara is missing school.")
    parent.press("Ask Jo")
    expect(parent.page.get_by_text("We have asked Jo")).to_be_visible()
    assert_accessible(parent.page)

    mentor = Person(open_page(people["mentor"], viewport="phone"), keyboard=keyboard)
    mentor.page.goto("/mentors/me/")
    mentor.follow("The Khan family")
    mentor.choose("Yes, I can support them")
    mentor.press("Send answer")
    expect(mentor.page.get_by_text("The family has been told you can support them")).to_be_visible()
    assert_accessible(mentor.page)
    match = MentorMatch.objects.get(family=people["family:parent"], mentor__user=people["mentor"])
    assert match.status == MentorMatch.Status.ACCEPTED
