"""Who may record, correct and see agency records, built on the core policy.

- The family's lead key worker, and staff who gave a reason: every entry.
- A partner on today's team: entries of the kinds their agency may record; a sensitive
  kind only where their own agency recorded it. They record, and correct what their
  agency recorded, for kinds their agency's kind allows.
- The family's adults: entries that are not sensitive, about themselves, their children
  or the household, never about another adult (each adult is kept safe inside their
  household). A child's account and a matched mentor see none.
- Key workers and managers read and check entries but do not record them: each fact is
  the agency's own, recorded by the agency that holds it.

Anything else is a 404, like a missing record. Every staff read goes through
``portal.access.family_access`` and so is audited, partners' as the key worker's.

Who may see and change casework records, built on the core access policy.

Every lookup ends in ``portal.access.family_access`` (two-step sign-in for staff, a
reason outside the caseload, every staff read audited); "missing" and "forbidden" both
answer 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from plans.selectors import GoalChoice
from portal import access as core
from portal.access import AnyUser, FamilyAccess, Relation
from portal.models import (
    Agency,
    AuditEvent,
    Family,
    FamilyMember,
    FamilyPractitioner,
    StaffProfile,
    User,
    on_team_today,
)
from portal.registry import ChronologyViewer

from .models import (
    AgencyRecord,
    Appointment,
    Episode,
    FollowUp,
    Meeting,
    Need,
    Outcome,
    RecordImport,
    RecordKind,
    Referral,
)


@dataclass(frozen=True)
class RecordsAccess:
    """What one person may do with one family's agency records."""

    family: Family
    family_access: FamilyAccess
    sees_all: bool = False
    # The partner's agency on this family's team today.
    agency: Agency | None = None
    # The adult of the household who is looking.
    member: FamilyMember | None = None
    # Kinds a partner's agency may record (by id), for what they see.
    partner_kind_ids: frozenset[int] = frozenset()

    @property
    def is_member(self) -> bool:
        return self.member is not None

    @property
    def is_staff(self) -> bool:
        return not self.is_member

    def visible(self, records: QuerySet[AgencyRecord]) -> QuerySet[AgencyRecord]:
        """Only the entries of this family this person may see."""
        records = records.filter(family=self.family)
        if self.sees_all:
            return records
        if self.member is not None:
            return records.filter(kind__sensitive=False).filter(
                Q(member__isnull=True)
                | Q(member=self.member)
                | Q(member__relationship=FamilyMember.Relationship.CHILD)
            )
        if self.agency is not None:
            return records.filter(kind_id__in=self.partner_kind_ids).filter(
                Q(kind__sensitive=False) | Q(agency=self.agency)
            )
        return records.none()

    def may_see(self, record: AgencyRecord) -> bool:
        return self.visible(AgencyRecord.objects.filter(pk=record.pk)).exists()

    def may_record(self, kind: RecordKind) -> bool:
        return (
            self.agency is not None
            and kind.is_active
            and self.agency.is_active
            and self.agency.kind in kind.agency_kinds
        )

    def may_correct(self, record: AgencyRecord) -> bool:
        """Only the agency that recorded an entry corrects it, and only its latest one."""
        return (
            self.agency is not None
            and record.agency_id == self.agency.pk
            and self.agency.kind in record.kind.agency_kinds
            and not is_corrected(record)
        )

    def recordable_kinds(self) -> list[RecordKind]:
        if self.agency is None:
            return []
        return [kind for kind in active_kinds() if self.may_record(kind)]


def is_corrected(record: AgencyRecord) -> bool:
    """Whether another entry already corrects ``record`` (as a list found it, if it did)."""
    known = getattr(record, "is_corrected", None)
    if isinstance(known, bool):
        return known
    try:
        record.corrected_by  # noqa: B018 - reading the reverse relation asks the database
    except AgencyRecord.DoesNotExist:
        return False
    return True


def active_kinds() -> list[RecordKind]:
    return list(RecordKind.objects.filter(is_active=True))


