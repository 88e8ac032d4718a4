"""Who may see and change which parts of a family plan.

Builds on :mod:`portal.access`. The family and its key worker (or staff who gave a
reason) see the whole plan. A matched peer mentor and named partner practitioners see
only the goals the family chose to share with them, and nothing else: not the strengths
and worries, not other goals, not comments on other goals. Missing and forbidden records
both raise ``Http404``.

An adult may keep a goal, a step or their own worries private (``private_to``): then only
they and the staff who manage the family (its key worker, or staff who gave a reason)
see it. The other adults of the household never see it, nor anything that counts it; a
mentor or partner sees a private goal only if its adult shared it, and never a private
step. Whoever a goal belongs to (the adult keeping it private, or the adult who wrote it
while they still live in the household) alone decides who else may see it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from portal import access as core
from portal import registry
from portal.access import AnyUser, FamilyAccess, Relation
from portal.models import Family, FamilyMember, FamilyPractitioner
from portal.prepared import prepared

from .models import Goal, GoalShare, InterventionTemplate, Plan, Review, Step, Suggestion, Who


class Keepable(Protocol):
    """A goal or a step: something an adult may keep private."""

    private_to_id: int | None


@dataclass(frozen=True)
class PlanAccess:
    """What one person may do with one family's plan."""

    family_access: FamilyAccess
    user: AnyUser
    # A partner's place on the family's team today (with its agency); None for anyone else.
    team_member: FamilyPractitioner | None = None
    # For the family's adults once its work has ended: the last day they may read the plan
    # (and change nothing). None while the service works with the family.
    readable_until: date | None = None

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
    def read_only(self) -> bool:
        """The family's work has ended: its adults read the plan but change nothing."""
        return self.is_member and self.readable_until is not None

    @property
    def can_draft(self) -> bool:
        """Write the plan's words: only the family does."""
        return self.is_member and not self.read_only

    @property
    def can_suggest(self) -> bool:
        """Suggest goals and steps, schedule reviews, rate as a professional."""
        return self.family_access.can_manage

    @property
    def sees_everything(self) -> bool:
        return self.is_member or self.family_access.can_manage

    @property
    def can_tick_steps(self) -> bool:
        """Tick off any step the person sees: the family and the staff who manage it."""
        return self.sees_everything and not self.read_only

    @property
    def is_partner(self) -> bool:
        """A practitioner on the family's team today, acting on the goals shared with them."""
        return self.relation is Relation.PARTNER and self.team_member is not None

    @property
    def can_suggest_steps(self) -> bool:
        """Suggest a step for a goal the person sees (the goal is checked on its own): the
        key worker for any goal, a partner for the goals shared with them."""
        return self.can_suggest or self.is_partner

    @property
    def can_post_updates(self) -> bool:
        """Post an update on what they did, on a goal shared with them: partners."""
        return self.is_partner

    @property
    def can_rate_as_partner(self) -> bool:
        """Add their own rating for the goals shared with them at a review."""
        return self.is_partner

    @property
    def agency_name(self) -> str:
        """The agency a partner acts for, kept beside what they write; empty for others."""
        return self.team_member.agency.name if self.team_member is not None else ""

    def may_tick(self, step: Step) -> bool:
        """Tick off (or untick) ``step``, a step of a goal the person sees: the family and
        its key worker any step, a partner only a step that is theirs."""
        if self.can_tick_steps:
            return True
        return (
            self.is_partner
            and self.team_member is not None
            and step.who == Who.PARTNER
            and step.practitioner_id == self.team_member.pk
            and step.private_to_id is None
        )

    @property
    def sees_private(self) -> bool:
        """Every adult's private goals, steps and words: the staff who manage the family."""
        return self.family_access.can_manage

    @property
    def member_id(self) -> int | None:
        """The person's own row in this household (they keep their private things by it)."""
        if not self.is_member:
            return None
        member = core.membership(self.user)
        return member.pk if member is not None else None

    def private_filter(self, prefix: str = "") -> Q:
        """A filter on ``Goal`` or ``Step`` (``prefix`` "goal__" for a step's goal) leaving
        out what another adult keeps private."""
        if self.sees_private:
            return Q()
        shown = Q(**{f"{prefix}private_to__isnull": True})
        if self.member_id is not None:
            shown |= Q(**{f"{prefix}private_to": self.member_id})
        return shown

    def sees_kept(self, record: Keepable) -> bool:
        """Whether a goal or step of a plan this person reads is not someone else's private."""
        return (
            self.sees_private
            or record.private_to_id is None
            or record.private_to_id == self.member_id
        )

    def visible_steps(self, steps: Iterable[Step]) -> list[Step]:
        """The steps of a goal the person sees, less another adult's private ones."""
        return [step for step in steps if self.sees_kept(step)]

    def keeps(self, record: Keepable) -> bool:
        """The person is the adult who keeps this goal or step private."""
        return record.private_to_id is not None and record.private_to_id == self.member_id

    def goal_filter(self) -> Q:
        """A filter on ``Goal`` for the goals this person may see (current and archived)."""
        if self.sees_everything:
            return Q(plan__family=self.family) & self.private_filter()
        live = GoalShare.objects.filter(goal=OuterRef("pk"), withdrawn_at__isnull=True).filter(
            # A private goal is shared only by the adult who keeps it private.
            Q(goal__private_to__isnull=True) | Q(granted_by=F("goal__private_to__user"))
        )
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
            return self.sees_kept(goal)
        return Goal.objects.filter(self.goal_filter(), pk=goal.pk).exists()

    def sees_step(self, step: Step) -> bool:
        """For a step of a goal the person sees."""
        return self.sees_kept(step) and (self.sees_everything or step.private_to_id is None)

    def may_share(self, goal: Goal, adults: Mapping[int, int]) -> bool:
        """Decide who outside the family sees ``goal``: only the adult it belongs to, or
        any adult when it belongs to none (``adults``: ``household_adults``)."""
        if not self.is_member or not self.sees_kept(goal):
            return False
        owner = goal_owner_id(goal, adults)
        return owner is None or owner == self.member_id

    def may_keep_private(self, record: Goal | Step) -> bool:
        """Make a goal or step of the family's private: only the adult who wrote it
        (the service also checks it holds no one else's words)."""
        return (
            self.is_member
            and record.private_to_id is None
            and record.created_by_id is not None
            and record.created_by_id == self.user.pk
        )

    def visible_goal_ids(self, plan: Plan) -> set[int]:
        return set(Goal.objects.filter(self.goal_filter(), plan=plan).values_list("pk", flat=True))


