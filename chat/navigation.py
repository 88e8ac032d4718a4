"""Menu links with live counts, and a panel for managers."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import access
from portal.registry import (
    DashboardPanel,
    NavItem,
    PeriodicJob,
    register_dashboard_panel,
    register_nav_item,
    register_periodic_job,
)

from . import access as chat_access
from . import selectors


def _may_message(user) -> bool:
    if access.membership(user) is not None or access.is_key_worker(user):
        return True
    return user.chat_participations.filter(left_at__isnull=True).exists()


register_nav_item(
    NavItem(
        key="messages",
        label=_("Messages"),
        url=lambda user: reverse("chat:inbox"),
        visible=_may_message,
        order=40,
        badge=lambda user: selectors.unread_counts_for_page(user).messages,
        badge_name="messages",
    )
)
register_nav_item(
    NavItem(
        key="notifications",
        label=_("Notifications"),
        url=lambda user: reverse("notifications:list"),
        visible=lambda user: True,
        order=80,
        badge=lambda user: selectors.unread_counts_for_page(user).notifications,
        badge_name="notifications",
    )
)


def _cover_panel(request):
    if not access.is_manager(request.user):
        return None
    return {
        "duty": selectors.duty_today(),
        "rota_url": reverse("chat:rota"),
        "waiting_count": len(selectors.unanswered_conversations()),
        "waiting_url": reverse("chat:unanswered"),
    }


register_dashboard_panel(
    DashboardPanel(
        key="chat_cover",
        template="chat/includes/cover_panel.html",
        context=_cover_panel,
        order=61,
        audiences=frozenset({"manager"}),
    )
)


def _team_panel(request):
    """On a family's record: its key worker (or whoever covers them) and its mentor reach
    their conversation; the family's own adults are told it exists, and nothing more."""
    match = getattr(request, "resolver_match", None)
    family_id = match.kwargs.get("family_id") if match else None  # an int: <id:family_id>
    user = request.user
    if family_id is None or not user.is_authenticated:
        return None
    member = access.membership(user)
    if member is not None and member.family_id == family_id:
        names = selectors.team_mentor_names(family_id=family_id)
        return {"team_mentors": names} if names else None
    try:
        conversation = chat_access.team_conversation_for_user(user, family_id)
    except Http404:
        return None
    return {"conversation": conversation}


register_dashboard_panel(
    DashboardPanel(
        key="chat_team",
        template="chat/includes/team_panel.html",
        context=_team_panel,
        order=41,
        audiences=frozenset({"family"}),
    )
)


def _cover_sweep() -> None:
    from .tasks import cover_sweep

    cover_sweep.enqueue()


# Every minute: a lead key worker's hours end (or leave starts) at a time of day, and
# their families' messages must reach the duty key worker from then, not a quarter of an
# hour later. The sweep is a few indexed queries (about 0.3 s for 1,000 families).
register_periodic_job(
    PeriodicJob(key="cover_sweep", every_seconds=60, run=_cover_sweep, command="cover_sweep")
)
