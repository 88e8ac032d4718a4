"""Test data built through the services, as the portal itself builds it."""

from __future__ import annotations

import itertools

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from portal import services
from portal.models import Family, FamilyMember, StaffProfile

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
    TOTP.activate(user, generate_totp_secret())
    for attr in ("_portal_has_mfa",):
        if hasattr(user, attr):
            delattr(user, attr)
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


def partner(family_obj=None, *, agency=StaffProfile.Agency.SCHOOL, mfa=True):
    user = staff(StaffProfile.Role.PARTNER, agency=agency, mfa=mfa)
    if family_obj is not None:
        family_obj.practitioners.create(user=user)
    return user
