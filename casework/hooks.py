"""How casework plugs into the core: menu links, dashboard panels, periodic jobs and demo data."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peer_mentors import selectors as mentor_selectors
from portal import access as core
from portal.models import Family
from portal.registry import (
    DashboardPanel,
    NavItem,
    PeriodicJob,
    register_chronology_provider,
    register_dashboard_panel,
    register_demo_seeder,
    register_family_opened,
    register_nav_item,
    register_periodic_job,
    register_plan_needs_provider,
    register_plan_reading_provider,
)

from . import access, selectors
from .demo import (
    seed_chronology_demo,
    seed_closure_demo,
    seed_meetings_demo,
    seed_needs_demo,
    seed_records_demo,
    seed_referrals_demo,
)
from .models import Episode
from .services import closure as closure_services
from .services.journey import episode_open, open_episode


def _page_family(request) -> Family | None:
    """The family whose record this page is, for staff: looked up once for every panel."""
    match = getattr(request, "resolver_match", None)
    family_id = match.kwargs.get("family_id") if match else None  # an int: <id:family_id>
    if family_id is None or not core.staff_profile(request.user):
        return None
    if not hasattr(request, "_casework_family"):
        request._casework_family = Family.objects.filter(pk=family_id).first()
    return request._casework_family


def _managed_family(request) -> Family | None:
    """The page's family, if the person may manage it (its key worker, or staff with a
    reason); asked once for every panel."""
    family = _page_family(request)
    if family is None:
        return None
    if not hasattr(request, "_casework_manages"):
        request._casework_manages = access.may_manage(request.user, family)
    return family if request._casework_manages else None


def _records_family_record_panel(request):
    """On a family's record, staff who may read its agency records find them from there."""
    user = request.user
    family = _page_family(request)
    if family is None or core.membership(user) is not None:
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


def _records_parent_panel(request):
    member = core.membership(request.user)
    if member is None or not member.is_adult:
        return None
    return {}


def _records_manager_panel(request):
    return {} if core.is_manager(request.user) and core.mfa_passed(request.user) else None


def _records_partner_panel(request):
    return {} if core.is_partner(request.user) and core.mfa_passed(request.user) else None


