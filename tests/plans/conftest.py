"""Fixtures for plan tests: a started plan, a matched peer mentor and staff with reasons
(helpers: tests/helpers/plans.py)."""

from __future__ import annotations

import pytest

from plans import services as plan_services
from plans.models import GoalShare, Who
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
