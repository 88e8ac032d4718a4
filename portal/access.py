"""The one access policy for family records.

Every lookup of a family, or of anything that belongs to one, comes through here.
"Missing" and "forbidden" look the same to the caller: both raise ``Http404``.
Feature apps build on :func:`family_access` in their own ``access.py`` and may register
extra relations (a matched peer mentor, say) with :func:`register_relation_provider`,
so the core never imports them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, TypeAlias, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import QuerySet
from django.http import Http404
from django.urls import ResolverMatch
from django.utils import timezone

from .models import (
    AccessGrant,
    Agency,
    AuditEvent,
    Family,
    FamilyMember,
    FamilyPractitioner,
    SafeContact,
    StaffProfile,
    User,
    on_team_today,
)

# Whoever asks: a signed-in person or a visitor (``request.user``).
AnyUser: TypeAlias = User | AnonymousUser
View = TypeVar("View", bound=Callable[..., Any])
Found = TypeVar("Found")


class Relation(enum.StrEnum):
    MEMBER = "member"
    LEAD_KEY_WORKER = "lead_key_worker"
    PARTNER = "partner"
    MENTOR = "mentor"
    # Staff who may open the record only with a recorded reason ("break glass").
    STAFF_WITH_REASON = "staff_with_reason"
    NONE = "none"


STAFF_RELATIONS = {Relation.LEAD_KEY_WORKER, Relation.PARTNER, Relation.STAFF_WITH_REASON}


class MFASetupRequired(Exception):  # reads as a state, not an error
    """Staff must pass two-step sign-in in this session (setting it up first if they have
    no authenticator) before anything that names a family opens."""


class ReasonRequired(Exception):
    """The family is not on this person's caseload: they must record why they need it."""

    def __init__(self, family: Family):
        super().__init__(family)
        self.family = family


@dataclass(frozen=True)
class FamilyAccess:
    family: Family
    relation: Relation
    reason: str = ""

    @property
    def is_member(self) -> bool:
        return self.relation is Relation.MEMBER

    @property
    def is_staff(self) -> bool:
        return self.relation in STAFF_RELATIONS

    @property
    def can_manage(self) -> bool:
        """Change the family's details, invite people, name practitioners, remove an
        adult from the household."""
        return self.relation in {Relation.LEAD_KEY_WORKER, Relation.STAFF_WITH_REASON}

    @property
    def can_see_safe_word(self) -> bool:
        """The family's key workers and managers (covering staff give a reason), never a
        partner, a mentor or anyone in the household."""
        return self.relation in {Relation.LEAD_KEY_WORKER, Relation.STAFF_WITH_REASON}


RelationProvider = Callable[[User, Family], "Relation | None"]
_relation_providers: list[RelationProvider] = []


def register_relation_provider(provider: RelationProvider) -> None:
    """Let a feature app add a relation, such as a peer mentor matched to the family."""
    if provider not in _relation_providers:
        _relation_providers.append(provider)


# People and roles ----------------------------------------------------------------------


def loaded(user: AnyUser, name: str) -> tuple[bool, Any]:
    """(True, the related object or None) when ``name`` was loaded with ``user`` (as
    ``portal.backends.PortalBackend`` does for the signed-in person), else (False, None)."""
    # Only what the backend loaded for this request: Django also caches a relation on any
    # object it was assigned to, which may be long out of date.
    if not user.is_authenticated or not getattr(user, "_portal_related_loaded", False):
        return False, None
    cache = user._state.fields_cache
    if name not in cache:
        return False, None
    return True, cache[name]


def forget_loaded(user: AnyUser, name: str) -> None:
    """After a change to ``name`` for ``user`` in this request: look it up again."""
    fields_cache = getattr(getattr(user, "_state", None), "fields_cache", None)
    if fields_cache is not None:
        fields_cache.pop(name, None)