def kinds_for_agency_kind(agency_kind: str, *, include_retired: bool = True) -> list[RecordKind]:
    kinds = (
        RecordKind.objects.all() if include_retired else RecordKind.objects.filter(is_active=True)
    )
    return [kind for kind in kinds if agency_kind in kind.agency_kinds]


def _team_agency(user: User, family: Family) -> Agency | None:
    link = (
        FamilyPractitioner.objects.select_related("agency").filter(family=family, user=user).first()
    )
    return link.agency if link else None


def records_access(user: AnyUser, family: Family, *, family_access: FamilyAccess) -> RecordsAccess:
    """Decide from the core's answer what ``user`` may do with ``family``'s records;
    Http404 for anyone who may see none."""
    relation = family_access.relation
    if relation in {core.Relation.LEAD_KEY_WORKER, core.Relation.STAFF_WITH_REASON}:
        return RecordsAccess(family=family, family_access=family_access, sees_all=True)
    if relation is core.Relation.MEMBER:
        member = core.membership(user)
        if member is None or not member.is_adult:
            raise Http404
        return RecordsAccess(family=family, family_access=family_access, member=member)
    if relation is core.Relation.PARTNER and user.is_authenticated:
        agency = _team_agency(user, family)
        if agency is None:
            raise Http404
        kind_ids = frozenset(kind.pk for kind in kinds_for_agency_kind(agency.kind))
        return RecordsAccess(
            family=family, family_access=family_access, agency=agency, partner_kind_ids=kind_ids
        )
    raise Http404


def family_records_for_user(user: AnyUser, family_id: int, *, path: str = "") -> RecordsAccess:
    """A family whose agency records this person may open (audited for staff), or 404."""
    family, found = core.family_for_user(user, family_id, path=path)
    return records_access(user, family, family_access=found)


def record_for_user(
    user: AnyUser, record_id: int, *, path: str = ""
) -> tuple[AgencyRecord, RecordsAccess]:
    """One entry this person may see (its read audited for staff), or Http404."""
    record = (
        AgencyRecord.objects.select_related(
            "family", "family__lead_key_worker", "kind", "agency", "member", "recorded_by"
        )
        .filter(pk=record_id)
        .first()
    )
    if record is None:
        raise Http404
    found = core.family_access(user, record.family, record=record, path=path)
    allowed = records_access(user, record.family, family_access=found)
    if not allowed.may_see(record):
        raise Http404
    return record, allowed


# Kinds of record: service managers ---------------------------------------------------


def manager_gate(user: AnyUser) -> None:
    """Service managers only, and only with two-step sign-in."""
    if not core.is_manager(user):
        raise Http404
    if not core.mfa_passed(user):
        raise core.MFASetupRequired


def kind_for_manager(user: AnyUser, kind_id: int) -> RecordKind:
    manager_gate(user)
    kind = RecordKind.objects.filter(pk=kind_id).first()
    if kind is None:
        raise Http404
    return kind


# Imports: partners ----------------------------------------------------------------------


def import_gate(user: AnyUser) -> None:
    """Partner practitioners only, with two-step sign-in."""
    if not core.is_partner(user):
        raise Http404
    if not core.mfa_passed(user):
        raise core.MFASetupRequired


def importing_agencies(user: User) -> list[Agency]:
    """The agencies a partner is on any family's team for today."""
    return list(
        Agency.objects.filter(
            on_team_today("team_members__"), team_members__user=user, is_active=True
        )
        .distinct()
        .order_by("name")
    )


def import_families(user: User, agency: Agency) -> QuerySet[Family]:
    """Families the partner may record for, for ``agency``: on their team today for it."""
    return Family.objects.filter(
        on_team_today("practitioners__"),
        practitioners__user=user,
        practitioners__agency=agency,
    ).distinct()


