"""Goals: adding one (perhaps from a suggestion), one goal's page, changing its words,
saving (autosave and submit alike) and taking it off the plan."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal import ratelimit
from portal.converters import id_or_404

from .. import access, selectors, services
from ..forms import GoalForm, Privacy, privacy_initial
from ..models import Suggestion
from . import _autosave as autosave
from ._common import SAVE_LIMIT, family_url, own_open_suggestion, path_of, plan_or_404


def _asks_privacy(plan_acc, goal) -> bool:
    """A new goal, or one whose adult may change who sees it."""
    return goal is None or plan_acc.keeps(goal) or plan_acc.may_keep_private(goal)


def _goal_page(request, *, form, plan_acc, goal=None, suggestion=None, conflict=None, status=200):
    return render(
        request,
        "plans/goal_form.html",
        {
            "form": form,
            "family": plan_acc.family,
            "goal": goal,
            "suggestion": suggestion,
            "conflict": conflict,
            "plan_url": family_url(plan_acc),
            "show_exit_this_page": True,
        },
        status=status,
    )


@login_required
@require_GET
def goal_new(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    plan_obj = plan_or_404(plan_obj)
    if not plan_acc.can_draft:
        raise Http404
    suggestion = own_open_suggestion(
        request, request.GET.get("suggestion"), plan_acc, Suggestion.Kind.GOAL
    )
    initial: dict = {"version": 1, "draft_key": uuid.uuid4().hex}
    if suggestion:
        initial.update(title=suggestion.text, suggestion=suggestion.pk)
        if suggestion.private_to_id:
            initial.update(private=Privacy.ME)
    return _goal_page(
        request, form=GoalForm(initial=initial), plan_acc=plan_acc, suggestion=suggestion
    )


@login_required
@require_GET
def goal_detail(request, goal_id):
    """One goal with what the person may do to it: tick off or change its steps, change
    its words, comment. The plan page shows goals without these and links each here; with
    htmx the link swaps this in place of the goal's section."""
    goal, plan_acc = access.goal_for_user(request.user, goal_id, path=path_of(request))
    item = selectors.goal_item(goal=goal, plan_access=plan_acc)
    context = {
        "item": item,
        "progress": [item],
        "access": plan_acc,
        "family": plan_acc.family,
        "editing": True,
        "plan_url": family_url(plan_acc),
        "show_exit_this_page": not plan_acc.is_staff,
    }
    if request.htmx:
        context["swapped"] = True
        return render(request, "plans/includes/goals.html", context)
    return render(request, "plans/goal.html", context)


@login_required
@require_GET
def goal_edit(request, goal_id):
    goal, plan_acc = access.goal_for_user(request.user, goal_id, path=path_of(request))
    if not plan_acc.can_draft:
        raise Http404
    form = GoalForm(
        initial={
            "goal_id": goal.pk,
            "version": goal.version,
            "title": goal.title,
            "details": goal.details,
            "how_we_know": goal.how_we_know,
            "outcome_areas": list(goal.outcome_areas.all()),
            "private": privacy_initial(goal),
        },
        ask_privacy=_asks_privacy(plan_acc, goal),
    )
    return _goal_page(request, form=form, plan_acc=plan_acc, goal=goal)


@login_required
@require_POST
def goal_save(request, family_id):
    """Create or update a goal. The same form posts here on every autosave and on submit."""
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    plan_obj = plan_or_404(plan_obj)
    if not plan_acc.can_draft:
        raise Http404
    goal = None
    goal_id = request.POST.get("goal_id") or ""
    if goal_id:
        goal, _acc = access.goal_for_user(request.user, id_or_404(goal_id), path=path_of(request))
        if goal.plan_id != plan_obj.pk:
            raise Http404
    if ratelimit.exceeded(SAVE_LIMIT, request.user.pk):
        return ratelimit.too_many(request, SAVE_LIMIT)

    def write(data):
        if goal is not None:
            return services.goal_update(
                goal=goal,
                actor=request.user,
                expected_version=data["version"],
                title=data["title"],
                details=data["details"],
                how_we_know=data["how_we_know"],
                outcome_areas=data["outcome_areas"],
                private=data.get("private"),
            )
        return services.goal_create(
            plan=plan_obj,
            actor=request.user,
            title=data["title"],
            details=data["details"],
            how_we_know=data["how_we_know"],
            outcome_areas=data["outcome_areas"],
            suggestion=own_open_suggestion(
                request, data.get("suggestion"), plan_acc, Suggestion.Kind.GOAL, saving=True
            ),
            draft_key=data.get("draft_key") or "",
            private=bool(data.get("private")),
        )

    return autosave.answer(
        request,
        autosave.save(
            GoalForm(request.POST, ask_privacy=_asks_privacy(plan_acc, goal), new=goal is None),
            write,
        ),
        state=lambda saved: ("plans/includes/goal_state.html", {"goal": saved}),
        message=_("Your goal has been saved."),
        next_url=lambda saved: f"{family_url(plan_acc)}#goal-{saved.pk}",
        page=lambda form, conflict, status: _goal_page(
            request, form=form, plan_acc=plan_acc, goal=goal, conflict=conflict, status=status
        ),
    )


@login_required
@require_POST
def goal_remove(request, goal_id):
    goal, plan_acc = access.goal_for_user(request.user, goal_id, path=path_of(request))
    if not plan_acc.can_draft:
        raise Http404
    services.goal_remove(goal=goal, actor=request.user)
    messages.success(request, _("The goal has been taken off the plan."))
    return redirect(family_url(plan_acc))
