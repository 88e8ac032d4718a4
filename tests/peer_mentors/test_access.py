"""Who sees what: every role against every kind of peer mentor record, through the URLs."""

import pytest
from django.contrib.auth import get_user_model

from peer_mentors import services
from peer_mentors.models import Mentor
from portal import services as core_services
from portal.access import Relation, relation_to_family
from portal.models import AuditEvent
from tests import factories
from tests.helpers import peer_mentors as helpers
from tests.helpers.safeguarding import raise_concern

User = get_user_model()


@pytest.fixture
def world(family, parent, key_worker, partner, manager, editor, other_family, other_parent):
    jo = helpers.mentor(manager, name="Jo", ward="Foleshill")
    tunde = helpers.mentor(manager, name="Tunde", is_dad=True)
    match = helpers.accepted_match(parent, jo)
    other_match = helpers.accepted_match(other_parent, tunde)
    concern = raise_concern(match, jo.user, "A worry about safety.")
    services.supervision_note_add(mentor=jo, actor=manager, note="Jo's supervision note")
    services.supervision_note_add(mentor=tunde, actor=manager, note="Tunde's supervision note")

    kw_with_reason = factories.staff()
    core_services.access_grant_create(
        user=kw_with_reason, family=family, reason="Covering for a colleague on leave"
    )
    manager_with_reason = factories.staff("manager")
    core_services.access_grant_create(
        user=manager_with_reason, family=family, reason="Checking a complaint about the service"
    )
    people = {
        "parent": parent,
        "other_parent": other_parent,
        "lead_key_worker": key_worker,
        "other_key_worker": factories.staff(),
        "key_worker_with_reason": kw_with_reason,
        "partner_named": partner,
        "partner_not_named": factories.partner(),
        "manager": manager,
        "manager_with_reason": manager_with_reason,
        "manager_without_mfa": factories.staff("manager", mfa=False),
        "matched_mentor": jo.user,
        "unmatched_mentor": tunde.user,
        "editor": editor,
        "anonymous": None,
    }
    return {
        "people": people,
        "jo": jo,
        "tunde": tunde,
        "match": match,
        "other_match": other_match,
        "concern": concern,
        "family": family,
    }


def _outcome(response) -> str:
    if response.status_code == 200:
        return "ok"
    if response.status_code == 404:
        return "404"
    if response.status_code == 302:
        location = response["Location"]
        if "/accounts/login" in location:
            return "login"
        if "/reason/" in location:
            return "reason"
        if "totp" in location or "/mfa" in location:
            return "mfa"
        return f"redirect {location}"
    return str(response.status_code)


def _get(client, world, role, url):
    user = world["people"][role]
    if user is not None:
        client.force_login(user)
    return _outcome(client.get(url))


MATCH = {
    "parent": "ok",
    "other_parent": "404",
    "lead_key_worker": "ok",
    "other_key_worker": "reason",
    "key_worker_with_reason": "ok",
    "partner_named": "404",
    "partner_not_named": "404",
    "manager": "ok",
    "manager_with_reason": "ok",
    "manager_without_mfa": "mfa",
    "matched_mentor": "ok",
    "unmatched_mentor": "404",
    "editor": "404",
    "anonymous": "login",
}


@pytest.mark.parametrize("role,expected", MATCH.items())
def test_match_and_its_contacts(client, world, role, expected):
    assert _get(client, world, role, world["match"].get_absolute_url()) == expected


# A mentor's concern is a safeguarding concern: the family's key worker and managers read
# it; the mentor sees their receipt; a key worker with a reason for the family does not.
CONCERN = {role: "404" for role in MATCH} | {
    "lead_key_worker": "ok",
    "manager": "ok",
    "manager_with_reason": "ok",
    "manager_without_mfa": "mfa",
    "anonymous": "login",
}
RECEIPT = {role: "404" for role in MATCH} | {
    "matched_mentor": "ok",
    "manager_without_mfa": "mfa",  # staff set up two-step sign-in before any page
    "anonymous": "login",
}


