"""Every write to family plans.

The family writes the plan's words; staff suggest and comment. A save carries the
version the writer started from, so a later save never silently replaces an earlier one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Manager, Max, Model, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import access as core
from portal import registry
from portal.access import audit_record
from portal.models import AuditEvent, Family, FamilyMember, FamilyPractitioner, User
from portal.notify import notify_users

from . import access
from .models import (
    SECTION_MAX,
    STEP_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Comment,
    Goal,
    GoalRating,
    GoalShare,
    InterventionTemplate,
    JargonTerm,
    OutcomeArea,
    Plan,
    PlanConfirmation,
    PlanVersion,
    PrivateWorry,
    Review,
    Step,
    Suggestion,
    Who,
)

Record = TypeVar("Record", Goal, Step)


class EditConflict(Exception):  # reads as what happened
    """Someone saved this text after the writer opened it. ``current`` is what they saved;
    ``version`` is the version a save over it (once the writer has seen it) expects."""

    def __init__(self, current: Model, *, version: int):
        super().__init__(current)
        self.current = current
        self.version = version


# Helpers --------------------------------------------------------------------------------


def _text(value: str | None, *, field: str, max_length: int, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: required})
    if len(value) > max_length:
        raise ValidationError(
            {
                field: _("%(label)s must be %(max)d characters or fewer")
                % {"label": _label(field), "max": max_length}
            }
        )
    return value


_LABELS = {
    "title": gettext_lazy("What you want to change"),
    "details": gettext_lazy("How you will change"),
    "how_we_know": gettext_lazy("How you will know it has worked"),
    "strengths": gettext_lazy("What is going well"),
    "worries": gettext_lazy("What you are worried about"),
    "my_worries": gettext_lazy("What you are worried about"),
    "text": gettext_lazy("The text"),
    "note": gettext_lazy("The note"),
    "other_people": gettext_lazy("Who the other people are"),
    "summary": gettext_lazy("What it is"),
    "step_text": gettext_lazy("The step"),
    "provider": gettext_lazy("Who runs it"),
    "name": gettext_lazy("The name"),
    "reason": gettext_lazy("The reason"),
    "term": gettext_lazy("The word or phrase"),
    "alternative": gettext_lazy("The plainer words"),
}


def _label(field: str) -> str:
    return str(_LABELS.get(field, field))


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _access(actor: User, plan: Plan) -> access.PlanAccess:
    plan_acc = access.plan_access(actor, plan.family, record=plan)
    _require(not plan_acc.read_only)  # every service here changes the plan
    return plan_acc


def _audit(actor: User, plan_acc: access.PlanAccess, action: str, record: Model) -> None:
    if plan_acc.is_staff:
        audit_record(
            actor=actor,
            action=action,
            family=plan_acc.family,
            record=record,
            reason=plan_acc.family_access.reason,
        )


def _bump_revision(plan: Plan) -> None:
    Plan.objects.filter(pk=plan.pk).update(revision=F("revision") + 1, updated_at=timezone.now())
    plan.refresh_from_db(fields=["revision", "updated_at"])


def _family_people(plan: Plan) -> list[User]:
    """Members with accounts plus the lead key worker: who hears about plan changes."""
    people = [m.user for m in plan.family.members.select_related("user") if m.user is not None]
    if plan.family.lead_key_worker is not None:
        people.append(plan.family.lead_key_worker)
    return people


def _own_row(actor: User, plan_acc: access.PlanAccess) -> FamilyMember:
    """The actor's own row in the plan's household (what they keep private is kept by it)."""
    member = core.membership(actor)
    if member is None or member.family_id != plan_acc.family.pk:
        raise PermissionDenied
    return member


def _keeper(actor: User, plan_acc: access.PlanAccess, private: bool) -> FamilyMember | None:
    """Who keeps a new goal or step private: the adult writing it, or no one."""
    return _own_row(actor, plan_acc) if private else None


def _holds_others_words(goal: Goal, actor: User) -> bool:
    """Whether another adult of the household wrote a step, a comment or a rating on
    ``goal`` (so it may not be made private: that would hide their words from them)."""
    others = [
        user_id for user_id in access.household_adults(goal.plan.family) if user_id != actor.pk
    ]
    return bool(others) and (
        goal.steps.filter(created_by__in=others).exists()
        or goal.comments.filter(author__in=others).exists()
        or goal.ratings.filter(rated_by__in=others).exists()
    )


def _plan_url(plan: Plan) -> str:
    return reverse("plans:family_plan", kwargs={"family_id": plan.family_id})


def _active_outcomes(outcome_areas: Iterable[OutcomeArea] | None) -> list[OutcomeArea]:
    areas = list(outcome_areas or [])
    if any(not area.active for area in areas):
        raise ValidationError({"outcome_areas": _("Choose from the areas in the list")})
    return areas


# The plan -------------------------------------------------------------------------------


def plan_start(*, family: Family, actor: User) -> Plan:
    """Start the family's plan (idempotent). The family or its key worker may."""
    plan_acc = access.plan_access(actor, family, record=family)
    _require(plan_acc.can_draft or plan_acc.can_suggest)
    with transaction.atomic():
        plan, created = Plan.objects.get_or_create(family=family, defaults={"created_by": actor})
        if created:
            plan.signatories.set(
                family.members.filter(user__isnull=False).exclude(
                    relationship=FamilyMember.Relationship.CHILD
                )
            )
            _audit(actor, plan_acc, AuditEvent.Action.CREATE, plan)
    return plan


