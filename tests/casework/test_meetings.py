"""Team meetings: the key worker arranges one, everyone invited hears with a calendar file,
and after it the agreed actions become steps on the family's plan."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from notifications.models import Notification

from casework import services
from casework.models import Meeting, MeetingAction
from plans import services as plan_services
from plans.models import Step, Who
from portal.models import AuditEvent, FamilyPractitioner
from tests import factories
from tests.helpers import casework as helpers

pytestmark = pytest.mark.django_db


def _ics(content: bytes):
    calendar = Calendar.from_ical(content)
    return calendar, next(iter(calendar.walk("VEVENT")))


@pytest.fixture
def plan(family, parent):
    return plan_services.plan_start(family=family, actor=parent)


@pytest.fixture
def goal(plan, parent):
    return plan_services.goal_create(plan=plan, actor=parent, title="Sam goes to school every day")


@pytest.fixture
def team_member(family, partner):
    return FamilyPractitioner.objects.get(family=family, user=partner)


@pytest.fixture
def meeting(key_worker, family, parent, team_member):
    return helpers.arrange(key_worker, family, practitioners=[team_member])


def _two_actions(goal, parent, team_member):
    return [
        services.ActionInput(
            text="Walk Sam to school on Mondays",
            who=Who.MEMBER,
            goal_id=goal.pk,
            member=parent.family_membership,
            due_date=timezone.localdate() + dt.timedelta(days=14),
        ),
        services.ActionInput(
            text="Call home when Sam is not in by 9",
            who=Who.PARTNER,
            goal_id=goal.pk,
            practitioner=team_member,
        ),
    ]


# Services -------------------------------------------------------------------------------


def test_arranging_invites_the_family_first_and_tells_everyone_with_a_calendar_file(
    key_worker, family, parent, partner, team_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = helpers.arrange(key_worker, family, practitioners=[team_member])
    assert [invite.kind for invite in meeting.invites.all()] == ["family", "team"]
    assert Notification.objects.filter(recipient=parent).exists()
    assert Notification.objects.filter(recipient=partner).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([parent.email, partner.email])
    calendar, event = _ics(mail.outbox[0].attachments[0][1])
    assert calendar["method"] == "REQUEST"
    assert str(event["uid"]).startswith(f"meeting-{meeting.pk}@")
    assert int(event["sequence"]) == 0
    assert "Foleshill Family Hub" in str(event["location"])


def test_a_change_sends_the_same_uid_with_the_next_sequence(
    key_worker, meeting, parent, django_capture_on_commit_callbacks
):
    starts = timezone.now() + dt.timedelta(days=8)
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.meeting_change(
            meeting=meeting,
            actor=key_worker,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            where="call",
            place="Teams link: https://example.org/join, code 1234",
        )
    assert changed.status == Meeting.Status.CHANGED
    calendar, event = _ics(mail.outbox[-1].attachments[0][1])
    assert calendar["method"] == "REQUEST"
    assert str(event["uid"]).startswith(f"meeting-{meeting.pk}@")
    assert int(event["sequence"]) == 1
    assert "Phone or video call" in str(event["location"])


def test_cancelling_sends_method_cancel(
    key_worker, meeting, parent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, actor=key_worker, reason="Key worker ill")
    calendar, event = _ics(mail.outbox[-1].attachments[0][1])
    assert calendar["method"] == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 1


def test_only_the_key_worker_arranges(family, parent, partner):
    with pytest.raises(PermissionDenied):
        helpers.arrange(partner, family)


def test_the_mentor_is_invited_only_when_the_family_has_one(key_worker, family, parent):
    with pytest.raises(ValidationError):
        helpers.arrange(key_worker, family, invite_mentor=True)


def test_the_matched_mentor_can_be_invited(key_worker, family, parent, jo, match):
    meeting = helpers.arrange(key_worker, family, invite_mentor=True)
    assert meeting.invites.get(kind="mentor").mentor_user == jo.user


def test_recording_turns_the_agreed_actions_into_plan_steps(
    key_worker, meeting, goal, parent, team_member
):
    helpers.in_the_past(meeting)
    invites = list(meeting.invites.all())
    services.meeting_record(
        meeting=meeting,
        actor=key_worker,
        attended=[invites[0].pk],
        actions=_two_actions(goal, parent, team_member),
        family_notes="We agreed Sam will walk with mum on Mondays.",
        notes_agreed=True,
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    steps = list(Step.objects.filter(goal=goal).order_by("order"))
    assert [s.text for s in steps] == [
        "Walk Sam to school on Mondays",
        "Call home when Sam is not in by 9",
    ]
    assert steps[0].member == parent.family_membership
    assert steps[0].due_date == timezone.localdate() + dt.timedelta(days=14)
    assert steps[1].practitioner == team_member
    assert list(MeetingAction.objects.values_list("step_id", flat=True)) == [s.pk for s in steps]
    assert [i.attended for i in meeting.invites.order_by("id")] == [True, False]
    assert AuditEvent.objects.filter(actor=key_worker, object_type="Step").count() == 2


def test_an_action_cannot_go_on_an_adults_private_goal(key_worker, meeting, plan, parent):
    private = plan_services.goal_create(plan=plan, actor=parent, title="My own worry", private=True)
    helpers.in_the_past(meeting)
    with pytest.raises(ValidationError):
        services.meeting_record(
            meeting=meeting,
            actor=key_worker,
            attended=[],
            actions=[
                services.ActionInput(text="Something", who=Who.KEY_WORKER, goal_id=private.pk)
            ],
        )
    assert not Step.objects.exists()
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.ARRANGED


def test_a_meeting_cannot_be_recorded_before_it_starts(key_worker, meeting):
    with pytest.raises(ValidationError):
        services.meeting_record(meeting=meeting, actor=key_worker, attended=[])


def test_the_record_button_shows_once_the_meeting_has_started(client, key_worker, meeting):
    client.force_login(key_worker)
    assert "Record the meeting" not in client.get(meeting.get_absolute_url()).content.decode()
    helpers.in_the_past(meeting)
    assert "Record the meeting" in client.get(meeting.get_absolute_url()).content.decode()


# Who sees a meeting ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("parent", 200),
        ("key_worker", 200),
        ("invited_partner", 200),
        ("uninvited_partner", 404),
        ("other_parent", 404),
        ("editor", 404),
    ],
)
def test_who_sees_a_meeting(
    client, meeting, family, who, status, parent, key_worker, partner, other_parent, editor
):
    people = {
        "parent": parent,
        "key_worker": key_worker,
        "invited_partner": partner,
        "uninvited_partner": factories.partner(family),
        "other_parent": other_parent,
        "editor": editor,
    }
    client.force_login(people[who])
    assert client.get(meeting.get_absolute_url()).status_code == status


def test_a_partners_read_is_audited(client, meeting, partner):
    client.force_login(partner)
    client.get(meeting.get_absolute_url())
    assert AuditEvent.objects.filter(
        actor=partner, action=AuditEvent.Action.VIEW, object_type="Meeting"
    ).exists()


def test_the_mentor_sees_the_meeting_only_when_invited(client, key_worker, family, jo, match):
    not_invited = helpers.arrange(key_worker, family)
    invited = helpers.arrange(key_worker, family, invite_mentor=True)
    client.force_login(jo.user)
    assert client.get(not_invited.get_absolute_url()).status_code == 404
    assert client.get(invited.get_absolute_url()).status_code == 200


def test_staff_notes_are_for_the_key_worker_and_agreed_notes_for_everyone(
    client, key_worker, meeting, goal, parent, partner, team_member
):
    helpers.in_the_past(meeting)
    services.meeting_record(
        meeting=meeting,
        actor=key_worker,
        attended=[],
        actions=_two_actions(goal, parent, team_member),
        staff_notes="Staff only: check the housing letter.",
        family_notes="We agreed Sam will walk with mum on Mondays.",
        notes_agreed=True,
    )
    for person, sees_staff_notes in ((key_worker, True), (parent, False), (partner, False)):
        client.force_login(person)
        page = client.get(meeting.get_absolute_url()).content.decode()
        assert "We agreed Sam will walk with mum on Mondays." in page
        assert "Walk Sam to school on Mondays" in page
        assert ("Staff only: check the housing letter." in page) is sees_staff_notes


def test_notes_not_yet_agreed_are_not_shown_to_the_family(client, key_worker, meeting, parent):
    helpers.in_the_past(meeting)
    services.meeting_record(
        meeting=meeting,
        actor=key_worker,
        attended=[],
        family_notes="Draft words",
        notes_agreed=False,
    )
    client.force_login(parent)
    assert "Draft words" not in client.get(meeting.get_absolute_url()).content.decode()
    client.force_login(key_worker)
    assert "Draft words" in client.get(meeting.get_absolute_url()).content.decode()


def test_the_meeting_page_has_exit_this_page_for_the_family(client, meeting, parent):
    client.force_login(parent)
    assert "Exit this page" in client.get(meeting.get_absolute_url()).content.decode()


# Pages ----------------------------------------------------------------------------------


def test_arranging_through_the_form(client, key_worker, family, parent, team_member):
    client.force_login(key_worker)
    url = reverse("casework:meeting_arrange", args=[family.pk])
    page = client.get(url).content.decode()
    assert team_member.name_with_agency in page
    day = (timezone.localdate() + dt.timedelta(days=6)).strftime("%d/%m/%Y")
    response = client.post(
        url,
        {
            "day": day,
            "starts": "10:00",
            "ends": "11:30",
            "where": "place",
            "place": "Foleshill Family Hub",
            "members": [parent.family_membership.pk],
            "practitioners": [team_member.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert meeting.invites.count() == 2


def test_the_arrange_form_says_what_is_wrong(client, key_worker, family, parent):
    client.force_login(key_worker)
    response = client.post(
        reverse("casework:meeting_arrange", args=[family.pk]),
        {"day": "01/01/2020", "starts": "10:00", "ends": "09:00", "place": "The hub"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "The end time must be after the start time" in body
    assert "Choose whether you meet in person or by a call" in body
    assert 'value="01/01/2020"' in body


def test_the_arrange_form_is_404_for_a_partner(client, partner, family):
    client.force_login(partner)
    assert client.get(reverse("casework:meeting_arrange", args=[family.pk])).status_code == 404


def test_recording_through_the_form_puts_actions_on_the_plan(
    client, key_worker, meeting, goal, parent, team_member
):
    helpers.in_the_past(meeting)
    client.force_login(key_worker)
    url = reverse("casework:meeting_record", args=[meeting.pk])
    assert client.get(url).status_code == 200
    invites = list(meeting.invites.all())
    data = {
        "attended": [str(invites[0].pk)],
        "family_notes": "Agreed words",
        "notes_agreed": "on",
        "actions-TOTAL_FORMS": "4",
        "actions-INITIAL_FORMS": "0",
        "actions-0-text": "Walk Sam to school on Mondays",
        "actions-0-who": f"member:{parent.family_membership.pk}",
        "actions-0-goal": str(goal.pk),
        "actions-1-text": "Call home when Sam is not in",
        "actions-1-who": f"partner:{team_member.pk}",
        "actions-1-goal": str(goal.pk),
        "actions-1-due_date": (timezone.localdate() + dt.timedelta(days=7)).strftime("%d/%m/%Y"),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert Step.objects.filter(goal=goal).count() == 2
    client.force_login(parent)
    plan_page = client.get(reverse("plans:family_plan", args=[meeting.family_id])).content.decode()
    assert "Walk Sam to school on Mondays" in plan_page
    assert "Call home when Sam is not in" in plan_page


def test_an_action_without_who_keeps_what_was_typed(client, key_worker, meeting, goal):
    helpers.in_the_past(meeting)
    client.force_login(key_worker)
    response = client.post(
        reverse("casework:meeting_record", args=[meeting.pk]),
        {
            "actions-TOTAL_FORMS": "4",
            "actions-INITIAL_FORMS": "0",
            "actions-0-text": "Walk Sam to school",
            "actions-0-goal": str(goal.pk),
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Choose who will do it" in body
    assert 'value="Walk Sam to school"' in body
    assert not Step.objects.exists()


def test_the_meeting_calendar_file(client, meeting, parent):
    client.force_login(parent)
    response = client.get(reverse("casework:meeting_ics", args=[meeting.pk]))
    calendar, event = _ics(response.content)
    assert str(event["uid"]).startswith(f"meeting-{meeting.pk}@")


def test_the_family_dashboard_shows_upcoming_meetings(client, meeting, parent):
    client.force_login(parent)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert meeting.get_absolute_url() in page


# Query count -----------------------------------------------------------------------------


def _meeting_with(key_worker, family, parent, goal, size):
    team = [
        FamilyPractitioner.objects.get(family=family, user=factories.partner(family))
        for _ in range(size - 1)
    ]
    meeting = helpers.arrange(key_worker, family, practitioners=team)
    helpers.in_the_past(meeting)
    services.meeting_record(
        meeting=meeting,
        actor=key_worker,
        attended=[i.pk for i in meeting.invites.all()],
        actions=[
            services.ActionInput(
                text=f"Action {n}",
                who=Who.PARTNER if n % 2 else Who.MEMBER,
                goal_id=goal.pk,
                member=parent.family_membership,
                practitioner=team[n % len(team)],
            )
            for n in range(size)
        ],
        family_notes="Agreed",
        notes_agreed=True,
    )
    return meeting


def test_the_meeting_page_makes_as_many_queries_for_twelve_as_for_three(
    client, key_worker, family, parent, goal, django_assert_num_queries, session_queries
):
    small = _meeting_with(key_worker, family, parent, goal, 3)
    large = _meeting_with(key_worker, family, parent, goal, 12)
    client.force_login(key_worker)
    client.get(small.get_absolute_url())  # the session and sign-in settle
    with CaptureQueriesContext(connection) as few:
        assert client.get(small.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(large.get_absolute_url()).status_code == 200
    assert len(many) == len(few)
    # Signed-in person, authenticator, the meeting, its invites (adults, team members with
    # their accounts and agencies), the audit event, the actions and their plan steps.
    with django_assert_num_queries(12 + session_queries):
        client.get(large.get_absolute_url())
