"""The intervention library for every agency: anyone on a family's team proposes an idea
for their agency, a manager approves or retires it with a reason, each idea shows the
local services that deliver it and, in counts only, how it was used and rated."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans import selectors, services
from plans.models import GoalRating, InterventionTemplate, OutcomeArea, Step, Who
from portal.models import Agency, AuditEvent, FamilyPractitioner, StaffProfile
from tests import factories
from tests.helpers.content import local_service


def _idea(actor, title="Walking bus", **kw):
    data = {
        "summary": "Parents take turns to walk children to school.",
        "step_text": "Walk with the other parents on our route",
        "who": Who.OTHER,
    }
    return services.template_save(actor=actor, title=title, **(data | kw))


def _form(**kw):
    return {
        "title": "Breakfast club",
        "summary": "A free breakfast before school starts.",
        "step_text": "Try the breakfast club on Monday",
        "who": Who.MEMBER,
    } | kw


@pytest.fixture
def school(family, partner):
    return FamilyPractitioner.objects.get(family=family, user=partner).agency


# Proposing ----------------------------------------------------------------------------------


def test_partner_on_a_team_proposes_an_idea_for_their_agency(client, partner, school):
    service = local_service(name="Foleshill breakfast club")
    client.force_login(partner)
    assert client.get(reverse("plans:template_new")).status_code == 200
    response = client.post(reverse("plans:template_new"), _form(services=[service.pk]))
    assert response.status_code == 302
    idea = InterventionTemplate.objects.get()
    assert idea.status == InterventionTemplate.Status.PROPOSED
    assert idea.agency == school and idea.created_by == partner
    assert idea.service_ids == [service.pk]
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for a manager" in page and "Foleshill breakfast club" in page
    mine = client.get(reverse("plans:templates") + "?status=mine").content.decode()
    assert "Breakfast club" in mine


def test_key_workers_ideas_are_the_services_own(key_worker):
    idea = _idea(key_worker)
    assert idea.agency is None and idea.status == InterventionTemplate.Status.PROPOSED
    assert idea.agency_label == "The early help service"


def test_a_partner_on_no_team_and_a_parent_cannot_propose(client, parent):
    stranger = factories.partner()
    client.force_login(stranger)
    assert client.get(reverse("plans:templates")).status_code == 404
    assert client.post(reverse("plans:template_new"), _form()).status_code == 404
    client.force_login(parent)
    assert client.get(reverse("plans:templates")).status_code == 200
    assert client.post(reverse("plans:template_new"), _form()).status_code == 404
    assert not InterventionTemplate.objects.exists()


def test_an_idea_cannot_link_a_service_not_in_the_directory(partner, school):
    with pytest.raises(Exception, match="directory"):
        _idea(partner, service_ids=[987654])


def test_proposed_ideas_are_seen_only_by_managers_and_their_proposer(
    client, partner, key_worker, parent, manager, school
):
    idea = _idea(partner, title="Attendance clinic")
    url = reverse("plans:template", kwargs={"template_id": idea.pk})
    for person, status in ((key_worker, 404), (parent, 404), (partner, 200), (manager, 200)):
        client.force_login(person)
        assert client.get(url).status_code == status
        listed = client.get(reverse("plans:templates")).content.decode()
        assert "Attendance clinic" not in listed
    waiting = client.get(reverse("plans:templates") + "?status=proposed").content.decode()
    assert "Attendance clinic" in waiting


def test_only_the_proposer_changes_their_idea_until_it_is_reviewed(
    client, partner, key_worker, manager, school
):
    idea = _idea(partner)
    edit = reverse("plans:template_edit", kwargs={"template_id": idea.pk})
    client.force_login(key_worker)
    assert client.post(edit, _form(title="Changed")).status_code == 404
    client.force_login(partner)
    assert client.post(edit, _form(title="Walking bus on Mondays")).status_code == 302
    services.template_review(template=idea, actor=manager, decision="approve")
    assert client.post(edit, _form(title="Changed again")).status_code == 404
    idea.refresh_from_db()
    assert idea.title == "Walking bus on Mondays"


# Approving and retiring ----------------------------------------------------------------------


def test_manager_approves_an_idea_into_the_library_audited(client, partner, manager, parent):
    idea = _idea(partner)
    client.force_login(manager)
    url = reverse("plans:template_review", kwargs={"template_id": idea.pk})
    assert client.get(url).status_code == 405
    response = client.post(url, {"decision": "approve", "reason": ""})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == InterventionTemplate.Status.APPROVED and idea.reviewed_by == manager
    assert AuditEvent.objects.filter(
        actor=manager, object_type="InterventionTemplate", object_id=str(idea.pk)
    ).exists()
    client.force_login(parent)
    assert "Walking bus" in client.get(reverse("plans:templates")).content.decode()


def test_retiring_needs_a_reason_and_takes_the_idea_out_of_the_library(
    client, manager, parent, partner
):
    idea = _idea(manager)
    url = reverse("plans:template_review", kwargs={"template_id": idea.pk})
    client.force_login(manager)
    response = client.post(url, {"decision": "retire", "reason": ""})
    assert response.status_code == 400
    assert "Say why the idea is being retired" in response.content.decode()
    response = client.post(url, {"decision": "retire", "reason": "The scheme has closed"})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == InterventionTemplate.Status.RETIRED
    assert idea.review_reason == "The scheme has closed"
    retired = client.get(reverse("plans:templates") + "?status=retired").content.decode()
    assert "Walking bus" in retired
    client.force_login(parent)
    assert "Walking bus" not in client.get(reverse("plans:templates")).content.decode()
    assert client.get(reverse("plans:template", kwargs={"template_id": idea.pk})).status_code == 404


def test_only_managers_approve_or_retire(client, partner, key_worker):
    idea = _idea(partner)
    url = reverse("plans:template_review", kwargs={"template_id": idea.pk})
    for person in (partner, key_worker):
        client.force_login(person)
        assert client.post(url, {"decision": "approve"}).status_code == 404
    idea.refresh_from_db()
    assert idea.status == InterventionTemplate.Status.PROPOSED


def test_only_approved_ideas_are_copied_into_a_step(client, plan, parent, partner, manager):
    proposed = _idea(partner, title="Proposed", step_text="A proposed step")
    approved = _idea(manager, title="Approved", step_text="An approved step")
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    client.force_login(parent)
    new = reverse("plans:step_new", kwargs={"goal_id": goal.pk})
    assert "A proposed step" not in client.get(f"{new}?template={proposed.pk}").content.decode()
    assert "An approved step" in client.get(f"{new}?template={approved.pk}").content.decode()
    for template, text in ((proposed, "First"), (approved, "Second")):
        client.post(
            reverse("plans:step_save", kwargs={"goal_id": goal.pk}),
            {
                "text": text,
                "who": "key_worker",
                "template": template.pk,
                "version": 1,
                "draft_key": text,
                "private": "family",
            },
        )
    assert Step.objects.get(text="First").template is None
    assert Step.objects.get(text="Second").template == approved


# Filters, services and usage ------------------------------------------------------------------


def test_library_filters_by_outcome_area_and_agency(client, manager, partner, school, parent):
    health = Agency.objects.create(name="Foleshill Health Centre", kind=Agency.Kind.HEALTH_VISITING)
    education = OutcomeArea.objects.get(slug="education")
    ours = _idea(manager, title="Our own idea", outcome_areas=[education])
    theirs = _idea(partner, title="School idea")
    services.template_review(template=theirs, actor=manager, decision="approve")
    InterventionTemplate.objects.filter(pk=ours.pk).update(agency=None)
    _idea(manager, title="Health idea")
    InterventionTemplate.objects.filter(title="Health idea").update(agency=health)
    client.force_login(parent)
    url = reverse("plans:templates")
    body = client.get(f"{url}?agency={school.pk}").content.decode()
    assert "School idea" in body and "Our own idea" not in body and "Health idea" not in body
    body = client.get(f"{url}?agency=own").content.decode()
    assert "Our own idea" in body and "School idea" not in body
    body = client.get(f"{url}?outcome=education").content.decode()
    assert "Our own idea" in body and "Health idea" not in body
    # An agency that is not in the filter's list filters nothing and is not an error.
    body = client.get(f"{url}?agency=99999").content.decode()
    assert "School idea" in body and "Health idea" in body


def test_the_next_page_link_keeps_the_filters_and_says_no_agency_as_none(client, manager):
    for n in range(21):
        _idea(manager, title=f"Idea {n:02}")
    client.force_login(manager)
    body = client.get(reverse("plans:templates")).content.decode()
    assert "agency=&amp;" in body
    assert "None" not in body


def test_idea_page_lists_the_directory_services_that_deliver_it(client, manager, parent):
    shown = local_service(name="Dads Matter")
    hidden = local_service(name="Closed service", is_published=False)
    idea = _idea(manager, service_ids=[shown.pk])
    InterventionTemplate.objects.filter(pk=idea.pk).update(service_ids=[shown.pk, hidden.pk])
    client.force_login(parent)
    body = client.get(reverse("plans:template", kwargs={"template_id": idea.pk})).content.decode()
    assert "Dads Matter" in body and "Closed service" not in body
    # Families read the idea, never the figures about other families.
    assert "How it has been used" not in body


def _families_using(idea, key_worker, n, score=7):
    for _i in range(n):
        family = factories.family(key_worker=key_worker)
        parent = factories.parent(family)
        plan = services.plan_start(family=family, actor=parent)
        goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
        services.step_create(
            goal=goal,
            actor=parent,
            text="Walk together",
            owner=services.StepOwner(who=Who.KEY_WORKER),
            template=idea,
        )
        review = services.review_start_today(plan=plan, actor=parent)
        services.review_record(
            review=review,
            actor=parent,
            ratings=[services.RatingInput(goal=goal, score=score)],
            by=GoalRating.By.FAMILY,
        )


def test_usage_figures_about_fewer_than_8_families_are_not_shown(client, manager, key_worker):
    idea = _idea(manager)
    _families_using(idea, key_worker, 3)
    client.force_login(key_worker)
    body = client.get(reverse("plans:template", kwargs={"template_id": idea.pk})).content.decode()
    assert "fewer than 8" in body
    assert "out of 10 on average" not in body


def test_usage_shows_how_many_families_used_an_idea_and_how_their_goals_were_rated(
    client, manager, key_worker
):
    idea = _idea(manager)
    _families_using(idea, key_worker, 4, score=6)
    _families_using(idea, key_worker, 4, score=8)
    usage = selectors.template_usage(template=idea)
    assert (usage.families, usage.steps, usage.rated_goals) == (8, 8, 8)
    assert usage.average_rating == 7.0
    client.force_login(key_worker)
    body = client.get(reverse("plans:template", kwargs={"template_id": idea.pk})).content.decode()
    assert "7.0 out of 10 on average, from the latest rating of 8 goals" in body


def test_library_list_query_count_is_the_same_for_3_ideas_as_for_20(
    client, manager, partner, school, django_assert_num_queries
):
    areas = list(OutcomeArea.objects.all()[:3])

    def add(start, stop):
        for n in range(start, stop):
            author = partner if n % 2 else manager
            idea = _idea(author, title=f"Idea {n:02}", outcome_areas=areas)
            if author == partner:
                services.template_review(template=idea, actor=manager, decision="approve")

    add(0, 3)
    client.force_login(manager)
    url = reverse("plans:templates")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(3, 20)
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count('class="app-card"') == 20
    assert school.name in body


def test_library_is_not_for_editors(client, db):
    editor = factories.staff(StaffProfile.Role.EDITOR)
    client.force_login(editor)
    assert client.get(reverse("plans:templates")).status_code == 404
