"""Many socket sends written at once: each gets the answer it would have got alone.

On PostgreSQL the accepted sends go in one statement; elsewhere one at a time. The same
tests run in both passes.
"""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from chat import live, services
from chat.models import Conversation, Message, Participant
from tests import factories
from tests.helpers.chat import access_for, send, socket_send

pytestmark = pytest.mark.django_db


def _send(user, conversation, body="Hello", client_id=None):
    return services.Send(
        access=access_for(user, conversation),
        sender=user,
        body=body,
        client_id=str(client_id or uuid.uuid4()),
    )


def test_batch_keeps_the_order_within_each_conversation(
    conversation, parent, key_worker, other_family, other_parent
):
    other = services.conversation_key_worker_ensure(family=other_family)
    sends = [
        _send(parent, conversation, "one"),
        _send(other_parent, other, "elsewhere"),
        _send(key_worker, conversation, "two"),
        _send(parent, conversation, "three"),
    ]
    results = services.messages_send(sends=sends)
    assert [created for _message, created in results] == [True] * 4
    bodies = list(
        Message.objects.filter(conversation=conversation)
        .order_by("id")
        .values_list("body", flat=True)
    )
    assert bodies == ["one", "two", "three"]
    # Each result is the saved message, and the sender has read their own.
    saved = results[3][0]
    assert Message.objects.get(pk=saved.pk).body == "three"
    assert Participant.objects.get(conversation=conversation, user=parent).last_read_id == saved.pk
    conversation.refresh_from_db()
    assert conversation.last_message_at is not None


def test_batch_answers_retries_with_the_first_message(conversation, parent):
    client_id = uuid.uuid4()
    first = send(parent, conversation, "Hello", client_id=client_id)
    again = uuid.uuid4()
    results = services.messages_send(
        sends=[
            _send(parent, conversation, "Hello", client_id=client_id),
            _send(parent, conversation, "Twice", client_id=again),
            _send(parent, conversation, "Twice", client_id=again),
        ]
    )
    assert results[0] == (first, False)
    assert results[1][1] is True
    assert results[2] == (results[1][0], False)
    assert Message.objects.filter(conversation=conversation).count() == 2


def test_batch_refuses_bad_sends_one_by_one(conversation, parent, key_worker, family, settings):
    mentor = factories.parent(factories.family(key_worker=key_worker), name="Jo")
    mentor_conversation = services.conversation_mentor_open(
        family=family, mentor=mentor, match_id=5
    )
    mentor_access = access_for(mentor, mentor_conversation)
    services.conversation_mentor_close(family=family, mentor=mentor, match_id=5)
    results = services.messages_send(
        sends=[
            _send(parent, conversation, "   "),
            _send(parent, conversation, "x" * (services.MAX_BODY + 1)),
            _send(parent, conversation, "ok", client_id="not-a-uuid"),
            services.Send(
                access=mentor_access, sender=mentor, body="Still here?", client_id=str(uuid.uuid4())
            ),
            _send(parent, conversation, "fine"),
        ]
    )
    assert [type(result) for result in results[:4]] == [
        ValidationError,
        ValidationError,
        ValidationError,
        PermissionDenied,
    ]
    assert results[4][0].body == "fine"
    assert list(Message.objects.values_list("body", flat=True)) == ["fine"]


def test_batch_counts_every_send_against_the_limit(conversation, parent, key_worker, settings):
    settings.CHAT_SEND_RATE = (2, 3600)
    results = services.messages_send(
        sends=[_send(parent, conversation, str(n)) for n in range(3)]
        + [_send(key_worker, conversation, "other person")]
    )
    assert isinstance(results[2], services.RateLimited)
    assert [r[0].body for r in (results[0], results[1], results[3])] == ["0", "1", "other person"]
    assert Message.objects.count() == 3


def test_closed_conversation_refuses_every_send_in_the_batch(conversation, parent, key_worker):
    accesses = [_send(parent, conversation, "a"), _send(key_worker, conversation, "b")]
    Conversation.objects.filter(pk=conversation.pk).update(closed_at=conversation.created_at)
    results = services.messages_send(sends=accesses)
    assert all(isinstance(result, PermissionDenied) for result in results)
    assert not Message.objects.exists()


