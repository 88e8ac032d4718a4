"""Reads for family plans, with the joins each page needs so query counts stay flat."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast, overload

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal import access as core
from portal import disclosure
from portal.access import AnyUser
from portal.models import Agency, Family, FamilyMember, FamilyPractitioner, User
from portal.prepared import Rows, prepared
from portal.registry import ChronologyEvent, ChronologyViewer

from . import access
from .access import PlanAccess
from .models import (
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
)


def outcome_areas(*, active_only: bool = True) -> QuerySet[OutcomeArea]:
    areas = OutcomeArea.objects.all()
    return areas.filter(active=True) if active_only else areas


# What a step shows wherever a plan is read, and what a person's name is made of
# (``User.display_name``).
STEP_SHOWN = (
    *("goal_id", "text", "who", "member", "practitioner", "other_people", "due_date"),
    *("done_at", "done_by", "done_by_agency", "order", "version", "private_to", "private_to__name"),
)
NAME_FIELDS = ("preferred_name", "first_name", "last_name", "email")
# A step's people: who does it (a partner with their agency) and who ticked it off.
STEP_RELATED = ("member", "practitioner__user", "practitioner__agency", "done_by", "private_to")
STEP_RELATED_SHOWN = (
    "member__name",
    "practitioner__agency__name",
    *(f"practitioner__user__{f}" for f in NAME_FIELDS),
    *(f"done_by__{f}" for f in NAME_FIELDS),
)
RATING_SHOWN = (
    *("goal_id", "review_id", "by", "score", "review__date", "review__status"),
    *("rated_by", "rated_by_agency", *(f"rated_by__{f}" for f in NAME_FIELDS)),
)


def _shown_steps() -> QuerySet[Step]:
    """Steps with only what a step shows (``Step.who_label``, ``done_by_label``)."""
    return Step.objects.select_related(*STEP_RELATED).only(*STEP_SHOWN, *STEP_RELATED_SHOWN)


def _shown_ratings() -> QuerySet[GoalRating]:
    return (
        GoalRating.objects.select_related("review", "rated_by")
        .only(*RATING_SHOWN)
        .order_by("review__date", "id")
    )


def _goal_prefetches(*, sees_everything: bool, detail: bool = True) -> list[Prefetch[Any]]:
    """What the plan page shows of each goal, as lists (``area_list``, ``step_list``,
    ``rating_list``, ``live_shares``): a list costs nothing per goal, where a prefetched
    manager makes a queryset for each."""
    prefetches = [
        Prefetch("outcome_areas", queryset=OutcomeArea.objects.all(), to_attr="area_list"),
        # Only what a step shows (Step.who_label and the rest): a third less to read.
        Prefetch("steps", queryset=_shown_steps(), to_attr="step_list"),
    ]
    if detail:
        prefetches.append(Prefetch("ratings", queryset=_shown_ratings(), to_attr="rating_list"))
        if sees_everything:
            prefetches.append(
                Prefetch(
                    "shares",
                    queryset=GoalShare.objects.filter(withdrawn_at__isnull=True).select_related(
                        "practitioner__user", "practitioner__agency"
                    ),
                    to_attr="live_shares",
                )
            )
    return prefetches


def visible_goals(*, plan: Plan, plan_access: PlanAccess, detail: bool = True) -> QuerySet[Goal]:
    """The plan's current goals this person may see, with what the plan page shows of each
    (``_goal_prefetches``; comments and open suggestions come from ``_goal_talk``)."""
    goals = Goal.objects.filter(plan_access.goal_filter(), plan=plan, archived_at__isnull=True)
    prefetches = _goal_prefetches(sees_everything=plan_access.sees_everything, detail=detail)
    return goals.select_related("private_to").prefetch_related(*prefetches).order_by("order", "id")


@prepared(family_id=int, plan_id=int)
def _every_goal(*, family_id: int, plan_id: int) -> QuerySet[Goal]:
    """``visible_goals`` for someone who sees everything, as the plan page reads them (their
    lists come from ``_goal_lists``)."""
    goals = Goal.objects.filter(
        plan__family_id=family_id, plan_id=plan_id, archived_at__isnull=True
    )
    return goals.select_related("private_to").order_by("order", "id")


@prepared(family_id=int, plan_id=int, member_id=int)
def _family_goals(*, family_id: int, plan_id: int, member_id: int) -> QuerySet[Goal]:
    """``visible_goals`` for an adult of the family: theirs and the family's, not another
    adult's private ones (``PlanAccess.private_filter``; their lists from ``_goal_lists``)."""
    goals = Goal.objects.filter(
        Q(private_to__isnull=True) | Q(private_to_id=member_id),
        plan__family_id=family_id,
        plan_id=plan_id,
        archived_at__isnull=True,
    )
    return goals.select_related("private_to").order_by("order", "id")


def _without_others_private_steps(goals: list[Goal], plan_access: PlanAccess) -> list[Goal]:
    for goal in goals:
        goal.step_list = plan_access.visible_steps(goal.step_list)
    return goals


# Each list ``_goal_prefetches`` gives a goal, read for every current goal of a plan at
# once: what Django's prefetching would read, by queries compiled once (prefetching
# compiles its ``IN (...)`` afresh for every page).
_CURRENT = {"goal__archived_at__isnull": True}