def plan_about_update(
    *, plan: Plan, actor: User, strengths: str, worries: str, expected_version: int
) -> Plan:
    """Save what is going well and what worries the family. Only the family writes these."""
    _require(_access(actor, plan).can_draft)
    strengths = _text(strengths, field="strengths", max_length=SECTION_MAX)
    worries = _text(worries, field="worries", max_length=SECTION_MAX)
    with transaction.atomic():
        current = Plan.objects.select_for_update().get(pk=plan.pk)
        # Identical words are never a conflict (an autosave and a submit can cross).
        if (current.strengths, current.worries) == (strengths, worries):
            return current
        if current.about_version != expected_version:
            raise EditConflict(current, version=current.about_version)
        current.strengths, current.worries = strengths, worries
        current.about_version += 1
        current.revision += 1
        current.save(
            update_fields=["strengths", "worries", "about_version", "revision", "updated_at"]
        )
    return current


def private_worry_save(
    *, plan: Plan, actor: User, text: str, expected_version: int
) -> PrivateWorry:
    """Save what one adult is worried about for only them and their key worker to read.

    It is theirs alone: no one else writes it, and it is no part of the family's agreed
    words (the plan's revision stays)."""
    plan_acc = _access(actor, plan)
    _require(plan_acc.can_draft)
    keeper = _own_row(actor, plan_acc)
    text = _text(text, field="my_worries", max_length=SECTION_MAX)
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()
        current = PrivateWorry.objects.filter(plan=plan, member=keeper).first()
        if current is None:
            if not text:
                return PrivateWorry(plan=plan, member=keeper)
            # Not written yet is version 1, as the form starts.
            return PrivateWorry.objects.create(plan=plan, member=keeper, text=text, version=2)
        if current.text == text:
            return current
        if current.version != expected_version:
            raise EditConflict(current, version=current.version)
        current.text = text
        current.version += 1
        current.save(update_fields=["text", "version", "updated_at"])
    return current


def plan_signatories_set(*, plan: Plan, actor: User, members: Iterable[FamilyMember]) -> Plan:
    """Choose which adults in the family agree the plan."""
    _require(_access(actor, plan).can_draft)
    members = list(members)
    if not members:
        raise ValidationError({"signatories": _("Choose at least one person to agree the plan")})
    for member in members:
        if member.family_id != plan.family_id or not member.user_id:
            raise ValidationError(
                {"signatories": _("Choose people in your family who use this site")}
            )
    with transaction.atomic():
        plan.signatories.set(members)
    return plan


# Goals ----------------------------------------------------------------------------------


def _goal_fields(title: str, details: str, how_we_know: str) -> dict[str, str]:
    return {
        "title": _text(
            title, field="title", max_length=TITLE_MAX, required=_("Enter what you want to change")
        ),
        "details": _text(details, field="details", max_length=TEXT_MAX),
        "how_we_know": _text(how_we_know, field="how_we_know", max_length=TEXT_MAX),
    }


def _resolve_suggestion(
    suggestion: Suggestion | None, *, actor: User, text: str, plan: Plan
) -> None:
    if suggestion is None:
        return
    if suggestion.plan_id != plan.pk or suggestion.status != Suggestion.Status.OPEN:
        raise ValidationError(_("This suggestion has already been answered"))
    suggestion.status = (
        Suggestion.Status.ACCEPTED
        if text.strip() == suggestion.text.strip()
        else Suggestion.Status.REWRITTEN
    )
    suggestion.resolved_by = actor
    suggestion.resolved_at = timezone.now()
    suggestion.save(update_fields=["status", "resolved_by", "resolved_at"])


def goal_create(
    *,
    plan: Plan,
    actor: User,
    title: str,
    details: str = "",
    how_we_know: str = "",
    outcome_areas: Iterable[OutcomeArea] | None = None,
    suggestion: Suggestion | None = None,
    draft_key: str = "",
    private: bool = False,
) -> Goal:
    """Add a goal in the family's words (perhaps from a key worker's suggestion).

    ``draft_key`` comes from the form: a second create from the same form (an autosave
    crossing a submit) returns the goal already made, or raises EditConflict if the
    words differ, so nothing is duplicated and nothing is overwritten. A ``private`` goal
    is the writer's and their key worker's only, and not part of the family's agreed words
    (the plan's revision stays).
    """
    plan_acc = _access(actor, plan)
    _require(plan_acc.can_draft and (suggestion is None or plan_acc.sees_kept(suggestion)))
    keeper = _keeper(actor, plan_acc, private)
    fields = _goal_fields(title, details, how_we_know)
    areas = _active_outcomes(outcome_areas)
    draft_key = (draft_key or "")[:40]
    try:
        with transaction.atomic():
            Plan.objects.select_for_update().filter(pk=plan.pk).first()
            existing = _same_draft(plan.goals, draft_key, fields)
            if existing is not None:
                return existing
            _resolve_suggestion(suggestion, actor=actor, text=fields["title"], plan=plan)
            order = (plan.goals.aggregate(m=Max("order"))["m"] or 0) + 1
            goal = Goal.objects.create(
                plan=plan,
                order=order,
                created_by=actor,
                updated_by=actor,
                draft_key=draft_key,
                private_to=keeper,
                **fields,
            )
            goal.outcome_areas.set(areas)
            if keeper is None:
                _bump_revision(plan)
    except IntegrityError:
        existing = _same_draft(plan.goals, draft_key, fields)
        if existing is None:
            raise
        return existing
    return goal


def _same_draft(records: Manager[Record], draft_key: str, fields: dict[str, Any]) -> Record | None:
    """The record an earlier save from the same form made, if any."""
    if not draft_key:
        return None
    existing = records.filter(draft_key=draft_key).first()
    if existing is None:
        return None
    if any(getattr(existing, k) != v for k, v in fields.items()):
        raise EditConflict(existing, version=existing.version)
    return existing


