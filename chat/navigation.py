"""Menu links with live counts, and a panel for managers."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import access
from portal.registry import NavItem, register_nav_item

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
