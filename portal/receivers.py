"""Receivers for other libraries' signals; each only records what the portal needs."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver


@receiver(authenticator_added)
def setting_up_the_app_counts_as_its_code_step(sender, request, user, authenticator, **kwargs):
    """Setting up an authenticator app means typing a code from it, so this session has
    passed two-step sign-in (``portal.access.mfa_passed``), as a sign-in with a code does.

    allauth records the code step only when signing in; ``record_authentication`` is its
    own way of writing that record, used here so the record has allauth's shape.
    """
    if request is None or authenticator.type != Authenticator.Type.TOTP:
        return
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