def import_for_user(user: AnyUser, import_id: int) -> RecordImport:
    """An import the person made themselves, or Http404."""
    import_gate(user)
    found = (
        RecordImport.objects.select_related("kind", "agency", "imported_by")
        .filter(pk=import_id, imported_by_id=user.pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def audit_import_read(user: User, *, records: list[AgencyRecord], path: str = "") -> None:
    """A list of imported entries names families: one audit event for each family on it."""
    from django.utils import timezone

    from portal.models import AuditEvent

    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=user,
            action=AuditEvent.Action.VIEW,
            family_id=family_id,
            object_type="RecordImport",
            object_id=str(record.source_import_id),
            path=path[:300],
            created_at=now,
        )
        for family_id, record in {r.family_id: r for r in records}.items()
    )


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


# Referrals ---------------------------------------------------------------------------
#
# Practitioners (partners for their agency, key workers and managers for the service's
# own) refer a family and see only the outcome of what they referred. Service managers,
# with two-step sign-in, read and decide every referral: that is their job, so no reason
# is asked for, and every read and decision is audited. The lead key worker of the family
# a referral was joined to reads it too.


def may_refer(user: AnyUser) -> bool:
    """Without auditing: whether to offer the person "Refer a family"."""
    return core.staff_role(user) in {
        StaffProfile.Role.PARTNER,
        StaffProfile.Role.KEY_WORKER,
        StaffProfile.Role.MANAGER,
    }


def referrer_gate(user: AnyUser) -> User:
    """A practitioner who may refer, with two-step sign-in; Http404 for anyone else."""
    if not user.is_authenticated or not may_refer(user):
        raise Http404
    if not core.mfa_passed(user):
        raise core.MFASetupRequired
    return user


def referring_agencies(user: User) -> list[Agency]:
    """The agencies a partner may refer for: those they are on a family's team for today,
    or any agency in use if they are on none yet. Empty for the service's own staff, who
    refer for the service itself."""
    if not core.is_partner(user):
        return []
    return importing_agencies(user) or list(Agency.objects.filter(is_active=True))


def referral_for_referrer(user: AnyUser, referral_id: int) -> Referral:
    """A referral the person made themselves, or Http404."""
    referrer = referrer_gate(user)
    found = (
        Referral.objects.select_related("referrer_agency")
        .filter(pk=referral_id, referred_by=referrer)
        .first()
    )
    if found is None:
        raise Http404
    return found


def may_decide_referrals(user: AnyUser) -> bool:
    """Without auditing: a service manager who passed two-step sign-in."""
    return core.is_manager(user) and core.mfa_passed(user)


@dataclass(frozen=True)
class ReferralAccess:
    referral: Referral
    can_decide: bool


def referral_for_user(user: AnyUser, referral_id: int, *, path: str = "") -> ReferralAccess:
    """A referral for a service manager (to decide it), or for the lead key worker of the
    family it was joined to (to read what the referrer wrote); each read audited. Http404
    for anyone else."""
    referral = (
        Referral.objects.select_related(
            "referred_by", "referrer_agency", "decided_by", "family", "family__lead_key_worker"
        )
        .filter(pk=referral_id)
        .first()
    )
    if referral is None or not user.is_authenticated:
        raise Http404
    if core.is_manager(user):
        manager_gate(user)
        core.audit_record(
            actor=user,
            action=AuditEvent.Action.VIEW,
            family=referral.family,
            record=referral,
            path=path,
        )
        return ReferralAccess(referral=referral, can_decide=referral.status == Referral.Status.NEW)
    if referral.family is None or referral.family.lead_key_worker_id != user.pk:
        raise Http404
    core.family_access(user, referral.family, record=referral, path=path)
    return ReferralAccess(referral=referral, can_decide=False)


def referral_queue_gate(user: AnyUser, *, path: str = "") -> User:
    """Service managers with two-step sign-in open the referrals; the list is audited."""
    manager_gate(user)
    if not user.is_authenticated:  # never: manager_gate lets only a manager through
        raise Http404
    AuditEvent.objects.create(
        actor=user, action=AuditEvent.Action.VIEW, object_type="Referral", path=path[:300]
    )
    return user


def audit_duplicates_shown(
    user: User, *, referral: Referral, families: list[Family], path: str = ""
) -> None:
    """Families shown to a manager as possibly the one referred: one audit event each."""
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=user,
            action=AuditEvent.Action.VIEW,
            family=family,
            object_type="Referral",
            object_id=str(referral.pk),
            reason="Shown as a possible match for a referral",
            path=path[:300],
            created_at=now,
        )
        for family in families
    )


