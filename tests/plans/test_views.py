import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import Goal, GoalRating, GoalShare, OutcomeArea, Step, Suggestion, Who

HTMX = {"HTTP_HX_REQUEST": "true"}


def _goal_post(**overrides):
    data = {
        "goal_id": "",
        "version": "1",
        "private": "family",
        "title": "I need to get the kids to school",
        "details": "I'll walk with the other parents on our route",
        "how_we_know": "On time every day",
    }
    data.update(overrides)
    return data


def test_a_new_goal_is_not_saved_until_the_writer_chooses_who_sees_it(client, parent, plan):
    """Not even by the autosave: a goal meant for one adult is never first the family's
    (which would tell the other adult the plan changed)."""
    client.force_login(parent)
    form = client.get(reverse("plans:goal_new", kwargs={"family_id": plan.family_id}))
    assert "checked" not in form.content.decode().split('name="private"')[1].split(">")[0]
    url = reverse("plans:goal_save", kwargs={"family_id": plan.family_id})
    revision = plan.revision
    without = _goal_post(title="I want to stop drinking")
    del without["private"]
    response = client.post(url, without, **HTMX)
    assert "Choose who can see this goal" in response.content.decode()
    response = client.post(url, without)
    assert response.status_code == 400
    assert "Choose who can see this goal" in response.content.decode()
    assert not Goal.objects.filter(plan=plan).exists()
    plan.refresh_from_db()
    assert plan.revision == revision
    client.post(url, _goal_post(title="I want to stop drinking", private="me"), **HTMX)
    goal = Goal.objects.get(plan=plan)
    assert goal.private_to is not None
    plan.refresh_from_db()
    assert plan.revision == revision


def test_parent_sees_start_button_then_starts_a_plan(client, parent, family):
    client.force_login(parent)
    response = client.get(reverse("plans:plan"))
    assert b"Start the plan" in response.content
    response = client.post(reverse("plans:plan_start", kwargs={"family_id": family.pk}))
    assert response.status_code == 302
    assert family.plan.pk


def test_nav_shows_our_plan_for_parents_only(client, parent, key_worker):
    client.force_login(parent)
    assert b"Our plan" in client.get(reverse("portal:dashboard")).content
    client.force_login(key_worker)
    assert b"Our plan" not in client.get(reverse("portal:dashboard")).content


def test_goal_saves_without_javascript_and_redirects(client, parent, plan, family):
    client.force_login(parent)
    url = reverse("plans:goal_save", kwargs={"family_id": family.pk})
    response = client.post(url, _goal_post(outcome_areas=[OutcomeArea.objects.first().pk]))
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert goal.details == "I'll walk with the other parents on our route"
    assert goal.outcome_areas.count() == 1


def test_autosave_creates_then_updates_the_same_goal(client, parent, plan, family):
    client.force_login(parent)
    url = reverse("plans:goal_save", kwargs={"family_id": family.pk})
    first = client.post(url, _goal_post(title="I need to"), **HTMX)
    assert first.status_code == 200
    goal = Goal.objects.get()
    body = first.content.decode()
    assert "Saved" in body
    assert f'name="goal_id" value="{goal.pk}"' in body and 'hx-swap-oob="true"' in body
    second = client.post(
        url, _goal_post(goal_id=goal.pk, version=goal.version, title="I need to get up"), **HTMX
    )
    assert "Saved" in second.content.decode()
    goal.refresh_from_db()
    assert goal.title == "I need to get up" and goal.version == 2
    assert Goal.objects.count() == 1


def test_autosave_of_invalid_text_says_not_saved_and_saves_nothing(client, parent, plan, family):
    client.force_login(parent)
    url = reverse("plans:goal_save", kwargs={"family_id": family.pk})
    response = client.post(url, _goal_post(title=""), **HTMX)
    assert response.status_code == 200
    assert "Not saved" in response.content.decode()
    assert "Enter what you want to change" in response.content.decode()
    assert not Goal.objects.exists()


