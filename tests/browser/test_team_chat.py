"""Kim, the Browns' key worker, writes to Jo, their peer mentor, to arrange support; Jo
sees it live and answers. Lisa, the Browns' mum, is told they talk and cannot open it."""

import pytest
from playwright.sync_api import expect

from chat.models import Conversation
from tests.helpers.browser import Person, assert_accessible

pytestmark = pytest.mark.browser

ASK = "Could you meet Lisa at the housing office on Friday at 10?"
ANSWER = "Yes, I will be there at quarter to."


def live(page) -> None:
    expect(page.locator("#conversation[data-live='1']")).to_have_count(1)


def test_kim_writes_to_jo_who_answers_live_and_lisa_cannot_open_it(open_page, people):
    browns = people["family:brown"]
    team = Conversation.objects.get(
        family=browns, kind=Conversation.Kind.TEAM, closed_at__isnull=True
    )

    jo = Person(open_page(people["mentor"], viewport="phone"))
    jo.page.goto("/messages/")
    jo.follow(f"{browns.display_name} – with the key worker")
    expect(jo.page.get_by_role("heading", level=1)).to_have_text(
        "Messages with the family's key worker"
    )
    live(jo.page)

    kim = Person(open_page(people["key_worker"]))
    kim.page.goto(browns.get_absolute_url())
    kim.follow("Messages about arranging the family's support")
    expect(kim.page.get_by_role("heading", level=1)).to_have_text(
        "Messages with the family's peer mentor"
    )
    expect(kim.page.locator("[data-team]")).to_contain_text("they cannot read it")
    live(kim.page)
    assert_accessible(kim.page)
    kim.fill("Your message", ASK)
    kim.press("Send")
    expect(jo.page.locator("[data-messages]")).to_contain_text(ASK)

    jo.fill("Your message", ANSWER)
    jo.press("Send")
    expect(kim.page.locator("[data-messages]")).to_contain_text(ANSWER)
    assert_accessible(jo.page)

    lisa = Person(open_page(people["brown"], viewport="phone"))
    lisa.page.goto("/messages/")
    expect(lisa.page.locator("[data-team-conversation]")).to_contain_text(
        "Your key worker and your peer mentor, Jo, have a conversation to arrange your "
        "support. You cannot read it, but you can ask either of them what was said."
    )
    expect(lisa.page.get_by_text(ASK)).to_have_count(0)
    expect(lisa.page.locator(f"a[href='{team.get_absolute_url()}']")).to_have_count(0)
    assert_accessible(lisa.page)
    response = lisa.page.goto(team.get_absolute_url())
    assert response.status == 404
    expect(lisa.page.get_by_role("heading", level=1)).to_have_text("Page not found")
