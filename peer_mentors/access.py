"""Who may see and change peer mentor records, built on the core access policy.

Matches and contact logs belong to a family, so "missing" and "forbidden" both
answer 404. Managers supervise mentors: they see matches and contacts without giving a
family reason, but always with two-step sign-in and always audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from portal import access as core
from portal.access import AnyUser
from portal.models import AuditEvent, Family, FamilyMember, User

from .models import Mentor, MentorMatch

# Families who have finished the programme may apply to become mentors.
FINISHED_STATUSES = {Family.Status.CLOSED, Family.Status.STEPPED_DOWN}
# Families still being supported may ask for a mentor.
SUPPORTED_STATUSES = {Family.Status.REFERRED, Family.Status.ACTIVE}


def mentor_of(user: AnyUser) -> Mentor | None:
    """The person's mentor record, whatever its status."""
    if not user.is_authenticated:
        return None

    def find() -> Mentor | None:
        found, mentor = core.loaded(user, "peer_mentor")
        return mentor if found else Mentor.objects.filter(user=user).first()

    return core.remembered(user, "_peer_mentor", find)


def active_mentor_of(user: AnyUser) -> Mentor | None:
    mentor = mentor_of(user)
    return mentor if mentor is not None and mentor.status == Mentor.Status.ACTIVE else None


def parent_member(user: AnyUser) -> FamilyMember | None:
    """The person's place in their family if they are an adult in it."""
    member = core.membership(user)
    if member is None or member.relationship == FamilyMember.Relationship.CHILD:
        return None
    return member


def can_ask_for_mentor(user: AnyUser) -> bool:
    member = parent_member(user)
    return member is not None and member.family.status in SUPPORTED_STATUSES


def can_apply(user: AnyUser) -> bool:
    """A parent whose family finished the programme, and who has not applied yet."""
    member = parent_member(user)
    return (
        member is not None and member.family.status in FINISHED_STATUSES and mentor_of(user) is None
    )


def relation_provider(user: AnyUser, family: Family) -> core.Relation | None:
    """An active mentor with a current match (and a current DBS check) is its mentor."""
    mentor = active_mentor_of(user)
    if mentor is None or not mentor.dbs_is_current:
        return None
    matched = MentorMatch.objects.filter(
        mentor=mentor, family=family, status=MentorMatch.Status.ACCEPTED
    ).exists()
    return core.Relation.MENTOR if matched else None


def manager_gate(user: AnyUser) -> None:
    """Managers only, and only with two-step sign-in."""
    if not core.is_manager(user):
        raise Http404
    if not core.mfa_passed(user):
        raise core.MFASetupRequired


def audit_manager_read(
    user: User, *, record: object, family: Family | None = None, path: str = ""
) -> None:
    core.audit_record(
        actor=user, action=AuditEvent.Action.VIEW, family=family, record=record, path=path
    )


def audit_manager_reads(user: User, *, records: Iterable[MentorMatch], path: str = "") -> None:
    """One audit event per match a manager looked at on a list, written together."""
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=user,
            action=AuditEvent.Action.VIEW,
            family_id=record.family_id,
            object_type=type(record).__name__,
            object_id=str(record.pk),
            path=path[:300],
            created_at=now,
        )
        for record in records
    )


def audit_mentor_list(user: User, *, path: str = "") -> None:
    """A manager looked at the list of mentors (names, statuses and DBS dates)."""
    AuditEvent.objects.create(
        actor=user, action=AuditEvent.Action.VIEW, object_type="MentorList", path=path[:300]
    )


def mentor_to_ask(mentor_id: int) -> Mentor:
    """A mentor a parent may send a request to, or Http404 for one missing or stopped.

    Whether they can take the family now the request itself decides, and says why not.
    """
    mentor = Mentor.objects.filter(pk=mentor_id).first()
    if mentor is None or mentor.status == Mentor.Status.STOPPED:
        raise Http404
    return mentor


def mentor_to_propose(mentor_id: int) -> Mentor:
    """A mentor a key worker names for a family, or Http404; the proposal says why one
    cannot take the family."""
    mentor = Mentor.objects.filter(pk=mentor_id).first()
    if mentor is None:
        raise Http404
    return mentor


def browsable_mentor(mentor_id: int) -> Mentor:
    """An active mentor with a current DBS check, as families may see them, or 404."""
    mentor = Mentor.objects.filter(pk=mentor_id, status=Mentor.Status.ACTIVE).first()
    if mentor is None or not mentor.dbs_is_current:
        raise Http404
    return mentor


