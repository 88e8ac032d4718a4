"""Places where feature apps plug into the core without the core importing them.

A feature app registers its menu links and dashboard panels from ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class NavItem:
    key: str
    label: StrOrPromise
    url: Callable[[Any], str]
    visible: Callable[[Any], bool]
    order: int = 50
    # Optional live count shown beside the label, such as unread messages.
    badge: Callable[[Any], int] | None = None
    badge_name: str = ""
    # Shown to visitors who are not signed in too (``visible`` is then asked about them).
    visitors: bool = False


@dataclass(frozen=True)
class DashboardPanel:
    """A block on someone's dashboard: ``context(request)`` returns None to hide it."""

    key: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 50
    audiences: frozenset[str] = field(default_factory=frozenset)


_nav: dict[str, NavItem] = {}
_panels: dict[str, DashboardPanel] = {}
_user_related: list[str] = []


def register_nav_item(item: NavItem) -> None:
    _nav[item.key] = item


def register_dashboard_panel(panel: DashboardPanel) -> None:
    _panels[panel.key] = panel


def register_user_related(path: str) -> None:
    """A relation of the user that menus or access ask about on nearly every page (such as
    ``peer_mentor``), loaded with the signed-in person (``portal.backends``)."""
    if path not in _user_related:
        _user_related.append(path)


def user_related() -> tuple[str, ...]:
    return tuple(_user_related)


def nav_items() -> list[NavItem]:
    return sorted(_nav.values(), key=lambda item: item.order)


def dashboard_panels(audience: str) -> list[DashboardPanel]:
    return sorted(
        (p for p in _panels.values() if not p.audiences or audience in p.audiences),
        key=lambda p: p.order,
    )


# Demo data -----------------------------------------------------------------------------

DemoSeeder = Callable[[dict], None]
_demo_seeders: list[tuple[int, DemoSeeder]] = []


def register_demo_seeder(seeder: DemoSeeder, order: int = 50) -> None:
    """A feature app adds its demo records; it receives the core's demo people by key."""
    if all(existing is not seeder for _order, existing in _demo_seeders):
        _demo_seeders.append((order, seeder))


def demo_seeders() -> list[DemoSeeder]:
    return [seeder for _order, seeder in sorted(_demo_seeders, key=lambda pair: pair[0])]


# Words to avoid in what staff write ------------------------------------------------------

JargonProvider = Callable[[], Iterable[tuple[str, str]]]
_jargon_providers: list[JargonProvider] = []


def register_jargon_provider(provider: JargonProvider) -> None:
    """The plans app gives the plain-English checker the jargon list managers keep."""
    if provider not in _jargon_providers:
        _jargon_providers.append(provider)


def jargon() -> list[tuple[str, str]]:
    """(word or phrase, plainer words) pairs from every registered provider."""
    return [pair for provider in _jargon_providers for pair in provider()]


# What a family is working on ------------------------------------------------------------

FamilyNeedsProvider = Callable[[Any], set[str]]
_needs_providers: list[FamilyNeedsProvider] = []

# The national Supporting Families headline outcomes, by the slugs every app uses.
OUTCOME_SLUGS = (
    "education",
    "early_years",
    "health",
    "substance_use",
    "family_relationships",
    "safe_from_exploitation",
    "crime",
    "domestic_abuse",
    "housing",
    "financial_stability",
)


def register_family_needs_provider(provider: FamilyNeedsProvider) -> None:
    """The plans app tells the core which outcome areas a family's goals are about."""
    if provider not in _needs_providers:
        _needs_providers.append(provider)


def family_needs(family) -> set[str]:
    """Outcome-area slugs the family is working on, from every registered provider."""
    needs: set[str] = set()
    for provider in _needs_providers:
        needs |= provider(family)
    return needs


# Work that runs on a clock -----------------------------------------------------------------


@dataclass(frozen=True)
class PeriodicJob:
    """Work a feature app needs done every so often, such as escalating concerns still
    waiting for a decision. ``run`` queues it (a task's ``enqueue``); in production cron
    runs each job's management command, and ``manage.py run_schedule`` (which the
    embedded portal starts beside its server) runs them all on this timetable."""

    key: str
    every_seconds: int
    run: Callable[[], Any]
    command: str  # the management command that queues it once, for cron


_periodic: dict[str, PeriodicJob] = {}


def register_periodic_job(job: PeriodicJob) -> None:
    _periodic[job.key] = job


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_periodic.values(), key=lambda job: job.key)


# What each member of a family's team can see, in words (the goals the family shared with
# them): provider(family, member or None) -> {FamilyPractitioner id: [titles]}. ``member``
# is the adult looking (their private goals are theirs alone), None for staff.
TeamSightProvider = Callable[[Any, Any], dict[int, list[str]]]
_team_sight: list[TeamSightProvider] = []


def register_team_sight_provider(provider: TeamSightProvider) -> None:
    if provider not in _team_sight:
        _team_sight.append(provider)


def team_sight(family, member) -> dict[int, list[str]]:
    seen: dict[int, list[str]] = {}
    for provider in _team_sight:
        for membership_id, titles in provider(family, member).items():
            seen.setdefault(membership_id, []).extend(titles)
    return seen


# Referrals ---------------------------------------------------------------------------

# Told when a key worker opens a family record from "Add a family": casework starts an
# episode of work with it, so every family the service works with has one.
FamilyOpened = Callable[..., None]
_family_opened: list[FamilyOpened] = []


