"""The family's whole journey, end to end: the school refers the Browns with their
agreement; the service manager finds the family already known, joins the referral to it
and allocates Kim; Kim records three needs with the family and later closes the work;
Lisa reads her family's needs in plain words, then the closing summary."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from casework import services
from casework.models import Episode, Need, Referral
from portal.demo import acting_signed_in
from portal.models import Family
from tests.helpers.browser import Person, assert_accessible, no_sideways_scroll

pytestmark = pytest.mark.browser

SUMMARY = "Lisa, Tyler goes to school most days now and the rent is paid. Ask us again any time."
NEEDS = [
    ("Tyler", "A child's attendance is below 90% (persistently absent)", "5"),
    ("Lisa", "An adult is out of work and wants help to find work", "3"),
    ("The whole household", "The family has debts it cannot manage", "4"),
]


def _needs_afresh(people, family) -> None:
    # The demo's assessment of the Browns found a need already; Kim records them afresh.
    kim = acting_signed_in(people["key_worker"])
    for need in Need.objects.filter(family=family, removed_at__isnull=True):
        services.need_remove(need=need, actor=kim, reason="Recorded again in the journey test")


def test_referral_to_closure_with_the_family_reading_each_step(open_page, people):
    browns = people["family:brown"]
    _needs_afresh(people, browns)

    # The school refers, with the family's agreement.
    pat = Person(open_page(people["partner"], viewport="phone"))
    pat.page.goto("/casework/referrals/new/")
    pat.fill("The family's surname", "Brown")
    pat.fill("The family's postcode", "cv1 5fb")
    mum, child = pat.within("#person-1"), pat.within("#person-2")
    mum.fill("Name", "Lisa")
    mum.select("Who they are in the family", "Mum")
    child.fill("Name", "Tyler")
    child.select("Who they are in the family", "Child or young person")
    pat.fill(
        "What worries you about the family?", "Tyler is often absent; mum is worried about rent."
    )
    pat.tick("Getting a good education")
    pat.tick("Financial stability")
    pat.choose("Yes, the family agreed")
    pat.press("Send the referral")
    expect(pat.page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    referral = Referral.objects.filter(referred_by=people["partner"]).latest("created_at")
    assert referral.consent and referral.postcode == "CV1 5FB"

    # The manager sees the family may be known, joins the referral to it and allocates.
    mina = Person(open_page(people["manager"], viewport="desktop"))
    mina.page.goto(referral.get_absolute_url())
    expect(mina.page.locator(f"#candidate-{browns.pk}")).to_contain_text(browns.reference)
    mina.choose(f"Yes: {browns.display_name}")
    mina.choose("Accept for early help and allocate a lead key worker")
    mina.select("Lead key worker", "Kim Lewis")
    mina.press("Continue")
    expect(mina.page.get_by_role("heading", level=1)).to_have_text("Check your decision")
    mina.press("Confirm the decision")
    expect(mina.page.get_by_text("Decision made.")).to_be_visible()
    referral.refresh_from_db()
    assert (referral.status, referral.family_id) == (Referral.Status.ACCEPTED, browns.pk)
    pat.page.goto("/casework/referrals/mine/")
    expect(pat.page.locator(f"#referral-{referral.pk}")).to_contain_text("Accepted")

    # Kim records three needs, each with a starting point.
    kim = Person(open_page(people["key_worker"], viewport="desktop"))
    kim.page.goto(browns.get_absolute_url())
    kim.follow("Whole-family assessment and needs")
    for who, need, rating in NEEDS:
        kim.follow("Add a need")
        kim.select("Who the need is about", who)
        kim.select("The need", need)
        kim.select("Agency that raised it", "Early help (this service)")
        kim.fill("Or a rating from 1 (worst) to 10 (best)", rating)
        kim.press("Add the need")
        expect(kim.page.get_by_text("The need has been added.")).to_be_visible()
    needs = list(Need.objects.filter(family=browns, removed_at__isnull=True).order_by("id"))
    assert [n.descriptor.code for n in needs] == ["persistent-absence", "worklessness", "debt"]

    # Lisa reads them in plain words on her phone.
    lisa = Person(open_page(people["brown"], viewport="phone"))
    lisa.page.goto(reverse("casework:yours_needs"))
    for words in ("Going to school most days", "Finding work", "Money worries under control"):
        expect(lisa.page.get_by_text(words)).to_be_visible()
    no_sideways_scroll(lisa.page)
    assert_accessible(lisa.page)

    # Kim closes the work: every need answered, a summary for the family.
    kim.page.goto(browns.get_absolute_url())
    kim.follow("Close the work with the family")
    kim.fill("When did the work with the family end?", timezone.localdate().strftime("%d/%m/%Y"))
    kim.choose("The plan was achieved")
    for need, answer in zip(
        needs, ("Yes, it was met", "No, not yet", "Yes, it was met"), strict=True
    ):
        kim.within(f"#need_{need.pk}").choose(answer)
    kim.fill("Closing summary for the family", SUMMARY)
    kim.press("Close the work and tell the family")
    expect(kim.page.get_by_text("The work is closed")).to_be_visible()
    assert Family.objects.get(pk=browns.pk).status == Family.Status.CLOSED
    assert not Episode.objects.filter(family=browns, closed_on__isnull=True).exists()

    # Lisa reads the summary, and what changed.
    lisa.page.goto(reverse("portal:dashboard"))
    expect(lisa.page.get_by_text("Tyler goes to school most days now").first).to_be_visible()
    lisa.follow("Read what your key worker wrote")
    expect(lisa.page.locator("#needs-met")).to_contain_text("Going to school most days")
    expect(lisa.page.locator("#needs-not-met")).to_contain_text("Finding work")
    no_sideways_scroll(lisa.page)
    assert_accessible(lisa.page)
