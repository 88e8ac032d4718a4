"""Partners act on the goals the family shared with them, in the family's sight: they
suggest steps, tick off their own steps, post updates and rate at a review, always with
their agency beside their name. Unshared and private goals stay a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import Comment, GoalRating, Review, Step, Suggestion, Who
from portal.models import AuditEvent, FamilyPractitioner
from tests import factories


@pytest.fixture
def team_member(family, partner):
    return FamilyPractitioner.objects.select_related("user", "agency").get(
        family=family, user=partner
    )


@pytest.fixture
def label(team_member):
    """How the partner is named on the family's plan: "Pat Doyle, Foleshill Primary"."""
    return team_member.name_with_agency


def _partner_step(goal, parent, team_member, text="Meet Mrs Khan at the school gate"):
    return services.step_create(
        goal=goal,
        actor=parent,
        text=text,
        owner=services.StepOwner(who=Who.PARTNER, practitioner=team_member),
    )


def _end_membership(team_member):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    FamilyPractitioner.everyone.filter(pk=team_member.pk).update(
        starts=yesterday - dt.timedelta(days=30), ends=yesterday
    )


# Suggesting a step -----------------------------------------------------------------------


def test_partner_suggests_a_step_on_a_shared_goal_shown_to_the_family_with_their_agency(
    client, goals, partner, parent, team_member, label, django_capture_on_commit_callbacks
):
    shared, _private = goals
    client.force_login(partner)
    url = reverse("plans:step_suggest", kwargs={"goal_id": shared.pk})
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"text": "Come to the breakfast club on Mondays"})
    assert response.status_code == 302
    suggestion = Suggestion.objects.get(goal=shared)
    assert suggestion.author == partner
    assert suggestion.author_agency == team_member.agency.name
    assert suggestion.kind == Suggestion.Kind.STEP
    # The partner sees it waiting on the goal; the family sees it to decide.
    page = client.get(reverse("plans:goal", kwargs={"goal_id": shared.pk})).content.decode()
    assert "Waiting for the family to decide" in page
    client.force_login(parent)
    body = client.get(reverse("plans:plan")).content.decode()
    assert f"Suggested by {label}" in body
    assert "Come to the breakfast club on Mondays" in body
    assert parent.notifications.filter(verb__icontains="suggested a step").exists()


def test_partner_cannot_suggest_on_an_unshared_goal_or_another_familys(
    client, goals, partner, other_family, other_parent
):
    _shared, private = goals
    other_plan = services.plan_start(family=other_family, actor=other_parent)
    theirs = services.goal_create(plan=other_plan, actor=other_parent, title="Their goal")
    client.force_login(partner)
    for goal in (private, theirs):
        url = reverse("plans:step_suggest", kwargs={"goal_id": goal.pk})
        assert client.get(url).status_code == 404
        assert client.post(url, {"text": "Try this"}).status_code == 404
    assert not Suggestion.objects.exists()


def test_partner_cannot_see_or_suggest_on_a_private_goal_nobody_shared(
    client, plan, parent, partner, goals
):
    kept = services.goal_create(plan=plan, actor=parent, title="Just for me", private=True)
    client.force_login(partner)
    assert client.get(reverse("plans:goal", kwargs={"goal_id": kept.pk})).status_code == 404
    url = reverse("plans:step_suggest", kwargs={"goal_id": kept.pk})
    assert client.post(url, {"text": "Try this"}).status_code == 404
    body = client.get(reverse("plans:family_plan", kwargs={"family_id": plan.family_id}))
    assert "Just for me" not in body.content.decode()
    assert "Book debt advice" not in body.content.decode()


def test_partner_whose_time_on_the_team_ended_gets_404(client, goals, partner, team_member):
    shared, _private = goals
    step = _partner_step(shared, shared.created_by, team_member)
    _end_membership(team_member)
    client.force_login(partner)
    assert client.get(reverse("plans:goal", kwargs={"goal_id": shared.pk})).status_code == 404
    url = reverse("plans:step_suggest", kwargs={"goal_id": shared.pk})
    assert client.post(url, {"text": "Try this"}).status_code == 404
    done = reverse("plans:step_done", kwargs={"step_id": step.pk})
    assert client.post(done, {"done": "1"}).status_code == 404
    step.refresh_from_db()
    assert step.done_at is None


