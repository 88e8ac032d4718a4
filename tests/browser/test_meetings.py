"""A key worker arranges a team meeting for the Khans, records it with two actions, and
the actions are steps on the family's plan."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from casework.models import Meeting
from tests.helpers.browser import Person, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.services]


def test_a_team_meetings_actions_land_on_the_plan(open_page, people):
    family = people["family:parent"]
    day = (timezone.localdate() + timedelta(days=6)).strftime("%d/%m/%Y")

    worker = Person(open_page(people["key_worker"], viewport="desktop"))
    worker.page.goto(family.get_absolute_url())
    worker.follow("Arrange a team meeting")
    expect(worker.page.get_by_role("heading", level=1)).to_have_text("Arrange a team meeting")
    worker.fill("Date", day)
    worker.fill("Start time", "10:00")
    worker.fill("End time", "11:00")
    worker.choose("In person")
    worker.fill("The place, or how to join the call", "Foleshill Family Hub, Room 3")
    worker.press("Save and tell everyone")
    expect(worker.page.get_by_text("Meeting arranged")).to_be_visible()
    assert_accessible(worker.page)
    meeting = Meeting.objects.filter(family=family, place__endswith="Room 3").get()

    # The day comes and the meeting is held.
    starts = timezone.now() - timedelta(hours=2)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    worker.page.goto(meeting.get_absolute_url())
    worker.follow("Record the meeting")
    first, second = worker.within("#action-1"), worker.within("#action-2")
    first.fill("What will happen", "Lay out school uniforms the night before")
    first.select("Who will do it", "Imran")
    first.select("Which goal it is for", "I need to get the kids to school on time")
    second.fill("What will happen", "Find a breakfast club place for Yusuf")
    second.select("Who will do it", "Our key worker")
    second.select("Which goal it is for", "I need to get the kids to school on time")
    second.fill(
        "By when (optional)", (timezone.localdate() + timedelta(days=10)).strftime("%d/%m/%Y")
    )
    worker.fill("Notes agreed with the family", "Mornings will start the night before.")
    worker.tick("The family agreed these notes can be shared")
    worker.press("Save the meeting")
    expect(worker.page.get_by_text("Meeting recorded")).to_be_visible()
    expect(worker.page.locator("#actions")).to_contain_text("Find a breakfast club place")
    assert_accessible(worker.page)

    mum = Person(open_page(people["parent"], viewport="phone"))
    mum.page.goto(reverse("plans:family_plan", args=[family.pk]))
    expect(mum.page.get_by_text("Lay out school uniforms the night before")).to_be_visible()
    expect(mum.page.get_by_text("Find a breakfast club place for Yusuf")).to_be_visible()
    mum.page.goto(meeting.get_absolute_url())
    expect(mum.page.locator("#family-notes")).to_have_text("Mornings will start the night before.")
