from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan, name="plan"),
    path("print/", views.print_plan, name="print"),
    path("sharing/", views.sharing, name="sharing"),
    path("signatories/", views.signatories, name="signatories"),
    path("plain-english/", views.plain_english_check, name="plain_english_check"),
    path("family/<str:family_id>/", views.family_plan, name="family_plan"),
    path("family/<str:family_id>/start/", views.plan_start, name="plan_start"),
    path("family/<str:family_id>/about/", views.about_save, name="about_save"),
    path("family/<str:family_id>/goals/new/", views.goal_new, name="goal_new"),
    path("family/<str:family_id>/goals/save/", views.goal_save, name="goal_save"),
    path("family/<str:family_id>/suggest/", views.suggest, name="suggest"),
    path("family/<str:family_id>/comments/", views.comment_add, name="comment_add"),
    path("family/<str:family_id>/agree/", views.agree, name="agree"),
    path("family/<str:family_id>/print/", views.family_print, name="family_print"),
    path("family/<str:family_id>/versions/", views.versions, name="versions"),
    path("family/<str:family_id>/versions/compare/", views.version_diff, name="version_diff"),
    path(
        "family/<str:family_id>/versions/<str:number>/",
        views.version_detail,
        name="version_detail",
    ),
    path("family/<str:family_id>/reviews/date/", views.review_schedule, name="review_schedule"),
    path("family/<str:family_id>/reviews/start/", views.review_start, name="review_start"),
    path("reviews/<str:review_id>/", views.review, name="review"),
    path("goals/<int:goal_id>/", views.goal_detail, name="goal"),
    path("goals/<str:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<str:goal_id>/remove/", views.goal_remove, name="goal_remove"),
    path("goals/<str:goal_id>/steps/new/", views.step_new, name="step_new"),
    path("goals/<str:goal_id>/steps/save/", views.step_save, name="step_save"),
    path("steps/<str:step_id>/edit/", views.step_edit, name="step_edit"),
    path("steps/<str:step_id>/done/", views.step_done, name="step_done"),
    path(
        "suggestions/<str:suggestion_id>/accept/", views.suggestion_accept, name="suggestion_accept"
    ),
    path(
        "suggestions/<str:suggestion_id>/decline/",
        views.suggestion_decline,
        name="suggestion_decline",
    ),
    path("library/", views.templates, name="templates"),
    path("library/new/", views.template_edit, name="template_new"),
    path("library/<int:template_id>/edit/", views.template_edit, name="template_edit"),
    path("manage/outcomes/", views.manage_outcomes, name="manage_outcomes"),
    path("manage/outcomes/new/", views.outcome_edit, name="outcome_new"),
    path("manage/outcomes/<int:area_id>/", views.outcome_edit, name="outcome_edit"),
    path("manage/jargon/", views.manage_jargon, name="manage_jargon"),
    path("manage/jargon/new/", views.jargon_edit, name="jargon_new"),
    path("manage/jargon/<int:term_id>/", views.jargon_edit, name="jargon_edit"),
]
