"""Who may book, cancel, take attendance and invite, built on the portal's access policy."""

from __future__ import annotations

from django.http import Http404

from portal import access
from portal.access import AnyUser
from portal.models import Family, FamilyMember, StaffProfile

from .models import Booking

ATTENDANCE_ROLES = {
    StaffProfile.Role.KEY_WORKER,
    StaffProfile.Role.MANAGER,
    StaffProfile.Role.EDITOR,
}


def booker(user: AnyUser) -> FamilyMember | None:
    """The family member a signed-in parent books as, or None for anyone else."""
    member = access.membership(user)
    if member is None or not member.is_adult:
        return None
    return member


def booking_for_user(user: AnyUser, booking_id: int) -> Booking:
    """A booking the person made for themselves. Anyone else's answers 404, like a missing one."""
    member = booker(user)
    if member is None:
        raise Http404
    booking = (
        Booking.objects.select_related("occurrence__series__venue", "member__family")
        .filter(pk=booking_id, member=member)
        .first()
    )
    if booking is None:
        raise Http404
    return booking


def can_take_attendance(user: AnyUser) -> bool:
    return access.staff_role(user) in ATTENDANCE_ROLES


def require_attendance_access(user: AnyUser) -> None:
    """Staff who run sessions see who is booked; they need two-step sign-in first."""
    if not can_take_attendance(user):
        raise Http404
    if not access.mfa_passed(user):
        raise access.MFASetupRequired


def family_for_invitation(user: AnyUser, family_id: int, *, path: str = "") -> Family:
    """A key worker inviting a dad needs the same access as opening the family's record."""
    if not access.is_key_worker(user):
        raise Http404
    family, family_access = access.family_for_user(user, family_id, path=path)
    if not family_access.is_staff:
        raise Http404
    return family
