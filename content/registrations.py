"""Menu links and dashboard panels the content app adds to the portal."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import access as portal_access
from portal.registry import (
    DashboardPanel,
    NavItem,
    PeriodicJob,
    register_dashboard_panel,
    register_nav_item,
    register_periodic_job,
)

from . import access, selectors


def _is_family(user) -> bool:
    # Not staff: the staff profile is already loaded for every page, so this costs no query.
    return portal_access.staff_profile(user) is None


register_nav_item(
    NavItem(
        key="groups",
        label=_("Groups"),
        url=lambda user: reverse("content:groups"),
        visible=_is_family,
        order=40,
        visitors=True,
    )
)
register_nav_item(
    NavItem(
        key="help",
        label=_("Help and advice"),
        url=lambda user: reverse("content:help"),
        visible=_is_family,
        order=45,
        visitors=True,
    )
)
register_nav_item(
    NavItem(
        key="local_services",
        label=_("Local services"),
        url=lambda user: reverse("content:service_list"),
        visible=lambda user: not user.is_authenticated,
        order=46,
        visitors=True,
    )
)
register_nav_item(
    NavItem(
        key="registers",
        label=_("Group registers"),
        url=lambda user: reverse("content:register_list"),
        visible=access.can_take_attendance,
        order=80,
    )
)


def _bookings_panel(request) -> dict | None:
    member = access.booker(request.user)
    if member is None:
        return None
    return {
        "bookings": selectors.next_bookings(member=member),
        "for_dads": selectors.for_dads(user=request.user),
    }


def _invite_panel(request) -> dict | None:
    """On a family's record, a key worker can invite a dad in the family to a group."""
    if not portal_access.is_key_worker(request.user):
        return None
    match = getattr(request, "resolver_match", None)
    family_id = match.kwargs.get("family_id") if match else None
    if family_id is None:
        return None
    return {"url": reverse("content:session_invite", kwargs={"family_id": family_id})}


register_dashboard_panel(
    DashboardPanel(
        key="content_bookings",
        template="content/panels/bookings.html",
        context=_bookings_panel,
        order=40,
        audiences=frozenset({"parent"}),
    )
)
register_dashboard_panel(
    DashboardPanel(
        key="content_invite_dad",
        template="content/panels/invite_dad.html",
        context=_invite_panel,
        order=60,
        audiences=frozenset({"family"}),
    )
)


def _reminders_due() -> None:
    from .tasks import reminders_due_send

    reminders_due_send.enqueue()


register_periodic_job(
    PeriodicJob(
        key="send_session_reminders",
        every_seconds=60 * 60,
        run=_reminders_due,
        command="send_session_reminders",
    )
)
