"""Who may read and write which conversation, built on the portal's access policy.

Participants only: the family's adults, the family's lead key worker (key worker
conversation), the matched mentor while the match lasts (mentor conversation). The
family's key worker may read a mentor conversation when the family agreed to that or a
concern was raised. A service manager may read a reported conversation with a recorded
reason, and that read is audited. Anything else is a 404, like a missing conversation.

A private conversation belongs to one adult (``Conversation.owner``): of the family only
they may open it, be told of it or count it; every other adult of the household gets the
404 a stranger gets. While the lead key worker is on leave, or outside the working hours
they set (a bank holiday is outside everyone's), the day's duty key worker (the rota
managers set) covers the family's key worker conversations, private ones included: they
read and answer under their own name, and every read is audited.

A team conversation (``Conversation.Kind.TEAM``) is between the family's lead key worker
and its matched mentor while the match lasts, to arrange support; the duty key worker
covers it too. No adult of the family may open it (they are told it exists, nothing
more), and a mentor whose match ended, a previous key worker or a partner gets the 404.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access as portal_access
from portal.access import AnyUser
from portal.models import Family, User
from portal.prepared import prepared
from portal.working_time import is_closed_day
from safeguarding import selectors as safeguarding_selectors

from .models import Conversation, DutyDay, Leave, Message, Participant, WorkingHours


class Role(enum.StrEnum):
    FAMILY = "family"
    KEY_WORKER = "key_worker"
    MENTOR = "mentor"
    OBSERVER = "observer"
    MANAGER = "manager"
    # The duty key worker covering for the lead key worker (Participant.Role.COVER).
    COVER = "cover"


STAFF_ROLES = {Role.KEY_WORKER, Role.OBSERVER, Role.MANAGER, Role.COVER}
WRITERS = {Role.FAMILY, Role.KEY_WORKER, Role.MENTOR, Role.COVER}


@dataclass(frozen=True)
class ConversationAccess:
    conversation: Conversation
    role: Role
    # False when remembered by a socket since it connected rather than checked just now.
    checked_now: bool = True

    @property
    def can_write(self) -> bool:
        return self.role in WRITERS and not self.conversation.is_closed

    @property
    def is_family(self) -> bool:
        return self.role is Role.FAMILY

    @property
    def is_participant(self) -> bool:
        return self.role is not Role.MANAGER


def key_worker_may_read_mentor_conversation(conversation: Conversation) -> bool:
    return conversation.shared_with_key_worker or conversation.concern_raised_at is not None


# Cover ------------------------------------------------------------------------------------


def working_at(hours: list[WorkingHours], when: datetime) -> bool:
    """Whether ``when`` falls inside one of these working-hours rows (local time), on a
    day the service is open: nobody is in their hours on a bank holiday."""
    local = timezone.localtime(when)
    if is_closed_day(local.date()):
        return False
    return any(
        row.weekday == local.weekday() and row.starts <= local.time() < row.ends for row in hours
    )


def key_worker_away(user: User, *, now: datetime | None = None) -> bool:
    """On leave today, or outside the working hours they set (none set: never out of
    hours, only on leave)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if Leave.objects.filter(user=user, starts__lte=today, ends__gte=today).exists():
        return True
    hours = list(WorkingHours.objects.filter(user=user))
    return bool(hours) and not working_at(hours, now)