def remembered(user: User, name: str, find: Callable[[], Found]) -> Found:
    """What ``find()`` returns, kept on ``user`` as ``name`` for the rest of the request."""
    if not hasattr(user, name):
        setattr(user, name, find())
    value: Found = getattr(user, name)
    return value


def forget_remembered(user: User, name: str) -> None:
    """After a change to what ``name`` holds: find it again when next asked."""
    vars(user).pop(name, None)


def staff_profile(user: AnyUser) -> StaffProfile | None:
    if not user.is_authenticated:
        return None

    def find() -> StaffProfile | None:
        found, profile = loaded(user, "staff_profile")
        return profile if found else StaffProfile.objects.filter(user=user).first()

    return remembered(user, "_portal_staff_profile", find)


def staff_role(user: AnyUser) -> str | None:
    profile = staff_profile(user)
    return profile.role if profile else None


def is_key_worker(user: AnyUser) -> bool:
    return staff_role(user) == StaffProfile.Role.KEY_WORKER


def is_manager(user: AnyUser) -> bool:
    return staff_role(user) == StaffProfile.Role.MANAGER


def is_partner(user: AnyUser) -> bool:
    return staff_role(user) == StaffProfile.Role.PARTNER


def is_editor(user: AnyUser) -> bool:
    return staff_role(user) == StaffProfile.Role.EDITOR or user.is_superuser


def needs_mfa(user: AnyUser) -> bool:
    """Anyone who works for the service, or may use an admin, must use two-step sign-in."""
    if not user.is_authenticated:
        return False
    return staff_profile(user) is not None or user.is_staff or user.is_superuser


def has_mfa(user: AnyUser) -> bool:
    """The person has an authenticator app set up (whether or not this session used it)."""
    from allauth.mfa.models import Authenticator

    if not user.is_authenticated:
        return False
    return remembered(
        user,
        "_portal_has_mfa",
        lambda: bool(
            Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ),
    )


def session_mfa_note(user: User, session: SessionBase) -> None:
    """Remember on ``user`` whether ``session`` passed two-step sign-in.

    allauth records each step of signing in in the session; a code from the authenticator
    app (or a recovery code) is an "mfa" step. Called for every request by
    ``portal.middleware.StaffMFAMiddleware`` and by the socket consumer on connect.
    """
    from allauth.account.authentication import get_authentication_records

    records = get_authentication_records(SimpleNamespace(session=session), user)
    user._portal_session_mfa = any(record.get("method") == "mfa" for record in records)


def mfa_passed(user: AnyUser) -> bool:
    """This session finished two-step sign-in, and the person still has an authenticator.

    Having an authenticator is not enough: a session that signed in with only a password
    has not passed. A user object whose session was never noted has not passed either.
    """
    return bool(getattr(user, "_portal_session_mfa", False)) and has_mfa(user)


# Pages open before two-step sign-in ----------------------------------------------------

# Other projects' views that are the public site or part of signing in.
_THIRD_PARTY_OPEN = {"wagtail_serve", "wagtaildocs_serve"}


def public(view: View) -> View:
    """Mark a view as open to everyone: visitors, and staff before two-step sign-in.

    Such a view names no family to anyone who is not in it.
    """
    view.portal_public = True  # type: ignore[attr-defined]  # a mark on the function
    view.portal_before_mfa = True  # type: ignore[attr-defined]
    return view


def before_mfa(view: View) -> View:
    """Mark a signed-in view that staff may open before two-step sign-in (it checks
    ``mfa_passed`` itself before showing anything that names a family)."""
    view.portal_before_mfa = True  # type: ignore[attr-defined]  # a mark on the function
    return view


def open_before_mfa(view_func: Callable[..., Any], match: ResolverMatch | None) -> bool:
    """Whether staff who have not passed two-step sign-in may open this view."""
    if getattr(view_func, "portal_before_mfa", False):
        return True
    # Signing in, setting up the authenticator, entering its code, signing out.
    if view_func.__module__.startswith("allauth."):
        return True
    return match is not None and match.view_name in _THIRD_PARTY_OPEN