register_dashboard_panel(
    DashboardPanel(
        key="casework_records_family_record",
        template="casework/panels/records_family_record.html",
        context=_records_family_record_panel,
        order=40,
        audiences=frozenset({"family"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_records_parent",
        template="casework/panels/records_parent.html",
        context=_records_parent_panel,
        order=80,
        audiences=frozenset({"parent"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_records_manager",
        template="casework/panels/manager.html",
        context=_records_manager_panel,
        order=80,
        audiences=frozenset({"manager"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_records_partner",
        template="casework/panels/partner.html",
        context=_records_partner_panel,
        order=80,
        audiences=frozenset({"staff"}),
    )
)
register_demo_seeder(seed_records_demo, order=70)


def _family_record_panel(request):
    """On a family's record, its key worker (or staff with a reason) arranges meetings and
    books appointments, and sees what is to come."""
    family = _managed_family(request)
    if family is None:
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
register_demo_seeder(seed_meetings_demo, order=71)


# Referrals


def _referrals_manager_panel(request):
    if not access.may_decide_referrals(request.user):
        return None
    return {"waiting": selectors.referrals_waiting_count()}


def _referrals_staff_panel(request):
    user = request.user
    if core.is_manager(user) or not access.may_refer(user) or not core.mfa_passed(user):
        return None
    return {}


def _referrals_family_record_panel(request):
    """On a family's record, the staff who manage it find the referrals that brought it."""
    family = _managed_family(request)
    if family is None:
        return None
    found = selectors.referrals_for_family(family=family)
    return {"referrals": found} if found else None


def _family_opened(*, family, actor) -> None:
    """A key worker who adds a family from "Add a family" starts working with it."""
    if open_episode(family) is None:
        episode_open(family=family, actor=actor)


register_dashboard_panel(
    DashboardPanel(
        key="casework_referrals_manager",
        template="casework/panels/referrals_manager.html",
        context=_referrals_manager_panel,
        order=15,
        audiences=frozenset({"manager"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_referrals_family_record",
        template="casework/panels/referrals_family_record.html",
        context=_referrals_family_record_panel,
        order=25,
        audiences=frozenset({"family"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_referrals_staff",
        template="casework/panels/referrals_staff.html",
        context=_referrals_staff_panel,
        order=85,
        audiences=frozenset({"staff"}),
    )
)
register_nav_item(
    NavItem(
        key="ask_for_help",
        label=_("Ask for help"),
        url=lambda user: reverse("casework:ask_for_help"),
        visible=lambda user: not user.is_authenticated,
        order=47,
        visitors=True,
    )
)
register_nav_item(
    NavItem(
        key="referrals",
        label=_("Referrals"),
        url=lambda user: reverse(
            "casework:referral_queue" if core.is_manager(user) else "casework:referrals_mine"
        ),
        visible=lambda user: core.is_manager(user) or core.is_partner(user),
        order=60,
    )
)
register_family_opened(_family_opened)
register_demo_seeder(seed_referrals_demo, order=65)


# Assessment and needs


def _needs_family_record_panel(request):
    """On a family's record, its key worker (or staff with a reason) finds the assessment."""
    family = _managed_family(request)
    if family is None:
        return None
    return {"family": family, **selectors.needs_summary(family=family)}


def _needs_parent_panel(request):
    member = core.membership(request.user)
    if member is None or access.adult_of(request.user, member.family) is None:
        return None
    return {}


def _needs_manager_panel(request):
    return {} if core.is_manager(request.user) and core.mfa_passed(request.user) else None


register_dashboard_panel(
    DashboardPanel(
        key="casework_needs_family_record",
        template="casework/panels/needs_family_record.html",
        context=_needs_family_record_panel,
        order=25,
        audiences=frozenset({"family"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_needs_parent",
        template="casework/panels/needs_parent.html",
        context=_needs_parent_panel,
        order=81,
        audiences=frozenset({"parent"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_needs_manager",
        template="casework/panels/needs_manager.html",
        context=_needs_manager_panel,
        order=81,
        audiences=frozenset({"manager"}),
    )
)
register_plan_needs_provider(selectors.plan_needs)
# After the records (70), whose attendance figures are the needs' starting points.
register_demo_seeder(seed_needs_demo, order=75)


# Closure, step-down and the six months after


def _closure_family_record_panel(request):
    """On a family's record, its key worker sees the work open (to close it) or closed."""
    family = _managed_family(request)
    if family is None:
        return None
    episode = Episode.objects.filter(family=family).order_by("-opened_on", "-id").first()
    return {"family": family, "episode": episode} if episode is not None else None


def _closure_parent_panel(request):
    """A closed family's adults read the closing summary and what changed."""
    member = core.membership(request.user)
    if member is None or member.family.status not in FINISHED:
        return None
    try:
        episode, member = access.own_closed_episode(request.user)
    except Http404:
        return None
    return selectors.closed_for_family(episode=episode, member=member)


def _closure_staff_panel(request):
    user = request.user
    if not (core.is_key_worker(user) or core.is_manager(user)) or not core.mfa_passed(user):
        return None
    rows = selectors.six_month_rows(key_worker=None if core.is_manager(user) else user, limit=5)
    return {"rows": rows} if rows else None


def _sustain_check_enqueue() -> None:
    from .tasks import casework_sustain_check

    casework_sustain_check.enqueue()


FINISHED = frozenset({Family.Status.CLOSED, Family.Status.STEPPED_DOWN})

register_dashboard_panel(
    DashboardPanel(
        key="casework_closure_family_record",
        template="casework/panels/closure_family_record.html",
        context=_closure_family_record_panel,
        order=25,
        audiences=frozenset({"family"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_closure_parent",
        template="casework/panels/closure_parent.html",
        context=_closure_parent_panel,
        order=15,
        audiences=frozenset({"parent"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_closure_staff",
        template="casework/panels/closure_staff.html",
        context=_closure_staff_panel,
        order=22,
        audiences=frozenset({"staff", "manager"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="casework_closure_manager",
        template="casework/panels/closure_manager.html",
        context=_records_manager_panel,
        order=82,
        audiences=frozenset({"manager"}),
    )
)
register_plan_reading_provider(closure_services.plan_readable_until)
register_periodic_job(
    PeriodicJob(
        key="casework_sustain_check",
        every_seconds=24 * 60 * 60,
        run=_sustain_check_enqueue,
        command="check_sustained_needs",
    )
)
register_demo_seeder(seed_closure_demo, order=75)


# Chronology


def _chronology_family_record_panel(request):
    """On a family's record, the staff who may read its chronology find it from there."""
    user = request.user
    family = _page_family(request)
    if family is None or core.membership(user) is not None:
        return None
    if not access.may_see_chronology(user, family):
        return None
    return {"family": family}


register_dashboard_panel(
    DashboardPanel(
        key="casework_chronology_family_record",
        template="casework/chronology/panel.html",
        context=_chronology_family_record_panel,
        order=45,
        audiences=frozenset({"family"}),
    )
)
register_chronology_provider(selectors.chronology_events, kinds=selectors.CHRONOLOGY_KINDS)
# Last: the chronology's own entries sit beside what every other seeder made.
register_demo_seeder(seed_chronology_demo, order=80)
