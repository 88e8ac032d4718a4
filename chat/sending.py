"""Text sends from sockets, written in batches by each worker process.

A send goes at once when a write slot is free; sends that arrive while every slot is busy
wait and go together in the next write. A quiet worker writes each message on its own and
a busy one makes one round trip for many (benchmarks/chat).

With PostgreSQL and Redis the whole path stays on the event loop: the send limit is
counted with an asynchronous Redis client and the batch statement runs on an
asynchronous PostgreSQL connection of the worker's own, so a message never waits for a
database thread. This is the one place the portal reaches PostgreSQL outside Django's
ORM: a single statement (chat.services.TEXT_BATCH_SQL) whose every other step (checks,
refusals, retries, notes to people who are away) is the services' own code. Anything
the statement did not write, and every batch when that connection fails, goes through
the services in a database thread instead.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from django.conf import settings
from django.db import connections
from django.utils import timezone

from . import live, services

logger = logging.getLogger(__name__)


def _write_in_thread(sends: list[services.TextSend]) -> list:
    results = services.messages_send_text(sends=sends)
    return [_with_payload(send, result) for send, result in zip(sends, results, strict=True)]


def _with_payload(send, result):
    if isinstance(result, Exception):
        return result
    message, created = result
    return message, created, services.message_payload(message, sender_name=send.sender.display_name)


class _Postgres:
    """This worker's own asynchronous PostgreSQL connection (autocommit: the statement is
    its own transaction)."""

    def __init__(self):
        self.connection = None

    async def rows(self, sql: str, params: dict) -> list:
        import psycopg

        if self.connection is None or self.connection.closed:
            options = connections["default"].get_connection_params()
            for sync_only in ("cursor_factory", "context"):
                options.pop(sync_only, None)
            # One statement, run thousands of times: plan it once per connection.
            options["prepare_threshold"] = 0
            self.connection = await psycopg.AsyncConnection.connect(**options, autocommit=True)
        try:
            cursor = await self.connection.execute(sql, params)
            return await cursor.fetchall()
        except psycopg.Error:
            await self.connection.close()
            self.connection = None
            raise


class SendBatcher:
    def __init__(self, *, db, on_loop: bool, slots: int = 4, most: int = 100):
        self.db = db  # wraps a function to run in a database thread
        self.on_loop = on_loop
        # One statement at a time on each of the loop's connections.
        self.postgres = [_Postgres() for _ in range(slots)] if on_loop else []
        self.slots, self.most = slots, most
        self.waiting: list[tuple[services.TextSend, asyncio.Future]] = []
        self.writing = 0

    async def submit(self, send: services.TextSend):
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((send, future))
        self._start()
        return await future

    def _start(self) -> None:
        while self.waiting and self.writing < self.slots:
            batch, self.waiting = self.waiting[: self.most], self.waiting[self.most :]
            self.writing += 1
            task = asyncio.ensure_future(self._write(batch))
            _background.add(task)
            task.add_done_callback(_background.discard)

    async def _write(self, batch) -> None:
        sends = [send for send, _future in batch]
        try:
            if self.on_loop:
                postgres = self.postgres.pop()
                try:
                    results = await self._write_on_loop(sends, postgres)
                finally:
                    self.postgres.append(postgres)
            else:
                results = await self._write_in_thread(sends)
        except Exception as exc:  # noqa: BLE001 - every sender hears of it
            logger.exception("Chat sends could not be written")
            results = [exc] * len(batch)
        finally:
            self.writing -= 1
        for (_send, future), result in zip(batch, results, strict=True):
            if future.done():  # the socket closed while waiting; the write still counts
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
        self._start()

    async def _write_in_thread(self, sends) -> list:
        return await self.db(_write_in_thread)(sends)

    async def _write_on_loop(self, sends, postgres: _Postgres) -> list:
        results, ready = services.text_sends_check(sends)
        limit, seconds = settings.CHAT_SEND_RATE
        counts = await live.acount_sends([send.sender.pk for _i, send, _u, _b in ready], seconds)
        # While Redis is down nothing is counted: an outage must not stop a message.
        allowed = [True] * len(ready) if counts is None else [n <= limit for n in counts]
        writing = services.text_sends_within_limit(results, ready, allowed)
        if not writing:
            return results
        now = timezone.now()
        try:
            rows = await postgres.rows(
                services.TEXT_BATCH_SQL, services.text_batch_params(writing, now)
            )
        except Exception:  # noqa: BLE001 - the thread path writes them (client ids make it safe)
            logger.warning("Chat sends go through a database thread", exc_info=True)
            return await self._write_in_thread(sends)
        written, sent = services.text_batch_written(writing, rows, now)
        events = services.broadcast_events(sent)
        if sent:
            await self._broadcast(sent, events)
        leftovers = [item for item in writing if item[0] not in written]
        if leftovers:
            again = await self._write_in_thread([item[1] for item in leftovers])
            for item, result in zip(leftovers, again, strict=True):
                results[item[0]] = result
        # The acknowledgement carries the same payload the others were sent.
        payloads = {event["message"]["id"]: event["message"] for _s, event, _o in events}
        for index, message in written.items():
            results[index] = (message, True, payloads[message.pk])
        return results

    async def _broadcast(self, sent, events) -> None:
        """As services._broadcast_new does after commit, on the loop: the others first."""
        await live.asend_many([(others, event) for _sender, event, others in events])
        task = asyncio.ensure_future(self._after_broadcast(sent, events))
        _background.add(task)
        task.add_done_callback(_background.discard)

    async def _after_broadcast(self, sent, events) -> None:
        people = {sender.pk for sender, _event, _others in events}
        for _sender, _event, others in events:
            people.update(others)
        online = await live.aonline_counts(people)
        # The sending socket has the message in its acknowledgement; other devices do not.
        await live.asend_many(
            [([s.pk], event) for s, event, _others in events if online.get(s.pk, 0) > 1]
        )
        away = [(c, ids) for c, ids in services.people_away(sent, online) if ids]
        if away:
            try:
                await self.db(services.tell_people_who_are_away)(away)
            except Exception:  # noqa: BLE001 - a note about a saved message must not fail it
                logger.exception("Could not tell people about a new message")


_batchers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_background: set = set()


async def settle() -> None:
    """Wait until this loop's writes and the work after them (presence, notes to people
    who are away) have finished. Tests end a loop per test and must not flush the
    database under a write still running in a database thread."""
    loop = asyncio.get_running_loop()
    while pending := [t for t in _background if t.get_loop() is loop and not t.done()]:
        await asyncio.gather(*pending, return_exceptions=True)


def connections_close() -> None:
    """Close every batcher's PostgreSQL connections at once (tests end a loop per test)."""
    for found in list(_batchers.values()):
        for postgres in found.postgres:
            if postgres.connection is not None and not postgres.connection.closed:
                postgres.connection.pgconn.finish()
            postgres.connection = None


def batcher(db) -> SendBatcher:
    """One batcher per event loop (one per worker process when serving). ``db`` wraps a
    function to run in a database thread."""
    loop = asyncio.get_running_loop()
    found = _batchers.get(loop)
    if found is None:
        on_loop = connections["default"].vendor == "postgresql" and live.redis_client() is not None

        found = _batchers[loop] = SendBatcher(db=db, on_loop=on_loop)
    return found