@pytest.mark.services
def test_the_batch_statement_planned_once_reaches_every_table_through_an_index(conversation):
    """The loop's connections keep one generic plan of the statement, made without
    knowing how many messages come. Every table must be reachable through an index on
    what the batch names, not only by reading it whole. Whole-table scans are priced out
    here, so a statement or schema with no such index path shows one (or walks a whole
    index), whatever the size of the test's tables. Which path the planner prefers on a
    real database is a matter of its statistics: the statement names the batch's rows
    (``= ANY`` of its arrays, a subquery per message) because, with the conversations
    reached through a join instead, it read all 740 conversations and 1,640
    participants at every send in benchmarks/chat."""
    import re

    names = re.findall(r"%\((\w+)\)s", services.TEXT_BATCH_SQL)
    order = list(dict.fromkeys(names))
    sql = re.sub(
        r"%\((\w+)\)s", lambda m: f"${order.index(m.group(1)) + 1}", services.TEXT_BATCH_SQL
    )
    types = {"now": "timestamptz", "ords": "integer[]", "conversations": "bigint[]",
             "senders": "bigint[]", "client_ids": "uuid[]", "bodies": "text[]"}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"PREPARE batch({', '.join(types[n] for n in order)}) AS {sql}")
        try:
            cursor.execute(f"EXPLAIN EXECUTE batch({', '.join(['NULL'] * len(order))})")
            plan = [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute("DEALLOCATE batch")
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("RESET enable_seqscan")
    text = "\n".join(plan)
    assert "Insert on chat_message" in text
    assert "Seq Scan" not in text, text
    scans = [n for n, line in enumerate(plan) if re.search(r"Index (Only )?Scan", line)]
    assert scans, text
    for n in scans:
        # The node's own details come on the lines after it, before the next node.
        details = []
        for line in plan[n + 1 :]:
            if "->" in line:
                break
            details.append(line)
        assert any("Index Cond" in line for line in details), f"{plan[n]}\n\n{text}"


@pytest.mark.services
def test_postgresql_writes_a_batch_in_one_statement(conversation, parent, key_worker):
    sends = [_send(parent, conversation, f"m{n}") for n in range(10)]
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        results = services.messages_send(sends=sends)
    assert all(created for _message, created in results)
    inserts = [sql for sql in statements if "INSERT INTO chat_message" in sql]
    assert len(inserts) == 1
    assert "unnest" in inserts[0]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_batches_written_at_once_each_name_the_message_before_them(
    conversation, parent, key_worker
):
    """Several connections write batches into one conversation at the same time: each
    message still names the one before it (read under the row lock, not from the
    snapshot the statement started with)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    sends = {
        n: [_send((parent, key_worker)[i % 2], conversation, f"{n}.{i}") for i in range(5)]
        for n in range(40)
    }

    def write(n):
        try:
            results = services.messages_send(sends=sends[n])
            return [(message.pk, message.prev_id) for message, _created in results]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        written = sorted(pair for batch in pool.map(write, sends) for pair in batch)
    ids = [message_id for message_id, _prev in written]
    assert len(ids) == 200
    assert [prev for _id, prev in written] == [0, *ids[:-1]]
    single = services.message_send(
        access=access_for(parent, conversation), sender=parent, body="one", client_id=uuid.uuid4()
    )[0]
    assert single.prev_id == ids[-1]
    assert Conversation.objects.get(pk=conversation.pk).last_message_id == single.pk


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
async def test_chat_database_threads_keep_their_connections():
    """Sends do not connect to PostgreSQL each time, even with CONN_MAX_AGE at 0."""
    from chat.consumers import _db

    def backend_pid():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    pids = {await _db(backend_pid)() for _ in range(40)}
    assert connection.settings_dict["CONN_MAX_AGE"] == 0
    assert 1 <= len(pids) <= 8


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
async def test_socket_sends_are_written_on_the_event_loop(
    conversation, parent, key_worker, monkeypatch
):
    """With PostgreSQL and Redis a text message needs no database thread."""
    from channels.db import database_sync_to_async

    from chat import sending
    from tests.helpers.chat import open_socket, receive_until, session_cookie

    phone, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    worker, _ = await open_socket(await database_sync_to_async(session_cookie)(key_worker))

    def no_thread(sends):
        raise AssertionError("went through a database thread")

    monkeypatch.setattr(sending, "_write_in_thread", no_thread)
    await socket_send(phone, conversation, "Straight from the loop")
    sent, _ = await receive_until(phone, "sent")
    delivered, _ = await receive_until(worker, "message")
    assert delivered["message"]["id"] == sent["id"]
    assert delivered["message"]["html"] == "Straight from the loop"
    # The statement is planned once on the loop's connection, not at every send.
    [postgres] = [p for p in sending.batcher(None).postgres if p.connection is not None]
    plans = await postgres.connection.execute(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
        " WHERE statement LIKE '%%INSERT INTO chat_message%%'"
        " AND statement NOT LIKE '%%pg_prepared_statements%%'"
    )
    assert await plans.fetchall() == [(1, 0)]
    await phone.disconnect()
    await worker.disconnect()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
async def test_send_is_saved_through_a_thread_when_the_loop_connection_fails(
    conversation, parent, key_worker, monkeypatch
):
    import psycopg
    from channels.db import database_sync_to_async

    from chat import sending
    from tests.helpers.chat import open_socket, receive_until, session_cookie

    async def broken(self, sql, params):
        raise psycopg.OperationalError("the server closed the connection")

    monkeypatch.setattr(sending._Postgres, "rows", broken)
    phone, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))
    worker, _ = await open_socket(await database_sync_to_async(session_cookie)(key_worker))
    frame = {"type": "send", "conversation": conversation.pk, "client_id": str(uuid.uuid4()),
             "body": "Still gets there"}  # fmt: skip
    await phone.send_json_to(frame)
    sent, _ = await receive_until(phone, "sent")
    delivered, _ = await receive_until(worker, "message")
    assert delivered["message"]["id"] == sent["id"]
    assert (
        await database_sync_to_async(Message.objects.filter(body="Still gets there").count)() == 1
    )
    # Counted against the send limit in Redis, where every worker sees it.
    [key] = services.send_limit().keys([parent.pk])
    assert int(live.redis_client().get(cache.make_key(key))) == 1
    await phone.disconnect()
    await worker.disconnect()


def test_someone_already_told_this_hour_costs_no_query(
    conversation, parent, key_worker, django_assert_num_queries
):
    services.tell_people_who_are_away([(conversation, [key_worker.pk])])
    with django_assert_num_queries(0):
        services.tell_people_who_are_away([(conversation, [key_worker.pk])])


def test_a_single_send_is_a_batch_of_one(conversation, parent, monkeypatch):
    batches = []
    batch = services.messages_send

    def spy(*, sends):
        batches.append(sends)
        return batch(sends=sends)

    monkeypatch.setattr(services, "messages_send", spy)
    message = send(parent, conversation, "Alone")
    [[only]] = batches
    assert only.body == "Alone" and only.via_socket is False
    assert message.body == "Alone"
