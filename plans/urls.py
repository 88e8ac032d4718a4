from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan, name="plan"),
    path("print/", views.print_plan, name="print"),
    path("sharing/", views.sharing, name="sharing"),
    path("signatories/", views.signatories, name="signatories"),
    path("plain-english/", views.plain_english_check, name="plain_english_check"),
    path("family/<id:family_id>/", views.family_plan, name="family_plan"),
    path("family/<id:family_id>/start/", views.plan_start, name="plan_start"),
    path("family/<id:family_id>/about/", views.about_save, name="about_save"),
    path("family/<id:family_id>/goals/new/", views.goal_new, name="goal_new"),
    path("family/<id:family_id>/goals/save/", views.goal_save, name="goal_save"),
    path("family/<id:family_id>/suggest/", views.suggest, name="suggest"),
    path("family/<id:family_id>/comments/", views.comment_add, name="comment_add"),
    path("family/<id:family_id>/agree/", views.agree, name="agree"),
    path("family/<id:family_id>/print/", views.family_print, name="family_print"),
    path("family/<id:family_id>/versions/", views.versions, name="versions"),
    path("family/<id:family_id>/versions/compare/", views.version_diff, name="version_diff"),
    path(
        "family/<id:family_id>/versions/<id:number>/",
        views.version_detail,
        name="version_detail",
    ),
    path("family/<id:family_id>/reviews/date/", views.review_schedule, name="review_schedule"),
    path("family/<id:family_id>/reviews/start/", views.review_start, name="review_start"),
    path("reviews/<id:review_id>/", views.review, name="review"),
    path("goals/<id:goal_id>/", views.goal_detail, name="goal"),
    path("goals/<id:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<id:goal_id>/remove/", views.goal_remove, name="goal_remove"),
    path("goals/<id:goal_id>/steps/new/", views.step_new, name="step_new"),
    path("goals/<id:goal_id>/steps/save/", views.step_save, name="step_save"),
    path("steps/<id:step_id>/edit/", views.step_edit, name="step_edit"),
    path("steps/<id:step_id>/done/", views.step_done, name="step_done"),
    path(
        "suggestions/<id:suggestion_id>/accept/", views.suggestion_accept, name="suggestion_accept"
    ),
    path(
        "suggestions/<id:suggestion_id>/decline/",
        views.suggestion_decline,
        name="suggestion_decline",
    ),
    path("library/", views.templates, name="templates"),
    path("library/new/", views.template_edit, name="template_new"),
    path("library/<id:template_id>/edit/", views.template_edit, name="template_edit"),
    path("manage/outcomes/", views.manage_outcomes, name="manage_outcomes"),
    path("manage/outcomes/new/", views.outcome_edit, name="outcome_new"),
    path("manage/outcomes/<id:area_id>/", views.outcome_edit, name="outcome_edit"),
    path("manage/jargon/", views.manage_jargon, name="manage_jargon"),
    path("manage/jargon/new/", views.jargon_edit, name="jargon_new"),
    path("manage/jargon/<id:term_id>/", views.jargon_edit, name="jargon_edit"),
]
