"""Plan pages. Each view turns HTTP into one service or selector call and back."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import access as core
from portal.converters import id_or_404, parse_id

from . import access, plain_english, selectors, services
from .forms import (
    AboutForm,
    CommentForm,
    ConfirmForm,
    GoalForm,
    JargonForm,
    OutcomeAreaForm,
    PlainEnglishForm,
    ReviewForm,
    ReviewScheduleForm,
    SharingForm,
    SignatoriesForm,
    StepForm,
    SuggestionForm,
    TemplateForm,
    TemplateSearchForm,
    apply_errors,
    who_choices,
)
from .models import (
    GoalRating,
    InterventionTemplate,
    JargonTerm,
    OutcomeArea,
    Plan,
    Suggestion,
    Who,
)

SAVE_LIMIT = (240, 60)  # autosaves per minute per person: generous for fast typists
WRITE_LIMIT = (30, 60)  # comments and suggestions per minute per person
CHECK_LIMIT = (120, 60)


def _rate_limited(request, bucket: str, limit: tuple[int, int]) -> bool:
    count, seconds = limit
    key = f"plans:rate:{bucket}:{request.user.pk}"
    if cache.add(key, 1, seconds):
        return False
    try:
        return cache.incr(key) > count
    except ValueError:
        return False


def _too_many(request):
    return HttpResponse(
        _("You are saving very quickly. Wait a minute, then try again."), status=429
    )


def _path(request) -> str:
    return request.get_full_path()


def _plan_or_404(plan: Plan | None) -> Plan:
    if plan is None:
        raise Http404
    return plan


def _family_url(plan_acc: access.PlanAccess) -> str:
    if plan_acc.is_member:
        return reverse("plans:plan")
    return reverse("plans:family_plan", kwargs={"family_id": plan_acc.family.pk})


# The plan page ----------------------------------------------------------------------------


def _render_plan(request, plan, plan_acc, *, about_form=None, status=200, conflict=None):
    context = {
        "family": plan_acc.family,
        "access": plan_acc,
        "plan": plan,
        "show_exit_this_page": not plan_acc.is_staff,
        "plan_url": _family_url(plan_acc),
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
            i_agreed=page.i_agreed,
            i_must_agree=page.i_must_agree,
        )
    return render(request, "plans/plan.html", context, status=status)


@login_required
@require_GET
def plan(request):
    """A parent's own current plan."""
    _family, plan_obj, plan_acc = access.own_plan(request.user, path=_path(request))
    return _render_plan(request, plan_obj, plan_acc)


@login_required
@require_GET
def family_plan(request, family_id):
    """The plan for the key worker, named partners and the matched mentor (and the family)."""
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    if plan_obj is None and not (plan_acc.is_member or plan_acc.can_suggest):
        raise Http404
    return _render_plan(request, plan_obj, plan_acc)


@login_required
@require_POST
def plan_start(request, family_id):
    _plan, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    try:
        services.plan_start(family=plan_acc.family, actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("The plan has been started."))
    return redirect(_family_url(plan_acc))


def _autosave_response(request, *, message: str, state: str = "", ok: bool = True):
    html = render_to_string(
        "plans/includes/autosave_status.html",
        {"message": message, "state": state, "ok": ok},
        request=request,
    )
    return HttpResponse(html)


@login_required
@require_POST
def _saved(request, *, state, message, next_url):
    """After a goal or step saves: a small autosave answer for htmx, else back to the plan."""
    if request.htmx:
        template, context = state
        return _autosave_response(
            request,
            message=_("Saved"),
            state=render_to_string(template, context, request=request),
        )
    messages.success(request, message)
    return redirect(next_url)


def _not_saved(request, form, conflict):
    return _autosave_response(
        request,
        ok=False,
        message=_conflict_message() if conflict else _not_saved_message(form),
    )


