from django.conf import settings

from . import access
from .registry import nav_items


def portal(request):
    user = getattr(request, "user", None)
    is_staff = access.staff_profile(user) is not None if user else False
    items = []
    if user is not None:
        signed_in = user.is_authenticated
        for item in nav_items():
            if not (signed_in or item.visitors) or not item.visible(user):
                continue
            url = item.url(user)
            items.append(
                {
                    "label": item.label,
                    "url": url,
                    "current": request.path == url
                    or (url != "/" and len(url) > 1 and request.path.startswith(url)),
                    "badge": item.badge(user) if item.badge else 0,
                    "badge_name": item.badge_name,
                }
            )
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phone": settings.SERVICE_PHONE,
        "emergency_text": settings.EMERGENCY_TEXT,
        "nav_items": items,
        # The live socket, for everyone signed in but staff before two-step sign-in (the
        # socket would refuse them, so the page does not try).
        "live_updates": bool(
            user is not None
            and user.is_authenticated
            and not (access.needs_mfa(user) and not access.mfa_passed(user))
        ),
        # Staff never need to hide the portal in a hurry; families and visitors might.
        "show_exit_this_page": not is_staff,
    }
