"""In a real browser, nobody sees another family's record: it is "Page not found"."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("who", ["parent", "partner"])
def test_another_familys_page_is_not_found_and_shows_nothing_of_theirs(open_page, people, who):
    page = open_page(people[who], viewport="phone")
    own = page.goto(people["family:parent"].get_absolute_url())
    assert own.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("The Khan family")

    other = page.goto(people["family:brown"].get_absolute_url())
    assert other.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    for private in ("The Browns", "Lisa", "Tyler", people["family:brown"].reference):
        expect(page.get_by_text(private)).to_have_count(0)


def test_parent_dashboard_shows_only_their_own_family(open_page, people):
    page = open_page(people["brown"], viewport="phone")
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Browns")
    for private in ("The Khan family", "Aisha", "Nowak household"):
        expect(page.get_by_text(private)).to_have_count(0)
