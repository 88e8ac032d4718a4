"""The key worker closes the Browns' work, saying which needs were met and writing a
summary for the family; Lisa reads it and what changed on her phone."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from casework.models import Need
from portal.demo import acting_signed_in
from portal.models import FamilyMember
from tests.helpers.browser import Person, assert_accessible
from tests.helpers.closure import need, opened

pytestmark = pytest.mark.browser

SUMMARY = "Lisa, Tyler is at school nearly every day now. Ask us again if you need help."


def test_the_key_worker_closes_the_work_and_the_parent_reads_what_changed(
    open_page, people, screenshot
):
    family = people["family:brown"]
    kim = acting_signed_in(people["key_worker"])
    episode = opened(kim, family, days_ago=150)
    tyler = FamilyMember.objects.get(family=family, name="Tyler")
    attendance = need(kim, episode, "persistent-absence", tyler)
    debt = need(kim, episode, "debt")

    worker = Person(open_page(people["key_worker"], viewport="desktop"))
    worker.page.goto(family.get_absolute_url())
    worker.follow("Close the work with the family")
    expect(worker.page.get_by_role("heading", level=1)).to_have_text(
        "Close the work with the family"
    )
    worker.press("Close the work and tell the family")
    expect(worker.page.locator(".govuk-error-summary")).to_contain_text(
        "Say whether this need was met."
    )
    worker.fill("When did the work with the family end?", timezone.localdate().strftime("%d/%m/%Y"))
    worker.choose("The plan was achieved")
    worker.within(f"#need_{attendance.pk}").choose("Yes, it was met")
    worker.within(f"#need_{debt.pk}").choose("No, not yet")
    # Any need the demo's assessment found too.
    for other in episode.needs.filter(removed_at__isnull=True).exclude(
        pk__in=[attendance.pk, debt.pk]
    ):
        worker.within(f"#need_{other.pk}").choose("Yes, it was met")
    worker.fill("Closing summary for the family", SUMMARY)
    screenshot(worker.page, "close-desktop")
    assert_accessible(worker.page)
    worker.press("Close the work and tell the family")
    expect(worker.page.get_by_text("The work is closed")).to_be_visible()
    assert Need.objects.get(pk=attendance.pk).sustained == Need.Sustained.WAITING

    worker.page.goto(reverse("casework:six_months"))
    expect(worker.page.locator(f"#family-{family.pk}")).to_contain_text("Being checked")
    screenshot(worker.page, "six-months-desktop")
    assert_accessible(worker.page)

    lisa = Person(open_page(people["brown"], viewport="phone"))
    lisa.page.goto("/dashboard/")
    expect(lisa.page.get_by_text("Tyler is at school nearly every day now").first).to_be_visible()
    lisa.follow("Read what your key worker wrote")
    expect(lisa.page.locator("#needs-met")).to_contain_text("Going to school most days")
    expect(lisa.page.locator("#needs-not-met")).to_contain_text("Money worries under control")
    screenshot(lisa.page, "yours-closed-phone")
    assert_accessible(lisa.page)
    width = lisa.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360

    phone = Person(open_page(people["key_worker"], viewport="phone"))
    phone.page.goto(reverse("casework:six_months"))
    screenshot(phone.page, "six-months-phone")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 360