# Assessment and needs --------------------------------------------------------------------
#
# The key worker (or staff with a reason) records and reads every need. Each adult of the
# household reads the needs about themselves, their children and the household, never
# one about the other adult, and never a domestic abuse need (the household may include
# the person who harmed them). Partners, mentors and children's accounts see none.


def member_needs_filter(member: FamilyMember) -> Q:
    """A filter on ``Need`` for what ``member``, an adult of the household, may read."""
    return (
        Q(family_id=member.family_id, removed_at__isnull=True)
        & ~Q(outcome=Outcome.DOMESTIC_ABUSE)
        & (
            Q(member__isnull=True)
            | Q(member=member)
            | Q(member__relationship=FamilyMember.Relationship.CHILD)
        )
    )


def need_to_manage(user: AnyUser, need_id: int, *, path: str = "") -> Need:
    """A need the person records for the family (its key worker, or staff with a
    reason; audited), or Http404."""
    need = (
        Need.objects.select_related(
            "family", "family__lead_key_worker", "episode", "descriptor", "member"
        )
        .filter(pk=need_id)
        .first()
    )
    if need is None:
        raise Http404
    found = core.family_access(user, need.family, record=need, path=path)
    if not found.can_manage:
        raise Http404
    return need


def own_needs_member(user: AnyUser) -> FamilyMember:
    """The adult of a household looking at their family's needs, or Http404."""
    member = core.membership(user)
    if member is None or adult_of(user, member.family) is None:
        raise Http404
    core.family_access(user, member.family)
    return member


def own_need_for_user(user: AnyUser, need_id: int) -> tuple[Need, FamilyMember]:
    """A need this adult of the household may read, or Http404 (another family's, the
    other adult's, a domestic abuse need, one taken off)."""
    member = own_needs_member(user)
    need = (
        Need.objects.select_related("descriptor", "member", "episode")
        .filter(member_needs_filter(member), pk=need_id)
        .first()
    )
    if need is None:
        raise Http404
    return need, member


def goals_may_meet(need: Need, goals: Iterable[GoalChoice]) -> list[int]:
    """The ids of the goals that may meet ``need``: the whole family's, and the private
    goals of the adult the need is about. So what meets a need another adult of the
    household reads is always something they can see."""
    return [
        goal.id
        for goal in goals
        if goal.private_to_id is None
        or (need.member_id is not None and goal.private_to_id == need.member_id)
    ]


def may_see_need(member: FamilyMember, need: Need) -> bool:
    return Need.objects.filter(member_needs_filter(member), pk=need.pk).exists()


# Closure, step-down and the six months after -------------------------------------------


def episode_to_close(user: AnyUser, family_id: int, *, path: str = "") -> Episode:
    """The family's open episode, for its lead key worker or staff with a reason (two-step
    sign-in and the audit come with ``family_for_user``); Http404 for anyone else or when
    no work is open."""
    family = family_to_manage(user, family_id, path=path)
    episode = Episode.objects.filter(family=family, closed_on__isnull=True).first()
    if episode is None:
        raise Http404
    episode.family = family
    return episode


def own_closed_episode(user: AnyUser) -> tuple[Episode, FamilyMember]:
    """The signed-in adult's family's latest episode, when it has closed; Http404 for
    anyone else (children, staff, a family still being worked with)."""
    member = core.membership(user)
    if member is None or member.relationship == FamilyMember.Relationship.CHILD:
        raise Http404
    episode = (
        Episode.objects.filter(family_id=member.family_id).order_by("-opened_on", "-id").first()
    )
    if episode is None or episode.closed_on is None or not episode.closure_reason:
        raise Http404
    episode.family = member.family
    return episode, member