@pytest.mark.parametrize(
    "answer,status",
    [
        ("accept", Suggestion.Status.ACCEPTED),
        ("rewrite", Suggestion.Status.REWRITTEN),
        ("decline", Suggestion.Status.DECLINED),
    ],
)
def test_family_accepts_rewrites_or_declines_a_partners_suggestion(
    client, goals, partner, parent, team_member, answer, status
):
    shared, _private = goals
    suggestion = services.suggestion_create(
        plan=shared.plan,
        actor=partner,
        kind=Suggestion.Kind.STEP,
        goal=shared,
        text="Come to the breakfast club",
    )
    client.force_login(parent)
    if answer == "decline":
        url = reverse("plans:suggestion_decline", kwargs={"suggestion_id": suggestion.pk})
        assert client.post(url).status_code == 302
    else:
        # Accepting a step asks who does it: the partner who suggested it, to begin with.
        accept = client.post(
            reverse("plans:suggestion_accept", kwargs={"suggestion_id": suggestion.pk})
        )
        form = client.get(accept["Location"])
        assert form.context["form"]["who"].value() == f"partner:{team_member.pk}"
        text = "Come to the breakfast club" if answer == "accept" else "Try breakfast club twice"
        response = client.post(
            reverse("plans:step_save", kwargs={"goal_id": shared.pk}),
            {
                "text": text,
                "who": f"partner:{team_member.pk}",
                "suggestion": suggestion.pk,
                "version": 1,
                "draft_key": "k1",
                "private": "family",
            },
        )
        assert response.status_code == 302, response.content.decode()
        step = Step.objects.get(goal=shared, text=text)
        assert step.practitioner == team_member
    suggestion.refresh_from_db()
    assert suggestion.status == status
    assert suggestion.resolved_by == parent


def test_partners_step_suggestion_for_a_private_goal_shared_with_them_is_for_its_adult_alone(
    plan, parent, dad, partner, team_member
):
    kept = services.goal_create(plan=plan, actor=parent, title="Mine to share", private=True)
    services.plan_sharing_set(
        plan=plan, actor=parent, wanted={(kept.pk, "partner", team_member.pk)}
    )
    suggestion = services.suggestion_create(
        plan=plan, actor=partner, kind=Suggestion.Kind.STEP, goal=kept, text="Talk to me"
    )
    assert suggestion.private_to == kept.private_to
    assert not dad.notifications.exists()


# Ticking off their own step ------------------------------------------------------------------


def test_partner_ticks_off_their_own_step_and_the_family_sees_who_did(
    client, goals, partner, parent, team_member, label, django_capture_on_commit_callbacks
):
    shared, _private = goals
    step = _partner_step(shared, parent, team_member)
    client.force_login(partner)
    page = client.get(reverse("plans:goal", kwargs={"goal_id": shared.pk})).content.decode()
    assert "Tick off as done" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("plans:step_done", kwargs={"step_id": step.pk}), {"done": "1"}
        )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.done_at is not None and step.done_by == partner
    assert step.done_by_agency == team_member.agency.name
    assert AuditEvent.objects.filter(
        actor=partner, action=AuditEvent.Action.UPDATE, object_type="Step"
    ).exists()
    client.force_login(parent)
    body = client.get(reverse("plans:plan")).content.decode()
    assert f"Done by {label}" in body
    assert parent.notifications.filter(verb__icontains="ticked off a step").exists()


def test_partner_cannot_tick_off_someone_elses_step(client, goals, partner, parent, family):
    shared, private = goals
    others = shared.steps.get(text="Walk with the other parents")
    colleague = factories.partner(family)
    theirs = _partner_step(
        shared, parent, FamilyPractitioner.objects.get(family=family, user=colleague)
    )
    unshared = private.steps.get()
    client.force_login(partner)
    page = client.get(reverse("plans:goal", kwargs={"goal_id": shared.pk})).content.decode()
    assert "Tick off as done" not in page
    for step in (others, theirs, unshared):
        url = reverse("plans:step_done", kwargs={"step_id": step.pk})
        assert client.post(url, {"done": "1"}).status_code == 404
        step.refresh_from_db()
        assert step.done_at is None


def test_partner_cannot_tick_a_step_of_theirs_on_a_goal_no_longer_shared(
    client, goals, partner, parent, team_member
):
    shared, _private = goals
    step = _partner_step(shared, parent, team_member)
    services.plan_sharing_set(plan=shared.plan, actor=parent, wanted=set())
    client.force_login(partner)
    url = reverse("plans:step_done", kwargs={"step_id": step.pk})
    assert client.post(url, {"done": "1"}).status_code == 404


