"""The team around the family: agencies managers keep, practitioners put on a family's
team for an agency, in a role, for a time, and the family's "Your team" page."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from notifications.models import Notification

from plans import services as plan_services
from portal import demo, services
from portal.models import Agency, AuditEvent, FamilyPractitioner, StaffProfile
from portal.notify import notify_users
from tests import factories

REASON = "The family moved to a school in another area"


def _today():
    return timezone.localdate()


def _day(d) -> str:
    return d.strftime("%d/%m/%Y")


@pytest.fixture
def school(db):
    return factories.agency_record(Agency.Kind.SCHOOL, name="Foleshill Primary School")


@pytest.fixture
def pat(db):
    user = factories.staff(StaffProfile.Role.PARTNER)
    user.first_name, user.last_name, user.preferred_name = "Pat", "Doyle", ""
    user.save()
    return user


@pytest.fixture
def on_team(family, pat, school, key_worker):
    return services.family_practitioner_add(
        family=family,
        practitioner=pat,
        agency=school,
        role="Attendance officer",
        starts=_today() - timedelta(days=10),
        actor=key_worker,
    )


# Agencies --------------------------------------------------------------------------------


def test_the_starting_agencies_are_one_of_each_kind(db):
    assert set(Agency.objects.values_list("kind", flat=True)) == set(Agency.Kind.values)


def test_a_manager_adds_renames_and_retires_an_agency_each_audited(client, manager):
    client.force_login(manager)
    url = reverse("portal:agencies")
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Foleshill Primary School", "kind": "school"})
    assert response.status_code == 302
    agency = Agency.objects.get(name="Foleshill Primary School")
    edit = reverse("portal:agency_edit", kwargs={"agency_id": agency.pk})
    client.post(edit, {"rename-name": "Foleshill Primary Academy"})
    agency.refresh_from_db()
    assert agency.name == "Foleshill Primary Academy"
    client.post(edit, {"action": "retire", "retire-reason": "Merged with the academy trust"})
    agency.refresh_from_db()
    assert not agency.is_active and agency.retired_reason == "Merged with the academy trust"
    said = list(
        AuditEvent.objects.filter(actor=manager, object_type="Agency")
        .order_by("created_at", "id")
        .values_list("reason", flat=True)
    )
    assert said == [
        "Added the agency Foleshill Primary School",
        "Renamed the agency Foleshill Primary School to Foleshill Primary Academy",
        "Retired the agency Foleshill Primary Academy: Merged with the academy trust",
    ]


def test_wrong_agency_input_keeps_what_was_typed_and_says_what_to_fix(client, manager, school):
    client.force_login(manager)
    url = reverse("portal:agencies")
    response = client.post(url, {"name": "Whitefriars Housing", "kind": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html and "Choose what kind of agency it is." in html
    assert 'value="Whitefriars Housing"' in html
    response = client.post(url, {"name": "foleshill primary school", "kind": "school"})
    assert response.status_code == 400
    assert "There is already an agency with this name." in response.content.decode()
    edit = reverse("portal:agency_edit", kwargs={"agency_id": school.pk})
    response = client.post(edit, {"action": "retire", "retire-reason": ""})
    assert response.status_code == 400
    assert "Say why this agency is no longer used." in response.content.decode()
    school.refresh_from_db()
    assert school.is_active


@pytest.mark.parametrize("role", ["key_worker", "partner", "parent", "editor"])
def test_only_managers_keep_the_agencies(client, request, role, school):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("portal:agencies")).status_code == 404
    edit = reverse("portal:agency_edit", kwargs={"agency_id": school.pk})
    assert client.post(edit, {"rename-name": "Taken over"}).status_code == 404
    school.refresh_from_db()
    assert school.name == "Foleshill Primary School"


# Putting people on the team -------------------------------------------------------------


def test_key_worker_adds_a_practitioner_with_agency_role_and_dates(
    client, family, key_worker, pat, school
):
    client.force_login(key_worker)
    url = reverse("portal:team_add", kwargs={"family_id": family.pk})
    assert "Foleshill Primary School" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "practitioner": pat.pk,
            "agency": school.pk,
            "role": "Attendance officer",
            "starts": _day(_today()),
            "ends": "",
        },
    )
    assert response.status_code == 302
    link = FamilyPractitioner.objects.get(family=family, user=pat)
    assert (link.agency, link.role, link.starts, link.ends) == (
        school,
        "Attendance officer",
        _today(),
        None,
    )
    event = AuditEvent.objects.get(actor=key_worker, object_type="FamilyPractitioner")
    assert event.reason == "Put Pat Doyle (Foleshill Primary School) on the family's team"
    page = client.get(family.get_absolute_url()).content.decode()
    assert "Pat Doyle" in page and "Foleshill Primary School, Attendance officer" in page


def test_wrong_team_input_loses_nothing_and_shows_an_error_summary(
    client, family, key_worker, pat, school
):
    client.force_login(key_worker)
    url = reverse("portal:team_add", kwargs={"family_id": family.pk})
    response = client.post(
        url,
        {
            "practitioner": pat.pk,
            "agency": school.pk,
            "role": "Attendance officer",
            "starts": _day(_today()),
            "ends": _day(_today() - timedelta(days=1)),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html and 'href="#id_ends"' in html
    assert "The end date must be the same as or after the start date." in html
    assert 'value="Attendance officer"' in html
    response = client.post(url, {"practitioner": pat.pk, "role": "x", "starts": "31/02/2026"})
    html = response.content.decode()
    assert "Choose an agency from the list." in html and "Enter a real date" in html
    assert not FamilyPractitioner.everyone.exists()


def test_a_retired_agency_is_not_offered(client, family, key_worker, pat, school, manager):
    services.agency_retire(agency=school, reason="Closed in the summer", actor=manager)
    client.force_login(key_worker)
    url = reverse("portal:team_add", kwargs={"family_id": family.pk})
    assert "Foleshill Primary School" not in client.get(url).content.decode()
    response = client.post(
        url, {"practitioner": pat.pk, "agency": school.pk, "starts": _day(_today())}
    )
    assert response.status_code == 400
    assert not FamilyPractitioner.everyone.exists()


def test_another_familys_team_member_is_404(client, family, other_family, on_team):
    other_kw = other_family.lead_key_worker
    client.force_login(other_kw)
    for name in ("portal:team_edit", "portal:team_remove"):
        url = reverse(name, kwargs={"family_id": other_family.pk, "membership_id": on_team.pk})
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": REASON}).status_code == 404
    assert FamilyPractitioner.objects.filter(pk=on_team.pk).exists()


def test_changing_dates_is_audited_and_an_end_in_the_past_ends_access(
    client, family, key_worker, pat, on_team, django_capture_on_commit_callbacks
):
    partner_client = Client()
    partner_client.force_login(pat)
    assert partner_client.get(family.get_absolute_url()).status_code == 200
    client.force_login(key_worker)
    url = reverse("portal:team_edit", kwargs={"family_id": family.pk, "membership_id": on_team.pk})
    assert 'value="Attendance officer"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "role": "Attendance officer",
                "starts": _day(on_team.starts),
                "ends": _day(_today() - timedelta(days=1)),
            },
        )
    assert response.status_code == 302
    assert partner_client.get(family.get_absolute_url()).status_code == 404
    on_team.refresh_from_db()
    assert on_team.left_at is not None
    assert AuditEvent.objects.filter(
        actor=key_worker, action="update", object_type="FamilyPractitioner"
    ).exists()


def test_the_last_day_is_inclusive_and_the_first_day_is_too(family, pat, on_team):
    today = _today()
    for starts, ends, on in [
        (today, today, True),
        (today - timedelta(days=5), today, True),
        (today + timedelta(days=1), None, False),
        (today - timedelta(days=5), today - timedelta(days=1), False),
    ]:
        FamilyPractitioner.everyone.filter(pk=on_team.pk).update(starts=starts, ends=ends)
        assert family.practitioners.filter(user=pat).exists() is on, (starts, ends)


def test_removal_needs_a_reason_and_keeps_the_row_for_history(
    client, family, key_worker, pat, on_team
):
    client.force_login(key_worker)
    url = reverse(
        "portal:team_remove", kwargs={"family_id": family.pk, "membership_id": on_team.pk}
    )
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert FamilyPractitioner.objects.filter(pk=on_team.pk).exists()
    response = client.post(url, {"reason": REASON})
    assert response.status_code == 302
    gone = FamilyPractitioner.everyone.get(pk=on_team.pk)
    assert gone.removed_at is not None and gone.removed_reason == REASON
    assert not family.practitioners.exists()
    event = AuditEvent.objects.get(action="remove", object_type="FamilyPractitioner")
    assert event.reason == f"Took Pat Doyle off the family's team: {REASON}"
    assert "removed on" in client.get(family.get_absolute_url()).content.decode()


def test_someone_removed_can_be_put_back_on_the_team(family, key_worker, pat, school, on_team):
    services.family_practitioner_remove(membership=on_team, actor=key_worker, reason=REASON)
    back = services.family_practitioner_add(
        family=family,
        practitioner=pat,
        agency=school,
        role="Pastoral lead",
        starts=_today(),
        actor=key_worker,
    )
    assert back.pk == on_team.pk and back.removed_at is None and back.is_current()


def test_leaving_the_team_ends_everything_at_once_but_keeps_other_families(
    family,
    other_family,
    key_worker,
    pat,
    school,
    on_team,
    shared_plan,
    django_capture_on_commit_callbacks,
):
    services.family_practitioner_add(
        family=other_family,
        practitioner=pat,
        agency=school,
        role="Attendance officer",
        starts=_today(),
        actor=other_family.lead_key_worker,
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify_users(recipients=[pat], verb="A goal was shared with you", family=family)
        notify_users(recipients=[pat], verb="A goal was shared with you", family=other_family)
    browser = Client()
    browser.force_login(pat)
    pages = (
        family.get_absolute_url(),
        reverse("portal:family_team", kwargs={"family_id": family.pk}),
        reverse("plans:family_plan", kwargs={"family_id": family.pk}),
    )
    assert [browser.get(url).status_code for url in pages] == [200, 200, 200]
    with django_capture_on_commit_callbacks(execute=True):
        services.family_practitioner_remove(membership=on_team, actor=key_worker, reason=REASON)
    assert [browser.get(url).status_code for url in pages] == [404, 404, 404]
    # Their notifications about this family are withdrawn; their other family carries on.
    left = Notification.objects.get(recipient=pat)
    assert left.data["family_id"] == other_family.pk
    assert browser.get(other_family.get_absolute_url()).status_code == 200
    assert [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(pat.pk)]


def test_the_sweep_carries_through_end_dates_that_passed(
    family, pat, on_team, django_capture_on_commit_callbacks
):
    from portal import signals

    heard = []
    signals.family_practitioner_left.connect(
        lambda sender, **kw: heard.append(kw["user"]), weak=False, dispatch_uid="test_sweep"
    )
    try:
        FamilyPractitioner.everyone.filter(pk=on_team.pk).update(ends=_today() - timedelta(days=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert services.team_endings_carry_through() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert services.team_endings_carry_through() == 0  # once only
    finally:
        signals.family_practitioner_left.disconnect(dispatch_uid="test_sweep")
    assert heard == [pat]


# What the family sees -------------------------------------------------------------------


@pytest.fixture
def shared_plan(family, parent, on_team):
    plan = plan_services.plan_start(family=family, actor=parent)
    shared = plan_services.goal_create(plan=plan, actor=parent, title="Get Zara to school on time")
    plan_services.goal_create(plan=plan, actor=parent, title="Sort out the rent arrears")
    plan_services.plan_sharing_set(
        plan=plan, actor=parent, wanted={(shared.pk, "partner", on_team.pk)}
    )
    return plan


def test_the_family_sees_its_team_and_what_each_can_see(client, family, parent, shared_plan):
    client.force_login(parent)
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    url = reverse("portal:family_team", kwargs={"family_id": family.pk})
    assert url in dashboard
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your team" in html and "Exit this page" in html
    assert "Pat Doyle" in html and "Foleshill Primary School, Attendance officer" in html
    assert "because you shared them" in html and "Get Zara to school on time" in html
    assert "Sort out the rent arrears" not in html


def test_staff_see_the_same_team_on_the_familys_page(client, family, key_worker, shared_plan):
    client.force_login(key_worker)
    html = client.get(family.get_absolute_url()).content.decode()
    assert "The family&#x27;s team" in html or "The family's team" in html
    assert "Foleshill Primary School, Attendance officer" in html
    assert "Get Zara to school on time" in html


def test_another_familys_team_page_is_404(client, family, other_family, parent):
    client.force_login(parent)
    url = reverse("portal:family_team", kwargs={"family_id": other_family.pk})
    assert client.get(url).status_code == 404


# The session, the signed-in person, the family, the team with their agencies, what each
# can see, the menu's unread count: the same however many are on the team.
TEAM_PAGE_QUERIES = 6


def test_team_page_queries_stay_flat_as_the_team_grows(
    client, family, parent, key_worker, shared_plan, django_assert_num_queries
):
    client.force_login(parent)
    url = reverse("portal:family_team", kwargs={"family_id": family.pk})
    client.get(url)
    # At most so many (one fewer on PostgreSQL with Redis, as CI measured), and the same
    # number however big the team.
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    assert len(small) <= TEAM_PAGE_QUERIES
    for kind in (Agency.Kind.HEALTH_VISITING, Agency.Kind.HOUSING, Agency.Kind.POLICE):
        services.family_practitioner_add(
            family=family,
            practitioner=factories.staff(StaffProfile.Role.PARTNER),
            agency=factories.agency_record(kind),
            role="Officer",
            starts=_today(),
            actor=key_worker,
        )
    with django_assert_num_queries(len(small)):
        assert client.get(url).content.decode().count("Officer") >= 3


def test_a_partners_comment_shows_their_agency(client, family, parent, pat, shared_plan):
    goal = shared_plan.goals.get(title="Get Zara to school on time")
    plan_services.comment_add(plan=shared_plan, actor=pat, goal=goal, text="Zara was in all week")
    client.force_login(parent)
    html = client.get(reverse("plans:plan")).content.decode()
    assert "Pat Doyle, Foleshill Primary School" in html


def test_the_khans_have_a_team_in_the_demo(db):
    people = demo.seed()
    team = FamilyPractitioner.objects.filter(family=people["family:parent"]).select_related(
        "agency"
    )
    assert {(m.agency.kind, m.role) for m in team} == {
        ("school", "Attendance officer"),
        ("health_visiting", "Health visitor"),
        ("housing", "Housing officer"),
        ("police", "Neighbourhood officer"),
    }


def test_a_partner_sees_the_team_but_not_what_others_were_shown(
    client, family, key_worker, shared_plan
):
    other = factories.staff(StaffProfile.Role.PARTNER)
    services.family_practitioner_add(
        family=family,
        practitioner=other,
        agency=factories.agency_record(Agency.Kind.POLICE),
        role="Neighbourhood officer",
        starts=_today(),
        actor=key_worker,
    )
    client.force_login(other)
    for url in (
        family.get_absolute_url(),
        reverse("portal:family_team", kwargs={"family_id": family.pk}),
    ):
        html = client.get(url).content.decode()
        assert "Pat Doyle" in html and "Police, Neighbourhood officer" in html
        assert "Get Zara to school on time" not in html
        assert "The family has not shared any goals with them." in html  # their own


def test_a_matched_mentor_is_not_shown_the_team(client, family, shared_plan):
    from portal import access as core
    from tests.helpers.plans import matched_mentor_for

    mentor, provider = matched_mentor_for(family)
    try:
        client.force_login(mentor)
        url = reverse("portal:family_team", kwargs={"family_id": family.pk})
        assert client.get(url).status_code == 404
        page = client.get(family.get_absolute_url())
        assert page.status_code != 200 or "Pat Doyle" not in page.content.decode()
    finally:
        core._relation_providers.remove(provider)