def follow_up_for_user(user: AnyUser, follow_up_id: int) -> tuple[FollowUp, FamilyMember]:
    """A "how are things now" question asked of the signed-in adult's family, or Http404."""
    member = core.membership(user)
    if member is None or member.relationship == FamilyMember.Relationship.CHILD:
        raise Http404
    follow_up = (
        FollowUp.objects.select_related("episode__family")
        .filter(pk=follow_up_id, episode__family_id=member.family_id)
        .first()
    )
    if follow_up is None:
        raise Http404
    return follow_up, member


def need_to_mark(user: AnyUser, need_id: int, *, path: str = "") -> Need:
    """A need met at closure whose family this person manages (audited), or Http404."""
    need = Need.objects.select_related("family", "descriptor").filter(pk=need_id).first()
    if need is None:
        raise Http404
    found = core.family_access(user, need.family, record=need, path=path)
    if not found.can_manage:
        raise Http404
    return need


def six_months_gate(user: AnyUser) -> User | None:
    """Who the six-month page is for: a key worker (their caseload: returns them) or a
    service manager (every family: returns None), each after two-step sign-in."""
    if not (core.is_key_worker(user) or core.is_manager(user)) or not user.is_authenticated:
        raise Http404
    if not core.mfa_passed(user):
        raise core.MFASetupRequired
    return None if core.is_manager(user) else user


def audit_six_months_read(user: User, *, families: list[Family], path: str = "") -> None:
    """A service manager read every family's six-month checks: one audit event for each
    family shown (a key worker reading their own caseload is not asked for one)."""
    if not core.is_manager(user):
        return
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=user,
            action=AuditEvent.Action.VIEW,
            family=family,
            object_type="Episode",
            reason="Six months after closure",
            path=path[:300],
            created_at=now,
        )
        for family in families
    )


# Chronology --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chronology:
    """The family's chronology as a thing read: what its audit events name."""

    family: Family

    @property
    def pk(self) -> int:
        return self.family.pk


@dataclass(frozen=True)
class ChronologyAccess:
    """What one member of staff may see of one family's chronology."""

    family: Family
    family_access: FamilyAccess
    records_access: RecordsAccess
    viewer: ChronologyViewer

    @property
    def sees_all(self) -> bool:
        return self.viewer.sees_all

    @property
    def agency(self) -> Agency | None:
        """A partner's agency on the family's team, which their own entries carry."""
        return self.records_access.agency


def _chronology_access(user: User, family: Family, found: FamilyAccess) -> ChronologyAccess:
    records = records_access(user, family, family_access=found)
    if records.sees_all:
        viewer = ChronologyViewer(user=user, sees_all=True)
    else:
        team_ids = frozenset(
            FamilyPractitioner.objects.filter(family=family, user=user).values_list("pk", flat=True)
        )
        viewer = ChronologyViewer(
            user=user,
            sees_all=False,
            team_ids=team_ids,
            agency_id=records.agency.pk if records.agency else None,
        )
    return ChronologyAccess(
        family=family, family_access=found, records_access=records, viewer=viewer
    )


def chronology_for_user(user: AnyUser, family_id: int, *, path: str = "") -> ChronologyAccess:
    """The chronology of a family, for its lead key worker, staff with a reason and the
    partners on its team today (each read audited); Http404 for the family's own adults,
    its mentor and anyone else."""
    family = Family.objects.select_related("lead_key_worker").filter(pk=family_id).first()
    if family is None or not user.is_authenticated:
        raise Http404
    relation = core.relation_to_family(user, family)
    if relation not in core.STAFF_RELATIONS:
        raise Http404
    found = core.family_access(user, family, record=Chronology(family), path=path)
    return _chronology_access(user, family, found)


def chronology_for_writer(user: User, family: Family) -> ChronologyAccess:
    """For a service adding an entry: the same rule as reading, or PermissionDenied."""
    if core.relation_to_family(user, family) not in core.STAFF_RELATIONS:
        raise PermissionDenied
    found = core.family_access(user, family, record=Chronology(family))
    return _chronology_access(user, family, found)


def may_see_chronology(user: AnyUser, family: Family) -> bool:
    """Without auditing: whether to offer the person the link to the chronology."""
    return core.relation_to_family(user, family) in core.STAFF_RELATIONS
