"""The plan queries compiled once (``portal.prepared``) give what their querysets give."""

import datetime as dt

from django.utils import timezone

from plans import access, selectors
from plans import services as plan_services
from plans.models import Goal, Suggestion
from tests.helpers.prepared import loaded


def _same(query, **values):
    assert loaded(query.rows(**values)) == loaded(list(query.build(**values)))
    return query.rows(**values)


def test_the_dashboard_and_plan_page_queries_match_their_querysets(
    goals, plan, family, other_family, parent, dad, key_worker, django_assert_num_queries
):
    shared, _private = goals
    mum_row = parent.family_membership.pk
    plan_services.private_worry_save(plan=plan, actor=parent, text="Mine", expected_version=1)
    kept = plan_services.goal_create(plan=plan, actor=dad, title="Just mine", private=True)
    plan_services.step_create(
        goal=kept,
        actor=dad,
        text="A private step",
        owner=plan_services.StepOwner(who="key_worker"),
        due_date=timezone.localdate(),
    )
    plan_services.comment_add(plan=plan, actor=parent, text="On the plan")
    plan_services.comment_add(plan=plan, actor=key_worker, text="On a goal", goal=shared)
    plan_services.suggestion_create(
        plan=plan, actor=key_worker, kind=Suggestion.Kind.GOAL, text="Something"
    )
    today = timezone.localdate()
    plan_services.review_schedule(plan=plan, actor=key_worker, date=today + dt.timedelta(days=3))
    for family_id in (family.pk, other_family.pk, 0):
        for user_id in (parent.pk, key_worker.pk, 0):
            state = {"today": today, "signer_id": user_id, "agreer_id": user_id}
            for row in (mum_row, dad.family_membership.pk, 0):
                mine = {"member_id": row, "member_id_2": row, "member_id_3": row}
                _same(selectors._parent_plan, family_id=family_id, **state, **mine)
            _same(access._family_plan, family_id=family_id)
    for plan_id in (plan.pk, 0):
        for row in (mum_row, 0):
            _same(
                selectors._plan_with_state,
                plan_id=plan_id,
                today=today,
                signer_id=1,
                agreer_id=1,
                worrier_id=row,
                worrier_id_2=row,
            )
        for row in (mum_row, dad.family_membership.pk):
            _same(
                selectors._steps_due,
                plan_id=plan_id,
                due_by=today + dt.timedelta(days=400),
                member_id=row,
                member_id_2=row,
            )
            _same(selectors._family_goals, family_id=family.pk, plan_id=plan_id, member_id=row)
        _same(selectors._plan_comments, plan_id=plan_id)
        _same(selectors._open_suggestions, plan_id=plan_id)
        for family_id in (family.pk, other_family.pk):
            _same(selectors._every_goal, family_id=family_id, plan_id=plan_id)
        for query in (
            selectors._plan_areas,
            selectors._plan_steps,
            selectors._plan_ratings,
            selectors._plan_live_shares,
        ):
            _same(query, plan_id=plan_id)
    [prepared_plan] = selectors._parent_plan.rows(
        family_id=family.pk,
        today=today,
        signer_id=parent.pk,
        agreer_id=parent.pk,
        member_id=mum_row,
        member_id_2=mum_row,
        member_id_3=mum_row,
    )
    assert (prepared_plan.has_goals, prepared_plan.open_suggestions) == (True, 1)
    assert prepared_plan.next_review_date == today + dt.timedelta(days=3)
    with django_assert_num_queries(5):  # The goals, then their areas, steps, ratings, shares.
        every = selectors._every_goal.rows(family_id=family.pk, plan_id=plan.pk)
        selectors._goal_lists(every, plan_id=plan.pk)
    with django_assert_num_queries(0):
        assert [len(goal.step_list) for goal in every] == [1, 1, 1]
        assert [len(goal.live_shares) for goal in every] == [2, 0, 0]
        assert every[0].step_list[0].goal is every[0]
    # The same lists, in the same order, as Django's prefetching gives.
    prefetched = Goal.objects.filter(plan=plan, archived_at__isnull=True).prefetch_related(
        *selectors._goal_prefetches(sees_everything=True)
    )
    for mine, theirs in zip(every, prefetched.order_by("order", "id"), strict=True):
        for name in ("area_list", "step_list", "rating_list", "live_shares"):
            assert [row.pk for row in getattr(mine, name)] == [
                row.pk for row in getattr(theirs, name)
            ], name
    # The other adult's private goal is not among the mum's.
    mums = selectors._family_goals.rows(family_id=family.pk, plan_id=plan.pk, member_id=mum_row)
    assert [goal.pk for goal in mums] == [goal.pk for goal in every[:2]]
    comments = selectors._plan_comments.rows(plan_id=plan.pk)
    with django_assert_num_queries(0):
        assert sorted(c.author.pk for c in comments) == sorted([parent.pk, key_worker.pk])
