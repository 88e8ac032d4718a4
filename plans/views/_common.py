"""What the plan pages share: their rate limits, where the plan is, and lookups."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse

from portal.converters import id_or_404
from portal.ratelimit import Limit

from .. import access
from ..models import Plan, Suggestion

SAVE_LIMIT = Limit("plans:save", 240, 60)  # autosaves per minute per person: for fast typists
WRITE_LIMIT = Limit("plans:write", 30, 60)  # comments and suggestions per minute per person
CHECK_LIMIT = Limit("plans:check", 120, 60)  # plain-English checks as staff type


def path_of(request) -> str:
    return request.get_full_path()


def plan_or_404(plan: Plan | None) -> Plan:
    if plan is None:
        raise Http404
    return plan


def family_url(plan_acc: access.PlanAccess) -> str:
    if plan_acc.is_member:
        return reverse("plans:plan")
    return reverse("plans:family_plan", kwargs={"family_id": plan_acc.family.pk})


def own_open_suggestion(request, suggestion_id, plan_acc, kind, *, saving=False):
    """The open suggestion of this kind for this plan's family, or Http404 (None if none
    was named). ``saving``: also one already answered, for a save of the form that
    answered it (an autosave crossing the submit); the service then finds what that save
    made, or says it was answered."""
    if not suggestion_id:
        return None
    suggestion, s_acc = access.suggestion_for_user(
        request.user, id_or_404(suggestion_id), path=path_of(request)
    )
    if (
        s_acc.family.pk != plan_acc.family.pk
        or suggestion.kind != kind
        or (suggestion.status != Suggestion.Status.OPEN and not saving)
    ):
        raise Http404
    return suggestion
