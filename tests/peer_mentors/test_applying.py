"""Becoming a mentor: who may apply, the checks a manager records, and the statuses."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peer_mentors import services
from peer_mentors.models import Mentor
from portal.models import AuditEvent, Family
from tests import factories
from tests.helpers import peer_mentors as helpers


@pytest.fixture
def finished_parent(db):
    return factories.parent(factories.family(status=Family.Status.STEPPED_DOWN), name="Tunde")


def test_parent_whose_family_finished_can_apply(client, finished_parent, manager):
    client.force_login(finished_parent)
    assert client.get("/mentors/").status_code == 302  # sent to apply
    response = client.post("/mentors/apply/", {"why_mentor": "I want to give back."})
    assert response.status_code == 302
    mentor = Mentor.objects.get(user=finished_parent)
    assert (mentor.status, mentor.route, mentor.display_name) == ("applied", "programme", "Tunde")
    page = client.get("/mentors/me/").content.decode()
    assert "a DBS check" in page and "training" in page


def test_apply_without_saying_why_keeps_the_form(client, finished_parent):
    client.force_login(finished_parent)
    response = client.post("/mentors/apply/", {"why_mentor": ""})
    assert response.status_code == 400
    assert "Tell us why you would like to be a peer mentor." in response.content.decode()
    assert not Mentor.objects.exists()


def test_parent_still_being_supported_cannot_apply(client, parent):
    client.force_login(parent)
    assert client.get("/mentors/apply/").status_code == 404
    assert client.post("/mentors/apply/", {"why_mentor": "Please"}).status_code == 404
    assert not Mentor.objects.exists()


def test_manager_records_an_invited_persons_application(client, manager):
    from portal import services as core_services

    person = core_services.user_create(email="neighbour@example.org", password="x" * 12)
    client.force_login(manager)
    response = client.post(
        "/mentors/manage/record/", {"email": "neighbour@example.org", "why_mentor": "Invited"}
    )
    assert response.status_code == 302
    mentor = Mentor.objects.get(user=person)
    assert mentor.route == Mentor.Route.INVITED and mentor.recorded_by == manager


def test_recording_for_an_unknown_email_is_refused(client, manager):
    client.force_login(manager)
    response = client.post(
        "/mentors/manage/record/", {"email": "nobody@example.org", "why_mentor": "x"}
    )
    assert response.status_code == 400
    assert "No account uses this email address" in response.content.decode()


def test_applying_twice_is_refused(finished_parent, manager):
    services.mentor_apply(user=finished_parent, actor=manager)
    with pytest.raises(ValidationError):
        services.mentor_apply(user=finished_parent, actor=manager)
    assert Mentor.objects.count() == 1


def test_key_worker_cannot_record_applications(finished_parent, key_worker):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.mentor_apply(user=finished_parent, actor=key_worker)


def test_mentor_cannot_be_active_until_every_check_is_recorded(client, finished_parent, manager):
    mentor = services.mentor_apply(user=finished_parent, actor=manager)
    client.force_login(manager)
    response = client.post(f"/mentors/manage/{mentor.pk}/status/", {"status": "active"})
    assert response.status_code == 400
    assert "cannot be active until we have a DBS check" in response.content.decode()
    today = timezone.localdate().strftime("%d/%m/%Y")
    client.post(
        f"/mentors/manage/{mentor.pk}/checks/",
        {
            "dbs_checked_on": today,
            "references_checked_on": today,
            "training_completed_on": today,
            "code_agreed_on": today,
        },
    )
    response = client.post(f"/mentors/manage/{mentor.pk}/status/", {"status": "active"})
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.status == Mentor.Status.ACTIVE
    assert (
        AuditEvent.objects.filter(actor=manager, object_type="Mentor", action="update").count() == 2
    )


def test_lapsed_dbs_blocks_becoming_active(finished_parent, manager):
    mentor = services.mentor_apply(user=finished_parent, actor=manager)
    today = timezone.localdate()
    services.mentor_checks_record(
        mentor=mentor,
        actor=manager,
        dbs_checked_on=today - timedelta(days=3 * 365 + 5),
        references_checked_on=today,
        training_completed_on=today,
        code_agreed_on=today,
    )
    with pytest.raises(ValidationError, match="DBS check from the last"):
        services.mentor_status_set(mentor=mentor, status=Mentor.Status.ACTIVE, actor=manager)


def test_check_dates_cannot_be_in_the_future(client, finished_parent, manager):
    mentor = services.mentor_apply(user=finished_parent, actor=manager)
    client.force_login(manager)
    future = (timezone.localdate() + timedelta(days=3)).strftime("%d/%m/%Y")
    response = client.post(f"/mentors/manage/{mentor.pk}/checks/", {"dbs_checked_on": future})
    assert response.status_code == 400
    assert "The date must be today or in the past." in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.dbs_checked_on is None


def test_mentor_writes_profile_and_chooses_what_is_shown(client, manager, parent):
    jo = helpers.mentor(manager, name="Jo", ward="Foleshill")
    client.force_login(jo.user)
    response = client.post(
        "/mentors/me/profile/",
        {
            "display_name": "Jo",
            "story": "My own words about getting sober.",
            "experiences": ["recovery"],
            "languages": "English, Polish",
            "ward": "Foleshill",
            "availability": ["weekends"],
            "capacity": "2",
            "shown": ["experiences", "languages"],
        },
    )
    assert response.status_code == 302
    jo.refresh_from_db()
    assert jo.languages == ["English", "Polish"]
    client.force_login(parent)
    page = client.get(jo.get_absolute_url()).content.decode()
    assert "Polish" in page and "Recovery from drugs or alcohol" in page
    assert "My own words about getting sober." not in page
    assert "Foleshill" not in page


def test_profile_name_must_be_one_name(client, manager):
    jo = helpers.mentor(manager, name="Jo")
    client.force_login(jo.user)
    response = client.post(
        "/mentors/me/profile/", {"display_name": "Jo Green", "capacity": "2", "story": "Kept"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Families do not see surnames" in page
    assert "Kept" in page


def test_only_the_mentor_edits_their_profile(manager, parent):
    from django.core.exceptions import PermissionDenied

    jo = helpers.mentor(manager, name="Jo")
    with pytest.raises(PermissionDenied):
        services.mentor_profile_update(
            mentor=jo,
            actor=parent,
            display_name="X",
            story="",
            experiences=[],
            languages=[],
            ward="",
            availability=[],
            can_accompany=False,
            capacity=1,
            is_dad=False,
            prefers_dads=False,
            shown=[],
        )


def test_checks_form_shows_dates_the_uk_way(client, manager):
    jo = helpers.mentor(manager, name="Jo", dbs_days_ago=10)
    client.force_login(manager)
    page = client.get(f"/mentors/manage/{jo.pk}/").content.decode()
    assert f'value="{jo.dbs_checked_on.strftime("%d/%m/%Y")}"' in page