# Updates ------------------------------------------------------------------------------------


def test_partner_posts_an_update_the_family_sees_with_their_agency(
    client, goals, partner, parent, label, django_capture_on_commit_callbacks
):
    shared, _private = goals
    client.force_login(partner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("plans:comment_add", kwargs={"family_id": shared.plan.family_id}),
            {"goal": shared.pk, "kind": "update", "text": "Amir was on time every day this week"},
        )
    assert response.status_code == 302
    update = Comment.objects.get(goal=shared)
    assert update.kind == Comment.Kind.UPDATE and update.author_label == label
    client.force_login(parent)
    body = client.get(reverse("plans:plan")).content.decode()
    assert f"Update from {label}" in body
    assert "Amir was on time every day this week" in body
    assert parent.notifications.filter(verb__icontains="posted an update").exists()


def test_updates_are_for_partners_on_shared_goals_only(client, goals, partner, parent):
    shared, private = goals
    url = reverse("plans:comment_add", kwargs={"family_id": shared.plan.family_id})
    client.force_login(partner)
    assert client.post(url, {"goal": private.pk, "kind": "update", "text": "x"}).status_code == 404
    client.force_login(parent)
    assert client.post(url, {"goal": shared.pk, "kind": "update", "text": "x"}).status_code == 404
    assert not Comment.objects.exists()


def test_partner_comment_shows_their_agency(client, goals, partner, parent, label):
    shared, _private = goals
    client.force_login(partner)
    client.post(
        reverse("plans:comment_add", kwargs={"family_id": shared.plan.family_id}),
        {"goal": shared.pk, "text": "Well done"},
    )
    client.force_login(parent)
    body = client.get(reverse("plans:goal", kwargs={"goal_id": shared.pk})).content.decode()
    assert label in body


# Ratings at a review ---------------------------------------------------------------------------


def test_partner_adds_their_rating_for_a_shared_goal_at_an_open_review(
    client, goals, partner, parent, team_member, label
):
    shared, private = goals
    review = services.review_schedule(
        plan=shared.plan, actor=parent, date=timezone.localdate() + dt.timedelta(days=3)
    )
    client.force_login(partner)
    start = client.post(reverse("plans:review_start", kwargs={"family_id": shared.plan.family_id}))
    assert start["Location"] == reverse("plans:review", kwargs={"review_id": review.pk})
    page = client.get(start["Location"]).content.decode()
    assert shared.title in page and private.title not in page
    response = client.post(start["Location"], {f"score_{shared.pk}": "7", f"note_{shared.pk}": ""})
    assert response.status_code == 302
    rating = GoalRating.objects.get(goal=shared, by=GoalRating.By.PARTNER)
    assert rating.rated_by == partner and rating.rated_by_agency == team_member.agency.name
    # Their rating sits beside the family's, which still finishes the review.
    review.refresh_from_db()
    assert review.status == Review.Status.SCHEDULED
    client.force_login(parent)
    body = client.get(reverse("plans:plan")).content.decode()
    assert f"Last rating from {label}: 7 out of 10" in body


def test_two_partners_each_keep_their_own_rating(goals, partner, parent, family):
    shared, _private = goals
    colleague = factories.partner(family)
    services.plan_sharing_set(
        plan=shared.plan,
        actor=parent,
        wanted={
            (shared.pk, "partner", fp.pk) for fp in FamilyPractitioner.objects.filter(family=family)
        },
    )
    review = services.review_start_today(plan=shared.plan, actor=parent)
    for person, score in ((partner, 4), (colleague, 8), (partner, 5)):
        services.review_record(
            review=review,
            actor=person,
            ratings=[services.RatingInput(goal=shared, score=score)],
            by=GoalRating.By.PARTNER,
        )
    scores = dict(
        GoalRating.objects.filter(by=GoalRating.By.PARTNER).values_list("rated_by", "score")
    )
    assert scores == {partner.pk: 5, colleague.pk: 8}