@login_required
@require_POST
def about_save(request, family_id):
    """Save 'what is going well' and 'what we are worried about'. htmx autosaves here too."""
    if _rate_limited(request, "save", SAVE_LIMIT):
        return _too_many(request)
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    plan_obj = _plan_or_404(plan_obj)
    if not plan_acc.can_draft:
        raise Http404
    form = AboutForm(request.POST)
    conflict = None
    if form.is_valid():
        try:
            saved = services.plan_about_update(
                plan=plan_obj,
                actor=request.user,
                strengths=form.cleaned_data["strengths"],
                worries=form.cleaned_data["worries"],
                expected_version=form.cleaned_data["version"],
            )
        except services.EditConflict as exc:
            conflict = exc.current
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if request.htmx:
                return _autosave_response(
                    request,
                    message=_("Saved"),
                    state=render_to_string(
                        "plans/includes/version_input.html",
                        {"target": "about-version", "version": saved.about_version},
                    ),
                )
            messages.success(request, _("Your changes have been saved."))
            return redirect(_family_url(plan_acc))
    if request.htmx:
        return _autosave_response(
            request,
            ok=False,
            message=_conflict_message() if conflict else _not_saved_message(form),
        )
    if conflict is not None:
        data = request.POST.copy()
        data["version"] = conflict.about_version
        form = AboutForm(data)
        form.is_valid()
    return _render_plan(
        request,
        plan_obj,
        plan_acc,
        about_form=form,
        status=409 if conflict else 400,
        conflict=conflict,
    )


def _conflict_message() -> str:
    return _(
        "Someone else saved this while you were writing. Your words are not saved yet. "
        "Press the save button to compare both."
    )


def _not_saved_message(form) -> str:
    errors = [str(e) for errors in form.errors.values() for e in errors]
    return _("Not saved yet: %(reason)s") % {"reason": " ".join(errors)}


# Goals ------------------------------------------------------------------------------------


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
            "plan_url": _family_url(plan_acc),
            "show_exit_this_page": True,
        },
        status=status,
    )


def _own_open_suggestion(request, suggestion_id, plan_acc, kind):
    if not suggestion_id:
        return None
    suggestion, s_acc = access.suggestion_for_user(
        request.user, id_or_404(suggestion_id), path=_path(request)
    )
    if (
        s_acc.family.pk != plan_acc.family.pk
        or suggestion.kind != kind
        or suggestion.status != Suggestion.Status.OPEN
    ):
        raise Http404
    return suggestion


@login_required
@require_GET
def goal_new(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    plan_obj = _plan_or_404(plan_obj)
    if not plan_acc.can_draft:
        raise Http404
    suggestion = _own_open_suggestion(
        request, request.GET.get("suggestion"), plan_acc, Suggestion.Kind.GOAL
    )
    initial = {"version": 1, "draft_key": uuid.uuid4().hex}
    if suggestion:
        initial.update(title=suggestion.text, suggestion=suggestion.pk)
    return _goal_page(
        request, form=GoalForm(initial=initial), plan_acc=plan_acc, suggestion=suggestion
    )


@login_required
@require_GET
def goal_detail(request, goal_id):
    """One goal with what the person may do to it: tick off or change its steps, change
    its words, comment. The plan page shows goals without these and links each here; with
    htmx the link swaps this in place of the goal's section."""
    goal, plan_acc = access.goal_for_user(request.user, goal_id, path=_path(request))
    item = selectors.goal_item(goal=goal, plan_access=plan_acc)
    context = {
        "item": item,
        "progress": [item],
        "access": plan_acc,
        "family": plan_acc.family,
        "editing": True,
        "plan_url": _family_url(plan_acc),
        "show_exit_this_page": not plan_acc.is_staff,
    }
    if request.htmx:
        context["swapped"] = True
        return render(request, "plans/includes/goals.html", context)
    return render(request, "plans/goal.html", context)


@login_required
@require_GET
def goal_edit(request, goal_id):
    goal, plan_acc = access.goal_for_user(request.user, goal_id, path=_path(request))
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
        }
    )
    return _goal_page(request, form=form, plan_acc=plan_acc, goal=goal)


