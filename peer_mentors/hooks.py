"""How peer mentoring plugs into the core: menu links, dashboard panels and demo data."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import access as core
from portal.models import Family
from portal.registry import (
    DashboardPanel,
    NavItem,
    register_dashboard_panel,
    register_demo_seeder,
    register_nav_item,
    register_user_related,
)

from . import access, selectors
from .demo import seed_demo
from .models import Mentor


def _visible_to_families(user) -> bool:
    return access.can_ask_for_mentor(user) or access.can_apply(user)


def _is_mentor(user) -> bool:
    mentor = access.mentor_of(user)
    return mentor is not None and mentor.status != Mentor.Status.STOPPED


# Menus ask on every page whether the signed-in person is a mentor.
register_user_related("peer_mentor")
register_nav_item(
    NavItem(
        key="peer_mentors",
        label=_("Peer mentors"),
        url=lambda user: reverse("peer_mentors:find"),
        visible=_visible_to_families,
        order=30,
    )
)
register_nav_item(
    NavItem(
        key="peer_mentors_mine",
        label=_("Families I support"),
        url=lambda user: reverse("peer_mentors:mentor_home"),
        visible=_is_mentor,
        order=31,
    )
)
register_nav_item(
    NavItem(
        key="peer_mentors_manage",
        label=_("Mentors"),
        url=lambda user: reverse("peer_mentors:manage_list"),
        visible=core.is_manager,
        order=60,
    )
)


def _family_panel(request):
    user = request.user
    if access.can_ask_for_mentor(user):
        family = access.parent_member(user).family
        return {"state": selectors.family_mentor_state(family=family)}
    if access.can_apply(user):
        return {"can_apply": True}
    return None


def _mentor_panel(request):
    mentor = access.mentor_of(request.user)
    if mentor is None or mentor.status == Mentor.Status.STOPPED:
        return None
    home = selectors.mentor_home(mentor=mentor)
    return {"mentor": mentor, "waiting": home["waiting"], "current": home["current"]}


def _manager_panel(request):
    if not core.is_manager(request.user):
        return None
    return selectors.mentors_needing_attention()


def _family_record_panel(request):
    """On a family's record, the key worker sees its mentor and can suggest one."""
    user = request.user
    match = getattr(request, "resolver_match", None)
    family_id = match.kwargs.get("family_id") if match else None  # an int: <id:family_id>
    if not core.is_key_worker(user) or family_id is None:
        return None
    family = Family.objects.filter(pk=family_id).first()
    if family is None or core.relation_to_family(user, family) not in {
        core.Relation.LEAD_KEY_WORKER,
        core.Relation.STAFF_WITH_REASON,
    }:
        return None
    return {"family": family, "state": selectors.family_mentor_state(family=family)}


register_dashboard_panel(
    DashboardPanel(
        key="peer_mentors_family",
        template="peer_mentors/panels/family.html",
        context=_family_panel,
        order=40,
        audiences=frozenset({"parent"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="peer_mentors_mentor",
        template="peer_mentors/panels/mentor.html",
        context=_mentor_panel,
        order=41,
        audiences=frozenset({"parent", "other"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="peer_mentors_manager",
        template="peer_mentors/panels/manager.html",
        context=_manager_panel,
        order=40,
        audiences=frozenset({"manager"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="peer_mentors_family_record",
        template="peer_mentors/panels/family_record.html",
        context=_family_record_panel,
        order=40,
        audiences=frozenset({"family"}),
    )
)
register_demo_seeder(seed_demo, order=40)