@prepared(plan_id=int)
def _plan_areas(*, plan_id: int) -> QuerySet[Any]:
    through = Goal.outcome_areas.through
    ordering = [f"outcomearea__{name}" for name in cast(list[str], OutcomeArea._meta.ordering)]
    return (
        through.objects.filter(goal__plan_id=plan_id, **_CURRENT)
        .select_related("outcomearea")
        .order_by(*ordering, "pk")
    )


@prepared(plan_id=int)
def _plan_steps(*, plan_id: int) -> QuerySet[Step]:
    return _shown_steps().filter(goal__plan_id=plan_id, **_CURRENT).order_by("order", "id")


@prepared(plan_id=int)
def _plan_ratings(*, plan_id: int) -> QuerySet[GoalRating]:
    return _shown_ratings().filter(goal__plan_id=plan_id, **_CURRENT)


@prepared(plan_id=int)
def _plan_live_shares(*, plan_id: int) -> QuerySet[GoalShare]:
    return GoalShare.objects.filter(
        goal__plan_id=plan_id, withdrawn_at__isnull=True, **_CURRENT
    ).select_related("practitioner__user", "practitioner__agency")


def _goal_lists(
    goals: list[Goal], *, plan_id: int, read: Mapping[str, Iterable[Any]] | None = None
) -> None:
    """Set on each of ``goals`` (current goals of one plan) the lists
    ``_goal_prefetches(sees_everything=True)`` would. Rows of goals not in ``goals`` are
    read but never attached. ``read``: the rows of ``_plan_lists`` already read."""
    lists = _plan_lists(plan_id=plan_id) if read is None else read
    by_id = {goal.pk: goal for goal in goals}
    for goal in goals:
        for name in ("area_list", "step_list", "rating_list", "live_shares"):
            setattr(goal, name, [])
    for link in lists["areas"]:
        if link.goal_id in by_id:
            by_id[link.goal_id].area_list.append(link.outcomearea)
    for attribute, rows in (
        ("step_list", lists["steps"]),
        ("rating_list", lists["ratings"]),
        ("live_shares", lists["shares"]),
    ):
        for row in rows:
            owner = by_id.get(row.goal_id)
            if owner is not None:
                getattr(owner, attribute).append(row)
                row._state.fields_cache["goal"] = owner  # as prefetching links it back


def _plan_lists(*, plan_id: int) -> dict[str, Rows[Any]]:
    """The rows of every current goal's lists, read but not yet built (``_goal_lists``)."""
    return {
        "areas": _plan_areas.lazy_rows(plan_id=plan_id),
        "steps": _plan_steps.lazy_rows(plan_id=plan_id),
        "ratings": _plan_ratings.lazy_rows(plan_id=plan_id),
        "shares": _plan_live_shares.lazy_rows(plan_id=plan_id),
    }


@prepared(plan_id=int)
def _plan_comments(*, plan_id: int) -> QuerySet[Comment]:
    return Comment.objects.filter(plan_id=plan_id).select_related("author")


@prepared(plan_id=int)
def _open_suggestions(*, plan_id: int) -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(plan_id=plan_id, status=Suggestion.Status.OPEN).select_related(
        "author", "private_to"
    )


def _goal_talk(
    *,
    plan: Plan,
    goals: list[Goal],
    plan_access: PlanAccess,
    plan_level: bool = True,
    read: tuple[Iterable[Comment], Iterable[Suggestion]] | None = None,
) -> tuple[list[Comment], list[Suggestion]]:
    """Comments and open suggestions for the whole plan in two queries: each goal's are set
    on it (``goal_comments``, partners' ``goal_updates``, ``open_suggestions``), the plan's
    own are returned. People
    who see only shared goals get only those goals' comments and no suggestions; without
    ``plan_level``, only the goals' own are read. ``read``: the plan's comments and open
    suggestions already read (for someone who sees everything)."""
    by_id = {goal.pk: goal for goal in goals}
    for goal in goals:
        goal.goal_comments, goal.goal_updates, goal.open_suggestions = [], [], []
    plan_comments: list[Comment] = []
    plan_suggestions: list[Suggestion] = []
    if not goals and not plan_access.sees_everything:
        return plan_comments, plan_suggestions
    comments: Iterable[Comment]
    if read is not None:
        comments = read[0]
    elif plan_level and plan_access.sees_everything:
        comments = _plan_comments.rows(plan_id=plan.pk)
    else:
        comments = Comment.objects.filter(plan=plan, goal__in=list(by_id)).select_related("author")
    for comment in comments:
        if comment.goal_id is None:
            plan_comments.append(comment)
        elif comment.goal_id in by_id:
            goal = by_id[comment.goal_id]
            (goal.goal_updates if comment.is_update else goal.goal_comments).append(comment)
    if not plan_access.sees_everything and plan_access.is_partner and by_id:
        # A partner sees what they suggested for the goals shared with them, while the
        # family decides.
        for suggestion in Suggestion.objects.filter(
            plan=plan,
            status=Suggestion.Status.OPEN,
            goal__in=list(by_id),
            author_id=plan_access.user.pk,
        ).select_related("author", "private_to"):
            if suggestion.goal_id is not None:
                by_id[suggestion.goal_id].open_suggestions.append(suggestion)
    if plan_access.sees_everything:
        suggestions: Iterable[Suggestion]
        if read is not None:
            suggestions = read[1]
        elif plan_level:
            suggestions = _open_suggestions.rows(plan_id=plan.pk)
        else:
            suggestions = Suggestion.objects.filter(
                plan=plan, status=Suggestion.Status.OPEN, goal__in=list(by_id)
            ).select_related("author", "private_to")
        for suggestion in suggestions:
            if not plan_access.sees_kept(suggestion):
                continue  # for another adult alone
            if suggestion.goal_id is None:
                plan_suggestions.append(suggestion)
            elif suggestion.goal_id in by_id:
                by_id[suggestion.goal_id].open_suggestions.append(suggestion)
    return plan_comments, plan_suggestions


