"""Reads for family plans, with the joins each page needs so query counts stay flat."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal import access as core
from portal.models import Family, FamilyPractitioner, User

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
    Review,
    Step,
    Suggestion,
)


def outcome_areas(*, active_only: bool = True) -> QuerySet[OutcomeArea]:
    areas = OutcomeArea.objects.all()
    return areas.filter(active=True) if active_only else areas


def visible_goals(*, plan: Plan, plan_access: PlanAccess, detail: bool = True) -> QuerySet[Goal]:
    """The plan's current goals this person may see, with everything the plan page shows."""
    goals = Goal.objects.filter(plan_access.goal_filter(), plan=plan, archived_at__isnull=True)
    goals = goals.prefetch_related(
        "outcome_areas",
        Prefetch(
            "steps",
            queryset=Step.objects.select_related("member", "practitioner__user"),
        ),
    )
    if detail:
        goals = goals.prefetch_related(
            Prefetch(
                "ratings",
                queryset=GoalRating.objects.select_related("review").order_by("review__date", "id"),
            ),
            Prefetch("comments", queryset=Comment.objects.select_related("author")),
        )
        if plan_access.sees_everything:
            goals = goals.prefetch_related(
                Prefetch(
                    "suggestions",
                    queryset=Suggestion.objects.filter(status=Suggestion.Status.OPEN)
                    .select_related("author", "template")
                    .order_by("created_at"),
                    to_attr="open_suggestions",
                ),
                Prefetch(
                    "shares",
                    queryset=GoalShare.objects.filter(withdrawn_at__isnull=True).select_related(
                        "practitioner__user"
                    ),
                    to_attr="live_shares",
                ),
            )
    return goals.order_by("order", "id")


@dataclass
class GoalProgress:
    goal: Goal
    latest_family: GoalRating | None
    latest_key_worker: GoalRating | None
    steps_done: int
    steps_total: int
    family_ratings: list[GoalRating] = field(default_factory=list)

    @property
    def latest_percent(self) -> int:
        return self.latest_family.score * 10 if self.latest_family else 0


@dataclass
class PlanPage:
    plan: Plan
    goals: list[Goal]
    progress: list[GoalProgress]
    reviews: list[Review]
    next_review: Review | None
    plan_comments: list[Comment]
    plan_suggestions: list[Suggestion]
    confirmations: set[int]
    agreers: list[User]
    chart: dict[str, Any] | None


def _progress(goal: Goal) -> GoalProgress:
    family = [r for r in goal.ratings.all() if r.by == GoalRating.By.FAMILY]
    worker = [r for r in goal.ratings.all() if r.by == GoalRating.By.KEY_WORKER]
    steps = list(goal.steps.all())
    return GoalProgress(
        goal=goal,
        latest_family=family[-1] if family else None,
        latest_key_worker=worker[-1] if worker else None,
        steps_done=sum(1 for step in steps if step.done_at),
        steps_total=len(steps),
        family_ratings=family,
    )


def plan_page(*, plan: Plan, plan_access: PlanAccess) -> PlanPage:
    """Everything on the plan page, in a fixed number of queries however big the plan."""
    from .charts import progress_chart

    goals = list(visible_goals(plan=plan, plan_access=plan_access))
    progress = [_progress(goal) for goal in goals]
    plan_comments: list[Comment] = []
    plan_suggestions: list[Suggestion] = []
    reviews: list[Review] = []
    confirmations: set[int] = set()
    agreers: list[User] = []
    if plan_access.sees_everything:
        plan = (
            Plan.objects.select_related("family__lead_key_worker")
            .prefetch_related(
                Prefetch("signatories__user"),
                Prefetch("reviews", queryset=Review.objects.order_by("date", "id")),
                Prefetch(
                    "comments",
                    queryset=Comment.objects.filter(goal__isnull=True).select_related("author"),
                    to_attr="plan_comments",
                ),
                Prefetch(
                    "suggestions",
                    queryset=Suggestion.objects.filter(
                        goal__isnull=True, status=Suggestion.Status.OPEN
                    ).select_related("author", "template"),
                    to_attr="plan_suggestions",
                ),
                Prefetch(
                    "confirmations",
                    queryset=PlanConfirmation.objects.filter(revision=plan.revision),
                    to_attr="current_confirmations",
                ),
            )
            .get(pk=plan.pk)
        )
        reviews = list(plan.reviews.all())
        plan_comments = plan.plan_comments
        plan_suggestions = plan.plan_suggestions
        confirmations = {c.user_id for c in plan.current_confirmations}
        agreers = [m.user for m in plan.signatories.all() if m.user is not None]
        if plan.family.lead_key_worker is not None:
            agreers.append(plan.family.lead_key_worker)
    else:
        # Mentors and partners see review dates only through the ratings on shared goals.
        seen: dict[int, Review] = {}
        for item in progress:
            for rating in item.goal.ratings.all():
                seen[rating.review_id] = rating.review
        reviews = sorted(seen.values(), key=lambda r: (r.date, r.pk))
    today = timezone.localdate()
    upcoming = [r for r in reviews if r.status == Review.Status.SCHEDULED and r.date >= today]
    return PlanPage(
        plan=plan,
        goals=goals,
        progress=progress,
        reviews=reviews,
        next_review=upcoming[0] if upcoming else None,
        plan_comments=plan_comments,
        plan_suggestions=plan_suggestions,
        confirmations=confirmations,
        agreers=agreers,
        chart=progress_chart(progress=progress, reviews=reviews),
    )