def goal_update(
    *,
    goal: Goal,
    actor: User,
    expected_version: int,
    title: str,
    details: str = "",
    how_we_know: str = "",
    outcome_areas: Iterable[OutcomeArea] | None = None,
    private: bool | None = None,
) -> Goal:
    """Change a goal's words, and with ``private`` who sees it (None leaves that as it
    is). Raises EditConflict if someone saved it since ``expected_version``.

    Only the adult keeping a goal private makes it the family's; only the adult who wrote
    a family goal makes it private, and not once someone else has written on it.
    """
    plan_acc = _access(actor, goal.plan)
    _require(plan_acc.can_draft and plan_acc.sees_goal(goal))
    fields = _goal_fields(title, details, how_we_know)
    areas = _active_outcomes(outcome_areas)
    with transaction.atomic():
        current = Goal.objects.select_for_update().get(pk=goal.pk)
        if current.archived_at is not None:
            raise ValidationError(_("This goal has been taken off the plan"))
        was_private = current.private_to_id is not None
        if private is None or private == was_private:
            keeper = current.private_to
        elif private:
            _require(plan_acc.may_keep_private(current))
            if _holds_others_words(current, actor):
                raise ValidationError(
                    {
                        "private": _(
                            "Someone else has written on this goal, so it stays "
                            "with the whole family"
                        )
                    }
                )
            keeper = _own_row(actor, plan_acc)
        else:
            _require(plan_acc.keeps(current))
            keeper = None
        same_areas = {a.pk for a in areas} == set(
            current.outcome_areas.values_list("pk", flat=True)
        )
        same_keeper = current.private_to_id == (keeper.pk if keeper else None)
        if same_keeper and same_areas and all(getattr(current, k) == v for k, v in fields.items()):
            return current
        if current.version != expected_version:
            raise EditConflict(current, version=current.version)
        for key, value in fields.items():
            setattr(current, key, value)
        current.private_to = keeper
        current.version += 1
        current.updated_by = actor
        current.save()
        current.outcome_areas.set(areas)
        # The family's words change only if the goal was, or now is, the family's.
        if not was_private or keeper is None:
            _bump_revision(current.plan)
    return current


def goal_remove(*, goal: Goal, actor: User) -> Goal:
    """Take a goal off the plan. It stays in earlier versions."""
    plan_acc = _access(actor, goal.plan)
    _require(plan_acc.can_draft and plan_acc.sees_goal(goal))
    with transaction.atomic():
        goal.archived_at = timezone.now()
        goal.updated_by = actor
        goal.save(update_fields=["archived_at", "updated_by", "updated_at"])
        if goal.private_to_id is None:
            _bump_revision(goal.plan)
    return goal


# Steps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepOwner:
    who: str
    member: FamilyMember | None = None
    practitioner: FamilyPractitioner | None = None
    other_people: str = ""


def _step_fields(
    *,
    plan: Plan,
    text: str,
    owner: StepOwner,
    due_date: dt.date | None,
    previous_due: dt.date | None = None,
) -> dict[str, Any]:
    text = _text(text, field="text", max_length=STEP_MAX, required=_("Enter what will happen"))
    if owner.who not in Who.values:
        raise ValidationError({"who": _("Choose who will do this from the list")})
    member = practitioner = None
    other = ""
    if owner.who == Who.MEMBER:
        if owner.member is None or owner.member.family_id != plan.family_id:
            raise ValidationError({"who": _("Choose someone who is on the plan")})
        member = owner.member
    elif owner.who == Who.PARTNER:
        if owner.practitioner is None or owner.practitioner.family_id != plan.family_id:
            raise ValidationError({"who": _("Choose someone who is on the plan")})
        practitioner = owner.practitioner
    elif owner.who == Who.OTHER:
        other = _text(
            owner.other_people,
            field="other_people",
            max_length=120,
            required=_("Say who the other people are, for example 'parents on our route'"),
        )
    if due_date and due_date < timezone.localdate() and due_date != previous_due:
        raise ValidationError({"due_date": _("The date must be today or in the future")})
    return {
        "text": text,
        "who": owner.who,
        "member": member,
        "practitioner": practitioner,
        "other_people": other,
        "due_date": due_date,
    }


def step_create(
    *,
    goal: Goal,
    actor: User,
    text: str,
    owner: StepOwner,
    due_date: dt.date | None = None,
    template: InterventionTemplate | None = None,
    suggestion: Suggestion | None = None,
    draft_key: str = "",
    private: bool = False,
) -> Step:
    """Add a step to a goal, in the family's words. ``draft_key`` and ``private`` work as
    in goal_create; a step on a private goal is private with it."""
    plan_acc = _access(actor, goal.plan)
    _require(plan_acc.can_draft and plan_acc.sees_goal(goal))
    _require(suggestion is None or plan_acc.sees_kept(suggestion))
    keeper = _keeper(actor, plan_acc, private and goal.private_to_id is None)
    if goal.archived_at is not None:
        raise ValidationError(_("This goal has been taken off the plan"))
    fields = _step_fields(plan=goal.plan, text=text, owner=owner, due_date=due_date)
    draft_key = (draft_key or "")[:40]
    try:
        with transaction.atomic():
            Goal.objects.select_for_update().filter(pk=goal.pk).first()
            existing = _same_draft(goal.steps, draft_key, fields)
            if existing is not None:
                return existing
            if suggestion is not None and suggestion.goal_id != goal.pk:
                raise ValidationError(_("This suggestion is for a different goal"))
            _resolve_suggestion(suggestion, actor=actor, text=fields["text"], plan=goal.plan)
            order = (goal.steps.aggregate(m=Max("order"))["m"] or 0) + 1
            step = Step.objects.create(
                goal=goal,
                order=order,
                created_by=actor,
                template=template or (suggestion.template if suggestion else None),
                draft_key=draft_key,
                private_to=keeper,
                **fields,
            )
            if keeper is None and goal.private_to_id is None:
                _bump_revision(goal.plan)
    except IntegrityError:
        existing = _same_draft(goal.steps, draft_key, fields)
        if existing is None:
            raise
        return existing
    return step