@pytest.mark.parametrize("role,expected", CONCERN.items())
def test_concern(client, world, role, expected):
    assert _get(client, world, role, world["concern"].get_absolute_url()) == expected


@pytest.mark.parametrize("role,expected", RECEIPT.items())
def test_concern_receipt(client, world, role, expected):
    assert _get(client, world, role, world["concern"].get_receipt_url()) == expected


MANAGER_RECORD = {role: "404" for role in MATCH} | {
    "manager": "ok",
    "manager_with_reason": "ok",
    "manager_without_mfa": "mfa",
    "anonymous": "login",
}


@pytest.mark.parametrize("role,expected", MANAGER_RECORD.items())
def test_mentor_record_for_managers(client, world, role, expected):
    assert _get(client, world, role, f"/mentors/manage/{world['jo'].pk}/") == expected


@pytest.mark.parametrize("role,expected", MANAGER_RECORD.items())
def test_mentor_list_for_managers(client, world, role, expected):
    assert _get(client, world, role, "/mentors/manage/") == expected


PUBLIC_PROFILE = {
    "parent": "ok",
    "other_parent": "ok",
    "lead_key_worker": "ok",
    "other_key_worker": "ok",
    "key_worker_with_reason": "ok",
    "partner_named": "404",
    "partner_not_named": "404",
    "manager": "404",
    "manager_with_reason": "404",
    # Staff before two-step sign-in open nothing but sign-in pages and the public site.
    "manager_without_mfa": "mfa",
    "matched_mentor": "ok",  # their own profile, as families see it
    "unmatched_mentor": "404",
    "editor": "404",
    "anonymous": "login",
}


@pytest.mark.parametrize("role,expected", PUBLIC_PROFILE.items())
def test_mentor_profile_as_families_see_it(client, world, role, expected):
    assert _get(client, world, role, world["jo"].get_absolute_url()) == expected


SUGGESTIONS = {role: "404" for role in MATCH} | {
    "lead_key_worker": "ok",
    "other_key_worker": "reason",
    "key_worker_with_reason": "ok",
    "manager_without_mfa": "mfa",
    "anonymous": "login",
}


@pytest.mark.parametrize("role,expected", SUGGESTIONS.items())
def test_suggestions_for_a_family(client, world, role, expected):
    assert _get(client, world, role, f"/mentors/families/{world['family'].pk}/") == expected


def test_mentor_sees_only_their_own_families_and_notes(client, world):
    client.force_login(world["people"]["unmatched_mentor"])
    page = client.get("/mentors/me/").content.decode()
    assert "Another family" in page
    assert "The Test family" not in page
    assert "Tunde&#x27;s supervision note" in page or "Tunde's supervision note" in page
    assert "Jo&#x27;s supervision note" not in page and "Jo's supervision note" not in page
    assert client.get(world["match"].get_absolute_url()).status_code == 404
    assert client.get(f"/mentors/manage/{world['jo'].pk}/").status_code == 404


def test_relation_is_mentor_only_while_matched_and_active(world, manager):
    family, jo, tunde = world["family"], world["jo"], world["tunde"]
    assert relation_to_family(jo.user, family) is Relation.MENTOR
    assert relation_to_family(tunde.user, family) is Relation.NONE
    services.mentor_status_set(mentor=jo, status=Mentor.Status.PAUSED, actor=manager)
    fresh = User.objects.get(pk=jo.user.pk)
    assert relation_to_family(fresh, family) is Relation.NONE


def test_parent_cannot_see_mentors_private_details(client, world):
    jo = world["jo"]
    User.objects.filter(pk=jo.user.pk).update(last_name="Greenwood")
    client.force_login(world["people"]["parent"])
    for url in (jo.get_absolute_url(), world["match"].get_absolute_url(), "/mentors/"):
        page = client.get(url).content.decode()
        assert jo.user.email not in page
        assert "Greenwood" not in page
        assert "supervision" not in page.lower()
        assert "To help." not in page  # why they applied
        assert jo.dbs_checked_on.strftime("%d/%m/%Y") not in page


