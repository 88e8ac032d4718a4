"""Messages between a family and their key worker, arriving live in two browsers."""

import pytest
from playwright.sync_api import expect

from chat.models import Conversation
from tests.helpers.browser import Person, assert_accessible, totp_code

pytestmark = pytest.mark.browser

HOW = pytest.mark.parametrize("keyboard", [False, True], ids=["pointer", "keyboard"])


def live(page) -> None:
    """Wait until the page's socket is open; mark the page so a reload would show."""
    expect(page.locator("#conversation[data-live='1']")).to_have_count(1)
    page.evaluate("window.notReloaded = true")


def not_reloaded(page) -> None:
    assert page.evaluate("window.notReloaded === true"), f"{page.url} was reloaded"


def messages(page):
    return page.locator("[data-messages] li")


@HOW
def test_parent_messages_their_key_worker_who_sees_it_arrive_live_and_replies(
    open_page, people, keyboard
):
    worker = Person(open_page(viewport="desktop"), keyboard=keyboard)
    worker.sign_in_with_password("keyworker@example.org")
    worker.fill("Code", totp_code(people["secret:key_worker"]))
    worker.press("Sign in")
    expect(worker.page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    worker.page.goto("/messages/")
    worker.follow("The Khan family")
    live(worker.page)

    parent = Person(open_page(people["parent"], viewport="phone"), keyboard=keyboard)
    parent.page.goto("/messages/")
    parent.follow("Your key worker")
    live(parent.page)
    assert_accessible(parent.page)
    before = messages(parent.page).count()

    parent.fill("Your message", "Hello Kim, can we move Thursday to Friday?")
    parent.press("Send")
    expect(worker.page.locator("[data-messages]")).to_contain_text("can we move Thursday to Friday")
    expect(messages(parent.page)).to_have_count(before + 1)
    not_reloaded(worker.page)
    not_reloaded(parent.page)

    worker.fill("Your message", "Friday at 10 is fine, Aisha")
    worker.press("Send")
    expect(parent.page.locator("[data-messages]")).to_contain_text("Friday at 10 is fine")
    expect(messages(parent.page)).to_have_count(before + 2)
    not_reloaded(parent.page)
    assert_accessible(worker.page)


def test_parent_sends_a_message_without_javascript(open_page, people):
    parent = Person(open_page(people["parent"], viewport="phone", javascript=False))
    parent.page.goto("/messages/")
    parent.follow("Your key worker")
    parent.press("Send")
    expect(parent.page.get_by_role("alert")).to_contain_text("There is a problem")
    parent.fill("Your message", "Sent with scripts turned off")
    parent.press("Send")
    expect(parent.page.locator("[data-messages]")).to_contain_text("Sent with scripts turned off")
    conversation = Conversation.objects.get(family=people["family:parent"], kind="key_worker")
    assert conversation.messages.filter(body="Sent with scripts turned off").exists()


def _server_voice(page):
    """Route the page's socket through the test; returns a function that sends the page an
    event as if from the server."""
    import json
    import re

    sockets = []

    def route(ws):
        server = ws.connect_to_server()
        sockets.append(ws)
        ws.on_message(server.send)
        server.on_message(ws.send)

    page.context.route_web_socket(re.compile(r"/ws/$"), route)
    return lambda event: sockets[-1].send(json.dumps(event))


def _shown_in_order(page, *bodies) -> None:
    for body in bodies:
        expect(messages(page).filter(has_text=body)).to_have_count(1)
    texts = messages(page).all_inner_texts()
    where = [next(n for n, t in enumerate(texts) if body in t) for body in bodies]
    assert where == sorted(where), texts


def test_a_live_message_the_channel_layer_lost_still_shows_without_a_reload(
    open_page, people, monkeypatch
):
    """The page never moves past a gap: a message whose "prev" it lacks makes it resume,
    and so does the server saying it has subscribed again after a channel layer outage."""
    from chat import live as chat_live

    conversation = Conversation.objects.get(family=people["family:parent"], kind="key_worker")
    lose = ("Lost on the way", "Lost until the server subscribes again")
    lost = []
    deliver = chat_live.asend_many

    def carried(event) -> bool:
        body = event.get("message", {}).get("html", "") if event["type"] == "chat.message" else ""
        if body in lose:
            lost.append(body)  # as if Redis had gone away
            return False
        return True

    async def lossy(events, **kwargs):
        kept = [(user_ids, event) for user_ids, event in events if carried(event)]
        return await deliver(kept, **kwargs)

    monkeypatch.setattr(chat_live, "asend_many", lossy)
    parent = open_page(people["parent"], viewport="phone")
    tell_page = _server_voice(parent)
    parent.goto(conversation.get_absolute_url())
    live(parent)
    worker = Person(open_page(people["key_worker"], viewport="desktop"))
    worker.page.goto(conversation.get_absolute_url())
    live(worker.page)

    for body in ("First of three", "Lost on the way", "Third of three"):
        worker.fill("Your message", body)
        worker.press("Send")
    _shown_in_order(parent, "First of three", "Lost on the way", "Third of three")

    worker.fill("Your message", "Lost until the server subscribes again")
    worker.press("Send")
    sent = worker.page.locator("[data-messages] li", has_text="subscribes again")
    expect(sent.locator("[data-status]")).to_have_text("Sent")  # saved, and broadcast
    assert lost == list(lose)
    expect(messages(parent).filter(has_text="subscribes again")).to_have_count(0)
    tell_page({"type": "subscribed"})
    _shown_in_order(parent, "Third of three", "Lost until the server subscribes again")
    not_reloaded(parent)


def test_a_message_too_long_for_the_socket_is_refused_on_the_page(open_page, people, settings):
    settings.CHAT_MAX_FRAME_BYTES = 400
    conversation = Conversation.objects.get(family=people["family:parent"], kind="key_worker")
    parent = Person(open_page(people["parent"], viewport="phone"))
    parent.page.goto(conversation.get_absolute_url())
    live(parent.page)
    before = messages(parent.page).count()
    too_long = "Far too long for the socket. " * 15

    parent.fill("Your message", too_long)
    parent.press("Send")
    error = parent.page.locator(".govuk-error-message")
    expect(error).to_have_text(
        "Error: That message is too long to send. Make it shorter and try again."
    )
    expect(parent.page.get_by_label("Your message")).to_have_value(too_long)
    expect(messages(parent.page)).to_have_count(before)
    assert_accessible(parent.page)

    parent.fill("Your message", "Short enough")
    parent.press("Send")
    expect(messages(parent.page).filter(has_text="Short enough")).to_have_count(1)
    expect(error).to_have_count(0)
    not_reloaded(parent.page)

    # The server's limit falls below what the page was told: the server refuses the
    # frame and closes the socket; the page says why and, once back, does not send it again.
    settings.CHAT_MAX_FRAME_BYTES = 200
    parent.fill("Your message", "Too long for the new limit. " * 6)
    parent.press("Send")
    expect(error).to_have_text(
        "Error: That message is too long to send. Make it shorter and try again."
    )
    refused = messages(parent.page).filter(has_text="Too long for the new limit")
    expect(refused.locator("[data-status]")).to_have_text(
        "That message is too long to send. Make it shorter and try again.", timeout=20_000
    )
    live(parent.page)
    outbox = "Object.keys(sessionStorage).filter(k => k.startsWith('chat-outbox:')).length"
    assert parent.page.evaluate(outbox) == 0


@pytest.mark.services
def test_messages_sent_while_a_server_restarts_arrive_when_the_page_reconnects(
    make_context, people
):
    """Two browsers on two daphne workers (PostgreSQL and Redis): the key worker's worker
    restarts, and a message sent meanwhile arrives once the page reconnects."""
    from tests.helpers.browser import sign_in_with_cookie
    from tests.helpers.chat import Worker

    conversation = Conversation.objects.get(family=people["family:parent"], kind="key_worker")
    first, second = Worker(), Worker()
    try:
        pages = {}
        for key, server in (("parent", first), ("key_worker", second)):
            url = f"http://127.0.0.1:{server.port}"
            context = make_context(base_url=url)
            sign_in_with_cookie(context, people[key], url)
            pages[key] = context.new_page()
            pages[key].goto(conversation.get_absolute_url())
            live(pages[key])
        parent, worker = pages["parent"], pages["key_worker"]
        before = messages(worker).count()

        parent.get_by_label("Your message").fill("Hello Kim\nSee you Thursday")
        parent.get_by_role("button", name="Send").click()
        expect(worker.locator("[data-messages]")).to_contain_text("See you Thursday")

        port = second.port
        second.stop()
        parent.get_by_label("Your message").fill("Sent while you were away")
        parent.get_by_role("button", name="Send").click()
        second = Worker(port=port)
        expect(worker.locator("[data-messages]")).to_contain_text(
            "Sent while you were away", timeout=20_000
        )
        expect(messages(worker)).to_have_count(before + 2)
        not_reloaded(worker)
    finally:
        first.stop()
        second.stop()


# PostgreSQL pass only: the test reads the database while the live server writes, and
# on SQLite the two threads share an in-memory database whose table locks do not wait
# ("database table is locked" in CI), as with the mentor journey.
@pytest.mark.services
def test_unsent_message_is_sent_once_after_a_reload_and_exit_forgets_it(
    open_page, people, neutral_site
):
    """Sends not yet acknowledged live in sessionStorage: a reload sends them again with
    the same client id (the server keeps one), and "Exit this page" forgets them."""
    import json
    import re

    from chat.models import Message

    conversation = Conversation.objects.get(family=people["family:parent"], kind="key_worker")
    page = open_page(people["parent"], viewport="phone")
    block = {"sends": True, "acks": False}

    def route(ws):
        server = ws.connect_to_server()

        def up(frame):
            if block["sends"] and json.loads(frame).get("type") == "send":
                return
            server.send(frame)

        def down(frame):
            if block["acks"] and json.loads(frame).get("type") == "sent":
                return
            ws.send(frame)

        ws.on_message(up)
        server.on_message(down)

    page.context.route_web_socket(re.compile(r"/ws/$"), route)
    page.goto(conversation.get_absolute_url())
    live(page)
    outbox = "Object.keys(sessionStorage).filter(k => k.startsWith('chat-outbox:')).length"

    # One send never reaches the server; another is saved but its acknowledgement is lost.
    page.get_by_label("Your message").fill("Lost on the way")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("[data-messages]")).to_contain_text("Lost on the way")
    block.update(sends=False, acks=True)
    page.get_by_label("Your message").fill("Saved but not acknowledged")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("[data-messages] li", has_text="Sending")).to_have_count(2)
    for _ in range(50):
        if Message.objects.filter(body="Saved but not acknowledged").exists():
            break
        page.wait_for_timeout(100)
    assert not Message.objects.filter(body="Lost on the way").exists()
    assert page.evaluate(outbox) == 1

    block.update(acks=False)
    page.reload()
    live(page)
    for body in ("Lost on the way", "Saved but not acknowledged"):
        expect(messages(page).filter(has_text=body)).to_have_count(1)
    expect(page.locator("[data-messages] li", has_text="Sending")).to_have_count(0)
    assert Message.objects.filter(body="Lost on the way").count() == 1
    assert Message.objects.filter(body="Saved but not acknowledged").count() == 1
    assert page.evaluate(outbox) == 0

    # Leaving with "Exit this page" takes an unsent message with it.
    block.update(sends=True)
    page.get_by_label("Your message").fill("Please call me tonight")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("[data-messages]")).to_contain_text("Please call me tonight")
    assert page.evaluate(outbox) == 1
    page.get_by_role("button", name="Exit this page").click()
    expect(page).to_have_url(neutral_site.url)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert page.evaluate(outbox) == 0
    assert not Message.objects.filter(body="Please call me tonight").exists()
