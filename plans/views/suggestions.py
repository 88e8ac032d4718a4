"""Suggestions from the key worker (a goal or a step, perhaps from the library), the
family's answer to each, and comments on the plan or a goal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal import plain_english, ratelimit
from portal.converters import id_or_404, parse_id
from portal.forms import apply_errors

from .. import access, selectors, services
from ..forms import CommentForm, StepSuggestionForm, SuggestionForm
from ..models import Comment, Suggestion
from ._common import WRITE_LIMIT, family_url, path_of, plan_or_404


@login_required
@require_http_methods(["GET", "POST"])
def suggest(request, family_id):
    """A key worker suggests a goal or step (perhaps from the library)."""
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    plan_obj = plan_or_404(plan_obj)
    if not plan_acc.can_suggest:
        raise Http404
    goals = list(plan_obj.goals.filter(archived_at__isnull=True))
    adults = list(plan_obj.family.members.filter(user__isnull=False).exclude(relationship="child"))
    template = selectors.approved_template(
        parse_id(request.GET.get("template") or request.POST.get("template") or "")
    )
    if request.method == "POST":
        if ratelimit.exceeded(WRITE_LIMIT, request.user.pk):
            return ratelimit.too_many(request, WRITE_LIMIT)
        form = SuggestionForm(request.POST, goals=goals, adults=adults)
        if form.is_valid():
            data = form.cleaned_data
            goal = next((g for g in goals if g.pk == data.get("goal")), None)
            for_whom = next((m for m in adults if str(m.pk) == data.get("for_whom")), None)
            try:
                services.suggestion_create(
                    plan=plan_obj,
                    actor=request.user,
                    kind=data["kind"],
                    text=data["text"],
                    goal=goal,
                    template=template,
                    private_to=for_whom,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Your suggestion has been sent. The family decides what to do.")
                )
                return redirect(family_url(plan_acc))
    else:
        initial = {"goal": request.GET.get("goal")}
        if template:
            initial.update(kind=Suggestion.Kind.STEP, text=template.step_text, template=template.pk)
        form = SuggestionForm(initial=initial, goals=goals, adults=adults)
    text = form.data.get("text", "") if form.is_bound else ""
    return render(
        request,
        "plans/suggest_form.html",
        {
            "form": form,
            "family": plan_acc.family,
            "template": template,
            "plan_url": family_url(plan_acc),
            "report": plain_english.check(text) if text else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_suggest(request, goal_id):
    """A partner (or the key worker) suggests a step for one goal they see; the family
    accepts, rewrites or declines it like any suggestion."""
    goal, plan_acc = access.goal_for_user(request.user, goal_id, path=path_of(request))
    if not plan_acc.can_suggest_steps:
        raise Http404
    form = StepSuggestionForm(request.POST or None)
    if request.method == "POST":
        if ratelimit.exceeded(WRITE_LIMIT, request.user.pk):
            return ratelimit.too_many(request, WRITE_LIMIT)
        if form.is_valid():
            try:
                services.suggestion_create(
                    plan=goal.plan,
                    actor=request.user,
                    kind=Suggestion.Kind.STEP,
                    text=form.cleaned_data["text"],
                    goal=goal,
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Your suggestion has been sent. The family decides what to do.")
                )
                return redirect("plans:goal", goal_id=goal.pk)
    text = form.data.get("text", "") if form.is_bound else ""
    return render(
        request,
        "plans/suggest_step_form.html",
        {
            "form": form,
            "goal": goal,
            "family": plan_acc.family,
            "plan_url": family_url(plan_acc),
            "report": plain_english.check(text) if text else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def suggestion_accept(request, suggestion_id):
    suggestion, plan_acc = access.suggestion_for_user(
        request.user, suggestion_id, path=path_of(request)
    )
    if not plan_acc.can_draft:
        raise Http404
    if suggestion.kind == Suggestion.Kind.STEP:
        # A step needs someone to do it: the family chooses who before it is added.
        url = reverse("plans:step_new", kwargs={"goal_id": suggestion.goal_id})
        return redirect(f"{url}?suggestion={suggestion.pk}")
    try:
        goal = services.suggestion_accept_goal(suggestion=suggestion, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(family_url(plan_acc))
    messages.success(request, _("The goal has been added to your plan."))
    return redirect(f"{family_url(plan_acc)}#goal-{goal.pk}")


@login_required
@require_POST
def suggestion_decline(request, suggestion_id):
    suggestion, plan_acc = access.suggestion_for_user(
        request.user, suggestion_id, path=path_of(request)
    )
    if not plan_acc.can_draft:
        raise Http404
    try:
        services.suggestion_decline(suggestion=suggestion, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(family_url(plan_acc))


@login_required
@require_POST
def comment_add(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    plan_obj = plan_or_404(plan_obj)
    if ratelimit.exceeded(WRITE_LIMIT, request.user.pk):
        return ratelimit.too_many(request, WRITE_LIMIT)
    form = CommentForm(request.POST)
    goal = None
    goal_id = request.POST.get("goal") or ""
    if goal_id:
        goal, _acc = access.goal_for_user(request.user, id_or_404(goal_id), path=path_of(request))
        if goal.plan_id != plan_obj.pk:
            raise Http404
    elif not plan_acc.sees_everything:
        raise Http404
    kind = Comment.Kind.UPDATE if request.POST.get("kind") == "update" else Comment.Kind.COMMENT
    if kind == Comment.Kind.UPDATE and not (goal is not None and plan_acc.can_post_updates):
        raise Http404
    if form.is_valid():
        try:
            services.comment_add(
                plan=plan_obj,
                actor=request.user,
                text=form.cleaned_data["text"],
                goal=goal,
                kind=kind,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your update has been posted.")
                if kind == Comment.Kind.UPDATE
                else _("Your comment has been added."),
            )
            anchor = f"#goal-{goal.pk}" if goal else "#comments"
            return redirect(f"{family_url(plan_acc)}{anchor}")
    report = plain_english.check(form.data.get("text", "")) if plan_acc.is_staff else None
    return render(
        request,
        "plans/comment_form.html",
        {
            "form": form,
            "goal": goal,
            "family": plan_acc.family,
            "plan_url": family_url(plan_acc),
            "report": report,
            "is_update": kind == Comment.Kind.UPDATE,
            "show_exit_this_page": not plan_acc.is_staff,
        },
        status=400,
    )
