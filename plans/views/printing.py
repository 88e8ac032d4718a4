"""The plan on paper: a parent's own, and a family's for the people working with it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import access, selectors
from ._common import family_url, path_of, plan_or_404


def _render_print(request, plan_obj, plan_acc):
    page = selectors.plan_page(plan=plan_or_404(plan_obj), plan_access=plan_acc)
    return render(
        request,
        "plans/print.html",
        {
            "page": page,
            "plan": page.plan,
            "family": plan_acc.family,
            "access": plan_acc,
            "plan_url": family_url(plan_acc),
            "show_exit_this_page": not plan_acc.is_staff,
        },
    )


@login_required
@require_GET
def print_plan(request):
    _family, plan_obj, plan_acc = access.own_plan(request.user, path=path_of(request))
    return _render_print(request, plan_obj, plan_acc)


@login_required
@require_GET
def family_print(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    return _render_print(request, plan_obj, plan_acc)
