"""What the plans app adds to the core: menu, dashboard panels, family needs, the jargon
list for the plain-English checker, and demo data."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import access as core
from portal import registry
from portal.models import Family
from portal.registry import (
    ChronologyKind,
    DashboardPanel,
    NavItem,
    register_chronology_provider,
    register_dashboard_panel,
    register_demo_seeder,
    register_family_needs_provider,
    register_jargon_provider,
    register_nav_item,
    register_team_sight_provider,
)

from . import selectors
from .models import Plan


def _parent_panel(request):
    member = core.membership(request.user)
    if member is None:
        return None
    panel = selectors.parent_next_steps(family=member.family, user=request.user)
    finished = member.family.status in {Family.Status.CLOSED, Family.Status.STEPPED_DOWN}
    if finished and not panel.get("plan"):
        # A family that has finished (a peer mentor's own, say) is not asked to start one.
        return None
    until = registry.plan_readable_until(member.family) if finished else None
    if until is not None and timezone.localdate() > until:
        return None  # its time to read the plan has ended too
    return panel


def _family_panel(request):
    match = getattr(request, "resolver_match", None)
    family_id = match.kwargs.get("family_id") if match else None  # an int: <id:family_id>
    if family_id is None:
        return None
    plan = Plan.objects.filter(family_id=family_id).first()
    member = core.membership(request.user)
    if member is not None and member.family_id == family_id:
        url = reverse("plans:plan")
    else:
        url = reverse("plans:family_plan", kwargs={"family_id": family_id})
    if plan is None and not (
        member or core.is_key_worker(request.user) or core.is_manager(request.user)
    ):
        return None
    return {"plan": plan, "url": url}


def _staff_panel(request):
    if not core.is_key_worker(request.user):
        return None
    return {"plans": selectors.staff_plans_needing_attention(user=request.user)}


def _manager_panel(request):
    if not core.is_manager(request.user):
        return None
    return {}


def register() -> None:
    register_nav_item(
        NavItem(
            key="plans",
            label=_("Our plan"),
            url=lambda user: reverse("plans:plan"),
            visible=lambda user: core.membership(user) is not None,
            order=10,
        )
    )
    register_dashboard_panel(
        DashboardPanel(
            key="plans_parent",
            template="plans/panels/parent.html",
            context=_parent_panel,
            order=10,
            audiences=frozenset({"parent"}),
        )
    )
    register_dashboard_panel(
        DashboardPanel(
            key="plans_family",
            template="plans/panels/family.html",
            context=_family_panel,
            order=10,
            audiences=frozenset({"family"}),
        )
    )
    register_dashboard_panel(
        DashboardPanel(
            key="plans_staff",
            template="plans/panels/staff.html",
            context=_staff_panel,
            order=10,
            audiences=frozenset({"staff"}),
        )
    )
    register_dashboard_panel(
        DashboardPanel(
            key="plans_manager",
            template="plans/panels/manager.html",
            context=_manager_panel,
            order=30,
            audiences=frozenset({"manager"}),
        )
    )
    register_family_needs_provider(selectors.family_outcome_slugs)
    register_jargon_provider(selectors.active_jargon)
    from .demo import seed, seed_library_links

    register_demo_seeder(seed, order=10)
    # After the directory (content's seeder, 60): ideas link the services that deliver them.
    register_demo_seeder(seed_library_links, order=70)


register_team_sight_provider(selectors.team_sight)
register_chronology_provider(
    selectors.chronology_events,
    kinds=[
        ChronologyKind("plan", _("Plan agreed"), 70, shared_with_partners=True),
        ChronologyKind("review", _("Plan reviews"), 75, shared_with_partners=True),
    ],
)