def step_update(
    *,
    step: Step,
    actor: User,
    expected_version: int,
    text: str,
    owner: StepOwner,
    due_date: dt.date | None = None,
    private: bool | None = None,
) -> Step:
    """Change a step, and with ``private`` who sees it, as goal_update does. Raises
    EditConflict if someone saved it since ``expected_version``."""
    plan = step.goal.plan
    plan_acc = _access(actor, plan)
    _require(plan_acc.can_draft and plan_acc.sees_goal(step.goal) and plan_acc.sees_step(step))
    if step.goal.private_to_id is not None:
        private = None  # private with its goal, whatever the form says
    with transaction.atomic():
        current = Step.objects.select_for_update().get(pk=step.pk)
        fields = _step_fields(
            plan=plan, text=text, owner=owner, due_date=due_date, previous_due=current.due_date
        )
        was_private = current.private_to_id is not None
        if private is None or private == was_private:
            keeper = current.private_to
        elif private:
            _require(plan_acc.may_keep_private(current))
            keeper = _own_row(actor, plan_acc)
        else:
            _require(plan_acc.keeps(current))
            keeper = None
        same_keeper = current.private_to_id == (keeper.pk if keeper else None)
        if same_keeper and all(getattr(current, k) == v for k, v in fields.items()):
            return current
        if current.version != expected_version:
            raise EditConflict(current, version=current.version)
        for key, value in fields.items():
            setattr(current, key, value)
        current.private_to = keeper
        current.version += 1
        current.save()
        if step.goal.private_to_id is None and (not was_private or keeper is None):
            _bump_revision(plan)
    return current


def step_add_from_meeting(
    *,
    goal_id: int,
    actor: User,
    text: str,
    owner: StepOwner,
    due_date: dt.date | None = None,
) -> Step:
    """A key worker writes onto the plan an action the family agreed at a team meeting
    (casework's). Only to a goal of the whole family: a private goal is its adult's alone,
    and a meeting of the team is no place for it."""
    goal = (
        Goal.objects.select_related("plan", "plan__family", "plan__family__lead_key_worker")
        .filter(pk=goal_id)
        .first()
    )
    if goal is None:
        raise ValidationError({"goal": _("Choose a goal from the family's plan")})
    plan_acc = _access(actor, goal.plan)
    _require(plan_acc.can_suggest)
    if goal.private_to_id is not None or goal.archived_at is not None:
        raise ValidationError({"goal": _("Choose a goal from the family's plan")})
    fields = _step_fields(plan=goal.plan, text=text, owner=owner, due_date=due_date)
    with transaction.atomic():
        Goal.objects.select_for_update().filter(pk=goal.pk).first()
        order = (goal.steps.aggregate(m=Max("order"))["m"] or 0) + 1
        step = Step.objects.create(goal=goal, order=order, created_by=actor, **fields)
        _bump_revision(goal.plan)
        _audit(actor, plan_acc, AuditEvent.Action.CREATE, step)
    return step


def step_done_set(*, step: Step, actor: User, done: bool) -> Step:
    """Tick a step off (or untick it). Progress, not words: the plan stays agreed.

    The family and its key worker tick any step; a partner only a step that is theirs,
    on a goal shared with them, and the family hears of it."""
    plan_acc = _access(actor, step.goal.plan)
    _require(plan_acc.sees_goal(step.goal) and plan_acc.sees_step(step) and plan_acc.may_tick(step))
    with transaction.atomic():
        step.done_at = timezone.now() if done else None
        step.done_by = actor if done else None
        step.done_by_agency = plan_acc.agency_name if done else ""
        step.save(update_fields=["done_at", "done_by", "done_by_agency", "updated_at"])
        _audit(actor, plan_acc, AuditEvent.Action.UPDATE, step)
        if done and plan_acc.is_partner:
            notify_users(
                recipients=[
                    person
                    for person in _family_people(step.goal.plan)
                    if access.can_see_step(person, step)
                ],
                verb=_("Someone on the team ticked off a step on a family plan"),
                actor=actor,
                target=step.goal.plan,
                url=_plan_url(step.goal.plan),
                family=step.goal.plan.family,
            )
    return step


# Suggestions and comments ----------------------------------------------------------------


