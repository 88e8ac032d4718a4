import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from notifications.models import Notification

from plans import services
from plans.models import (
    GoalRating,
    GoalShare,
    OutcomeArea,
    Plan,
    Review,
    Suggestion,
    Who,
)
from plans.tasks import reminder_time
from portal import plain_english
from portal.models import AuditEvent
from portal.registry import OUTCOME_SLUGS, family_needs
from tests import factories

pytestmark = pytest.mark.django_db(transaction=False)


def test_outcome_areas_are_seeded_with_the_national_slugs(db):
    assert set(OutcomeArea.objects.values_list("slug", flat=True)) >= set(OUTCOME_SLUGS)
    assert OutcomeArea.objects.count() == 10


def test_plan_start_is_idempotent_and_names_adults_with_accounts(family, parent):
    factories.child(family)
    plan = services.plan_start(family=family, actor=parent)
    again = services.plan_start(family=family, actor=parent)
    assert plan.pk == again.pk
    assert [m.user for m in plan.signatories.all()] == [parent]


def test_other_parent_cannot_start_a_plan_for_another_family(family, other_parent):
    from django.http import Http404

    with pytest.raises(Http404):
        services.plan_start(family=family, actor=other_parent)


def test_key_worker_starting_a_plan_is_audited(family, key_worker):
    services.plan_start(family=family, actor=key_worker)
    assert AuditEvent.objects.filter(
        actor=key_worker, action=AuditEvent.Action.CREATE, object_type="Plan"
    ).exists()


def test_goal_create_keeps_the_familys_words_and_bumps_the_revision(plan, parent):
    before = plan.revision
    goal = services.goal_create(
        plan=plan,
        actor=parent,
        title="  I need to get the kids to school  ",
        outcome_areas=[OutcomeArea.objects.get(slug="education")],
    )
    plan.refresh_from_db()
    assert goal.title == "I need to get the kids to school"
    assert plan.revision == before + 1
    assert family_needs(plan.family) == {"education"}


def test_key_worker_cannot_write_the_familys_goals(plan, key_worker):
    with pytest.raises(PermissionDenied):
        services.goal_create(plan=plan, actor=key_worker, title="Their words, not mine")


def test_goal_title_is_required_and_limited(plan, parent):
    with pytest.raises(ValidationError) as empty:
        services.goal_create(plan=plan, actor=parent, title="   ")
    assert "Enter what you want to change" in str(empty.value)
    with pytest.raises(ValidationError) as long:
        services.goal_create(plan=plan, actor=parent, title="x" * 201)
    assert "200 characters or fewer" in str(long.value)


def test_goal_update_with_an_old_version_raises_a_conflict_and_keeps_the_first_save(
    plan, parent, dad
):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    services.goal_update(goal=goal, actor=dad, expected_version=1, title="Kids to school on time")
    with pytest.raises(services.EditConflict) as conflict:
        services.goal_update(goal=goal, actor=parent, expected_version=1, title="Walk to school")
    assert conflict.value.current.title == "Kids to school on time"
    goal.refresh_from_db()
    assert goal.title == "Kids to school on time"
    assert goal.version == 2


def test_saving_the_same_words_again_does_not_change_the_version(plan, parent):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    same = services.goal_update(goal=goal, actor=parent, expected_version=1, title="Kids to school")
    assert same.version == 1


def test_about_update_conflict(plan, parent, dad):
    services.plan_about_update(
        plan=plan, actor=parent, strengths="We laugh a lot", worries="", expected_version=1
    )
    with pytest.raises(services.EditConflict) as conflict:
        services.plan_about_update(
            plan=plan, actor=dad, strengths="We cook together", worries="", expected_version=1
        )
    assert conflict.value.current.strengths == "We laugh a lot"


def test_step_for_someone_not_on_the_plan_is_refused(plan, parent, other_family):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    outsider = factories.child(other_family)
    with pytest.raises(ValidationError) as exc:
        services.step_create(
            goal=goal,
            actor=parent,
            text="Walk them",
            owner=services.StepOwner(who=Who.MEMBER, member=outsider),
        )
    assert "Choose someone who is on the plan" in str(exc.value)


def test_step_for_a_practitioner_of_another_family_is_refused(plan, parent, other_family):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    stranger = factories.partner(other_family)
    practitioner = other_family.practitioners.get(user=stranger)
    with pytest.raises(ValidationError):
        services.step_create(
            goal=goal,
            actor=parent,
            text="Call school",
            owner=services.StepOwner(who=Who.PARTNER, practitioner=practitioner),
        )


