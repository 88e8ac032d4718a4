"""Finding a mentor, asking, and the mentor answering; and every way it is refused."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from notifications.models import Notification

from peer_mentors import services
from peer_mentors.models import Mentor, MentorMatch
from portal import signals
from tests import factories
from tests.helpers import peer_mentors as helpers


def _ask(client, mentor, message="Hello"):
    return client.post(f"/mentors/mentor/{mentor.pk}/ask/", {"message": message})


def test_parent_sees_suggestions_with_reasons_best_first(
    client, parent, family_in_foleshill, needs, jo, tunde
):
    needs[family_in_foleshill.pk] = {"education"}
    client.force_login(parent)
    response = client.get("/mentors/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Jo has been through school attendance worries too") < page.index("Tunde")
    assert "Lives in Foleshill, like you" in page


def test_parent_filters_by_when_they_are_free(client, parent, family, needs, jo, tunde):
    client.force_login(parent)
    response = client.get("/mentors/", {"free_when": ["weekends"]})
    assert "Free at times that suit you: weekends" in response.content.decode()


def test_paused_and_lapsed_mentors_cannot_be_found(client, parent, manager, jo):
    paused = helpers.mentor(manager, name="Pat", status=Mentor.Status.PAUSED)
    lapsed = helpers.mentor(manager, name="Lou", dbs_days_ago=4 * 365)
    client.force_login(parent)
    page = client.get("/mentors/").content.decode()
    assert "Jo" in page
    assert "Pat" not in page and "Lou" not in page
    assert client.get(f"/mentors/mentor/{paused.pk}/").status_code == 404
    assert client.get(f"/mentors/mentor/{lapsed.pk}/").status_code == 404


def test_parent_asks_and_mentor_is_told(
    client, parent, family, jo, django_capture_on_commit_callbacks
):
    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, jo, "My son will not go to school.")
    match = MentorMatch.objects.get(family=family)
    assert response.status_code == 302
    assert response["Location"] == match.get_absolute_url()
    assert match.status == MentorMatch.Status.REQUESTED
    assert match.respond_by > timezone.now() + timedelta(days=4)
    assert Notification.objects.filter(
        recipient=family.lead_key_worker, verb="A family on your caseload asked for a peer mentor"
    ).exists()
    note = Notification.objects.get(recipient=jo.user)
    assert note.verb == "A family asked you to be their mentor"
    assert "school" not in note.verb


def test_mentor_accepts_and_match_starts(
    client, parent, family, jo, django_capture_on_commit_callbacks
):
    match = helpers.request(parent, jo)
    started = []

    def receiver(sender, **kwargs):
        started.append(kwargs)

    signals.mentor_match_started.connect(receiver)
    try:
        client.force_login(jo.user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/mentors/matches/{match.pk}/respond/", {"decision": "accept"})
    finally:
        signals.mentor_match_started.disconnect(receiver)
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.ACCEPTED
    assert started == [
        {
            "signal": signals.mentor_match_started,
            "family": family,
            "mentor": jo.user,
            "match_id": match.pk,
        }
    ]
    told = set(
        Notification.objects.filter(verb__contains="said yes").values_list("recipient", flat=True)
    )
    assert told == {parent.pk}
    assert Notification.objects.filter(
        recipient=family.lead_key_worker, verb__contains="matched with a peer mentor"
    ).exists()


def test_mentor_declines_and_family_is_told(
    client, parent, family, jo, django_capture_on_commit_callbacks
):
    match = helpers.request(parent, jo)
    client.force_login(jo.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/mentors/matches/{match.pk}/respond/", {"decision": "decline"})
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.DECLINED
    assert Notification.objects.filter(
        recipient=parent, verb="The mentor you asked cannot support you right now"
    ).exists()


def test_accepting_after_the_time_ran_out_is_refused(client, parent, jo):
    match = helpers.request(parent, jo)
    MentorMatch.objects.filter(pk=match.pk).update(respond_by=timezone.now() - timedelta(minutes=1))
    client.force_login(jo.user)
    page = client.get(match.get_absolute_url()).content.decode()
    assert "the time to answer has run out" in page
    assert "Can you support this family?" not in page  # no form to answer any more
    response = client.post(f"/mentors/matches/{match.pk}/respond/", {"decision": "accept"})
    assert response.status_code == 400
    assert "The time to answer this request ran out" in response.content.decode()
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.EXPIRED
    assert not MentorMatch.objects.filter(status=MentorMatch.Status.ACCEPTED).exists()


def test_mentor_answers_in_time_is_allowed(parent, jo):
    match = helpers.request(parent, jo)
    MentorMatch.objects.filter(pk=match.pk).update(respond_by=timezone.now() + timedelta(minutes=5))
    match.refresh_from_db()
    assert services.match_respond(match=match, actor=jo.user, accept=True).status == "accepted"


def test_an_expired_request_does_not_block_a_new_one(parent, family, jo, tunde):
    first = helpers.request(parent, jo)
    MentorMatch.objects.filter(pk=first.pk).update(respond_by=timezone.now() - timedelta(days=1))
    second = helpers.request(parent, tunde)
    assert second.status == MentorMatch.Status.REQUESTED
    first.refresh_from_db()
    assert first.status == MentorMatch.Status.EXPIRED


def test_parent_can_choose_again_once_the_time_ran_out(client, parent, jo, tunde):
    first = helpers.request(parent, jo)
    client.force_login(parent)
    assert "Read about" not in client.get("/mentors/").content.decode()
    MentorMatch.objects.filter(pk=first.pk).update(respond_by=timezone.now() - timedelta(hours=1))
    assert "Read about Tunde" in client.get("/mentors/").content.decode()
    assert _ask(client, tunde).status_code == 302


def test_request_to_a_paused_mentor_is_refused(client, parent, manager):
    paused = helpers.mentor(manager, name="Pat", status=Mentor.Status.PAUSED)
    client.force_login(parent)
    response = _ask(client, paused)
    assert response.status_code == 400
    assert "Pat is not taking on families at the moment" in response.content.decode()
    assert not MentorMatch.objects.exists()


def test_a_stopped_or_missing_mentor_cannot_be_asked_or_proposed(
    client, parent, key_worker, family, manager
):
    stopped = helpers.mentor(manager, name="Sam", status=Mentor.Status.STOPPED)
    client.force_login(parent)
    assert _ask(client, stopped).status_code == 404
    assert client.post("/mentors/mentor/999999/ask/", {"message": "Hello"}).status_code == 404
    client.force_login(key_worker)
    assert client.post(f"/mentors/families/{family.pk}/propose/999999/").status_code == 404
    assert not MentorMatch.objects.exists()


def test_request_to_a_full_mentor_is_refused(client, parent, manager, other_parent, tunde):
    helpers.accepted_match(other_parent, tunde)
    client.force_login(parent)
    response = _ask(client, tunde, "Please")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tunde is already supporting as many families as they can" in page
    assert "Please" in page  # what the parent typed is kept
    assert MentorMatch.objects.count() == 1


def test_second_open_request_for_the_same_family_is_refused(client, parent, jo, tunde):
    helpers.request(parent, jo)
    client.force_login(parent)
    response = _ask(client, tunde)
    assert response.status_code == 400
    assert "already a request for a mentor waiting" in response.content.decode()
    assert MentorMatch.objects.count() == 1


def test_second_parent_in_same_family_cannot_open_another_request(parent, dad, jo, tunde):
    helpers.request(parent, jo)
    with pytest.raises(Exception, match="already a request"):
        helpers.request(dad, tunde)
    assert MentorMatch.objects.count() == 1


def test_mentor_with_lapsed_dbs_cannot_be_asked(client, parent, manager):
    lapsed = helpers.mentor(manager, name="Lou", dbs_days_ago=4 * 365)
    client.force_login(parent)
    response = _ask(client, lapsed)
    assert response.status_code == 400
    assert "until their safety check (DBS) is renewed" in response.content.decode()
    assert not MentorMatch.objects.exists()


def test_mentor_whose_dbs_lapsed_after_the_request_cannot_accept(client, parent, jo):
    match = helpers.request(parent, jo)
    Mentor.objects.filter(pk=jo.pk).update(
        dbs_checked_on=timezone.localdate() - timedelta(days=3 * 365 + 1)
    )
    client.force_login(jo.user)
    response = client.post(f"/mentors/matches/{match.pk}/respond/", {"decision": "accept"})
    assert response.status_code == 400
    assert "DBS" in response.content.decode()
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.REQUESTED


def test_dbs_validity_is_a_setting(settings, parent, manager):
    settings.PEER_MENTOR_DBS_VALID_DAYS = 30
    recent = helpers.mentor(manager, name="Ria", dbs_days_ago=40)
    with pytest.raises(Exception, match="DBS"):
        helpers.request(parent, recent)


def test_family_that_finished_cannot_ask(client, manager, jo):
    from portal.models import Family

    closed = factories.family(status=Family.Status.CLOSED)
    person = factories.parent(closed)
    client.force_login(person)
    assert client.post(f"/mentors/mentor/{jo.pk}/ask/", {"message": ""}).status_code == 404


def test_parent_withdraws_a_request(client, parent, jo):
    match = helpers.request(parent, jo)
    client.force_login(parent)
    client.post(f"/mentors/matches/{match.pk}/withdraw/")
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.WITHDRAWN


def test_asking_is_rate_limited(client, parent, manager, jo):
    client.force_login(parent)
    for _ in range(10):
        _ask(client, jo)  # refused after the first, but each one counts
        MentorMatch.objects.update(status=MentorMatch.Status.WITHDRAWN)
    response = _ask(client, jo)
    assert response.status_code == 400
    assert "Try again in an hour" in response.content.decode()


# Key workers propose, families consent ------------------------------------------------


def test_key_worker_proposes_and_family_agrees(
    client, key_worker, family, parent, needs, jo, django_capture_on_commit_callbacks
):
    needs[family.pk] = {"substance_use"}
    client.force_login(key_worker)
    page = client.get(f"/mentors/families/{family.pk}/").content.decode()
    assert "Jo has been through recovery from drugs or alcohol too" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/mentors/families/{family.pk}/propose/{jo.pk}/")
    assert response.status_code == 302
    match = MentorMatch.objects.get(family=family)
    assert match.status == MentorMatch.Status.PROPOSED
    assert match.proposed_by == key_worker
    # The mentor hears nothing until the family says yes.
    assert not Notification.objects.filter(recipient=jo.user).exists()
    assert Notification.objects.filter(recipient=parent).exists()
    client.force_login(jo.user)
    assert client.get(match.get_absolute_url()).status_code == 404

    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/mentors/matches/{match.pk}/suggestion/", {"decision": "yes"})
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.REQUESTED
    assert Notification.objects.filter(recipient=jo.user).exists()


def test_family_can_say_no_to_a_proposal(client, key_worker, family, parent, jo):
    match = services.match_propose(family=family, mentor=jo, actor=key_worker)
    client.force_login(parent)
    client.post(f"/mentors/matches/{match.pk}/suggestion/", {"decision": "no"})
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.WITHDRAWN


def test_other_key_worker_cannot_propose_without_a_reason(client, family, jo):
    other = factories.staff()
    client.force_login(other)
    response = client.post(f"/mentors/families/{family.pk}/propose/{jo.pk}/")
    assert response.status_code == 302
    assert "/reason/" in response["Location"]
    assert not MentorMatch.objects.exists()


def test_proposing_a_full_mentor_shows_why(client, key_worker, family, other_parent, tunde):
    helpers.accepted_match(other_parent, tunde)
    client.force_login(key_worker)
    response = client.post(f"/mentors/families/{family.pk}/propose/{tunde.pk}/")
    assert response.status_code == 400
    assert "already supporting as many families" in response.content.decode()
    assert MentorMatch.objects.filter(family=family).count() == 0


def test_no_email_is_sent_for_a_request(parent, jo):
    helpers.request(parent, jo)
    assert mail.outbox == []


def test_full_mentor_profile_says_so_and_offers_no_form(client, parent, other_parent, tunde):
    helpers.accepted_match(other_parent, tunde)
    client.force_login(parent)
    page = client.get(tunde.get_absolute_url()).content.decode()
    assert "Tunde cannot take on a new family right now." in page
    assert f"/mentors/mentor/{tunde.pk}/ask/" not in page
