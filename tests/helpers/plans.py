"""Plan test helpers: a matched peer mentor without the peer mentor app, and staff with a
recorded reason."""

from __future__ import annotations

from portal import access as core
from portal import services as core_services
from tests import factories


def matched_mentor_for(family):
    """A peer mentor matched to ``family``, the way the peer mentor app registers one."""
    other = factories.family(name="Mentor's own family")
    user = factories.parent(other, name="Jo")

    def provider(person, fam):
        if person.pk == user.pk and fam.pk == family.pk:
            return core.Relation.MENTOR
        return None

    core.register_relation_provider(provider)
    return user, provider


def with_reason(user, family):
    core_services.access_grant_create(
        user=user, family=family, reason="Covering for a colleague who is off sick today"
    )
    return user