@dataclass
class GoalProgress:
    goal: Goal
    latest_family: GoalRating | None
    latest_key_worker: GoalRating | None
    steps_done: int
    steps_total: int
    family_ratings: list[GoalRating] = field(default_factory=list)
    # Each partner's latest rating, in the order they rated ("rater_label" names them).
    latest_partners: list[GoalRating] = field(default_factory=list)
    # "Goal 3": its place among the goals the person sees.
    number: int = 0

    @property
    def latest_percent(self) -> int:
        return self.latest_family.score * 10 if self.latest_family else 0


class PlanGoals(Sequence[GoalProgress]):
    """The goals a person sees on the plan page, each a ``GoalProgress`` in order, made from
    their queries' rows the first time anything reads one. A kept fragment of them
    (``portal.fragments``) is found from their public attributes: the rows as read and the
    person's access, which is all they are made from, and once made what was made. So a
    page whose goals are kept builds none of them."""

    def __init__(
        self,
        *,
        plan: Plan,
        plan_access: PlanAccess,
        rows: dict[str, Rows[Any]],
        made: tuple[list[GoalProgress], list[Comment], list[Suggestion]] | None = None,
    ) -> None:
        self.plan_access = plan_access
        self.rows = rows
        self.made = made
        self._plan = plan

    @classmethod
    def read(cls, *, plan: Plan, plan_access: PlanAccess, goals: Rows[Goal]) -> PlanGoals:
        """The goals' rows and everything shown with them, read now, built when needed
        (for someone who sees everything)."""
        rows: dict[str, Rows[Any]] = {
            "goals": goals,
            **_plan_lists(plan_id=plan.pk),
            "comments": _plan_comments.lazy_rows(plan_id=plan.pk),
            "suggestions": _open_suggestions.lazy_rows(plan_id=plan.pk),
        }
        return cls(plan=plan, plan_access=plan_access, rows=rows)

    def __repr__(self) -> str:
        return f"<PlanGoals: {len(self)}>"

    def __len__(self) -> int:
        return len(self.made[0]) if self.made is not None else len(self.rows["goals"])

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[GoalProgress]:
        return iter(self.progress)

    @overload
    def __getitem__(self, index: int) -> GoalProgress: ...
    @overload
    def __getitem__(self, index: slice) -> list[GoalProgress]: ...
    def __getitem__(self, index: int | slice) -> GoalProgress | list[GoalProgress]:
        return self.progress[index]

    @property
    def progress(self) -> list[GoalProgress]:
        return self._made()[0]

    @property
    def goals(self) -> list[Goal]:
        return [item.goal for item in self.progress]

    @property
    def plan_comments(self) -> list[Comment]:
        """Comments on the whole plan (built alone while the goals are not)."""
        if self.made is not None:
            return self.made[1]
        return cast(list[Comment], self.rows["comments"].where("goal_id", None))

    @property
    def plan_suggestions(self) -> list[Suggestion]:
        """Open suggestions for the whole plan this person sees (built alone while the
        goals are not)."""
        if self.made is not None:
            return self.made[2]
        plan_level = cast(list[Suggestion], self.rows["suggestions"].where("goal_id", None))
        return [s for s in plan_level if self.plan_access.sees_kept(s)]

    def family_rated(self) -> bool:
        """Whether the family has rated any of these goals (and so there is a chart),
        from the rows while the goals are not built."""
        if self.made is not None:
            return any(item.family_ratings for item in self.made[0])
        shown = set(self.rows["goals"].column("id"))
        ratings = self.rows["ratings"]
        return any(
            by == GoalRating.By.FAMILY and goal_id in shown
            for goal_id, by in zip(ratings.column("goal_id"), ratings.column("by"), strict=True)
        )

    def _made(self) -> tuple[list[GoalProgress], list[Comment], list[Suggestion]]:
        if self.made is None:
            rows, plan_access = self.rows, self.plan_access
            goals = list(rows["goals"])
            _goal_lists(goals, plan_id=self._plan.pk, read=rows)
            goals = _without_others_private_steps(goals, plan_access)
            progress = [_progress(goal, number) for number, goal in enumerate(goals, start=1)]
            comments, suggestions = _goal_talk(
                plan=self._plan,
                goals=goals,
                plan_access=plan_access,
                read=(rows["comments"], rows["suggestions"]),
            )
            self.made = (progress, comments, suggestions)
        return self.made


class PlanChart(Mapping[str, Any]):
    """The progress chart of ``goals`` (``charts.progress_chart``), drawn the first time
    anything reads it; whether there is one is known without building the goals. A kept
    fragment of it is found from its goals (``PlanGoals``) and, once drawn, the drawing."""

    def __init__(self, goals: PlanGoals) -> None:
        self.goals = goals
        self.drawn: dict[str, Any] | None = None

    def __bool__(self) -> bool:
        return self.goals.family_rated()

    def __getitem__(self, key: str) -> Any:
        return self._drawn()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._drawn())

    def __len__(self) -> int:
        return len(self._drawn())

    def _drawn(self) -> dict[str, Any]:
        if self.drawn is None:
            from .charts import progress_chart

            progress = self.goals.progress
            # The chart shows the reviews that rated something, so they come with the ratings.
            reviews = {r.review_id: r.review for item in progress for r in item.goal.rating_list}
            self.drawn = (
                progress_chart(
                    progress=progress,
                    reviews=sorted(reviews.values(), key=lambda r: (r.date, r.pk)),
                )
                or {}
            )
        return self.drawn


