"""The notification centre, mounted at /notifications/ in place of the package's own views."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("<id:notification_id>/read/", views.notification_read, name="read"),
]
