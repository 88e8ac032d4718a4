from django.urls import path

from .views import appointments, meetings

app_name = "casework"

urlpatterns = [
    path(
        "families/<id:family_id>/appointments/new/",
        appointments.appointment_book,
        name="appointment_book",
    ),
    path("appointments/<id:appointment_id>/", appointments.appointment_detail, name="appointment"),
    path(
        "appointments/<id:appointment_id>/ask-mentor/",
        appointments.appointment_ask_mentor,
        name="appointment_ask_mentor",
    ),
    path(
        "appointments/<id:appointment_id>/mentor-answer/",
        appointments.appointment_mentor_answer,
        name="appointment_mentor_answer",
    ),
    path(
        "appointments/<id:appointment_id>/record/",
        appointments.appointment_record,
        name="appointment_record",
    ),
    path(
        "appointments/<id:appointment_id>/change/",
        appointments.appointment_change,
        name="appointment_change",
    ),
    path(
        "appointments/<id:appointment_id>/cancel/",
        appointments.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "appointments/<id:appointment_id>/calendar.ics",
        appointments.appointment_ics,
        name="appointment_ics",
    ),
    path("calendar.ics", appointments.calendar_feed, name="calendar_feed"),
    path("families/<id:family_id>/meetings/new/", meetings.meeting_arrange, name="meeting_arrange"),
    path("meetings/<id:meeting_id>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<id:meeting_id>/change/", meetings.meeting_change, name="meeting_change"),
    path("meetings/<id:meeting_id>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("meetings/<id:meeting_id>/record/", meetings.meeting_record, name="meeting_record"),
    path("meetings/<id:meeting_id>/calendar.ics", meetings.meeting_ics, name="meeting_ics"),
]