def test_partner_cannot_rate_unshared_goals_or_a_finished_review(goals, partner, parent):
    shared, private = goals
    old = services.review_start_today(plan=shared.plan, actor=parent)
    Review.objects.filter(pk=old.pk).update(
        date=timezone.localdate() - dt.timedelta(days=30), status=Review.Status.DONE
    )
    newer = Review.objects.create(
        plan=shared.plan, date=timezone.localdate(), status=Review.Status.DONE
    )
    with pytest.raises(Exception, match="Rate the goals"):
        services.review_record(
            review=newer,
            actor=partner,
            ratings=[services.RatingInput(goal=private, score=3)],
            by=GoalRating.By.PARTNER,
        )
    old.refresh_from_db()
    with pytest.raises(Exception, match="finished"):
        services.review_record(
            review=old,
            actor=partner,
            ratings=[services.RatingInput(goal=shared, score=3)],
            by=GoalRating.By.PARTNER,
        )
    assert not GoalRating.objects.filter(by=GoalRating.By.PARTNER).exists()


def test_reviews_of_another_family_are_404_for_a_partner(client, partner, other_family):
    other_parent = factories.parent(other_family)
    other_plan = services.plan_start(family=other_family, actor=other_parent)
    services.goal_create(plan=other_plan, actor=other_parent, title="Theirs")
    review = services.review_start_today(plan=other_plan, actor=other_parent)
    client.force_login(partner)
    assert client.get(reverse("plans:review", kwargs={"review_id": review.pk})).status_code == 404
    url = reverse("plans:review_start", kwargs={"family_id": other_family.pk})
    assert client.post(url).status_code == 404


# Agency beside the name, audit and query counts ---------------------------------------------


def test_partners_step_and_sharing_show_their_agency(client, goals, parent, team_member, label):
    shared, _private = goals
    _partner_step(shared, parent, team_member)
    client.force_login(parent)
    body = client.get(reverse("plans:plan")).content.decode()
    assert f"Who: {label}" in body
    assert client.get(reverse("plans:sharing")).content.decode().count(label) >= 1


def test_partner_reads_of_a_goal_are_audited(client, goals, partner):
    shared, _private = goals
    client.force_login(partner)
    client.get(reverse("plans:goal", kwargs={"goal_id": shared.pk}))
    assert AuditEvent.objects.filter(
        actor=partner, action=AuditEvent.Action.VIEW, object_type="Goal"
    ).exists()


def test_partners_plan_page_query_count_does_not_grow_with_steps_and_updates(
    client, goals, partner, parent, team_member, django_assert_num_queries
):
    shared, _private = goals

    def grow(n):
        for i in range(n):
            step = _partner_step(shared, parent, team_member, text=f"Step {i} {n}")
            services.step_done_set(step=step, actor=partner, done=True)
            services.comment_add(
                plan=shared.plan,
                actor=partner,
                goal=shared,
                text=f"Update {i}",
                kind=Comment.Kind.UPDATE,
            )
            services.suggestion_create(
                plan=shared.plan,
                actor=partner,
                kind=Suggestion.Kind.STEP,
                goal=shared,
                text=f"Idea {i} {n}",
            )

    grow(2)
    client.force_login(partner)
    url = reverse("plans:goal", kwargs={"goal_id": shared.pk})
    plan_url = reverse("plans:family_plan", kwargs={"family_id": shared.plan.family_id})
    client.get(url)
    client.get(plan_url)
    with CaptureQueriesContext(connection) as goal_page:
        client.get(url)
    with CaptureQueriesContext(connection) as plan_page:
        client.get(plan_url)
    grow(10)
    with django_assert_num_queries(len(goal_page.captured_queries)):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(len(plan_page.captured_queries)):
        assert client.get(plan_url).status_code == 200


def test_a_submit_crossing_the_autosave_that_answered_a_suggestion_keeps_one_step(
    client, goals, partner, parent, team_member
):
    shared, _private = goals
    suggestion = services.suggestion_create(
        plan=shared.plan, actor=partner, kind=Suggestion.Kind.STEP, goal=shared, text="Come in"
    )
    data = {
        "text": "Come in on Monday",
        "who": f"partner:{team_member.pk}",
        "suggestion": suggestion.pk,
        "version": 1,
        "draft_key": "same-form",
        "private": "family",
    }
    client.force_login(parent)
    url = reverse("plans:step_save", kwargs={"goal_id": shared.pk})
    autosave = client.post(url, data, headers={"HX-Request": "true"})
    assert autosave.status_code == 200
    assert client.post(url, data).status_code == 302
    assert Step.objects.filter(text="Come in on Monday").count() == 1
    # Another family's suggestion, or one never made, is still a 404.
    assert client.post(url, data | {"suggestion": 999999, "draft_key": "x"}).status_code == 404