def test_step_due_in_the_past_is_refused(plan, parent):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    with pytest.raises(ValidationError) as exc:
        services.step_create(
            goal=goal,
            actor=parent,
            text="Walk them",
            owner=services.StepOwner(who=Who.KEY_WORKER),
            due_date=timezone.localdate() - dt.timedelta(days=1),
        )
    assert "today or in the future" in str(exc.value)


def test_other_people_must_be_named(plan, parent):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    with pytest.raises(ValidationError):
        services.step_create(
            goal=goal, actor=parent, text="Walk", owner=services.StepOwner(who=Who.OTHER)
        )


def test_ticking_a_step_does_not_unagree_the_plan(goals, plan, parent, key_worker):
    shared, _private = goals
    step = shared.steps.get()
    before = Plan.objects.get(pk=plan.pk).revision
    services.step_done_set(step=step, actor=parent, done=True)
    step.refresh_from_db()
    assert step.done_at is not None and step.done_by == parent
    assert Plan.objects.get(pk=plan.pk).revision == before
    services.step_done_set(step=step, actor=key_worker, done=False)
    step.refresh_from_db()
    assert step.done_at is None


def test_suggestion_stays_a_suggestion_until_the_family_acts(
    plan, parent, key_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = services.suggestion_create(
            plan=plan, actor=key_worker, kind=Suggestion.Kind.GOAL, text="Go to the parenting group"
        )
    assert not plan.goals.exists()
    assert Notification.objects.filter(recipient=parent).count() == 1
    goal = services.suggestion_accept_goal(suggestion=suggestion, actor=parent)
    suggestion.refresh_from_db()
    assert goal.title == "Go to the parenting group"
    assert suggestion.status == Suggestion.Status.ACCEPTED


def test_rewriting_a_suggestion_records_it_as_rewritten(goals, plan, parent, key_worker):
    shared, _ = goals
    suggestion = services.suggestion_create(
        plan=plan,
        actor=key_worker,
        kind=Suggestion.Kind.STEP,
        goal=shared,
        text="Engage with school attendance support",
    )
    step = services.step_create(
        goal=shared,
        actor=parent,
        text="Talk to Miss Ahmed about mornings",
        owner=services.StepOwner(who=Who.KEY_WORKER),
        suggestion=suggestion,
    )
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.REWRITTEN
    assert step.text == "Talk to Miss Ahmed about mornings"
    with pytest.raises(ValidationError):
        services.suggestion_decline(suggestion=suggestion, actor=parent)


def test_family_cannot_suggest_and_partner_cannot_suggest(plan, parent, partner):
    for person in (parent, partner):
        with pytest.raises(PermissionDenied):
            services.suggestion_create(
                plan=plan, actor=person, kind=Suggestion.Kind.GOAL, text="Something"
            )


def test_sharing_records_consent_and_withdrawal_with_who_and_when(goals, plan, parent):
    shared, private = goals
    granted, withdrawn = services.plan_sharing_set(plan=plan, actor=parent, wanted=set())
    assert (granted, withdrawn) == (0, 2)
    history = GoalShare.objects.filter(goal=shared)
    assert all(s.withdrawn_at and s.withdrawn_by == parent for s in history)
    granted, withdrawn = services.plan_sharing_set(
        plan=plan, actor=parent, wanted={(private.pk, GoalShare.Audience.MENTOR, None)}
    )
    assert (granted, withdrawn) == (1, 0)
    live = GoalShare.objects.get(withdrawn_at__isnull=True)
    assert live.goal == private and live.granted_by == parent


def test_sharing_with_someone_not_named_is_refused(goals, plan, parent, other_family):
    shared, _ = goals
    stranger = factories.partner(other_family)
    practitioner = other_family.practitioners.get(user=stranger)
    with pytest.raises(ValidationError):
        services.plan_sharing_set(
            plan=plan,
            actor=parent,
            wanted={(shared.pk, GoalShare.Audience.PARTNER, practitioner.pk)},
        )


def test_only_the_family_decides_what_is_shared(goals, plan, key_worker):
    with pytest.raises(PermissionDenied):
        services.plan_sharing_set(plan=plan, actor=key_worker, wanted=set())


def test_plan_is_agreed_when_named_members_and_key_worker_confirm(
    goals, plan, parent, dad, key_worker, django_capture_on_commit_callbacks
):
    plan.signatories.add(dad.family_membership)
    assert services.plan_confirm(plan=plan, actor=parent, revision=plan.revision) is None
    assert services.plan_confirm(plan=plan, actor=dad, revision=plan.revision) is None
    with django_capture_on_commit_callbacks(execute=True):
        version = services.plan_confirm(plan=plan, actor=key_worker, revision=plan.revision)
    plan.refresh_from_db()
    assert version.number == 1
    assert plan.status == Plan.Status.AGREED
    assert [g["title"] for g in version.snapshot["goals"]] == [g.title for g in goals]
    assert Notification.objects.filter(verb__icontains="agreed").count() == 2  # not the actor


def test_changing_the_words_after_agreement_needs_agreement_again(goals, plan, parent, key_worker):
    services.plan_confirm(plan=plan, actor=parent, revision=plan.revision)
    services.plan_confirm(plan=plan, actor=key_worker, revision=plan.revision)
    shared, _ = goals
    services.goal_update(goal=shared, actor=parent, expected_version=1, title="New words")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.CHANGED


def test_confirming_an_old_revision_is_refused(goals, plan, parent):
    with pytest.raises(ValidationError):
        services.plan_confirm(plan=plan, actor=parent, revision=plan.revision - 1)


def test_someone_not_named_cannot_confirm(goals, plan, partner):
    with pytest.raises(PermissionDenied):
        services.plan_confirm(plan=plan, actor=partner, revision=plan.revision)


def test_review_in_the_past_is_refused(plan, parent):
    with pytest.raises(ValidationError):
        services.review_schedule(
            plan=plan, actor=parent, date=timezone.localdate() - dt.timedelta(days=1)
        )


def test_review_reminder_runs_through_the_task_backend(
    plan, parent, key_worker, django_capture_on_commit_callbacks
):
    # The immediate backend (tests, embedded mode) runs the reminder straight away.
    date = timezone.localdate() + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        review = services.review_schedule(plan=plan, actor=parent, date=date)
    # The reminder's own notification is sent on the commit of the task's transaction.
    review.refresh_from_db()
    assert review.reminder_sent_at is not None
    assert Notification.objects.filter(recipient=key_worker, verb__icontains="review").exists()


def test_review_reminder_is_queued_for_the_day_before(
    plan, parent, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    date = timezone.localdate() + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        review = services.review_schedule(plan=plan, actor=parent, date=date)
    [result] = default_task_backend.results
    assert result.task.run_after == reminder_time(date)
    assert result.args == [review.pk, date.isoformat()]
    review.refresh_from_db()
    assert review.reminder_sent_at is None


def test_a_moved_review_ignores_the_old_reminder(plan, parent):
    date = timezone.localdate() + dt.timedelta(days=10)
    review = Review.objects.create(plan=plan, date=date)
    assert not services.review_reminder_send(
        review_id=review.pk, date=(date + dt.timedelta(days=1)).isoformat()
    )
    assert services.review_reminder_send(review_id=review.pk, date=date.isoformat())
    assert not services.review_reminder_send(review_id=review.pk, date=date.isoformat())


def test_family_rates_every_goal_and_the_review_is_done(goals, plan, parent, key_worker):
    review = services.review_start_today(plan=plan, actor=parent)
    shared, private = goals
    services.review_record(
        review=review,
        actor=parent,
        ratings=[
            services.RatingInput(goal=shared, score=6, note="Better mornings"),
            services.RatingInput(goal=private, score=3),
        ],
    )
    review.refresh_from_db()
    assert review.status == Review.Status.DONE
    services.review_record(
        review=review,
        actor=key_worker,
        by=GoalRating.By.KEY_WORKER,
        ratings=[services.RatingInput(goal=shared, score=5)],
    )
    assert GoalRating.objects.filter(review=review).count() == 3


@pytest.mark.parametrize("score", [0, 11, -3])
def test_rating_outside_1_to_10_is_refused(goals, plan, parent, score):
    review = services.review_start_today(plan=plan, actor=parent)
    shared, private = goals
    with pytest.raises(ValidationError) as exc:
        services.review_record(
            review=review,
            actor=parent,
            ratings=[
                services.RatingInput(goal=shared, score=score),
                services.RatingInput(goal=private, score=5),
            ],
        )
    assert "from 1 to 10" in str(exc.value)
    assert not GoalRating.objects.exists()


def test_comment_notifies_only_people_who_can_see_the_goal(
    goals, plan, parent, key_worker, partner, django_capture_on_commit_callbacks
):
    shared, private = goals
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(plan=plan, actor=key_worker, text="Well done", goal=shared)
    assert Notification.objects.filter(recipient=partner).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(plan=plan, actor=key_worker, text="About money", goal=private)
    assert Notification.objects.filter(recipient=partner).count() == 1
    assert Notification.objects.filter(recipient=parent).count() == 2


def test_partner_cannot_comment_on_an_unshared_goal(goals, plan, partner):
    _shared, private = goals
    with pytest.raises(PermissionDenied):
        services.comment_add(plan=plan, actor=partner, text="Hello", goal=private)


def test_version_diff_shows_added_and_removed_lines(goals, plan, parent, key_worker):
    from plans import access, selectors

    services.plan_confirm(plan=plan, actor=parent, revision=plan.revision)
    services.plan_confirm(plan=plan, actor=key_worker, revision=plan.revision)
    shared, _ = goals
    services.goal_update(goal=shared, actor=parent, expected_version=1, title="Kids in on time")
    plan.refresh_from_db()
    services.plan_confirm(plan=plan, actor=parent, revision=plan.revision)
    services.plan_confirm(plan=plan, actor=key_worker, revision=plan.revision)
    v1, v2 = plan.versions.order_by("number")
    plan_acc = access.plan_access(parent, plan.family)
    changes = selectors.version_diff(older=v1, newer=v2, plan_access=plan_acc)
    assert ("removed", "Goal: Get the kids to school on time") in changes
    assert ("added", "Goal: Kids in on time") in changes


def test_templates_search_by_words_and_outcome(db, manager):
    from plans import selectors

    education = OutcomeArea.objects.get(slug="education")
    housing = OutcomeArea.objects.get(slug="housing")
    services.template_save(
        actor=manager,
        title="Walking bus",
        summary="Parents walk children to school together.",
        step_text="Walk with the other parents",
        who=Who.OTHER,
        outcome_areas=[education],
    )
    services.template_save(
        actor=manager,
        title="Housing options",
        summary="Help with where you live.",
        step_text="Ask the housing team",
        who=Who.PARTNER,
        outcome_areas=[housing],
    )
    assert [t.title for t in selectors.templates_search(query="walk")] == ["Walking bus"]
    assert [t.title for t in selectors.templates_search(outcome="housing")] == ["Housing options"]
    assert list(selectors.templates_search(query="walk", outcome="housing")) == []


def test_parents_cannot_edit_the_library_or_lists(db, parent):
    with pytest.raises(PermissionDenied):
        services.template_save(actor=parent, title="x", summary="y", step_text="z", who=Who.MEMBER)
    with pytest.raises(PermissionDenied):
        services.jargon_term_save(actor=parent, term="x", alternative="y")


def test_managers_edit_outcome_areas_but_slugs_stay_unique(db, manager):
    area = OutcomeArea.objects.get(slug="housing")
    services.outcome_area_save(
        actor=manager, area=area, slug="housing", name="A safe home", order=9, active=True
    )
    area.refresh_from_db()
    assert area.name == "A safe home"
    with pytest.raises(ValidationError):
        services.outcome_area_save(actor=manager, slug="housing", name="Twice")


def test_jargon_terms_are_unique_ignoring_case(db, manager):
    services.jargon_term_save(actor=manager, term="Safeguarding", alternative="keeping safe")
    with pytest.raises(ValidationError):
        services.jargon_term_save(actor=manager, term="safeguarding", alternative="again")


def test_the_core_checker_reads_the_jargon_list_managers_keep(db, manager):
    services.jargon_term_save(actor=manager, term="signpost", alternative="tell you about")
    services.jargon_term_save(actor=manager, term="cohort", alternative="group", active=False)
    report = plain_english.check("We will signpost the cohort.")
    hits = {(hit.term, hit.alternative) for hit in report.jargon}
    assert hits == {("signpost", "tell you about")}


def test_an_autosave_and_a_submit_with_the_same_words_do_not_conflict(plan, parent):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    services.goal_update(goal=goal, actor=parent, expected_version=1, title="Kids on time")
    # The submit started from version 1 but carries exactly what the autosave saved.
    same = services.goal_update(goal=goal, actor=parent, expected_version=1, title="Kids on time")
    assert same.version == 2


def test_a_second_create_from_the_same_form_returns_the_first_goal(plan, parent):
    first = services.goal_create(plan=plan, actor=parent, title="Kids to school", draft_key="abc")
    again = services.goal_create(plan=plan, actor=parent, title="Kids to school", draft_key="abc")
    assert first.pk == again.pk
    assert plan.goals.count() == 1


def test_a_second_create_from_the_same_form_with_other_words_is_a_conflict(plan, parent):
    services.goal_create(plan=plan, actor=parent, title="Kids to school", draft_key="abc")
    with pytest.raises(services.EditConflict) as conflict:
        services.goal_create(plan=plan, actor=parent, title="Kids to bed", draft_key="abc")
    assert conflict.value.current.title == "Kids to school"
    assert plan.goals.get().title == "Kids to school"


def test_steps_from_the_same_form_are_made_once(goals, parent):
    shared, _ = goals
    owner = services.StepOwner(who=Who.KEY_WORKER)
    one = services.step_create(goal=shared, actor=parent, text="Call", owner=owner, draft_key="k")
    two = services.step_create(goal=shared, actor=parent, text="Call", owner=owner, draft_key="k")
    assert one.pk == two.pk
