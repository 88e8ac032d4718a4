"""Reads of the core records, with the joins each page needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Prefetch, Q, QuerySet

from . import access, registry
from .models import (
    Agency,
    AuditEvent,
    Family,
    FamilyMember,
    FamilyPractitioner,
    Invitation,
    LeadKeyWorker,
    SafeContact,
    StaffProfile,
    User,
    on_team_today,
)


def family_list_for_staff(*, user: User, query: str = "", status: str = "") -> QuerySet[Family]:
    """A key worker's or partner's caseload, or, when searching, every family they may find."""
    families = access.searchable_families(user) if query else access.caseload(user)
    if query:
        families = families.filter(
            Q(display_name__icontains=query)
            | Q(reference__icontains=query)
            | Q(members__name__icontains=query)
        ).distinct()
    if status:
        families = families.filter(status=status)
    return (
        families.select_related("lead_key_worker")
        .annotate(
            member_count=Count("members", filter=Q(members__left_at__isnull=True), distinct=True)
        )
        .order_by("display_name", "id")
    )


def family_detail(*, family_id: int) -> Family:
    return (
        Family.objects.select_related("lead_key_worker")
        .prefetch_related(
            Prefetch("members", queryset=FamilyMember.objects.select_related("user")),
            Prefetch(
                "invitations",
                queryset=Invitation.objects.filter(accepted_at__isnull=True).select_related(
                    "member"
                ),
                to_attr="open_invitations",
            ),
        )
        .get(pk=family_id)
    )


def service_counts() -> dict[str, object]:
    """Counts for a manager: families by status, and people by role. No names."""
    by_status = dict(Family.objects.values_list("status").annotate(n=Count("id")))
    by_role = dict(StaffProfile.objects.values_list("role").annotate(n=Count("id")))
    return {
        "families": [
            {"label": label, "value": value, "count": by_status.get(value, 0)}
            for value, label in Family.Status.choices
        ],
        "staff": [
            {"label": label, "value": value, "count": by_role.get(value, 0)}
            for value, label in StaffProfile.Role.choices
        ],
        "total_families": sum(by_status.values()),
    }


def team_for_manager(*, manager: User) -> QuerySet[StaffProfile]:
    """Key workers with the size of their caseload, for a manager's dashboard."""
    return (
        StaffProfile.objects.filter(role=StaffProfile.Role.KEY_WORKER)
        .select_related("user")
        .annotate(
            caseload_size=Count(
                "user__caseload",
                filter=Q(user__caseload__status__in=[Family.Status.ACTIVE, Family.Status.REFERRED]),
            )
        )
        .order_by("user__first_name", "user__last_name")
    )


def user_by_email(*, email: str) -> User | None:
    """The person whose account uses this email address, in any case."""
    return User.objects.filter(email__iexact=email).first()


def audit_events(*, family_reference: str = "", actor_email: str = "") -> QuerySet[AuditEvent]:
    """Staff access to family records, newest first, for a manager's review."""
    events = AuditEvent.objects.select_related("actor", "family")
    if family_reference:
        events = events.filter(family__reference__iexact=family_reference.strip())
    if actor_email:
        events = events.filter(actor__email__iexact=actor_email.strip())
    return events.order_by("-created_at", "-id")


@dataclass(frozen=True)
class SafeContactRow:
    """One adult of a household and what they said about contacting them (None: they
    have not said yet). The safe word itself is never on the page: ``may_open_safe_word``
    says whether the viewer may open it (audited) on a page of its own."""

    member: FamilyMember
    contact: SafeContact | None
    has_safe_word: bool
    may_open_safe_word: bool


def safe_contacts_for_staff(*, family: Family, viewer: User) -> list[SafeContactRow]:
    """What each adult with an account said about contacting them, for staff about to."""
    may_open = access.may_see_safe_word(viewer, family)
    rows = []
    for member in (
        FamilyMember.objects.filter(family=family, user__isnull=False)
        .exclude(relationship=FamilyMember.Relationship.CHILD)
        .select_related("safe_contact")
        .order_by("id")
    ):
        try:
            contact: SafeContact | None = member.safe_contact
        except ObjectDoesNotExist:
            contact = None
        has_word = bool(contact and contact.safe_word)
        rows.append(
            SafeContactRow(
                member=member,
                contact=contact,
                has_safe_word=has_word,
                may_open_safe_word=has_word and may_open,
            )
        )
    return rows


def safe_contact_of(*, member: FamilyMember) -> SafeContact | None:
    return SafeContact.objects.filter(member=member).first()


def members_who_left(*, family: Family) -> QuerySet[FamilyMember]:
    """Adults removed from the household, newest first, for the staff who manage it."""
    return (
        FamilyMember.everyone.filter(family=family, left_at__isnull=False)
        .select_related("removed_by")
        .order_by("-left_at")
    )


# The team around the family ---------------------------------------------------------


@dataclass(frozen=True)
class TeamMember:
    membership: FamilyPractitioner
    # Titles of the goals the family shared with them; None where the viewer may not know.
    sees: list[str] | None


def family_team(
    *, family: Family, viewer: User, member: FamilyMember | None, sees_plan: bool
) -> list[TeamMember]:
    """Today's team, each with what they can see. ``member``: the adult of the family
    looking (another adult's private goals are left out); ``sees_plan``: the viewer may
    know what was shared with everyone (the family, its key workers and managers), else
    only with themselves (a partner on the team). Two queries, and the sharing
    providers' own."""
    team = list(
        FamilyPractitioner.objects.filter(family=family)
        .select_related("user", "agency")
        .order_by("starts", "id")
    )
    sight = registry.team_sight(family, member) if team else {}
    return [
        TeamMember(
            membership=m,
            sees=sight.get(m.pk, []) if sees_plan or m.user_id == viewer.pk else None,
        )
        for m in team
    ]


def team_history(*, family: Family) -> list[FamilyPractitioner]:
    """Everyone who is not on the team today: yet to start, ended, or removed."""
    current = FamilyPractitioner.objects.filter(family=family).values("pk")
    return list(
        FamilyPractitioner.everyone.filter(family=family)
        .exclude(pk__in=current)
        .select_related("user", "agency", "removed_by")
        .order_by("-starts", "id")
    )


def lead_history(*, family: Family) -> list[LeadKeyWorker]:
    """Every key worker who has led the family, the current one first."""
    return list(
        LeadKeyWorker.objects.filter(family=family).select_related("key_worker", "handed_over_by")
    )


def key_workers_to_pass_to(*, family: Family) -> QuerySet[User]:
    """Active key workers other than the family's lead, to pass the family to."""
    return (
        User.objects.filter(staff_profile__role=StaffProfile.Role.KEY_WORKER, is_active=True)
        .exclude(pk=family.lead_key_worker_id or 0)
        .order_by("first_name", "last_name", "id")
    )


def agencies_for_managers() -> list[Agency]:
    """Every agency, in use first, with how many people are on teams for it today."""
    return list(
        Agency.objects.annotate(
            on_teams=Count("team_members", filter=on_team_today("team_members__"))
        ).order_by("-is_active", "name")
    )
