"""Meeting and appointment test data, built through the services as the portal builds it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from casework import services
from casework.models import Appointment, Meeting
from portal.models import FamilyMember


def adults(family) -> list[FamilyMember]:
    return list(
        FamilyMember.objects.filter(family=family).exclude(
            relationship=FamilyMember.Relationship.CHILD
        )
    )


def book(key_worker, family, *, days=3, purpose="Talk about school", coming=None) -> Appointment:
    starts = timezone.now() + timedelta(days=days)
    return services.appointment_book(
        family=family,
        actor=key_worker,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        where="Foleshill Family Hub",
        purpose=purpose,
        coming=adults(family) if coming is None else coming,
    )


def arrange(key_worker, family, *, days=5, practitioners=(), invite_mentor=False) -> Meeting:
    starts = timezone.now() + timedelta(days=days)
    return services.meeting_arrange(
        family=family,
        actor=key_worker,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        where="place",
        place="Foleshill Family Hub, Room 2",
        members=adults(family),
        practitioners=practitioners,
        invite_mentor=invite_mentor,
        staff_notes="Staff only: check the housing letter.",
    )


def in_the_past(record, *, hours=2):
    """Time passes: the meeting or appointment has started."""
    starts = timezone.now() - timedelta(hours=hours)
    type(record).objects.filter(pk=record.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    record.refresh_from_db()
    return record
