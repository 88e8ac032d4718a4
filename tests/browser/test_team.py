"""A key worker puts a practitioner on the Khans' team, and Aisha sees them on "Your
team" with their agency and role."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal import services
from portal.models import Agency, StaffProfile
from tests.helpers.browser import Person, assert_accessible, no_sideways_scroll

pytestmark = pytest.mark.browser


def test_a_key_worker_adds_a_practitioner_and_the_mum_sees_them_on_your_team(open_page, people):
    family = people["family:parent"]
    services.staff_create(
        email="familyhub@example.org",
        password="a-long-test-password-2026",
        first_name="Jo",
        last_name="Price",
        role=StaffProfile.Role.PARTNER,
        job_title="Family support worker",
    )
    Agency.objects.create(name="Foleshill Family Hub", kind=Agency.Kind.EARLY_YEARS)

    worker = Person(open_page(people["key_worker"], viewport="desktop"))
    worker.page.goto(family.get_absolute_url())
    worker.follow("Add someone to the team")
    expect(worker.page.get_by_role("heading", level=1)).to_have_text("Add someone to the team")
    worker.select("Practitioner", "Jo Price, Family support worker")
    worker.fill("Role", "Family support worker")
    worker.fill("Start date", "31/02/2026")
    worker.press("Add to the team")
    summary = worker.page.get_by_role("alert")
    expect(summary).to_contain_text("Choose an agency from the list.")
    expect(summary).to_contain_text("Enter a real date")
    expect(worker.page.get_by_label("Role", exact=True)).to_have_value("Family support worker")
    assert_accessible(worker.page)
    worker.select("Agency", "Foleshill Family Hub")
    worker.fill("Start date", timezone.localdate().strftime("%d/%m/%Y"))
    worker.press("Add to the team")
    expect(
        worker.page.get_by_text("Jo Price, Foleshill Family Hub is on the family's team.")
    ).to_be_visible()

    mum = Person(open_page(people["parent"], viewport="phone"))
    mum.page.goto("/dashboard/")
    mum.follow("Your team: who works with your family and what each can see")
    expect(mum.page.get_by_role("heading", level=1)).to_have_text("Your team")
    expect(mum.page.get_by_text("Exit this page").first).to_be_visible()
    team = mum.page.locator(".govuk-summary-list")
    expect(team).to_contain_text("Jo Price")
    expect(team).to_contain_text("Foleshill Family Hub, Family support worker")
    expect(team).to_contain_text("Foleshill Primary School, Attendance officer")
    expect(team).to_contain_text("They cannot see any of your plan")
    assert_accessible(mum.page)


def test_the_agencies_list_fits_a_phone(open_page, people):
    manager = Person(open_page(people["manager"], viewport="phone"))
    manager.page.goto("/agencies/")
    expect(manager.page.get_by_role("heading", level=1)).to_have_text("Agencies")
    expect(manager.page.get_by_text("Foleshill Primary School").first).to_be_visible()
    no_sideways_scroll(manager.page)
