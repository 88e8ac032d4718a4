from django.urls import path

from . import views

app_name = "peer_mentors"

urlpatterns = [
    path("", views.find, name="find"),
    path("mentor/<str:mentor_id>/", views.profile, name="profile"),
    path("mentor/<str:mentor_id>/ask/", views.ask, name="ask"),
    path("matches/<str:match_id>/", views.match_detail, name="match_detail"),
    path("matches/<str:match_id>/respond/", views.match_respond, name="match_respond"),
    path("matches/<str:match_id>/suggestion/", views.match_proposal, name="match_proposal"),
    path("matches/<str:match_id>/withdraw/", views.match_withdraw, name="match_withdraw"),
    path("matches/<str:match_id>/end/", views.match_end, name="match_end"),
    path("matches/<str:match_id>/contacts/", views.contact_create, name="contact_create"),
    path("matches/<str:match_id>/concern/", views.concern_create, name="concern_create"),
    path("concerns/<str:concern_id>/", views.concern_detail, name="concern_detail"),
    path("concerns/<str:concern_id>/seen/", views.concern_seen, name="concern_seen"),
    path("apply/", views.apply, name="apply"),
    path("me/", views.mentor_home, name="mentor_home"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("families/<str:family_id>/", views.family_suggestions, name="family_suggestions"),
    path(
        "families/<str:family_id>/propose/<str:mentor_id>/",
        views.family_propose,
        name="family_propose",
    ),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/record/", views.manage_record_application, name="manage_record"),
    path("manage/<str:mentor_id>/", views.manage_detail, name="manage_detail"),
    path("manage/<str:mentor_id>/checks/", views.manage_checks, name="manage_checks"),
    path("manage/<str:mentor_id>/status/", views.manage_status, name="manage_status"),
    path("manage/<str:mentor_id>/notes/", views.manage_note, name="manage_note"),
]