@login_required
@require_POST
def goal_save(request, family_id):
    """Create or update a goal. The same form posts here on every autosave and on submit."""
    if _rate_limited(request, "save", SAVE_LIMIT):
        return _too_many(request)
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    plan_obj = _plan_or_404(plan_obj)
    if not plan_acc.can_draft:
        raise Http404
    form = GoalForm(request.POST)
    goal = suggestion = conflict = None
    goal_id = request.POST.get("goal_id") or ""
    if goal_id:
        goal, goal_acc = access.goal_for_user(request.user, id_or_404(goal_id), path=_path(request))
        if goal.plan_id != plan_obj.pk:
            raise Http404
    if form.is_valid():
        data = form.cleaned_data
        try:
            if goal is None:
                suggestion = _own_open_suggestion(
                    request, data.get("suggestion"), plan_acc, Suggestion.Kind.GOAL
                )
                saved = services.goal_create(
                    plan=plan_obj,
                    actor=request.user,
                    title=data["title"],
                    details=data["details"],
                    how_we_know=data["how_we_know"],
                    outcome_areas=data["outcome_areas"],
                    suggestion=suggestion,
                    draft_key=data.get("draft_key") or "",
                )
            else:
                saved = services.goal_update(
                    goal=goal,
                    actor=request.user,
                    expected_version=data["version"],
                    title=data["title"],
                    details=data["details"],
                    how_we_know=data["how_we_know"],
                    outcome_areas=data["outcome_areas"],
                )
        except services.EditConflict as exc:
            conflict = exc.current
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _saved(
                request,
                state=("plans/includes/goal_state.html", {"goal": saved}),
                message=_("Your goal has been saved."),
                next_url=f"{_family_url(plan_acc)}#goal-{saved.pk}",
            )
    if request.htmx:
        return _not_saved(request, form, conflict)
    if conflict is not None:
        # Keep the writer's words in the form; from now on they save over what they have seen.
        data = request.POST.copy()
        data["version"] = conflict.version
        form = GoalForm(data)
        form.is_valid()
    return _goal_page(
        request,
        form=form,
        plan_acc=plan_acc,
        goal=goal,
        conflict=conflict,
        status=409 if conflict else 400,
    )


@login_required
@require_POST
def goal_remove(request, goal_id):
    goal, plan_acc = access.goal_for_user(request.user, goal_id, path=_path(request))
    if not plan_acc.can_draft:
        raise Http404
    services.goal_remove(goal=goal, actor=request.user)
    messages.success(request, _("The goal has been taken off the plan."))
    return redirect(_family_url(plan_acc))


# Steps ------------------------------------------------------------------------------------


def _who_choices(family):
    return who_choices(
        family,
        members=list(family.members.all()),
        practitioners=list(family.practitioners.select_related("user__staff_profile")),
    )


def _owner(family, data) -> services.StepOwner:
    who = data["who"]
    if who.startswith("member:"):
        member = family.members.filter(pk=who.split(":")[1]).first()
        return services.StepOwner(who=Who.MEMBER, member=member)
    if who.startswith("partner:"):
        practitioner = family.practitioners.filter(pk=who.split(":")[1]).first()
        return services.StepOwner(who=Who.PARTNER, practitioner=practitioner)
    return services.StepOwner(who=who, other_people=data.get("other_people", ""))


def _who_value(step) -> str:
    if step.who == Who.MEMBER and step.member_id:
        return f"member:{step.member_id}"
    if step.who == Who.PARTNER and step.practitioner_id:
        return f"partner:{step.practitioner_id}"
    return step.who


def _step_page(
    request,
    *,
    form,
    goal,
    plan_acc,
    step=None,
    template=None,
    suggestion=None,
    conflict=None,
    status=200,
):
    return render(
        request,
        "plans/step_form.html",
        {
            "form": form,
            "goal": goal,
            "family": plan_acc.family,
            "step": step,
            "template": template,
            "suggestion": suggestion,
            "conflict": conflict,
            "plan_url": _family_url(plan_acc),
            "show_exit_this_page": True,
        },
        status=status,
    )


@login_required
@require_GET
def step_new(request, goal_id):
    goal, plan_acc = access.goal_for_user(request.user, goal_id, path=_path(request))
    if not plan_acc.can_draft:
        raise Http404
    initial = {"version": 1, "draft_key": uuid.uuid4().hex}
    template = None
    template_id = parse_id(request.GET.get("template", ""))
    if template_id is not None:
        template = InterventionTemplate.objects.filter(pk=template_id, active=True).first()
        if template:
            initial.update(text=template.step_text, who=template.who, template=template.pk)
    suggestion = _own_open_suggestion(
        request, request.GET.get("suggestion"), plan_acc, Suggestion.Kind.STEP
    )
    if suggestion:
        if suggestion.goal_id != goal.pk:
            raise Http404
        initial.update(text=suggestion.text, suggestion=suggestion.pk)
    form = StepForm(initial=initial, who_choices=_who_choices(plan_acc.family))
    return _step_page(
        request, form=form, goal=goal, plan_acc=plan_acc, template=template, suggestion=suggestion
    )


