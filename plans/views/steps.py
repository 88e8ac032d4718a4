"""Steps: adding one (from the library or a suggestion), changing it, saving (autosave
and submit alike) and ticking it off."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal import ratelimit
from portal.converters import id_or_404, parse_id

from .. import access, selectors, services
from ..forms import Privacy, StepForm, privacy_initial, who_choices
from ..models import Suggestion, Who
from . import _autosave as autosave
from ._common import SAVE_LIMIT, family_url, own_open_suggestion, path_of


def _who_choices(family):
    return who_choices(
        family,
        members=list(family.members.all()),
        practitioners=list(family.practitioners.select_related("user", "agency")),
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


def _asks_privacy(plan_acc, goal, step) -> bool:
    """Not on a private goal (its steps are private with it); a new step, or one whose
    adult may change who sees it."""
    if goal.private_to_id is not None:
        return False
    return step is None or plan_acc.keeps(step) or plan_acc.may_keep_private(step)


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
            "plan_url": family_url(plan_acc),
            "show_exit_this_page": True,
        },
        status=status,
    )


@login_required
@require_GET
def step_new(request, goal_id):
    goal, plan_acc = access.goal_for_user(request.user, goal_id, path=path_of(request))
    if not plan_acc.can_draft:
        raise Http404
    initial: dict = {"version": 1, "draft_key": uuid.uuid4().hex}
    template = selectors.approved_template(parse_id(request.GET.get("template", "")))
    if template:
        initial.update(text=template.step_text, who=template.who, template=template.pk)
    suggestion = own_open_suggestion(
        request, request.GET.get("suggestion"), plan_acc, Suggestion.Kind.STEP
    )
    if suggestion:
        if suggestion.goal_id != goal.pk:
            raise Http404
        initial.update(text=suggestion.text, suggestion=suggestion.pk)
        if suggestion.private_to_id:
            initial.update(private=Privacy.ME)
        suggester = plan_acc.family.practitioners.filter(user_id=suggestion.author_id).first()
        if suggester is not None:
            # A partner's step is most likely theirs to do; the family may choose otherwise.
            initial.update(who=f"partner:{suggester.pk}")
    form = StepForm(
        initial=initial,
        who_choices=_who_choices(plan_acc.family),
        ask_privacy=_asks_privacy(plan_acc, goal, None),
    )
    return _step_page(
        request, form=form, goal=goal, plan_acc=plan_acc, template=template, suggestion=suggestion
    )


@login_required
@require_GET
def step_edit(request, step_id):
    step, plan_acc = access.step_for_user(request.user, step_id, path=path_of(request))
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
            "private": privacy_initial(step),
        },
        who_choices=_who_choices(plan_acc.family),
        ask_privacy=_asks_privacy(plan_acc, step.goal, step),
    )
    return _step_page(request, form=form, goal=step.goal, plan_acc=plan_acc, step=step)


@login_required
@require_POST
def step_save(request, goal_id):
    """Create or update a step; autosave and plain submit both post here."""
    goal, plan_acc = access.goal_for_user(request.user, goal_id, path=path_of(request))
    if not plan_acc.can_draft:
        raise Http404
    family = plan_acc.family
    step = None
    step_id = request.POST.get("step_id") or ""
    if step_id:
        step, _acc = access.step_for_user(request.user, id_or_404(step_id), path=path_of(request))
        if step.goal_id != goal.pk:
            raise Http404
    if ratelimit.exceeded(SAVE_LIMIT, request.user.pk):
        return ratelimit.too_many(request, SAVE_LIMIT)

    def write(data):
        owner = _owner(family, data)
        if step is not None:
            return services.step_update(
                step=step,
                actor=request.user,
                expected_version=data["version"],
                text=data["text"],
                owner=owner,
                due_date=data["due_date"],
                private=data.get("private"),
            )
        return services.step_create(
            goal=goal,
            actor=request.user,
            text=data["text"],
            owner=owner,
            due_date=data["due_date"],
            template=selectors.approved_template(data.get("template")),
            suggestion=own_open_suggestion(
                request, data.get("suggestion"), plan_acc, Suggestion.Kind.STEP, saving=True
            ),
            draft_key=data.get("draft_key") or "",
            private=bool(data.get("private")),
        )

    form = StepForm(
        request.POST,
        who_choices=_who_choices(family),
        ask_privacy=_asks_privacy(plan_acc, goal, step),
        new=step is None,
    )
    return autosave.answer(
        request,
        autosave.save(form, write),
        state=lambda saved: ("plans/includes/step_state.html", {"step": saved}),
        message=_("The step has been saved."),
        next_url=lambda _saved: f"{family_url(plan_acc)}#goal-{goal.pk}",
        page=lambda form, conflict, status: _step_page(
            request,
            form=form,
            goal=goal,
            plan_acc=plan_acc,
            step=step,
            conflict=conflict,
            status=status,
        ),
    )


@login_required
@require_POST
def step_done(request, step_id):
    step, plan_acc = access.step_for_user(request.user, step_id, path=path_of(request))
    if not plan_acc.may_tick(step):
        raise Http404
    services.step_done_set(step=step, actor=request.user, done=request.POST.get("done") == "1")
    if request.htmx:
        step.refresh_from_db()
        step.can_tick = True
        return render(
            request,
            "plans/includes/step_item.html",
            {"step": step, "access": plan_acc},
        )
    # Steps are ticked off on their goal's page (plans:goal), so back there.
    return redirect("plans:goal", goal_id=step.goal_id)
