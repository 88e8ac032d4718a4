"""The whole-family assessment and its needs: the key worker records them with their
starting points and the goals that meet them; the plan cannot be agreed while a need has
no goal; each adult reads the needs about them, their children and the household, and
says where they disagree."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from notifications.models import Notification

from casework import services
from casework.models import Assessment, Descriptor, Need, NeedGoal
from plans import services as plan_services
from portal import registry
from portal.models import AuditEvent
from tests import factories
from tests.helpers.casework_records import record, records_access_for

pytestmark = pytest.mark.django_db


def descriptor(code: str) -> Descriptor:
    return Descriptor.objects.get(framework__in_use=True, code=code)


@pytest.fixture
def world(records_world):
    """The Khans' open episode and their plan with a goal of the whole family's (Aisha's)
    and a goal Imran keeps private."""
    people = records_world["people"]
    family = records_world["family"]
    episode = services.episode_open(family=family, actor=people["lead_key_worker"])
    plan = plan_services.plan_start(family=family, actor=people["parent"])
    school_goal = plan_services.goal_create(
        plan=plan, actor=people["parent"], title="Get the kids to school on time"
    )
    work_goal = plan_services.goal_create(
        plan=plan, actor=people["second_adult"], title="Find a job I can do", private=True
    )
    return {
        **records_world,
        "episode": episode,
        "plan": plan,
        "school_goal": school_goal,
        "work_goal": work_goal,
        "kim": people["lead_key_worker"],
    }


def need(world, code="persistent-absence", *, member=None, rating=4, **kw) -> Need:
    return services.need_add(
        episode=world["episode"],
        descriptor=descriptor(code),
        actor=world["kim"],
        member=member,
        baseline_rating=rating,
        **kw,
    )


def assessment_url(family) -> str:
    return reverse("casework:assessment", kwargs={"family_id": family.pk})


# Agreeing the plan ------------------------------------------------------------------------


def test_the_plan_cannot_be_agreed_while_a_need_has_no_goal_and_can_once_one_meets_it(world):
    zara = need(world, member=world["zara"])
    plan, kim = world["plan"], world["kim"]
    with pytest.raises(ValidationError) as refused:
        plan_services.plan_confirm(plan=plan, actor=kim, revision=plan.revision)
    assert "Zara: A child's attendance is below 90% (persistently absent)" in str(refused.value)
    services.need_goals_set(need=zara, actor=kim, goal_ids=[world["school_goal"].pk])
    plan_services.plan_confirm(plan=plan, actor=kim, revision=plan.revision)
    assert plan.confirmations.filter(user=kim).exists()


def test_the_family_is_told_in_plain_words_which_needs_no_goal_meets(client, world):
    need(world, member=world["zara"])
    plan, aisha = world["plan"], world["people"]["parent"]
    plan_services.plan_signatories_set(plan=plan, actor=aisha, members=[world["aisha"]])
    plan.refresh_from_db()
    client.force_login(aisha)
    answer = client.post(
        reverse("plans:agree", kwargs={"family_id": plan.family_id}), {"revision": plan.revision}
    )
    assert answer.status_code == 400
    assert "Zara: Going to school most days" in answer.content.decode()
    assert not plan.confirmations.exists()


def test_a_need_only_the_other_adult_may_see_is_not_named_to_the_parent(world):
    need(world, "worklessness", member=world["imran"], rating=3)
    plan, aisha = world["plan"], world["people"]["parent"]
    with pytest.raises(ValidationError) as refused:
        plan_services.plan_confirm(plan=plan, actor=aisha, revision=plan.revision)
    message = str(refused.value)
    assert "key worker has linked every need" in message
    assert "work" not in message.replace("worker", "")


def test_a_need_taken_off_no_longer_stops_the_plan_being_agreed(world):
    zara = need(world, member=world["zara"])
    services.need_remove(need=zara, actor=world["kim"], reason="Recorded for the wrong child")
    plan = world["plan"]
    plan_services.plan_confirm(plan=plan, actor=world["kim"], revision=plan.revision)
    zara.refresh_from_db()
    assert zara.removed_reason == "Recorded for the wrong child"
    assert Need.objects.filter(pk=zara.pk).exists()  # kept for the counts, never deleted
    assert AuditEvent.objects.filter(object_type="Need", action=AuditEvent.Action.REMOVE).exists()


def test_an_archived_goal_no_longer_meets_a_need(world):
    zara = need(world, member=world["zara"])
    services.need_goals_set(need=zara, actor=world["kim"], goal_ids=[world["school_goal"].pk])
    plan_services.goal_remove(goal=world["school_goal"], actor=world["people"]["parent"])
    assert registry.plan_needs(world["family"], None).any_uncovered


# The plan page ----------------------------------------------------------------------------


def test_the_plan_page_shows_which_needs_each_goal_meets_and_flags_the_rest(client, world):
    zara = need(world, member=world["zara"])
    need(world, "parental-conflict")
    services.need_goals_set(need=zara, actor=world["kim"], goal_ids=[world["school_goal"].pk])
    family = world["family"]
    client.force_login(world["kim"])
    page = client.get(reverse("plans:family_plan", kwargs={"family_id": family.pk}))
    html = page.content.decode()
    assert "Meets these needs:" in html
    assert "<li>Zara: A child&#x27;s attendance is below 90% (persistently absent)</li>" in html
    assert 'id="uncovered-needs"' in html
    assert "Conflict between parents or carers is harming the children" in html

    client.force_login(world["people"]["parent"])
    html = client.get(reverse("plans:plan")).content.decode()
    assert "What this helps with:" in html
    assert "<li>Zara: Going to school most days</li>" in html
    assert "Your household: Getting on better at home" in html


def test_partners_and_mentors_see_no_needs_on_the_plan(client, world):
    zara = need(world, member=world["zara"])
    services.need_goals_set(need=zara, actor=world["kim"], goal_ids=[world["school_goal"].pk])
    family = world["family"]
    school = world["people"]["school"]
    team_row = family.practitioners.get(user=school)
    plan_services.plan_sharing_set(
        plan=world["plan"],
        actor=world["people"]["parent"],
        wanted={(world["school_goal"].pk, "partner", team_row.pk)},
    )
    client.force_login(school)
    html = client.get(reverse("plans:family_plan", kwargs={"family_id": family.pk})).content
    assert b"Get the kids to school on time" in html
    assert b"Meets these needs" not in html and b"attendance" not in html


# Needs and goals -------------------------------------------------------------------------


def test_an_adults_private_goal_meets_only_a_need_about_them(world):
    kim, work_goal = world["kim"], world["work_goal"]
    zara = need(world, member=world["zara"])
    with pytest.raises(ValidationError):
        services.need_goals_set(need=zara, actor=kim, goal_ids=[work_goal.pk])
    imran = need(world, "worklessness", member=world["imran"], rating=3)
    services.need_goals_set(need=imran, actor=kim, goal_ids=[work_goal.pk])
    assert list(NeedGoal.objects.filter(need=imran).values_list("goal_id", flat=True)) == [
        work_goal.pk
    ]


def test_ticking_goals_replaces_the_goals_that_meet_a_need(client, world):
    zara = need(world, member=world["zara"])
    client.force_login(world["kim"])
    url = reverse("casework:need_goals", kwargs={"need_id": zara.pk})
    answer = client.post(url, {f"need-{zara.pk}-goals": [world["school_goal"].pk]})
    assert answer.status_code == 302
    assert set(zara.goals.values_list("goal_id", flat=True)) == {world["school_goal"].pk}
    # Imran's private goal is not offered for Zara's need.
    refused = client.post(url, {f"need-{zara.pk}-goals": [world["work_goal"].pk]})
    assert refused.status_code == 400
    assert client.post(url, {}).status_code == 302
    assert not zara.goals.exists()


def test_only_staff_who_manage_the_family_link_goals(world):
    zara = need(world, member=world["zara"])
    with pytest.raises(PermissionDenied):
        services.need_goals_set(
            need=zara, actor=world["people"]["school"], goal_ids=[world["school_goal"].pk]
        )


# The key worker's pages -----------------------------------------------------------------


def test_the_key_worker_saves_the_assessment_covering_who_they_tick(client, world):
    family = world["family"]
    client.force_login(world["kim"])
    page = client.get(assessment_url(family))
    assert page.status_code == 200
    wrong = client.post(assessment_url(family), {"assessed_on": "31/12/2099", "summary": "x"})
    assert wrong.status_code == 400
    assert "Choose who the assessment covered." in wrong.content.decode()
    right = client.post(
        assessment_url(family),
        {
            "assessed_on": dt.date.today().strftime("%d/%m/%Y"),
            "members": [world["aisha"].pk, world["zara"].pk],
            "summary": "Mornings are hard.",
        },
    )
    assert right.status_code == 302
    assessment = Assessment.objects.get(episode=world["episode"])
    assert set(assessment.members.all()) == {world["aisha"], world["zara"]}
    assert AuditEvent.objects.filter(object_type="Assessment").exists()


def test_a_family_with_no_open_episode_is_told_and_the_key_worker_can_open_one(client, key_worker):
    family = factories.family(key_worker=key_worker)
    client.force_login(key_worker)
    page = client.get(assessment_url(family)).content.decode()
    assert "not working with this family" in page
    assert (
        client.post(reverse("casework:episode_start", kwargs={"family_id": family.pk})).status_code
        == 302
    )
    assert family.episodes.filter(closed_on__isnull=True).exists()


def test_the_key_worker_adds_a_need_with_an_agency_record_as_its_starting_point(client, world):
    family, zara = world["family"], world["zara"]
    school = world["people"]["school"]
    entry = record(school, family, "school-attendance", "84.5", member=zara)
    client.force_login(world["kim"])
    url = reverse("casework:need_new", kwargs={"family_id": family.pk})
    form = client.get(url, {"descriptor": descriptor("persistent-absence").pk}).content.decode()
    assert '<optgroup label="Getting a good education">' in form
    assert '<optgroup label="Records for this need">' in form
    assert "School attendance, Zara: 84.5%" in form
    agency = family.practitioners.get(user=school).agency
    answer = client.post(
        url,
        {
            "member": zara.pk,
            "descriptor": descriptor("persistent-absence").pk,
            "identified_on": "01/11/2026",
            "raised_by": agency.pk,
            "baseline_record": entry.pk,
            "baseline_rating": "",
        },
    )
    assert answer.status_code == 302
    added = Need.objects.get()
    assert (added.member, added.baseline_record, added.raised_by) == (zara, entry, agency)
    page = client.get(assessment_url(family)).content.decode()
    assert "School attendance, Zara: 84.5%" in page
    assert "No goal yet" in page


def test_a_rating_out_of_range_or_no_starting_point_is_refused_on_the_page(client, world):
    family = world["family"]
    client.force_login(world["kim"])
    url = reverse("casework:need_new", kwargs={"family_id": family.pk})
    base = {
        "member": "household",
        "descriptor": descriptor("debt").pk,
        "identified_on": "01/11/2026",
        "raised_by": "own",
    }
    too_high = client.post(url, {**base, "baseline_rating": "11"})
    assert too_high.status_code == 400
    assert "The rating must be a number from 1 to 10." in too_high.content.decode()
    nothing = client.post(url, {**base, "baseline_rating": ""})
    assert nothing.status_code == 400
    assert "Give a starting point" in nothing.content.decode()
    assert client.post(url, {**base, "baseline_rating": "2"}).status_code == 302
    assert Need.objects.get().member is None


def test_a_starting_point_must_be_a_current_record_of_this_family(world, other_family):
    school = world["people"]["school"]
    their_school = factories.partner(other_family)
    their_child = factories.child(other_family, name="Not theirs")
    theirs = record(their_school, other_family, "school-attendance", "70", member=their_child)
    with pytest.raises(ValidationError) as refused:
        need(world, rating=None, baseline_record=theirs)
    assert "baseline_record" in refused.value.message_dict
    ours = record(school, world["family"], "school-attendance", "70", member=world["zara"])
    services.agency_record_correct(
        records_access=records_access_for(school, world["family"]),
        record=ours,
        member=world["zara"],
        value="71",
        starts=ours.starts,
        ends=ours.ends,
        reason="The digits were the wrong way round.",
        recorder=school,
    )
    with pytest.raises(ValidationError) as refused:
        need(world, rating=None, baseline_record=ours)
    assert "baseline_record" in refused.value.message_dict
    for rating in (0, 11):
        with pytest.raises(ValidationError) as refused:
            need(world, rating=rating)
        assert "baseline_rating" in refused.value.message_dict


def test_the_agency_that_raised_a_need_is_on_the_team_or_the_service_itself(world):
    with pytest.raises(ValidationError) as refused:
        need(world, raised_by=factories.agency_record(name="A school not on the team"))
    assert "raised_by" in refused.value.message_dict


def test_the_needs_page_makes_the_same_queries_however_many_needs(client, world):
    family = world["family"]
    client.force_login(world["kim"])
    members = [world["zara"], world["yusuf"], world["imran"], None]
    for member in members[:2]:
        need(world, member=member)
    with CaptureQueriesContext(connection) as few:
        assert client.get(assessment_url(family)).status_code == 200
    for index in range(8):
        zara = need(world, "debt", member=members[index % 4], rating=index % 10 + 1)
        services.need_goals_set(need=zara, actor=world["kim"], goal_ids=[world["school_goal"].pk])
    with CaptureQueriesContext(connection) as many:
        page = client.get(assessment_url(family))
    assert page.content.decode().count('class="govuk-summary-card"') == 10
    assert len(many) == len(few)


def test_the_needs_page_query_count_is_pinned(
    client, world, django_assert_num_queries, session_queries
):
    family = world["family"]
    client.force_login(world["kim"])
    for index in range(6):
        need(world, member=[world["zara"], world["yusuf"], None][index % 3])
    client.get(assessment_url(family))  # the session and caches warm up
    with django_assert_num_queries(12 + session_queries):
        client.get(assessment_url(family))


# The family's page -------------------------------------------------------------------------


@pytest.fixture
def needs_of_all_kinds(world):
    return {
        "zara": need(world, member=world["zara"]),
        "household": need(world, "parental-conflict"),
        "imran": need(world, "worklessness", member=world["imran"], rating=3),
        "aisha_abuse": need(world, "domestic-abuse", member=world["aisha"], rating=2),
        "household_abuse": need(world, "domestic-abuse", rating=2),
    }


def test_a_parent_sees_their_children_and_household_needs_never_the_other_adults_or_abuse(
    client, world, needs_of_all_kinds
):
    client.force_login(world["people"]["parent"])
    page = client.get(reverse("casework:yours_needs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Going to school most days" in html
    assert "Getting on better at home" in html
    assert "Finding work" not in html
    assert "abuse" not in html.lower() and "Everyone safe at home" not in html
    client.force_login(world["people"]["second_adult"])
    html = client.get(reverse("casework:yours_needs")).content.decode()
    assert "Finding work" in html and "Going to school most days" in html
    assert "abuse" not in html.lower() and "Everyone safe at home" not in html


def test_a_parent_says_where_they_disagree_and_the_key_worker_is_told(
    client, world, needs_of_all_kinds, django_capture_on_commit_callbacks
):
    zara = needs_of_all_kinds["zara"]
    client.force_login(world["people"]["parent"])
    url = reverse("casework:need_view", kwargs={"need_id": zara.pk})
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {f"need-{zara.pk}-view": "Zara was ill in October."})
    assert answer.status_code == 302
    zara.refresh_from_db()
    assert (zara.family_view, zara.family_view_by) == ("Zara was ill in October.", world["aisha"])
    told = Notification.objects.get(recipient=world["kim"])
    assert "disagree" in told.verb
    client.force_login(world["kim"])
    assert (
        "Zara was ill in October." in client.get(assessment_url(world["family"])).content.decode()
    )


@pytest.mark.parametrize("which", ["imran", "aisha_abuse", "household_abuse"])
def test_a_parent_cannot_write_on_a_need_they_may_not_see(client, world, needs_of_all_kinds, which):
    hidden = needs_of_all_kinds[which]
    client.force_login(world["people"]["parent"])
    url = reverse("casework:need_view", kwargs={"need_id": hidden.pk})
    assert client.post(url, {f"need-{hidden.pk}-view": "No"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.need_family_view_set(need=hidden, actor=world["people"]["parent"], view="No")


@pytest.mark.parametrize("who", ["other_parent", "school", "mentor", "unnamed_partner"])
def test_needs_pages_are_404_for_other_families_partners_and_mentors(
    client, world, needs_of_all_kinds, who
):
    person = world["people"][who]
    zara = needs_of_all_kinds["zara"]
    client.force_login(person)
    family = world["family"]
    assert client.get(assessment_url(family)).status_code == 404
    assert (
        client.get(reverse("casework:need_new", kwargs={"family_id": family.pk})).status_code == 404
    )
    assert (
        client.post(reverse("casework:need_goals", kwargs={"need_id": zara.pk})).status_code == 404
    )
    assert (
        client.get(reverse("casework:need_remove", kwargs={"need_id": zara.pk})).status_code == 404
    )
    assert (
        client.post(reverse("casework:need_view", kwargs={"need_id": zara.pk})).status_code == 404
    )
    if who in {"school", "unnamed_partner"}:
        assert client.get(reverse("casework:yours_needs")).status_code == 404
    else:  # a parent of another family (a mentor's own, say) reads only their own
        assert (
            "Going to school most days"
            not in client.get(reverse("casework:yours_needs")).content.decode()
        )


def test_a_parent_cannot_open_the_key_workers_pages(client, world, needs_of_all_kinds):
    client.force_login(world["people"]["parent"])
    assert client.get(assessment_url(world["family"])).status_code == 404


def test_the_other_familys_parent_sees_none_of_these_needs(client, world, needs_of_all_kinds):
    client.force_login(world["people"]["other_parent"])
    html = client.get(reverse("casework:yours_needs")).content.decode()
    assert "Going to school most days" not in html


# The framework -----------------------------------------------------------------------------


def test_managers_read_the_framework_in_use_and_its_six_month_tests(client, manager, key_worker):
    client.force_login(manager)
    page = client.get(reverse("casework:framework"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2022-25" in html and "School attendance" in html
    client.force_login(key_worker)
    assert client.get(reverse("casework:framework")).status_code == 404
