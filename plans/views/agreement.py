"""What the family shares, who agrees the plan, and agreeing it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.forms import apply_errors

from .. import access, selectors, services
from ..forms import ConfirmForm, SharingForm, SignatoriesForm
from ._common import family_url, path_of, plan_or_404


@login_required
@require_http_methods(["GET", "POST"])
def sharing(request):
    """A parent chooses which goals their peer mentor and named practitioners may see."""
    _family, plan_obj, plan_acc = access.own_plan(request.user, path=path_of(request))
    plan_obj = plan_or_404(plan_obj)
    goals, practitioners, history = selectors.sharing_page(plan=plan_obj, plan_access=plan_acc)
    form = SharingForm(request.POST or None, goals=goals, practitioners=practitioners)
    if request.method == "POST" and form.is_valid():
        try:
            granted, withdrawn = services.plan_sharing_set(
                plan=plan_obj, actor=request.user, wanted=form.wanted()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("What you share has been saved."))
            return redirect("plans:sharing")
    return render(
        request,
        "plans/sharing.html",
        {
            "form": form,
            "goals": goals,
            "practitioners": practitioners,
            "history": history,
            "plan_url": reverse("plans:plan"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agree(request, family_id):
    """Read the plan and agree it. The last person to agree saves a version."""
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    plan_obj = plan_or_404(plan_obj)
    if not plan_acc.sees_everything:
        raise Http404
    form = ConfirmForm(request.POST or None, initial={"revision": plan_obj.revision})
    signatories_form = None
    if plan_acc.can_draft:
        members = plan_obj.family.members.filter(user__isnull=False).exclude(relationship="child")
        signatories_form = SignatoriesForm(
            members=members, initial={"signatories": list(plan_obj.signatories.all())}
        )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.plan_confirm(
                plan=plan_obj, actor=request.user, revision=form.cleaned_data["revision"]
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if version:
                messages.success(
                    request,
                    _("Everyone has agreed the plan. Version %(n)d has been saved.")
                    % {"n": version.number},
                )
            else:
                messages.success(request, _("Thank you. You have agreed the plan."))
            return redirect(family_url(plan_acc))
    page = selectors.plan_page(plan=plan_obj, plan_access=plan_acc)
    agreers, confirmed = selectors.plan_agreement(plan=plan_obj, family=plan_acc.family)
    return render(
        request,
        "plans/agree.html",
        {
            "form": form,
            "signatories_form": signatories_form,
            "page": page,
            "plan": page.plan,
            "family": plan_acc.family,
            "access": plan_acc,
            "plan_url": family_url(plan_acc),
            "agreers": agreers,
            "confirmed": confirmed,
            "i_must_agree": page.i_must_agree,
            "i_agreed": page.i_agreed,
            "show_exit_this_page": not plan_acc.is_staff,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def signatories(request):
    _family, plan_obj, plan_acc = access.own_plan(request.user, path=path_of(request))
    plan_obj = plan_or_404(plan_obj)
    members = plan_obj.family.members.filter(user__isnull=False).exclude(relationship="child")
    form = SignatoriesForm(request.POST, members=members)
    if form.is_valid():
        try:
            services.plan_signatories_set(
                plan=plan_obj, actor=request.user, members=form.cleaned_data["signatories"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Who agrees the plan has been saved."))
            return redirect("plans:agree", family_id=plan_obj.family_id)
    page = selectors.plan_page(plan=plan_obj, plan_access=plan_acc)
    agreers, confirmed = selectors.plan_agreement(plan=plan_obj, family=plan_acc.family)
    return render(
        request,
        "plans/agree.html",
        {
            "form": ConfirmForm(initial={"revision": plan_obj.revision}),
            "signatories_form": form,
            "page": page,
            "plan": page.plan,
            "family": plan_acc.family,
            "access": plan_acc,
            "plan_url": reverse("plans:plan"),
            "agreers": agreers,
            "confirmed": confirmed,
            "i_must_agree": page.i_must_agree,
            "i_agreed": page.i_agreed,
        },
        status=400,
    )
