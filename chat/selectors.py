"""Reads of conversations, messages, unread counts and notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.models import StaffProfile, User
from portal.prepared import Rows, prepared
from portal.working_time import one_working_day_before

from .access import conversation_role, duty_key_worker, working_at
from .models import (
    Conversation,
    DutyDay,
    Leave,
    Message,
    Participant,
    WorkingHours,
)

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
        .select_related("conversation__family__lead_key_worker", "conversation__owner")
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


def team_mentor_names(*, family_id: int) -> list[str]:
    """The peer mentors the family's key worker has an open team conversation with, by
    name (one query): all the family is told of it, never its messages, count or times."""
    rows = (
        Participant.objects.filter(
            conversation__family_id=family_id,
            conversation__kind=Conversation.Kind.TEAM,
            conversation__closed_at__isnull=True,
            role=Participant.Role.MENTOR,
            left_at__isnull=True,
        )
        .select_related("user")
        .only("user__preferred_name", "user__first_name", "user__last_name", "user__email")
        .order_by("conversation_id")
    )
    return [row.user.display_name for row in rows]


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


def _with_senders(messages: QuerySet[Message]) -> QuerySet[Message]:
    """Messages with only what the page shows of their senders (``User.display_name``):
    less to read, and less to describe for the kept fragment's key."""
    fields = [field.name for field in Message._meta.concrete_fields]
    sender = [f"sender__{name}" for name in ("preferred_name", "first_name", "last_name", "email")]
    return messages.select_related("sender").only(*fields, *sender)


@prepared(conversation_id=int)
def _latest_messages(*, conversation_id: int) -> QuerySet[Message]:
    messages = Message.objects.filter(conversation_id=conversation_id)
    return _with_senders(messages).order_by("-id")[:PAGE_SIZE]


@prepared(conversation_id=int, before=int)
def _messages_before(*, conversation_id: int, before: int) -> QuerySet[Message]:
    messages = Message.objects.filter(conversation_id=conversation_id, id__lt=before)
    return _with_senders(messages).order_by("-id")[:PAGE_SIZE]


def messages_page(*, conversation: Conversation, before: int | None = None) -> Rows[Message]:
    """The latest messages (or those before an id), oldest first, with senders (each
    shape compiled once: ``portal.prepared``). Their objects are built only if something
    reads them: a kept fragment of the page is found from the rows themselves."""
    if before:
        page = _messages_before.lazy_rows(conversation_id=conversation.pk, before=before)
    else:
        page = _latest_messages.lazy_rows(conversation_id=conversation.pk)
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


class ReadState(NamedTuple):
    mine: int
    # How far the others have received and read: {"read": id, "delivered": id}.
    receipts: dict[str, int]
    # The duty key worker in the conversation while the lead key worker is away.
    cover: User | None


@prepared(conversation_id=int)
def _read_rows(*, conversation_id: int) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(conversation_id=conversation_id, left_at__isnull=True)
        .select_related("user")
        .only(
            "user_id",
            "role",
            "last_read_id",
            "last_delivered_id",
            "user__preferred_name",
            "user__first_name",
            "user__last_name",
            "user__email",
        )
    )


def read_state(*, conversation: Conversation, user_id: int) -> ReadState:
    """How far this person has read, how far the others have received and read (for the
    sent, delivered and read ticks), and who covers for the key worker, in one query."""
    rows = _read_rows.rows(conversation_id=conversation.pk)
    mine = next((p.last_read_id for p in rows if p.user_id == user_id), 0)
    others = [p for p in rows if p.user_id != user_id]
    read = min((p.last_read_id for p in others), default=0)
    delivered = min((p.last_delivered_id for p in others), default=0)
    cover = next((p.user for p in rows if p.role == Participant.Role.COVER), None)
    return ReadState(mine, {"read": read, "delivered": max(delivered, read)}, cover)


# Working hours ---------------------------------------------------------------------------


@prepared(user_id=int)
def _working_hours(*, user_id: int) -> QuerySet[WorkingHours]:
    return WorkingHours.objects.filter(user_id=user_id).order_by("weekday")