def household_adults(family: Family) -> dict[int, int]:
    """The household's adults with an account: user id to their household row."""
    return dict(
        FamilyMember.objects.filter(family=family, user__isnull=False)
        .exclude(relationship=FamilyMember.Relationship.CHILD)
        .values_list("user_id", "pk")
    )


def goal_owner_id(goal: Goal, adults: Mapping[int, int]) -> int | None:
    """The household row of the adult ``goal`` belongs to: who keeps it private, else who
    wrote it while they live in the household; None when it is no one's (staff wrote it,
    or its writer left)."""
    if goal.private_to_id is not None:
        return goal.private_to_id
    if goal.created_by_id is None:
        return None
    return adults.get(goal.created_by_id)


class PlanEnded(Http404):
    """The family's time with the service has ended and so has its time to read the plan."""


def plan_access(
    user: AnyUser, family: Family, *, record: object | None = None, path: str = ""
) -> PlanAccess:
    """The person's access to ``family``'s plan; staff reads are audited by the core. The
    family's adults read a closed family's plan until the day casework says
    (``registry.plan_readable_until``), then get ``PlanEnded`` (a 404 but for the plan page)."""
    found = core.family_access(user, family, record=record, path=path)
    if found.is_member:
        until = registry.plan_readable_until(family)
        if until is not None and timezone.localdate() > until:
            raise PlanEnded
        return PlanAccess(family_access=found, user=user, readable_until=until)
    team_member = None
    if found.relation is Relation.PARTNER and user.is_authenticated:
        team_member = (
            FamilyPractitioner.objects.filter(family=family, user=user)
            .select_related("agency")
            .first()
        )
    return PlanAccess(family_access=found, user=user, team_member=team_member)


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
        Goal.objects.select_related("plan__family__lead_key_worker", "private_to")
        .filter(pk=goal_id, archived_at__isnull=True)
        .first()
    )
    if goal is None:
        raise Http404
    plan_acc = plan_access(user, goal.plan.family, record=goal, path=path)
    if not plan_acc.sees_goal(goal):
        raise Http404
    return goal, plan_acc


def step_for_user(user: AnyUser, step_id: int, *, path: str = "") -> tuple[Step, PlanAccess]:
    step = Step.objects.select_related("goal").filter(pk=step_id).first()
    if step is None:
        raise Http404
    goal, plan_acc = goal_for_user(user, step.goal_id, path=path)
    if not plan_acc.sees_step(step):
        raise Http404
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
    if not plan_acc.sees_everything or not plan_acc.sees_kept(suggestion):
        raise Http404
    goal = suggestion.goal
    if goal is not None and (goal.archived_at is not None or not plan_acc.sees_kept(goal)):
        raise Http404
    return suggestion, plan_acc