@dataclass(frozen=True)
class MatchAccess:
    match: MentorMatch
    role: str  # "family", "mentor", "key_worker" or "manager"
    viewer_id: int | None = None

    @property
    def is_family(self) -> bool:
        return self.role == "family"

    @property
    def is_mentor(self) -> bool:
        return self.role == "mentor"

    @property
    def is_staff(self) -> bool:
        return self.role in {"key_worker", "manager"}

    @property
    def can_end(self) -> bool:
        return self.match.status == MentorMatch.Status.ACCEPTED

    @property
    def can_log_contact(self) -> bool:
        return (
            self.is_mentor
            and self.match.status == MentorMatch.Status.ACCEPTED
            and self.match.mentor.status == Mentor.Status.ACTIVE
        )

    @property
    def can_raise_concern(self) -> bool:
        return self.is_mentor and self.match.status in {
            MentorMatch.Status.ACCEPTED,
            MentorMatch.Status.ENDED,
        }

    @property
    def can_respond(self) -> bool:
        return (
            self.is_mentor
            and self.match.status == MentorMatch.Status.REQUESTED
            and not self.match.is_overdue
        )

    @property
    def can_answer_proposal(self) -> bool:
        return self.is_family and self.match.status == MentorMatch.Status.PROPOSED

    @property
    def can_withdraw(self) -> bool:
        if self.is_family:
            return self.match.is_open
        return self.role == "key_worker" and self.match.status == MentorMatch.Status.PROPOSED

    @property
    def sees_family_plan(self) -> bool:
        return self.can_log_contact

    @property
    def may_message_team(self) -> bool:
        """The mentor and the family's own key worker talk about arranging support (the
        messages app decides who else, such as a duty key worker, may join them)."""
        if self.match.status != MentorMatch.Status.ACCEPTED:
            return False
        return self.is_mentor or (
            self.role == "key_worker" and self.match.family.lead_key_worker_id == self.viewer_id
        )


def _load_match(match_id: int) -> MentorMatch:
    match = (
        MentorMatch.objects.select_related(
            "family", "family__lead_key_worker", "mentor", "mentor__user", "requested_by"
        )
        .filter(pk=match_id)
        .first()
    )
    if match is None:
        raise Http404
    return match


def match_access(user: AnyUser, match: MentorMatch, *, path: str = "") -> MatchAccess:
    """Decide who ``user`` is to this match, or raise Http404."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    member = parent_member(user)
    if member is not None and member.family_id == match.family_id:
        return MatchAccess(match=match, role="family")
    if match.mentor.user_id == user.pk:
        # A suggestion the family has not agreed to yet has not reached the mentor.
        if match.sent_at is None:
            raise Http404
        return MatchAccess(match=match, role="mentor", viewer_id=user.pk)
    if core.is_manager(user):
        manager_gate(user)
        audit_manager_read(user, record=match, family=match.family, path=path)
        return MatchAccess(match=match, role="manager")
    if core.is_key_worker(user):
        relation = core.relation_to_family(user, match.family)
        if relation in {core.Relation.LEAD_KEY_WORKER, core.Relation.STAFF_WITH_REASON}:
            # Checks two-step sign-in and any reason, and writes the audit event.
            core.family_access(user, match.family, record=match, path=path)
            return MatchAccess(match=match, role="key_worker", viewer_id=user.pk)
    raise Http404


def match_for_user(user: AnyUser, match_id: int, *, path: str = "") -> MatchAccess:
    return match_access(user, _load_match(match_id), path=path)


def family_for_key_worker(user: AnyUser, family_id: int, *, path: str = "") -> Family:
    """A family whose mentor a key worker may propose: their own, or one with a reason."""
    if not core.is_key_worker(user):
        raise Http404
    family, family_access = core.family_for_user(user, family_id, path=path)
    if not family_access.can_manage:
        raise Http404
    return family


def mentor_for_manager(user: User, mentor_id: int, *, path: str = "") -> Mentor:
    manager_gate(user)
    mentor = (
        Mentor.objects.select_related("user", "recorded_by", "checks_recorded_by")
        .filter(pk=mentor_id)
        .first()
    )
    if mentor is None:
        raise Http404
    audit_manager_read(user, record=mentor, path=path)
    return mentor
