from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("working-hours/", views.working_hours, name="working_hours"),
    path("leave/", views.leave, name="leave"),
    path("leave/<id:leave_id>/delete/", views.leave_delete, name="leave_delete"),
    path("rota/", views.rota, name="rota"),
    path("unanswered/", views.unanswered, name="unanswered"),
    path("team/<id:family_id>/", views.team_conversation, name="team"),
    path("attachments/<id:message_id>/", views.attachment_download, name="attachment"),
    path("<id:conversation_id>/", views.conversation_detail, name="conversation"),
    path("<id:conversation_id>/send/", views.message_create, name="send"),
    path("<id:conversation_id>/share/", views.conversation_share, name="share"),
    path("<id:conversation_id>/private/", views.conversation_private_mentor, name="private_mentor"),
    path(
        "<id:conversation_id>/messages/<id:message_id>/delete/",
        views.message_delete,
        name="delete",
    ),
    path(
        "<id:conversation_id>/messages/<id:message_id>/report/",
        views.message_report,
        name="report",
    ),
]
