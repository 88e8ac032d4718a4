from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("working-hours/", views.working_hours, name="working_hours"),
    path("reported/", views.reported, name="reported"),
    path("attachments/<str:message_id>/", views.attachment_download, name="attachment"),
    path("<str:conversation_id>/", views.conversation_detail, name="conversation"),
    path("<str:conversation_id>/send/", views.message_create, name="send"),
    path("<str:conversation_id>/share/", views.conversation_share, name="share"),
    path(
        "<str:conversation_id>/messages/<str:message_id>/delete/",
        views.message_delete,
        name="delete",
    ),
    path(
        "<str:conversation_id>/messages/<str:message_id>/report/",
        views.message_report,
        name="report",
    ),
]
