"""The plan page's goals, each rendered once and reused until something it shows changes.

A goal's section (its steps, ratings, suggestions, sharing, comments and forms) is most of
the plan page's cost, and most goals do not change between one view of the plan and the
next: a new message or a ticked step elsewhere makes the page afresh, not every goal.
Sections are kept through ``portal.fragments``, so a section one parent saw is reused for
the other parent, in another session or on another day, while it shows the same things.
"""

from __future__ import annotations

from django.conf import settings

from portal import fragments

from .access import PlanAccess
from .selectors import GoalProgress

TEMPLATE = "plans/includes/goal_section.html"
INCLUDES = ("plans/includes/step_item.html", "plans/includes/suggestion.html")


def _who(person) -> tuple | None:
    return (person.pk, person.display_name) if person is not None else None


def _fingerprint(item: GoalProgress, number: int, plan_access: PlanAccess) -> tuple:
    """Everything the goal's section shows or depends on, as plain values."""
    goal = item.goal
    return (
        "goal",
        goal.pk,
        goal.version,
        goal.title,
        goal.details,
        goal.how_we_know,
        number,
        [(area.pk, area.name) for area in goal.outcome_areas.all()],
        [(r.pk, r.score) for r in (item.latest_family, item.latest_key_worker) if r],
        item.steps_done,
        item.steps_total,
        [(s.pk, s.version, s.text, s.who_label, s.due_date, s.done_at) for s in goal.steps.all()],
        [
            (s.pk, s.kind, s.text, s.status, s.goal_id, _who(s.author))
            for s in getattr(goal, "open_suggestions", ())
        ],
        [
            (s.pk, s.audience, s.practitioner.user.display_name if s.practitioner else None)
            for s in getattr(goal, "live_shares", ())
        ],
        [(c.pk, c.text, c.created_at, _who(c.author)) for c in goal.comments.all()],
        plan_access.family.pk,
        plan_access.is_member,
        plan_access.can_draft,
        plan_access.can_suggest,
        plan_access.can_tick_steps,
    )


def goal_sections(request, *, progress: list[GoalProgress], plan_access: PlanAccess) -> list:
    """Each goal's section, in order, as HTML for ``request``; kept ones are reused."""
    parts = [
        (
            _fingerprint(item, number, plan_access),
            {
                "item": item,
                "goal": item.goal,
                "number": number,
                "access": plan_access,
                "family": plan_access.family,
            },
        )
        for number, item in enumerate(progress, start=1)
    ]
    return fragments.render_kept(
        request,
        TEMPLATE,
        parts,
        includes=INCLUDES,
        seconds=settings.PLAN_FRAGMENT_SECONDS,
    )