@dataclass
class PlanPage:
    plan: Plan
    # The goals (``progress``), their comments and suggestions, built only when read.
    progress: PlanGoals
    next_review_date: dt.date | None
    # Whether the person looking must agree the plan, and has agreed this revision.
    i_must_agree: bool
    i_agreed: bool
    chart: PlanChart
    # The person's own private worries, or every adult's for staff (``private_worries``).
    private_worries: list[PrivateWorry] = field(default_factory=list)

    @property
    def goals(self) -> list[Goal]:
        return self.progress.goals

    @property
    def plan_comments(self) -> list[Comment]:
        return self.progress.plan_comments

    @property
    def plan_suggestions(self) -> list[Suggestion]:
        return self.progress.plan_suggestions

    @property
    def agreed_goals(self) -> list[Goal]:
        """The goals the family agrees: none an adult keeps private (their private steps
        are left out where they are shown, as ``plan_snapshot`` leaves them out)."""
        return [goal for goal in self.goals if goal.private_to_id is None]

    @property
    def shows_private(self) -> bool:
        """Whether anything shown is kept private (so is not part of what is agreed)."""
        return any(
            goal.private_to_id is not None or any(s.private_to_id for s in goal.step_list)
            for goal in self.goals
        ) or any(worry.text for worry in self.private_worries)


def _progress(goal: Goal, number: int = 0) -> GoalProgress:
    family = [r for r in goal.rating_list if r.by == GoalRating.By.FAMILY]
    worker = [r for r in goal.rating_list if r.by == GoalRating.By.KEY_WORKER]
    partners: dict[int | None, GoalRating] = {}
    for rating in goal.rating_list:
        if rating.by == GoalRating.By.PARTNER:
            partners.pop(rating.rated_by_id, None)
            partners[rating.rated_by_id] = rating
    steps = goal.step_list
    return GoalProgress(
        goal=goal,
        latest_family=family[-1] if family else None,
        latest_key_worker=worker[-1] if worker else None,
        steps_done=sum(1 for step in steps if step.done_at),
        steps_total=len(steps),
        family_ratings=family,
        latest_partners=list(partners.values()),
        number=number,
    )


def _plan_state(*, today: dt.date, signer_id: int, agreer_id: int) -> dict[str, Any]:
    """Annotations for a plan: its next review date from ``today``, whether the person
    (``signer_id`` and ``agreer_id``, two parameters for one person so each is a prepared
    query's parameter once) must agree it, and whether they have agreed its current
    revision (the plan page and the dashboard)."""
    plan_ref = OuterRef("pk")
    return {
        "next_review_date": Subquery(
            Review.objects.filter(plan=plan_ref, status=Review.Status.SCHEDULED, date__gte=today)
            .order_by("date", "id")
            .values("date")[:1]
        ),
        "i_sign": Exists(
            Plan.signatories.through.objects.filter(plan=plan_ref, familymember__user_id=signer_id)
        ),
        "i_agreed": Exists(
            PlanConfirmation.objects.filter(
                plan=plan_ref, user_id=agreer_id, revision=OuterRef("revision")
            )
        ),
    }


def _state_values(user: AnyUser) -> dict[str, Any]:
    user_id = user.pk or 0
    return {"today": timezone.localdate(), "signer_id": user_id, "agreer_id": user_id}


@prepared(
    plan_id=int, today=dt.date, signer_id=int, agreer_id=int, worrier_id=int, worrier_id_2=int
)
def _plan_with_state(
    *,
    plan_id: int,
    today: dt.date,
    signer_id: int,
    agreer_id: int,
    worrier_id: int,
    worrier_id_2: int,
) -> QuerySet[Plan]:
    """The plan page's plan with ``_plan_state``, and the private worries of the adult
    whose household row is ``worrier_id`` (twice, as two parameters; 0 for staff)."""
    state = _plan_state(today=today, signer_id=signer_id, agreer_id=agreer_id)
    worry = PrivateWorry.objects.filter(plan=OuterRef("pk"))
    # ``Plan`` declares their types.
    worries: dict[str, Any] = {
        "my_worry_text": Subquery(worry.filter(member_id=worrier_id).values("text")[:1]),
        "my_worry_version": Subquery(worry.filter(member_id=worrier_id_2).values("version")[:1]),
    }
    return Plan.objects.filter(pk=plan_id).annotate(**state, **worries)