def sharing_page(*, plan: Plan) -> tuple[list[Goal], list[FamilyPractitioner], list[GoalShare]]:
    """Goals, named practitioners and the history of consent, for the sharing page."""
    goals: list[Goal] = list(
        plan.goals.filter(archived_at__isnull=True)
        .prefetch_related(
            Prefetch(
                "shares",
                queryset=GoalShare.objects.filter(withdrawn_at__isnull=True),
                to_attr="live_shares",
            )
        )
        .order_by("order", "id")
    )
    practitioners = list(
        plan.family.practitioners.select_related("user__staff_profile").order_by("id")
    )
    history = list(
        GoalShare.objects.filter(goal__plan=plan)
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


def templates_search(*, query: str = "", outcome: str = "") -> QuerySet[InterventionTemplate]:
    """The library, searched by words and filtered by outcome area slug."""
    templates = InterventionTemplate.objects.filter(active=True)
    for word in query.split()[:8]:
        templates = templates.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(step_text__icontains=word)
            | Q(provider__icontains=word)
        )
    if outcome:
        templates = templates.filter(outcome_areas__slug=outcome)
    return templates.prefetch_related("outcome_areas").distinct().order_by("title", "id")


def family_outcome_slugs(family: Family) -> set[str]:
    """Outcome areas tagged on the family's current goals (the core's family-needs hook)."""
    return set(
        OutcomeArea.objects.filter(
            goals__plan__family=family, goals__archived_at__isnull=True
        ).values_list("slug", flat=True)
    )


def active_jargon() -> list[tuple[str, str]]:
    """Words managers ask staff to avoid, with plainer ones (the core's jargon hook)."""
    return list(JargonTerm.objects.filter(active=True).values_list("term", "alternative"))


# Dashboards ---------------------------------------------------------------------------------


def parent_next_steps(*, family: Family, user: User) -> dict[str, Any]:
    """What a parent could do next on their plan, in two queries (the dashboard is the first
    page of every visit)."""
    today = timezone.localdate()
    plan_ref = OuterRef("pk")
    open_suggestions = (
        Suggestion.objects.filter(plan=plan_ref, status=Suggestion.Status.OPEN)
        .order_by()
        .values("plan")
        .annotate(n=Count("id"))
        .values("n")
    )
    plan = (
        Plan.objects.filter(family=family)
        .annotate(
            has_goals=Exists(Goal.objects.filter(plan=plan_ref, archived_at__isnull=True)),
            next_review_date=Subquery(
                Review.objects.filter(
                    plan=plan_ref, status=Review.Status.SCHEDULED, date__gte=today
                )
                .order_by("date")
                .values("date")[:1]
            ),
            i_sign=Exists(
                Plan.signatories.through.objects.filter(plan=plan_ref, familymember__user=user)
            ),
            i_agreed=Exists(
                PlanConfirmation.objects.filter(
                    plan=plan_ref, user=user, revision=OuterRef("revision")
                )
            ),
            open_suggestions=Coalesce(Subquery(open_suggestions), 0),
        )
        .first()
    )
    if plan is None:
        return {"plan": None}
    steps_due = list(
        Step.objects.filter(
            goal__plan=plan,
            goal__archived_at__isnull=True,
            done_at__isnull=True,
            due_date__lte=today + dt.timedelta(days=7),
        )
        .select_related("goal", "member")
        .order_by("due_date", "id")[:5]
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
