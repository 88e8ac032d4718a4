"""Staff: registers and attendance, inviting a named dad, and the access matrix."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from notifications.models import Notification

from content import services
from content.models import Booking, SessionInvitation
from portal import services as portal_services
from portal.models import AuditEvent, FamilyMember, StaffProfile
from tests import factories
from tests.helpers import content as builders


@pytest.fixture
def booked(dad, child_member, occurrence):
    return services.booking_create(
        occurrence_id=occurrence.pk, user=dad, companion_ids=[child_member.pk]
    )


@pytest.fixture
def today_occurrence(groups, dad):
    series = builders.series(groups, dates=[timezone.now() + timedelta(minutes=30)], title="Today")
    occurrence = builders.first_occurrence(series)
    services.booking_create(occurrence_id=occurrence.pk, user=dad)
    return occurrence


def test_staff_see_who_is_booked_but_not_the_family_record(
    client, key_worker, booked, family, occurrence
):
    client.force_login(key_worker)
    response = client.get(reverse("content:register", args=[occurrence.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Imran" in body and "Zara" in body
    assert family.reference not in body
    assert escape(family.display_name) not in body
    assert "Aisha" not in body  # the rest of the family is not shown
    assert AuditEvent.objects.filter(
        actor=key_worker, family=family, object_type="SessionOccurrence"
    ).exists()


def test_staff_without_two_step_sign_in_are_sent_to_set_it_up(client, booked, occurrence):
    worker = factories.staff(StaffProfile.Role.KEY_WORKER, mfa=False)
    client.force_login(worker)
    response = client.get(reverse("content:register", args=[occurrence.pk]))
    assert response.status_code == 302
    assert "Imran" not in response.content.decode()


def test_staff_take_attendance_on_the_day(client, manager, today_occurrence):
    booking = Booking.objects.get(occurrence=today_occurrence)
    client.force_login(manager)
    url = reverse("content:register", args=[today_occurrence.pk])
    response = client.post(url, {f"attended_{booking.pk}": "yes"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.attended is True
    assert AuditEvent.objects.filter(actor=manager, object_type="Booking", action="update").exists()


def test_attendance_cannot_be_taken_days_before(client, key_worker, booked, occurrence):
    client.force_login(key_worker)
    response = client.post(
        reverse("content:register", args=[occurrence.pk]), {f"attended_{booked.pk}": "yes"}
    )
    assert response.status_code == 400
    assert "You can take attendance from an hour before" in response.content.decode()
    booked.refresh_from_db()
    assert booked.attended is None


@pytest.mark.parametrize("who", ["parent", "partner", "anonymous"])
def test_families_and_partners_cannot_open_registers(client, who, request, booked, occurrence):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("content:register", args=[occurrence.pk]))
    assert response.status_code in {302, 404}
    assert "Imran" not in response.content.decode()


def test_key_worker_invites_a_named_dad_to_a_session(
    client, key_worker, family, dad, occurrence, django_capture_on_commit_callbacks
):
    member = FamilyMember.objects.get(user=dad)
    client.force_login(key_worker)
    url = reverse("content:session_invite", args=[family.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"member": member.pk, "occurrence": occurrence.pk, "message": "See you there"}
        )
    assert response.status_code == 302
    invitation = SessionInvitation.objects.get()
    assert invitation.member == member and invitation.invited_by == key_worker
    assert Notification.objects.filter(recipient=dad, verb__icontains="invited you").exists()
    assert AuditEvent.objects.filter(actor=key_worker, action="invite", family=family).exists()

    client.force_login(dad)
    assert "Your key worker invited you" in client.get("/").content.decode()


def test_inviting_the_same_dad_twice_gives_a_clear_message(
    client, key_worker, family, dad, occurrence
):
    member = FamilyMember.objects.get(user=dad)
    client.force_login(key_worker)
    url = reverse("content:session_invite", args=[family.pk])
    client.post(url, {"member": member.pk, "occurrence": occurrence.pk})
    response = client.post(url, {"member": member.pk, "occurrence": occurrence.pk})
    assert response.status_code == 400
    assert "You have already invited Imran to this session." in response.content.decode()


def test_only_dads_can_be_invited_as_dads(key_worker, family, parent, occurrence):
    from django.core.exceptions import ValidationError

    mum = FamilyMember.objects.get(user=parent)
    with pytest.raises(ValidationError) as excinfo:
        services.session_invitation_create(
            family=family, member_id=mum.pk, occurrence_id=occurrence.pk, actor=key_worker
        )
    assert "Choose a dad in this family." in str(excinfo.value)


def test_dad_without_an_account_cannot_be_invited_yet(key_worker, family, occurrence):
    from django.core.exceptions import ValidationError

    member = portal_services.family_member_add(
        family=family, name="Piotr", relationship=FamilyMember.Relationship.DAD
    )
    with pytest.raises(ValidationError) as excinfo:
        services.session_invitation_create(
            family=family, member_id=member.pk, occurrence_id=occurrence.pk, actor=key_worker
        )
    assert "does not use this site yet" in str(excinfo.value)


def test_other_key_worker_must_give_a_reason_before_inviting(client, family, dad, occurrence):
    other = factories.staff(StaffProfile.Role.KEY_WORKER)
    member = FamilyMember.objects.get(user=dad)
    client.force_login(other)
    url = reverse("content:session_invite", args=[family.pk])
    response = client.post(url, {"member": member.pk, "occurrence": occurrence.pk})
    assert response.status_code == 302
    assert "/reason/" in response["Location"]
    assert not SessionInvitation.objects.exists()

    portal_services.access_grant_create(
        user=other, family=family, reason="Covering for Kim this week"
    )
    response = client.post(url, {"member": member.pk, "occurrence": occurrence.pk})
    assert response.status_code == 302
    assert SessionInvitation.objects.count() == 1


@pytest.mark.parametrize(
    "who", ["parent", "other_parent", "partner", "manager", "editor", "anonymous"]
)
def test_only_key_workers_can_invite_dads(client, request, who, family, dad, occurrence):
    member = FamilyMember.objects.get(user=dad)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("content:session_invite", args=[family.pk]),
        {"member": member.pk, "occurrence": occurrence.pk},
    )
    assert response.status_code in {302, 404}
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]
    assert not SessionInvitation.objects.exists()


# Access matrix: every role against every kind of booking record, through the real URLs.

ROLES = [
    "booker",
    "same_family_parent",
    "other_parent",
    "lead_key_worker",
    "other_key_worker",
    "key_worker_with_reason",
    "partner_named",
    "partner_not_named",
    "manager",
    "manager_with_reason",
    "editor",
    "anonymous",
]


def _user_for(role, request, family):
    if role == "anonymous":
        return None
    if role == "booker":
        return request.getfixturevalue("dad")
    if role == "same_family_parent":
        return request.getfixturevalue("parent")
    if role == "lead_key_worker":
        return request.getfixturevalue("key_worker")
    if role in {"other_key_worker", "key_worker_with_reason"}:
        user = factories.staff(StaffProfile.Role.KEY_WORKER)
    elif role == "partner_named":
        return request.getfixturevalue("partner")
    elif role == "partner_not_named":
        return factories.partner()
    elif role in {"manager", "manager_with_reason"}:
        user = factories.staff(StaffProfile.Role.MANAGER)
    elif role == "editor":
        return request.getfixturevalue("editor")
    else:
        return request.getfixturevalue(role)
    if role.endswith("with_reason"):
        portal_services.access_grant_create(
            user=user, family=family, reason="Covering for a colleague"
        )
    return user


@pytest.mark.parametrize("role", ROLES)
def test_booking_records_are_only_for_the_person_booked(client, request, role, family, booked):
    user = _user_for(role, request, family)
    if user is not None:
        client.force_login(user)
    urls = {
        "detail": reverse("content:booking_detail", args=[booked.pk]),
        "ics": reverse("content:booking_ics", args=[booked.pk]),
        "cancel": reverse("content:booking_cancel", args=[booked.pk]),
    }
    for name, url in urls.items():
        response = client.get(url)
        if role == "booker":
            assert response.status_code == 200, name
        elif role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        else:
            assert response.status_code == 404, (name, response.status_code)
    response = client.post(urls["cancel"])
    booked.refresh_from_db()
    if role == "booker":
        assert booked.status == Booking.Status.CANCELLED
    else:
        assert booked.status == Booking.Status.CONFIRMED


@pytest.mark.parametrize("role", ROLES)
def test_registers_are_for_staff_who_run_sessions(
    client, request, role, family, booked, occurrence
):
    user = _user_for(role, request, family)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("content:register", args=[occurrence.pk]))
    allowed = role in {
        "lead_key_worker",
        "other_key_worker",
        "key_worker_with_reason",
        "manager",
        "manager_with_reason",
        "editor",
    }
    if allowed:
        assert response.status_code == 200
        assert "Imran" in response.content.decode()
    else:
        assert response.status_code in {302, 404}
        assert "Imran" not in response.content.decode()


def test_family_page_offers_key_workers_the_dads_invitation(client, key_worker, parent, family):
    invite_url = reverse("content:session_invite", args=[family.pk])
    client.force_login(key_worker)
    assert invite_url in client.get(family.get_absolute_url()).content.decode()
    client.force_login(parent)
    assert invite_url not in client.get(family.get_absolute_url()).content.decode()
