"""The family's journey and the team around it, on the one record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.models import Family, FamilyMember, FamilyPractitioner

# Team meetings and appointments ---------------------------------------------------------
# Other apps' records (a plan's goal and step, a mentor's match and contact log) are kept
# by id: casework reads and writes them only through those apps' services and selectors.


class Where(models.TextChoices):
    PLACE = "place", _("In person")
    CALL = "call", _("Phone or video call")


class Meeting(models.Model):
    """A team-around-the-family meeting the key worker arranges."""

    class Status(models.TextChoices):
        ARRANGED = "arranged", _("Arranged")
        CHANGED = "changed", _("Changed")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Held")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="team_meetings")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    where = models.CharField(_("where"), max_length=10, choices=Where.choices)
    place = models.CharField(_("the place, or how to join the call"), max_length=300, blank=True)
    arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ARRANGED)
    # Only the key worker and managers read these.
    staff_notes = models.TextField(_("notes for staff"), max_length=5000, blank=True)
    # What the family agreed may be written down; shown to them and everyone invited.
    family_notes = models.TextField(_("notes agreed with the family"), max_length=5000, blank=True)
    notes_agreed = models.BooleanField(_("the family agreed these notes"), default=False)
    cancel_reason = models.CharField(max_length=300, blank=True)
    # Calendar files of the same meeting carry the same UID and a rising SEQUENCE.
    sequence = models.PositiveIntegerField(default=0)
    held_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["family", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self):
        return f"Team meeting for {self.family} on {self.starts_at:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("casework:meeting", kwargs={"meeting_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.ARRANGED, self.Status.CHANGED}


class MeetingInvite(models.Model):
    """One person invited to a meeting: an adult of the family, a team member or the
    family's peer mentor. Whether they came is recorded after."""

    class Kind(models.TextChoices):
        FAMILY = "family", _("Family")
        TEAM = "team", _("Team")
        MENTOR = "mentor", _("Peer mentor")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invites")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    member = models.ForeignKey(
        FamilyMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    practitioner = models.ForeignKey(
        FamilyPractitioner, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The mentor's account (the mentor is known to casework only through peer_mentors).
    mentor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    mentor_name = models.CharField(max_length=40, blank=True)
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="family", member__isnull=False, practitioner__isnull=True)
                    | Q(kind="team", practitioner__isnull=False, member__isnull=True)
                    | Q(kind="mentor", mentor_user__isnull=False, member__isnull=True)
                ),
                name="meeting_invite_names_one_person",
            ),
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(member__isnull=False),
                name="meeting_invite_member_once",
            ),
            models.UniqueConstraint(
                fields=["meeting", "practitioner"],
                condition=Q(practitioner__isnull=False),
                name="meeting_invite_practitioner_once",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        if self.member is not None:
            return self.member.name
        if self.practitioner is not None:
            return self.practitioner.name_with_agency
        return str(_("%(name)s (peer mentor)") % {"name": self.mentor_name})

    @property
    def user_id_invited(self) -> int | None:
        if self.member is not None:
            return self.member.user_id
        if self.practitioner is not None:
            return self.practitioner.user_id
        return self.mentor_user_id


class MeetingAction(models.Model):
    """Something the meeting agreed: who does it and by when. It becomes a step on the
    family's plan (kept by id)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(_("what will happen"), max_length=300)
    who = models.CharField(_("who will do it"), max_length=20)
    member = models.ForeignKey(
        FamilyMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    practitioner = models.ForeignKey(
        FamilyPractitioner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    who_label = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(_("by when"), null=True, blank=True)
    goal_id = models.PositiveBigIntegerField(null=True, blank=True)
    step_id = models.PositiveBigIntegerField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.text


class Appointment(models.Model):
    """An appointment a key worker books with a family; the family may ask their peer
    mentor to come with them."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHANGED = "changed", _("Changed")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Held")

    class MentorStatus(models.TextChoices):
        NONE = "none", _("Not asked")
        ASKED = "asked", _("Asked, waiting for an answer")
        ACCEPTED = "accepted", _("Coming")
        DECLINED = "declined", _("Cannot come")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="appointments")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    where = models.CharField(_("where"), max_length=300)
    purpose = models.CharField(_("what it is for"), max_length=300)
    coming = models.ManyToManyField(FamilyMember, related_name="+", blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    sequence = models.PositiveIntegerField(default=0)

    mentor_status = models.CharField(
        max_length=10, choices=MentorStatus.choices, default=MentorStatus.NONE
    )
    mentor_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mentor_requested_at = models.DateTimeField(null=True, blank=True)
    mentor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mentor_name = models.CharField(max_length=40, blank=True)
    mentor_match_id = models.PositiveBigIntegerField(null=True, blank=True)
    mentor_answered_at = models.DateTimeField(null=True, blank=True)
    mentor_reason = models.CharField(_("why not (optional)"), max_length=300, blank=True)

    came = models.ManyToManyField(FamilyMember, related_name="+", blank=True)
    mentor_came = models.BooleanField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["family", "starts_at"]),
            models.Index(fields=["mentor_user", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="appointment_ends_after_start",
            )
        ]

    def __str__(self):
        return f"Appointment for {self.family} on {self.starts_at:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("casework:appointment", kwargs={"appointment_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.BOOKED, self.Status.CHANGED}

    @property
    def mentor_coming(self) -> bool:
        return self.mentor_status == self.MentorStatus.ACCEPTED