def review_for_user(user: AnyUser, review_id: int, *, path: str = "") -> tuple[Review, PlanAccess]:
    """Reviews cover every goal, so the family and its key worker open them; a partner
    opens one only to rate the goals shared with them (the page shows only those)."""
    review = (
        Review.objects.select_related("plan__family__lead_key_worker").filter(pk=review_id).first()
    )
    if review is None:
        raise Http404
    plan_acc = plan_access(user, review.plan.family, record=review, path=path)
    if not (plan_acc.sees_everything or plan_acc.can_rate_as_partner):
        raise Http404
    return review, plan_acc


def can_see_goal(user: AnyUser, goal: Goal) -> bool:
    """For notifications: may ``user`` see ``goal``? Never audits, never raises."""
    relation = core.relation_to_family(user, goal.plan.family)
    if relation is Relation.NONE:
        return False
    if relation is Relation.LEAD_KEY_WORKER:
        return True
    if relation is Relation.MEMBER:
        member = core.membership(user)
        return goal.private_to_id is None or (
            member is not None and goal.private_to_id == member.pk
        )
    if relation is Relation.STAFF_WITH_REASON:
        return False  # they gave a reason to look once, not to hear about every change
    plan_acc = PlanAccess(
        family_access=FamilyAccess(family=goal.plan.family, relation=relation), user=user
    )
    return Goal.objects.filter(plan_acc.goal_filter(), pk=goal.pk).exists()


def can_see_step(user: AnyUser, step: Step) -> bool:
    """For notifications: may ``user`` see ``step`` (and its goal)? Never audits."""
    if not can_see_goal(user, step.goal):
        return False
    if step.private_to_id is None:
        return True
    relation = core.relation_to_family(user, step.goal.plan.family)
    if relation is Relation.LEAD_KEY_WORKER:
        return True
    member = core.membership(user)
    return relation is Relation.MEMBER and member is not None and member.pk == step.private_to_id


# The intervention library ---------------------------------------------------------------


@dataclass(frozen=True)
class LibraryAccess:
    """What one person may do with the intervention library."""

    user: AnyUser
    is_member: bool
    is_manager: bool
    # Key workers, managers and partners on at least one family's team today.
    is_staff: bool
    # A partner's agency from their latest team membership today (None: the service's own).
    team_member: FamilyPractitioner | None = None

    @property
    def may_propose(self) -> bool:
        return self.is_staff

    @property
    def may_review(self) -> bool:
        """Approve an idea into the library, or retire it with a reason."""
        return self.is_manager

    @property
    def sees_usage(self) -> bool:
        """How often an idea was used in plans and how its goals were rated: staff only."""
        return self.is_staff

    def visible_filter(self) -> Q:
        """A filter on ``InterventionTemplate``: approved ideas for everyone; managers see
        every idea, and the person who proposed one sees it whatever became of it."""
        if self.is_manager:
            return Q()
        approved = Q(status=InterventionTemplate.Status.APPROVED)
        if self.is_staff and self.user.is_authenticated:
            return approved | Q(created_by=self.user)
        return approved

    def sees(self, template: InterventionTemplate) -> bool:
        return (
            self.is_manager
            or template.status == InterventionTemplate.Status.APPROVED
            or (self.is_staff and template.created_by_id == self.user.pk)
        )


def library_access(user: AnyUser) -> LibraryAccess:
    """The person's access to the library; Http404 for anyone it is not for (families see
    the approved ideas; staff and partners on a team also propose)."""
    if not user.is_authenticated:
        raise Http404
    is_manager = core.is_manager(user)
    team_member = None
    if core.is_partner(user):
        team_member = (
            FamilyPractitioner.objects.filter(user=user)
            .select_related("agency")
            .order_by("-starts", "-pk")
            .first()
        )
    is_staff = is_manager or core.is_key_worker(user) or team_member is not None
    is_member = core.membership(user) is not None
    if not (is_staff or is_member):
        raise Http404
    return LibraryAccess(
        user=user,
        is_member=is_member,
        is_manager=is_manager,
        is_staff=is_staff,
        team_member=team_member,
    )


def template_for_user(
    user: AnyUser, template_id: int
) -> tuple[InterventionTemplate, LibraryAccess]:
    """An idea the person may see, or Http404."""
    lib = library_access(user)
    template = (
        InterventionTemplate.objects.select_related("agency", "created_by", "reviewed_by")
        .prefetch_related("outcome_areas")
        .filter(lib.visible_filter(), pk=template_id)
        .first()
    )
    if template is None:
        raise Http404
    return template, lib
