"""Signing in, with what nearly every page asks about the signed-in person loaded at once."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .prepared import PreparedQuery
from .registry import user_related

# The person's staff profile, and their family with its key worker (dashboard, menus,
# access checks); feature apps add theirs through ``register_user_related``.
CORE_RELATED = (
    "staff_profile",
    "family_membership__family__lead_key_worker__staff_profile",
)


# The query for each set of relations (the apps register theirs while starting, so this is
# asked for once the app registry is ready); compiled once per process (``portal.prepared``).
_by_related: dict[tuple[str, ...], PreparedQuery[Any]] = {}


def _signed_in(related: tuple[str, ...]) -> PreparedQuery[Any]:
    query = _by_related.get(related)
    if query is None:

        def build(user_id: int) -> QuerySet[Any]:
            manager = get_user_model()._default_manager
            return manager.select_related(*CORE_RELATED, *related).filter(pk=user_id)

        build.__qualname__ = f"signed_in{related}"
        # Two threads may both make one; either serves, and the dict keeps the last.
        query = _by_related[related] = PreparedQuery(build, {"user_id": int})
    return query


class PortalBackend(AuthenticationBackend):
    """allauth's backend, loading the signed-in person in one query with the relations in
    ``CORE_RELATED`` and ``user_related()``, instead of one query for each on every page.

    ``portal.access`` and the apps' access modules use what was loaded
    (``portal.access.loaded``) and query as before for a user from anywhere else.
    """

    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        user = _signed_in(user_related()).first(user_id=user_id)
        if user is None:
            return None
        user._portal_related_loaded = True
        member = user._state.fields_cache.get("family_membership")
        if member is not None and member.family.lead_key_worker is not None:
            # Loaded with their staff profile (and nothing else, so the rest is looked up).
            member.family.lead_key_worker._portal_related_loaded = True
        return user if self.user_can_authenticate(user) else None
