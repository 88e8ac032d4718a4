"""The whole-family assessment and its needs: the key worker's pages, the family's page,
and the framework for service managers. Each view translates HTTP into one service or
selector call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.forms import apply_errors

from .. import access, selectors, services
from ..forms import AssessmentForm, FamilyViewForm, NeedForm, NeedGoalsForm, NeedRemoveForm


def _assessment_url(family_id: int) -> str:
    return reverse("casework:assessment", kwargs={"family_id": family_id})


def _goal_label(goal) -> str:
    if goal.private_to_id is None:
        return goal.title
    return _("%(title)s (only %(name)s and the key worker)") % {
        "title": goal.title,
        "name": goal.kept_by,
    }


def _goal_forms(page, data=None, need_id=None):
    """A form of goals for each need on the page (``data`` for the one just posted)."""
    for row in page.needs:
        row.form = NeedGoalsForm(  # type: ignore[attr-defined]  # for the page
            data if row.need.pk == need_id else None,
            choices=[(goal.id, _goal_label(goal)) for goal in row.choices],
            initial={"goals": sorted(row.checked)},
            prefix=f"need-{row.need.pk}",
        )


def _render_assessment(request, family, *, form=None, goal_data=None, need_id=None, status=200):
    page = selectors.assessment_page(family=family)
    assessment = page.assessment
    if form is None:
        form = AssessmentForm(
            members=selectors.household(family=family),
            initial={
                "assessed_on": (
                    assessment.assessed_on if assessment else timezone.localdate()
                ).strftime("%d/%m/%Y"),
                "members": [m.pk for m in assessment.members.all()]
                if assessment
                else [m.pk for m in page.members],
                "summary": assessment.summary if assessment else "",
            },
        )
    _goal_forms(page, goal_data, need_id)
    return render(
        request,
        "casework/needs/assessment.html",
        {"family": family, "page": page, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment(request, family_id):
    """The key worker records the whole-family assessment and reads its needs."""
    family = access.family_to_manage(request.user, family_id, path=request.get_full_path())
    if request.method == "GET":
        return _render_assessment(request, family)
    episode = selectors.current_episode(family=family)
    if episode is None:
        raise Http404
    form = AssessmentForm(request.POST, members=selectors.household(family=family))
    if form.is_valid():
        try:
            services.assessment_save(
                episode=episode,
                actor=request.user,
                assessed_on=form.cleaned_data["assessed_on"],
                members=form.cleaned_data["members"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The assessment has been saved."))
            return redirect(_assessment_url(family.pk))
    return _render_assessment(request, family, form=form, status=400)


@login_required
@require_POST
def episode_start(request, family_id):
    """The key worker starts working with a family no episode is open for."""
    family = access.family_to_manage(request.user, family_id, path=request.get_full_path())
    try:
        services.episode_open(family=family, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Work with the family has begun."))
    return redirect(_assessment_url(family.pk))


@login_required
@require_http_methods(["GET", "POST"])
def need_new(request, family_id):
    """The key worker records a need the assessment found."""
    family = access.family_to_manage(request.user, family_id, path=request.get_full_path())
    episode = selectors.current_episode(family=family)
    if episode is None:
        raise Http404
    descriptor = selectors.chosen_descriptor(
        request.POST.get("descriptor") or request.GET.get("descriptor")
    )
    form = NeedForm(
        request.POST or None,
        choices=selectors.need_choices(family=family, descriptor=descriptor),
        initial={"identified_on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.need_add(
                episode=episode,
                descriptor=selectors.chosen_descriptor(form.cleaned_data["descriptor"]),
                actor=request.user,
                baseline_record=selectors.family_record(
                    family=family, record_id=form.cleaned_data["baseline_record"]
                ),
                **form.service_values(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The need has been added."))
            return redirect(_assessment_url(family.pk))
    return render(
        request,
        "casework/needs/need_form.html",
        {"family": family, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def need_goals(request, need_id):
    """The key worker ticks the plan goals that meet a need."""
    need = access.need_to_manage(request.user, need_id, path=request.get_full_path())
    page = selectors.assessment_page(family=need.family)
    row = next((row for row in page.needs if row.need.pk == need.pk), None)
    if row is None:
        raise Http404
    form = NeedGoalsForm(
        request.POST,
        choices=[(goal.id, _goal_label(goal)) for goal in row.choices],
        prefix=f"need-{need.pk}",
    )
    if form.is_valid():
        try:
            services.need_goals_set(
                need=need, actor=request.user, goal_ids=form.cleaned_data["goals"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The goals that meet the need have been saved."))
            return redirect(_assessment_url(need.family_id) + f"#need-{need.pk}")
    return _render_assessment(
        request, need.family, goal_data=request.POST, need_id=need.pk, status=400
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_remove(request, need_id):
    """The key worker takes a need off, with why (it is kept)."""
    need = access.need_to_manage(request.user, need_id, path=request.get_full_path())
    if need.removed_at is not None:
        raise Http404
    form = NeedRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_remove(need=need, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The need has been taken off."))
            return redirect(_assessment_url(need.family_id))
    return render(
        request,
        "casework/needs/need_remove.html",
        {"family": need.family, "need": need, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def yours_needs(request):
    """An adult of the household reads their family's needs in plain words."""
    member = access.own_needs_member(request.user)
    needs = selectors.needs_for_member(member=member)
    for item in needs:
        item.form = FamilyViewForm(  # type: ignore[attr-defined]  # for the page
            initial={"view": item.need.family_view}, prefix=f"need-{item.need.pk}"
        )
    return render(
        request,
        "casework/needs/yours.html",
        {"family": member.family, "member": member, "needs": needs, "show_exit_this_page": True},
    )


@login_required
@require_POST
def need_view(request, need_id):
    """An adult of the household says where they disagree with a need."""
    need, _member = access.own_need_for_user(request.user, need_id)
    form = FamilyViewForm(request.POST, prefix=f"need-{need.pk}")
    if form.is_valid():
        try:
            services.need_family_view_set(
                need=need, actor=request.user, view=form.cleaned_data["view"]
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Thank you. Your key worker has been told.")
                if form.cleaned_data["view"]
                else _("Saved."),
            )
            return redirect(reverse("casework:yours_needs") + f"#need-{need.pk}")
    return render(
        request,
        "casework/needs/view_form.html",
        {"family": need.family, "need": need, "form": form, "show_exit_this_page": True},
        status=400,
    )


@login_required
@require_GET
def framework(request):
    """Service managers read the outcome framework needs are recorded against."""
    access.manager_gate(request.user)
    found, groups = selectors.framework_in_use()
    return render(request, "casework/needs/framework.html", {"framework": found, "groups": groups})
