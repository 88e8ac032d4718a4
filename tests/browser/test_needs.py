"""Kim records three of the Khans' needs (one measured from Zara's attendance, two rated)
and ticks the goals that meet them; Aisha reads them in plain words and says where she
disagrees, and Kim reads what she said."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casework import services
from casework.models import AgencyRecord, Need
from portal.demo import acting_signed_in
from tests.helpers.browser import Person, assert_accessible, no_sideways_scroll

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("test-results/needs-screenshots")
SCHOOL_GOAL = "I need to get the kids to school on time"
HOME_GOAL = "We want fewer arguments at home, especially about money"


def _snap(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _start_again(people) -> None:
    """The demo's needs for the Khans are taken off, so Kim records them afresh."""
    kim = acting_signed_in(people["key_worker"])
    for need in Need.objects.filter(family=people["family:parent"], removed_at__isnull=True):
        services.need_remove(need=need, actor=kim, reason="Recorded again in the journey test")


def _add_need(worker: Person, *, who, need, agency, record=None, rating=None) -> None:
    worker.follow("Add a need")
    expect(worker.page.get_by_role("heading", level=1)).to_have_text("Add a need")
    worker.select("Who the need is about", who)
    worker.select("The need", need)
    worker.select("Agency that raised it", agency)
    if record is not None:
        worker.select("Starting point: an agency record", record)
    if rating is not None:
        worker.fill("Or a rating from 1 (worst) to 10 (best)", rating)
    worker.press("Add the need")
    expect(worker.page.get_by_text("The need has been added.")).to_be_visible()


def _tick_goal(worker: Person, need: Need, goal: str) -> None:
    card = worker.within(f"#need-{need.pk}")
    card.tick(goal)
    card.press(f"Save goals for {need.descriptor.text}")
    expect(worker.page.get_by_text("The goals that meet the need have been saved.")).to_be_visible()


def test_kim_records_three_needs_and_aisha_says_where_she_disagrees(open_page, people):
    family = people["family:parent"]
    _start_again(people)
    zaras = (
        AgencyRecord.objects.filter(
            family=family, member__name="Zara", kind__code="school-attendance"
        )
        .filter(corrected_by__isnull=True)
        .select_related("kind", "member")
        .order_by("-starts")
        .first()
    )
    record_label = f"{zaras.kind.name}, Zara: {zaras.value_display} ({zaras.starts:%d/%m/%Y})"

    worker = Person(open_page(people["key_worker"], viewport="desktop"))
    worker.page.goto(family.get_absolute_url())
    worker.follow("Whole-family assessment and needs")
    expect(worker.page.get_by_role("heading", level=1)).to_have_text("Whole-family assessment")
    _add_need(
        worker,
        who="Zara",
        need="A child's attendance is below 90% (persistently absent)",
        agency="Foleshill Primary School",
        record=record_label,
    )
    _snap(worker.page, "assessment-desktop")
    _add_need(
        worker,
        who="Imran",
        need="An adult is out of work and wants help to find work",
        agency="Early help (this service)",
        rating="3",
    )
    _add_need(
        worker,
        who="The whole household",
        need="The family has debts it cannot manage",
        agency="Early help (this service)",
        rating="4",
    )
    new = list(Need.objects.filter(family=family, removed_at__isnull=True).order_by("id"))
    assert [n.descriptor.code for n in new] == ["persistent-absence", "worklessness", "debt"]
    assert new[0].baseline_record == zaras and new[1].baseline_rating == 3
    expect(worker.page.locator(f"#need-{new[0].pk}")).to_contain_text(record_label)
    assert_accessible(worker.page)

    # The plan says what no goal meets yet; ticking goals clears it.
    worker.page.goto(reverse("plans:family_plan", args=[family.pk]))
    expect(worker.page.locator("#uncovered-needs")).to_contain_text("The family has debts")
    _snap(worker.page, "plan-uncovered-desktop")
    worker.page.goto(reverse("casework:assessment", args=[family.pk]))
    _tick_goal(worker, new[0], SCHOOL_GOAL)
    _tick_goal(worker, new[1], HOME_GOAL)
    _tick_goal(worker, new[2], HOME_GOAL)
    worker.page.goto(reverse("plans:family_plan", args=[family.pk]))
    expect(worker.page.locator("#uncovered-needs")).to_have_count(0)
    expect(worker.page.locator(".app-plan-goal__meets").first).to_contain_text(
        "Zara: A child's attendance is below 90%"
    )
    _snap(worker.page, "plan-meets-desktop")

    mum = Person(open_page(people["parent"], viewport="phone"))
    mum.page.goto(reverse("portal:dashboard"))
    mum.follow("What you need help with")
    expect(mum.page.get_by_role("heading", level=1)).to_have_text("What you need help with")
    expect(mum.page.get_by_text("Going to school most days")).to_be_visible()
    expect(mum.page.get_by_text("Money worries under control")).to_be_visible()
    expect(mum.page.get_by_text("Finding work")).to_have_count(0)  # Imran's, not hers
    no_sideways_scroll(mum.page)
    assert_accessible(mum.page)
    _snap(mum.page, "yours-phone")
    card = mum.within(f"#need-{new[0].pk}")
    card.fill("Where do you disagree?", "Zara was ill for two weeks in October.")
    card.press("Send to your key worker")
    expect(mum.page.get_by_text("Your key worker has been told.")).to_be_visible()

    worker.page.goto(reverse("casework:assessment", args=[family.pk]))
    expect(worker.page.locator(f"#need-{new[0].pk}")).to_contain_text(
        "Zara was ill for two weeks in October."
    )


def test_the_needs_pages_fit_a_phone(open_page, people):
    family = people["family:parent"]
    worker = Person(open_page(people["key_worker"], viewport="phone"))
    for url in (
        reverse("casework:assessment", args=[family.pk]),
        reverse("casework:need_new", args=[family.pk]),
    ):
        worker.page.goto(url)
        no_sideways_scroll(worker.page)
        _snap(worker.page, url.strip("/").replace("/", "-") + "-phone")
    manager = Person(open_page(people["manager"], viewport="phone"))
    manager.page.goto(reverse("casework:framework"))
    _snap(manager.page, "framework-phone")
    no_sideways_scroll(manager.page)
