"""Reads of conversations, messages, unread counts and notifications."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from portal.models import User
from portal.prepared import prepared

from .access import conversation_role
from .models import Conversation, Message, Participant, WorkingHours

if TYPE_CHECKING:
    from notifications.models import Notification

PAGE_SIZE = 50
REPLAY_LIMIT = 500


def _unread_filter(user_id: int) -> Q:
    return (
        Q(conversation__messages__id__gt=F("last_read_id"))
        & ~Q(conversation__messages__sender_id=user_id)
        & Q(conversation__messages__deleted_at__isnull=True)
    )


def conversation_list_for_user(*, user: User) -> list[Participant]:
    """The conversations a person is in, newest first, each with its unread count.

    Returns participant rows with ``conversation`` (and family, key worker) joined and
    ``unread`` annotated; rows the access policy no longer allows are left out.
    """
    rows = list(
        Participant.objects.filter(user=user, left_at__isnull=True)
        .select_related("conversation__family__lead_key_worker")
        .annotate(unread=Count("conversation__messages", filter=_unread_filter(user.pk)))
        .order_by(F("conversation__last_message_at").desc(nulls_last=True), "conversation_id")
    )
    mentor_ids = {r.conversation_id for r in rows if r.role == Participant.Role.MENTOR}
    allowed: list[Participant] = []
    for row in rows:
        row.chat_role = conversation_role(user, row.conversation, mentor_ids=mentor_ids)
        if row.chat_role is not None:
            allowed.append(row)
    return allowed


class UnreadCounts(NamedTuple):
    messages: int
    notifications: int


def _unread_counts_sql() -> str:
    from notifications.models import Notification

    m, p, n = Message._meta, Participant._meta, Notification._meta
    return (
        f"SELECT (SELECT COUNT(*) FROM {p.db_table} p"  # noqa: S608 - names from models, values are parameters
        f" JOIN {m.db_table} m ON m.conversation_id = p.conversation_id"
        " AND m.id > p.last_read_id AND m.sender_id <> %s AND m.deleted_at IS NULL"
        " WHERE p.user_id = %s AND p.left_at IS NULL),"
        f" (SELECT COUNT(*) FROM {n.db_table} WHERE recipient_id = %s AND unread = %s)"
    )


def unread_counts(user_id: int) -> UnreadCounts:
    """Unread messages across everything a person is in, and unread notifications, in one
    query.

    Every page's menu shows both. Written as SQL because the ORM took about ten times as
    long to build this query as the database took to answer it; the tests compare it with
    the ORM's own count.
    """
    with connection.cursor() as cursor:
        cursor.execute(_unread_counts_sql(), [user_id, user_id, user_id, True])
        messages, notifications = cursor.fetchone()
    return UnreadCounts(int(messages), int(notifications))


def unread_counts_for_page(user: User) -> UnreadCounts:
    """``unread_counts`` once per request: the menu's two badges share one query."""
    counts: UnreadCounts | None = getattr(user, "_chat_unread_counts", None)
    if counts is None:
        counts = unread_counts(user.pk)
        user._chat_unread_counts = counts  # type: ignore[attr-defined]
    return counts


def unread_total(user_id: int) -> int:
    """Unread messages across everything a person is in (one query)."""
    return unread_counts(user_id).messages


@prepared(conversation_id=int)
def _latest_messages(*, conversation_id: int) -> QuerySet[Message]:
    return (
        Message.objects.filter(conversation_id=conversation_id)
        .select_related("sender")
        .order_by("-id")[:PAGE_SIZE]
    )


@prepared(conversation_id=int, before=int)
def _messages_before(*, conversation_id: int, before: int) -> QuerySet[Message]:
    return (
        Message.objects.filter(conversation_id=conversation_id, id__lt=before)
        .select_related("sender")
        .order_by("-id")[:PAGE_SIZE]
    )


def messages_page(*, conversation: Conversation, before: int | None = None) -> list[Message]:
    """The latest messages (or those before an id), oldest first, with senders (each
    shape compiled once: ``portal.prepared``)."""
    if before:
        page = _messages_before.rows(conversation_id=conversation.pk, before=before)
    else:
        page = _latest_messages.rows(conversation_id=conversation.pk)
    page.reverse()
    return page


def newest_message_id(*, conversation_id: int) -> int:
    return Message.objects.filter(conversation_id=conversation_id).aggregate(n=Max("id"))["n"] or 0


def messages_after(*, conversation_id: int, after: int, limit: int = REPLAY_LIMIT) -> list[Message]:
    """Everything after the last id a client saw, in order (for resuming)."""
    return list(
        Message.objects.filter(conversation_id=conversation_id, id__gt=after)
        .select_related("sender")
        .order_by("id")[:limit]
    )


# A deletion is stamped before it commits, so a resume at time T might not yet see one
# stamped just before T: the cursor handed back lags this far behind, and a page may be
# told about the same deletion twice (harmless).
DELETIONS_OVERLAP = timedelta(minutes=1)


def deletions_cursor() -> str:
    """Where the next resume should look for deletions from (ISO 8601, server time)."""
    return (timezone.now() - DELETIONS_OVERLAP).isoformat()


def messages_deleted_since(
    *, conversation_id: int, since: datetime, up_to: int, limit: int = REPLAY_LIMIT
) -> list[Message]:
    """Messages up to an id that were deleted after a time, in order of deletion."""
    return list(
        Message.objects.filter(conversation_id=conversation_id, id__lte=up_to, deleted_at__gt=since)
        .select_related("sender")
        .order_by("deleted_at", "id")[:limit]
    )


@prepared(conversation_id=int)
def _read_rows(*, conversation_id: int) -> QuerySet[Participant, tuple[int, int, int]]:
    return Participant.objects.filter(
        conversation_id=conversation_id, left_at__isnull=True
    ).values_list("user_id", "last_read_id", "last_delivered_id")


def read_state(*, conversation: Conversation, user_id: int) -> tuple[int, dict[str, int]]:
    """How far this person has read, and how far the others have received and read (for
    the sent, delivered and read ticks), in one query."""
    rows = _read_rows.rows(conversation_id=conversation.pk)
    mine = next((read for uid, read, _delivered in rows if uid == user_id), 0)
    others = [(read, delivered) for uid, read, delivered in rows if uid != user_id]
    read = min((r for r, _d in others), default=0)
    delivered = min((d for _r, d in others), default=0)
    return mine, {"read": read, "delivered": max(delivered, read)}


# Working hours ---------------------------------------------------------------------------


@prepared(user_id=int)
def _working_hours(*, user_id: int) -> QuerySet[WorkingHours]:
    return WorkingHours.objects.filter(user_id=user_id).order_by("weekday")


def working_hours_for(*, user: User | None) -> list[WorkingHours]:
    if user is None:
        return []
    return _working_hours.rows(user_id=user.pk)


def is_working_now(hours: list[WorkingHours], *, now: datetime | None = None) -> bool:
    local = timezone.localtime(now or timezone.now())
    for row in hours:
        if row.weekday == local.weekday() and row.starts <= local.time() < row.ends:
            return True
    return False


def out_of_hours_text() -> str:
    return str(settings.CHAT_OUT_OF_HOURS_TEXT)


# Notifications ---------------------------------------------------------------------------


def notifications_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    from notifications.models import Notification

    notifications: QuerySet[Notification] = Notification.objects.filter(recipient=user).order_by(
        "-timestamp", "-id"
    )
    if unread_only:
        notifications = notifications.filter(unread=True)
    return notifications


def unread_notification_count(user_id: int) -> int:
    return unread_counts(user_id).notifications