def test_manager_reads_are_audited(client, world):
    manager = world["people"]["manager"]
    client.force_login(manager)
    before = AuditEvent.objects.filter(actor=manager, action="view").count()
    client.get(f"/mentors/manage/{world['jo'].pk}/")
    events = AuditEvent.objects.filter(actor=manager, action="view").order_by("id")[before:]
    kinds = {(e.object_type, e.family_id) for e in events}
    assert ("Mentor", None) in kinds
    assert ("MentorMatch", world["family"].pk) in kinds
    client.get(world["match"].get_absolute_url())
    assert (
        AuditEvent.objects.filter(
            actor=manager,
            object_type="MentorMatch",
            object_id=str(world["match"].pk),
            action="view",
        ).count()
        == 2
    )


def test_manager_list_read_is_audited(client, world):
    manager = world["people"]["manager"]
    client.force_login(manager)
    client.get("/mentors/manage/")
    assert AuditEvent.objects.filter(actor=manager, object_type="MentorList").count() == 1


def test_family_and_mentor_reads_are_not_audited(client, world):
    client.force_login(world["people"]["parent"])
    client.get(world["match"].get_absolute_url())
    client.force_login(world["people"]["matched_mentor"])
    client.get(world["match"].get_absolute_url())
    assert not AuditEvent.objects.filter(
        actor__in=[world["people"]["parent"], world["people"]["matched_mentor"]]
    ).exists()


def test_manager_actions_need_two_step_sign_in(client, world):
    no_mfa = world["people"]["manager_without_mfa"]
    client.force_login(no_mfa)
    response = client.post(f"/mentors/manage/{world['jo'].pk}/notes/", {"note": "Hello there"})
    assert _outcome(response) == "mfa"
    assert not world["jo"].supervision_notes.filter(author=no_mfa).exists()


def test_writes_need_post(client, world):
    client.force_login(world["people"]["parent"])
    assert client.get(f"/mentors/matches/{world['match'].pk}/end/").status_code == 405


def _post(client, world, role, url, data):
    user = world["people"][role]
    if user is not None:
        client.force_login(user)
    outcome = _outcome(client.post(url, data))
    return "done" if outcome == f"redirect {world['match'].get_absolute_url()}" else outcome


END = {
    **MATCH,
    "parent": "done",
    "lead_key_worker": "done",
    "key_worker_with_reason": "done",
    "manager": "done",
    "manager_with_reason": "done",
    "matched_mentor": "done",
}


@pytest.mark.parametrize("role,expected", END.items())
def test_who_can_end_a_match(client, world, role, expected):
    url = f"/mentors/matches/{world['match'].pk}/end/"
    assert _post(client, world, role, url, {"reason": "Time to stop"}) == expected
    world["match"].refresh_from_db()
    assert (world["match"].status == "ended") is (expected == "done")


LOG_CONTACT = {
    **MATCH,
    "parent": "404",
    "lead_key_worker": "404",
    "key_worker_with_reason": "404",
    "manager": "404",
    "manager_with_reason": "404",
    "matched_mentor": "done",
}


@pytest.mark.parametrize("role,expected", LOG_CONTACT.items())
def test_only_the_matched_mentor_logs_contacts(client, world, role, expected):
    from django.utils import timezone

    url = f"/mentors/matches/{world['match'].pk}/contacts/"
    data = {"kind": "call", "happened_on": timezone.localdate().strftime("%d/%m/%Y")}
    assert _post(client, world, role, url, data) == expected
    assert world["match"].contacts.exists() is (expected == "done")


def test_mentor_whose_dbs_lapsed_loses_the_mentor_relation(world):
    from datetime import timedelta

    from django.utils import timezone

    jo, family = world["jo"], world["family"]
    Mentor.objects.filter(pk=jo.pk).update(
        dbs_checked_on=timezone.localdate() - timedelta(days=3 * 365 + 1)
    )
    fresh = User.objects.get(pk=jo.user.pk)
    assert relation_to_family(fresh, family) is Relation.NONE
