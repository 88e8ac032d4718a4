"""The school's attendance officer acts on the goal the Khans shared with school: they
suggest a step, Aisha rewrites it in her own words and adds it as theirs, and they tick it
off. Everything they do shows their agency beside their name."""

import re

import pytest
from playwright.sync_api import expect

from plans.models import GoalShare, Step, Suggestion
from tests.helpers.browser import Person, assert_accessible, no_sideways_scroll

pytestmark = pytest.mark.browser

PAT = "Pat Doyle, Foleshill Primary School"
SUGGESTED = "Meet me at the school gate on Monday to talk about mornings"
REWRITTEN = "Meet Mrs Doyle at the school gate on Monday with Zara"


def test_attendance_officer_suggests_a_step_the_mum_rewrites_and_they_tick_it_off(
    open_page, people
):
    share = GoalShare.objects.select_related("goal", "practitioner").get(
        goal__plan__family=people["family:parent"],
        audience=GoalShare.Audience.PARTNER,
        practitioner__user=people["partner"],
        withdrawn_at__isnull=True,
    )
    goal = share.goal

    pat = Person(open_page(people["partner"], viewport="desktop"))
    pat.page.goto(f"/plans/goals/{goal.pk}/")
    expect(pat.page.get_by_role("heading", level=1)).to_have_text(goal.title)
    pat.page.get_by_role("link", name=re.compile(r"^Suggest a step")).first.click()
    expect(pat.page.get_by_role("heading", level=1)).to_have_text("Suggest a step")
    pat.press("Send suggestion")
    expect(pat.page.get_by_role("alert")).to_contain_text("Enter your suggestion")
    assert_accessible(pat.page)
    pat.fill("The step you suggest", SUGGESTED)
    pat.press("Send suggestion")
    expect(
        pat.page.get_by_text("Your suggestion has been sent. The family decides what to do.")
    ).to_be_visible()
    waiting = pat.page.locator(".app-suggestion").filter(has_text=SUGGESTED)
    expect(waiting).to_contain_text("Waiting for the family to decide")

    aisha = Person(open_page(people["parent"], viewport="phone"))
    aisha.page.goto("/plans/")
    card = aisha.page.locator(".app-suggestion").filter(has_text=SUGGESTED)
    expect(card).to_contain_text(f"Suggested by {PAT}")
    assert_accessible(aisha.page)
    no_sideways_scroll(aisha.page)
    card.get_by_role("link", name="Write it in our own words").click()
    expect(aisha.page.get_by_label("What will happen", exact=True)).to_have_value(SUGGESTED)
    # The step is most likely the officer's to do; Aisha may choose someone else.
    who = aisha.page.get_by_label("Who will do it", exact=True)
    expect(who.locator("option:checked")).to_have_text(PAT)
    aisha.choose("Everyone in our family, and our key worker")
    aisha.fill("What will happen", REWRITTEN)
    aisha.page.keyboard.press("Tab")
    # The form saves itself as she types; let that finish before she presses Save.
    expect(aisha.page.get_by_text("Saved", exact=True)).to_be_visible()
    aisha.page.wait_for_load_state("networkidle")
    aisha.press("Save step")
    expect(aisha.page.locator(".app-step__text").filter(has_text=REWRITTEN)).to_be_visible()
    expect(aisha.page.locator(".app-suggestion").filter(has_text=SUGGESTED)).to_have_count(0)
    suggestion = Suggestion.objects.get(text=SUGGESTED)
    assert suggestion.status == Suggestion.Status.REWRITTEN
    step = Step.objects.get(text=REWRITTEN)
    assert step.practitioner_id == share.practitioner_id

    pat.page.goto(f"/plans/goals/{goal.pk}/")
    # Only their own steps have a tick button: not Aisha's or the other parents'.
    ticks = pat.page.get_by_role("button", name=re.compile(r"^Tick off as done"))
    theirs = Step.objects.filter(
        goal=goal, practitioner__user=people["partner"], done_at__isnull=True
    )
    assert theirs.count() < Step.objects.filter(goal=goal, done_at__isnull=True).count()
    expect(ticks).to_have_count(theirs.count())
    pat.page.get_by_role("button", name=re.compile(r"^Tick off as done\W+Meet Mrs Doyle")).click()
    expect(
        pat.page.get_by_role("button", name=re.compile(r"^Not done yet\W+Meet Mrs Doyle"))
    ).to_be_visible()
    assert_accessible(pat.page)
    step.refresh_from_db()
    assert step.done_by == people["partner"]

    aisha.page.goto("/plans/")
    done = aisha.page.locator(".app-step").filter(has_text=REWRITTEN)
    expect(done).to_contain_text("Done")
    expect(done).to_contain_text(f"Done by {PAT}")
    assert_accessible(aisha.page)
