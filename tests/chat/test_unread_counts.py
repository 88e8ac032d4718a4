"""The menu's unread counts (written as SQL) agree with the ORM's own count."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.utils import timezone

from chat import selectors, services
from chat.models import Participant
from portal.notify import notify_users
from tests import factories
from tests.helpers.chat import access_for, send


def _orm_unread_messages(user_id: int) -> int:
    return Participant.objects.filter(user_id=user_id, left_at__isnull=True).aggregate(
        n=Count(
            "conversation__messages",
            filter=Q(conversation__messages__id__gt=F("last_read_id"))
            & ~Q(conversation__messages__sender_id=user_id)
            & Q(conversation__messages__deleted_at__isnull=True),
        )
    )["n"]


def test_unread_counts_leave_out_own_read_deleted_and_left_conversations(db, key_worker):
    family = factories.family(key_worker=key_worker)
    parent = factories.parent(family)
    other = factories.family(key_worker=key_worker, name="Another family")
    other_parent = factories.parent(other)
    mine = services.conversation_key_worker_ensure(family=family)
    theirs = services.conversation_key_worker_ensure(family=other)
    # Sending marks the sender's conversation read up to their own message.
    send(parent, mine, body="my own words")
    for n in range(3):
        send(key_worker, mine, body=f"to us {n}")
    deleted = send(key_worker, mine, body="taken back")
    services.message_delete(access=access_for(key_worker, mine), message=deleted, user=key_worker)
    for n in range(4):
        send(other_parent, theirs, body=f"to the key worker {n}")

    assert selectors.unread_counts(parent.pk).messages == 3 == _orm_unread_messages(parent.pk)
    # The key worker's own replies marked the parent's message read.
    assert selectors.unread_counts(key_worker.pk).messages == 4
    assert _orm_unread_messages(key_worker.pk) == 4

    # Reading a conversation, and leaving one, take its messages out of the count.
    services.conversation_read_mark(
        access=access_for(parent, mine), user=parent, up_to=mine.messages.last().pk
    )
    assert selectors.unread_counts(parent.pk).messages == 0 == _orm_unread_messages(parent.pk)
    Participant.objects.filter(conversation=theirs, user=key_worker).update(left_at=timezone.now())
    assert selectors.unread_counts(key_worker.pk).messages == 0
    assert _orm_unread_messages(key_worker.pk) == 0


def test_unread_notifications_count_only_the_persons_unread_ones(
    db, key_worker, django_capture_on_commit_callbacks
):
    family = factories.family(key_worker=key_worker)
    parent = factories.parent(family)
    with django_capture_on_commit_callbacks(execute=True):
        notify_users(recipients=[parent, key_worker], verb="one")
        notify_users(recipients=[parent], verb="two")
    assert selectors.unread_counts(parent.pk) == (0, 2)
    parent.notifications.filter(verb="one").update(unread=False)
    assert selectors.unread_counts(parent.pk).notifications == 1
    assert selectors.unread_notification_count(key_worker.pk) == 1


def test_the_menu_asks_for_both_counts_once_a_page(
    client, django_assert_num_queries, session_queries, key_worker
):
    family = factories.family(key_worker=key_worker)
    parent = factories.parent(family)
    conversation = services.conversation_key_worker_ensure(family=family)
    send(key_worker, conversation, body="hello")
    client.force_login(parent)
    client.get("/accessibility/")
    # The person and the menu's two counts.
    with django_assert_num_queries(session_queries + 2) as page:
        response = client.get("/accessibility/")
    counting = [q["sql"] for q in page.captured_queries if "COUNT(*)" in q["sql"].upper()]
    assert len(counting) == 1
    assert 'data-live-count="messages"' in response.content.decode()
