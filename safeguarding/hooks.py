"""How concerns plug into the core: a menu link, dashboard panels and demo data."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import access as core
from portal.models import Family, FamilyMember
from portal.registry import (
    ChronologyKind,
    DashboardPanel,
    NavItem,
    PeriodicJob,
    register_chronology_provider,
    register_dashboard_panel,
    register_demo_seeder,
    register_nav_item,
    register_periodic_job,
)

from . import access, selectors
from .demo import seed_demo

register_nav_item(
    NavItem(
        key="safeguarding",
        label=_("Concerns"),
        url=lambda user: reverse("safeguarding:list"),
        visible=access.sees_concerns,
        order=55,
    )
)


def _staff_panel(request):
    user = request.user
    if not access.sees_concerns(user) or not core.mfa_passed(user):
        return None
    key_worker = None if core.is_manager(user) else user
    waiting, overdue = selectors.waiting_count(key_worker=key_worker)
    if key_worker is not None and not waiting:
        return None
    return {"waiting": waiting, "overdue": overdue}


def _parent_panel(request):
    # The same for every adult, whether or not they have told us anything: a link that
    # appeared only after telling us would itself tell someone looking at the screen.
    member = core.membership(request.user)
    if member is None or member.relationship == FamilyMember.Relationship.CHILD:
        return None
    return {}


def _family_record_panel(request):
    """On a family's record, staff who work with it can raise a concern from there."""
    user = request.user
    match = getattr(request, "resolver_match", None)
    family_id = match.kwargs.get("family_id") if match else None
    if family_id is None or core.membership(user) is not None or not core.staff_profile(user):
        return None
    family = Family.objects.filter(pk=family_id).first()
    if family is None or not access.may_raise(user, family):
        return None
    return {"family": family}


register_dashboard_panel(
    DashboardPanel(
        key="safeguarding_staff",
        template="safeguarding/panels/staff.html",
        context=_staff_panel,
        order=5,
        audiences=frozenset({"manager", "staff"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="safeguarding_parent",
        template="safeguarding/panels/parent.html",
        context=_parent_panel,
        order=90,
        audiences=frozenset({"parent"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="safeguarding_family_record",
        template="safeguarding/panels/family_record.html",
        context=_family_record_panel,
        order=90,
        audiences=frozenset({"family"}),
    )
)
register_demo_seeder(seed_demo, order=60)


def _escalate_due() -> None:
    from .tasks import concerns_escalate_due

    concerns_escalate_due.enqueue()


register_periodic_job(
    PeriodicJob(
        key="escalate_concerns",
        every_seconds=5 * 60,
        run=_escalate_due,
        command="escalate_concerns",
    )
)
register_chronology_provider(
    selectors.chronology_events,
    kinds=[ChronologyKind("concern", _("Concerns about safety"), 100)],
)
