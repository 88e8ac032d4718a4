"""The school refers the Khans with their agreement; the service manager finds the family
already known, joins the referral to it and allocates a key worker; the school sees
"Accepted" and nothing of the family's record. A family asks for help from the public
site, with and without scripts."""

import pytest
from playwright.sync_api import expect

from casework.models import Referral
from tests.helpers.browser import Person, assert_accessible, no_sideways_scroll

pytestmark = pytest.mark.browser


def test_the_school_refers_the_khans_and_the_manager_allocates_a_key_worker(
    open_page, people, screenshot
):
    khans = people["family:parent"]
    pat = Person(open_page(people["partner"], viewport="phone"))
    pat.page.goto("/casework/referrals/new/")
    expect(pat.page.get_by_role("heading", level=1)).to_have_text("Refer a family")
    no_sideways_scroll(pat.page)
    pat.fill("The family's surname", "Khan")
    pat.fill("The family's postcode", "cv6 5ab")
    first, second = pat.within("#person-1"), pat.within("#person-2")
    first.fill("Name", "Aisha")
    first.select("Who they are in the family", "Mum")
    second.fill("Name", "Yusuf")
    second.select("Who they are in the family", "Child or young person")
    pat.fill("What worries you about the family?", "Yusuf misses Mondays and arrives upset.")
    pat.tick("Getting a good education")
    # "No" reveals the safeguarding reason; the family agreed, so it stays hidden.
    pat.choose("No")
    expect(
        pat.page.get_by_label("The safeguarding reason for referring without their agreement")
    ).to_be_visible()
    pat.choose("Yes, the family agreed")
    expect(
        pat.page.get_by_label("The safeguarding reason for referring without their agreement")
    ).to_be_hidden()
    screenshot(pat.page, "referral-form-phone")
    assert_accessible(pat.page)
    pat.press("Send the referral")
    expect(pat.page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    no_sideways_scroll(pat.page)
    assert_accessible(pat.page)
    referral = Referral.objects.filter(referred_by=people["partner"]).latest("created_at")
    assert referral.postcode == "CV6 5AB"

    mina = Person(open_page(people["manager"], viewport="desktop"))
    mina.page.goto("/casework/referrals/")
    expect(mina.page.locator(f"#referral-{referral.pk}")).to_contain_text("Pat Doyle")
    screenshot(mina.page, "referral-queue-desktop")
    assert_accessible(mina.page)
    mina.page.goto(referral.get_absolute_url())
    expect(mina.page.locator("#referral-summary")).to_contain_text("Yusuf misses Mondays")
    candidate = mina.page.locator(f"#candidate-{khans.pk}")
    expect(candidate).to_contain_text(khans.reference)
    expect(candidate).to_contain_text("Aisha")
    screenshot(mina.page, "referral-decide-desktop")
    assert_accessible(mina.page)
    on_phone = open_page(people["manager"], viewport="phone")
    for url in ("/casework/referrals/", referral.get_absolute_url()):
        on_phone.goto(url)
        no_sideways_scroll(on_phone)
        screenshot(on_phone, f"manager-phone-{url.strip('/').replace('/', '-')}")
    mina.choose("Yes: The Khan family")
    mina.choose("Accept for early help and allocate a lead key worker")
    mina.select("Lead key worker", "Kim Lewis")
    mina.fill("Note for the referrer (optional)", "Thank you, Pat. We will be in touch with mum.")
    mina.press("Continue")
    expect(mina.page.get_by_role("heading", level=1)).to_have_text("Check your decision")
    expect(mina.page.locator("#decision-summary")).to_contain_text("led by Kim Lewis")
    assert_accessible(mina.page)
    mina.press("Confirm the decision")
    expect(mina.page.get_by_text("Decision made.")).to_be_visible()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.family_id == khans.pk

    pat.page.goto("/casework/referrals/mine/")
    row = pat.page.locator(f"#referral-{referral.pk}")
    expect(row).to_contain_text("Accepted")
    expect(row).to_contain_text("We will be in touch with mum.")
    expect(pat.page.get_by_text(khans.reference)).to_have_count(0)
    expect(pat.page.get_by_text("Kim Lewis")).to_have_count(0)
    no_sideways_scroll(pat.page)
    assert_accessible(pat.page)
    screenshot(pat.page, "referrals-mine-phone")


@pytest.mark.parametrize("javascript", [True, False], ids=["scripts", "no-scripts"])
def test_a_family_asks_for_help_from_the_public_site(open_page, people, screenshot, javascript):
    visitor = Person(open_page(viewport="phone", javascript=javascript))
    visitor.page.goto("/")
    expect(visitor.page.locator("#navigation a[href='/casework/ask-for-help/']")).to_have_count(1)
    visitor.page.goto("/casework/ask-for-help/")
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text(
        "Ask for help for your family"
    )
    expect(visitor.page.locator(".govuk-exit-this-page")).to_have_count(1)
    no_sideways_scroll(visitor.page)
    visitor.press("Send")
    expect(visitor.page.locator(".govuk-error-summary")).to_contain_text("Enter your name.")
    visitor.fill("Your name", "Dee")
    visitor.tick("Text message")
    visitor.fill("Phone number (if a call or text is safe)", "07700 900789")
    visitor.fill("Your family's surname", "Hart")
    visitor.fill("Your postcode", "CV2 3AB")
    me = visitor.within("#person-1")
    me.fill("Name", "Dee")
    me.select("Who they are in the family", "Mum")
    visitor.fill("What would you like help with?", "Getting my daughter to school.")
    visitor.tick("Going to school or college, and learning")
    screenshot(visitor.page, f"ask-for-help-phone-{'js' if javascript else 'nojs'}")
    if javascript:
        assert_accessible(visitor.page)
    visitor.press("Send")
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("We have your request")
    if javascript:
        assert_accessible(visitor.page)
    asked = Referral.objects.get(surname="Hart")
    assert asked.source == Referral.Source.FAMILY and asked.contact_by_text
