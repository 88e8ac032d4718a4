from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from content import routing as content_routing

from . import views
from .access import public

portal_patterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("families/new/", views.family_create, name="family_create"),
    path("families/<id:family_id>/", views.family_detail, name="family_detail"),
    path("families/<id:family_id>/lead/", views.family_lead_transfer, name="lead_transfer"),
    path("families/<id:family_id>/team/", views.family_team, name="family_team"),
    path("families/<id:family_id>/team/add/", views.team_add, name="team_add"),
    path(
        "families/<id:family_id>/team/<id:membership_id>/",
        views.team_edit,
        name="team_edit",
    ),
    path(
        "families/<id:family_id>/team/<id:membership_id>/remove/",
        views.team_remove,
        name="team_remove",
    ),
    path("agencies/", views.agencies, name="agencies"),
    path("agencies/<id:agency_id>/", views.agency_edit, name="agency_edit"),
    path("families/<id:family_id>/invite/", views.family_invite, name="family_invite"),
    path(
        "families/<id:family_id>/members/", views.family_member_create, name="family_member_create"
    ),
    path("families/<id:family_id>/reason/", views.family_reason, name="family_reason"),
    path(
        "families/<id:family_id>/members/<id:member_id>/safe-word/",
        views.family_safe_word,
        name="family_safe_word",
    ),
    path(
        "families/<id:family_id>/members/<id:member_id>/remove/",
        views.family_member_remove,
        name="family_member_remove",
    ),
    path("safe-contact/", views.safe_contact, name="safe_contact"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("exit/", views.exit_page, name="exit"),
    path("audit/", views.audit_trail, name="audit_trail"),
    path(
        "accessibility/",
        public(TemplateView.as_view(template_name="portal/accessibility.html")),
        name="accessibility",
    ),
    path(
        "privacy/",
        public(TemplateView.as_view(template_name="portal/privacy.html")),
        name="privacy",
    ),
]

# Every sign-in goes through allauth (its rate limits, then the code from the authenticator
# app): the login and password-reset pages of the Django admin and Wagtail send people
# there. These come before the admin sites' own patterns, so they are the ones that answer.
sign_in_elsewhere = [
    path("cms/login/", views.sign_in_elsewhere),
    path("cms/password_reset/", views.sign_in_elsewhere, {"to": "account_reset_password"}),
    path(
        "cms/password_reset/<path:rest>",
        views.sign_in_elsewhere,
        {"to": "account_reset_password"},
    ),
    path("django-admin/login/", views.sign_in_elsewhere),
    path("_util/login/", views.sign_in_elsewhere),
]

handler400 = "portal.views.bad_request"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for this whatever the page says; the portal's own icon, not a crown.
    path("favicon.ico", views.favicon),
    *sign_in_elsewhere,
    path("", include((portal_patterns, "portal"))),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("chat.notification_urls")),
    path("plans/", include("plans.urls")),
    path("mentors/", include("peer_mentors.urls")),
    path("messages/", include("chat.urls")),
    path("concerns/", include("safeguarding.urls")),
    path("casework/", include("casework.urls")),
    path("", include("content.urls")),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if not settings.PRODUCTION:
    # The embedded portal serves the CMS's images itself (public content only); in
    # production the proxy does.

    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", views.embedded_media))

# Wagtail serves the content pages (home, resources, sessions) from the site root, last,
# through the content app's router (the same pages, found by queries compiled once).
urlpatterns += [
    path("", include([url for url in wagtail_urls.urlpatterns if url.name != "wagtail_serve"])),
    re_path(wagtail_urls.serve_pattern, content_routing.serve, name="wagtail_serve"),
]