def register_family_opened(hook: FamilyOpened) -> None:
    """``hook(family=..., actor=...)`` runs in the same transaction as the new record."""
    if hook not in _family_opened:
        _family_opened.append(hook)


def family_opened(*, family: Any, actor: Any) -> None:
    for hook in _family_opened:
        hook(family=family, actor=actor)


# Assessment and needs --------------------------------------------------------------------


@dataclass(frozen=True)
class PlanNeeds:
    """The needs of a family's open episode as its plan shows them to one person: the
    needs each goal meets (by goal id, as pairs so a template can loop over them), and the
    needs no goal meets yet, in that person's words and only those they may see.
    ``any_uncovered`` counts every need, seen or not, so agreement can be refused."""

    meets: tuple[tuple[int, tuple[str, ...]], ...] = ()
    uncovered: tuple[str, ...] = ()
    any_uncovered: bool = False
    # Where the person reads and changes the needs.
    url: str = ""


NO_PLAN_NEEDS = PlanNeeds()
# provider(family, member or None) -> PlanNeeds: ``member`` is the adult of the household
# looking (family words, only the needs they may see); None for staff (staff words, all).
PlanNeedsProvider = Callable[[Any, Any], PlanNeeds]
_plan_needs: list[PlanNeedsProvider] = []


def register_plan_needs_provider(provider: PlanNeedsProvider) -> None:
    """Casework tells the plans app which needs each goal meets and which no goal meets."""
    if provider not in _plan_needs:
        _plan_needs.append(provider)


def plan_needs(family, member) -> PlanNeeds:
    """What every registered provider says of ``family``'s needs, for ``member`` (or staff)."""
    meets: dict[int, list[str]] = {}
    uncovered: list[str] = []
    any_uncovered = False
    url = ""
    for provider in _plan_needs:
        found = provider(family, member)
        url = url or found.url
        for goal_id, names in found.meets:
            meets.setdefault(goal_id, []).extend(names)
        uncovered.extend(found.uncovered)
        any_uncovered = any_uncovered or found.any_uncovered
    return PlanNeeds(
        meets=tuple((goal_id, tuple(names)) for goal_id, names in meets.items()),
        uncovered=tuple(uncovered),
        any_uncovered=any_uncovered,
        url=url,
    )


# Closure, step-down and the six months after -------------------------------------------

# How long a family whose work has ended may still read its plan: provider(family) -> the
# last day it may (after it the plan is no longer shown to the family), or None while the
# service works with it. Casework provides it; plans reads it without importing casework.
PlanReadingProvider = Callable[[Any], Any]
_plan_reading: list[PlanReadingProvider] = []


def register_plan_reading_provider(provider: PlanReadingProvider) -> None:
    if provider not in _plan_reading:
        _plan_reading.append(provider)


def plan_readable_until(family) -> Any:
    """The last day (a ``date``) the family may read its plan, or None for no limit."""
    for provider in _plan_reading:
        until = provider(family)
        if until is not None:
            return until
    return None


# Chronology --------------------------------------------------------------------------------

# The family's chronology: every significant event on the family's record, in date order,
# read from the records themselves. Each app that keeps such records registers a provider,
# provider(family, viewer) -> events, and says which kinds of event it gives; the
# provider decides what the viewer may see (a partner: only what the family shared with
# them) and which events link to a page they may open.


@dataclass(frozen=True)
class ChronologyKind:
    slug: str
    label: StrOrPromise
    order: int = 50
    # Whether a partner on the family's team ever sees events of this kind.
    shared_with_partners: bool = False


@dataclass(frozen=True)
class ChronologyViewer:
    """Who is reading a family's chronology: the lead key worker or staff with a reason
    (``sees_all``), or a partner on the team today (their team rows and agency)."""

    user: Any
    sees_all: bool
    team_ids: frozenset[int] = frozenset()
    agency_id: int | None = None


@dataclass(frozen=True)
class ChronologyEvent:
    on: date
    kind: str
    title: str
    detail: str = ""
    # Whom it is about (FamilyMember ids, with their names); none for the whole family.
    member_ids: tuple[int, ...] = ()
    members: tuple[str, ...] = ()
    # Who did it, with their agency.
    by: str = ""
    url: str = ""
    # When in the day, where known, to order one day's events.
    at: datetime | None = None


ChronologyProvider = Callable[[Any, ChronologyViewer], Iterable[ChronologyEvent]]
_chronology_providers: list[ChronologyProvider] = []
_chronology_kinds: dict[str, ChronologyKind] = {}


def register_chronology_provider(
    provider: ChronologyProvider, *, kinds: Iterable[ChronologyKind]
) -> None:
    if provider not in _chronology_providers:
        _chronology_providers.append(provider)
    for kind in kinds:
        _chronology_kinds[kind.slug] = kind


def chronology_kinds() -> list[ChronologyKind]:
    return sorted(_chronology_kinds.values(), key=lambda kind: (kind.order, kind.slug))


def chronology_events(family, viewer: ChronologyViewer) -> list[ChronologyEvent]:
    """Every registered provider's events for ``family`` as ``viewer`` may see them,
    newest first."""
    events = [event for provider in _chronology_providers for event in provider(family, viewer)]
    return sorted(events, key=_chronology_order, reverse=True)


def _chronology_order(event: ChronologyEvent) -> tuple[date, bool, datetime | None, str]:
    return (event.on, event.at is not None, event.at, event.title)
