"""Who may see and change which parts of a family plan.

Builds on :mod:`portal.access`. The family and its key worker (or staff who gave a
reason) see the whole plan. A matched peer mentor and named partner practitioners see
only the goals the family chose to share with them, and nothing else: not the strengths
and worries, not other goals, not comments on other goals. Missing and forbidden records
both raise ``Http404``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from portal import access as core
from portal.access import AnyUser, FamilyAccess, Relation
from portal.models import Family
from portal.prepared import prepared

from .models import Goal, GoalShare, Plan, Review, Step, Suggestion


@dataclass(frozen=True)
class PlanAccess:
    """What one person may do with one family's plan."""

    family_access: FamilyAccess
    user: AnyUser

    @property
    def family(self) -> Family:
        return self.family_access.family

    @property
    def relation(self) -> Relation:
        return self.family_access.relation

    @property
    def is_member(self) -> bool:
        return self.family_access.is_member

    @property
    def is_staff(self) -> bool:
        return self.family_access.is_staff

    @property
    def is_lead_key_worker(self) -> bool:
        return self.relation is Relation.LEAD_KEY_WORKER

    @property
    def can_draft(self) -> bool:
        """Write the plan's words: only the family does."""
        return self.is_member

    @property
    def can_suggest(self) -> bool:
        """Suggest goals and steps, schedule reviews, rate as a professional."""
        return self.family_access.can_manage

    @property
    def sees_everything(self) -> bool:
        return self.is_member or self.family_access.can_manage

    @property
    def can_tick_steps(self) -> bool:
        return self.sees_everything

    def goal_filter(self) -> Q:
        """A filter on ``Goal`` for the goals this person may see (current and archived)."""
        if self.sees_everything:
            return Q(plan__family=self.family)
        live = GoalShare.objects.filter(goal=OuterRef("pk"), withdrawn_at__isnull=True)
        if self.relation is Relation.MENTOR:
            return Q(plan__family=self.family) & Q(
                Exists(live.filter(audience=GoalShare.Audience.MENTOR))
            )
        if self.relation is Relation.PARTNER and self.user.is_authenticated:
            return Q(plan__family=self.family) & Q(
                Exists(
                    live.filter(audience=GoalShare.Audience.PARTNER, practitioner__user=self.user)
                )
            )
        return Q(pk__in=[])

    def sees_goal(self, goal: Goal) -> bool:
        if goal.plan.family_id != self.family.pk:
            return False
        if self.sees_everything:
            return True
        return Goal.objects.filter(self.goal_filter(), pk=goal.pk).exists()

    def visible_goal_ids(self, plan: Plan) -> set[int]:
        return set(Goal.objects.filter(self.goal_filter(), plan=plan).values_list("pk", flat=True))


def plan_access(
    user: AnyUser, family: Family, *, record: object | None = None, path: str = ""
) -> PlanAccess:
    """The person's access to ``family``'s plan; staff reads are audited by the core."""
    return PlanAccess(
        family_access=core.family_access(user, family, record=record, path=path), user=user
    )


def _family(family_id: int) -> Family:
    family = Family.objects.select_related("lead_key_worker").filter(pk=family_id).first()
    if family is None:
        raise Http404
    return family


@prepared(family_id=int)
def _family_plan(*, family_id: int) -> QuerySet[Plan]:
    """The family's one plan (every plan page asks, so compiled once: ``portal.prepared``)."""
    return Plan.objects.filter(family_id=family_id).order_by("pk")[:1]


def family_plan_for_user(
    user: AnyUser, family_id: int, *, path: str = ""
) -> tuple[Plan | None, PlanAccess]:
    """The family's plan (None if not started) and the user's access, or Http404."""
    family = _family(family_id)
    plan = _family_plan.first(family_id=family.pk)
    return plan, plan_access(user, family, record=plan or family, path=path)


def own_plan(user: AnyUser, *, path: str = "") -> tuple[Family, Plan | None, PlanAccess]:
    """The signed-in parent's family and plan; Http404 for anyone not in a family."""
    family = core.own_family(user)
    if family is None:
        raise Http404
    plan = _family_plan.first(family_id=family.pk)
    return family, plan, plan_access(user, family, record=plan or family, path=path)


def goal_for_user(user: AnyUser, goal_id: int, *, path: str = "") -> tuple[Goal, PlanAccess]:
    """A current goal the user may see, or Http404."""
    goal = (
        Goal.objects.select_related("plan__family__lead_key_worker")
        .filter(pk=goal_id, archived_at__isnull=True)
        .first()
    )
    if goal is None:
        raise Http404
    plan_acc = plan_access(user, goal.plan.family, record=goal, path=path)
    if (
        not plan_acc.sees_everything
        and not Goal.objects.filter(plan_acc.goal_filter(), pk=goal.pk).exists()
    ):
        raise Http404
    return goal, plan_acc


def step_for_user(user: AnyUser, step_id: int, *, path: str = "") -> tuple[Step, PlanAccess]:
    step = Step.objects.select_related("goal").filter(pk=step_id).first()
    if step is None:
        raise Http404
    goal, plan_acc = goal_for_user(user, step.goal_id, path=path)
    step.goal = goal
    return step, plan_acc


def suggestion_for_user(
    user: AnyUser, suggestion_id: int, *, path: str = ""
) -> tuple[Suggestion, PlanAccess]:
    """Suggestions are between the family and its key worker; others never see them."""
    suggestion = (
        Suggestion.objects.select_related("plan__family", "goal", "template", "author")
        .filter(pk=suggestion_id)
        .first()
    )
    if suggestion is None:
        raise Http404
    plan_acc = plan_access(user, suggestion.plan.family, record=suggestion, path=path)
    if not plan_acc.sees_everything:
        raise Http404
    if suggestion.goal is not None and suggestion.goal.archived_at is not None:
        raise Http404
    return suggestion, plan_acc


def review_for_user(user: AnyUser, review_id: int, *, path: str = "") -> tuple[Review, PlanAccess]:
    """Reviews cover every goal, so only the family and its key worker open them."""
    review = (
        Review.objects.select_related("plan__family__lead_key_worker").filter(pk=review_id).first()
    )
    if review is None:
        raise Http404
    plan_acc = plan_access(user, review.plan.family, record=review, path=path)
    if not plan_acc.sees_everything:
        raise Http404
    return review, plan_acc


def can_see_goal(user: AnyUser, goal: Goal) -> bool:
    """For notifications: may ``user`` see ``goal``? Never audits, never raises."""
    relation = core.relation_to_family(user, goal.plan.family)
    if relation is Relation.NONE:
        return False
    if relation in {Relation.MEMBER, Relation.LEAD_KEY_WORKER}:
        return True
    if relation is Relation.STAFF_WITH_REASON:
        return False  # they gave a reason to look once, not to hear about every change
    plan_acc = PlanAccess(
        family_access=FamilyAccess(family=goal.plan.family, relation=relation), user=user
    )
    return Goal.objects.filter(plan_acc.goal_filter(), pk=goal.pk).exists()
