"""Leaving a household: a key worker or manager removes an adult with a reason, and from
that moment the person sees nothing of the family, on any device."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from notifications.models import Notification

from chat import services as chat_services
from chat.models import Participant
from portal import services
from portal.models import AuditEvent, FamilyMember, Invitation, SafeContact, StaffProfile
from portal.notify import notify_users
from tests import factories
from tests.helpers.chat import send


@pytest.fixture
def dad(family):
    return factories.parent(family, name="Imran", relationship=FamilyMember.Relationship.DAD)


def _member(user) -> FamilyMember:
    return FamilyMember.objects.get(user=user)


def _url(family, member):
    return reverse(
        "portal:family_member_remove", kwargs={"family_id": family.pk, "member_id": member.pk}
    )


REASON = "Moved out on 1 December; a court order says he may not contact the family"


def test_key_worker_sees_a_warning_and_must_give_a_reason(client, family, dad, key_worker):
    member = _member(dad)
    client.force_login(key_worker)
    assert _url(family, member) in client.get(family.get_absolute_url()).content.decode()
    response = client.get(_url(family, member))
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-warning-text" in html and "Remove Imran from the household" in html
    response = client.post(_url(family, member), {"reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and 'href="#id_reason"' in html
    assert _member(dad).pk == member.pk  # still in the household


def test_removal_is_audited_with_the_reason_and_listed_for_staff(
    client, family, dad, key_worker, django_capture_on_commit_callbacks
):
    member = _member(dad)
    client.force_login(key_worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(family, member), {"reason": REASON})
    assert response.status_code == 302 and response["Location"] == family.get_absolute_url()
    gone = FamilyMember.everyone.get(pk=member.pk)
    assert gone.user is None and gone.left_at is not None and gone.removed_by == key_worker
    event = AuditEvent.objects.get(action=AuditEvent.Action.REMOVE)
    assert event.actor == key_worker and event.family == family
    assert event.object_type == "FamilyMember" and event.reason == REASON
    html = client.get(family.get_absolute_url()).content.decode()
    assert "People who have left the household" in html and REASON in html


def test_everything_ends_at_once_and_a_new_sign_in_finds_nothing(
    family, parent, dad, key_worker, django_capture_on_commit_callbacks
):
    conversation = chat_services.conversation_key_worker_ensure(family=family)
    send(key_worker, conversation, "Hello both")
    with django_capture_on_commit_callbacks(execute=True):
        notify_users(recipients=[dad], verb="A plan review is coming up", family=family)
    assert Notification.objects.filter(recipient=dad).exists()
    phone, laptop = Client(), Client()
    phone.force_login(dad)
    laptop.force_login(dad)
    assert phone.get(family.get_absolute_url()).status_code == 200

    services.safe_contact_set(user=dad, by_email=True, by_text=False, by_phone=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.family_member_remove(member=_member(dad), actor=key_worker, reason=REASON)
    assert not SafeContact.objects.exists()

    # Every session they had has ended: the next request on each device is refused.
    for device in (phone, laptop):
        response = device.get(family.get_absolute_url())
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(dad.pk)
    ]
    # Signed in afresh on another browser, they find nothing of the family.
    browser = Client()
    browser.force_login(dad)
    assert browser.get(family.get_absolute_url()).status_code == 404
    assert browser.get(conversation.get_absolute_url()).status_code == 404
    dashboard = browser.get(reverse("portal:dashboard")).content.decode()
    assert family.display_name not in dashboard and "Your key worker" not in dashboard
    assert "Hello both" not in browser.get(reverse("chat:inbox")).content.decode()
    assert not Notification.objects.filter(recipient=dad).exists()
    assert Participant.objects.get(conversation=conversation, user=dad).left_at is not None
    # The rest of the household carries on.
    still = Client()
    still.force_login(parent)
    assert still.get(conversation.get_absolute_url()).status_code == 200


def test_new_messages_never_reach_someone_who_left(
    family, parent, dad, key_worker, django_capture_on_commit_callbacks
):
    from django.core import mail

    conversation = chat_services.conversation_key_worker_ensure(family=family)
    with django_capture_on_commit_callbacks(execute=True):
        services.family_member_remove(member=_member(dad), actor=key_worker, reason=REASON)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send(key_worker, conversation, "For Aisha only")
    assert dad.email not in [to for email in mail.outbox for to in email.to]
    assert not Notification.objects.filter(recipient=dad).exists()


def test_an_open_invitation_for_them_stops_working_and_they_cannot_be_invited_back(
    family, key_worker
):
    member = services.family_member_add(family=family, name="Lee", relationship="other_adult")
    _invitation, token = services.invitation_create(
        family=family, email="lee@example.org", actor=key_worker, member=member
    )
    services.family_member_remove(member=member, actor=key_worker, reason=REASON)
    assert services.invitation_lookup(token=token) is None
    gone = FamilyMember.everyone.get(pk=member.pk)
    with pytest.raises(Exception, match="left the household"):
        services.invitation_create(
            family=family, email="lee@example.org", actor=key_worker, member=gone
        )
    assert Invitation.objects.filter(member=member).count() == 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [("parent", 404), ("named_partner", 404), ("other_key_worker", "reason"), ("editor", 404)],
)
def test_only_staff_who_manage_the_family_may_remove_someone(
    client, family, parent, dad, role, expected
):
    people = {
        "parent": parent,
        "named_partner": factories.partner(family),
        "other_key_worker": factories.staff(StaffProfile.Role.KEY_WORKER),
        "editor": factories.staff(StaffProfile.Role.EDITOR),
    }
    client.force_login(people[role])
    url = _url(family, _member(dad))
    for response in (client.get(url), client.post(url, {"reason": REASON})):
        if expected == "reason":
            assert response.status_code == 302
            assert "/reason/" in response["Location"]
        else:
            assert response.status_code == expected
    assert _member(dad).user == dad


def test_a_manager_with_a_reason_may_remove_someone(client, family, dad, manager):
    client.force_login(manager)
    url = _url(family, _member(dad))
    client.post(
        reverse("portal:family_reason", kwargs={"family_id": family.pk}),
        {"reason": "Court order received today for this family", "next": url},
    )
    assert client.post(url, {"reason": REASON}).status_code == 302
    assert not FamilyMember.objects.filter(user=dad).exists()


def test_children_and_other_families_members_are_404(client, family, key_worker):
    child = factories.child(family, name="Zara")
    other = factories.family(key_worker=factories.staff())
    stranger = factories.parent(other)
    client.force_login(key_worker)
    assert client.get(_url(family, child)).status_code == 404
    assert client.get(_url(family, _member(stranger))).status_code == 404
    assert client.get(_url(other, _member(stranger))).status_code == 302  # reason first


def test_someone_who_left_can_join_another_family_later(family, dad, key_worker):
    services.family_member_remove(member=_member(dad), actor=key_worker, reason=REASON)
    elsewhere = factories.family(key_worker=key_worker, name="New household")
    services.family_member_add(family=elsewhere, name="Imran", relationship="dad", user=dad)
    assert _member(dad).family == elsewhere