def test_empty_goal_shows_a_govuk_error_and_keeps_every_field(client, parent, plan, family):
    client.force_login(parent)
    url = reverse("plans:goal_save", kwargs={"family_id": family.pk})
    response = client.post(url, _goal_post(title="", details="Walk with Sam's mum"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter what you want to change" in body
    assert "Walk with Sam&#x27;s mum" in body
    assert "govuk-form-group--error" in body


def test_over_long_goal_is_refused_with_its_limit(client, parent, plan, family):
    client.force_login(parent)
    url = reverse("plans:goal_save", kwargs={"family_id": family.pk})
    response = client.post(url, _goal_post(title="a" * 201))
    assert response.status_code == 400
    assert "must be 200 characters or fewer" in response.content.decode()
    assert not Goal.objects.exists()


def test_two_people_editing_the_same_goal_keeps_both_texts(client, parent, dad, plan, family):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    services.goal_update(
        goal=goal, actor=dad, expected_version=1, title="Kids to school on time, every day"
    )
    client.force_login(parent)
    url = reverse("plans:goal_save", kwargs={"family_id": family.pk})
    response = client.post(url, _goal_post(goal_id=goal.pk, version=1, title="Walk to school"))
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this while you were writing" in body
    assert "Kids to school on time, every day" in body  # theirs
    assert "Walk to school" in body  # mine, still in the form
    assert 'name="version" value="2"' in body
    goal.refresh_from_db()
    assert goal.title == "Kids to school on time, every day"
    # Having seen both, saving again goes through.
    response = client.post(url, _goal_post(goal_id=goal.pk, version=2, title="Walk to school"))
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Walk to school"


def test_autosave_conflict_never_overwrites(client, parent, dad, plan, family):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    services.goal_update(goal=goal, actor=dad, expected_version=1, title="Dad's words")
    client.force_login(parent)
    url = reverse("plans:goal_save", kwargs={"family_id": family.pk})
    response = client.post(url, _goal_post(goal_id=goal.pk, version=1, title="Mine"), **HTMX)
    assert "Someone else saved this" in response.content.decode()
    goal.refresh_from_db()
    assert goal.title == "Dad's words"


def test_about_section_autosaves_and_conflicts(client, parent, dad, plan, family):
    client.force_login(parent)
    url = reverse("plans:about_save", kwargs={"family_id": family.pk})
    response = client.post(
        url, {"version": 1, "strengths": "We laugh", "worries": "Mornings"}, **HTMX
    )
    assert 'id="about-version" hx-swap-oob="true"' in response.content.decode()
    services.plan_about_update(
        plan=plan, actor=dad, strengths="Dad wrote this", worries="", expected_version=2
    )
    response = client.post(url, {"version": 2, "strengths": "Mine", "worries": ""})
    assert response.status_code == 409
    assert "Dad wrote this" in response.content.decode()
    assert "Mine" in response.content.decode()


def test_about_section_saves_only_by_post_from_someone_signed_in(client, parent, plan, family):
    url = reverse("plans:about_save", kwargs={"family_id": family.pk})
    response = client.post(url, {"version": 1, "strengths": "We laugh", "worries": ""})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(parent)
    assert client.get(url).status_code == 405
    plan.refresh_from_db()
    assert plan.strengths == ""


def _step_data(**overrides):
    data = {
        "step_id": "",
        "version": "1",
        "private": "family",
        "text": "Walk with the mums",
        "who": "other",
        "other_people": "mums on our route",
        "due_date": "",
    }
    data.update(overrides)
    return data


def test_step_for_someone_not_on_the_plan_shows_an_error(client, parent, plan, other_family):
    from tests import factories

    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    outsider = factories.child(other_family)
    client.force_login(parent)
    url = reverse("plans:step_save", kwargs={"goal_id": goal.pk})
    response = client.post(url, _step_data(who=f"member:{outsider.pk}"))
    assert response.status_code == 400
    assert "Choose someone who is on the plan" in response.content.decode()
    assert "Walk with the mums" in response.content.decode()
    assert not Step.objects.exists()


def test_step_date_in_the_past_shows_an_error(client, parent, plan):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    client.force_login(parent)
    url = reverse("plans:step_save", kwargs={"goal_id": goal.pk})
    past = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    response = client.post(url, _step_data(due_date=past))
    assert response.status_code == 400
    assert "The date must be today or in the future" in response.content.decode()
    response = client.post(url, _step_data(due_date="2026-02-31"))
    assert "Enter a real date" in response.content.decode()


def test_step_for_a_family_member_saves(client, parent, plan, family):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    member = parent.family_membership
    client.force_login(parent)
    url = reverse("plans:step_save", kwargs={"goal_id": goal.pk})
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(url, _step_data(who=f"member:{member.pk}", due_date=due))
    assert response.status_code == 302
    step = Step.objects.get()
    assert step.member == member and step.who == Who.MEMBER


def test_ticking_off_a_step_with_htmx_returns_the_updated_item(client, parent, goals):
    step = goals[0].steps.get()
    client.force_login(parent)
    url = reverse("plans:step_done", kwargs={"step_id": step.pk})
    response = client.post(url, {"done": "1"}, **HTMX)
    assert response.status_code == 200
    assert "Not done yet" in response.content.decode()
    step.refresh_from_db()
    assert step.done_at is not None


def test_picking_a_template_prefills_the_step_for_the_family_to_rewrite(
    client, parent, plan, manager
):
    template = services.template_save(
        actor=manager,
        title="Walking bus",
        summary="Parents take turns.",
        step_text="Walk with the other parents on our route",
        who=Who.OTHER,
    )
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    client.force_login(parent)
    response = client.get(
        reverse("plans:step_new", kwargs={"goal_id": goal.pk}) + f"?template={template.pk}"
    )
    assert "Walk with the other parents on our route" in response.content.decode()
    response = client.post(
        reverse("plans:step_save", kwargs={"goal_id": goal.pk}),
        _step_data(text="Walk with Sam's mum on Mondays", template=template.pk),
    )
    assert response.status_code == 302
    step = Step.objects.get()
    assert step.template == template and step.text == "Walk with Sam's mum on Mondays"


def test_library_search_and_filter(client, parent, manager):
    services.template_save(
        actor=manager,
        title="Debt advice",
        summary="Help with bills.",
        step_text="Book debt advice",
        who=Who.MEMBER,
        outcome_areas=[OutcomeArea.objects.get(slug="financial_stability")],
    )
    services.template_save(
        actor=manager,
        title="Dads' group",
        summary="Dads meet each week.",
        step_text="Go to the dads' group",
        who=Who.MEMBER,
        outcome_areas=[OutcomeArea.objects.get(slug="family_relationships")],
    )
    client.force_login(parent)
    body = client.get(reverse("plans:templates") + "?q=debt").content.decode()
    assert "Debt advice" in body and "Dads&#x27; group" not in body
    body = client.get(reverse("plans:templates") + "?outcome=family_relationships").content.decode()
    assert "Dads&#x27; group" in body and "Debt advice" not in body


def test_library_page_query_count_is_flat(client, parent, manager, django_assert_num_queries):
    areas = list(OutcomeArea.objects.all()[:3])
    for n in range(15):
        services.template_save(
            actor=manager,
            title=f"Idea {n}",
            summary="S",
            step_text="T",
            who=Who.MEMBER,
            outcome_areas=areas,
        )
    client.force_login(parent)
    client.get(reverse("plans:templates"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("plans:templates"))
    for n in range(15, 30):
        services.template_save(
            actor=manager,
            title=f"Idea {n}",
            summary="S",
            step_text="T",
            who=Who.MEMBER,
            outcome_areas=areas,
        )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("plans:templates"))


def test_key_worker_suggestion_shows_as_a_suggestion_until_accepted(
    client, parent, key_worker, plan, family
):
    client.force_login(key_worker)
    response = client.post(
        reverse("plans:suggest", kwargs={"family_id": family.pk}),
        {"kind": "goal", "text": "Go to the parenting group"},
    )
    assert response.status_code == 302
    client.force_login(parent)
    body = client.get(reverse("plans:plan")).content.decode()
    assert "Suggestion" in body and "Go to the parenting group" in body
    assert not Goal.objects.exists()
    suggestion = Suggestion.objects.get()
    client.post(reverse("plans:suggestion_accept", kwargs={"suggestion_id": suggestion.pk}))
    assert Goal.objects.get().title == "Go to the parenting group"


def test_suggestion_form_shows_plain_english_hints_after_submit(
    client, key_worker, plan, family, manager
):
    services.jargon_term_save(actor=manager, term="facilitate", alternative="help")
    client.force_login(key_worker)
    response = client.post(
        reverse("plans:suggest", kwargs={"family_id": family.pk}),
        {"kind": "step", "text": "We will facilitate things"},
    )
    # A step needs a goal: the error keeps the text and shows hints, never blocks on them.
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose the goal this step is for" in body
    assert "Try “help” instead of “facilitate”" in body


def test_plain_english_endpoint_returns_html_and_json(client, key_worker, manager):
    services.jargon_term_save(actor=manager, term="multi-agency", alternative="services together")
    client.force_login(key_worker)
    url = reverse("plans:plain_english_check")
    html = client.post(url, {"text": "A multi-agency meeting."}, **HTMX)
    assert "services together" in html.content.decode()
    data = client.post(
        url,
        {"field": "summary", "title": "Other words", "summary": "A multi-agency meeting."},
        HTTP_ACCEPT="application/json",
    ).json()
    assert data["jargon"] == [{"term": "multi-agency", "alternative": "services together"}]


def test_sharing_page_records_consent_and_withdrawal(client, parent, goals, partner, family):
    shared, private = goals
    practitioner = family.practitioners.get(user=partner)
    client.force_login(parent)
    response = client.post(
        reverse("plans:sharing"),
        {f"goal_{private.pk}": ["mentor", f"partner:{practitioner.pk}"]},
    )
    assert response.status_code == 302
    live = GoalShare.objects.filter(withdrawn_at__isnull=True)
    assert {(s.goal_id, s.audience) for s in live} == {
        (private.pk, "mentor"),
        (private.pk, "partner"),
    }
    body = client.get(reverse("plans:sharing")).content.decode()
    assert "Still shared" in body


def test_sharing_with_someone_not_named_is_an_error(client, parent, goals):
    client.force_login(parent)
    response = client.post(reverse("plans:sharing"), {f"goal_{goals[0].pk}": ["partner:99999"]})
    assert response.status_code == 400
    assert "Choose people who are named on your plan" in response.content.decode()


def test_agreement_through_the_pages_saves_a_version(client, parent, key_worker, goals, family):
    plan = family.plan
    client.force_login(parent)
    url = reverse("plans:agree", kwargs={"family_id": family.pk})
    assert client.post(url, {"revision": plan.revision}).status_code == 302
    client.force_login(key_worker)
    client.post(url, {"revision": plan.revision})
    plan.refresh_from_db()
    assert plan.status == "agreed"
    assert plan.versions.count() == 1


def test_agreeing_an_out_of_date_plan_is_an_error(client, parent, goals, family):
    client.force_login(parent)
    url = reverse("plans:agree", kwargs={"family_id": family.pk})
    response = client.post(url, {"revision": family.plan.revision - 1})
    assert response.status_code == 400
    assert "The plan changed after you opened it" in response.content.decode()


def test_review_ratings_outside_1_to_10_show_errors_and_keep_notes(client, parent, goals, family):
    shared, private = goals
    client.force_login(parent)
    response = client.post(reverse("plans:review_start", kwargs={"family_id": family.pk}))
    url = response["Location"]
    response = client.post(
        url,
        {
            f"score_{shared.pk}": "11",
            f"note_{shared.pk}": "Mornings are better",
            f"score_{private.pk}": "",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The rating must be a number from 1 to 10" in body
    assert "Choose a number from 1 to 10" in body
    assert "Mornings are better" in body
    assert not GoalRating.objects.exists()
    response = client.post(
        url, {f"score_{shared.pk}": "7", f"score_{private.pk}": "4", f"note_{shared.pk}": "ok"}
    )
    assert response.status_code == 302
    body = client.get(reverse("plans:plan")).content.decode()
    assert "<svg" in body and "Ratings at each review" in body


def test_review_date_in_the_past_is_an_error(client, parent, plan, family):
    client.force_login(parent)
    response = client.post(
        reverse("plans:review_schedule", kwargs={"family_id": family.pk}),
        {"date": (timezone.localdate() - dt.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400
    assert "The review date must be today or in the future" in response.content.decode()


def test_version_diff_page_marks_changes_in_words_not_only_colour(
    client, parent, key_worker, goals, family
):
    plan = family.plan
    for person in (parent, key_worker):
        services.plan_confirm(plan=plan, actor=person, revision=plan.revision)
    services.goal_update(goal=goals[0], actor=parent, expected_version=1, title="New goal words")
    plan.refresh_from_db()
    for person in (parent, key_worker):
        services.plan_confirm(plan=plan, actor=person, revision=plan.revision)
    client.force_login(parent)
    response = client.get(
        reverse("plans:version_diff", kwargs={"family_id": family.pk}) + "?from=1&to=2"
    )
    body = response.content.decode()
    assert "Added:" in body and "New goal words" in body
    assert "Removed:" in body


def test_print_view_for_the_signed_in_parent(client, parent, goals):
    client.force_login(parent)
    response = client.get(reverse("plans:print"))
    assert response.status_code == 200
    body = response.content.decode()
    assert goals[0].title in body and goals[1].title in body
    assert "data-plans-print" in body


def test_parent_dashboard_panel_says_what_to_do_next(client, parent, goals, key_worker):
    services.suggestion_create(
        plan=goals[0].plan, actor=key_worker, kind=Suggestion.Kind.GOAL, text="Something"
    )
    services.review_schedule(
        plan=goals[0].plan, actor=parent, date=timezone.localdate() + dt.timedelta(days=4)
    )
    client.force_login(parent)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert "Read and agree your plan" in body
    assert "Your next review is on" in body
    assert "Your key worker made 1 suggestion" in body


def test_family_page_links_to_the_plan_for_staff(client, key_worker, plan, family):
    client.force_login(key_worker)
    body = client.get(reverse("portal:family_detail", kwargs={"family_id": family.pk})).content
    assert reverse("plans:family_plan", kwargs={"family_id": family.pk}).encode() in body


def test_staff_dashboard_lists_plans_waiting_for_the_key_worker(
    client, parent, key_worker, goals, family
):
    services.plan_confirm(plan=family.plan, actor=parent, revision=family.plan.revision)
    client.force_login(key_worker)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert "waiting for you to agree" in body


def _big_plan(plan, parent, key_worker, *, goals: int, reviews: int):
    made = []
    for n in range(goals):
        goal = services.goal_create(
            plan=plan,
            actor=parent,
            title=f"Goal {n}",
            outcome_areas=list(OutcomeArea.objects.all()[:2]),
        )
        for s in range(2):
            services.step_create(
                goal=goal,
                actor=parent,
                text=f"Step {s}",
                owner=services.StepOwner(who=Who.KEY_WORKER),
            )
        services.comment_add(plan=plan, actor=key_worker, text="Nice", goal=goal)
        made.append(goal)
    for _ in range(reviews):
        review = services.review_start_today(plan=plan, actor=parent)
        services.review_record(
            review=review,
            actor=parent,
            ratings=[
                services.RatingInput(goal=g, score=5, note="ok")
                for g in plan.goals.filter(archived_at__isnull=True)
            ],
        )
    services.suggestion_create(
        plan=plan, actor=key_worker, kind=Suggestion.Kind.STEP, goal=made[0], text="Try this"
    )
    return made


@pytest.mark.parametrize("viewer", ["parent", "key_worker"])
def test_plan_page_query_count_is_the_same_for_3_goals_as_for_30_with_10_reviews(
    client, parent, key_worker, plan, family, django_assert_num_queries, viewer
):
    _big_plan(plan, parent, key_worker, goals=3, reviews=1)
    client.force_login(parent if viewer == "parent" else key_worker)
    url = reverse("plans:family_plan", kwargs={"family_id": family.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _big_plan(plan, parent, key_worker, goals=27, reviews=9)
    assert Goal.objects.count() == 30
    assert GoalRating.objects.filter(goal=Goal.objects.last()).count() == 9
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="app-card app-plan-goal"') == 30


def test_plan_page_query_count_is_pinned(
    client, parent, key_worker, plan, family, django_assert_num_queries, session_queries
):
    _big_plan(plan, parent, key_worker, goals=30, reviews=10)
    client.force_login(parent)
    client.get(reverse("plans:plan"))
    # The person, the plan, its goals with their outcome areas, steps, ratings and sharing,
    # the plan's comments and suggestions, the plan's review and agreement state, and the
    # menu's two counts (one query), and the needs of the family's assessment (one query
    # finds there are none). Any per-goal query would blow far past it with 30 goals and
    # 300 ratings.
    with django_assert_num_queries(session_queries + 12):
        response = client.get(reverse("plans:plan"))
    assert response.content.decode().count('class="app-card app-plan-goal"') == 30


def test_a_plan_page_whose_goals_are_kept_builds_none_of_them(
    client, parent, key_worker, plan, family, monkeypatch
):
    _big_plan(plan, parent, key_worker, goals=5, reviews=2)
    client.force_login(parent)
    first = client.get(reverse("plans:plan")).content.decode()
    # The chart's key, made after the goals': from their objects the time they were built,
    # from their rows afterwards (so it is made once more, the next time).
    client.get(reverse("plans:plan"))
    built = []
    for model in (Goal, Step, GoalRating):
        made = model.from_db.__func__

        def counting(cls, *args, made=made, **kwargs):
            built.append(cls)
            return made(cls, *args, **kwargs)

        monkeypatch.setattr(model, "from_db", classmethod(counting))
    again = client.get(reverse("plans:plan")).content.decode()
    assert built == []
    assert again.count('class="app-card app-plan-goal"') == 5
    assert again.count("<polyline") == first.count("<polyline") > 0
    # A change to a goal's row is a new key: the goals are built and show it.
    Goal.objects.filter(pk=Goal.objects.filter(plan=plan).first().pk).update(title="Renamed")
    assert "Renamed" in client.get(reverse("plans:plan")).content.decode()
    assert Goal in built


def _kept_private(plan, family, key_worker, *, adults):
    """``adults`` more adults of the household, each keeping to themselves a goal with a
    step, a comment and a suggestion on it, a private step on a family goal and their
    worries."""
    from portal.models import FamilyMember
    from tests import factories

    family_goal = plan.goals.filter(private_to__isnull=True).first()
    for _ in range(adults):
        adult = factories.parent(family, relationship=FamilyMember.Relationship.CARER)
        goal = services.goal_create(
            plan=plan, actor=adult, title="Only mine", outcome_areas=[], private=True
        )
        services.step_create(
            goal=goal,
            actor=adult,
            text="A step of my own",
            owner=services.StepOwner(who=Who.KEY_WORKER),
        )
        services.step_create(
            goal=family_goal,
            actor=adult,
            text="Mine alone on the family's goal",
            owner=services.StepOwner(who=Who.KEY_WORKER),
            private=True,
        )
        services.comment_add(plan=plan, actor=key_worker, text="Well done", goal=goal)
        services.suggestion_create(
            plan=plan, actor=key_worker, kind=Suggestion.Kind.STEP, goal=goal, text="Try this"
        )
        plan.refresh_from_db()
        services.private_worry_save(
            plan=plan, actor=adult, text="What I worry about", expected_version=1
        )


def test_the_key_workers_plan_page_query_count_is_pinned_with_private_worries_and_goals(
    client, parent, key_worker, plan, family, django_assert_num_queries, session_queries
):
    """The key worker reads every adult's private goals, steps and worries on the family's
    plan page: two adults keeping them cost what twelve do."""
    _big_plan(plan, parent, key_worker, goals=10, reviews=3)
    _kept_private(plan, family, key_worker, adults=2)
    client.force_login(key_worker)
    url = reverse("plans:family_plan", kwargs={"family_id": family.pk})
    client.get(url)
    # The person and their authenticator (two-step sign-in), the family, the plan, the
    # audit event of the read, its goals (private ones too) with their outcome areas, steps,
    # ratings and sharing, the plan's comments and suggestions, its review and agreement
    # state, every adult's private worries with their names, the menu's counts (one
    # query), and the needs of the family's assessment (one query finds there are none).
    with django_assert_num_queries(session_queries + 16):
        response = client.get(url)
    body = response.content.decode()
    assert body.count("What I worry about") == 2
    assert body.count("Mine alone on the family&#x27;s goal") == 2
    _kept_private(plan, family, key_worker, adults=10)
    with django_assert_num_queries(session_queries + 16):
        response = client.get(url)
    body = response.content.decode()
    assert body.count("What I worry about") == 12
    assert body.count('class="app-card app-plan-goal"') == 22
    assert body.count("Mine alone on the family&#x27;s goal") == 12


def test_the_plan_page_shows_goals_and_links_each_to_its_changes(client, parent, goals):
    shared, _private = goals
    client.force_login(parent)
    html = client.get(reverse("plans:plan")).content.decode()
    assert "Walk with the other parents" in html
    # Ticking off, changing and commenting are on the goal's own page, not on every view.
    assert "Tick off as done" not in html and 'name="text"' not in html.split('id="comments"')[0]
    goal_url = reverse("plans:goal", kwargs={"goal_id": shared.pk})
    assert f'href="{goal_url}" hx-get="{goal_url}"' in html


def test_a_goals_page_lets_the_family_tick_off_steps_and_comment_without_javascript(
    client, parent, goals
):
    shared, _private = goals
    client.force_login(parent)
    response = client.get(reverse("plans:goal", kwargs={"goal_id": shared.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "<h1" in html and "Get the kids to school on time" in html
    assert "Tick off as done" in html and 'name="text"' in html
    assert "Change what this goal says" in html
    step = shared.steps.get()
    response = client.post(reverse("plans:step_done", kwargs={"step_id": step.pk}), {"done": "1"})
    assert response.url == reverse("plans:goal", kwargs={"goal_id": shared.pk})
    step.refresh_from_db()
    assert step.done_at is not None


def test_with_htmx_a_goals_changes_come_as_its_section_alone(client, parent, goals):
    shared, _private = goals
    client.force_login(parent)
    response = client.get(reverse("plans:goal", kwargs={"goal_id": shared.pk}), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith(
        f'<section class="app-card app-plan-goal" id="goal-{shared.pk}"'
    )
    assert "<html" not in html and "autofocus" in html and "Tick off as done" in html


def test_a_key_worker_ticks_off_steps_and_a_partner_only_comments_on_a_shared_goal(
    client, key_worker, partner, goals, family
):
    shared, private = goals
    url = reverse("plans:goal", kwargs={"goal_id": shared.pk})
    client.force_login(key_worker)
    html = client.get(url).content.decode()
    assert "Tick off as done" in html and "Suggest a step for this goal" in html
    assert "Change what this goal says" not in html
    client.force_login(partner)
    html = client.get(url).content.decode()
    assert "Tick off as done" not in html and 'name="text"' in html
    assert client.get(reverse("plans:goal", kwargs={"goal_id": private.pk})).status_code == 404


def test_a_goals_page_query_count_is_flat(
    client, parent, key_worker, plan, django_assert_num_queries, session_queries
):
    goals = _big_plan(plan, parent, key_worker, goals=12, reviews=10)
    for n in range(10):
        services.comment_add(plan=plan, actor=key_worker, text=f"Note {n}", goal=goals[5])
    client.force_login(parent)
    url = reverse("plans:goal", kwargs={"goal_id": goals[5].pk})
    client.get(url)
    # The person, the goal and its plan, the goal's areas, steps, ratings and sharing, its
    # comments and suggestions, its number, the menu's two counts (one query).
    with django_assert_num_queries(session_queries + 10):
        response = client.get(url)
    assert response.content.decode().count("Note ") == 10


def test_key_worker_adds_a_rating_to_the_familys_review(client, parent, key_worker, goals, family):
    shared, private = goals
    review = services.review_start_today(plan=family.plan, actor=parent)
    services.review_record(
        review=review,
        actor=parent,
        ratings=[
            services.RatingInput(goal=shared, score=6),
            services.RatingInput(goal=private, score=3),
        ],
    )
    client.force_login(key_worker)
    response = client.post(reverse("plans:review_start", kwargs={"family_id": family.pk}))
    assert response["Location"] == reverse("plans:review", kwargs={"review_id": review.pk})
    response = client.post(response["Location"], {f"score_{shared.pk}": "5"})
    assert response.status_code == 302
    assert GoalRating.objects.get(by=GoalRating.By.KEY_WORKER).score == 5


def test_manager_pages_edit_jargon_and_outcomes(client, manager, parent):
    client.force_login(parent)
    assert client.get(reverse("plans:manage_jargon")).status_code == 404
    client.force_login(manager)
    response = client.post(reverse("plans:jargon_new"), {"term": "", "alternative": ""})
    assert response.status_code == 400
    assert "Enter the word or phrase" in response.content.decode()
    response = client.post(
        reverse("plans:jargon_new"), {"term": "CIN", "alternative": "child in need", "active": "on"}
    )
    assert response.status_code == 302
    area = OutcomeArea.objects.get(slug="crime")
    response = client.post(
        reverse("plans:outcome_edit", kwargs={"area_id": area.pk}),
        {"slug": "changed", "name": "Staying safe from crime", "order": "7", "active": "on"},
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.name == "Staying safe from crime" and area.slug == "crime"


def test_template_form_shows_plain_english_hints_and_saves_anyway(client, key_worker, manager):
    services.jargon_term_save(actor=manager, term="intervention", alternative="help")
    client.force_login(key_worker)
    data = {
        "title": "Parenting group",
        "summary": "An intervention for parents.",
        "step_text": "Go to the group",
        "who": "member",
        "active": "on",
    }
    response = client.post(reverse("plans:template_new"), data | {"title": ""})
    assert response.status_code == 400
    assert "Try “help” instead of “intervention”" in response.content.decode()
    assert client.post(reverse("plans:template_new"), data).status_code == 302


def test_staff_dashboard_plans_panel_query_count_is_flat(
    client, key_worker, django_assert_num_queries
):
    from tests import factories

    def add_families(n):
        for _ in range(n):
            fam = factories.family(key_worker=key_worker)
            mum = factories.parent(fam)
            plan = services.plan_start(family=fam, actor=mum)
            services.goal_create(plan=plan, actor=mum, title="Kids to school")
            plan.refresh_from_db()
            services.plan_confirm(plan=plan, actor=mum, revision=plan.revision)

    add_families(2)
    client.force_login(key_worker)
    client.get(reverse("portal:dashboard"))
    with CaptureQueriesContext(connection) as few:
        body = client.get(reverse("portal:dashboard")).content.decode()
    assert body.count("waiting for you to agree") == 2
    add_families(12)
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(reverse("portal:dashboard")).content.decode()
    assert body.count("waiting for you to agree") == 14


def test_parent_dashboard_panel_query_count_is_flat(
    client, parent, plan, family, django_assert_num_queries
):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    soon = timezone.localdate() + dt.timedelta(days=2)

    def add_steps(n):
        for i in range(n):
            services.step_create(
                goal=goal,
                actor=parent,
                text=f"Step {i}",
                owner=services.StepOwner(who=Who.KEY_WORKER),
                due_date=soon,
            )

    add_steps(2)
    client.force_login(parent)
    client.get(reverse("portal:dashboard"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("portal:dashboard"))
    add_steps(10)
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(reverse("portal:dashboard")).content.decode()
    assert body.count("Coming up:") == 5


def test_parent_dashboard_panel_costs_two_queries_and_forgets_an_agreement_given(
    parent, goals, family, django_assert_num_queries
):
    from plans import selectors

    plan = goals[0].plan
    with django_assert_num_queries(2):
        panel = selectors.parent_next_steps(family=family, user=parent)
    assert panel["has_goals"] and panel["needs_my_agreement"]
    services.plan_confirm(plan=plan, actor=parent, revision=plan.revision)
    panel = selectors.parent_next_steps(family=family, user=parent)
    assert not panel["needs_my_agreement"]


def test_the_plan_page_asks_a_named_parent_to_agree_until_they_have(client, parent, goals, family):
    client.force_login(parent)
    assert "Read and agree the plan" in client.get(reverse("plans:plan")).content.decode()
    services.plan_confirm(plan=family.plan, actor=parent, revision=family.plan.revision)
    html = client.get(reverse("plans:plan")).content.decode()
    assert "Read and agree the plan" not in html and "Who has agreed the plan" in html


def test_parent_dashboard_query_count_is_pinned(
    client, parent, key_worker, plan, family, django_assert_num_queries, session_queries
):
    import uuid

    from chat import access as chat_access
    from chat import services as chat_services

    goals = _big_plan(plan, parent, key_worker, goals=12, reviews=2)
    for goal in goals[:8]:
        services.step_create(
            goal=goal,
            actor=parent,
            text="Ring the school",
            owner=services.StepOwner(who=Who.KEY_WORKER),
            due_date=timezone.localdate() + dt.timedelta(days=2),
        )
    conversation = chat_services.conversation_key_worker_ensure(family=family)
    for n in range(12):
        chat_services.message_send(
            access=chat_access.socket_may_use(key_worker, conversation),
            sender=key_worker,
            body=f"Message {n}",
            client_id=uuid.uuid4(),
        )
    client.force_login(parent)
    client.get(reverse("portal:dashboard"))
    # The person; the plan panel (two); the peer mentor and bookings panels (one each); the
    # appointments and meetings to come (one each); the menu's two counts (one query).
    with django_assert_num_queries(session_queries + 8):
        body = client.get(reverse("portal:dashboard")).content.decode()
    assert body.count("Coming up:") == 5 and 'data-live-count="messages"' in body