def membership(user: AnyUser) -> FamilyMember | None:
    """The household membership of a signed-in person, if any."""
    if not user.is_authenticated:
        return None

    def find() -> FamilyMember | None:
        found, member = loaded(user, "family_membership")
        return (
            member
            if found
            else FamilyMember.objects.select_related("family", "family__lead_key_worker")
            .filter(user=user)
            .first()
        )

    return remembered(user, "_portal_membership", find)


def own_family(user: AnyUser) -> Family | None:
    member = membership(user)
    return member.family if member else None


# Families ------------------------------------------------------------------------------


def relation_to_family(user: AnyUser, family: Family) -> Relation:
    if not user.is_authenticated or not user.is_active:
        return Relation.NONE
    member = membership(user)
    if member and member.family_id == family.pk:
        return Relation.MEMBER
    role = staff_role(user)
    if role == StaffProfile.Role.KEY_WORKER and family.lead_key_worker_id == user.pk:
        return Relation.LEAD_KEY_WORKER
    if role == StaffProfile.Role.PARTNER and family.practitioners.filter(user=user).exists():
        return Relation.PARTNER
    if role in {StaffProfile.Role.KEY_WORKER, StaffProfile.Role.MANAGER}:
        return Relation.STAFF_WITH_REASON
    for provider in _relation_providers:
        relation = provider(user, family)
        if relation:
            return relation
    return Relation.NONE


