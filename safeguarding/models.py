"""Safeguarding concerns: a worry about someone's safety, and the decision it must reach."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Family


class Concern(models.Model):
    """A worry about the safety of someone in a family, raised by anyone in the portal.

    It reaches the family's key worker and the duty manager at once, and stays open until
    a manager records a decision; past ``escalate_at`` it goes to every manager, again
    and again, until then.
    """

    class Source(models.TextChoices):
        PORTAL = "portal", _("Raised in the portal")
        MENTOR = "mentor", _("Raised by a peer mentor")
        MESSAGE = "message", _("A reported message")

    class RaisedAs(models.TextChoices):
        FAMILY = "family", _("Someone in the family")
        MENTOR = "mentor", _("Peer mentor")
        KEY_WORKER = "key_worker", _("Key worker")
        PARTNER = "partner", _("Partner practitioner")
        MANAGER = "manager", _("Service manager")
        OTHER = "other", _("Someone else")

    class About(models.TextChoices):
        MY_SAFETY = "my_safety", _("My own safety")
        CHILD = "child", _("A child's safety")
        ADULT = "adult", _("An adult's safety")

    class Decision(models.TextChoices):
        ADVICE = "advice", _("Advice given")
        NO_FURTHER_ACTION = "no_further_action", _("No further action")
        MASH_REFERRAL = "mash_referral", _("Referral to the multi-agency safeguarding hub")
        POLICE = "police", _("Police called")

    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="safeguarding_concerns"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_as = models.CharField(max_length=20, choices=RaisedAs.choices)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.PORTAL)
    # Where it came from in another app, by id (apps do not share models): the mentor
    # match for a mentor's concern, the message and its conversation for a reported one.
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    conversation_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    about = models.CharField(_("who you are worried about"), max_length=20, blank=True)
    details = models.TextField(_("what worried you"), max_length=3000, blank=True)
    # The reported message as it was when reported (its sender may delete it later).
    quoted = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When a decision is due; past it, every manager is told, and it moves on each time.
    escalate_at = models.DateTimeField()
    escalation_count = models.PositiveIntegerField(default=0)
    last_escalated_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=30, choices=Decision.choices, blank=True)
    decision_notes = models.TextField(_("what was decided and why"), max_length=3000, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The manager chose to tell the person who raised it what happened, in these words.
    outcome_for_raiser = models.TextField(max_length=1000, blank=True)

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True, decision="")
                | (Q(decided_at__isnull=False) & ~Q(decision="")),
                name="concern_decision_has_a_time",
            )
        ]
        indexes = [
            models.Index(fields=["decided_at", "escalate_at"]),
            models.Index(fields=["family", "-created_at"]),
            models.Index(fields=["raised_by", "-created_at"]),
        ]

    def __str__(self):
        return f"Concern {self.pk} raised {self.created_at:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("safeguarding:detail", kwargs={"concern_id": self.pk})

    def get_receipt_url(self) -> str:
        return reverse("safeguarding:receipt", kwargs={"concern_id": self.pk})

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None

    @property
    def is_overdue(self) -> bool:
        return not self.is_decided and self.escalate_at <= timezone.now()

    @property
    def outcome_shared(self) -> bool:
        return bool(self.outcome_for_raiser)


class ConcernAction(models.Model):
    """Something that must happen because of the decision, and who will do it."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("what needs to happen"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("by when"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("action on a concern")
        verbose_name_plural = _("actions on concerns")
        ordering = ["id"]

    def __str__(self):
        return self.description


class DutyManager(models.Model):
    """The manager on duty on a day: new concerns reach them at once (with the key
    worker). A day with nobody on duty sends new concerns to every manager."""

    day = models.DateField(_("day"), unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("duty manager")
        verbose_name_plural = _("duty managers")
        ordering = ["day"]

    def __str__(self):
        return f"{self.manager} on {self.day:%d/%m/%Y}"
