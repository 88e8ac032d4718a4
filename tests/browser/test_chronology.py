"""Kim opens the Khans' chronology from their record, shows only what is about Zara, adds
a phone call and sees it; the page fits a phone and prints without its controls. Pat, for
the school, sees only what the family shared with the school."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.models import ChronologyEntry
from tests.helpers.browser import Person, assert_accessible

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    """Nothing scrolls sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{width}px wide"


def test_the_key_worker_filters_the_chronology_by_a_child_and_adds_an_entry(
    open_page, people, screenshot
):
    family = people["family:parent"]
    zara = family.members.get(name="Zara")

    kim = Person(open_page(people["key_worker"], viewport="desktop"))
    kim.page.goto(family.get_absolute_url())
    kim.follow("See the chronology")
    expect(kim.page.get_by_role("heading", level=1)).to_have_text("Chronology")
    table = kim.page.locator("#chronology")
    expect(table).to_contain_text("Home visit with Aisha and Imran")
    expect(table).to_contain_text("Team meeting held")
    assert_accessible(kim.page)

    kim.page.get_by_text("Show only some people or kinds of event").click()
    kim.tick("Zara")
    kim.press("Show")
    expect(kim.page).to_have_url(re.compile(rf"/chronology/\?member={zara.pk}$"))
    expect(kim.page.locator("#chronology-showing")).to_contain_text("Showing: Zara.")
    expect(table).to_contain_text("reading club")
    expect(table).not_to_contain_text("Home visit with Aisha and Imran")

    kim.follow("Add to the chronology")
    kim.fill("When it happened", timezone.localdate().strftime("%d/%m/%Y"))
    kim.fill("What happened", "Phone call with Zara's school nurse")
    kim.fill("More detail (optional)", "Zara has her hearing test next week.")
    kim.select("Who it is about (optional)", "Zara")
    kim.press("Add it")
    expect(kim.page.get_by_text("Added to the chronology.")).to_be_visible()
    expect(table).to_contain_text("Phone call with Zara's school nurse")
    assert ChronologyEntry.objects.filter(family=family, member=zara).count() == 2

    # The print button is there with JavaScript; on paper, no menus, filters or buttons.
    expect(kim.page.get_by_role("button", name="Print")).to_be_visible()
    kim.page.emulate_media(media="print")
    expect(kim.page.locator(".app-chronology-filter")).to_be_hidden()
    expect(kim.page.get_by_role("button", name="Show")).to_be_hidden()
    expect(kim.page.get_by_role("button", name="Print")).to_be_hidden()
    expect(kim.page.get_by_role("link", name="Add to the chronology")).to_be_hidden()
    expect(kim.page.locator("#chronology-showing")).to_contain_text(
        f"Family reference {family.reference}. Printed on"
    )
    screenshot(kim.page, "chronology-print")
    kim.page.emulate_media(media="screen")
    screenshot(kim.page, "chronology-desktop")

    phone = Person(open_page(people["key_worker"], viewport="phone"))
    phone.page.goto(kim.page.url)
    expect(phone.page.locator("#chronology")).to_contain_text("reading club")
    _fits(phone.page)
    assert_accessible(phone.page)
    screenshot(phone.page, "chronology-phone")


def test_the_school_sees_only_what_the_family_shared_with_it(open_page, people):
    family = people["family:parent"]
    pat = Person(open_page(people["partner"], viewport="phone"))
    pat.page.goto(family.get_absolute_url())
    pat.follow("See the chronology")
    table = pat.page.locator("#chronology")
    expect(table).to_contain_text("reading club")  # the school's own entry
    expect(table).to_contain_text("School attendance")
    expect(table).not_to_contain_text("Home visit with Aisha and Imran")
    expect(table).not_to_contain_text("Appointment")
    expect(table).not_to_contain_text("Concern")
    expect(pat.page.get_by_label("Concerns about safety")).to_have_count(0)
    _fits(pat.page)
    assert_accessible(pat.page)
