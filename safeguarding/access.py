"""Who may raise, read and decide a safeguarding concern, built on the core policy.

A concern is read by the family's lead key worker and by service managers (two-step
sign-in, always audited). The person who raised it sees only their receipt and, if a
manager chose to share it, what happened. Nobody else, and no other adult of the family,
learns it exists: for them it is a 404, like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from portal import access as core
from portal.access import AnyUser
from portal.models import AuditEvent, Family, FamilyMember, StaffProfile, User

from .models import Concern


@dataclass(frozen=True)
class ConcernAccess:
    concern: Concern
    role: str  # "key_worker" or "manager"

    @property
    def can_decide(self) -> bool:
        return self.role == "manager" and not self.concern.is_decided


def raised_as(user: User, family: Family) -> str:
    """The part the person plays for this family, as the concern records it."""
    relation = core.relation_to_family(user, family)
    if relation is core.Relation.MEMBER:
        return Concern.RaisedAs.FAMILY
    if relation is core.Relation.MENTOR:
        return Concern.RaisedAs.MENTOR
    role = core.staff_role(user)
    if role in {StaffProfile.Role.KEY_WORKER, StaffProfile.Role.PARTNER, StaffProfile.Role.MANAGER}:
        return str(role)
    return Concern.RaisedAs.OTHER


def may_raise(user: AnyUser, family: Family) -> bool:
    """An adult of the family, its key worker, a practitioner named on it, its current
    mentor, and any key worker or manager may raise a concern about the family.

    Other apps that raise one from their own record (a mentor's match after it ended, a
    reported message) check the person's access to that record instead.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    relation = core.relation_to_family(user, family)
    if relation is core.Relation.MEMBER:
        member = core.membership(user)
        return member is not None and member.relationship != FamilyMember.Relationship.CHILD
    return relation is not core.Relation.NONE


def family_to_raise_about(user: AnyUser, family_id: int, *, path: str = "") -> Family:
    """A family whose record this member of staff (or mentor) may open, to raise a concern
    about it from there; Http404 otherwise. Opening it is audited as any staff read is."""
    family, family_access = core.family_for_user(user, family_id, path=path)
    if family_access.is_member:
        raise Http404  # a parent raises about their own family from their own page
    return family


def _load(concern_id: int) -> Concern | None:
    return (
        Concern.objects.select_related(
            "family", "family__lead_key_worker", "raised_by", "decided_by"
        )
        .filter(pk=concern_id)
        .first()
    )


def concern_for_user(user: AnyUser, concern_id: int, *, path: str = "") -> ConcernAccess:
    """The whole concern, for the family's lead key worker or a manager; Http404 for
    anyone else. Managers need two-step sign-in and no family reason; every read is
    audited (the key worker's through ``family_access``)."""
    concern = _load(concern_id)
    if concern is None or not user.is_authenticated or not user.is_active:
        raise Http404
    if core.is_manager(user):
        if not core.mfa_passed(user):
            raise core.MFASetupRequired
        core.audit_record(
            actor=user,
            action=AuditEvent.Action.VIEW,
            family=concern.family,
            record=concern,
            path=path,
        )
        return ConcernAccess(concern=concern, role="manager")
    if core.relation_to_family(user, concern.family) is core.Relation.LEAD_KEY_WORKER:
        core.family_access(user, concern.family, record=concern, path=path)
        return ConcernAccess(concern=concern, role="key_worker")
    raise Http404


def receipt_for_user(user: AnyUser, concern_id: int) -> Concern:
    """A concern as the person who raised it sees it (that it was received, and any
    outcome shared with them); Http404 for everyone else."""
    concern = _load(concern_id)
    if concern is None or not user.is_authenticated or concern.raised_by_id != user.pk:
        raise Http404
    return concern


def sees_concerns(user: AnyUser) -> bool:
    """Managers and key workers have a list of concerns (a key worker's: their caseload)."""
    return core.is_manager(user) or core.is_key_worker(user)


def list_gate(user: AnyUser) -> None:
    """Managers and key workers only, and only with two-step sign-in."""
    if not sees_concerns(user):
        raise Http404
    if not core.mfa_passed(user):
        raise core.MFASetupRequired


def manager_gate(user: AnyUser) -> None:
    """Managers only, and only with two-step sign-in."""
    if not core.is_manager(user):
        raise Http404
    if not core.mfa_passed(user):
        raise core.MFASetupRequired


def audit_list_read(user: User, *, concerns: list[Concern], path: str = "") -> None:
    """A list of concerns names families: one audit event for each concern on it."""
    from django.utils import timezone

    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=user,
            action=AuditEvent.Action.VIEW,
            family_id=concern.family_id,
            object_type="Concern",
            object_id=str(concern.pk),
            path=path[:300],
            created_at=now,
        )
        for concern in concerns
    )
