from django.urls import path

from .views import (
    appointments,
    chronology,
    closure,
    meetings,
    needs,
    records,
    referrals,
)

app_name = "casework"

urlpatterns = [
    path("families/<id:family_id>/records/", records.family_records, name="family_records"),
    path("families/<id:family_id>/records/new/", records.record_choose, name="record_choose"),
    path(
        "families/<id:family_id>/records/new/<id:kind_id>/",
        records.record_add,
        name="record_add",
    ),
    path("records/<id:record_id>/correct/", records.record_correct, name="record_correct"),
    path("yours/records/", records.yours, name="yours"),
    path("record-kinds/", records.kinds, name="kinds"),
    path("record-kinds/<id:kind_id>/retire/", records.kind_retire, name="kind_retire"),
    path("imports/", records.import_list, name="import_list"),
    path("imports/new/", records.import_upload, name="import_upload"),
    path("imports/<id:import_id>/", records.import_detail, name="import_detail"),
    path("imports/<id:import_id>/confirm/", records.import_confirm, name="import_confirm"),
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
    # Referrals
    path("referrals/", referrals.referral_queue, name="referral_queue"),
    path("referrals/new/", referrals.referral_new, name="referral_new"),
    path("referrals/mine/", referrals.referrals_mine, name="referrals_mine"),
    path("referrals/<id:referral_id>/", referrals.referral_detail, name="referral"),
    path("referrals/<id:referral_id>/sent/", referrals.referral_sent, name="referral_sent"),
    path("ask-for-help/", referrals.ask_for_help, name="ask_for_help"),
    path("ask-for-help/sent/", referrals.ask_for_help_sent, name="ask_for_help_sent"),
    #
    # Assessment and needs
    path("families/<id:family_id>/assessment/", needs.assessment, name="assessment"),
    path("families/<id:family_id>/episode/start/", needs.episode_start, name="episode_start"),
    path("families/<id:family_id>/needs/new/", needs.need_new, name="need_new"),
    path("needs/<id:need_id>/goals/", needs.need_goals, name="need_goals"),
    path("needs/<id:need_id>/remove/", needs.need_remove, name="need_remove"),
    path("yours/needs/", needs.yours_needs, name="yours_needs"),
    path("yours/needs/<id:need_id>/", needs.need_view, name="need_view"),
    path("framework/", needs.framework, name="framework"),
    #
    # Closure, step-down and the six months after
    path("families/<id:family_id>/close/", closure.episode_close, name="episode_close"),
    path("yours/closed/", closure.yours_closed, name="yours_closed"),
    path(
        "yours/how-are-things/<id:follow_up_id>/",
        closure.how_are_things,
        name="how_are_things",
    ),
    path("six-months/", closure.six_months, name="six_months"),
    path(
        "needs/<id:need_id>/not-sustained/",
        closure.need_not_sustained,
        name="need_not_sustained",
    ),
    path("settings/", closure.settings_page, name="settings"),
    #
    # Chronology
    path(
        "families/<id:family_id>/chronology/",
        chronology.family_chronology,
        name="family_chronology",
    ),
    path(
        "families/<id:family_id>/chronology/new/",
        chronology.chronology_entry_add,
        name="chronology_entry_add",
    ),
]
