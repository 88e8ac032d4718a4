"""How casework plugs into the core: menu links, dashboard panels, periodic jobs and demo data."""

from __future__ import annotations

from portal import access as core
from portal.models import Family
from portal.registry import DashboardPanel, register_dashboard_panel, register_demo_seeder

from .demo import seed_demo


def _family_record_panel(request):
    """On a family's record, staff who may read its agency records find them from there."""
    user = request.user
    match = getattr(request, "resolver_match", None)
    family_id = match.kwargs.get("family_id") if match else None
    if family_id is None or core.membership(user) is not None or not core.staff_profile(user):
        return None
    family = Family.objects.filter(pk=family_id).first()
    if family is None:
        return None
    relation = core.relation_to_family(user, family)
    if relation not in core.STAFF_RELATIONS:
        return None
    can_record = False
    if relation is core.Relation.PARTNER:
        from . import access

        found = access.records_access(
            user, family, family_access=core.FamilyAccess(family=family, relation=relation)
        )
        can_record = bool(found.recordable_kinds())
    return {"family": family, "can_record": can_record}


def _parent_panel(request):
    member = core.membership(request.user)
    if member is None or not member.is_adult:
        return None
    return {}


def _manager_panel(request):
    return {} if core.is_manager(request.user) and core.mfa_passed(request.user) else None


def _partner_panel(request):
    return {} if core.is_partner(request.user) and core.mfa_passed(request.user) else None


register_dashboard_panel(
    DashboardPanel(
        key="casework_records_family_record",
        template="casework/panels/family_record.html",
        context=_family_record_panel,
        order=40,
        audiences=frozenset({"family"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_records_parent",
        template="casework/panels/parent.html",
        context=_parent_panel,
        order=80,
        audiences=frozenset({"parent"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_records_manager",
        template="casework/panels/manager.html",
        context=_manager_panel,
        order=80,
        audiences=frozenset({"manager"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_records_partner",
        template="casework/panels/partner.html",
        context=_partner_panel,
        order=80,
        audiences=frozenset({"staff"}),
    )
)
register_demo_seeder(seed_demo, order=70)
