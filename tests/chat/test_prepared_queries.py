"""The conversation page's queries compiled once (``portal.prepared``) give what their
querysets give."""

from chat import access, selectors
from tests.helpers.chat import send
from tests.helpers.prepared import loaded


def _same(query, **values):
    assert loaded(query.rows(**values)) == loaded(list(query.build(**values)))


def test_the_conversation_page_queries_match_their_querysets(conversation, parent, key_worker):
    for n in range(3):
        send(parent, conversation, body=f"Hello {n}")
    newest = selectors.newest_message_id(conversation_id=conversation.pk)
    for conversation_id in (conversation.pk, 0):
        _same(access._conversation, conversation_id=conversation_id)
        _same(selectors._latest_messages, conversation_id=conversation_id)
        _same(selectors._read_rows, conversation_id=conversation_id)
        for before in (newest, newest - 1, 1):
            _same(selectors._messages_before, conversation_id=conversation_id, before=before)
    for user_id in (key_worker.pk, 0):
        _same(selectors._working_hours, user_id=user_id)
    page = selectors.messages_page(conversation=conversation)
    assert [m.body for m in page] == ["Hello 0", "Hello 1", "Hello 2"]
    assert [m.body for m in selectors.messages_page(conversation=conversation, before=newest)] == [
        "Hello 0",
        "Hello 1",
    ]
