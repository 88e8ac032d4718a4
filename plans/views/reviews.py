"""Reviews: when the next one is, starting one today, and rating each goal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.forms import apply_errors

from .. import access, services
from ..forms import ReviewForm, ReviewScheduleForm
from ..models import GoalRating
from ._common import family_url, path_of, plan_or_404


@login_required
@require_POST
def review_schedule(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    plan_obj = plan_or_404(plan_obj)
    if not (plan_acc.can_draft or plan_acc.can_suggest):
        raise Http404
    form = ReviewScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.review_schedule(
                plan=plan_obj, actor=request.user, date=form.cleaned_data["date"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The review date has been saved."))
            return redirect(family_url(plan_acc))
    return render(
        request,
        "plans/review_schedule.html",
        {
            "form": form,
            "family": plan_acc.family,
            "plan_url": family_url(plan_acc),
            "show_exit_this_page": not plan_acc.is_staff,
        },
        status=400,
    )


@login_required
@require_POST
def review_start(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=path_of(request))
    plan_obj = plan_or_404(plan_obj)
    if not (plan_acc.sees_everything or plan_acc.can_rate_as_partner):
        raise Http404
    try:
        review = services.review_start_today(plan=plan_obj, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{family_url(plan_acc)}#progress")
    return redirect("plans:review", review_id=review.pk)


@login_required
@require_http_methods(["GET", "POST"])
def review(request, review_id):
    """The family rates each goal from 1 to 10; the key worker may add their own rating."""
    review_obj, plan_acc = access.review_for_user(request.user, review_id, path=path_of(request))
    if plan_acc.can_draft:
        by = GoalRating.By.FAMILY
    elif plan_acc.can_suggest:
        by = GoalRating.By.KEY_WORKER
    else:
        by = GoalRating.By.PARTNER
    goals = list(
        review_obj.plan.goals.filter(plan_acc.goal_filter(), archived_at__isnull=True).order_by(
            "order", "id"
        )
    )
    mine = review_obj.ratings.filter(by=by)
    if by == GoalRating.By.PARTNER:
        mine = mine.filter(rated_by=request.user)
    existing = {r.goal_id: r for r in mine.select_related("goal")}
    initial = {}
    for goal_id, rating in existing.items():
        initial[f"score_{goal_id}"] = rating.score
        initial[f"note_{goal_id}"] = rating.note
    form = ReviewForm(request.POST or None, goals=goals, by=by, initial=initial)
    if request.method == "POST" and form.is_valid():
        ratings = [
            services.RatingInput(
                goal=goal,
                score=form.cleaned_data.get(f"score_{goal.pk}"),
                note=form.cleaned_data.get(f"note_{goal.pk}", ""),
            )
            for goal in goals
        ]
        try:
            services.review_record(review=review_obj, actor=request.user, ratings=ratings, by=by)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you. The review has been saved."))
            return redirect(f"{family_url(plan_acc)}#progress")
    return render(
        request,
        "plans/review_form.html",
        {
            "form": form,
            "review": review_obj,
            "by": by,
            "family": plan_acc.family,
            "plan_url": family_url(plan_acc),
            "show_exit_this_page": not plan_acc.is_staff,
        },
        status=400 if form.errors else 200,
    )
