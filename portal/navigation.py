"""The core's menu links."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import access
from .registry import NavItem, register_nav_item

register_nav_item(
    NavItem(
        key="dashboard",
        label=_("Home"),
        url=lambda user: reverse("portal:dashboard") if user.is_authenticated else "/",
        visible=lambda user: True,
        order=0,
        visitors=True,
    )
)
register_nav_item(
    NavItem(
        key="sign_in",
        label=_("Sign in"),
        url=lambda user: reverse("account_login"),
        visible=lambda user: not user.is_authenticated,
        order=99,
        visitors=True,
    )
)


def _adult_member(user) -> bool:
    member = access.membership(user)
    return member is not None and member.is_adult


def _team_url(user) -> str:
    member = access.membership(user)
    return reverse("portal:family_team", args=[member.family_id]) if member else ""


register_nav_item(
    NavItem(
        key="team",
        label=_("Your team"),
        url=_team_url,
        visible=_adult_member,
        order=40,
    )
)
register_nav_item(
    NavItem(
        key="agencies",
        label=_("Agencies"),
        url=lambda user: reverse("portal:agencies"),
        visible=access.is_manager,
        order=75,
    )
)
register_nav_item(
    NavItem(
        key="audit",
        label=_("Audit trail"),
        url=lambda user: reverse("portal:audit_trail"),
        visible=access.is_manager,
        order=80,
    )
)
register_nav_item(
    NavItem(
        key="cms",
        label=_("Edit the website"),
        url=lambda user: "/cms/",
        visible=lambda user: access.is_editor(user) or access.is_manager(user),
        order=90,
    )
)
