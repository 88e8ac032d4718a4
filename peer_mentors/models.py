"""Peer mentors: parents who completed the programme and now support other families."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Family


def dbs_valid_days() -> int:
    return settings.PEER_MENTOR_DBS_VALID_DAYS


def response_days() -> int:
    return settings.PEER_MENTOR_RESPONSE_DAYS


class Experience(models.TextChoices):
    SCHOOL_ATTENDANCE = "school_attendance", _("School attendance")
    RECOVERY = "recovery", _("Recovery from drugs or alcohol")
    BEING_A_DAD = "being_a_dad", _("Being a dad")
    DOMESTIC_ABUSE = "domestic_abuse", _("Domestic abuse")
    DEBT = "debt", _("Debt and money worries")
    HOUSING = "housing", _("Housing")
    ADDITIONAL_NEEDS = "additional_needs", _("A child with additional needs")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    YOUNG_PARENT = "young_parent", _("Being a young parent")
    SEPARATION = "separation", _("Separation and sharing care of children")
    EXPLOITATION = "exploitation", _("A child being exploited or groomed")
    POLICE = "police", _("A child in trouble with the police")


class Availability(models.TextChoices):
    WEEKDAY_MORNINGS = "weekday_mornings", _("Weekday mornings")
    WEEKDAY_AFTERNOONS = "weekday_afternoons", _("Weekday afternoons")
    WEEKDAY_EVENINGS = "weekday_evenings", _("Weekday evenings")
    WEEKENDS = "weekends", _("Weekends")


class ProfilePart(models.TextChoices):
    """Parts of a profile the mentor chooses to show to families."""

    STORY = "story", _("My story")
    EXPERIENCES = "experiences", _("What I have been through")
    LANGUAGES = "languages", _("Languages I speak")
    WARD = "ward", _("The area I live in")
    AVAILABILITY = "availability", _("When I am free")
    ACCOMPANY = "accompany", _("Whether I can go with you to appointments")


def all_profile_parts() -> list[str]:
    return list(ProfilePart.values)


class Mentor(models.Model):
    """A peer mentor: their application, the checks a manager recorded, and their profile."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        IN_TRAINING = "in_training", _("In training")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        STOPPED = "stopped", _("Stopped")

    class Route(models.TextChoices):
        PROGRAMME = "programme", _("Completed the programme")
        INVITED = "invited", _("Invited by a manager")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="peer_mentor"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.APPLIED
    )
    route = models.CharField(_("how they came to us"), max_length=20, choices=Route.choices)
    why_mentor = models.TextField(_("why they want to be a mentor"), max_length=1500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("application recorded by"),
    )
    applied_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    # Checks a manager records. Never shown to families.
    dbs_checked_on = models.DateField(_("DBS check date"), null=True, blank=True)
    references_checked_on = models.DateField(_("references received"), null=True, blank=True)
    training_completed_on = models.DateField(_("training completed"), null=True, blank=True)
    code_agreed_on = models.DateField(_("volunteer code agreed"), null=True, blank=True)
    checks_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # The profile, in the mentor's own words.
    display_name = models.CharField(_("the name families see"), max_length=40)
    story = models.TextField(_("your story"), max_length=1200, blank=True)
    experiences = models.JSONField(_("experiences"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    ward = models.CharField(_("area (ward)"), max_length=80, blank=True)
    availability = models.JSONField(_("when you are free"), default=list, blank=True)
    can_accompany = models.BooleanField(_("can go with a parent to appointments"), default=False)
    capacity = models.PositiveSmallIntegerField(_("families at once"), default=1)
    is_dad = models.BooleanField(_("is a dad"), default=False)
    prefers_dads = models.BooleanField(_("would most like to support dads"), default=False)
    shown = models.JSONField(_("what families can see"), default=all_profile_parts, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("peer mentor")
        verbose_name_plural = _("peer mentors")
        ordering = ["display_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=5), name="mentor_capacity_1_to_5"
            )
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("peer_mentors:profile", kwargs={"mentor_id": self.pk})

    def dbs_expires_on(self):
        if self.dbs_checked_on is None:
            return None
        return self.dbs_checked_on + timedelta(days=dbs_valid_days())

    @property
    def dbs_is_current(self) -> bool:
        expires = self.dbs_expires_on()
        return expires is not None and expires > timezone.localdate()

    @property
    def checks_complete(self) -> bool:
        return bool(
            self.dbs_is_current
            and self.references_checked_on
            and self.training_completed_on
            and self.code_agreed_on
        )

    def missing_checks(self) -> list[str]:
        missing = []
        if self.dbs_checked_on is None:
            missing.append(str(_("a DBS check")))
        elif not self.dbs_is_current:
            missing.append(
                str(_("a DBS check from the last %(days)s days")) % {"days": dbs_valid_days()}
            )
        if not self.references_checked_on:
            missing.append(str(_("references")))
        if not self.training_completed_on:
            missing.append(str(_("training")))
        if not self.code_agreed_on:
            missing.append(str(_("agreement to the volunteer code")))
        return missing

    def shows(self, part: str) -> bool:
        return part in (self.shown or [])

    def experience_labels(self) -> list[str]:
        labels = dict(Experience.choices)
        return [str(labels[e]) for e in self.experiences if e in labels]

    def availability_labels(self) -> list[str]:
        labels = dict(Availability.choices)
        return [str(labels[a]) for a in self.availability if a in labels]


class MentorMatch(models.Model):
    """A request for a mentor, and, once the mentor says yes, the match itself."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Suggested by the key worker")
        REQUESTED = "requested", _("Waiting for the mentor")
        ACCEPTED = "accepted", _("Matched")
        DECLINED = "declined", _("Mentor said no")
        EXPIRED = "expired", _("No answer in time")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ENDED = "ended", _("Ended")

    class Side(models.TextChoices):
        FAMILY = "family", _("The family")
        MENTOR = "mentor", _("The mentor")
        SERVICE = "service", _("The service")

    OPEN = (Status.PROPOSED, Status.REQUESTED)

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="mentor_matches")
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="matches")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The key worker who suggested this mentor, if one did."),
    )
    message = models.TextField(_("a message for the mentor"), max_length=500, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    respond_by = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    end_side = models.CharField(max_length=20, choices=Side.choices, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mentor match")
        verbose_name_plural = _("mentor matches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(status__in=["proposed", "requested"]),
                name="one_open_mentor_request_per_family",
            ),
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(status="accepted"),
                name="one_current_mentor_per_family",
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["family", "status"]),
        ]

    def __str__(self):
        return f"{self.mentor} – {self.family} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("peer_mentors:match_detail", kwargs={"match_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.ACCEPTED

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.REQUESTED
            and self.respond_by is not None
            and self.respond_by <= timezone.now()
        )


class ContactLog(models.Model):
    """A short record of a mentor's contact with the family. Not a case note."""

    class Kind(models.TextChoices):
        CALL = "call", _("Phone or video call")
        VISIT = "visit", _("Visit or meet-up")
        APPOINTMENT = "appointment", _("Went with the parent to an appointment")

    match = models.ForeignKey(MentorMatch, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("what happened"), max_length=20, choices=Kind.choices)
    happened_on = models.DateField(_("date"))
    summary = models.CharField(_("a few words"), max_length=280, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The casework appointment the mentor went to with the parent, kept by id so this app
    # imports nothing of casework's.
    appointment_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment_id"],
                condition=Q(appointment_id__isnull=False),
                name="one_contact_log_per_appointment",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.happened_on:%d/%m/%Y}"


class SupervisionNote(models.Model):
    """A manager's note from supervising a mentor."""

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="supervision_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), max_length=3000)
    shared_with_mentor = models.BooleanField(_("the mentor can read this note"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Supervision of {self.mentor} on {self.created_at:%d/%m/%Y}"
