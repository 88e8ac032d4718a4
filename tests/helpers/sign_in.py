"""Signing in test clients."""

from __future__ import annotations

from django.test.client import ClientMixin

# Django's own, kept before tests/conftest.py makes ``force_login`` finish two-step sign-in.
_force_login = ClientMixin.force_login


def force_login_password_only(client, user, backend=None):
    """Sign ``client`` in as a session that skipped the code step of two-step sign-in."""
    _force_login(client, user, backend)
