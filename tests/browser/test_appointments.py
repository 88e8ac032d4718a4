"""A key worker books an appointment with the Khans, Aisha asks Jo, her peer mentor, to
come with her, Jo says yes, and the key worker sees that Jo is coming."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.models import Appointment
from peer_mentors.models import Mentor
from tests.helpers import peer_mentors as mentor_helpers
from tests.helpers.browser import Person, assert_accessible

# The journey writes from the live server's thread and the test's at once, which SQLite's
# shared in-memory database cannot take (as tests/browser/test_mentors.py explains).
pytestmark = [pytest.mark.browser, pytest.mark.services]


def test_key_worker_books_the_mum_asks_for_her_mentor_and_the_mentor_accepts(open_page, people):
    family = people["family:parent"]
    jo = Mentor.objects.get(user=people["mentor"])
    mentor_helpers.accepted_match(people["parent"], jo)
    day = (timezone.localdate() + timedelta(days=5)).strftime("%d/%m/%Y")

    worker = Person(open_page(people["key_worker"], viewport="desktop"))
    worker.page.goto(family.get_absolute_url())
    worker.follow("Book an appointment")
    expect(worker.page.get_by_role("heading", level=1)).to_have_text("Book an appointment")
    worker.fill("Date", "31/02/2026")
    worker.fill("Start time", "10:00")
    worker.fill("End time", "11:00")
    worker.fill("Where", "Foleshill Family Hub")
    worker.press("Book the appointment")
    summary = worker.page.get_by_role("alert")
    expect(summary).to_contain_text("Enter a real date")
    expect(summary).to_contain_text("Enter what it is for")
    expect(worker.page.get_by_label("Where", exact=True)).to_have_value("Foleshill Family Hub")
    assert_accessible(worker.page)
    worker.fill("Date", day)
    worker.fill("What it is for", "See the school about Yusuf's mornings")
    worker.tick("Aisha")
    worker.press("Book the appointment")
    expect(worker.page.get_by_text("Appointment booked")).to_be_visible()
    appointment = Appointment.objects.get(family=family, purpose__startswith="See the school")

    mum = Person(open_page(people["parent"], viewport="phone"))
    mum.page.goto("/dashboard/")
    mum.page.get_by_role("link", name=re.compile("See the school about Yusuf")).click()
    expect(mum.page.get_by_text("Exit this page").first).to_be_visible()
    assert_accessible(mum.page)
    mum.press("Ask Jo to come with me")
    expect(mum.page.get_by_text("We have asked your peer mentor")).to_be_visible()

    mentor = Person(open_page(people["mentor"], viewport="phone"))
    mentor.page.goto("/dashboard/")
    panel = mentor.page.locator("#mentor-appointments")
    expect(panel).to_contain_text("they asked you to come")
    panel.get_by_role("link").first.click()
    mentor.choose("Yes, I can go")
    mentor.press("Send answer")
    expect(mentor.page.get_by_text("The family and their key worker know")).to_be_visible()
    assert_accessible(mentor.page)

    worker.page.goto(appointment.get_absolute_url())
    expect(worker.page.locator("#mentor-status")).to_have_text("Jo: coming")