def working_hours_for(*, user: User | None) -> list[WorkingHours]:
    if user is None:
        return []
    return _working_hours.rows(user_id=user.pk)


def is_working_now(hours: list[WorkingHours], *, now: datetime | None = None) -> bool:
    return working_at(hours, now or timezone.now())


def out_of_hours_text() -> str:
    return str(settings.CHAT_OUT_OF_HOURS_TEXT)


# Cover -----------------------------------------------------------------------------------


def leave_for(*, user: User, today: date | None = None) -> list[Leave]:
    """A key worker's leave from today on, soonest first."""
    today = today or timezone.localdate()
    return list(Leave.objects.filter(user=user, ends__gte=today).order_by("starts", "id"))


def rota_days(*, start: date | None = None, days: int = 14) -> list[tuple[date, DutyDay | None]]:
    """Each day from ``start`` (today) for ``days`` days, with its duty key worker."""
    start = start or timezone.localdate()
    found = {
        d.date: d
        for d in DutyDay.objects.select_related("key_worker").filter(
            date__gte=start, date__lt=start + timedelta(days=days)
        )
    }
    return [(start + timedelta(days=n), found.get(start + timedelta(days=n))) for n in range(days)]


def duty_today() -> User | None:
    return duty_key_worker()


def key_workers() -> QuerySet[User]:
    return User.objects.filter(
        staff_profile__role=StaffProfile.Role.KEY_WORKER, is_active=True
    ).order_by("first_name", "last_name", "id")


@dataclass(frozen=True)
class Waiting:
    """A conversation whose family waits for an answer: since the first message no member
    of staff has answered (``message_id``), sent at ``since``."""

    conversation: Conversation
    message_id: int
    since: datetime


def unanswered_conversations(*, now: datetime | None = None) -> list[Waiting]:
    """Key worker conversations (private ones too) whose family has waited more than a
    working day for an answer from staff, longest waiting first. No message content.

    Plain queries, none nested in another's rows: each open conversation's last message
    from staff; the first message after it (every message after it is the family's), one
    query for each 500 conversations; when those were sent; the conversations that waited
    too long. Four queries up to 500 open conversations. One query
    with the staff lookup inside the per-message one took PostgreSQL 13 s for 1,000
    families of 200 messages (benchmarks/pages' data); these take milliseconds.
    """
    cutoff = one_working_day_before(now or timezone.now())
    last_staff = (
        Message.objects.filter(conversation_id=OuterRef("pk"), sender__staff_profile__isnull=False)
        .order_by("-id")
        .values("id")[:1]
    )
    answered = list(
        Conversation.objects.filter(
            kind__in=Conversation.KEY_WORKER_KINDS,
            closed_at__isnull=True,
            last_message_at__isnull=False,
        )
        .annotate(answered_id=Coalesce(Subquery(last_staff), 0))
        .values_list("pk", "answered_id")
    )
    first: dict[int, int] = {}
    for start in range(0, len(answered), _UNANSWERED_CHUNK):
        after = Q()
        for conversation_id, answered_id in answered[start : start + _UNANSWERED_CHUNK]:
            after |= Q(conversation_id=conversation_id, id__gt=answered_id)
        first.update(
            Message.objects.filter(after, deleted_at__isnull=True)
            .order_by()
            .values("conversation_id")
            .annotate(first_id=Min("id"))
            .values_list("conversation_id", "first_id")
        )
    since = dict(
        Message.objects.filter(pk__in=first.values(), created_at__lt=cutoff).values_list(
            "conversation_id", "created_at"
        )
    )
    rows = Conversation.objects.filter(pk__in=since).select_related("family__lead_key_worker")
    found = [
        Waiting(conversation=row, message_id=first[row.pk], since=since[row.pk]) for row in rows
    ]
    found.sort(key=lambda waiting: (waiting.since, waiting.conversation.pk))
    return found


# Conversations whose "after the last answer" conditions go in one query.
_UNANSWERED_CHUNK = 500


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
