"""Test data built through the services, as the portal itself builds it."""

from __future__ import annotations

import itertools

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from portal import services
from portal.models import Agency, Family, FamilyMember, FamilyPractitioner, StaffProfile

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-9"


def staff(
    role=StaffProfile.Role.KEY_WORKER, *, mfa=True, agency=StaffProfile.Agency.EARLY_HELP, **kw
):
    n = next(_seq)
    user = services.staff_create(
        email=kw.pop("email", f"staff{n}@example.org"),
        password=PASSWORD,
        first_name=kw.pop("first_name", f"Staff{n}"),
        last_name=kw.pop("last_name", "Worker"),
        role=role,
        agency=agency,
        **kw,
    )
    if mfa:
        give_mfa(user)
    return user


def give_mfa(user):
    """Give ``user`` an authenticator app. The object returned stands for the person signed
    in with its code (``portal.access.mfa_passed``), for tests that call services and
    access functions directly; requests and sockets read that from their session."""
    TOTP.activate(user, generate_totp_secret())
    for attr in ("_portal_has_mfa",):
        if hasattr(user, attr):
            delattr(user, attr)
    user._portal_session_mfa = True
    return user


def family(*, key_worker=None, name=None, status=Family.Status.ACTIVE, **kw):
    n = next(_seq)
    return services.family_create(
        display_name=name or f"Family {n}", lead_key_worker=key_worker, status=status, **kw
    )


def parent(family_obj, *, relationship=FamilyMember.Relationship.MUM, name=None, email=None):
    n = next(_seq)
    user = services.user_create(
        email=email or f"parent{n}@example.org",
        password=PASSWORD,
        preferred_name=name or f"Parent{n}",
    )
    services.family_member_add(
        family=family_obj, name=name or f"Parent{n}", relationship=relationship, user=user
    )
    return user


def child(family_obj, *, name=None):
    return services.family_member_add(
        family=family_obj,
        name=name or f"Child{next(_seq)}",
        relationship=FamilyMember.Relationship.CHILD,
    )


def agency_record(kind=Agency.Kind.SCHOOL, *, name=None):
    found, _created = Agency.objects.get_or_create(
        name=name or Agency.Kind(kind).label, defaults={"kind": kind}
    )
    return found


_PROFILE_KINDS = {
    StaffProfile.Agency.SCHOOL: Agency.Kind.SCHOOL,
    StaffProfile.Agency.HEALTH: Agency.Kind.HEALTH_VISITING,
    StaffProfile.Agency.POLICE: Agency.Kind.POLICE,
    StaffProfile.Agency.HOUSING: Agency.Kind.HOUSING,
}


def partner(family_obj=None, *, agency=StaffProfile.Agency.SCHOOL, mfa=True, role="", starts=None):
    user = staff(StaffProfile.Role.PARTNER, agency=agency, mfa=mfa)
    if family_obj is not None:
        from django.utils import timezone

        FamilyPractitioner.everyone.create(
            family=family_obj,
            user=user,
            agency=agency_record(_PROFILE_KINDS.get(agency, Agency.Kind.VOLUNTARY)),
            role=role,
            starts=starts or timezone.localdate(),
        )
    return user


def session_passes_mfa(session, user) -> None:
    """Write into ``session`` what allauth writes when a person enters the code from their
    authenticator app while signing in."""
    from types import SimpleNamespace

    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return
    request = SimpleNamespace(session=session)
    record_authentication(request, user, "password")
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
