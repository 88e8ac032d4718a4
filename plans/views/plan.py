"""The plan page: a parent's own plan, a family's plan for the people working with it,
starting a plan, and saving what is going well and what the family is worried about."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal import access as core
from portal import ratelimit, registry

from .. import access, selectors, services
from ..forms import AboutForm, CommentForm, PrivateWorryForm, ReviewScheduleForm
from . import _autosave as autosave
from ._common import SAVE_LIMIT, family_url, path_of, plan_or_404


def _plan_needs(request, plan_acc) -> registry.PlanNeeds:
    """The needs each goal meets and those no goal meets yet: staff who manage the family
    see all in their words, each adult in plain words those about them, their children or
    the household; partners and mentors see none."""
    if plan_acc.sees_private:
        return registry.plan_needs(plan_acc.family, None)
    if plan_acc.is_member:
        return registry.plan_needs(plan_acc.family, core.membership(request.user))
    return registry.NO_PLAN_NEEDS


def render_plan(
    request,
    plan,
    plan_acc,
    *,
    about_form=None,
    worry_form=None,
    status=200,
    conflict=None,
    worry_conflict=None,
):
    context = {
        "family": plan_acc.family,
        "access": plan_acc,
        "plan": plan,
        "show_exit_this_page": not plan_acc.is_staff,
        "plan_url": family_url(plan_acc),
        "plan_needs": _plan_needs(request, plan_acc),
    }
    if plan is not None:
        page = selectors.plan_page(plan=plan, plan_access=plan_acc)
        context.update(
            page=page,
            plan=page.plan,
            about_form=about_form
            or (
                AboutForm(
                    initial={
                        "strengths": page.plan.strengths,
                        "worries": page.plan.worries,
                        "version": page.plan.about_version,
                    }
                )
                if plan_acc.can_draft
                else None
            ),
            comment_form=CommentForm(),
            schedule_form=ReviewScheduleForm(initial={"date": page.next_review_date})
            if plan_acc.can_draft or plan_acc.can_suggest
            else None,
            conflict=conflict,
            worry_conflict=worry_conflict,
            i_agreed=page.i_agreed,
            i_must_agree=page.i_must_agree,
        )
        worries = page.private_worries
        if plan_acc.can_draft:
            mine = worries[0] if worries else None
            context["worry_form"] = worry_form or PrivateWorryForm(
                initial={
                    "my_worries": mine.text if mine else "",
                    "version": mine.version if mine else 1,
                }
            )
        elif plan_acc.sees_private:
            context["private_worries"] = worries
    return render(request, "plans/plan.html", context, status=status)


@login_required
@require_GET
def plan(request):
    """A parent's own current plan (once their time to read it has ended, a page saying so)."""
    try:
        _family, plan_obj, plan_acc = access.own_plan(request.user, path=path_of(request))
    except access.PlanEnded:
        return render(request, "plans/plan_ended.html", {"show_exit_this_page": True})
    return render_plan(request, plan_obj, plan_acc)


@login_required
@require_GET
def family_plan(request, family_id):
    """The plan for the key worker, named partners and the matched mentor (and the family)."""
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    if plan_obj is None and not (plan_acc.is_member or plan_acc.can_suggest):
        raise Http404
    return render_plan(request, plan_obj, plan_acc)


@login_required
@require_POST
def plan_start(request, family_id):
    _plan, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    try:
        services.plan_start(family=plan_acc.family, actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("The plan has been started."))
    return redirect(family_url(plan_acc))


def _plan_to_draft(request, family_id):
    """The family's plan and the person's access to it, for a save of its words: 404 for
    anyone who may not write them."""
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    plan_obj = plan_or_404(plan_obj)
    if not plan_acc.can_draft:
        raise Http404
    return plan_obj, plan_acc


@login_required
@require_POST
def about_save(request, family_id):
    """Save 'what is going well' and 'what we are worried about'. htmx autosaves here too."""
    plan_obj, plan_acc = _plan_to_draft(request, family_id)
    if ratelimit.exceeded(SAVE_LIMIT, request.user.pk):
        return ratelimit.too_many(request, SAVE_LIMIT)
    outcome = autosave.save(
        AboutForm(request.POST),
        lambda data: services.plan_about_update(
            plan=plan_obj,
            actor=request.user,
            strengths=data["strengths"],
            worries=data["worries"],
            expected_version=data["version"],
        ),
    )
    return autosave.answer(
        request,
        outcome,
        state=lambda saved: (
            "plans/includes/version_input.html",
            {"target": "about-version", "version": saved.about_version},
        ),
        message=_("Your changes have been saved."),
        next_url=lambda _saved: family_url(plan_acc),
        page=lambda form, conflict, status: render_plan(
            request, plan_obj, plan_acc, about_form=form, status=status, conflict=conflict
        ),
    )


@login_required
@require_POST
def private_worry_save(request, family_id):
    """Save what one adult is worried about, for only them and their key worker to read.
    htmx autosaves here too."""
    plan_obj, plan_acc = _plan_to_draft(request, family_id)
    if ratelimit.exceeded(SAVE_LIMIT, request.user.pk):
        return ratelimit.too_many(request, SAVE_LIMIT)
    outcome = autosave.save(
        PrivateWorryForm(request.POST),
        lambda data: services.private_worry_save(
            plan=plan_obj,
            actor=request.user,
            text=data["my_worries"],
            expected_version=data["version"],
        ),
    )
    return autosave.answer(
        request,
        outcome,
        state=lambda saved: (
            "plans/includes/version_input.html",
            {"target": "worry-version", "version": saved.version},
        ),
        message=_("Your private words have been saved."),
        next_url=lambda _saved: f"{family_url(plan_acc)}#private-worries",
        page=lambda form, conflict, status: render_plan(
            request,
            plan_obj,
            plan_acc,
            worry_form=form,
            status=status,
            worry_conflict=conflict,
        ),
    )
