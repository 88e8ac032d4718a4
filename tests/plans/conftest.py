"""Fixtures for plan tests: a started plan, a matched peer mentor and staff with reasons
(helpers: tests/helpers/plans.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from plans import services as plan_services
from plans.models import GoalShare, Suggestion, Who
from portal import access as core
from portal.models import StaffProfile
from tests import factories
from tests.helpers.plans import matched_mentor_for


@pytest.fixture
def mentor(family):
    user, provider = matched_mentor_for(family)
    yield user
    core._relation_providers.remove(provider)


@pytest.fixture
def unmatched_mentor(other_family):
    user, provider = matched_mentor_for(other_family)
    yield user
    core._relation_providers.remove(provider)


@pytest.fixture
def plan(family, parent):
    return plan_services.plan_start(family=family, actor=parent)


@pytest.fixture
def dad(family):
    from portal.models import FamilyMember

    return factories.parent(family, name="Imran", relationship=FamilyMember.Relationship.DAD)


@pytest.fixture
def goals(plan, parent, partner, family):
    """Two goals: the first shared with the partner and the mentor, the second private."""
    shared = plan_services.goal_create(
        plan=plan,
        actor=parent,
        title="Get the kids to school on time",
        details="I'll walk with the other parents on our route",
    )
    private = plan_services.goal_create(plan=plan, actor=parent, title="Sort out our money worries")
    plan_services.step_create(
        goal=shared,
        actor=parent,
        text="Walk with the other parents",
        owner=plan_services.StepOwner(who=Who.OTHER, other_people="parents on our route"),
    )
    plan_services.step_create(
        goal=private,
        actor=parent,
        text="Book debt advice",
        owner=plan_services.StepOwner(who=Who.KEY_WORKER),
    )
    practitioner = family.practitioners.get(user=partner)
    plan_services.plan_sharing_set(
        plan=plan,
        actor=parent,
        wanted={
            (shared.pk, GoalShare.Audience.PARTNER, practitioner.pk),
            (shared.pk, GoalShare.Audience.MENTOR, None),
        },
    )
    plan.refresh_from_db()
    return shared, private


@pytest.fixture
def other_key_worker(db):
    return factories.staff(StaffProfile.Role.KEY_WORKER)


@pytest.fixture
def kept(plan, parent, dad, key_worker, goals):
    """What Aisha (``parent``) keeps to herself and the key worker, beside the family's
    goals: a private goal with a step, a comment, a suggestion and a rating on it, a
    private step on a family goal, and her private worries. Imran (``dad``) is the second
    adult of the household."""
    shared, _unshared = goals
    goal = plan_services.goal_create(
        plan=plan,
        actor=parent,
        title="Stop using before the kids wake up",
        details="Talk to the drug and alcohol team",
        private=True,
    )
    step = plan_services.step_create(
        goal=goal,
        actor=parent,
        text="Ring the recovery service",
        owner=plan_services.StepOwner(who=Who.KEY_WORKER),
        due_date=timezone.localdate(),
    )
    own_step = plan_services.step_create(
        goal=shared,
        actor=parent,
        text="Leave the flat by eight without telling anyone why",
        owner=plan_services.StepOwner(who=Who.KEY_WORKER),
        due_date=timezone.localdate(),
        private=True,
    )
    plan_services.comment_add(plan=plan, actor=key_worker, text="Proud of you", goal=goal)
    suggestion = plan_services.suggestion_create(
        plan=plan,
        actor=key_worker,
        kind=Suggestion.Kind.STEP,
        goal=goal,
        text="Try the recovery cafe on Friday",
    )
    review = plan_services.review_start_today(plan=plan, actor=parent)
    worry = plan_services.private_worry_save(
        plan=plan, actor=parent, text="I owe money to a dealer", expected_version=1
    )
    plan.refresh_from_db()
    return {
        "goal": goal,
        "step": step,
        "own_step": own_step,
        "suggestion": suggestion,
        "review": review,
        "worry": worry,
        "shared": shared,
    }