def plan_page(*, plan: Plan, plan_access: PlanAccess) -> PlanPage:
    """Everything on the plan page, in a fixed number of queries however big the plan."""
    user = plan_access.user
    items: PlanGoals
    if plan_access.sees_private or plan_access.is_member:
        # Both see everything: every query is read now, the goals built when first read.
        if plan_access.sees_private:
            goal_rows = _every_goal.lazy_rows(family_id=plan_access.family.pk, plan_id=plan.pk)
        else:
            goal_rows = _family_goals.lazy_rows(
                family_id=plan_access.family.pk,
                plan_id=plan.pk,
                member_id=plan_access.member_id or 0,
            )
        items = PlanGoals.read(plan=plan, plan_access=plan_access, goals=goal_rows)
    else:
        goals = _without_others_private_steps(
            list(visible_goals(plan=plan, plan_access=plan_access)), plan_access
        )
        progress = [_progress(goal, number) for number, goal in enumerate(goals, start=1)]
        talk = _goal_talk(plan=plan, goals=goals, plan_access=plan_access)
        items = PlanGoals(plan=plan, plan_access=plan_access, rows={}, made=(progress, *talk))
    next_review_date = None
    i_must_agree = i_agreed = False
    worries: list[PrivateWorry] = []
    if plan_access.sees_everything:
        mine = plan_access.member_id or 0
        found = _plan_with_state.first(
            plan_id=plan.pk, worrier_id=mine, worrier_id_2=mine, **_state_values(user)
        )
        if found is None:
            raise Plan.DoesNotExist
        plan = found
        if plan_access.sees_private:
            worries = private_worries(plan=plan, plan_access=plan_access)
        elif mine and plan.my_worry_version is not None:
            worries = [
                PrivateWorry(
                    plan=plan,
                    member_id=mine,
                    text=plan.my_worry_text,
                    version=plan.my_worry_version,
                )
            ]
        next_review_date = plan.next_review_date
        i_agreed = plan.i_agreed
        lead = plan_access.family.lead_key_worker_id
        i_must_agree = plan.i_sign or (lead is not None and lead == user.pk)
    return PlanPage(
        plan=plan,
        progress=items,
        next_review_date=next_review_date,
        i_must_agree=i_must_agree,
        i_agreed=i_agreed,
        chart=PlanChart(items),
        private_worries=worries,
    )


def private_worries(*, plan: Plan, plan_access: PlanAccess) -> list[PrivateWorry]:
    """Each adult's private worries this person may read: their own (as a list of none or
    one), or every adult's for staff who manage the family; nothing for anyone else."""
    if plan_access.sees_private:
        return list(
            PrivateWorry.objects.filter(plan=plan)
            .exclude(text="")
            .select_related("member")
            .order_by("member__name", "pk")
        )
    if plan_access.member_id is None:
        return []
    return list(PrivateWorry.objects.filter(plan=plan, member_id=plan_access.member_id))


def plan_agreement(*, plan: Plan, family: Family) -> tuple[list[User], set[int]]:
    """Who must agree the plan (the named family members and the family's lead key worker)
    and who has agreed its current revision."""
    agreers = [
        member.user for member in plan.signatories.select_related("user") if member.user is not None
    ]
    key_worker = family.lead_key_worker
    if key_worker is not None:
        agreers.append(key_worker)
    confirmed = set(
        PlanConfirmation.objects.filter(plan=plan, revision=plan.revision).values_list(
            "user_id", flat=True
        )
    )
    return agreers, confirmed


def goal_item(*, goal: Goal, plan_access: PlanAccess) -> GoalProgress:
    """One current goal as the plan page shows it, with its number there; the person may
    see it (``access.goal_for_user``)."""
    prefetch_related_objects([goal], *_goal_prefetches(sees_everything=plan_access.sees_everything))
    _without_others_private_steps([goal], plan_access)
    for step in goal.step_list:
        step.can_tick = plan_access.may_tick(step)
    _goal_talk(plan=goal.plan, goals=[goal], plan_access=plan_access, plan_level=False)
    before = Goal.objects.filter(
        plan_access.goal_filter(), plan=goal.plan, archived_at__isnull=True
    ).filter(Q(order__lt=goal.order) | Q(order=goal.order, id__lt=goal.pk))
    return _progress(goal, before.count() + 1)


def sharing_page(
    *, plan: Plan, plan_access: PlanAccess
) -> tuple[list[Goal], list[FamilyPractitioner], list[GoalShare]]:
    """The goals this adult decides about (``PlanAccess.may_share``), named practitioners
    and the history of consent for those goals, for the sharing page."""
    adults = access.household_adults(plan.family)
    candidates: list[Goal] = list(
        plan.goals.filter(plan_access.private_filter(), archived_at__isnull=True)
        .prefetch_related(
            Prefetch(
                "shares",
                queryset=GoalShare.objects.filter(withdrawn_at__isnull=True),
                to_attr="live_shares",
            )
        )
        .order_by("order", "id")
    )
    goals = [goal for goal in candidates if plan_access.may_share(goal, adults)]
    practitioners = list(
        plan.family.practitioners.select_related("user__staff_profile").order_by("id")
    )
    history = list(
        GoalShare.objects.filter(goal__plan=plan, goal__in=[goal.pk for goal in goals])
        .select_related("goal", "practitioner__user", "granted_by", "withdrawn_by")
        .order_by("-granted_at", "-id")[:100]
    )
    return goals, practitioners, history


def versions(*, plan: Plan) -> QuerySet[PlanVersion]:
    return plan.versions.order_by("-number")


def _visible_snapshot(
    snapshot: dict[str, Any], plan_access: PlanAccess, visible_ids: set[int]
) -> dict[str, Any]:
    if plan_access.sees_everything:
        return snapshot
    return {
        "strengths": "",
        "worries": "",
        "goals": [g for g in snapshot.get("goals", []) if g.get("id") in visible_ids],
    }


