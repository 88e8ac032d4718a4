from django.urls import path, re_path

from . import views

app_name = "content"

# Open Referral UK paths have no trailing slash; accept one too.
oruk = [
    re_path(r"^openreferral/?$", views.oruk_root, name="oruk_root"),
    re_path(r"^openreferral/services/?$", views.oruk_services, name="oruk_services"),
    re_path(
        r"^openreferral/services/(?P<service_id>[0-9a-fA-F-]{36})/?$",
        views.oruk_service,
        name="oruk_service",
    ),
    re_path(r"^openreferral/taxonomies/?$", views.oruk_taxonomies, name="oruk_taxonomies"),
    re_path(
        r"^openreferral/taxonomy_terms/?$", views.oruk_taxonomy_terms, name="oruk_taxonomy_terms"
    ),
    # The standard's own paths sit at the API root; these answer there too.
    re_path(r"^taxonomies/?$", views.oruk_taxonomies, name="oruk_taxonomies_root"),
    re_path(r"^taxonomy_terms/?$", views.oruk_taxonomy_terms, name="oruk_taxonomy_terms_root"),
]

urlpatterns = [
    *oruk,
    path("groups/", views.groups, name="groups"),
    path("help/", views.help_and_advice, name="help"),
    path("search/", views.search, name="search"),
    path("local-services/", views.service_list, name="service_list"),
    path("local-services/<id:service_id>/", views.service_detail, name="service_detail"),
    path("bookings/", views.booking_list, name="booking_list"),
    path("bookings/book/<id:occurrence_id>/", views.booking_create, name="booking_create"),
    path("bookings/<id:booking_id>/", views.booking_detail, name="booking_detail"),
    path("bookings/<id:booking_id>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<id:booking_id>/calendar.ics", views.booking_ics, name="booking_ics"),
    path("registers/", views.register_list, name="register_list"),
    path("registers/<id:occurrence_id>/", views.register, name="register"),
    path("families/<id:family_id>/invite-to-group/", views.session_invite, name="session_invite"),
]
