"""Signing in, with what nearly every page asks about the signed-in person loaded at once."""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model

from .registry import user_related

# The person's staff profile, and their family with its key worker (dashboard, menus,
# access checks); feature apps add theirs through ``register_user_related``.
CORE_RELATED = (
    "staff_profile",
    "family_membership__family__lead_key_worker__staff_profile",
)


class PortalBackend(AuthenticationBackend):
    """allauth's backend, loading the signed-in person in one query with the relations in
    ``CORE_RELATED`` and ``user_related()``, instead of one query for each on every page.

    ``portal.access`` and the apps' access modules use what was loaded
    (``portal.access.loaded``) and query as before for a user from anywhere else.
    """

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related(*CORE_RELATED, *user_related()).get(
                pk=user_id
            )
        except model.DoesNotExist:
            return None
        user._portal_related_loaded = True
        member = user._state.fields_cache.get("family_membership")
        if member is not None and member.family.lead_key_worker is not None:
            # Loaded with their staff profile (and nothing else, so the rest is looked up).
            member.family.lead_key_worker._portal_related_loaded = True
        return user if self.user_can_authenticate(user) else None