@login_required
@require_GET
def step_edit(request, step_id):
    step, plan_acc = access.step_for_user(request.user, step_id, path=_path(request))
    if not plan_acc.can_draft:
        raise Http404
    form = StepForm(
        initial={
            "step_id": step.pk,
            "version": step.version,
            "text": step.text,
            "who": _who_value(step),
            "other_people": step.other_people,
            "due_date": step.due_date,
        },
        who_choices=_who_choices(plan_acc.family),
    )
    return _step_page(request, form=form, goal=step.goal, plan_acc=plan_acc, step=step)


@login_required
@require_POST
def step_save(request, goal_id):
    """Create or update a step; autosave and plain submit both post here."""
    if _rate_limited(request, "save", SAVE_LIMIT):
        return _too_many(request)
    goal, plan_acc = access.goal_for_user(request.user, goal_id, path=_path(request))
    if not plan_acc.can_draft:
        raise Http404
    family = plan_acc.family
    form = StepForm(request.POST, who_choices=_who_choices(family))
    step = conflict = None
    step_id = request.POST.get("step_id") or ""
    if step_id:
        step, _acc = access.step_for_user(request.user, id_or_404(step_id), path=_path(request))
        if step.goal_id != goal.pk:
            raise Http404
    if form.is_valid():
        data = form.cleaned_data
        try:
            owner = _owner(family, data)
            if step is None:
                suggestion = _own_open_suggestion(
                    request, data.get("suggestion"), plan_acc, Suggestion.Kind.STEP
                )
                template = (
                    InterventionTemplate.objects.filter(pk=data["template"]).first()
                    if data.get("template")
                    else None
                )
                saved = services.step_create(
                    goal=goal,
                    actor=request.user,
                    text=data["text"],
                    owner=owner,
                    due_date=data["due_date"],
                    template=template,
                    suggestion=suggestion,
                    draft_key=data.get("draft_key") or "",
                )
            else:
                saved = services.step_update(
                    step=step,
                    actor=request.user,
                    expected_version=data["version"],
                    text=data["text"],
                    owner=owner,
                    due_date=data["due_date"],
                )
        except services.EditConflict as exc:
            conflict = exc.current
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _saved(
                request,
                state=("plans/includes/step_state.html", {"step": saved}),
                message=_("The step has been saved."),
                next_url=f"{_family_url(plan_acc)}#goal-{goal.pk}",
            )
    if request.htmx:
        return _not_saved(request, form, conflict)
    if conflict is not None:
        data = request.POST.copy()
        data["version"] = conflict.version
        form = StepForm(data, who_choices=_who_choices(family))
        form.is_valid()
    return _step_page(
        request,
        form=form,
        goal=goal,
        plan_acc=plan_acc,
        step=step,
        conflict=conflict,
        status=409 if conflict else 400,
    )


@login_required
@require_POST
def step_done(request, step_id):
    step, plan_acc = access.step_for_user(request.user, step_id, path=_path(request))
    if not plan_acc.can_tick_steps:
        raise Http404
    services.step_done_set(step=step, actor=request.user, done=request.POST.get("done") == "1")
    if request.htmx:
        step.refresh_from_db()
        return render(
            request,
            "plans/includes/step_item.html",
            {"step": step, "access": plan_acc},
        )
    # Steps are ticked off on their goal's page (plans:goal), so back there.
    return redirect("plans:goal", goal_id=step.goal_id)


