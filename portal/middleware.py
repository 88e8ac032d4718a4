"""Middleware that enforces the access policy's two sign-in rules for staff."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import access


class StaffMFAMiddleware:
    """Staff pass two-step sign-in in this session before any page that could name a family.

    Staff who have not (no authenticator yet, or a session that signed in another way) can
    open only sign-in and set-up pages, pages open to everyone (``access.public``) and
    their dashboard, which says what to do first; anything else sends them to set up an
    authenticator or to enter a code from it. Family records also raise
    ``MFASetupRequired`` from the access policy. Staff opening a family outside their
    caseload are sent to give a reason. Signed-in pages are never cached, so Back after
    signing out or leaving in a hurry does not show them again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            access.session_mfa_note(user, request.session)
        response = self.get_response(request)
        if user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store, private"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if (
            access.needs_mfa(user)
            and not access.mfa_passed(user)
            and not access.open_before_mfa(view_func, request.resolver_match)
        ):
            return self._to_mfa(request)
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, access.MFASetupRequired):
            return self._to_mfa(request)
        if isinstance(exception, access.ReasonRequired):
            url = reverse("portal:family_reason", kwargs={"family_id": exception.family.pk})
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return None

    def _to_mfa(self, request):
        next_query = urlencode({"next": request.get_full_path()})
        if access.has_mfa(request.user):
            # An authenticator is set up but this session did not use it.
            messages.info(request, _("Enter the code from your authenticator app to carry on."))
            return redirect(f"{reverse('mfa_reauthenticate')}?{next_query}")
        messages.warning(
            request,
            _("Set up two-step sign-in with an authenticator app before you open family records."),
        )
        return redirect("mfa_activate_totp")
