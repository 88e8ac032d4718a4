from django.urls import path

from . import views

app_name = "peer_mentors"

urlpatterns = [
    path("", views.find, name="find"),
    path("mentor/<id:mentor_id>/", views.profile, name="profile"),
    path("mentor/<id:mentor_id>/ask/", views.ask, name="ask"),
    path("matches/<id:match_id>/", views.match_detail, name="match_detail"),
    path("matches/<id:match_id>/respond/", views.match_respond, name="match_respond"),
    path("matches/<id:match_id>/suggestion/", views.match_proposal, name="match_proposal"),
    path("matches/<id:match_id>/withdraw/", views.match_withdraw, name="match_withdraw"),
    path("matches/<id:match_id>/end/", views.match_end, name="match_end"),
    path("matches/<id:match_id>/contacts/", views.contact_create, name="contact_create"),
    path("matches/<id:match_id>/concern/", views.concern_create, name="concern_create"),
    path("apply/", views.apply, name="apply"),
    path("me/", views.mentor_home, name="mentor_home"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("families/<id:family_id>/", views.family_suggestions, name="family_suggestions"),
    path(
        "families/<id:family_id>/propose/<id:mentor_id>/",
        views.family_propose,
        name="family_propose",
    ),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/record/", views.manage_record_application, name="manage_record"),
    path("manage/<id:mentor_id>/", views.manage_detail, name="manage_detail"),
    path("manage/<id:mentor_id>/checks/", views.manage_checks, name="manage_checks"),
    path("manage/<id:mentor_id>/status/", views.manage_status, name="manage_status"),
    path("manage/<id:mentor_id>/notes/", views.manage_note, name="manage_note"),
]