# Suggestions and comments -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def suggest(request, family_id):
    """A key worker suggests a goal or step (perhaps from the library)."""
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    plan_obj = _plan_or_404(plan_obj)
    if not plan_acc.can_suggest:
        raise Http404
    goals = list(plan_obj.goals.filter(archived_at__isnull=True))
    template = None
    template_id = parse_id(request.GET.get("template") or request.POST.get("template") or "")
    if template_id is not None:
        template = InterventionTemplate.objects.filter(pk=template_id, active=True).first()
    if request.method == "POST":
        if _rate_limited(request, "write", WRITE_LIMIT):
            return _too_many(request)
        form = SuggestionForm(request.POST, goals=goals)
        if form.is_valid():
            data = form.cleaned_data
            goal = next((g for g in goals if g.pk == data.get("goal")), None)
            try:
                services.suggestion_create(
                    plan=plan_obj,
                    actor=request.user,
                    kind=data["kind"],
                    text=data["text"],
                    goal=goal,
                    template=template,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Your suggestion has been sent. The family decides what to do.")
                )
                return redirect(_family_url(plan_acc))
    else:
        initial = {"goal": request.GET.get("goal")}
        if template:
            initial.update(kind=Suggestion.Kind.STEP, text=template.step_text, template=template.pk)
        form = SuggestionForm(initial=initial, goals=goals)
    text = form.data.get("text", "") if form.is_bound else ""
    return render(
        request,
        "plans/suggest_form.html",
        {
            "form": form,
            "family": plan_acc.family,
            "template": template,
            "plan_url": _family_url(plan_acc),
            "report": plain_english.check(text) if text else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def suggestion_accept(request, suggestion_id):
    suggestion, plan_acc = access.suggestion_for_user(
        request.user, suggestion_id, path=_path(request)
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
        return redirect(_family_url(plan_acc))
    messages.success(request, _("The goal has been added to your plan."))
    return redirect(f"{_family_url(plan_acc)}#goal-{goal.pk}")


@login_required
@require_POST
def suggestion_decline(request, suggestion_id):
    suggestion, plan_acc = access.suggestion_for_user(
        request.user, suggestion_id, path=_path(request)
    )
    if not plan_acc.can_draft:
        raise Http404
    try:
        services.suggestion_decline(suggestion=suggestion, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_family_url(plan_acc))


@login_required
@require_POST
def comment_add(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    plan_obj = _plan_or_404(plan_obj)
    if _rate_limited(request, "write", WRITE_LIMIT):
        return _too_many(request)
    form = CommentForm(request.POST)
    goal = None
    goal_id = request.POST.get("goal") or ""
    if goal_id:
        goal, _acc = access.goal_for_user(request.user, id_or_404(goal_id), path=_path(request))
        if goal.plan_id != plan_obj.pk:
            raise Http404
    elif not plan_acc.sees_everything:
        raise Http404
    if form.is_valid():
        try:
            services.comment_add(
                plan=plan_obj, actor=request.user, text=form.cleaned_data["text"], goal=goal
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your comment has been added."))
            anchor = f"#goal-{goal.pk}" if goal else "#comments"
            return redirect(f"{_family_url(plan_acc)}{anchor}")
    report = plain_english.check(form.data.get("text", "")) if plan_acc.is_staff else None
    return render(
        request,
        "plans/comment_form.html",
        {
            "form": form,
            "goal": goal,
            "family": plan_acc.family,
            "plan_url": _family_url(plan_acc),
            "report": report,
            "show_exit_this_page": not plan_acc.is_staff,
        },
        status=400,
    )


# Sharing and agreement -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sharing(request):
    """A parent chooses which goals their peer mentor and named practitioners may see."""
    _family, plan_obj, plan_acc = access.own_plan(request.user, path=_path(request))
    plan_obj = _plan_or_404(plan_obj)
    goals, practitioners, history = selectors.sharing_page(plan=plan_obj)
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
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    plan_obj = _plan_or_404(plan_obj)
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
            return redirect(_family_url(plan_acc))
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
            "plan_url": _family_url(plan_acc),
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
    _family, plan_obj, plan_acc = access.own_plan(request.user, path=_path(request))
    plan_obj = _plan_or_404(plan_obj)
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


# Versions -------------------------------------------------------------------------------------------


@login_required
@require_GET
def versions(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    plan_obj = _plan_or_404(plan_obj)
    items = list(selectors.versions(plan=plan_obj))
    return render(
        request,
        "plans/versions.html",
        {
            "versions": items,
            "family": plan_acc.family,
            "plan_url": _family_url(plan_acc),
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
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    version = _version(_plan_or_404(plan_obj), number)
    return render(
        request,
        "plans/version_detail.html",
        {
            "version": version,
            "lines": selectors.version_lines(version=version, plan_access=plan_acc),
            "family": plan_acc.family,
            "plan_url": _family_url(plan_acc),
            "show_exit_this_page": not plan_acc.is_staff,
        },
    )


@login_required
@require_GET
def version_diff(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    plan_obj = _plan_or_404(plan_obj)
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
            "plan_url": _family_url(plan_acc),
            "show_exit_this_page": not plan_acc.is_staff,
        },
    )


# Reviews -------------------------------------------------------------------------------------------


@login_required
@require_POST
def review_schedule(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    plan_obj = _plan_or_404(plan_obj)
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
            return redirect(_family_url(plan_acc))
    return render(
        request,
        "plans/review_schedule.html",
        {
            "form": form,
            "family": plan_acc.family,
            "plan_url": _family_url(plan_acc),
            "show_exit_this_page": not plan_acc.is_staff,
        },
        status=400,
    )


@login_required
@require_POST
def review_start(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    plan_obj = _plan_or_404(plan_obj)
    if not plan_acc.sees_everything:
        raise Http404
    review = services.review_start_today(plan=plan_obj, actor=request.user)
    return redirect("plans:review", review_id=review.pk)


@login_required
@require_http_methods(["GET", "POST"])
def review(request, review_id):
    """The family rates each goal from 1 to 10; the key worker may add their own rating."""
    review_obj, plan_acc = access.review_for_user(request.user, review_id, path=_path(request))
    by = GoalRating.By.FAMILY if plan_acc.can_draft else GoalRating.By.KEY_WORKER
    goals = list(review_obj.plan.goals.filter(archived_at__isnull=True).order_by("order", "id"))
    existing = {r.goal_id: r for r in review_obj.ratings.filter(by=by).select_related("goal")}
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
            return redirect(f"{_family_url(plan_acc)}#progress")
    return render(
        request,
        "plans/review_form.html",
        {
            "form": form,
            "review": review_obj,
            "by": by,
            "family": plan_acc.family,
            "plan_url": _family_url(plan_acc),
            "show_exit_this_page": not plan_acc.is_staff,
        },
        status=400 if form.errors else 200,
    )


# Print ---------------------------------------------------------------------------------------------


def _render_print(request, plan_obj, plan_acc):
    page = selectors.plan_page(plan=_plan_or_404(plan_obj), plan_access=plan_acc)
    return render(
        request,
        "plans/print.html",
        {
            "page": page,
            "plan": page.plan,
            "family": plan_acc.family,
            "access": plan_acc,
            "plan_url": _family_url(plan_acc),
            "show_exit_this_page": not plan_acc.is_staff,
        },
    )


@login_required
@require_GET
def print_plan(request):
    _family, plan_obj, plan_acc = access.own_plan(request.user, path=_path(request))
    return _render_print(request, plan_obj, plan_acc)


@login_required
@require_GET
def family_print(request, family_id):
    plan_obj, plan_acc = access.family_plan_for_user(request.user, family_id, path=_path(request))
    return _render_print(request, plan_obj, plan_acc)


# The library ---------------------------------------------------------------------------------------


def _library_user(user) -> bool:
    return core.membership(user) is not None or core.is_key_worker(user) or core.is_manager(user)


@login_required
@require_GET
def templates(request):
    """The intervention library: search and filter by outcome area."""
    if not _library_user(request.user):
        raise Http404
    form = TemplateSearchForm(request.GET or None)
    query = outcome = ""
    if form.is_valid():
        query, outcome = form.cleaned_data["q"].strip(), form.cleaned_data["outcome"]
    page = Paginator(selectors.templates_search(query=query, outcome=outcome), 20).get_page(
        request.GET.get("page")
    )
    goal = None
    goal_id = request.GET.get("goal", "")
    if goal_id:
        goal, _acc = access.goal_for_user(request.user, id_or_404(goal_id), path=_path(request))
    member = core.membership(request.user)
    return render(
        request,
        "plans/templates.html",
        {
            "form": form,
            "page": page,
            "goal": goal,
            "is_member": member is not None,
            "can_curate": core.is_key_worker(request.user) or core.is_manager(request.user),
            "query": query,
            "outcome": outcome,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, template_id=None):
    if not (core.is_key_worker(request.user) or core.is_manager(request.user)):
        raise Http404
    template = None
    if template_id is not None:
        template = InterventionTemplate.objects.filter(pk=template_id).first()
        if template is None:
            raise Http404
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                services.template_save(actor=request.user, template=template, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The library has been updated."))
                return redirect("plans:templates")
    elif template is not None:
        form = TemplateForm(
            initial={
                "title": template.title,
                "summary": template.summary,
                "step_text": template.step_text,
                "who": template.who,
                "provider": template.provider,
                "outcome_areas": list(template.outcome_areas.all()),
                "active": template.active,
            }
        )
    else:
        form = TemplateForm()
    reports = {}
    if form.is_bound:
        for name in ("summary", "step_text"):
            reports[name] = plain_english.check(form.data.get(name, ""))
    return render(
        request,
        "plans/template_form.html",
        {"form": form, "template": template, "reports": reports},
        status=400 if form.errors else 200,
    )


# The plain English helper ----------------------------------------------------------------------------


@login_required
@require_POST
def plain_english_check(request):
    """Hints for staff as they type. HTML for htmx, JSON when asked for it."""
    if core.staff_profile(request.user) is None:
        raise Http404  # families' own words are never scored
    if _rate_limited(request, "check", CHECK_LIMIT):
        return _too_many(request)
    # htmx posts the whole form; "field" names the box being checked (default "text").
    name = request.POST.get("field") or "text"
    form = PlainEnglishForm({"text": request.POST.get(name, "")})
    text = form.cleaned_data["text"] if form.is_valid() else ""
    report = plain_english.check(text)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(report.as_dict())
    return render(request, "plans/includes/plain_english.html", {"report": report})


# Lists managers keep -----------------------------------------------------------------------------------


def _manager_only(request):
    if not core.is_manager(request.user):
        raise Http404


@login_required
@require_GET
def manage_outcomes(request):
    _manager_only(request)
    return render(
        request,
        "plans/manage_outcomes.html",
        {"areas": selectors.outcome_areas(active_only=False)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request, area_id=None):
    _manager_only(request)
    area = None
    if area_id is not None:
        area = OutcomeArea.objects.filter(pk=area_id).first()
        if area is None:
            raise Http404
    if request.method == "POST":
        data = request.POST.copy()
        if area is not None:
            data["slug"] = area.slug
        form = OutcomeAreaForm(data)
        if form.is_valid():
            try:
                services.outcome_area_save(actor=request.user, area=area, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The outcome areas have been updated."))
                return redirect("plans:manage_outcomes")
    else:
        form = OutcomeAreaForm(
            initial={
                "slug": area.slug,
                "name": area.name,
                "description": area.description,
                "order": area.order,
                "active": area.active,
            }
            if area
            else None
        )
    return render(
        request,
        "plans/manage_form.html",
        {
            "form": form,
            "title": _("Outcome area"),
            "back": reverse("plans:manage_outcomes"),
            "fixed_slug": area.slug if area else "",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def manage_jargon(request):
    _manager_only(request)
    return render(request, "plans/manage_jargon.html", {"terms": JargonTerm.objects.all()})


@login_required
@require_http_methods(["GET", "POST"])
def jargon_edit(request, term_id=None):
    _manager_only(request)
    jargon = None
    if term_id is not None:
        jargon = JargonTerm.objects.filter(pk=term_id).first()
        if jargon is None:
            raise Http404
    if request.method == "POST":
        form = JargonForm(request.POST)
        if form.is_valid():
            try:
                services.jargon_term_save(actor=request.user, jargon=jargon, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The jargon list has been updated."))
                return redirect("plans:manage_jargon")
    else:
        form = JargonForm(
            initial={
                "term": jargon.term,
                "alternative": jargon.alternative,
                "active": jargon.active,
            }
            if jargon
            else None
        )
    return render(
        request,
        "plans/manage_form.html",
        {"form": form, "title": _("Jargon word"), "back": reverse("plans:manage_jargon")},
        status=400 if form.errors else 200,
    )
