"""Messages on the conversation page are made once and reused until what they show changes."""

from django.test import Client

from chat import services
from tests.chat.conftest import access_for, send


def _message(html: str, message) -> str:
    start = html.index(f'id="message-{message.pk}"')
    return html[start : html.index("</li>", start)]


def _page(user, conversation) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/messages/{conversation.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_message_from_the_key_worker_is_kept_once_for_both_parents(
    conversation, parent, dad, key_worker, fragment_renders
):
    services.conversation_key_worker_ensure(family=conversation.family)
    message = send(key_worker, conversation, body="See you on Thursday")
    _page(parent, conversation)
    assert len(fragment_renders) == 1
    assert "See you on Thursday" in _message(_page(dad, conversation), message)
    assert len(fragment_renders) == 1  # not made again for the other parent


def test_one_parents_own_message_never_gives_the_other_its_delete_button(conversation, parent, dad):
    services.conversation_key_worker_ensure(family=conversation.family)
    message = send(parent, conversation, body="I walked them to school")
    mine = _message(_page(parent, conversation), message)
    assert "Delete" in mine and "You" in mine
    theirs = _message(_page(dad, conversation), message)
    assert "Delete" not in theirs and "Report" in theirs
    assert parent.display_name in theirs


def test_status_deletion_and_a_new_name_show_at_once(conversation, parent, key_worker):
    message = send(parent, conversation, body="Can we move the meeting?")
    assert "Sent" in _message(_page(parent, conversation), message)

    services.conversation_read_mark(
        access=access_for(key_worker, conversation), user=key_worker, up_to=message.pk
    )
    assert "Read" in _message(_page(parent, conversation), message)

    services.message_delete(access=access_for(parent, conversation), message=message, user=parent)
    html = _page(parent, conversation)
    assert "This message was deleted." in _message(html, message)
    assert "Can we move the meeting?" not in html

    reply = send(key_worker, conversation, body="Yes, Friday works")
    _page(parent, conversation)
    key_worker.preferred_name = "Sam from Early Help"
    key_worker.save(update_fields=["preferred_name"])
    assert "Sam from Early Help" in _message(_page(parent, conversation), reply)