def snapshot_lines(snapshot: dict[str, Any]) -> list[str]:
    """A version's words as lines, for reading and for comparing."""
    lines: list[str] = []
    if snapshot.get("strengths"):
        lines += ["What is going well:", *snapshot["strengths"].splitlines(), ""]
    if snapshot.get("worries"):
        lines += ["What we are worried about:", *snapshot["worries"].splitlines(), ""]
    for goal in snapshot.get("goals", []):
        lines.append(f"Goal: {goal['title']}")
        if goal.get("details"):
            lines += [f"  How we will change: {line}" for line in goal["details"].splitlines()]
        if goal.get("how_we_know"):
            lines += [
                f"  How we will know it worked: {line}" for line in goal["how_we_know"].splitlines()
            ]
        if goal.get("outcome_areas"):
            lines.append("  About: " + ", ".join(goal["outcome_areas"]))
        for step in goal.get("steps", []):
            due = f" (by {step['due']})" if step.get("due") else ""
            lines.append(f"  Step: {step['text']} – {step['who']}{due}")
        lines.append("")
    return lines


def version_lines(*, version: PlanVersion, plan_access: PlanAccess) -> list[str]:
    visible = plan_access.visible_goal_ids(version.plan)
    return snapshot_lines(_visible_snapshot(version.snapshot, plan_access, visible))


def version_diff(
    *, older: PlanVersion, newer: PlanVersion, plan_access: PlanAccess
) -> list[tuple[str, str]]:
    """Line-by-line changes between two versions: ("same"|"added"|"removed", line)."""
    visible = plan_access.visible_goal_ids(older.plan)
    a = snapshot_lines(_visible_snapshot(older.snapshot, plan_access, visible))
    b = snapshot_lines(_visible_snapshot(newer.snapshot, plan_access, visible))
    changes = []
    for line in difflib.ndiff(a, b):
        code, text = line[:2], line[2:]
        if code == "  ":
            changes.append(("same", text))
        elif code == "+ ":
            changes.append(("added", text))
        elif code == "- ":
            changes.append(("removed", text))
    return changes


OWN_AGENCY = "own"  # the library's filter for the early help service's own ideas


def templates_search(
    *,
    query: str = "",
    outcome: str = "",
    agency: int | str | None = None,
    status: str = InterventionTemplate.Status.APPROVED,
    proposed_by: User | None = None,
    visible: Q | None = None,
) -> QuerySet[InterventionTemplate]:
    """The library, searched by words and filtered by outcome area slug, agency (an id,
    or ``OWN_AGENCY``), status and who proposed an idea, among the ideas ``visible``
    (``LibraryAccess``)."""
    templates = InterventionTemplate.objects.filter(visible or Q(), status=status)
    for word in query.split()[:8]:
        templates = templates.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(step_text__icontains=word)
            | Q(provider__icontains=word)
        )
    if outcome:
        templates = templates.filter(outcome_areas__slug=outcome)
    if agency == OWN_AGENCY:
        templates = templates.filter(agency__isnull=True)
    elif isinstance(agency, int):
        templates = templates.filter(agency_id=agency)
    if proposed_by is not None:
        templates = templates.filter(created_by=proposed_by)
    return (
        templates.select_related("agency", "created_by")
        .prefetch_related("outcome_areas")
        .distinct()
        .order_by("title", "id")
    )


def library_agencies() -> list[tuple[int, str]]:
    """The agencies with ideas in the library, for its filter: (id, name)."""
    return list(
        Agency.objects.filter(
            pk__in=InterventionTemplate.objects.filter(agency__isnull=False).values("agency")
        )
        .order_by("name")
        .values_list("pk", "name")
    )


def approved_template(template_id: int | None) -> InterventionTemplate | None:
    """An idea families may copy into a step: only one in the library."""
    if template_id is None:
        return None
    return InterventionTemplate.objects.filter(
        pk=template_id, status=InterventionTemplate.Status.APPROVED
    ).first()


# Figures about fewer families are shown as "fewer than 8", never as a number.
FEWEST_FAMILIES = disclosure.FEWEST_FAMILIES


@dataclass(frozen=True)
class TemplateUsage:
    """How often an idea was used in plans and how the goals using it were rated: counts
    only, over the family's shared words (nothing an adult keeps private)."""

    families: int
    steps: int
    rated_goals: int
    rated_families: int
    # The average of each goal's latest rating by its family, to one decimal place.
    average_rating: float | None

    @property
    def shown(self) -> bool:
        return self.families >= FEWEST_FAMILIES

    @property
    def ratings_shown(self) -> bool:
        return self.rated_families >= FEWEST_FAMILIES


def template_usage(*, template: InterventionTemplate) -> TemplateUsage:
    """The idea's use across every family's plan, in three queries."""
    steps = Step.objects.filter(
        template=template, private_to__isnull=True, goal__private_to__isnull=True
    )
    counts = steps.aggregate(families=Count("goal__plan__family", distinct=True), steps=Count("id"))
    latest = (
        GoalRating.objects.filter(goal=OuterRef("pk"), by=GoalRating.By.FAMILY)
        .order_by("-review__date", "-id")
        .values("score")[:1]
    )
    rated = list(
        Goal.objects.filter(pk__in=steps.values("goal"))
        .annotate(latest=Subquery(latest))
        .filter(latest__isnull=False)
        .values_list("latest", "plan__family_id")
    )
    scores = [score for score, _family in rated]
    return TemplateUsage(
        families=counts["families"],
        steps=counts["steps"],
        rated_goals=len(scores),
        rated_families=len({family for _score, family in rated}),
        average_rating=round(sum(scores) / len(scores), 1) if scores else None,
    )