def suggestion_create(
    *,
    plan: Plan,
    actor: User,
    kind: str,
    text: str,
    goal: Goal | None = None,
    template: InterventionTemplate | None = None,
    private_to: FamilyMember | None = None,
) -> Suggestion:
    """A key worker suggests a goal or a step, or a partner a step for a goal shared with
    them. It never changes the plan by itself: the family accepts, rewrites or declines it.

    ``private_to``: for that adult alone, as if they kept it private; a step for a private
    goal is for its adult alone whatever is asked (a partner chooses no one)."""
    plan_acc = _access(actor, plan)
    if not plan_acc.can_suggest:
        _require(
            plan_acc.can_suggest_steps
            and kind == Suggestion.Kind.STEP
            and goal is not None
            and goal.plan_id == plan.pk
            and private_to is None
            and plan_acc.sees_goal(goal)
        )
    text = _text(text, field="text", max_length=STEP_MAX, required=_("Enter your suggestion"))
    if kind not in Suggestion.Kind.values:
        raise ValidationError({"kind": _("Choose whether you are suggesting a goal or a step")})
    if kind == Suggestion.Kind.STEP and (
        goal is None or goal.plan_id != plan.pk or goal.archived_at is not None
    ):
        raise ValidationError({"goal": _("Choose the goal this step is for")})
    if kind == Suggestion.Kind.STEP and goal is not None and goal.private_to_id is not None:
        private_to = goal.private_to
    if private_to is not None and (
        private_to.family_id != plan.family_id
        or private_to.user_id is None
        or private_to.relationship == FamilyMember.Relationship.CHILD
    ):
        raise ValidationError({"for_whom": _("Choose an adult in the family who uses this site")})
    with transaction.atomic():
        suggestion = Suggestion.objects.create(
            plan=plan,
            goal=goal if kind == Suggestion.Kind.STEP else None,
            kind=kind,
            text=text,
            template=template,
            author=actor,
            author_agency=plan_acc.agency_name,
            private_to=private_to,
        )
        _audit(actor, plan_acc, AuditEvent.Action.CREATE, suggestion)
        members = [m.user for m in plan.family.members.select_related("user") if m.user is not None]
        if private_to is not None:
            # For that adult alone: no one else is told.
            members = [m for m in members if m.pk == private_to.user_id]
        notify_users(
            recipients=members,
            # Plain words that say nothing of who or what on a lock screen.
            verb=_("Someone on your team suggested a step for your plan")
            if plan_acc.is_partner
            else _("Your key worker made a suggestion for your plan"),
            actor=actor,
            target=plan,
            url=reverse("plans:plan"),
            family=plan.family,
        )
    return suggestion


def suggestion_accept_goal(*, suggestion: Suggestion, actor: User) -> Goal:
    """The family adds a suggested goal as it was written."""
    if suggestion.kind != Suggestion.Kind.GOAL:
        raise ValidationError(_("Add a suggested step by choosing who will do it"))
    return goal_create(
        plan=suggestion.plan,
        actor=actor,
        title=suggestion.text,
        suggestion=suggestion,
        private=suggestion.private_to_id is not None,
    )


def suggestion_decline(*, suggestion: Suggestion, actor: User) -> Suggestion:
    """The family says a suggestion is not for them."""
    plan_acc = _access(actor, suggestion.plan)
    _require(plan_acc.can_draft and plan_acc.sees_kept(suggestion))
    with transaction.atomic():
        current = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if current.status != Suggestion.Status.OPEN:
            raise ValidationError(_("This suggestion has already been answered"))
        current.status = Suggestion.Status.DECLINED
        current.resolved_by = actor
        current.resolved_at = timezone.now()
        current.save(update_fields=["status", "resolved_by", "resolved_at"])
    return current


def comment_add(
    *,
    plan: Plan,
    actor: User,
    text: str,
    goal: Goal | None = None,
    kind: str = Comment.Kind.COMMENT,
) -> Comment:
    """Comment on the plan or one goal, or (a partner, on a goal shared with them) post an
    update on what they did. Only people who can see the goal hear about it."""
    plan_acc = _access(actor, plan)
    if goal is None:
        _require(plan_acc.sees_everything)
    else:
        _require(goal.plan_id == plan.pk and plan_acc.sees_goal(goal))
    if kind == Comment.Kind.UPDATE:
        _require(goal is not None and plan_acc.can_post_updates)
    elif kind != Comment.Kind.COMMENT:
        raise ValidationError(_("Choose a comment or an update"))
    required = _("Enter your update") if kind == Comment.Kind.UPDATE else _("Enter your comment")
    text = _text(text, field="text", max_length=TEXT_MAX, required=required)
    with transaction.atomic():
        comment = Comment.objects.create(
            plan=plan,
            goal=goal,
            author=actor,
            author_agency=plan_acc.agency_name,
            kind=kind,
            text=text,
        )
        _audit(actor, plan_acc, AuditEvent.Action.CREATE, comment)
        candidates = _family_people(plan)
        if goal is not None:
            candidates += [
                share.practitioner.user
                for share in goal.shares.filter(
                    withdrawn_at__isnull=True, audience=GoalShare.Audience.PARTNER
                ).select_related("practitioner__user")
                if share.practitioner is not None
            ]
            candidates = [person for person in candidates if access.can_see_goal(person, goal)]
        notify_users(
            recipients=candidates,
            verb=_("Someone on the team posted an update on a family plan")
            if kind == Comment.Kind.UPDATE
            else _("There is a new comment on a family plan"),
            actor=actor,
            target=plan,
            url=_plan_url(plan),
            family=plan.family,
        )
    return comment


# Sharing by consent -----------------------------------------------------------------------

ShareKey = tuple[int, str, int | None]  # (goal id, audience, practitioner id or None)


