"""Every write to conversations, messages, read state and the notification centre.

A message is committed first and broadcast on commit; the channel layer is only a hint.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from redis.exceptions import RedisError

from portal import access as portal_access
from portal import ratelimit
from portal.models import Family, FamilyMember, StaffProfile, User
from portal.notify import email_send, notify_users

from . import live, tasks
from .access import (
    ConversationAccess,
    Role,
    away_key_worker_ids,
    covering_key_worker,
    duty_key_worker,
)
from .attachments import CleanAttachment, attachment_clean
from .formatting import message_html
from .models import (
    Conversation,
    DutyDay,
    Leave,
    Message,
    Participant,
    UnansweredFlag,
    WorkingHours,
)

logger = logging.getLogger(__name__)

MAX_BODY = 2000


class RateLimited(Exception):  # reads as a state
    """The person sent too many messages too quickly."""


# Conversations ---------------------------------------------------------------------------


def _family_adult_user_ids(family: Family) -> list[int]:
    return list(
        FamilyMember.objects.filter(family=family, user__isnull=False, user__is_active=True)
        .exclude(relationship=FamilyMember.Relationship.CHILD)
        .values_list("user_id", flat=True)
    )


def _private_owner_wanted(conversation: Conversation) -> dict[int, str]:
    """The owner of a private conversation while they are still an adult of the family."""
    owner_id = conversation.owner_id
    if owner_id is None:
        return {}
    still_here = FamilyMember.objects.filter(
        family_id=conversation.family_id, user_id=owner_id, user__is_active=True
    ).exclude(relationship=FamilyMember.Relationship.CHILD)
    return {owner_id: Participant.Role.FAMILY} if still_here.exists() else {}


def _is_adult_of(family: Family, user: User) -> bool:
    return (
        FamilyMember.objects.filter(family=family, user=user, user__is_active=True)
        .exclude(relationship=FamilyMember.Relationship.CHILD)
        .exists()
    )


def _staff_answered_id(conversation_id: int) -> int:
    """The newest message of a conversation from staff (0 if none): what a duty key worker
    joining it has no need to read as new."""
    newest = (
        Message.objects.filter(conversation_id=conversation_id, sender__staff_profile__isnull=False)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return newest or 0


def _participants_sync(conversation: Conversation, wanted: dict[int, str]) -> set[int]:
    """Make the active participants match ``wanted`` (user id -> role); return who left."""
    now = timezone.now()
    current = {p.user_id: p for p in conversation.participants.all()}
    for user_id, role in wanted.items():
        existing = current.get(user_id)
        if existing is None:
            seen = _staff_answered_id(conversation.pk) if role == Participant.Role.COVER else 0
            Participant.objects.get_or_create(
                conversation=conversation,
                user_id=user_id,
                defaults={"role": role, "last_read_id": seen, "last_delivered_id": seen},
            )
        elif existing.left_at is not None or existing.role != role:
            existing.left_at = None
            existing.role = role
            existing.save(update_fields=["left_at", "role"])
    removed = {uid for uid, p in current.items() if uid not in wanted and p.left_at is None}
    if removed:
        Participant.objects.filter(conversation=conversation, user_id__in=removed).update(
            left_at=now
        )
    return removed


def _key_worker_wanted(family: Family, conversation: Conversation | None = None) -> dict[int, str]:
    """The family's adults (or a private conversation's owner), the lead key worker, and
    the duty key worker while the lead is away."""
    if conversation is not None and conversation.is_private:
        wanted = _private_owner_wanted(conversation)
    else:
        wanted = {uid: Participant.Role.FAMILY for uid in _family_adult_user_ids(family)}
    lead = family.lead_key_worker if family.lead_key_worker_id else None
    if lead is not None and portal_access.is_key_worker(lead):
        wanted[lead.pk] = Participant.Role.KEY_WORKER
        duty = covering_key_worker(family)
        if duty is not None:
            wanted.setdefault(duty.pk, Participant.Role.COVER)
    return wanted


def _mentor_wanted(conversation: Conversation) -> dict[int, str]:
    family = conversation.family
    wanted: dict[int, str]
    if conversation.is_private:
        wanted = _private_owner_wanted(conversation)
    else:
        wanted = {uid: Participant.Role.FAMILY for uid in _family_adult_user_ids(family)}
    if not conversation.is_closed:
        for mentor_id in conversation.participants.filter(
            role=Participant.Role.MENTOR, left_at__isnull=True
        ).values_list("user_id", flat=True):
            wanted[mentor_id] = Participant.Role.MENTOR
    lead = family.lead_key_worker
    if (
        lead is not None
        and portal_access.is_key_worker(lead)
        and (conversation.shared_with_key_worker or conversation.concern_raised_at)
    ):
        wanted.setdefault(lead.pk, Participant.Role.OBSERVER)
    return wanted


def _team_wanted(conversation: Conversation) -> dict[int, str]:
    """The family's lead key worker; while the match lasts its mentor, and the duty key
    worker while the lead is away. Never an adult of the family."""
    family = conversation.family
    wanted: dict[int, str] = {}
    lead = family.lead_key_worker if family.lead_key_worker_id else None
    if lead is not None and portal_access.is_key_worker(lead):
        wanted[lead.pk] = Participant.Role.KEY_WORKER
    if conversation.is_closed:
        return wanted
    for mentor_id in conversation.participants.filter(
        role=Participant.Role.MENTOR, left_at__isnull=True
    ).values_list("user_id", flat=True):
        wanted[mentor_id] = Participant.Role.MENTOR
    if lead is not None and lead.pk in wanted:
        duty = covering_key_worker(family)
        if duty is not None:
            wanted.setdefault(duty.pk, Participant.Role.COVER)
    return wanted


def _after_access_change(conversation_id: int, user_ids: Collection[int]) -> None:
    if user_ids:
        transaction.on_commit(
            lambda: live.send_to_users(
                user_ids, {"type": "access.changed", "conversation": conversation_id}
            )
        )


def conversation_key_worker_ensure(*, family: Family) -> Conversation:
    """The family's conversation with its key worker team, made on first need.

    Also brings its participants up to date (new adults join, a previous key worker leaves).
    """
    with transaction.atomic():
        conversation = Conversation.objects.filter(
            family=family, kind=Conversation.Kind.KEY_WORKER
        ).first()
        if conversation is None:
            try:
                with transaction.atomic():
                    conversation = Conversation.objects.create(
                        family=family, kind=Conversation.Kind.KEY_WORKER
                    )
            except IntegrityError:
                conversation = Conversation.objects.get(
                    family=family, kind=Conversation.Kind.KEY_WORKER
                )
        conversation.family = family
        removed = _participants_sync(conversation, _key_worker_wanted(family))
        _after_access_change(conversation.pk, removed)
    return conversation


def conversation_private_ensure(*, family: Family, owner: User) -> Conversation:
    """An adult's own private conversation with the key worker, made on first need.

    Only they, the lead key worker and (while the lead is away) the duty key worker are
    in it; no other adult of the household.
    """
    with transaction.atomic():
        conversation = Conversation.objects.filter(
            family=family, kind=Conversation.Kind.PRIVATE, owner=owner
        ).first()
        if conversation is None and not _is_adult_of(family, owner):
            raise PermissionDenied
        if conversation is None:
            try:
                with transaction.atomic():
                    conversation = Conversation.objects.create(
                        family=family, kind=Conversation.Kind.PRIVATE, owner=owner
                    )
            except IntegrityError:
                conversation = Conversation.objects.get(
                    family=family, kind=Conversation.Kind.PRIVATE, owner=owner
                )
        conversation.family = family
        removed = _participants_sync(conversation, _key_worker_wanted(family, conversation))
        _after_access_change(conversation.pk, removed)
    return conversation


def conversations_ensure_for_user(*, user: User) -> None:
    """Make sure the key worker conversations this person belongs to exist (for an adult
    of a family, their own private one too; for today's duty key worker, the cover)."""
    member = portal_access.membership(user)
    if member is not None:
        conversation_key_worker_ensure(family=member.family)
        if member.is_adult:
            conversation_private_ensure(family=member.family, owner=user)
    if portal_access.is_key_worker(user):
        duty = duty_key_worker()
        if duty is not None and duty.pk == user.pk:
            cover_sync()
        known = set(
            Conversation.objects.filter(
                kind=Conversation.Kind.KEY_WORKER, family__lead_key_worker=user
            ).values_list("family_id", flat=True)
        )
        joined = set(
            Participant.objects.filter(
                user=user,
                left_at__isnull=True,
                conversation__kind=Conversation.Kind.KEY_WORKER,
            ).values_list("conversation__family_id", flat=True)
        )
        for family in (
            Family.objects.filter(lead_key_worker=user)
            .exclude(pk__in=known & joined)
            .select_related("lead_key_worker")
        ):
            conversation_key_worker_ensure(family=family)


def conversation_mentor_open(*, family: Family, mentor: User, match_id: int) -> Conversation:
    """An accepted mentor match opens a conversation between the family and the mentor."""
    with transaction.atomic():
        conversation, _created = Conversation.objects.get_or_create(
            family=family, kind=Conversation.Kind.MENTOR, mentor_match_id=match_id
        )
        if conversation.closed_at is not None:
            conversation.closed_at = None
            conversation.save(update_fields=["closed_at"])
        Participant.objects.update_or_create(
            conversation=conversation,
            user=mentor,
            defaults={"role": Participant.Role.MENTOR, "left_at": None},
        )
        _participants_sync(conversation, _mentor_wanted(conversation))
        people = list(
            conversation.participants.filter(left_at__isnull=True).values_list("user_id", flat=True)
        )
        _after_access_change(conversation.pk, people)
        notify_users(
            recipients=User.objects.filter(pk__in=people),
            verb=_("You can now send messages to each other"),
            url=conversation.get_absolute_url(),
            family=family,
            target=conversation,
        )
    return conversation


def conversation_team_open(*, family: Family, mentor: User, match_id: int) -> Conversation:
    """An accepted mentor match also opens a conversation between the family's key worker
    and the mentor, for arranging support (the family is told it exists, not what is in
    it)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                conversation, _created = Conversation.objects.get_or_create(
                    family=family, kind=Conversation.Kind.TEAM, mentor_match_id=match_id
                )
        except IntegrityError:
            _created = False
            conversation = Conversation.objects.get(
                family=family, kind=Conversation.Kind.TEAM, mentor_match_id=match_id
            )
        opened = _created or conversation.closed_at is not None
        if conversation.closed_at is not None:
            conversation.closed_at = None
            conversation.save(update_fields=["closed_at"])
        Participant.objects.update_or_create(
            conversation=conversation,
            user=mentor,
            defaults={"role": Participant.Role.MENTOR, "left_at": None},
        )
        conversation.family = family
        _participants_sync(conversation, _team_wanted(conversation))
        people = list(
            conversation.participants.filter(left_at__isnull=True).values_list("user_id", flat=True)
        )
        _after_access_change(conversation.pk, people)
        if not opened:
            return conversation  # opened before (the match's signal and a first look)
        # Says nothing of the family: the mentor's notes are read where others may see.
        notify_users(
            recipients=User.objects.filter(pk__in=people),
            verb=_("You can now message each other to arrange support for a family"),
            url=conversation.get_absolute_url(),
            family=family,
            target=conversation,
        )
    return conversation


def conversation_team_ensure(*, user: User, family_id: int) -> Conversation:
    """The family's team conversation for its lead key worker or its matched mentor,
    opened now if the match began before there were team conversations. Raises
    PermissionDenied for anyone else, or when the family has no current match."""
    from peer_mentors import selectors as mentor_selectors

    family = Family.objects.select_related("lead_key_worker").filter(pk=family_id).first()
    if family is None:
        raise PermissionDenied
    match = mentor_selectors.family_mentor_state(family=family)["current"]
    if match is None:
        raise PermissionDenied
    mentor = match.mentor.user
    is_lead = family.lead_key_worker_id == user.pk and portal_access.is_key_worker(user)
    if not (is_lead or mentor.pk == user.pk):
        raise PermissionDenied
    return conversation_team_open(family=family, mentor=mentor, match_id=match.pk)


def conversation_private_mentor_open(*, access: ConversationAccess, user: User) -> Conversation:
    """An adult opens their own private conversation with the family's matched mentor
    (from the family's mentor conversation): no other adult of the household is in it."""
    family_conversation = access.conversation
    if (
        not access.is_family
        or family_conversation.kind != Conversation.Kind.MENTOR
        or family_conversation.is_closed
    ):
        raise PermissionDenied
    member = portal_access.membership(user)
    if member is None or member.family_id != family_conversation.family_id or not member.is_adult:
        raise PermissionDenied
    family = family_conversation.family
    with transaction.atomic():
        mentors = list(
            family_conversation.participants.filter(
                role=Participant.Role.MENTOR, left_at__isnull=True
            ).values_list("user_id", flat=True)
        )
        if not mentors:
            raise PermissionDenied
        try:
            with transaction.atomic():
                conversation, _created = Conversation.objects.get_or_create(
                    family=family,
                    kind=Conversation.Kind.PRIVATE_MENTOR,
                    owner=user,
                    mentor_match_id=family_conversation.mentor_match_id,
                )
        except IntegrityError:
            conversation = Conversation.objects.get(
                family=family,
                kind=Conversation.Kind.PRIVATE_MENTOR,
                owner=user,
                mentor_match_id=family_conversation.mentor_match_id,
            )
        if conversation.closed_at is not None:
            conversation.closed_at = None
            conversation.save(update_fields=["closed_at"])
        for mentor_id in mentors:
            Participant.objects.update_or_create(
                conversation=conversation,
                user_id=mentor_id,
                defaults={"role": Participant.Role.MENTOR, "left_at": None},
            )
        conversation.family = family
        _participants_sync(conversation, _mentor_wanted(conversation))
        _after_access_change(conversation.pk, [user.pk, *mentors])
    return conversation


def conversation_mentor_close(*, family: Family, mentor: User, match_id: int) -> None:
    """The match ended: the mentor loses access and their sockets stop getting it (the
    family's mentor conversations and the key worker's team one with the mentor), and
    their notifications about the family are withdrawn."""
    with transaction.atomic():
        conversations = list(
            Conversation.objects.select_for_update().filter(
                family=family,
                kind__in=Conversation.MENTOR_KINDS | {Conversation.Kind.TEAM},
                mentor_match_id=match_id,
            )
        )
        for conversation in conversations:
            conversation.closed_at = conversation.closed_at or timezone.now()
            conversation.save(update_fields=["closed_at"])
            Participant.objects.filter(conversation=conversation, user=mentor).update(
                left_at=timezone.now()
            )
            if conversation.is_team:
                # The key worker keeps it to read; whoever covered for them leaves.
                conversation.family = family
                _participants_sync(conversation, _team_wanted(conversation))
            people = list(conversation.participants.values_list("user_id", flat=True))
            _after_access_change(conversation.pk, people)
        if not FamilyMember.objects.filter(family=family, user=mentor).exists():
            # What they were told about the family goes with their access to it, except
            # the notice that the match itself has ended.
            match_type = ContentType.objects.get_by_natural_key("peer_mentors", "mentormatch")
            _notification_model().objects.filter(
                recipient=mentor, data__family_id=family.pk
            ).exclude(target_content_type=match_type, target_object_id=str(match_id)).delete()


def conversation_concern_raise(
    *, family: Family, mentor: User, concern_id: int | None = None
) -> None:
    """A mentor raised a concern: the family's key worker may now read their conversation."""
    with transaction.atomic():
        for conversation in Conversation.objects.select_for_update().filter(
            family=family, kind__in=Conversation.MENTOR_KINDS, participants__user=mentor
        ):
            if conversation.concern_raised_at is None:
                conversation.concern_raised_at = timezone.now()
                conversation.save(update_fields=["concern_raised_at"])
            conversation.family = family
            _participants_sync(conversation, _mentor_wanted(conversation))
            if family.lead_key_worker_id:
                _after_access_change(conversation.pk, [family.lead_key_worker_id])
                notify_users(
                    recipients=[family.lead_key_worker],
                    verb=_("A peer mentor raised a concern. You can read their messages"),
                    url=conversation.get_absolute_url(),
                    family=family,
                    target=conversation,
                )


def conversation_share_set(*, access: ConversationAccess, user: User, shared: bool) -> Conversation:
    """The family decides whether their key worker may read their mentor conversation."""
    conversation = access.conversation
    if not access.is_family or not conversation.with_mentor:
        raise PermissionDenied
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        conversation.shared_with_key_worker = shared
        conversation.save(update_fields=["shared_with_key_worker"])
        conversation.family = access.conversation.family
        removed = _participants_sync(conversation, _mentor_wanted(conversation))
        changed = set(removed)
        if conversation.family.lead_key_worker_id:
            changed.add(conversation.family.lead_key_worker_id)
        _after_access_change(conversation.pk, changed)
    return conversation


# Messages --------------------------------------------------------------------------------
#
# Every message goes one way, as a batch of one or of many, whether it came from the form,
# a socket or a worker's batch (as Zulip's do_send_messages):
#
#   sends_prepare -> (count the sends) -> sends_within_limit -> write -> announce on commit
#
# ``messages_send`` runs those steps in a database thread; chat.sending runs the same
# steps on the event loop, with its own I/O for counting, the batch statement and the
# announcement, and hands whatever that statement did not write to ``sends_write``.


@dataclass(frozen=True)
class Send:
    """One message to send. ``via_socket``: the sender's socket gets the message in its
    acknowledgement, so it is echoed to the sender only if they have another one open."""

    access: ConversationAccess
    sender: User
    body: str
    client_id: object
    attachment: UploadedFile[bytes] | None = None
    via_socket: bool = True


@dataclass(frozen=True)
class Prepared:
    """A send that passed the checks needing no database: its place in the batch, and its
    cleaned parts."""

    index: int
    send: Send
    client_uuid: uuid.UUID
    body: str
    clean: CleanAttachment | None = None


class Written(NamedTuple):
    """A message just written, and who was in its conversation when it was."""

    conversation: Conversation
    message: Message
    sender: User
    recipients: list[int]
    via_socket: bool


SendResult = tuple[Message, bool] | Exception


def message_send(
    *,
    access: ConversationAccess,
    sender: User,
    body: str,
    client_id: object,
    attachment: UploadedFile[bytes] | None = None,
    via_socket: bool = False,
) -> tuple[Message, bool]:
    """Send a message; returns (message, created). A repeated client id returns the first.

    ``access`` must come from chat.access for ``sender``. Whatever it says, the sender
    must also be an active participant when the message is written, checked in the same
    transaction, so a socket's remembered access can never outlive a removal.
    A batch of one: see ``messages_send``.
    """
    send = Send(
        access=access,
        sender=sender,
        body=body,
        client_id=client_id,
        attachment=attachment,
        via_socket=via_socket,
    )
    [result] = messages_send(sends=[send])
    if isinstance(result, Exception):
        raise result
    return result


def messages_send(*, sends: list[Send]) -> list[SendResult]:
    """Send many messages at once; each result is what a send of its own would have
    returned or raised, in the same order.

    On PostgreSQL every accepted text message is written by one statement in one
    transaction, so a busy worker pays one round trip (and one commit) for many.
    """
    results, ready = sends_prepare(sends)
    allowed = ratelimit.allowed_many(send_limit(), [item.send.sender.pk for item in ready])
    sends_write(results, sends_within_limit(results, ready, allowed))
    return answered(results)


def answered(results: Sequence[SendResult | None]) -> list[SendResult]:
    """The results, once every step has answered each send (None would be a bug)."""
    return [RuntimeError("A send was not answered") if r is None else r for r in results]


def sends_prepare(sends: list[Send]) -> tuple[list[SendResult | None], list[Prepared]]:
    """The checks that need no lock: (results with each refusal, or the first message of
    a repeated attachment, in place; and the sends that may go on)."""
    results: list[SendResult | None] = [None] * len(sends)
    ready = []
    for index, send in enumerate(sends):
        try:
            if not send.access.can_write:
                raise PermissionDenied
            client_uuid = _client_uuid(send.client_id)
            body = _body_clean(send.body)
            clean = None
            if send.attachment:
                existing = _existing_message(send.sender, client_uuid, send.access.conversation)
                if existing is not None:
                    # Do not store the file again, nor count the retry.
                    results[index] = (existing, False)
                    continue
                clean = attachment_clean(send.attachment)
            if not body and clean is None:
                raise ValidationError({"body": _("Write a message or attach a file.")})
        except (PermissionDenied, ValidationError) as exc:
            results[index] = exc
            continue
        ready.append(Prepared(index, send, client_uuid, body, clean))
    return results, ready


def sends_within_limit(
    results: list[SendResult | None], ready: list[Prepared], allowed: list[bool]
) -> list[Prepared]:
    """The sends within the send limit; the others are answered RateLimited."""
    writing = []
    for ok, item in zip(allowed, ready, strict=True):
        if ok:
            writing.append(item)
        else:
            results[item.index] = RateLimited()
    return writing


def sends_write(
    results: list[SendResult | None], writing: list[Prepared], *, statement: bool = True
) -> None:
    """Write the sends and fill in their results; each is announced once committed.

    On PostgreSQL text messages go in one statement (``statement=False``: they have been
    through it already); the rest one at a time (an attachment, a retry, a closed
    conversation, someone who just joined or left, not PostgreSQL).
    """
    written: dict[int, Message] = {}
    if statement and connection.vendor == "postgresql":
        text = [item for item in writing if item.clean is None]
        if text:
            written = _text_messages_insert(text)
    for item in writing:
        if item.index in written:
            results[item.index] = (written[item.index], True)
            continue
        try:
            results[item.index] = _message_write(item)
        except Exception as exc:  # one bad send must not fail the others
            results[item.index] = exc


def send_limit() -> ratelimit.Limit:
    """Messages one person may send in a window (``settings.CHAT_SEND_RATE``)."""
    return ratelimit.Limit.of("chat:send", settings.CHAT_SEND_RATE)


def message_payload(message: Message, sender_name: str | None = None) -> dict[str, Any]:
    """The small JSON form of a message for sockets (rendered safely on the server)."""
    deleted = message.is_deleted
    payload: dict[str, Any] = {
        "id": message.pk,
        "conversation": message.conversation_id,
        "client_id": str(message.client_id),
        "sender": message.sender_id,
        "sender_name": sender_name if sender_name is not None else message.sender.display_name,
        "html": "" if deleted else message_html(message.body),
        "created": message.created_at.isoformat(),
        "deleted": deleted,
        # No message of the conversation lies between ``prev`` and this one: a page that
        # has ``prev`` may show this as the next, and otherwise resumes (see live.js).
        "prev": message.prev_id,
    }
    if message.attachment_kind and not deleted:
        payload["attachment"] = {
            "kind": message.attachment_kind,
            "name": message.attachment_name,
            "url": reverse("chat:attachment", kwargs={"message_id": message.pk}),
        }
    return payload


def _body_clean(body: str) -> str:
    # Keep line breaks as typed; only normalise Windows line ends and trim the ends.
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(body) > MAX_BODY:
        raise ValidationError(
            {"body": _("Your message must be %(max)s characters or fewer.") % {"max": MAX_BODY}}
        )
    return body


def _client_uuid(client_id: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(client_id))
    except (TypeError, ValueError) as exc:
        raise ValidationError({"client_id": _("Something went wrong. Try again.")}) from exc


def _message_write(item: Prepared) -> tuple[Message, bool]:
    """Write one message with the ORM, in its own transaction."""
    access, sender, clean = item.send.access, item.send.sender, item.clean
    conversation = access.conversation
    try:
        with transaction.atomic():
            now = timezone.now()
            # Takes the row lock that orders sends within the conversation.
            if not Conversation.objects.filter(pk=conversation.pk, closed_at__isnull=True).update(
                last_message_at=now
            ):
                raise PermissionDenied
            # Read under the lock, so it is the newest message whoever wrote it.
            prev_id = (
                Conversation.objects.filter(pk=conversation.pk)
                .values_list("last_message_id", flat=True)
                .get()
            )
            message = Message(
                conversation_id=conversation.pk,
                sender=sender,
                client_id=item.client_uuid,
                body=item.body,
                created_at=now,
            )
            if clean is not None:
                message.attachment = clean.file
                message.attachment_kind = clean.kind
                message.attachment_name = clean.display_name
                message.attachment_type = clean.content_type
                message.attachment_size = clean.size
            message.save()
            message.prev_id = prev_id
            Conversation.objects.filter(pk=conversation.pk).update(last_message_id=message.pk)
            _sender_state_update(access, sender, message.pk)
            recipients = list(
                Participant.objects.filter(
                    conversation_id=conversation.pk, left_at__isnull=True
                ).values_list("user_id", flat=True)
            )
            _announce_on_commit(
                [Written(conversation, message, sender, recipients, item.send.via_socket)]
            )
    except IntegrityError:
        # A retry of a message that is already saved (or two retries racing).
        existing = _existing_message(sender, item.client_uuid, conversation)
        if existing is None:
            raise
        return existing, False
    return message, True


# Many text messages in one statement and one transaction. Conversations are locked in id
# order (so two batches cannot deadlock), each message is inserted only after its
# conversation is locked (so ids still commit in order within a conversation), and only
# for an active participant of an open conversation. A repeated client id is skipped
# here and answered by the one-at-a-time path. Each row comes back with the message
# before it in its conversation: the one before it in this batch, or the conversation's
# last_message_id, which FOR UPDATE reads from the newest committed row (a plain
# subquery would see only what had committed when the statement began).
#
# The loop's connections plan it once, as a generic plan that cannot know how many
# messages come (chat/sending.py): every table is reached through an index on what the
# batch names (``= ANY`` of its arrays, or a subquery per message), so no plan scans a
# whole table however the planner guesses (tests/chat/test_batch_send.py).
TEXT_BATCH_SQL = """
WITH input AS (
    SELECT * FROM unnest(
        %(ords)s::integer[], %(conversations)s::bigint[], %(senders)s::bigint[],
        %(client_ids)s::uuid[], %(bodies)s::text[]
    ) AS t(ord, conversation_id, sender_id, client_id, body)
), locked AS (
    SELECT id, last_message_id FROM chat_conversation
    WHERE id = ANY(%(conversations)s::bigint[]) AND closed_at IS NULL
    ORDER BY id FOR UPDATE
), allowed AS (
    SELECT input.* FROM input JOIN locked ON locked.id = input.conversation_id
    WHERE (
        SELECT p.id FROM chat_participant p
        WHERE p.conversation_id = input.conversation_id AND p.user_id = input.sender_id
          AND p.left_at IS NULL
    ) IS NOT NULL
), inserted AS (
    INSERT INTO chat_message (
        conversation_id, sender_id, client_id, body, attachment, attachment_kind,
        attachment_name, attachment_type, attachment_size, created_at, deleted_at
    )
    SELECT conversation_id, sender_id, client_id, body, '', '', '', '', 0, %(now)s, NULL
    FROM allowed ORDER BY ord
    ON CONFLICT (sender_id, client_id) DO NOTHING
    RETURNING id, conversation_id, sender_id, client_id
), touched AS (
    UPDATE chat_conversation c SET last_message_at = %(now)s, last_message_id = m.id
    FROM (SELECT conversation_id, max(id) AS id FROM inserted GROUP BY 1) m
    WHERE c.id = m.conversation_id AND c.id = ANY(%(conversations)s::bigint[])
), seen AS (
    UPDATE chat_participant p SET last_read_id = m.id, last_delivered_id = m.id
    FROM (
        SELECT conversation_id, sender_id, max(id) AS id FROM inserted GROUP BY 1, 2
    ) m
    WHERE p.conversation_id = m.conversation_id AND p.user_id = m.sender_id
      AND p.conversation_id = ANY(%(conversations)s::bigint[])
)
SELECT inserted.id, inserted.sender_id, inserted.client_id, ARRAY(
    SELECT user_id FROM chat_participant
    WHERE conversation_id = inserted.conversation_id AND left_at IS NULL
), coalesce(
    lag(inserted.id) OVER (PARTITION BY inserted.conversation_id ORDER BY inserted.id),
    locked.last_message_id
) FROM inserted JOIN locked ON locked.id = inserted.conversation_id
ORDER BY inserted.id
"""


def _text_messages_insert(items: list[Prepared]) -> dict[int, Message]:
    """Write text sends with TEXT_BATCH_SQL; returns the index of each one written."""
    now = timezone.now()
    with (
        transaction.atomic() if connection.in_atomic_block else nullcontext(),
        connection.cursor() as cursor,
    ):
        cursor.execute(TEXT_BATCH_SQL, text_batch_params(items, now))
        rows = cursor.fetchall()
    written, sent = text_batch_written(items, rows, now)
    _announce_on_commit(sent)
    return written


def text_batch_params(items: list[Prepared], now: datetime) -> dict[str, Any]:
    return {
        "now": now,
        "ords": [item.index for item in items],
        "conversations": [item.send.access.conversation.pk for item in items],
        "senders": [item.send.sender.pk for item in items],
        "client_ids": [item.client_uuid for item in items],
        "bodies": [item.body for item in items],
    }


def text_batch_written(
    items: list[Prepared], rows: Sequence[Sequence[Any]], now: datetime
) -> tuple[dict[int, Message], list[Written]]:
    """The messages TEXT_BATCH_SQL wrote, by item index, and what to announce."""
    by_key: dict[tuple[int, uuid.UUID], Prepared] = {}
    for item in items:
        # A client id twice in one batch: the first is the one written.
        by_key.setdefault((item.send.sender.pk, item.client_uuid), item)
    written, sent = {}, []
    for message_id, sender_id, client_uuid, recipients, prev_id in rows:
        item = by_key[(sender_id, client_uuid)]
        conversation = item.send.access.conversation
        message = Message(
            id=message_id,
            conversation_id=conversation.pk,
            sender=item.send.sender,
            client_id=client_uuid,
            body=item.body,
            created_at=now,
        )
        message.prev_id = prev_id
        written[item.index] = message
        sent.append(
            Written(conversation, message, item.send.sender, recipients, item.send.via_socket)
        )
    return written, sent


# Announcing: the same steps whether on the event loop (chat.sending) or after a commit in
# a database thread (``_announce_on_commit``); only the I/O differs.


@dataclass(frozen=True)
class Announcement:
    """What to tell whom about messages just written: each message to the others in its
    conversation first, then (once presence is known) to the sender's other devices and
    a note to whoever is away."""

    sent: list[Written]
    events: list[tuple[list[int], dict[str, Any]]]  # (the others, event), one a message

    @classmethod
    def of(cls, sent: list[Written]) -> Announcement:
        events = []
        for item in sent:
            payload = message_payload(item.message, sender_name=item.sender.display_name)
            others = [uid for uid in item.recipients if uid != item.sender.pk]
            events.append((others, {"type": "chat.message", "message": payload}))
        return cls(sent=sent, events=events)

    def people(self) -> set[int]:
        """Whose presence decides the rest."""
        found = {item.sender.pk for item in self.sent}
        for others, _event in self.events:
            found.update(others)
        return found

    def to_senders(self, online: dict[int, int]) -> list[tuple[list[int], dict[str, Any]]]:
        """A sender's socket has the message in its acknowledgement: echo it only to a
        sender with another socket open (another tab or phone)."""
        return [
            ([item.sender.pk], event)
            for item, (_others, event) in zip(self.sent, self.events, strict=True)
            if online.get(item.sender.pk, 0) > (1 if item.via_socket else 0)
        ]

    def away(self, online: dict[int, int]) -> list[tuple[Conversation, list[int]]]:
        """For each message, the others in its conversation with no socket open."""
        found = []
        for item, (others, _event) in zip(self.sent, self.events, strict=True):
            ids = [uid for uid in others if not online.get(uid)]
            if ids:
                found.append((item.conversation, ids))
        return found


def _announce_on_commit(sent: list[Written]) -> None:
    """The announcement's synchronous I/O, after the messages are committed."""
    if not sent:
        return

    def after_commit() -> None:
        announcement = Announcement.of(sent)
        # The others first: the presence lookup below is not on their critical path.
        live.send_many(announcement.events)
        online = live.online_counts(announcement.people())
        live.send_many(announcement.to_senders(online))
        tell_people_who_are_away(announcement.away(online))

    transaction.on_commit(after_commit)


def tell_people_who_are_away(away: list[tuple[Conversation, list[int]]]) -> None:
    """In-app notification, and an email task with no content at most once an hour.

    Runs after the message is committed; while Redis (the hourly limit) is down it tells
    nobody rather than fail the send: the message and unread counts are in the database.
    """
    for conversation, user_ids in away:
        try:
            _tell_away(conversation, user_ids)
        except (RedisError, OSError):
            logger.warning("Redis unavailable: nobody was told about a new message", exc_info=True)


def _existing_message(
    sender: User, client_uuid: uuid.UUID, conversation: Conversation
) -> Message | None:
    existing = Message.objects.filter(sender=sender, client_id=client_uuid).first()
    if existing is not None and existing.conversation_id != conversation.pk:
        raise ValidationError({"client_id": _("Something went wrong. Try again.")})
    return existing


def _sender_state_update(access: ConversationAccess, sender: User, message_id: int) -> None:
    """The sender has read their own message; refuse anyone who is no longer in it."""
    updated = Participant.objects.filter(
        conversation_id=access.conversation.pk, user=sender, left_at__isnull=True
    ).update(last_read_id=message_id, last_delivered_id=message_id)
    if updated:
        return
    if access.checked_now and access.role in {Role.FAMILY, Role.KEY_WORKER, Role.COVER}:
        # The access policy has just confirmed they belong (say, a parent who joined the
        # family a moment ago): record them as a participant.
        Participant.objects.update_or_create(
            conversation_id=access.conversation.pk,
            user=sender,
            defaults={
                "role": str(access.role),
                "left_at": None,
                "last_read_id": message_id,
                "last_delivered_id": message_id,
            },
        )
        return
    raise PermissionDenied


def _tell_away(conversation: Conversation, away: list[int]) -> None:
    if not away:
        return
    # The hourly mark first: most messages go to someone already told this hour, and
    # then no query is needed at all.
    due_ids = [
        uid for uid in away if cache.add(f"chat:notified:{conversation.pk}:{uid}", 1, 60 * 60)
    ]
    if not due_ids:
        return
    due = list(User.objects.filter(pk__in=due_ids, is_active=True))
    if not due:
        return
    # A private conversation's note names nothing: not the conversation, not who wrote,
    # so a phone or an inbox seen by someone else in the home gives nothing away.
    private = conversation.is_private
    notify_users(
        recipients=due,
        verb=_("You have a new message"),
        url=reverse("chat:inbox") if private else conversation.get_absolute_url(),
        family=conversation.family,
        target=None if private else conversation,
    )
    # The email goes from a task worker: no mail server on the send path.
    for person in due:
        transaction.on_commit(
            partial(tasks.new_message_email_send.enqueue, conversation.pk, person.pk)
        )


def new_message_email(*, conversation_id: int, user_id: int) -> None:
    """Email a person that a conversation has a new message, with a link and no content.

    Raises whatever the mail backend raises (the task tries again).
    """
    person = User.objects.filter(pk=user_id, is_active=True).first()
    conversation = Conversation.objects.filter(
        pk=conversation_id, participants__user_id=user_id, participants__left_at__isnull=True
    ).first()
    if person is None or conversation is None or not person.email:
        return  # gone, or no longer in the conversation, by the time the task ran
    if conversation.is_private:
        # Less than the family email: no name, no service, no link to the conversation.
        email_send(
            subject=_("You have a new message in the portal"),
            message=render_to_string(
                "chat/email/new_private_message.txt",
                {"link": settings.SITE_URL.rstrip("/") + reverse("chat:inbox")},
            ),
            users=[person],
        )
        return
    link = settings.SITE_URL.rstrip("/") + conversation.get_absolute_url()
    email_send(
        subject=_("You have a new message"),
        message=render_to_string(
            "chat/email/new_message.txt",
            {"link": link, "service_name": settings.SERVICE_NAME, "person": person},
        ),
        users=[person],
    )


def message_delete(*, access: ConversationAccess, message: Message, user: User) -> Message:
    """A sender deletes their own message: it stays in place, shown as deleted."""
    if message.sender_id != user.pk or message.conversation_id != access.conversation.pk:
        raise PermissionDenied
    if not access.is_participant:
        raise PermissionDenied
    if message.is_deleted:
        return message
    with transaction.atomic():
        stored = message.attachment.name if message.attachment else ""
        message.deleted_at = timezone.now()
        message.body = ""
        message.attachment = ""
        message.attachment_kind = ""
        message.attachment_name = ""
        message.attachment_type = ""
        message.attachment_size = 0
        message.save()
        people = list(
            Participant.objects.filter(
                conversation_id=message.conversation_id, left_at__isnull=True
            ).values_list("user_id", flat=True)
        )
        payload = message_payload(message, sender_name=user.display_name)
        transaction.on_commit(
            lambda: live.send_to_users(
                set(people) | {user.pk}, {"type": "chat.deleted", "message": payload}
            )
        )
        if stored:
            storage = Message._meta.get_field("attachment").storage
            transaction.on_commit(lambda: storage.delete(stored))
    return message


def _bump(
    conversation_id: int, user: User, field: str, up_to: int, *, delivered_too: bool = False
) -> bool:
    newest = Message.objects.filter(conversation_id=conversation_id).aggregate(n=Max("id"))["n"]
    up_to = min(int(up_to), newest or 0)
    if up_to <= 0:
        return False
    changes: dict[str, Any] = {field: up_to}
    if delivered_too:
        changes["last_delivered_id"] = Greatest(F("last_delivered_id"), Value(up_to))
    return bool(
        Participant.objects.filter(
            conversation_id=conversation_id, user=user, **{f"{field}__lt": up_to}
        ).update(**changes)
    )


def conversation_read_mark(*, access: ConversationAccess, user: User, up_to: int) -> bool:
    """Record that a participant has read up to a message; tells the others."""
    if not access.is_participant:
        return False
    conversation_id = access.conversation.pk
    with transaction.atomic():
        # What has been read has been delivered too, in the same statement.
        changed = _bump(conversation_id, user, "last_read_id", up_to, delivered_too=True)
        if changed:
            state = Participant.objects.get(conversation_id=conversation_id, user=user)
            people = list(
                Participant.objects.filter(
                    conversation_id=conversation_id, left_at__isnull=True
                ).values_list("user_id", flat=True)
            )
            event = {
                "type": "chat.receipt",
                "conversation": conversation_id,
                "user": user.pk,
                "read": state.last_read_id,
                "delivered": state.last_delivered_id,
            }
            transaction.on_commit(lambda: live.send_to_users(people, event))
            transaction.on_commit(lambda: unread_badge_push(user_id=user.pk))
    return changed


def conversation_delivered_mark(*, access: ConversationAccess, user: User, up_to: int) -> bool:
    """Record that a participant's device received messages up to ``up_to``."""
    if not access.is_participant:
        return False
    conversation_id = access.conversation.pk
    with transaction.atomic():
        changed = _bump(conversation_id, user, "last_delivered_id", up_to)
        if changed:
            state = Participant.objects.get(conversation_id=conversation_id, user=user)
            others = list(
                Participant.objects.filter(conversation_id=conversation_id, left_at__isnull=True)
                .exclude(user=user)
                .values_list("user_id", flat=True)
            )
            event = {
                "type": "chat.receipt",
                "conversation": conversation_id,
                "user": user.pk,
                "read": state.last_read_id,
                "delivered": state.last_delivered_id,
            }
            transaction.on_commit(lambda: live.send_to_users(others, event))
    return changed


# Working hours ---------------------------------------------------------------------------


def working_hours_set(*, user: User, days: dict[int, tuple[time, time] | None]) -> None:
    """A key worker sets the hours they usually answer messages; None means not working."""
    if not portal_access.is_key_worker(user):
        raise PermissionDenied
    with transaction.atomic():
        _cover_sync_on_commit()
        for weekday, hours in days.items():
            if hours is None:
                WorkingHours.objects.filter(user=user, weekday=weekday).delete()
                continue
            starts, ends = hours
            if ends <= starts:
                raise ValidationError(_("The finish time must be after the start time."))
            WorkingHours.objects.update_or_create(
                user=user, weekday=weekday, defaults={"starts": starts, "ends": ends}
            )


# Cover: leave, the duty rota, and messages waiting for an answer -------------------------


def _cover_sync_on_commit() -> None:
    transaction.on_commit(lambda: cover_sync())


def cover_sync(*, now: datetime | None = None) -> None:
    """Put today's duty key worker in the key worker conversations (private and team ones
    too) of every family whose lead key worker is away now, and take out a duty key worker who no
    longer covers one. Run when leave, the rota or working hours change, when the duty
    key worker opens their messages, and every few minutes (``chat.tasks.cover_sweep``)."""
    now = now or timezone.now()
    duty = duty_key_worker(now=now)
    wanted: set[int] = set()
    if duty is not None:
        away = away_key_worker_ids(now=now) - {duty.pk}
        wanted = set(
            Conversation.objects.filter(
                kind__in=Conversation.COVERED_KINDS,
                family__lead_key_worker_id__in=away,
                closed_at__isnull=True,
            ).values_list("pk", flat=True)
        )
    changed: dict[int, int] = {}  # user id -> a conversation whose access changed
    with transaction.atomic():
        stale = Participant.objects.filter(role=Participant.Role.COVER, left_at__isnull=True)
        if duty is not None:
            stale = stale.exclude(user=duty, conversation_id__in=wanted)
        rows = list(stale.values_list("pk", "conversation_id", "user_id"))
        if rows:
            Participant.objects.filter(pk__in=[pk for pk, _c, _u in rows]).update(left_at=now)
            changed.update({uid: cid for _pk, cid, uid in rows})
        if duty is not None and wanted:
            have = dict(
                Participant.objects.filter(user=duty, conversation_id__in=wanted).values_list(
                    "conversation_id", "left_at"
                )
            )
            for conversation_id in sorted(wanted):
                if conversation_id in have and have[conversation_id] is None:
                    continue
                seen = _staff_answered_id(conversation_id)
                Participant.objects.update_or_create(
                    conversation_id=conversation_id,
                    user=duty,
                    defaults={
                        "role": Participant.Role.COVER,
                        "left_at": None,
                        "last_read_id": seen,
                        "last_delivered_id": seen,
                    },
                )
                changed[duty.pk] = conversation_id
        for user_id, conversation_id in changed.items():
            _after_access_change(conversation_id, [user_id])
            transaction.on_commit(partial(unread_badge_push, user_id=user_id))


def leave_add(*, user: User, starts: date, ends: date) -> Leave:
    """A key worker records days they are away; the duty key worker covers them."""
    if not portal_access.is_key_worker(user):
        raise PermissionDenied
    if ends < starts:
        raise ValidationError(
            {"ends": _("The last day must be the same as or after the first day.")}
        )
    with transaction.atomic():
        leave = Leave.objects.create(user=user, starts=starts, ends=ends)
        _cover_sync_on_commit()
    return leave


def leave_delete(*, user: User, leave_id: int) -> None:
    """A key worker takes back leave they recorded."""
    with transaction.atomic():
        deleted, _rows = Leave.objects.filter(pk=leave_id, user=user).delete()
        if not deleted:
            raise Leave.DoesNotExist
        _cover_sync_on_commit()


def duty_rota_set(*, manager: User, days: dict[date, User | None]) -> None:
    """A service manager sets who is the duty key worker on each day (None: nobody)."""
    if not portal_access.is_manager(manager):
        raise PermissionDenied
    with transaction.atomic():
        for day, worker in days.items():
            if worker is None:
                DutyDay.objects.filter(date=day).delete()
                continue
            if not portal_access.is_key_worker(worker):
                raise ValidationError(_("Choose a key worker."))
            DutyDay.objects.update_or_create(
                date=day, defaults={"key_worker": worker, "set_by": manager}
            )
        _cover_sync_on_commit()


def unanswered_flag(*, now: datetime | None = None) -> list[UnansweredFlag]:
    """Flag to the service managers, once each, every family message that has waited a
    working day for an answer from staff. Returns the new flags."""
    from .selectors import unanswered_conversations

    flags = []
    with transaction.atomic():
        for waiting in unanswered_conversations(now=now):
            flag, created = UnansweredFlag.objects.get_or_create(
                message_id=waiting.message_id, defaults={"conversation": waiting.conversation}
            )
            if created:
                flags.append(flag)
        if flags:
            managers = User.objects.filter(
                staff_profile__role=StaffProfile.Role.MANAGER, is_active=True
            )
            notify_users(
                recipients=managers,
                verb=ngettext(
                    "A family's message has waited more than a working day for an answer",
                    "%(count)s families' messages have waited more than a working day for an answer",
                    len(flags),
                )
                % {"count": len(flags)},
                url=reverse("chat:unanswered"),
            )
    return flags


# Notification centre ---------------------------------------------------------------------


def _notification_model() -> Any:  # django-notifications ships no types
    from notifications.models import Notification

    return Notification


def notification_mark_read(*, user: User, notification_id: int) -> Any:
    """Mark one of a person's notifications read; returns it (or raises DoesNotExist)."""
    notification = _notification_model().objects.get(pk=notification_id, recipient=user)
    if notification.unread:
        notification.unread = False
        notification.save(update_fields=["unread"])
        transaction.on_commit(lambda: notification_badge_push(user_id=user.pk))
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    count: int = (
        _notification_model().objects.filter(recipient=user, unread=True).update(unread=False)
    )
    transaction.on_commit(lambda: notification_badge_push(user_id=user.pk))
    return count


def notification_badge_push(*, user_id: int) -> None:
    """Send the person's unread notification count to their open sockets."""
    count = _notification_model().objects.filter(recipient_id=user_id, unread=True).count()
    live.send_to_users([user_id], {"type": "chat.count", "name": "notifications", "count": count})


def notification_badge_push_on_commit(*, user_id: int) -> None:
    transaction.on_commit(lambda: notification_badge_push(user_id=user_id))


def unread_badge_push(*, user_id: int) -> None:
    from .selectors import unread_total

    live.send_to_users(
        [user_id], {"type": "chat.count", "name": "messages", "count": unread_total(user_id)}
    )


def user_signed_out(*, session_key: str | None) -> None:
    """Close the sockets opened with this session."""
    if session_key:
        transaction.on_commit(lambda: live.close_session_sockets(session_key))


def family_member_left(*, family: Family, user: User) -> None:
    """``user`` no longer lives in ``family``'s household (their sessions have ended), or
    their time on its team is over: they leave each of its conversations, their notifications about it are withdrawn, what was
    cached for them goes, and every socket they still have open closes."""
    with transaction.atomic():
        conversation_ids = list(
            Conversation.objects.filter(family=family).values_list("pk", flat=True)
        )
        Participant.objects.filter(
            user=user, conversation_id__in=conversation_ids, left_at__isnull=True
        ).update(left_at=timezone.now())
        _notification_model().objects.filter(recipient=user, data__family_id=family.pk).delete()
    cache.delete_many([f"chat:notified:{cid}:{user.pk}" for cid in conversation_ids])
    user_id = user.pk
    transaction.on_commit(lambda: live.close_user_sockets(user_id))


def family_conversations_sync(*, family: Family) -> None:
    """After a family or its people change, bring conversation participants up to date."""
    if not Family.objects.filter(pk=family.pk).exists():
        return  # the family itself is being deleted
    conversation_key_worker_ensure(family=family)
    known = set(
        Conversation.objects.filter(family=family, kind=Conversation.Kind.PRIVATE).values_list(
            "owner_id", flat=True
        )
    )
    # Each adult with an account has a private conversation from the start, so a key
    # worker can write to one adult alone (existing ones are brought up to date below).
    for owner in User.objects.filter(pk__in=set(_family_adult_user_ids(family)) - known):
        conversation_private_ensure(family=family, owner=owner)
    # A new lead key worker joins the team conversation with the mentor (and reads what
    # was arranged before them); the previous one leaves it.
    for conversation in Conversation.objects.filter(
        family=family,
        kind__in=Conversation.PRIVATE_KINDS | Conversation.MENTOR_KINDS | {Conversation.Kind.TEAM},
    ).select_related("family__lead_key_worker"):
        with transaction.atomic():
            if conversation.is_team:
                wanted = _team_wanted(conversation)
            elif conversation.with_mentor:
                wanted = _mentor_wanted(conversation)
            else:
                wanted = _key_worker_wanted(conversation.family, conversation)
            removed = _participants_sync(conversation, wanted)
            _after_access_change(conversation.pk, removed)
