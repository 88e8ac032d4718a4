"""Appointments: a key worker books, the family asks for their mentor, the mentor answers,
the key worker records who came and the mentor's contact log links to it."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from icalendar import Calendar
from notifications.models import Notification

from casework import services
from casework.models import Appointment
from peer_mentors.models import ContactLog
from portal import services as core_services
from portal.models import AuditEvent
from tests import factories
from tests.helpers import casework as helpers
from tests.helpers import peer_mentors as mentor_helpers

pytestmark = pytest.mark.django_db


def _ics(content: bytes):
    calendar = Calendar.from_ical(content)
    return calendar, next(iter(calendar.walk("VEVENT")))


# Services -------------------------------------------------------------------------------


def test_key_worker_books_and_the_family_hears_with_a_calendar_file(
    key_worker, family, parent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = helpers.book(key_worker, family)
    assert appointment.status == Appointment.Status.BOOKED
    assert Notification.objects.filter(recipient=parent).exists()
    assert [m.to for m in mail.outbox] == [[parent.email]]
    attachment = mail.outbox[0].attachments[0]
    calendar, event = _ics(attachment[1])
    assert calendar["method"] == "REQUEST"
    assert str(event["uid"]).startswith(f"appointment-{appointment.pk}@")
    assert int(event["sequence"]) == 0
    assert AuditEvent.objects.filter(
        actor=key_worker, action=AuditEvent.Action.CREATE, object_type="Appointment"
    ).exists()


def test_no_email_for_an_adult_who_said_email_is_not_safe(
    key_worker, family, parent, django_capture_on_commit_callbacks
):
    core_services.safe_contact_set(user=parent, by_email=False, by_text=False, by_phone=False)
    with django_capture_on_commit_callbacks(execute=True):
        helpers.book(key_worker, family)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=parent).exists()


def test_partner_and_other_key_worker_cannot_book(family, partner, parent):
    with pytest.raises(PermissionDenied):
        helpers.book(partner, family)


def test_booking_in_the_past_is_refused(key_worker, family, parent):
    with pytest.raises(ValidationError) as caught:
        helpers.book(key_worker, family, days=-1)
    assert "starts_at" in caught.value.error_dict


def test_parent_asks_for_their_mentor_and_the_mentor_accepts(
    key_worker, family, parent, jo, match, django_capture_on_commit_callbacks
):
    appointment = helpers.book(key_worker, family)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.appointment_ask_mentor(appointment=appointment, actor=parent)
    assert appointment.mentor_status == Appointment.MentorStatus.ASKED
    assert appointment.mentor_user == jo.user
    assert Notification.objects.filter(recipient=jo.user).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_mentor_answer(appointment=appointment, actor=jo.user, accept=True)
    appointment.refresh_from_db()
    assert appointment.mentor_status == Appointment.MentorStatus.ACCEPTED
    assert Notification.objects.filter(recipient=key_worker, verb__icontains="will come").exists()
    assert Notification.objects.filter(recipient=parent, verb__icontains="Jo will come").exists()
    assert [m.to for m in mail.outbox] == [[jo.user.email]]


def test_mentor_declines_with_a_reason_and_the_family_can_ask_again(
    key_worker, family, parent, jo, match
):
    appointment = helpers.book(key_worker, family)
    services.appointment_ask_mentor(appointment=appointment, actor=parent)
    services.appointment_mentor_answer(
        appointment=appointment, actor=jo.user, accept=False, reason="I am at work that day"
    )
    appointment.refresh_from_db()
    assert appointment.mentor_status == Appointment.MentorStatus.DECLINED
    assert appointment.mentor_reason == "I am at work that day"
    services.appointment_ask_mentor(appointment=appointment, actor=parent)
    appointment.refresh_from_db()
    assert appointment.mentor_status == Appointment.MentorStatus.ASKED


def test_a_family_without_a_mentor_cannot_ask_for_one(key_worker, family, parent):
    appointment = helpers.book(key_worker, family)
    with pytest.raises(ValidationError):
        services.appointment_ask_mentor(appointment=appointment, actor=parent)


def test_only_the_family_asks_and_only_their_mentor_answers(
    key_worker, family, parent, jo, match, manager, other_parent
):
    appointment = helpers.book(key_worker, family)
    with pytest.raises(PermissionDenied):
        services.appointment_ask_mentor(appointment=appointment, actor=other_parent)
    services.appointment_ask_mentor(appointment=appointment, actor=parent)
    tunde = mentor_helpers.mentor(manager, name="Tunde")
    with pytest.raises(PermissionDenied):
        services.appointment_mentor_answer(appointment=appointment, actor=tunde.user, accept=True)


def test_recording_the_mentor_came_writes_the_mentors_contact_log(
    key_worker, family, parent, jo, match
):
    appointment = helpers.book(key_worker, family)
    services.appointment_ask_mentor(appointment=appointment, actor=parent)
    services.appointment_mentor_answer(appointment=appointment, actor=jo.user, accept=True)
    helpers.in_the_past(appointment)
    services.appointment_record(
        appointment=appointment,
        actor=key_worker,
        came=[parent.family_membership],
        mentor_came=True,
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.HELD
    assert list(appointment.came.all()) == [parent.family_membership]
    log = ContactLog.objects.get(appointment_id=appointment.pk)
    assert log.kind == ContactLog.Kind.APPOINTMENT
    assert log.match == match


def test_recording_before_it_starts_or_a_mentor_who_never_said_yes_is_refused(
    key_worker, family, parent, jo, match
):
    appointment = helpers.book(key_worker, family)
    with pytest.raises(ValidationError):
        services.appointment_record(appointment=appointment, actor=key_worker, came=[])
    helpers.in_the_past(appointment)
    with pytest.raises(ValidationError):
        services.appointment_record(
            appointment=appointment, actor=key_worker, came=[], mentor_came=True
        )
    assert not ContactLog.objects.exists()


def test_cancelling_sends_a_cancel_calendar_file_with_the_same_uid(
    key_worker, family, parent, django_capture_on_commit_callbacks
):
    appointment = helpers.book(key_worker, family)
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=appointment, actor=key_worker, reason="Ill")
    calendar, event = _ics(mail.outbox[-1].attachments[0][1])
    assert calendar["method"] == "CANCEL"
    assert str(event["uid"]).startswith(f"appointment-{appointment.pk}@")
    assert int(event["sequence"]) == 1
    assert str(event["status"]) == "CANCELLED"


# Who sees an appointment -----------------------------------------------------------------


@pytest.fixture
def asked(key_worker, family, parent, jo, match):
    appointment = helpers.book(key_worker, family)
    services.appointment_ask_mentor(appointment=appointment, actor=parent)
    return appointment


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("parent", 200),
        ("key_worker", 200),
        ("mentor", 200),
        ("partner", 404),
        ("other_parent", 404),
        ("other_mentor", 404),
        ("editor", 404),
    ],
)
def test_who_sees_an_appointment(
    client, asked, who, status, parent, key_worker, jo, partner, other_parent, manager, editor
):
    people = {
        "parent": parent,
        "key_worker": key_worker,
        "mentor": jo.user,
        "partner": partner,
        "other_parent": other_parent,
        "other_mentor": mentor_helpers.mentor(manager, name="Tunde").user,
        "editor": editor,
    }
    client.force_login(people[who])
    response = client.get(reverse("casework:appointment", args=[asked.pk]))
    assert response.status_code == status


def test_a_mentor_not_asked_does_not_see_the_appointment(client, key_worker, family, jo, match):
    appointment = helpers.book(key_worker, family)
    client.force_login(jo.user)
    assert client.get(appointment.get_absolute_url()).status_code == 404


def test_staff_outside_the_caseload_must_give_a_reason(client, asked):
    client.force_login(factories.staff())
    response = client.get(asked.get_absolute_url())
    assert response.status_code == 302
    assert "reason" in response["Location"]


def test_an_id_that_is_no_appointment_is_404(client, key_worker):
    client.force_login(key_worker)
    assert client.get(reverse("casework:appointment", args=[999999])).status_code == 404


# Pages ----------------------------------------------------------------------------------


def test_key_worker_books_through_the_form(client, key_worker, family, parent):
    client.force_login(key_worker)
    url = reverse("casework:appointment_book", args=[family.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Aisha" in page.content.decode()
    from django.utils import timezone

    day = (timezone.localdate() + timezone.timedelta(days=4)).strftime("%d/%m/%Y")
    response = client.post(
        url,
        {
            "day": day,
            "starts": "10:00",
            "ends": "11:00",
            "where": "The family hub",
            "purpose": "Talk about school",
            "coming": [parent.family_membership.pk],
        },
    )
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == appointment.get_absolute_url()


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(client, key_worker, family):
    client.force_login(key_worker)
    response = client.post(
        reverse("casework:appointment_book", args=[family.pk]),
        {"day": "31/02/2026", "starts": "25:00", "ends": "11:00", "where": "The hub"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Enter a real date" in body
    assert "Enter a real time" in body
    assert 'value="31/02/2026"' in body
    assert 'value="The hub"' in body
    assert not Appointment.objects.exists()


def test_the_booking_form_is_404_for_a_partner_and_another_family(
    client, partner, family, other_family
):
    client.force_login(partner)
    assert client.get(reverse("casework:appointment_book", args=[family.pk])).status_code == 404
    assert (
        client.get(reverse("casework:appointment_book", args=[other_family.pk])).status_code == 404
    )


def test_the_mum_asks_and_the_mentor_accepts_through_the_pages(
    client, key_worker, family, parent, jo, match
):
    appointment = helpers.book(key_worker, family)
    client.force_login(parent)
    page = client.get(appointment.get_absolute_url()).content.decode()
    assert "Ask Jo to come with me" in page
    assert "Exit this page" in page
    client.post(reverse("casework:appointment_ask_mentor", args=[appointment.pk]))
    client.force_login(jo.user)
    page = client.get(appointment.get_absolute_url()).content.decode()
    assert "Can you go with them?" in page
    response = client.post(
        reverse("casework:appointment_mentor_answer", args=[appointment.pk]), {"answer": "yes"}
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.mentor_status == Appointment.MentorStatus.ACCEPTED


def test_the_mentor_answer_needs_a_choice(client, asked, jo):
    client.force_login(jo.user)
    response = client.post(reverse("casework:appointment_mentor_answer", args=[asked.pk]), {})
    assert response.status_code == 400
    assert "Say whether you can go" in response.content.decode()


def test_the_family_cannot_answer_for_the_mentor(client, asked, parent):
    client.force_login(parent)
    response = client.post(
        reverse("casework:appointment_mentor_answer", args=[asked.pk]), {"answer": "yes"}
    )
    assert response.status_code == 404


def test_saves_answer_get_with_405(client, asked, parent):
    client.force_login(parent)
    assert (
        client.get(reverse("casework:appointment_ask_mentor", args=[asked.pk])).status_code == 405
    )


def test_the_mentors_contact_log_links_to_the_appointment(
    client, key_worker, family, parent, jo, match
):
    appointment = helpers.book(key_worker, family)
    services.appointment_ask_mentor(appointment=appointment, actor=parent)
    services.appointment_mentor_answer(appointment=appointment, actor=jo.user, accept=True)
    helpers.in_the_past(appointment)
    client.force_login(key_worker)
    response = client.post(
        reverse("casework:appointment_record", args=[appointment.pk]),
        {"came": [parent.family_membership.pk], "mentor_came": "on"},
    )
    assert response.status_code == 302
    client.force_login(jo.user)
    page = client.get(match.get_absolute_url()).content.decode()
    assert appointment.get_absolute_url() in page


def test_the_appointment_calendar_file(client, asked, parent):
    client.force_login(parent)
    response = client.get(reverse("casework:appointment_ics", args=[asked.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar, event = _ics(response.content)
    assert calendar["method"] == "PUBLISH"
    assert str(event["summary"]) == "Appointment: Talk about school"


def test_the_calendar_feed_has_the_familys_upcoming_appointments_only(
    client, key_worker, family, parent, other_family, other_parent
):
    mine = helpers.book(key_worker, family, purpose="Ours")
    helpers.book(other_family.lead_key_worker, other_family, purpose="Theirs")
    client.force_login(parent)
    response = client.get(reverse("casework:calendar_feed"))
    calendar = Calendar.from_ical(response.content)
    uids = [str(e["uid"]) for e in calendar.walk("VEVENT")]
    assert len(uids) == 1
    assert uids[0].startswith(f"appointment-{mine.pk}@")


# Dashboards ------------------------------------------------------------------------------


def test_the_family_dashboard_shows_upcoming_appointments(client, key_worker, family, parent):
    helpers.book(key_worker, family, purpose="Talk about Sam's school")
    client.force_login(parent)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "Coming up" in page
    assert "Talk about Sam&#x27;s school" in page


def test_the_mentor_dashboard_lists_appointments_they_are_going_to(client, asked, jo):
    client.force_login(jo.user)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "Appointments you are going to with a parent" in page
    assert asked.get_absolute_url() in page


def test_the_key_worker_dashboard_lists_their_appointments(client, key_worker, family, parent):
    appointment = helpers.book(key_worker, family)
    client.force_login(key_worker)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert appointment.get_absolute_url() in page


def test_the_family_record_offers_booking_to_its_key_worker_only(
    client, key_worker, family, partner
):
    client.force_login(key_worker)
    page = client.get(family.get_absolute_url()).content.decode()
    assert reverse("casework:appointment_book", args=[family.pk]) in page
    assert reverse("casework:meeting_arrange", args=[family.pk]) in page
    client.force_login(partner)
    page = client.get(family.get_absolute_url()).content.decode()
    assert reverse("casework:appointment_book", args=[family.pk]) not in page


def test_the_dashboard_panels_cost_the_same_for_three_rows_as_for_twelve(
    key_worker, family, parent, django_assert_num_queries
):
    from casework import selectors

    for size in (3, 12):
        while Appointment.objects.filter(family=family).count() < size:
            helpers.book(key_worker, family)
            helpers.arrange(key_worker, family)
        with django_assert_num_queries(2):
            upcoming = selectors.upcoming_for_family(family=family)
            assert [a.family.display_name for a in upcoming["appointments"]]
            assert [m.family.display_name for m in upcoming["meetings"]]
        assert len(upcoming["appointments"]) == size
        with django_assert_num_queries(2):
            mine = selectors.upcoming_for_key_worker(user=key_worker)
            assert [a.family.display_name for a in mine["appointments"]]
        assert len(mine["meetings"]) == size


def test_changing_through_the_form_sends_the_same_uid_with_the_next_sequence(
    client, key_worker, family, parent, django_capture_on_commit_callbacks
):
    appointment = helpers.book(key_worker, family)
    client.force_login(key_worker)
    url = reverse("casework:appointment_change", args=[appointment.pk])
    page = client.get(url).content.decode()
    assert 'value="Foleshill Family Hub"' in page
    from django.utils import timezone

    day = (timezone.localdate() + timezone.timedelta(days=9)).strftime("%d/%m/%Y")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "day": day,
                "starts": "15:00",
                "ends": "16:00",
                "where": "At home",
                "purpose": "Talk about school",
                "coming": [parent.family_membership.pk],
            },
        )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHANGED
    calendar, event = _ics(mail.outbox[-1].attachments[0][1])
    assert calendar["method"] == "REQUEST"
    assert str(event["uid"]).startswith(f"appointment-{appointment.pk}@")
    assert int(event["sequence"]) == 1
    assert str(event["location"]) == "At home"


def test_the_change_page_is_404_for_the_family_and_partners(
    client, key_worker, family, parent, partner
):
    appointment = helpers.book(key_worker, family)
    for person in (parent, partner):
        client.force_login(person)
        url = reverse("casework:appointment_change", args=[appointment.pk])
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["key_worker", "manager"])
def test_staff_with_a_reason_see_and_book(client, family, parent, role):
    from portal.models import StaffProfile

    person = factories.staff(
        StaffProfile.Role.KEY_WORKER if role == "key_worker" else StaffProfile.Role.MANAGER
    )
    core_services.access_grant_create(
        user=person, family=family, reason="Covering for a colleague on leave"
    )
    appointment = helpers.book(person, family)
    client.force_login(person)
    assert client.get(appointment.get_absolute_url()).status_code == 200
    assert AuditEvent.objects.filter(
        actor=person, object_type="Appointment", reason__contains="Covering"
    ).exists()


def test_the_familys_upcoming_queries_match_their_querysets(
    key_worker, family, parent, other_family
):
    from django.utils import timezone

    from casework import selectors
    from tests.helpers.prepared import loaded

    helpers.book(key_worker, family)
    helpers.arrange(key_worker, family)
    cancelled = helpers.book(key_worker, family)
    services.appointment_cancel(appointment=cancelled, actor=key_worker)
    now = timezone.now()
    for family_id in (family.pk, other_family.pk, 0):
        for query in (selectors._family_appointments, selectors._family_meetings):
            assert loaded(query.rows(family_id=family_id, now=now)) == loaded(
                list(query.build(family_id=family_id, now=now))
            )
    assert len(selectors.upcoming_for_family(family=family)["appointments"]) == 1


def test_who_came_is_asked_only_once_the_appointment_has_started(client, key_worker, family):
    appointment = helpers.book(key_worker, family)
    client.force_login(key_worker)
    before = client.get(appointment.get_absolute_url()).content.decode()
    assert "You can record who came once the appointment has started." in before
    assert "Save who came" not in before
    assert "Change the time or place" in before
    helpers.in_the_past(appointment)
    after = client.get(appointment.get_absolute_url()).content.decode()
    assert "Save who came" in after
