"""Middleware that enforces the access policy's two sign-in rules for staff."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import access

ADMIN_PREFIXES = ("/cms/", "/django-admin/")


class StaffMFAMiddleware:
    """Staff set up two-step sign-in before any family record or admin page opens.

    Family records raise ``MFASetupRequired`` from the access policy; the admin sites are
    checked here by path. Staff opening a family outside their caseload are sent to give
    a reason. Signed-in pages are never cached, so Back after signing out or leaving in a
    hurry does not show them again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            request.path.startswith(ADMIN_PREFIXES)
            and access.needs_mfa(user)
            and not access.has_mfa(user)
        ):
            return self._to_mfa_setup(request)
        response = self.get_response(request)
        if user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store, private"
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, access.MFASetupRequired):
            return self._to_mfa_setup(request)
        if isinstance(exception, access.ReasonRequired):
            url = reverse("portal:family_reason", kwargs={"family_id": exception.family.pk})
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return None

    def _to_mfa_setup(self, request):
        messages.warning(
            request,
            _("Set up two-step sign-in with an authenticator app before you open family records."),
        )
        return redirect("mfa_activate_totp")
