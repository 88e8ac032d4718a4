"""Conversations between a family and the people who support them."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Family


class PrivateAttachmentStorage(FileSystemStorage):
    """Files outside MEDIA_ROOT, so no static or media URL can ever serve them.

    The location is read from settings each time, so tests can point it elsewhere.
    """

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.CHAT_ATTACHMENT_ROOT)

    @property
    def location(self):
        import os

        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Chat attachments are only served through the access-checked view.")


def attachment_storage():
    return PrivateAttachmentStorage()


def attachment_path(instance, filename):
    # The stored name never carries what the person called the file.
    return f"{instance.conversation_id}/{filename}"


class Conversation(models.Model):
    """A family's conversation with its key worker team, or with a matched peer mentor.

    A private one belongs to one adult of the family (``owner``): only they, the key
    worker (or their matched mentor) and whoever covers for the key worker are in it.
    A team one is between the family's key worker and its matched mentor, to arrange
    support: the family is told it exists but is never in it.
    """

    class Kind(models.TextChoices):
        KEY_WORKER = "key_worker", _("Key worker")
        MENTOR = "mentor", _("Peer mentor")
        PRIVATE = "private", _("Private, with the key worker")
        PRIVATE_MENTOR = "private_mentor", _("Private, with the peer mentor")
        TEAM = "team", _("Key worker and peer mentor")

    # The kinds the key worker answers (and a duty key worker covers).
    KEY_WORKER_KINDS = frozenset({Kind.KEY_WORKER, Kind.PRIVATE})
    MENTOR_KINDS = frozenset({Kind.MENTOR, Kind.PRIVATE_MENTOR})
    PRIVATE_KINDS = frozenset({Kind.PRIVATE, Kind.PRIVATE_MENTOR})
    # The kinds a duty key worker covers while the lead key worker is away.
    COVERED_KINDS = KEY_WORKER_KINDS | {Kind.TEAM}

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="conversations")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The one adult a private conversation belongs to; empty for the family's own.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="private_conversations",
    )
    mentor_match_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The family agreed that their key worker may read the mentor conversation.
    shared_with_key_worker = models.BooleanField(default=False)
    concern_raised_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Every send updates this first, which takes the row lock: messages in one
    # conversation commit in id order, so "everything after id N" never skips one.
    last_message_at = models.DateTimeField(null=True, blank=True)
    # The newest message's id, set by every send under that lock (chat.services is the
    # only writer of messages): each new message's live event names the one before it.
    last_message_id = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(kind="key_worker"),
                name="one_key_worker_conversation_per_family",
            ),
            models.UniqueConstraint(
                fields=["family", "mentor_match_id"],
                condition=Q(kind="mentor"),
                name="one_conversation_per_mentor_match",
            ),
            models.UniqueConstraint(
                fields=["family", "mentor_match_id"],
                condition=Q(kind="team"),
                name="one_team_conversation_per_mentor_match",
            ),
            models.UniqueConstraint(
                fields=["family", "owner"],
                condition=Q(kind="private"),
                name="one_private_conversation_per_adult",
            ),
            models.UniqueConstraint(
                fields=["family", "owner", "mentor_match_id"],
                condition=Q(kind="private_mentor"),
                name="one_private_mentor_conversation_per_adult",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["private", "private_mentor"], owner__isnull=False)
                | (~Q(kind__in=["private", "private_mentor"]) & Q(owner__isnull=True)),
                name="private_conversation_has_owner",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} conversation for {self.family}"

    def get_absolute_url(self) -> str:
        return reverse("chat:conversation", kwargs={"conversation_id": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_private(self) -> bool:
        return self.kind in self.PRIVATE_KINDS

    @property
    def with_key_worker(self) -> bool:
        return self.kind in self.KEY_WORKER_KINDS

    @property
    def with_mentor(self) -> bool:
        return self.kind in self.MENTOR_KINDS

    @property
    def is_team(self) -> bool:
        return self.kind == self.Kind.TEAM


class Participant(models.Model):
    """A person in a conversation, with how far they have received and read."""

    class Role(models.TextChoices):
        FAMILY = "family", _("Family")
        KEY_WORKER = "key_worker", _("Key worker")
        MENTOR = "mentor", _("Peer mentor")
        # The key worker reading a mentor conversation (family agreed, or a concern).
        OBSERVER = "observer", _("Key worker (reading)")
        # The duty key worker, while the family's own key worker is away.
        COVER = "cover", _("Duty key worker")

    # No index of their own: "one_participant_per_person" leads with the conversation and
    # the (user, left_at) index with the person, and every index costs each write.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="chat_participations",
        db_index=False,
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    last_read_id = models.BigIntegerField(default=0)
    last_delivered_id = models.BigIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="one_participant_per_person"
            )
        ]
        indexes = [models.Index(fields=["user", "left_at"])]

    # Set for the inbox by chat.selectors: the part this person plays (chat.access.Role).
    chat_role: str | None

    def __str__(self):
        return f"{self.user} in {self.conversation_id}"


class Message(models.Model):
    """One message. Never edited; a sender may delete it, which blanks it."""

    class AttachmentKind(models.TextChoices):
        NONE = "", _("None")
        IMAGE = "image", _("Photo")
        PDF = "pdf", _("PDF")

    # No index of their own: (conversation, id) and "idempotent_client_id" (sender,
    # client id) lead with them, and each send writes every index (benchmarks/chat).
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="chat_messages",
        db_index=False,
    )
    # Made by the sender's device: a retry with the same id never makes a second message.
    client_id = models.UUIDField()
    body = models.TextField(blank=True)
    attachment = models.FileField(
        storage=attachment_storage, upload_to=attachment_path, blank=True, max_length=200
    )
    attachment_kind = models.CharField(
        max_length=10, choices=AttachmentKind.choices, blank=True, default=""
    )
    attachment_name = models.CharField(max_length=120, blank=True)
    attachment_type = models.CharField(max_length=60, blank=True)
    attachment_size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    # Not stored. Set where a message is sent or replayed: an id with no message of the
    # conversation between it and this one (the one before, or where a replay started),
    # so a page can tell whether it has missed one. None when not known.
    prev_id: int | None = None

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "client_id"], name="idempotent_client_id")
        ]
        indexes = [models.Index(fields=["conversation", "id"])]

    def __str__(self):
        return f"Message {self.pk} in {self.conversation_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class WorkingHours(models.Model):
    """When a key worker usually answers messages, one row per working day."""

    class Day(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Day.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["user", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["user", "weekday"], name="one_working_day_row"),
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="ends_after_starts"
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class Leave(models.Model):
    """Days a key worker is away (holiday, training, sickness): first and last day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_leave"
    )
    starts = models.DateField(_("first day away"))
    ends = models.DateField(_("last day away"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leave")
        ordering = ["starts", "id"]
        indexes = [models.Index(fields=["user", "ends"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="leave_ends_on_or_after_start"
            )
        ]

    def __str__(self):
        return f"{self.user} away {self.starts} to {self.ends}"


class DutyDay(models.Model):
    """The duty rota: which key worker covers messages on a day. Managers set it."""

    date = models.DateField(_("date"), unique=True)
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_duty_days"
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("duty day")
        verbose_name_plural = _("duty rota")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date}: {self.key_worker}"


class UnansweredFlag(models.Model):
    """A family's message that waited more than a working day for an answer, flagged to
    the service managers once (``message`` is the first of those waiting)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="unanswered_flags"
    )
    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, related_name="unanswered_flag"
    )
    flagged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-flagged_at"]

    def __str__(self):
        return f"Unanswered message {self.message_id}"
