"""Every role against every kind of chat record, through the real URLs."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from chat import services
from chat.models import Conversation
from portal.models import AccessGrant, AuditEvent, FamilyMember, StaffProfile
from tests import factories
from tests.helpers.chat import access_for, png_bytes, send
from tests.helpers.safeguarding import report_message


@pytest.fixture
def world(family, parent, dad, key_worker, other_parent, partner, manager, editor, mentor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    conversation = services.conversation_key_worker_ensure(family=family)
    mentor_conversation = services.conversation_mentor_open(
        family=family, mentor=mentor, match_id=1
    )
    message = send(
        parent,
        conversation,
        body="hello",
        attachment=SimpleUploadedFile("a.png", png_bytes(), "image/png"),
    )
    mentor_message = send(parent, mentor_conversation, body="hi mentor")
    # Aisha's own: with the key worker, and with the mentor. Imran is "second_adult".
    private = Conversation.objects.get(kind=Conversation.Kind.PRIVATE, owner=parent)
    private_message = send(
        parent,
        private,
        body="just for Kim",
        attachment=SimpleUploadedFile("b.png", png_bytes(), "image/png"),
    )
    private_mentor = services.conversation_private_mentor_open(
        access=access_for(parent, mentor_conversation), user=parent
    )
    send(parent, private_mentor, body="just for Jo")
    other_worker = factories.staff(StaffProfile.Role.KEY_WORKER)
    worker_with_reason = factories.staff(StaffProfile.Role.KEY_WORKER)
    AccessGrant.objects.create(
        user=worker_with_reason,
        family=family,
        reason="Covering for a colleague on leave",
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    unnamed_partner = factories.partner(None)
    manager_with_reason = factories.staff(StaffProfile.Role.MANAGER)
    AccessGrant.objects.create(
        user=manager_with_reason,
        family=family,
        reason="A message was reported to me",
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    from portal import services as portal_services

    unmatched_mentor = portal_services.user_create(
        email="unmatched@example.org", password=factories.PASSWORD
    )
    # An adult who was in both conversations, then removed from the household.
    removed_adult = factories.parent(family, name="Imran", relationship="dad")
    services.conversation_key_worker_ensure(family=family)
    send(removed_adult, conversation, body="before I left")
    portal_services.family_member_remove(
        member=FamilyMember.objects.get(user=removed_adult),
        actor=key_worker,
        reason="Moved out after a court order",
    )
    services.family_member_left(family=family, user=removed_adult)
    return {
        "conversation": conversation,
        "mentor_conversation": mentor_conversation,
        "message": message,
        "mentor_message": mentor_message,
        "private": private,
        "private_message": private_message,
        "private_mentor": private_mentor,
        "people": {
            "parent": parent,
            "second_adult": dad,
            "other_parent": other_parent,
            "lead_key_worker": key_worker,
            "other_key_worker": other_worker,
            "key_worker_with_reason": worker_with_reason,
            "partner_named": partner,
            "partner_not_named": unnamed_partner,
            "manager": manager,
            "manager_with_reason": manager_with_reason,
            "mentor": mentor,
            "unmatched_mentor": unmatched_mentor,
            "editor": editor,
            "removed_adult": removed_adult,
            "anonymous": None,
        },
    }


# role -> (key worker conversation, mentor conversation, attachment)
EXPECTED = {
    "parent": (200, 200, 200),
    "second_adult": (200, 200, 200),
    "other_parent": (404, 404, 404),
    "lead_key_worker": (200, 404, 200),
    "other_key_worker": (404, 404, 404),
    "key_worker_with_reason": (404, 404, 404),
    "partner_named": (404, 404, 404),
    "partner_not_named": (404, 404, 404),
    "manager": (404, 404, 404),
    "manager_with_reason": (404, 404, 404),
    "mentor": (404, 200, 404),
    "unmatched_mentor": (404, 404, 404),
    "editor": (404, 404, 404),
    "removed_adult": (404, 404, 404),
    "anonymous": (302, 302, 302),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_access_matrix(client, world, role):
    person = world["people"][role]
    if person is not None:
        client.force_login(person)
    urls = (
        f"/messages/{world['conversation'].pk}/",
        f"/messages/{world['mentor_conversation'].pk}/",
        f"/messages/attachments/{world['message'].pk}/",
    )
    got = tuple(client.get(url).status_code for url in urls)
    assert got == EXPECTED[role]


# role -> (private key worker conversation, its attachment, private mentor conversation):
# one adult's own; the other adult of the household gets what a stranger gets.
PRIVATE_EXPECTED = {
    "parent": (200, 200, 200),
    "second_adult": (404, 404, 404),
    "lead_key_worker": (200, 200, 404),
    "other_key_worker": (404, 404, 404),
    "key_worker_with_reason": (404, 404, 404),
    "partner_named": (404, 404, 404),
    "partner_not_named": (404, 404, 404),
    "manager": (404, 404, 404),
    "manager_with_reason": (404, 404, 404),
    "mentor": (404, 404, 200),
    "unmatched_mentor": (404, 404, 404),
    "editor": (404, 404, 404),
    "anonymous": (302, 302, 302),
}


@pytest.mark.parametrize("role", list(PRIVATE_EXPECTED))
def test_private_access_matrix(client, world, role):
    person = world["people"][role]
    if person is not None:
        client.force_login(person)
    urls = (
        f"/messages/{world['private'].pk}/",
        f"/messages/attachments/{world['private_message'].pk}/",
        f"/messages/{world['private_mentor'].pk}/",
    )
    assert tuple(client.get(url).status_code for url in urls) == PRIVATE_EXPECTED[role]


@pytest.mark.parametrize("record", ["private", "private_mentor"])
def test_second_adult_cannot_post_to_a_private_conversation(client, world, record):
    conversation = world[record]
    message = conversation.messages.get()
    client.force_login(world["people"]["second_adult"])
    for url, data in (
        (f"/messages/{conversation.pk}/send/", {"body": "x", "client_id": str(uuid.uuid4())}),
        (f"/messages/{conversation.pk}/messages/{message.pk}/delete/", {}),
        (f"/messages/{conversation.pk}/messages/{message.pk}/report/", {"reason": ""}),
        (f"/messages/{conversation.pk}/share/", {"shared": "yes"}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert conversation.messages.count() == 1


@pytest.mark.parametrize("record", ["private", "private_mentor"])
def test_second_adult_is_told_nothing_of_a_private_conversation(
    client, world, record, django_capture_on_commit_callbacks
):
    """No notification, email, count, inbox row or socket access for the other adult."""
    from django.core import mail

    from chat import selectors
    from chat.access import socket_may_use

    dad = world["people"]["second_adult"]
    parent = world["people"]["parent"]
    conversation = world[record]
    other = world["people"]["lead_key_worker" if record == "private" else "mentor"]
    mail.outbox.clear()
    unread_before = selectors.unread_total(dad.pk)
    notes_before = selectors.unread_notification_count(dad.pk)
    with django_capture_on_commit_callbacks(execute=True):
        send(other, conversation, body="a reply")
        send(parent, conversation, body="and back")
    assert any(parent.email in m.to for m in mail.outbox)  # the owner was told
    assert selectors.unread_total(dad.pk) == unread_before
    assert selectors.unread_notification_count(dad.pk) == notes_before
    assert all(dad.email not in m.to for m in mail.outbox)
    assert socket_may_use(dad, conversation) is None
    rows = selectors.conversation_list_for_user(user=dad)
    assert conversation.pk not in {row.conversation_id for row in rows}
    client.force_login(dad)
    page = client.get("/messages/").content.decode()
    assert "a reply" not in page and "and back" not in page
    assert f"/messages/{conversation.pk}/" not in page


@pytest.mark.parametrize("role", [r for r, codes in EXPECTED.items() if codes[0] != 200])
def test_people_outside_a_conversation_cannot_post_to_it(client, world, role):
    person = world["people"][role]
    if person is not None:
        client.force_login(person)
    conversation = world["conversation"]
    message = world["message"]
    for url, data in (
        (f"/messages/{conversation.pk}/send/", {"body": "x", "client_id": str(uuid.uuid4())}),
        (f"/messages/{conversation.pk}/messages/{message.pk}/delete/", {}),
        (f"/messages/{conversation.pk}/messages/{message.pk}/report/", {"reason": ""}),
    ):
        expected = 302 if person is None else 404
        assert client.post(url, data).status_code == expected
    message.refresh_from_db()
    assert not message.is_deleted
    assert conversation.messages.count() == 2  # the parent's, and one from before Imran left


def test_manager_reads_a_reported_conversation_only_with_a_reason(client, world, manager):
    report_message(
        world["conversation"], world["message"], world["people"]["lead_key_worker"], "Rude"
    )
    url = f"/messages/{world['conversation'].pk}/"
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/families/{world['conversation'].family_id}/reason/")
    client.force_login(world["people"]["manager_with_reason"])
    before = AuditEvent.objects.count()
    response = client.get(url)
    assert response.status_code == 200
    assert b"Reported by" in response.content and b"Rude" in response.content
    assert b"data-send-form" not in response.content
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.object_type == "Conversation" and event.reason == "A message was reported to me"
    # The unreported mentor conversation stays closed to them.
    assert client.get(f"/messages/{world['mentor_conversation'].pk}/").status_code == 404


def test_lead_key_worker_reading_is_audited(client, world, key_worker):
    client.force_login(key_worker)
    client.get(f"/messages/{world['conversation'].pk}/")
    event = AuditEvent.objects.order_by("-id").first()
    assert event.actor == key_worker and event.object_type == "Conversation"


def test_key_worker_reads_mentor_conversation_when_the_family_agrees(
    client, world, parent, key_worker
):
    url = f"/messages/{world['mentor_conversation'].pk}/"
    client.force_login(parent)
    assert client.post(url + "share/", {"shared": "yes"}).status_code == 302
    client.force_login(key_worker)
    response = client.get(url)
    assert response.status_code == 200
    assert b"hi mentor" in response.content
    assert b"data-send-form" not in response.content
    client.force_login(parent)
    client.post(url + "share/", {"shared": "no"})
    client.force_login(key_worker)
    assert client.get(url).status_code == 404


def test_key_worker_reads_mentor_conversation_after_a_concern(client, world, key_worker, mentor):
    from portal.signals import concern_raised

    url = f"/messages/{world['mentor_conversation'].pk}/"
    client.force_login(key_worker)
    assert client.get(url).status_code == 404
    concern_raised.send(
        sender=None, family=world["conversation"].family, mentor=mentor, concern_id=3
    )
    assert client.get(url).status_code == 200


def test_mentor_cannot_share_or_see_share_choice(client, world, mentor):
    client.force_login(mentor)
    url = f"/messages/{world['mentor_conversation'].pk}/"
    assert b"Who else can read" not in client.get(url).content
    assert client.post(url + "share/", {"shared": "yes"}).status_code == 404


def test_ended_match_removes_the_mentor_and_keeps_history_for_the_family(
    client, world, parent, mentor, django_capture_on_commit_callbacks
):
    from portal.notify import notify_users
    from portal.signals import mentor_match_ended

    family = world["conversation"].family
    with django_capture_on_commit_callbacks(execute=True):
        notify_users(recipients=[mentor], verb="Aisha wrote to you", url="/", family=family)
        notify_users(recipients=[mentor], verb="Something else", url="/")
    assert mentor.notifications.count() == 2
    mentor_match_ended.send(sender=None, family=family, mentor=mentor, match_id=1, reason="done")
    url = f"/messages/{world['mentor_conversation'].pk}/"
    client.force_login(mentor)
    assert client.get(url).status_code == 404
    # What they were told about the family is withdrawn; the rest stays.
    assert list(mentor.notifications.values_list("verb", flat=True)) == ["Something else"]
    client.force_login(parent)
    response = client.get(url)
    assert response.status_code == 200 and b"hi mentor" in response.content
    assert b"data-send-form" not in response.content
    assert (
        client.post(url + "send/", {"body": "x", "client_id": str(uuid.uuid4())}).status_code == 404
    )
