"""The versions of a plan everyone agreed, one version, and what changed between two."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.converters import id_or_404

from .. import access, selectors
from ._common import family_url, path_of, plan_or_404


@login_required
@require_GET
def versions(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    plan_obj = plan_or_404(plan_obj)
    items = list(selectors.versions(plan=plan_obj))
    return render(
        request,
        "plans/versions.html",
        {
            "versions": items,
            "family": plan_acc.family,
            "plan_url": family_url(plan_acc),
            "show_exit_this_page": not plan_acc.is_staff,
        },
    )


def _version(plan_obj, number: int):
    version = plan_obj.versions.filter(number=number).select_related("plan").first()
    if version is None:
        raise Http404
    return version


@login_required
@require_GET
def version_detail(request, family_id, number):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    version = _version(plan_or_404(plan_obj), number)
    return render(
        request,
        "plans/version_detail.html",
        {
            "version": version,
            "lines": selectors.version_lines(version=version, plan_access=plan_acc),
            "family": plan_acc.family,
            "plan_url": family_url(plan_acc),
            "show_exit_this_page": not plan_acc.is_staff,
        },
    )


@login_required
@require_GET
def version_diff(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    plan_obj = plan_or_404(plan_obj)
    older = _version(plan_obj, id_or_404(request.GET.get("from", "")))
    newer = _version(plan_obj, id_or_404(request.GET.get("to", "")))
    if older.number > newer.number:
        older, newer = newer, older
    return render(
        request,
        "plans/version_diff.html",
        {
            "older": older,
            "newer": newer,
            "changes": selectors.version_diff(older=older, newer=newer, plan_access=plan_acc),
            "family": plan_acc.family,
            "plan_url": family_url(plan_acc),
            "show_exit_this_page": not plan_acc.is_staff,
        },
    )
