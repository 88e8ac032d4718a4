"""Every role against every kind of core record, through the real URLs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.models import AuditEvent, FamilyMember, FamilyPractitioner, StaffProfile
from tests import factories


def _today():
    return timezone.localdate()


def _ended(user, family):
    """On the team until yesterday (the end date is their last day)."""
    FamilyPractitioner.everyone.filter(user=user, family=family).update(
        starts=_today() - timedelta(days=30), ends=_today() - timedelta(days=1)
    )
    return user


def _removed(user, family):
    FamilyPractitioner.everyone.filter(user=user, family=family).update(
        removed_at=timezone.now(), removed_reason="Moved to another school"
    )
    return user


@pytest.fixture
def world(db):
    """A family with a parent, its lead key worker, a named partner and everyone else."""
    key_worker = factories.staff(StaffProfile.Role.KEY_WORKER)
    family = factories.family(key_worker=key_worker, name="Khan family")
    parent = factories.parent(family, name="Aisha")
    child = factories.child(family, name="Zara")
    other_family = factories.family(key_worker=factories.staff(), name="Other family")
    return {
        "family": family,
        "child": child,
        "parent": parent,
        "other_parent": factories.parent(other_family),
        "lead_key_worker": key_worker,
        "other_key_worker": factories.staff(StaffProfile.Role.KEY_WORKER),
        "named_partner": factories.partner(family),
        "unnamed_partner": factories.partner(),
        "ended_partner": _ended(factories.partner(family), family),
        "removed_partner": _removed(factories.partner(family), family),
        "future_partner": factories.partner(family, starts=_today() + timedelta(days=1)),
        "manager": factories.staff(StaffProfile.Role.MANAGER),
        "editor": factories.staff(StaffProfile.Role.EDITOR),
    }


# (role, family page, invite form posts) -> expected status codes
MATRIX = [
    ("parent", 200, 404),
    ("other_parent", 404, 404),
    ("lead_key_worker", 200, 302),
    ("other_key_worker", "reason", "reason"),
    ("named_partner", 200, 404),
    ("unnamed_partner", 404, 404),
    ("ended_partner", 404, 404),
    ("removed_partner", 404, 404),
    ("future_partner", 404, 404),
    ("manager", "reason", "reason"),
    ("editor", 404, 404),
    ("anonymous", "login", "login"),
]


def _check(response, expected, family):
    if expected == "login":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    elif expected == "reason":
        assert response.status_code == 302
        assert response["Location"].startswith(
            reverse("portal:family_reason", kwargs={"family_id": family.pk})
        )
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("role", "view_status", "invite_status"), MATRIX)
def test_family_record_access_by_role(client, world, role, view_status, invite_status):
    family = world["family"]
    if role != "anonymous":
        client.force_login(world[role])
    _check(client.get(family.get_absolute_url()), view_status, family)
    response = client.post(
        reverse("portal:family_invite", kwargs={"family_id": family.pk}),
        {"invite-name": "Imran", "invite-relationship": "dad", "invite-email": "imran@example.org"},
    )
    _check(response, invite_status, family)
    response = client.post(
        reverse("portal:family_member_create", kwargs={"family_id": family.pk}),
        {"member-name": "Yusuf", "member-relationship": "child"},
    )
    _check(response, invite_status, family)


@pytest.mark.parametrize("role", ["other_key_worker", "manager"])
def test_staff_outside_caseload_can_open_family_with_reason_and_it_is_audited(client, world, role):
    family = world["family"]
    user = world[role]
    client.force_login(user)
    url = reverse("portal:family_reason", kwargs={"family_id": family.pk})
    response = client.post(url, {"reason": "x", "next": family.get_absolute_url()})
    assert response.status_code == 400
    assert b"Say a little more" in response.content
    response = client.post(
        url, {"reason": "Covering for Kim while she is on leave", "next": family.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == family.get_absolute_url()
    response = client.get(family.get_absolute_url())
    assert response.status_code == 200
    assert b"Covering for Kim" in response.content
    event = AuditEvent.objects.filter(actor=user, family=family, action="view").get()
    assert event.reason == "Covering for Kim while she is on leave"


def test_reason_page_is_404_for_people_who_cannot_give_one(client, world):
    family = world["family"]
    for role in ("other_parent", "unnamed_partner", "editor", "lead_key_worker"):
        client.force_login(world[role])
        url = reverse("portal:family_reason", kwargs={"family_id": family.pk})
        assert client.get(url).status_code == 404, role


def test_another_familys_page_is_the_same_404_as_a_missing_one(client, world):
    client.force_login(world["parent"])
    other = world["other_parent"].family_membership.family
    foreign = client.get(other.get_absolute_url())
    missing = client.get(reverse("portal:family_detail", kwargs={"family_id": 999999}))
    junk = client.get("/families/abc/")  # no URL takes it, so no view is reached
    assert foreign.status_code == missing.status_code == junk.status_code == 404
    assert _without_tokens(foreign.content) == _without_tokens(missing.content)


def _without_tokens(html: bytes) -> bytes:
    import re

    return re.sub(rb'(nonce="|X-CSRFToken": "|value=")[^"]+', rb"\1", html)


def test_lead_key_worker_read_is_audited_without_reason(client, world):
    client.force_login(world["lead_key_worker"])
    client.get(world["family"].get_absolute_url())
    event = AuditEvent.objects.get(actor=world["lead_key_worker"])
    assert event.family == world["family"]
    assert event.object_type == "Family"
    assert event.reason == ""


def test_parent_reads_are_not_audited_as_staff_access(client, world):
    client.force_login(world["parent"])
    client.get(world["family"].get_absolute_url())
    assert not AuditEvent.objects.filter(actor=world["parent"]).exists()


def test_partner_sees_family_but_cannot_manage_it(client, world):
    client.force_login(world["named_partner"])
    response = client.get(world["family"].get_absolute_url())
    assert response.status_code == 200
    assert b"Invite a parent or carer" not in response.content
    assert response.context["can_manage"] is False


def test_staff_without_mfa_are_sent_to_set_it_up_before_any_family_record(client, world):
    worker = factories.staff(StaffProfile.Role.KEY_WORKER, mfa=False)
    services.family_create(display_name="Mine", lead_key_worker=worker)
    family = worker.caseload.get()
    client.force_login(worker)
    response = client.get(family.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert not AuditEvent.objects.filter(actor=worker).exists()


def test_admin_sites_need_mfa_for_staff(client, world):
    editor = factories.staff(StaffProfile.Role.EDITOR, mfa=False)
    client.force_login(editor)
    for url in ("/cms/", "/django-admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp")
    factories.give_mfa(editor)
    client.force_login(editor)
    assert client.get("/cms/").status_code == 200


def test_django_admin_sign_in_goes_through_allauth(client, db):
    response = client.get("/django-admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_signed_in_pages_are_not_cached(client, world):
    client.force_login(world["parent"])
    response = client.get(reverse("portal:dashboard"))
    assert "no-store" in response["Cache-Control"]


def test_key_worker_adds_a_family_to_their_caseload(client, world):
    worker = world["lead_key_worker"]
    client.force_login(worker)
    response = client.post(
        reverse("portal:family_create"), {"display_name": "  ", "ward": "Tile Hill"}
    )
    assert response.status_code == 400
    assert b'value="Tile Hill"' in response.content
    response = client.post(reverse("portal:family_create"), {"display_name": "The Parkers"})
    family = worker.caseload.get(display_name="The Parkers")
    assert response["Location"] == family.get_absolute_url()
    assert AuditEvent.objects.filter(actor=worker, family=family, action="create").exists()


@pytest.mark.parametrize("role", ["parent", "named_partner", "manager", "editor"])
def test_only_key_workers_add_families(client, world, role):
    client.force_login(world[role])
    assert client.get(reverse("portal:family_create")).status_code == 404


def _team_add_data(world, **extra):
    return {
        "practitioner": world["unnamed_partner"].pk,
        "agency": factories.agency_record().pk,
        "role": "Attendance officer",
        "starts": _today().strftime("%d/%m/%Y"),
        "ends": "",
        **extra,
    }


def test_key_worker_adds_and_removes_a_practitioner_who_then_loses_access(client, world):
    family = world["family"]
    partner = world["unnamed_partner"]
    client.force_login(world["lead_key_worker"])
    response = client.post(
        reverse("portal:team_add", kwargs={"family_id": family.pk}), _team_add_data(world)
    )
    assert response.status_code == 302
    client.force_login(partner)
    assert client.get(family.get_absolute_url()).status_code == 200
    membership = FamilyPractitioner.objects.get(family=family, user=partner)
    client.force_login(world["lead_key_worker"])
    client.post(
        reverse(
            "portal:team_remove", kwargs={"family_id": family.pk, "membership_id": membership.pk}
        ),
        {"reason": "The family moved to another school"},
    )
    client.force_login(partner)
    assert client.get(family.get_absolute_url()).status_code == 404


def test_practitioner_list_only_offers_partners(client, world):
    family = world["family"]
    client.force_login(world["lead_key_worker"])
    response = client.post(
        reverse("portal:team_add", kwargs={"family_id": family.pk}),
        _team_add_data(world, practitioner=world["manager"].pk),
    )
    assert response.status_code == 400
    assert not FamilyPractitioner.everyone.filter(user=world["manager"]).exists()


@pytest.mark.parametrize(
    "role", ["named_partner", "parent", "other_key_worker", "ended_partner", "editor"]
)
def test_only_staff_who_manage_the_family_change_its_team(client, world, role):
    family = world["family"]
    membership = FamilyPractitioner.objects.get(family=family, user=world["named_partner"])
    client.force_login(world[role])
    add = reverse("portal:team_add", kwargs={"family_id": family.pk})
    ids = {"family_id": family.pk, "membership_id": membership.pk}
    for response in (
        client.post(add, _team_add_data(world)),
        client.get(reverse("portal:team_edit", kwargs=ids)),
        client.post(reverse("portal:team_remove", kwargs=ids), {"reason": "Not needed now x"}),
    ):
        assert response.status_code in {302, 404}
        if response.status_code == 302:  # staff outside the caseload are asked for a reason
            assert "/reason/" in response["Location"]
    assert FamilyPractitioner.objects.filter(pk=membership.pk).exists()
    assert not FamilyPractitioner.everyone.filter(user=world["unnamed_partner"]).exists()


@pytest.mark.parametrize(
    "role", ["ended_partner", "removed_partner", "future_partner", "other_parent"]
)
def test_the_team_page_is_404_for_anyone_off_the_team(client, world, role):
    client.force_login(world[role])
    url = reverse("portal:family_team", kwargs={"family_id": world["family"].pk})
    assert client.get(url).status_code == 404


# Safe contact and leaving a household ----------------------------------------------------


@pytest.fixture
def household(world):
    """The world's family with a second adult, and the first adult's safe contact set."""
    world["second_adult"] = factories.parent(
        world["family"], name="Imran", relationship=FamilyMember.Relationship.DAD
    )
    services.safe_contact_set(
        user=world["parent"],
        by_email=False,
        by_text=True,
        by_phone=False,
        phone="07700 900456",
        leave_messages=False,
        safe_word="bluebell",
    )
    world["member"] = FamilyMember.objects.get(user=world["parent"])
    return world


# (role, safe word page, remove page, sees the safe contact panel on the family page)
SAFE_CONTACT_MATRIX = [
    ("parent", 404, 404, False),
    ("second_adult", 404, 404, False),
    ("other_parent", 404, 404, None),
    ("lead_key_worker", 200, 200, True),
    ("other_key_worker", "reason", "reason", None),
    ("named_partner", 404, 404, True),
    ("unnamed_partner", 404, 404, None),
    ("manager", "reason", "reason", None),
    ("editor", 404, 404, None),
    ("anonymous", "login", "login", None),
]


@pytest.mark.parametrize(("role", "word", "remove", "panel"), SAFE_CONTACT_MATRIX)
def test_safe_contact_and_removal_access_by_role(client, household, role, word, remove, panel):
    family, member = household["family"], household["member"]
    if role != "anonymous":
        client.force_login(household[role])
    kwargs = {"family_id": family.pk, "member_id": member.pk}
    word_response = client.get(reverse("portal:family_safe_word", kwargs=kwargs))
    _check(word_response, word, family)
    assert (b"bluebell" in word_response.content) is (word == 200)
    if panel is not None:
        page = client.get(family.get_absolute_url()).content.decode()
        assert ("07700 900456" in page) is panel
        assert "bluebell" not in page
    _check(client.get(reverse("portal:family_member_remove", kwargs=kwargs)), remove, family)
    response = client.post(
        reverse("portal:family_member_remove", kwargs=kwargs), {"reason": "A" * 20}
    )
    _check(response, 302 if remove == 200 else remove, family)
    assert FamilyMember.objects.filter(pk=member.pk).exists() is (remove != 200)


def test_a_second_adult_never_sees_the_first_adults_preferences(client, household):
    client.force_login(household["second_adult"])
    for url in (
        household["family"].get_absolute_url(),
        reverse("portal:dashboard"),
        reverse("portal:safe_contact"),
    ):
        page = client.get(url).content.decode()
        assert "07700 900456" not in page and "bluebell" not in page, url


def test_a_removed_adult_is_refused_everything_they_could_open(client, household):
    from chat import services as chat_services

    family, second = household["family"], household["second_adult"]
    conversation = chat_services.conversation_key_worker_ensure(family=family)
    client.force_login(second)
    urls = [family.get_absolute_url(), conversation.get_absolute_url()]
    assert [client.get(url).status_code for url in urls] == [200, 200]
    services.family_member_remove(
        member=FamilyMember.objects.get(user=second),
        actor=household["lead_key_worker"],
        reason="Moved out this week",
    )
    client.force_login(second)
    assert [client.get(url).status_code for url in urls] == [404, 404]
    assert client.get(reverse("portal:safe_contact")).status_code == 404
