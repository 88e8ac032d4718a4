"""Groups, help and advice as families use them, and the content pages checked with axe."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from content import services as content_services
from content.models import Booking, SessionOccurrence
from portal.models import FamilyMember, StaffProfile
from tests import factories
from tests.helpers import content as builders
from tests.helpers.browser import Person, assert_accessible, wagtail_root
from tests.helpers.content import every_block

pytestmark = pytest.mark.browser

# With JavaScript off the forms post and the pages render on their own; axe checks them
# as they show without scripts (see assert_accessible).
HOW = pytest.mark.parametrize(
    ("keyboard", "javascript"),
    [(False, True), (True, True), (False, False)],
    ids=["pointer", "keyboard", "no-javascript"],
)


def _dads_group_with_one_place_left() -> SessionOccurrence:
    occurrence = (
        SessionOccurrence.objects.filter(series__slug="dads-group").order_by("starts_at").first()
    )
    taken = sum(b.places for b in occurrence.bookings.filter(status=Booking.Status.CONFIRMED))
    for _ in range(occurrence.series.capacity - taken - 1):
        dad = factories.parent(factories.family(), relationship=FamilyMember.Relationship.DAD)
        content_services.booking_create(occurrence_id=occurrence.pk, user=dad)
    return occurrence


def book_the_first_date(person: Person, button: str) -> None:
    page = person.page
    page.goto("/groups/")
    person.follow("Dads' group, Saturday mornings at Foleshill Family Hub")
    link = page.locator("main table a").first
    expect(link).to_have_text(re.compile(button))
    person.follow(" ".join(link.text_content().split()))
    person.press("Join the waiting list" if button == "Join the waiting list" else "Book my place")


@HOW
def test_father_books_the_last_place_and_the_next_dad_joins_the_waiting_list(
    open_page, people, keyboard, javascript
):
    occurrence = _dads_group_with_one_place_left()
    imran = Person(
        open_page(people["dad"], viewport="phone", javascript=javascript), keyboard=keyboard
    )
    book_the_first_date(imran, "Book a place")
    expect(imran.page.get_by_role("heading", level=1)).to_have_text("You are booked")
    assert_accessible(imran.page)

    tom = factories.parent(
        factories.family(), relationship=FamilyMember.Relationship.DAD, name="Tom"
    )
    second = Person(open_page(tom, viewport="phone", javascript=javascript), keyboard=keyboard)
    book_the_first_date(second, "Join the waiting list")
    expect(second.page.get_by_role("heading", level=1)).to_have_text("You are on the waiting list")
    statuses = {
        b.booked_by_id: b.status
        for b in occurrence.bookings.filter(booked_by__in=[people["dad"], tom])
    }
    assert statuses == {people["dad"].pk: Booking.Status.CONFIRMED, tom.pk: Booking.Status.WAITING}

    imran.page.goto("/bookings/")
    expect(imran.page.get_by_text("Dads' group, Saturday mornings").first).to_be_visible()


# Moved from tests/content: every content block, and the booking and register pages --------


def test_page_of_every_block_passes_axe(open_page, settings, transactional_db):
    settings.WAGTAILEMBEDS_FINDERS = [{"class": "tests.helpers.embeds.StaticEmbedFinder"}]
    wagtail_root()
    home = builders.home()
    help_index = builders.resource_index(home)
    image = Image.objects.create(title="Dad and child", file=get_test_image_file())
    document = Document.objects.create(
        title="Bedtime chart", file=ContentFile(b"%PDF-1.4 chart", name="chart.pdf")
    )
    page = builders.resource(
        help_index, title="Bedtime", body=builders.stream(*every_block(image, document))
    )
    series = builders.series(builders.session_index(home))
    tab = open_page()
    for url in (
        page.url,
        help_index.url,
        "/groups/",
        series.url,
        "/local-services/",
        "/search/?q=bed",
    ):
        response = tab.goto(url)
        assert response.status == 200, url
        assert_accessible(tab, label=url)


def test_booking_and_register_pages_pass_axe(open_page, transactional_db):
    wagtail_root()
    home = builders.home()
    series = builders.series(
        builders.session_index(home), dates=[timezone.now() + timedelta(minutes=30)]
    )
    occurrence = builders.first_occurrence(series)
    worker = factories.staff(StaffProfile.Role.KEY_WORKER)
    family = factories.family(key_worker=worker)
    dad = factories.parent(family, relationship=FamilyMember.Relationship.DAD, name="Imran")
    factories.child(family, name="Zara")
    factories.parent(family, name="Aisha")
    other = builders.series(series.get_parent(), slug="other")
    booking = content_services.booking_create(occurrence_id=occurrence.pk, user=dad)
    pages = {
        dad: [
            f"/bookings/book/{builders.first_occurrence(other).pk}/",
            booking.get_absolute_url(),
            f"/bookings/{booking.pk}/cancel/",
            "/bookings/",
            "/dashboard/",
            "/",
        ],
        worker: [
            "/registers/",
            f"/registers/{occurrence.pk}/",
            f"/families/{family.pk}/invite-to-group/",
        ],
    }
    for user, urls in pages.items():
        tab = open_page(user)
        for url in urls:
            response = tab.goto(url)
            assert response.status == 200, url
            assert "/accounts/login/" not in tab.url, url
            assert_accessible(tab, label=url)


@HOW
def test_dad_brings_two_children_after_ticking_three_and_unticking_one(
    open_page, people, keyboard, javascript
):
    imran = Person(
        open_page(people["dad"], viewport="phone", javascript=javascript), keyboard=keyboard
    )
    page = imran.page
    page.goto("/groups/")
    imran.follow("Dads' group, Saturday mornings at Foleshill Family Hub")
    link = page.locator("main table a").first
    imran.follow(" ".join(link.text_content().split()))
    for name in ("Zara", "Yusuf", "Aisha"):
        imran.tick(name)
    imran.untick("Aisha")
    imran.press("Book my place")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")

    booking = Booking.objects.get(booked_by=people["dad"], status=Booking.Status.CONFIRMED)
    assert sorted(booking.companions.values_list("name", flat=True)) == ["Yusuf", "Zara"]
    assert booking.places == 3
