"""Who may see and change casework records, built on the core access policy.

Every lookup ends in ``portal.access.family_access`` (two-step sign-in for staff, a
reason outside the caseload, every staff read audited); "missing" and "forbidden" both
answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from portal import access as core
from portal.access import AnyUser, FamilyAccess, Relation
from portal.models import Family, FamilyMember

from .models import Appointment, Meeting


def adult_of(user: AnyUser, family: Family) -> FamilyMember | None:
    """The person's row in ``family`` if they are one of its adults."""
    member = core.membership(user)
    if (
        member is None
        or member.family_id != family.pk
        or member.relationship == FamilyMember.Relationship.CHILD
    ):
        return None
    return member


def family_to_manage(user: AnyUser, family_id: int, *, path: str = "") -> Family:
    """A family whose meetings and appointments the person arranges: its key worker, or
    staff with a reason. Http404 for anyone else."""
    family, found = core.family_for_user(user, family_id, path=path)
    if not found.can_manage:
        raise Http404
    return family


def may_manage(user: AnyUser, family: Family) -> bool:
    """Without auditing: whether to offer the person the links to arrange and book."""
    return core.relation_to_family(user, family) in {
        Relation.LEAD_KEY_WORKER,
        Relation.STAFF_WITH_REASON,
    }


@dataclass(frozen=True)
class MeetingAccess:
    meeting: Meeting
    family_access: FamilyAccess

    @property
    def is_family(self) -> bool:
        return self.family_access.is_member

    @property
    def can_manage(self) -> bool:
        """Change, cancel and record the meeting; read the staff notes."""
        return self.family_access.can_manage

    @property
    def sees_staff_notes(self) -> bool:
        return self.can_manage

    @property
    def sees_family_notes(self) -> bool:
        return self.meeting.notes_agreed or self.can_manage


def _invited(user: AnyUser, meeting: Meeting) -> bool:
    return bool(user.is_authenticated) and any(
        invite.user_id_invited == user.pk for invite in meeting.invites.all()
    )


def meeting_access(user: AnyUser, meeting: Meeting, *, path: str = "") -> MeetingAccess:
    """The family's adults, the team members and mentor invited, and the staff who manage
    the family see a meeting; everyone else gets 404."""
    relation = core.relation_to_family(user, meeting.family)
    if relation is Relation.MEMBER and adult_of(user, meeting.family) is None:
        raise Http404
    if relation in {Relation.PARTNER, Relation.MENTOR} and not _invited(user, meeting):
        raise Http404
    found = core.family_access(user, meeting.family, record=meeting, path=path)
    return MeetingAccess(meeting=meeting, family_access=found)


def meeting_for_user(user: AnyUser, meeting_id: int, *, path: str = "") -> MeetingAccess:
    meeting = (
        Meeting.objects.select_related("family", "family__lead_key_worker", "arranged_by")
        .prefetch_related(
            "invites__member", "invites__practitioner__user", "invites__practitioner__agency"
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting_access(user, meeting, path=path)


@dataclass(frozen=True)
class AppointmentAccess:
    appointment: Appointment
    family_access: FamilyAccess
    member: FamilyMember | None

    @property
    def is_family(self) -> bool:
        return self.member is not None

    @property
    def is_mentor(self) -> bool:
        return self.family_access.relation is Relation.MENTOR

    @property
    def can_manage(self) -> bool:
        return self.family_access.can_manage

    @property
    def can_ask_mentor(self) -> bool:
        """A parent of the family, for an appointment to come, not asked yet (or asked
        again after the mentor said no)."""
        return (
            self.is_family
            and self.appointment.is_open
            and self.appointment.mentor_status
            in {Appointment.MentorStatus.NONE, Appointment.MentorStatus.DECLINED}
        )

    @property
    def can_answer(self) -> bool:
        return (
            self.is_mentor
            and self.appointment.is_open
            and self.appointment.mentor_status == Appointment.MentorStatus.ASKED
        )


def appointment_access(
    user: AnyUser, appointment: Appointment, *, path: str = ""
) -> AppointmentAccess:
    """The family's adults, the staff who manage the family, and the family's mentor once
    asked to come; partners and everyone else get 404."""
    relation = core.relation_to_family(user, appointment.family)
    member = adult_of(user, appointment.family)
    if relation is Relation.MEMBER and member is None:
        raise Http404
    if relation is Relation.PARTNER:
        raise Http404
    if relation is Relation.MENTOR and (
        appointment.mentor_user_id != user.pk
        or appointment.mentor_status == Appointment.MentorStatus.NONE
    ):
        raise Http404
    found = core.family_access(user, appointment.family, record=appointment, path=path)
    return AppointmentAccess(appointment=appointment, family_access=found, member=member)


def appointment_for_user(
    user: AnyUser, appointment_id: int, *, path: str = ""
) -> AppointmentAccess:
    appointment = (
        Appointment.objects.select_related("family", "family__lead_key_worker", "booked_by")
        .prefetch_related("coming", "came")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment_access(user, appointment, path=path)
