"""A mentor raises a concern, no one decides, and it escalates to every manager."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect

from peer_mentors.models import Mentor
from safeguarding import tasks
from safeguarding.models import Concern
from tests.helpers import peer_mentors as mentor_helpers
from tests.helpers.browser import Person, assert_accessible, wait_until

pytestmark = pytest.mark.browser


def test_a_mentors_concern_with_no_decision_escalates_to_every_manager(open_page, people, outbox):
    jo = Mentor.objects.get(user=people["mentor"])
    match = mentor_helpers.accepted_match(people["parent"], jo)

    mentor = Person(open_page(people["mentor"], viewport="phone"))
    mentor.page.goto(match.get_absolute_url())
    mentor.follow("Raise a concern")
    expect(mentor.page.get_by_role("heading", level=1)).to_have_text("Raise a concern")
    assert_accessible(mentor.page)
    mentor.press("Send the concern now")
    expect(mentor.page.locator(".govuk-error-summary")).to_contain_text("Tell us what worried you")
    mentor.fill("What worried you?", "Yusuf said his dad hit him when he was late home.")
    mentor.press("Send the concern now")
    expect(mentor.page.get_by_text("received, waiting for a decision")).to_be_visible()
    concern = wait_until(
        lambda: Concern.objects.filter(raised_by=people["mentor"]).first(), "the concern"
    )
    assert concern.source == Concern.Source.MENTOR and concern.escalation_count == 0
    raised = outbox.wait_for(people["key_worker"].email)
    assert "Yusuf" not in raised.body and "Khan" not in raised.body

    # Nobody decides. When the decision falls due, the scheduled check runs.
    with time_machine.travel(concern.escalate_at + dt.timedelta(minutes=1), tick=True):
        manager = open_page(people["manager"])
        manager.goto("/dashboard/")
        badge = manager.locator('[data-live-count="notifications"]')
        expect(badge).to_be_visible()  # "A concern was raised" (every manager: none on duty)
        unread = int(re.sub(r"\D", "", badge.inner_text()))
        tasks.concern_escalation_check.enqueue(concern.pk)
        # The manager's open page hears of it live: the notification count goes up.
        expect(badge).to_have_text(re.compile(rf"\b{unread + 1}\b"))
        concern.refresh_from_db()
        assert concern.escalation_count == 1
        escalated = wait_until(
            lambda: [m for m in mail.outbox if m.subject == "A concern is waiting for a decision"],
            "the escalation email",
        )
        assert people["manager"].email in escalated[0].to
        assert "Yusuf" not in escalated[0].body

        manager.goto("/concerns/")
        row = manager.locator("#waiting tr", has=manager.get_by_text("The Khan family")).filter(
            has_text="peer mentor"
        )
        expect(row).to_contain_text("Overdue: sent to every manager")
        assert_accessible(manager)
        row.get_by_role("link").click()
        expect(manager.locator("#state")).to_have_text("Overdue: sent to every manager")
        expect(manager.get_by_text("Yusuf said his dad hit him")).to_be_visible()
