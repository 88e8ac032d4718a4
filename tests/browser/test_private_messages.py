"""Aisha writes privately to her key worker while Imran, in the same family and signed in on
another browser, sees no new message, badge or notification."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from chat import selectors
from chat.models import Conversation
from tests.helpers.browser import Person, assert_accessible

pytestmark = pytest.mark.browser

PRIVATE = "I need to talk to you on my own about how I am feeling"
FAMILY = "See you all at the school on Thursday"


def live(page) -> None:
    expect(page.locator("#conversation[data-live='1']")).to_have_count(1)


def _notifications(user) -> int:
    from notifications.models import Notification

    return Notification.objects.filter(recipient=user).count()


def test_aisha_writes_privately_and_imran_sees_nothing_of_it(open_page, people):
    family = people["family:parent"]
    imran_user, kim_user = people["dad"], people["key_worker"]
    private = Conversation.objects.get(
        family=family, kind=Conversation.Kind.PRIVATE, owner=people["parent"]
    )
    family_conversation = Conversation.objects.get(family=family, kind="key_worker")

    imran = Person(open_page(imran_user, viewport="phone"))
    imran.page.goto("/messages/")
    imran.follow("Your key worker")
    live(imran.page)
    notes_before = _notifications(imran_user)
    badge = imran.page.locator("[data-live-count='messages']")
    expect(badge).to_have_count(0)

    kim = Person(open_page(kim_user))
    kim.page.goto(private.get_absolute_url())
    live(kim.page)

    aisha = Person(open_page(people["parent"], viewport="phone"))
    aisha.page.goto("/messages/")
    expect(aisha.page.get_by_text("Private", exact=True)).to_be_visible()
    aisha.follow(f"Just you and {kim_user.display_name}")
    expect(aisha.page.get_by_role("heading", level=1)).to_have_text(
        f"Just you and {kim_user.display_name}"
    )
    expect(aisha.page.locator("[data-private]")).to_contain_text("No one else in your family")
    live(aisha.page)
    assert_accessible(aisha.page)
    aisha.fill("Your message", PRIVATE)
    aisha.press("Send")
    expect(kim.page.locator("[data-messages]")).to_contain_text(PRIVATE)

    # Kim then writes to the whole family: once that reaches Imran, anything about the
    # private message (sent before it) would have reached him first.
    kim.page.goto(family_conversation.get_absolute_url())
    live(kim.page)
    kim.fill("Your message", FAMILY)
    kim.press("Send")
    expect(imran.page.locator("[data-messages]")).to_contain_text(FAMILY)

    expect(imran.page.get_by_text(PRIVATE)).to_have_count(0)
    assert _notifications(imran_user) == notes_before
    assert all(imran_user.email not in m.to for m in mail.outbox if PRIVATE in m.body)

    # Drawn afresh, his messages list, menu and notifications say nothing of it either.
    imran.page.goto("/messages/")
    expect(imran.page.get_by_text(PRIVATE)).to_have_count(0)
    expect(imran.page.locator(f"a[href='{private.get_absolute_url()}']")).to_have_count(0)
    # His one unread message is Kim's to the family (her private one would make two).
    assert selectors.unread_total(imran_user.pk) == 1
    expect(imran.page.locator("[data-live-count='messages']")).to_contain_text("1")
    imran.page.goto("/notifications/")
    assert _notifications(imran_user) == notes_before
    response = imran.page.goto(private.get_absolute_url())
    assert response.status == 404
    expect(imran.page.get_by_role("heading", level=1)).to_have_text("Page not found")