def plan_sharing_set(*, plan: Plan, actor: User, wanted: Iterable[ShareKey]) -> tuple[int, int]:
    """Record what the family agrees to share; withdraw what they no longer share.

    Returns (granted, withdrawn) counts. Only the family decides, each adult for the goals
    that are theirs to decide about (``PlanAccess.may_share``); others' stay as they are.
    """
    plan_acc = _access(actor, plan)
    _require(plan_acc.can_draft)
    wanted = set(wanted)
    adults = access.household_adults(plan.family)
    goal_ids = {
        goal.pk
        for goal in plan.goals.filter(plan_acc.private_filter(), archived_at__isnull=True).only(
            "pk", "private_to", "created_by"
        )
        if plan_acc.may_share(goal, adults)
    }
    practitioner_ids = set(plan.family.practitioners.values_list("pk", flat=True))
    for goal_id, audience, practitioner_id in wanted:
        if goal_id not in goal_ids:
            raise ValidationError(_("Choose goals from your plan"))
        if audience == GoalShare.Audience.PARTNER and practitioner_id not in practitioner_ids:
            raise ValidationError(_("Choose people who are named on your plan"))
        if audience == GoalShare.Audience.MENTOR and practitioner_id is not None:
            raise ValidationError(_("Choose people who are named on your plan"))
        if audience not in GoalShare.Audience.values:
            raise ValidationError(_("Choose people who are named on your plan"))
    now = timezone.now()
    with transaction.atomic():
        live = {
            (s.goal_id, s.audience, s.practitioner_id): s
            for s in GoalShare.objects.select_for_update().filter(
                goal__plan=plan, goal_id__in=goal_ids, withdrawn_at__isnull=True
            )
        }
        withdrawn = [s.pk for key, s in live.items() if key not in wanted]
        GoalShare.objects.filter(pk__in=withdrawn).update(withdrawn_at=now, withdrawn_by=actor)
        new = [
            GoalShare(
                goal_id=goal_id,
                audience=audience,
                practitioner_id=practitioner_id,
                granted_by=actor,
                granted_at=now,
            )
            for goal_id, audience, practitioner_id in wanted - set(live)
        ]
        GoalShare.objects.bulk_create(new)
    return len(new), len(withdrawn)


# Agreement and versions -----------------------------------------------------------------


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """The family's words as they stand, for a version: what an adult keeps private is
    no part of what the family agrees (staff read it on the live plan)."""
    steps = Step.objects.filter(private_to__isnull=True).select_related(
        "member", "practitioner__user", "practitioner__agency"
    )
    goals = (
        plan.goals.filter(archived_at__isnull=True, private_to__isnull=True)
        .prefetch_related("outcome_areas", Prefetch("steps", queryset=steps))
        .order_by("order", "id")
    )
    return {
        "strengths": plan.strengths,
        "worries": plan.worries,
        "goals": [
            {
                "id": goal.pk,
                "title": goal.title,
                "details": goal.details,
                "how_we_know": goal.how_we_know,
                "outcome_areas": [area.name for area in goal.outcome_areas.all()],
                "steps": [
                    {
                        "text": step.text,
                        "who": step.who_label,
                        "due": step.due_date.strftime("%d/%m/%Y") if step.due_date else "",
                    }
                    for step in goal.steps.all()
                ],
            }
            for goal in goals
        ],
    }


def required_agreers(plan: Plan) -> list[User]:
    """The people whose confirmation makes the plan agreed."""
    people = [m.user for m in plan.signatories.select_related("user") if m.user is not None]
    if plan.family.lead_key_worker is not None:
        people.append(plan.family.lead_key_worker)
    return people


def _refuse_while_needs_uncovered(actor: User, plan_acc: access.PlanAccess) -> None:
    """Every need the assessment found must be met by a goal before the plan is agreed
    (``registry.plan_needs``); the refusal names only the needs the person may see."""
    if not registry.plan_needs(plan_acc.family, None).any_uncovered:
        return
    looker = None if plan_acc.sees_private else core.membership(actor)
    seen = registry.plan_needs(plan_acc.family, looker).uncovered
    if not seen:
        raise ValidationError(
            _(
                "The plan can be agreed once your key worker has linked every need from "
                "the assessment to a goal"
            )
        )
    raise ValidationError(
        _(
            "The plan can be agreed once every need from the assessment is met by a goal. "
            "No goal meets these yet: %(needs)s"
        )
        % {"needs": "; ".join(seen)}
    )


def plan_confirm(*, plan: Plan, actor: User, revision: int) -> PlanVersion | None:
    """Confirm the plan as read at ``revision``. The last confirmation saves a version."""
    plan_acc = _access(actor, plan)
    agreers = required_agreers(plan)
    _require(any(person.pk == actor.pk for person in agreers))
    if not plan.family.lead_key_worker_id:
        raise ValidationError(_("The plan can be agreed once the family has a key worker"))
    with transaction.atomic():
        current = Plan.objects.select_for_update().get(pk=plan.pk)
        if current.revision != revision:
            raise ValidationError(
                _("The plan changed after you opened it. Read it again, then agree it")
            )
        if not current.goals.filter(archived_at__isnull=True, private_to__isnull=True).exists():
            raise ValidationError(_("Add at least one goal before agreeing the plan"))
        _refuse_while_needs_uncovered(actor, plan_acc)
        PlanConfirmation.objects.get_or_create(
            plan=current, user=actor, revision=revision, defaults={"confirmed_at": timezone.now()}
        )
        _audit(actor, plan_acc, AuditEvent.Action.UPDATE, current)
        confirmed = set(
            current.confirmations.filter(revision=revision).values_list("user_id", flat=True)
        )
        if not all(person.pk in confirmed for person in agreers):
            return None
        number = (current.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        version = PlanVersion.objects.create(
            plan=current,
            number=number,
            snapshot=plan_snapshot(current),
            agreed_by=", ".join(person.display_name for person in agreers)[:400],
            created_at=timezone.now(),
        )
        current.agreed_revision = revision
        current.agreed_at = version.created_at
        current.save(update_fields=["agreed_revision", "agreed_at", "updated_at"])
        notify_users(
            recipients=agreers,
            verb=_("Everyone has agreed the family plan"),
            actor=actor,
            target=current,
            url=_plan_url(current),
            family=current.family,
        )
    plan.refresh_from_db()
    return version


# Reviews ----------------------------------------------------------------------------------


def review_schedule(*, plan: Plan, actor: User, date: dt.date) -> Review:
    """Set the next review date (agreed with the key worker). A reminder goes the day before."""
    plan_acc = _access(actor, plan)
    _require(plan_acc.can_suggest or plan_acc.can_draft)
    if date is None or date < timezone.localdate():
        raise ValidationError({"date": _("The review date must be today or in the future")})
    with transaction.atomic():
        review = (
            Review.objects.select_for_update()
            .filter(plan=plan, status=Review.Status.SCHEDULED)
            .first()
        )
        if review is None:
            review = Review.objects.create(plan=plan, date=date, created_by=actor)
        elif review.date != date:
            review.date = date
            review.reminder_sent_at = None
            review.save(update_fields=["date", "reminder_sent_at"])
        _audit(actor, plan_acc, AuditEvent.Action.UPDATE, review)
        from .tasks import schedule_review_reminder

        transaction.on_commit(lambda: schedule_review_reminder(review))
    return review


def review_reminder_send(*, review_id: int, date: str) -> bool:
    """Remind the family and key worker of a review, once, if it is still on that date."""
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("plan__family__lead_key_worker")
            .filter(pk=review_id)
            .first()
        )
        if (
            review is None
            or review.status != Review.Status.SCHEDULED
            or review.date.isoformat() != date
            or review.reminder_sent_at is not None
        ):
            return False
        review.reminder_sent_at = timezone.now()
        review.save(update_fields=["reminder_sent_at"])
        notify_users(
            recipients=_family_people(review.plan),
            verb=_("A plan review is coming up on %(date)s") % {"date": f"{review.date:%d/%m/%Y}"},
            target=review.plan,
            url=_plan_url(review.plan),
            family=review.plan.family,
        )
    return True


