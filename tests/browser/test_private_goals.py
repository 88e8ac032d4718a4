"""Aisha writes a goal only she and her key worker can see, while Imran, in the same family
and signed in on another browser, sees no new goal, no change in any count and no "changed
since it was agreed"; their key worker sees it, marked as Aisha's alone."""

import pytest
from playwright.sync_api import expect

from plans import services as plan_services
from plans.models import Plan
from tests.helpers.browser import Person, assert_accessible

pytestmark = pytest.mark.browser

KEPT = "I want to stop drinking before the kids get home"


def _agree(plan: Plan, *people) -> None:
    for person in people:
        plan.refresh_from_db()
        plan_services.plan_confirm(plan=plan, actor=person, revision=plan.revision)


def _goal_titles(page) -> list[str]:
    return page.locator(".app-plan-goal h3").all_inner_texts()


def test_aisha_keeps_a_goal_private_and_imran_sees_nothing_of_it(open_page, people):
    family = people["family:parent"]
    aisha_user, imran_user, kim_user = people["parent"], people["dad"], people["key_worker"]
    plan = Plan.objects.get(family=family)
    plan.signatories.add(imran_user.family_membership)
    _agree(plan, aisha_user, imran_user, kim_user)

    imran = Person(open_page(imran_user, viewport="phone"))
    imran.page.goto("/plans/")
    expect(imran.page.get_by_text("Agreed", exact=True)).to_be_visible()
    titles_before = _goal_titles(imran.page)
    imran.page.goto("/")
    dashboard_before = imran.page.locator("main").inner_text()

    aisha = Person(open_page(aisha_user, viewport="phone"))
    aisha.page.goto("/plans/")
    aisha.follow("Add something we want to change")
    assert_accessible(aisha.page)
    aisha.choose("Only me and my key worker")
    aisha.fill("What we want to change", KEPT)
    aisha.fill("How we will change", "Talk to the drug and alcohol team")
    aisha.page.keyboard.press("Tab")
    expect(aisha.page.get_by_text("Saved", exact=True)).to_be_visible()
    aisha.page.wait_for_load_state("networkidle")
    aisha.press("Save goal")
    goal = aisha.page.locator(".app-plan-goal").filter(has_text=KEPT)
    expect(goal).to_contain_text("Only you and your key worker can see this")
    # Still agreed for her too: her private goal is no part of what the family agreed.
    expect(aisha.page.get_by_text("Agreed", exact=True)).to_be_visible()

    imran.page.goto("/plans/")
    expect(imran.page.get_by_text("Agreed", exact=True)).to_be_visible()
    expect(imran.page.get_by_text("Changed since it was agreed")).to_have_count(0)
    expect(imran.page.get_by_text(KEPT)).to_have_count(0)
    assert _goal_titles(imran.page) == titles_before
    imran.page.goto("/")
    assert imran.page.locator("main").inner_text() == dashboard_before
    imran.page.goto("/notifications/")
    expect(imran.page.get_by_text(KEPT)).to_have_count(0)

    kim = Person(open_page(kim_user))
    kim.page.goto(plan.get_absolute_url())
    kept = kim.page.locator(".app-plan-goal").filter(has_text=KEPT)
    expect(kept).to_contain_text("Only Aisha and the key worker can see this")
    assert_accessible(kim.page)
