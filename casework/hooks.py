"""How casework plugs into the core: menu links, dashboard panels, periodic jobs and demo data."""

from __future__ import annotations

from peer_mentors import selectors as mentor_selectors
from portal import access as core
from portal.models import Family
from portal.registry import DashboardPanel, register_dashboard_panel, register_demo_seeder

from . import access, selectors
from .demo import seed_demo


def _family_record_panel(request):
    """On a family's record, its key worker (or staff with a reason) arranges meetings and
    books appointments, and sees what is to come."""
    match = getattr(request, "resolver_match", None)
    family_id = match.kwargs.get("family_id") if match else None  # an int: <id:family_id>
    if family_id is None or not core.staff_profile(request.user):
        return None
    family = Family.objects.filter(pk=family_id).first()
    if family is None or not access.may_manage(request.user, family):
        return None
    return {"family": family, **selectors.for_family_record(family=family)}


def _parent_panel(request):
    member = core.membership(request.user)
    if member is None or access.adult_of(request.user, member.family) is None:
        return None
    return selectors.upcoming_for_family(family=member.family)


def _mentor_panel(request):
    if not mentor_selectors.has_mentor_record(request.user):
        return None
    appointments = selectors.mentor_appointments(user=request.user)
    return {"appointments": appointments} if appointments else None


def _staff_panel(request):
    user = request.user
    if not core.is_key_worker(user) or not core.mfa_passed(user):
        return None
    return selectors.upcoming_for_key_worker(user=user)


register_dashboard_panel(
    DashboardPanel(
        key="casework_family_record",
        template="casework/panels/family_record.html",
        context=_family_record_panel,
        order=30,
        audiences=frozenset({"family"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_parent",
        template="casework/panels/parent.html",
        context=_parent_panel,
        order=20,
        audiences=frozenset({"parent"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_mentor",
        template="casework/panels/mentor.html",
        context=_mentor_panel,
        order=42,
        audiences=frozenset({"parent", "other"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_staff",
        template="casework/panels/staff.html",
        context=_staff_panel,
        order=20,
        audiences=frozenset({"staff"}),
    )
)
register_demo_seeder(seed_demo, order=70)
