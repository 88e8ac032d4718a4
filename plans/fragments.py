"""The plan page's goals, each rendered once and reused until something it shows changes.

A goal's section (its steps, ratings, suggestions, sharing, comments and forms) is most of
the plan page's cost, and most goals do not change between one view of the plan and the
next: a new message or a ticked step elsewhere makes the page afresh, not every goal.

Each section is kept in the shared cache under a key made from everything it shows (the
goal's words, steps, ratings, comments, suggestions and shares, the names on them, its
number on the page, what the viewer may do, the language and time zone) and the template's
own text, so a change to any of them gives a new key and the old section is never shown.
No stamps or invalidation are needed; ``FRAGMENT_SECONDS`` only bounds the memory used.

Sections hold markers in place of CSRF tokens (``portal.pagecache.portable``), so one kept
for one person is safe to reuse for another who may see the same goal in the same way.
"""

from __future__ import annotations

import functools
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template import loader
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from portal import pagecache

from .access import PlanAccess
from .selectors import GoalProgress

logger = logging.getLogger(__name__)

TEMPLATE = "plans/includes/goal_section.html"
FRAGMENT_SECONDS = 6 * 60 * 60
_PREFIX = "plans:goal-section:"


@functools.cache
def _template_digest() -> str:
    """Changes when the section's templates do, so a deploy never serves old markup."""
    digest = hashlib.sha256()
    for name in (TEMPLATE, "plans/includes/step_item.html", "plans/includes/suggestion.html"):
        digest.update(loader.get_template(name).template.source.encode())
    return digest.hexdigest()[:16]


def _who(person) -> tuple:
    return (person.pk, person.display_name) if person is not None else None


def _fingerprint(item: GoalProgress, number: int, plan_access: PlanAccess) -> tuple:
    """Everything the goal's section shows or depends on, as plain values."""
    goal = item.goal
    return (
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
        translation.get_language(),
        timezone.get_current_timezone_name(),
        _template_digest(),
        pagecache.markers_id(),
    )


def _key(fingerprint: tuple) -> str:
    return _PREFIX + hashlib.sha256(repr(fingerprint).encode()).hexdigest()


def _render_section(request, item: GoalProgress, number: int, plan_access: PlanAccess) -> str:
    # Without the request, so the context processors (menu counts) do not run again.
    return loader.get_template(TEMPLATE).render(
        {
            "item": item,
            "goal": item.goal,
            "number": number,
            "access": plan_access,
            "family": plan_access.family,
            "csrf_token": get_token(request),
        }
    )


def goal_sections(request, *, progress: list[GoalProgress], plan_access: PlanAccess) -> list:
    """Each goal's section, in order, as HTML for ``request``; kept ones are reused."""
    keys = [
        _key(_fingerprint(item, number, plan_access))
        for number, item in enumerate(progress, start=1)
    ]
    try:
        kept = cache.get_many(keys)
    except Exception:  # noqa: BLE001  (the cache is a help, never a need)
        logger.warning("Kept goal sections could not be read", exc_info=True)
        kept = {}
    sections: list[SafeString] = []
    made = {}
    for number, (item, key) in enumerate(zip(progress, keys, strict=True), start=1):
        if key in kept:
            html = pagecache.personal(request, kept[key])
        else:
            html = _render_section(request, item, number, plan_access)
            made[key] = pagecache.portable(request, html)
        sections.append(mark_safe(html))  # noqa: S308  (rendered by the template engine)
    if made:
        try:
            seconds = getattr(settings, "PLAN_FRAGMENT_SECONDS", FRAGMENT_SECONDS)
            cache.set_many(made, timeout=seconds)
        except Exception:  # noqa: BLE001
            logger.warning("Goal sections could not be kept", exc_info=True)
    return sections
