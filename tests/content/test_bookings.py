"""Booking a place, the waiting list, cancelling, calendar files and reminders."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from icalendar import Calendar
from notifications.models import Notification

from content import services
from content.models import Booking
from content.tasks import booking_reminder_send
from tests import factories
from tests.helpers import content as builders


def _book(client, user, occurrence, **data):
    client.force_login(user)
    return client.post(reverse("content:booking_create", args=[occurrence.pk]), data)


def test_parent_books_a_place_and_is_told(
    client, dad, occurrence, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _book(client, dad, occurrence)
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == booking.get_absolute_url()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.member.user == dad
    assert Notification.objects.filter(recipient=dad, verb__icontains="booked").exists()
    page = client.get(booking.get_absolute_url())
    assert "You are booked" in page.content.decode()


def test_parent_brings_their_children_when_children_are_welcome(client, dad, family, occurrence):
    child = factories.child(family, name="Zara")
    _book(client, dad, occurrence, companions=[child.pk])
    booking = Booking.objects.get()
    assert booking.places == 2
    assert list(booking.companions.all()) == [child]


def test_children_cannot_come_to_an_adults_only_group(dad, family, groups):
    series = builders.series(groups, children_welcome=False, title="Calmer mornings")
    occurrence = builders.first_occurrence(series)
    child = factories.child(family)
    with pytest.raises(ValidationError) as excinfo:
        services.booking_create(occurrence_id=occurrence.pk, user=dad, companion_ids=[child.pk])
    assert "Children cannot come to this group" in str(excinfo.value)
    assert not Booking.objects.exists()


def test_parent_cannot_bring_someone_from_another_family(dad, other_family, occurrence):
    stranger = factories.child(other_family)
    with pytest.raises(ValidationError) as excinfo:
        services.booking_create(occurrence_id=occurrence.pk, user=dad, companion_ids=[stranger.pk])
    assert "Choose people from your family." in str(excinfo.value)


def test_booking_twice_gives_a_clear_message(client, dad, occurrence):
    _book(client, dad, occurrence)
    response = _book(client, dad, occurrence)
    assert response.status_code == 400
    assert "You have already booked this session." in response.content.decode()
    assert Booking.objects.count() == 1


def test_booking_a_past_session_is_refused(client, dad, groups):
    series = builders.series(groups, dates=[timezone.now() - timedelta(days=1)])
    occurrence = builders.first_occurrence(series)
    response = _book(client, dad, occurrence)
    assert response.status_code == 400
    assert "This session has already happened" in response.content.decode()
    assert not Booking.objects.exists()


def test_booking_an_unpublished_session_is_not_found(client, dad, occurrence, dads_group):
    dads_group.unpublish()
    response = _book(client, dad, occurrence)
    assert response.status_code == 404


def test_staff_cannot_book(client, key_worker, occurrence):
    response = _book(client, key_worker, occurrence)
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_anonymous_visitor_is_sent_to_sign_in(client, occurrence):
    response = client.post(reverse("content:booking_create", args=[occurrence.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_full_session_puts_the_parent_on_the_waiting_list(client, family, other_family, groups):
    series = builders.series(groups, capacity=1)
    occurrence = builders.first_occurrence(series)
    first, second = factories.parent(family), factories.parent(other_family)
    _book(client, first, occurrence)
    response = _book(client, second, occurrence)
    assert response.status_code == 302
    waiting = Booking.objects.get(member__user=second)
    assert waiting.status == Booking.Status.WAITING
    assert "waiting list" in client.get(waiting.get_absolute_url()).content.decode()


def test_cancelling_gives_the_place_to_the_first_person_waiting(
    client, family, other_family, groups, django_capture_on_commit_callbacks
):
    series = builders.series(groups, capacity=1)
    occurrence = builders.first_occurrence(series)
    first = factories.parent(family)
    second = factories.parent(other_family)
    third = factories.parent(factories.family())
    for person in (first, second, third):
        services.booking_create(occurrence_id=occurrence.pk, user=person)
    booking = Booking.objects.get(member__user=first)
    client.force_login(first)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("content:booking_cancel", args=[booking.pk]))
    assert response.status_code == 302
    statuses = dict(Booking.objects.values_list("member__user__email", "status"))
    assert statuses == {
        first.email: Booking.Status.CANCELLED,
        second.email: Booking.Status.CONFIRMED,
        third.email: Booking.Status.WAITING,
    }
    assert Notification.objects.filter(recipient=second, verb__icontains="place came free").exists()
    assert not Notification.objects.filter(
        recipient=third, verb__icontains="place came free"
    ).exists()


def test_a_party_too_big_for_the_freed_place_keeps_waiting(family, other_family, groups):
    series = builders.series(groups, capacity=2)
    occurrence = builders.first_occurrence(series)
    first = factories.parent(family)
    big_family = factories.family()
    second = factories.parent(big_family)
    kids = [factories.child(big_family), factories.child(big_family)]
    third = factories.parent(other_family)
    services.booking_create(occurrence_id=occurrence.pk, user=first)
    services.booking_create(occurrence_id=occurrence.pk, user=factories.parent(factories.family()))
    services.booking_create(
        occurrence_id=occurrence.pk, user=second, companion_ids=[k.pk for k in kids][:1]
    )
    services.booking_create(occurrence_id=occurrence.pk, user=third)
    services.booking_cancel(booking_id=Booking.objects.get(member__user=first).pk, user=first)
    assert Booking.objects.get(member__user=second).status == Booking.Status.WAITING
    assert Booking.objects.get(member__user=third).status == Booking.Status.CONFIRMED


def test_parent_cannot_cancel_someone_elses_booking(client, dad, other_parent, occurrence):
    booking = services.booking_create(occurrence_id=occurrence.pk, user=dad)
    client.force_login(other_parent)
    response = client.post(reverse("content:booking_cancel", args=[booking.pk]))
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_cancelling_twice_gives_a_clear_message(client, dad, occurrence):
    booking = services.booking_create(occurrence_id=occurrence.pk, user=dad)
    client.force_login(dad)
    client.post(reverse("content:booking_cancel", args=[booking.pk]))
    response = client.post(reverse("content:booking_cancel", args=[booking.pk]))
    assert response.status_code == 400
    assert "This booking is already cancelled." in response.content.decode()


def test_cancel_needs_a_post(client, dad, occurrence):
    booking = services.booking_create(occurrence_id=occurrence.pk, user=dad)
    client.force_login(dad)
    response = client.get(reverse("content:booking_cancel", args=[booking.pk]))
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_calendar_file_describes_the_session(client, dad, occurrence):
    booking = services.booking_create(occurrence_id=occurrence.pk, user=dad)
    client.force_login(dad)
    response = client.get(reverse("content:booking_ics", args=[booking.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["summary"]) == occurrence.series.title
    assert event.decoded("dtstart") == occurrence.starts_at.replace(microsecond=0)
    assert event.decoded("dtend") == occurrence.ends_at.replace(microsecond=0)
    assert "Foleshill Family Hub" in str(event["location"])


def test_calendar_file_is_only_for_the_person_booked(client, dad, other_parent, occurrence):
    booking = services.booking_create(occurrence_id=occurrence.pk, user=dad)
    client.force_login(other_parent)
    response = client.get(reverse("content:booking_ics", args=[booking.pk]))
    assert response.status_code == 404


def test_booking_schedules_a_reminder_for_the_day_before(
    settings, dad, occurrence, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = booking_reminder_send.get_backend()
    backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(occurrence_id=occurrence.pk, user=dad)
    [result] = backend.results
    assert result.task.name == booking_reminder_send.name
    assert result.kwargs == {"booking_id": booking.pk}
    due = timezone.localtime(result.task.run_after)
    starts = timezone.localtime(occurrence.starts_at)
    assert (due.date(), due.hour, due.minute) == ((starts - timedelta(days=1)).date(), 8, 0)


def test_reminder_is_sent_once_the_day_before(dad, groups, run_on_commit):
    soon = timezone.now() + timedelta(hours=2)
    series = builders.series(groups, dates=[soon])
    occurrence = builders.first_occurrence(series)
    # The embedded backend runs tasks at once, so booking inside a day reminds straight away.
    booking = run_on_commit(services.booking_create, occurrence_id=occurrence.pk, user=dad)
    booking.refresh_from_db()
    assert booking.reminded_at is not None
    assert Notification.objects.filter(recipient=dad, verb__startswith="Reminder").count() == 1
    assert run_on_commit(booking_reminder_send.call, booking_id=booking.pk) is False
    assert Notification.objects.filter(recipient=dad, verb__startswith="Reminder").count() == 1


def test_reminder_is_not_sent_too_early_or_after_cancelling(dad, occurrence, run_on_commit):
    booking = run_on_commit(services.booking_create, occurrence_id=occurrence.pk, user=dad)
    assert booking_reminder_send.call(booking_id=booking.pk) is False  # a week away
    services.booking_cancel(booking_id=booking.pk, user=dad)
    assert booking_reminder_send.call(booking_id=booking.pk) is False
    assert not Notification.objects.filter(recipient=dad, verb__startswith="Reminder").exists()


def test_reminder_sweep_sends_due_reminders(dad, groups, run_on_commit, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    series = builders.series(groups, dates=[timezone.now() + timedelta(hours=10)])
    occurrence = builders.first_occurrence(series)
    booking = services.booking_create(occurrence_id=occurrence.pk, user=dad)
    assert run_on_commit(services.reminders_due_send) == 1
    booking.refresh_from_db()
    assert booking.reminded_at is not None
    assert run_on_commit(services.reminders_due_send) == 0


def test_parent_sees_their_bookings_on_the_dashboard(client, dad, occurrence):
    services.booking_create(occurrence_id=occurrence.pk, user=dad)
    client.force_login(dad)
    body = client.get("/dashboard/").content.decode()
    assert "Your bookings" in body
    assert escape(occurrence.series.title) in body


def test_booking_over_and_over_is_slowed_down(client, dad, occurrence, monkeypatch):
    from content import views
    from portal.ratelimit import Limit

    monkeypatch.setattr(views, "BOOK_LIMIT", Limit("content:book", 2, 600))
    assert _book(client, dad, occurrence).status_code == 302
    assert _book(client, dad, occurrence).status_code == 400  # already booked
    response = _book(client, dad, occurrence)
    assert response.status_code == 429
    assert "Wait 10 minutes" in response.content.decode()


def test_a_parent_someone_already_brings_cannot_book_a_second_place(family, dad, occurrence):
    mum = factories.parent(family, name="Aisha")
    services.booking_create(
        occurrence_id=occurrence.pk, user=mum, companion_ids=[dad.family_membership.pk]
    )
    with pytest.raises(ValidationError) as excinfo:
        services.booking_create(occurrence_id=occurrence.pk, user=dad)
    assert "someone in your family is bringing you" in str(excinfo.value)
    assert Booking.objects.get().places == 2


def test_bringing_someone_who_already_has_a_place_names_them(client, family, dad, occurrence):
    mum = factories.parent(family, name="Aisha")
    _book(client, dad, occurrence)
    response = _book(client, mum, occurrence, companions=[dad.family_membership.pk])
    assert response.status_code == 400
    assert escape("Imran already has a place at this session.") in response.content.decode()
    assert Booking.objects.count() == 1