def active_grant(user: User, family: Family) -> AccessGrant | None:
    return (
        AccessGrant.objects.filter(user=user, family=family, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def family_access(
    user: AnyUser, family: Family, *, record: object | None = None, path: str = ""
) -> FamilyAccess:
    """Decide whether ``user`` may open ``family`` (or ``record`` inside it).

    Raises Http404 when they may not, MFASetupRequired for staff whose session has not
    passed two-step sign-in, and ReasonRequired for staff opening a family outside their caseload
    without a current reason. Every staff read is written to the audit trail.
    """
    relation = relation_to_family(user, family)
    if relation is Relation.NONE or not user.is_authenticated:
        raise Http404
    reason = ""
    if relation in STAFF_RELATIONS:
        if not mfa_passed(user):
            raise MFASetupRequired
        if relation is Relation.STAFF_WITH_REASON:
            grant = active_grant(user, family)
            if grant is None:
                raise ReasonRequired(family)
            reason = grant.reason
        audit_record(
            actor=user,
            action=AuditEvent.Action.VIEW,
            family=family,
            record=record or family,
            reason=reason,
            path=path,
        )
    return FamilyAccess(family=family, relation=relation, reason=reason)


def record_access_audit(
    user: AnyUser, family: Family, *, record: object, reason: str, path: str = ""
) -> None:
    """Staff open one record of a family by a rule of that record's own (a duty key
    worker covering its messages, say) rather than by their relation to the family: as
    for ``family_access``, they need two-step sign-in and the read is audited, with the
    rule as the reason."""
    if not user.is_authenticated:
        raise Http404
    if not mfa_passed(user):
        raise MFASetupRequired
    audit_record(
        actor=user,
        action=AuditEvent.Action.VIEW,
        family=family,
        record=record,
        reason=reason,
        path=path,
    )


def family_for_user(
    user: AnyUser, family_id: int, *, path: str = ""
) -> tuple[Family, FamilyAccess]:
    """Fetch a family the user may open, or raise Http404."""
    family = Family.objects.select_related("lead_key_worker").filter(pk=family_id).first()
    if family is None:
        raise Http404
    return family, family_access(user, family, path=path)


def adult_member_for_user(
    user: AnyUser, family_id: int, member_id: int, *, path: str = ""
) -> tuple[FamilyMember, FamilyAccess]:
    """An adult who lives in a family the user may manage (to remove them), or Http404."""
    family, found = family_for_user(user, family_id, path=path)
    if not found.can_manage:
        raise Http404
    member = (
        FamilyMember.objects.select_related("user", "family")
        .exclude(relationship=FamilyMember.Relationship.CHILD)
        .filter(pk=member_id, family=family)
        .first()
    )
    if member is None:
        raise Http404
    return member, found


def team_membership_for_user(
    user: AnyUser, family_id: int, membership_id: int, *, path: str = ""
) -> tuple[FamilyPractitioner, FamilyAccess]:
    """Someone on (or once on) the team of a family the user may manage, or Http404."""
    family, found = family_for_user(user, family_id, path=path)
    if not found.can_manage:
        raise Http404
    membership = (
        FamilyPractitioner.everyone.select_related("user", "agency", "family")
        .filter(pk=membership_id, family=family)
        .first()
    )
    if membership is None:
        raise Http404
    return membership, found


def agency_for_manager(user: AnyUser, agency_id: int) -> Agency:
    """An agency, for a service manager who has passed two-step sign-in; Http404 for
    anyone else."""
    if not is_manager(user):
        raise Http404
    if not mfa_passed(user):
        raise MFASetupRequired
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise Http404
    return agency


def may_see_safe_word(user: AnyUser, family: Family) -> bool:
    """Whether the person is one of the family's key workers or managers (see
    ``FamilyAccess.can_see_safe_word``); opening the word itself is still audited."""
    return FamilyAccess(family=family, relation=relation_to_family(user, family)).can_see_safe_word


def safe_word_for_user(
    user: AnyUser, family_id: int, member_id: int, *, path: str = ""
) -> tuple[SafeContact, FamilyAccess]:
    """One adult's safe contact with their safe word, for the family's key workers and
    managers only; each look is audited as a view of the safe word. Http404 otherwise."""
    family = Family.objects.select_related("lead_key_worker").filter(pk=family_id).first()
    if family is None or not may_see_safe_word(user, family):
        raise Http404
    contact = (
        SafeContact.objects.select_related("member")
        .filter(member__family=family, member__pk=member_id, member__left_at__isnull=True)
        .exclude(safe_word="")
        .first()
    )
    if contact is None:
        raise Http404
    return contact, family_access(user, family, record=contact, path=path)


def family_needing_reason(user: AnyUser, family_id: int) -> Family:
    """A family outside the person's caseload that they may open once they say why.

    Raises Http404 for a missing family, and for one they may open without a reason or
    not at all.
    """
    family = Family.objects.filter(pk=family_id).first()
    if family is None or relation_to_family(user, family) is not Relation.STAFF_WITH_REASON:
        raise Http404
    return family


def caseload(user: AnyUser) -> QuerySet[Family]:
    """Families a person works with day to day (no reason needed)."""
    role = staff_role(user)
    if not user.is_authenticated:
        return Family.objects.none()
    if role == StaffProfile.Role.KEY_WORKER:
        return Family.objects.filter(lead_key_worker=user)
    if role == StaffProfile.Role.PARTNER:
        return Family.objects.filter(
            on_team_today("practitioners__"), practitioners__user=user
        ).distinct()
    return Family.objects.none()


def searchable_families(user: AnyUser) -> QuerySet[Family]:
    """Families staff can find by search; opening one outside the caseload needs a reason."""
    if staff_role(user) in {StaffProfile.Role.KEY_WORKER, StaffProfile.Role.MANAGER}:
        return Family.objects.all()
    return caseload(user)


# Audit ---------------------------------------------------------------------------------


def audit_record(
    *,
    actor: User,
    action: str,
    family: Family | None,
    record: object,
    reason: str = "",
    path: str = "",
) -> AuditEvent:
    """Write one audit event for staff touching family data."""
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        family=family,
        object_type=type(record).__name__,
        object_id=str(getattr(record, "pk", "") or ""),
        reason=reason,
        path=path[:300],
    )


def grant_valid_until() -> datetime:

    return timezone.now() + timedelta(minutes=settings.STAFF_REASON_VALID_MINUTES)
