"""A family member's bookings of session dates, and key workers' invitations to them.

Both hold family data: they are only written through ``content.services`` and read
through ``content.access`` and ``content.selectors``.
"""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import FamilyMember

from .sessions import SessionOccurrence


class BookingQuerySet(models.QuerySet["Booking"]):
    def active(self) -> Self:
        return self.filter(status__in=[Booking.Status.CONFIRMED, Booking.Status.WAITING])

    def confirmed(self) -> Self:
        return self.filter(status=Booking.Status.CONFIRMED)


class Booking(models.Model):
    """A parent's place (or place on the waiting list) at one date of a session."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Booked")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    occurrence = models.ForeignKey(
        SessionOccurrence, on_delete=models.PROTECT, related_name="bookings"
    )
    member = models.ForeignKey(FamilyMember, on_delete=models.CASCADE, related_name="bookings")
    companions = models.ManyToManyField(
        FamilyMember, blank=True, related_name="accompanied_bookings", verbose_name=_("who comes")
    )
    places = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "member"],
                condition=Q(status__in=["confirmed", "waiting"]),
                name="one_active_booking_per_person",
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="booking_at_least_one_place"),
        ]
        indexes = [models.Index(fields=["occurrence", "status", "created_at"])]

    def __str__(self):
        return f"{self.member} at {self.occurrence} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("content:booking_detail", kwargs={"booking_id": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.CONFIRMED, self.Status.WAITING}


class SessionInvitation(models.Model):
    """A key worker suggests a session to a named father in a family on their caseload."""

    occurrence = models.ForeignKey(
        SessionOccurrence, on_delete=models.CASCADE, related_name="invitations"
    )
    member = models.ForeignKey(
        FamilyMember, on_delete=models.CASCADE, related_name="session_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.CharField(_("a short note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "member"], name="one_invitation_per_date")
        ]

    def __str__(self):
        return f"{self.member} invited to {self.occurrence}"