def away_key_worker_ids(*, now: datetime | None = None) -> set[int]:
    """Every key worker away right now (as ``key_worker_away``), in three queries."""
    from portal.models import StaffProfile

    now = now or timezone.now()
    today = timezone.localdate(now)
    workers = set(
        StaffProfile.objects.filter(
            role=StaffProfile.Role.KEY_WORKER, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    away = set(
        Leave.objects.filter(user_id__in=workers, starts__lte=today, ends__gte=today).values_list(
            "user_id", flat=True
        )
    )
    hours: dict[int, list[WorkingHours]] = {}
    for row in WorkingHours.objects.filter(user_id__in=workers - away):
        hours.setdefault(row.user_id, []).append(row)
    away.update(uid for uid, rows in hours.items() if not working_at(rows, now))
    return away


def duty_key_worker(*, now: datetime | None = None) -> User | None:
    """Today's duty key worker from the rota, unless they are on leave themselves."""
    today = timezone.localdate(now or timezone.now())
    duty = DutyDay.objects.select_related("key_worker").filter(date=today).first()
    if duty is None or not duty.key_worker.is_active:
        return None
    worker = duty.key_worker
    if not portal_access.is_key_worker(worker):
        return None
    if Leave.objects.filter(user=worker, starts__lte=today, ends__gte=today).exists():
        return None
    return worker


def covering_key_worker(family: Family, *, now: datetime | None = None) -> User | None:
    """Who covers this family's key worker (and team) conversations right now: the duty key worker,
    while the lead key worker is away. None when nobody needs to."""
    lead = family.lead_key_worker if family.lead_key_worker_id else None
    if lead is None or not key_worker_away(lead, now=now):
        return None
    duty = duty_key_worker(now=now)
    if duty is None or duty.pk == lead.pk:
        return None
    return duty


def _covers(user: User, conversation: Conversation) -> bool:
    if not portal_access.is_key_worker(user):
        return False
    duty = covering_key_worker(conversation.family)
    return duty is not None and duty.pk == user.pk


def _is_active_mentor(user: User, conversation: Conversation, mentor_ids: set[int] | None) -> bool:
    if mentor_ids is not None:
        return conversation.pk in mentor_ids
    return Participant.objects.filter(
        conversation=conversation,
        user=user,
        role=Participant.Role.MENTOR,
        left_at__isnull=True,
    ).exists()


def conversation_role(
    user: AnyUser, conversation: Conversation, *, mentor_ids: set[int] | None = None
) -> Role | None:
    """The part a person plays in a conversation, or None. No audit, no exceptions.

    ``mentor_ids`` may carry the ids of conversations where the user is an active
    mentor participant, to save a query per conversation in lists.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    member = portal_access.membership(user)
    if member is not None and member.family_id == conversation.family_id:
        if conversation.is_team:
            return None  # the family knows it exists, and cannot read it
        if conversation.owner_id is not None and conversation.owner_id != user.pk:
            return None  # another adult's private conversation: as if it did not exist
        if conversation.owner_id is not None and not member.is_adult:
            return None
        return Role.FAMILY
    family = conversation.family
    is_lead = family.lead_key_worker_id == user.pk and portal_access.is_key_worker(user)
    if conversation.with_key_worker:
        if is_lead:
            return Role.KEY_WORKER
        return Role.COVER if _covers(user, conversation) else None
    if conversation.is_team:
        if is_lead:
            return Role.KEY_WORKER
        if _is_active_mentor(user, conversation, mentor_ids):
            return Role.MENTOR
        return Role.COVER if _covers(user, conversation) else None
    if _is_active_mentor(user, conversation, mentor_ids):
        return Role.MENTOR
    if is_lead and key_worker_may_read_mentor_conversation(conversation):
        return Role.OBSERVER
    return None


def socket_may_use(user: AnyUser, conversation: Conversation) -> ConversationAccess | None:
    """Access for live events over the socket (no audit per frame; staff need MFA)."""
    role = conversation_role(user, conversation)
    if role is None:
        return None
    if role in STAFF_ROLES and not portal_access.mfa_passed(user):
        return None
    return ConversationAccess(conversation=conversation, role=role)


@prepared(conversation_id=int)
def _conversation(*, conversation_id: int) -> QuerySet[Conversation]:
    """A conversation with its family and their key worker (every conversation page)."""
    return Conversation.objects.select_related("family", "family__lead_key_worker").filter(
        pk=conversation_id
    )


def conversation_for_user(
    user: AnyUser, conversation_id: int, *, path: str = ""
) -> ConversationAccess:
    """Open a conversation for a page, or raise Http404.

    Staff reads go through ``portal.access.family_access``, which needs two-step sign-in,
    asks for a reason outside the caseload and writes the audit event.
    """
    conversation = _conversation.first(conversation_id=conversation_id)
    if conversation is None:
        raise Http404
    role = conversation_role(user, conversation)
    if role is None:
        if portal_access.is_manager(user) and safeguarding_selectors.conversation_has_concern(
            conversation_id=conversation.pk
        ):
            # Raises ReasonRequired without a current reason; audits the read with it.
            portal_access.family_access(user, conversation.family, record=conversation, path=path)
            return ConversationAccess(conversation=conversation, role=Role.MANAGER)
        raise Http404
    if role is Role.COVER:
        portal_access.record_access_audit(
            user,
            conversation.family,
            record=conversation,
            reason=_("Covering as duty key worker"),
            path=path,
        )
    elif role in STAFF_ROLES:
        portal_access.family_access(user, conversation.family, record=conversation, path=path)
    return ConversationAccess(conversation=conversation, role=role)


def team_conversation_for_user(user: AnyUser, family_id: int) -> Conversation:
    """The family's team conversation (the open one, else the newest) for its key worker,
    whoever covers them or its matched mentor, or Http404. No audit: the conversation's
    own page audits the read."""
    found = (
        Conversation.objects.select_related("family", "family__lead_key_worker")
        .filter(family_id=family_id, kind=Conversation.Kind.TEAM)
        .order_by(F("closed_at").desc(nulls_first=True), "-id")
    )
    for conversation in found[:5]:
        if conversation_role(user, conversation) is not None:
            return conversation
    raise Http404


def message_in(access: ConversationAccess, message_id: int) -> Message:
    """A message of a conversation already opened through ``conversation_for_user``, or
    Http404."""
    message = Message.objects.filter(pk=message_id, conversation=access.conversation).first()
    if message is None:
        raise Http404
    return message


def attachment_for_user(user: AnyUser, message_id: int, *, path: str = "") -> Message:
    """A message with its attachment, for someone who may read its conversation, or
    Http404 (also when the message was deleted or has no attachment)."""
    found = Message.objects.filter(pk=message_id).only("pk", "conversation_id").first()
    if found is None:
        raise Http404
    conversation_for_user(user, found.conversation_id, path=path)
    message = Message.objects.get(pk=found.pk)
    if message.is_deleted or not message.attachment:
        raise Http404
    return message