def template_services(*, template: InterventionTemplate) -> list[Any]:
    """The local services from the directory that deliver the idea (``content`` reads them)."""
    from content import selectors as directory

    return directory.services_by_ids(ids=template.service_ids)


def directory_choices() -> list[tuple[int, str]]:
    """Every published local service, for choosing those that deliver an idea."""
    from content import selectors as directory

    return [
        (service.pk, f"{service.name} ({service.organisation})")
        for service in directory.service_list()
    ]


def family_outcome_slugs(family: Family) -> set[str]:
    """Outcome areas tagged on the family's current goals (the core's family-needs hook)."""
    return set(
        OutcomeArea.objects.filter(
            goals__plan__family=family,
            goals__archived_at__isnull=True,
            # An adult's private goal tells no one (a mentor's match among them) what it is about.
            goals__private_to__isnull=True,
        ).values_list("slug", flat=True)
    )


def active_jargon() -> list[tuple[str, str]]:
    """Words managers ask staff to avoid, with plainer ones (the core's jargon hook)."""
    return list(JargonTerm.objects.filter(active=True).values_list("term", "alternative"))


# Dashboards ---------------------------------------------------------------------------------


@prepared(
    family_id=int,
    today=dt.date,
    signer_id=int,
    agreer_id=int,
    member_id=int,
    member_id_2=int,
    member_id_3=int,
)
def _parent_plan(
    *,
    family_id: int,
    today: dt.date,
    signer_id: int,
    agreer_id: int,
    member_id: int,
    member_id_2: int,
    member_id_3: int,
) -> QuerySet[Plan]:
    """The family's plan with what the parent's dashboard says about it: nothing another
    adult keeps private counts (``member_id``, three times as three parameters: the
    parent's row)."""
    plan_ref = OuterRef("pk")
    open_suggestions = (
        Suggestion.objects.filter(plan=plan_ref, status=Suggestion.Status.OPEN)
        .filter(
            Q(goal__isnull=True)
            | Q(goal__private_to__isnull=True)
            | Q(goal__private_to_id=member_id_2)
        )
        .filter(Q(private_to__isnull=True) | Q(private_to_id=member_id_3))
        .order_by()
        .values("plan")
        .annotate(n=Count("id"))
        .values("n")
    )
    # One dict, in the order the annotations are selected; ``Plan`` declares their types.
    annotations: dict[str, Any] = {
        "has_goals": Exists(
            Goal.objects.filter(
                Q(private_to__isnull=True) | Q(private_to_id=member_id),
                plan=plan_ref,
                archived_at__isnull=True,
            )
        ),
        **_plan_state(today=today, signer_id=signer_id, agreer_id=agreer_id),
        "open_suggestions": Coalesce(Subquery(open_suggestions), 0),
    }
    return Plan.objects.filter(family_id=family_id).annotate(**annotations).order_by("pk")[:1]


@prepared(plan_id=int, due_by=dt.date, member_id=int, member_id_2=int)
def _steps_due(
    *, plan_id: int, due_by: dt.date, member_id: int, member_id_2: int
) -> QuerySet[Step]:
    """Steps due soon that the parent (``member_id``, twice) sees."""
    return (
        Step.objects.filter(
            Q(private_to__isnull=True) | Q(private_to_id=member_id),
            Q(goal__private_to__isnull=True) | Q(goal__private_to_id=member_id_2),
            goal__plan_id=plan_id,
            goal__archived_at__isnull=True,
            done_at__isnull=True,
            due_date__lte=due_by,
        )
        .only("text", "due_date")
        .order_by("due_date", "id")[:5]
    )


def parent_next_steps(*, family: Family, user: User) -> dict[str, Any]:
    """What a parent could do next on their plan, in two queries (the dashboard is the first
    page of every visit), each compiled once (``portal.prepared``)."""
    values = _state_values(user)
    today = values["today"]
    member = core.membership(user)
    mine = member.pk if member is not None and member.family_id == family.pk else 0
    plan = _parent_plan.first(
        family_id=family.pk, member_id=mine, member_id_2=mine, member_id_3=mine, **values
    )
    if plan is None:
        return {"plan": None}
    steps_due = _steps_due.rows(
        plan_id=plan.pk, due_by=today + dt.timedelta(days=7), member_id=mine, member_id_2=mine
    )
    return {
        "plan": plan,
        "has_goals": plan.has_goals,
        "steps_due": steps_due,
        "next_review_date": plan.next_review_date,
        "needs_my_agreement": plan.status != Plan.Status.AGREED
        and plan.has_goals
        and plan.i_sign
        and not plan.i_agreed,
        "open_suggestions": plan.open_suggestions,
        "today": today,
    }


def staff_plans_needing_attention(*, user: User, limit: int = 20) -> list[Plan]:
    """Caseload plans waiting for this key worker's agreement, or with a review soon."""
    families = core.caseload(user)
    today = timezone.localdate()
    soon = today + dt.timedelta(days=14)
    waiting = PlanConfirmation.objects.filter(plan=OuterRef("pk"), revision=OuterRef("revision"))
    mine = waiting.filter(user=user)
    return list(
        Plan.objects.filter(family__in=families)
        .annotate(
            family_confirmed=Exists(waiting.exclude(user=user)),
            i_confirmed=Exists(mine),
            reviews_soon=Count(
                "reviews",
                filter=Q(
                    reviews__status=Review.Status.SCHEDULED,
                    reviews__date__gte=today,
                    reviews__date__lte=soon,
                ),
            ),
        )
        .filter(Q(family_confirmed=True, i_confirmed=False) | Q(reviews_soon__gt=0))
        .select_related("family")
        .order_by("family__display_name")[:limit]
    )


