"""The issue's "done when", walked through with the demo accounts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from notifications.models import Notification
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from content import services
from content.models import Booking, SessionOccurrence, SessionSeriesPage
from portal import demo
from tests import factories


@pytest.fixture
def people(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        people = demo.seed()
    for key in ("editor", "editor_2"):
        factories.give_mfa(people[key])
    return people


def test_demo_seed_is_safe_to_run_twice(people):
    before = (SessionOccurrence.objects.count(), SessionSeriesPage.objects.count())
    demo.seed()
    assert (SessionOccurrence.objects.count(), SessionSeriesPage.objects.count()) == before
    dads_group = SessionSeriesPage.objects.get(slug="dads-group")
    assert dads_group.title == "Dads' group, Saturday mornings at Foleshill Family Hub"
    assert dads_group.for_dads and dads_group.capacity <= 10
    assert dads_group.occurrences.filter(starts_at__gt=timezone.now()).count() >= 3


def test_demo_editors_publish_a_dads_group_through_review(client, people):
    groups = SessionSeriesPage.objects.get(slug="dads-group").get_parent()
    venue_id = SessionSeriesPage.objects.get(slug="dads-group").venue_id
    client.force_login(people["editor"])
    data = {
        "title": "Dads and toddlers, Tuesday evenings",
        "slug": "dads-and-toddlers",
        "summary": "Messy play for dads and under-fives.",
        "audience": "Dads with children under five",
        "for_dads": "on",
        "children_welcome": "on",
        "what_happens": streamfield([("callout", {"style": "inset", "text": "Wear old clothes."})]),
        "facilitator": "Marcus Reid",
        "venue": venue_id,
        "capacity": 5,
        "booking_open": "on",
        "occurrences": inline_formset(
            [{"starts_at": "2030-01-08 18:00", "ends_at": "2030-01-08 19:00", "note": ""}]
        ),
        "action-submit": "Submit for moderation",
    }
    add_url = reverse("wagtailadmin_pages:add", args=("content", "sessionseriespage", groups.pk))
    assert client.post(add_url, nested_form_data(data)).status_code == 302
    page = SessionSeriesPage.objects.get(slug="dads-and-toddlers")
    assert not page.live
    state = WorkflowState.objects.get(object_id=str(page.pk), status="in_progress")
    client.force_login(people["editor_2"])
    client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=(page.pk, "approve", state.current_task_state.pk),
        ),
        {"comment": "Looks good"},
    )
    page.refresh_from_db()
    assert page.live
    client.force_login(people["dad"])
    assert "Dads and toddlers" in client.get("/search/", {"q": "toddlers"}).content.decode()


def test_demo_parent_finds_books_is_reminded_and_downloads_the_calendar(
    client, people, django_capture_on_commit_callbacks
):
    parent = people["parent"]
    client.force_login(parent)
    results = client.get("/search/", {"q": "calmer"}).context["results"]
    [series] = results["sessions"]
    tomorrow = series.occurrences.order_by("starts_at").first()
    assert timezone.localdate(tomorrow.starts_at) == timezone.localdate() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("content:booking_create", args=[tomorrow.pk]))
    booking = Booking.objects.get(member__user=parent)
    assert response.status_code == 302 and booking.status == Booking.Status.CONFIRMED
    # Reminders go out from 8am the day before: straight away here unless it is before 8am.
    due = services.reminder_due_at(tomorrow.starts_at) <= timezone.now()
    reminded = Notification.objects.filter(recipient=parent, verb__startswith="Reminder").exists()
    assert reminded is due
    ics = client.get(reverse("content:booking_ics", args=[booking.pk]))
    assert Calendar.from_ical(ics.content).walk("VEVENT")[0]["summary"] == series.title


def test_demo_dads_group_last_place_goes_to_one_dad_only(client, people):
    occurrence = (
        SessionSeriesPage.objects.get(slug="dads-group").occurrences.order_by("starts_at").first()
    )
    capacity = occurrence.series.capacity
    dads = [factories.parent(factories.family()) for _ in range(capacity + 1)]
    for dad in dads:
        client.force_login(dad)
        client.post(reverse("content:booking_create", args=[occurrence.pk]))
    assert Booking.objects.filter(occurrence=occurrence, status="confirmed").count() == capacity
    assert Booking.objects.filter(occurrence=occurrence, status="waiting").count() == 1