@dataclass(frozen=True)
class RatingInput:
    goal: Goal
    score: int | None
    note: str = ""


def review_record(
    *, review: Review, actor: User, ratings: Iterable[RatingInput], by: str = GoalRating.By.FAMILY
) -> Review:
    """Record ratings (1 to 10) for a review. The family's ratings mark the review done.

    A partner rates only the goals shared with them, each their own rating beside the
    family's and the key worker's, at a review still open (``review_is_open``)."""
    plan_acc = _access(actor, review.plan)
    if by == GoalRating.By.FAMILY:
        _require(plan_acc.can_draft)
    elif by == GoalRating.By.KEY_WORKER:
        _require(plan_acc.can_suggest)
    elif by == GoalRating.By.PARTNER:
        _require(plan_acc.can_rate_as_partner)
        if not review_is_open(review):
            raise ValidationError(_("This review has finished. You can rate at the next one"))
    else:
        raise ValidationError(_("Choose who is rating"))
    ratings = list(ratings)
    goal_ids = set(
        # Every goal the person sees (``goal_filter`` leaves out others' private ones).
        review.plan.goals.filter(plan_acc.goal_filter(), archived_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    errors = {}
    for rating in ratings:
        if rating.goal.pk not in goal_ids:
            raise ValidationError(_("Rate the goals on this plan"))
        if rating.score is None and by == GoalRating.By.FAMILY:
            errors[f"score_{rating.goal.pk}"] = _("Choose a number from 1 to 10")
        elif rating.score is not None and not 1 <= rating.score <= 10:
            errors[f"score_{rating.goal.pk}"] = _("The rating must be a number from 1 to 10")
        if len(rating.note or "") > TEXT_MAX:
            errors[f"note_{rating.goal.pk}"] = _("The note must be %(max)d characters or fewer") % {
                "max": TEXT_MAX
            }
    if by == GoalRating.By.FAMILY and {r.goal.pk for r in ratings} != goal_ids:
        errors.setdefault("__all__", _("Rate every goal on the plan"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for rating in ratings:
            if rating.score is None:
                continue
            # A partner's rating is their own; the family's and the key worker's one each.
            rater: dict[str, Any] = {"rated_by": actor} if by == GoalRating.By.PARTNER else {}
            GoalRating.objects.update_or_create(
                defaults={
                    "score": rating.score,
                    "note": (rating.note or "").strip(),
                    "rated_by": actor,
                    "rated_by_agency": plan_acc.agency_name,
                },
                review=review,
                goal=rating.goal,
                by=by,
                **rater,
            )
        if by == GoalRating.By.FAMILY and review.status != Review.Status.DONE:
            review.status = Review.Status.DONE
            review.save(update_fields=["status"])
        _audit(actor, plan_acc, AuditEvent.Action.UPDATE, review)
    return review


def review_start_today(*, plan: Plan, actor: User) -> Review:
    """The review to rate now.

    The family rates the review coming up (or a new one dated today); the key worker adds
    their rating to the latest review already due, so both ratings sit on the same date.
    """
    plan_acc = _access(actor, plan)
    _require(plan_acc.sees_everything or plan_acc.can_rate_as_partner)
    today = timezone.localdate()
    with transaction.atomic():
        review = None
        if not plan_acc.can_draft:
            review = plan.reviews.filter(date__lte=today).order_by("-date", "-id").first()
        if review is None and plan_acc.can_rate_as_partner:
            # Partners add to a review; only the family and key worker begin one.
            review = (
                Review.objects.filter(plan=plan, status=Review.Status.SCHEDULED)
                .order_by("date")
                .first()
            )
            if review is None:
                raise ValidationError(
                    _("There is no review yet. You can rate once the family has one")
                )
        if review is None:
            review = (
                Review.objects.filter(plan=plan, status=Review.Status.SCHEDULED)
                .order_by("date")
                .first()
            )
        if review is None:
            review = Review.objects.create(plan=plan, date=today, created_by=actor)
    return review


def review_is_open(review: Review) -> bool:
    """Whether partners may still add their ratings: the review coming up, or the plan's
    latest review already due (as the key worker adds theirs), until the next one."""
    today = timezone.localdate()
    if review.status == Review.Status.SCHEDULED:
        return True
    latest = (
        Review.objects.filter(plan_id=review.plan_id, date__lte=today)
        .order_by("-date", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    return latest == review.pk


# The library and the lists managers keep -------------------------------------------------------


def _require_manager(actor: User) -> None:
    _require(core.is_manager(actor))


def _directory_ids(service_ids: Iterable[int]) -> list[int]:
    """The ids of published local services among ``service_ids``, in the order given."""
    from content import selectors as directory

    wanted = list(dict.fromkeys(int(pk) for pk in service_ids))
    found = {service.pk for service in directory.services_by_ids(ids=wanted)}
    if set(wanted) - found:
        raise ValidationError({"services": _("Choose services from the directory")})
    return wanted


def template_save(
    *,
    actor: User,
    title: str,
    summary: str,
    step_text: str,
    who: str,
    provider: str = "",
    outcome_areas: Iterable[OutcomeArea] = (),
    service_ids: Iterable[int] = (),
    template: InterventionTemplate | None = None,
) -> InterventionTemplate:
    """Propose an idea for the library, or change one.

    Any key worker, or partner on a family's team, proposes an idea for their agency (a
    partner's from their team membership; a key worker's is the service's own) and a
    manager approves it (``template_review``); a manager's own idea is in the library at
    once. Managers change any idea; the person who proposed one changes it until it is
    reviewed."""
    lib = access.library_access(actor)
    _require(lib.may_propose)
    if template is not None:
        _require(
            lib.is_manager
            or (
                template.created_by_id == actor.pk
                and template.status == InterventionTemplate.Status.PROPOSED
            )
        )
    if who not in Who.values:
        raise ValidationError({"who": _("Choose who usually does this")})
    fields = {
        "title": _text(title, field="title", max_length=120, required=_("Enter a name")),
        "summary": _text(summary, field="summary", max_length=1000, required=_("Say what it is")),
        "step_text": _text(
            step_text, field="step_text", max_length=STEP_MAX, required=_("Enter a step")
        ),
        "who": who,
        "provider": _text(provider, field="provider", max_length=120),
        "service_ids": _directory_ids(service_ids),
    }
    areas = _active_outcomes(outcome_areas)
    with transaction.atomic():
        if template is None:
            approved = lib.is_manager
            template = InterventionTemplate.objects.create(
                created_by=actor,
                agency=lib.team_member.agency if lib.team_member is not None else None,
                status=InterventionTemplate.Status.APPROVED
                if approved
                else InterventionTemplate.Status.PROPOSED,
                reviewed_by=actor if approved else None,
                reviewed_at=timezone.now() if approved else None,
                **fields,
            )
        else:
            for key, value in fields.items():
                setattr(template, key, value)
            template.save()
        template.outcome_areas.set(areas)
    return template


class TemplateDecision:
    APPROVE = "approve"
    RETIRE = "retire"


def template_review(
    *, template: InterventionTemplate, actor: User, decision: str, reason: str = ""
) -> InterventionTemplate:
    """A manager approves an idea into the library (a reason is optional) or retires it
    (a reason is required); a retired idea may be approved again. Audited."""
    _require_manager(actor)
    reason = _text(reason, field="reason", max_length=TEXT_MAX)
    if decision == TemplateDecision.APPROVE:
        status = InterventionTemplate.Status.APPROVED
    elif decision == TemplateDecision.RETIRE:
        status = InterventionTemplate.Status.RETIRED
        if not reason:
            raise ValidationError({"reason": _("Say why the idea is being retired")})
    else:
        raise ValidationError({"decision": _("Choose whether to approve or retire the idea")})
    with transaction.atomic():
        current = InterventionTemplate.objects.select_for_update().get(pk=template.pk)
        if current.status == status:
            raise ValidationError(
                {
                    "decision": _("The idea is already in the library")
                    if status == InterventionTemplate.Status.APPROVED
                    else _("The idea has already been retired")
                }
            )
        current.status = status
        current.review_reason = reason
        current.reviewed_by = actor
        current.reviewed_at = timezone.now()
        current.save(
            update_fields=["status", "review_reason", "reviewed_by", "reviewed_at", "updated_at"]
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            family=None,
            record=current,
            reason=f"{current.get_status_display()}: {reason}" if reason else "",
        )
    return current


def outcome_area_save(
    *,
    actor: User,
    slug: str,
    name: str,
    description: str = "",
    order: int = 0,
    active: bool = True,
    area: OutcomeArea | None = None,
) -> OutcomeArea:
    """Managers keep the list of outcome areas. Slugs never change once made."""
    _require_manager(actor)
    name = _text(name, field="name", max_length=120, required=_("Enter a name"))
    with transaction.atomic():
        if area is None:
            if OutcomeArea.objects.filter(slug=slug).exists():
                raise ValidationError({"slug": _("An outcome area already uses this short name")})
            area = OutcomeArea(slug=slug)
        area.name, area.description, area.order, area.active = name, description, order, active
        area.full_clean()
        area.save()
    return area


def jargon_term_save(
    *,
    actor: User,
    term: str,
    alternative: str,
    active: bool = True,
    jargon: JargonTerm | None = None,
) -> JargonTerm:
    """Managers keep the jargon list and its plainer words."""
    _require_manager(actor)
    term = _text(term, field="term", max_length=80, required=_("Enter the word or phrase"))
    alternative = _text(
        alternative, field="alternative", max_length=200, required=_("Enter plainer words")
    )
    clash = JargonTerm.objects.filter(term__iexact=term)
    if jargon is not None:
        clash = clash.exclude(pk=jargon.pk)
    if clash.exists():
        raise ValidationError({"term": _("This word is already on the list")})
    with transaction.atomic():
        jargon = jargon or JargonTerm()
        jargon.term, jargon.alternative, jargon.active = term, alternative, active
        jargon.save()
    return jargon