def team_sight(family: Family, member: FamilyMember | None) -> dict[int, list[str]]:
    """For each member of the family's team, the titles of the goals the family shares
    with them today (the rule of ``PlanAccess.goal_filter``): for an adult of the family,
    less another adult's private goals; for staff (``member`` None), all. One query."""
    shares = GoalShare.objects.filter(
        goal__plan__family=family,
        goal__archived_at__isnull=True,
        audience=GoalShare.Audience.PARTNER,
        withdrawn_at__isnull=True,
    ).filter(Q(goal__private_to__isnull=True) | Q(granted_by=F("goal__private_to__user")))
    if member is not None:
        shares = shares.filter(Q(goal__private_to__isnull=True) | Q(goal__private_to=member))
    seen: dict[int, list[str]] = {}
    for practitioner_id, title in shares.order_by("goal__order", "goal_id").values_list(
        "practitioner_id", "goal__title"
    ):
        seen.setdefault(practitioner_id, []).append(title)
    return seen


def goals_for_meeting_actions(*, family: Family) -> list[tuple[int, str]]:
    """(id, title) of the goals of the whole family (no one's private goal) that a team
    meeting's actions may be added to, in the plan's order."""
    return list(
        Goal.objects.filter(plan__family=family, archived_at__isnull=True, private_to__isnull=True)
        .order_by("order", "id")
        .values_list("pk", "title")
    )


@dataclass(frozen=True)
class GoalChoice:
    """A live goal of the family's plan, as the needs of its assessment name it."""

    id: int
    title: str
    # The household row of the adult who keeps it private, and their name; None for the
    # whole family's goals.
    private_to_id: int | None
    kept_by: str


def goals_for_needs(*, family: Family) -> list[GoalChoice]:
    """Every live goal of the family's plan in the plan's order, private ones with whose
    they are: for the staff who link goals to needs, and for what each need is met by."""
    return [
        GoalChoice(id=pk, title=title, private_to_id=kept_by_id, kept_by=name or "")
        for pk, title, kept_by_id, name in Goal.objects.filter(
            plan__family=family, archived_at__isnull=True
        )
        .order_by("order", "id")
        .values_list("pk", "title", "private_to_id", "private_to__name")
    ]


def steps_by_id(*, step_ids: Iterable[int]) -> dict[int, Step]:
    """Steps by id with their goal's title, for the records that made them."""
    return {
        step.pk: step for step in Step.objects.select_related("goal").filter(pk__in=list(step_ids))
    }


def step_who_choices() -> list[tuple[str, str]]:
    """Who may do a step, as the plan names them."""
    from .models import Who

    return [(value, str(label)) for value, label in Who.choices]


def chronology_events(family: Family, viewer: ChronologyViewer) -> list[ChronologyEvent]:
    """The plan's events for the family's chronology (registered with the core): each
    version agreed and each review held. A partner sees only those about the goals the
    family shares with them, naming only those goals. Three queries, four for a partner."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    shared: dict[int, str] | None = None
    if not viewer.sees_all:
        shares = GoalShare.objects.filter(
            goal__plan__family=family,
            audience=GoalShare.Audience.PARTNER,
            withdrawn_at__isnull=True,
            practitioner_id__in=viewer.team_ids,
        ).filter(Q(goal__private_to__isnull=True) | Q(granted_by=F("goal__private_to__user")))
        shared = dict(shares.values_list("goal_id", "goal__title"))
        if not shared:
            return []
    plan_url = reverse("plans:family_plan", kwargs={"family_id": family.pk})
    events: list[ChronologyEvent] = []
    for version in PlanVersion.objects.filter(plan__family=family).order_by("number"):
        goals = [
            goal["title"]
            for goal in version.snapshot.get("goals", [])
            if shared is None or goal.get("id") in shared
        ]
        if shared is not None and not goals:
            continue
        title = (
            _("Plan agreed")
            if version.number == 1
            else _("Plan agreed again: version %(n)s") % {"n": version.number}
        )
        url = plan_url
        if viewer.sees_all:
            url = reverse(
                "plans:version_detail", kwargs={"family_id": family.pk, "number": version.number}
            )
        events.append(
            ChronologyEvent(
                on=timezone.localdate(version.created_at),
                at=version.created_at,
                kind="plan",
                title=title,
                detail=_("Goals: %(goals)s") % {"goals": "; ".join(goals)} if goals else "",
                by=version.agreed_by,
                url=url,
            )
        )
    ratings = GoalRating.objects.select_related("goal").order_by("goal__order", "goal_id", "id")
    reviews = Review.objects.filter(
        plan__family=family, status=Review.Status.DONE
    ).prefetch_related(Prefetch("ratings", queryset=ratings))
    for review in reviews:
        rated = [r for r in review.ratings.all() if shared is None or r.goal_id in shared]
        if shared is not None and not rated:
            continue
        events.append(
            ChronologyEvent(
                on=review.date,
                kind="review",
                title=_("Plan review held"),
                detail="; ".join(
                    f"{r.goal.title}: {r.score}/10 ({r.get_by_display()})" for r in rated
                ),
                url=reverse("plans:review", kwargs={"review_id": review.pk})
                if viewer.sees_all
                else plan_url,
            )
        )
    return events
