"""Text sends from sockets, written in batches by each worker process.

A send goes at once when a write slot is free; sends that arrive while every slot is busy
wait and go together in the next write. A quiet worker writes each message on its own and
a busy one makes one round trip for many (benchmarks/chat).

With PostgreSQL and Redis the whole path stays on the event loop: the send limit is
decided from this worker's counts and counted in Redis in the round trip that announces
the messages (with everyone's presence), and the batch statement runs on an asynchronous
PostgreSQL connection of the worker's own, so a message never waits for a database
thread and makes one round trip to each. This is the one place the portal reaches PostgreSQL outside Django's
ORM: a single statement (chat.services.TEXT_BATCH_SQL) whose every other step (checks,
refusals, retries, notes to people who are away) is the services' own code. Anything
the statement did not write, and every batch when that connection fails, goes through
the services in a database thread instead.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.db import connections
from django.utils import timezone

from portal import ratelimit

from . import live, services
from .models import Message

logger = logging.getLogger(__name__)


Ack = tuple[Message, bool, dict[str, Any]]
"""(message, created, its payload): what a socket's ``sent`` carries."""


def _write_in_thread(sends: list[services.Send]) -> list[Ack | Exception]:
    """The whole pipeline in a database thread (not PostgreSQL and Redis, or as a
    fallback)."""
    return _acks(sends, services.messages_send(sends=sends))


def _write_and_count(
    results: list[services.SendResult | None],
    writing: list[services.Prepared],
    limit: ratelimit.Limit,
) -> list[int] | None:
    """A batch the loop could not write, in a database thread, and its sends counted
    against the send limit in Redis as the loop's announcement would have counted them;
    Redis's counts (None if it could not be reached)."""
    services.sends_write(results, writing)
    return ratelimit.count_many(limit, [item.send.sender.pk for item in writing])


def _acks(
    sends: list[services.Send],
    results: Sequence[services.SendResult | None],
    payloads: dict[int, dict[str, Any]] | None = None,
) -> list[Ack | Exception]:
    """Each result with the payload its acknowledgement carries (the one the others were
    sent, where the loop announced it)."""
    acks: list[Ack | Exception] = []
    for send, result in zip(sends, services.answered(results), strict=True):
        if isinstance(result, Exception):
            acks.append(result)
            continue
        message, created = result
        payload = (payloads or {}).get(message.pk) or services.message_payload(
            message, sender_name=send.sender.display_name
        )
        acks.append((message, created, payload))
    return acks


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
            # One statement, run thousands of times: plan it once per connection. Left to
            # itself PostgreSQL planned it afresh at every run (its "custom" plans for
            # these arrays never cost more than the generic one), 0.4 ms of its CPU a
            # send; the generic plan was faster for a batch of 1, 10 and 100.
            options["prepare_threshold"] = 0
            connection = await psycopg.AsyncConnection.connect(**options, autocommit=True)
            await connection.execute("SET plan_cache_mode = force_generic_plan")
            self.connection = connection
        try:
            cursor = await self.connection.execute(sql, params)
            return await cursor.fetchall()
        except psycopg.Error:
            await self.connection.close()
            self.connection = None
            raise
        except asyncio.CancelledError:
            # Stopped mid-statement (a worker shutting down): never used again half-read.
            self.connection.pgconn.finish()
            self.connection = None
            raise


class _SendCounts:
    """This worker's view of each sender's count in the send limit's window: what Redis
    last answered, or the sends this worker let through since, whichever is more.

    A send on the loop is refused once that reaches the limit, with no round trip of its
    own; the sends let through are counted in Redis in the round trip that announces
    them (``live.asend_many``), with the page's sends (counted before they are written,
    ``ratelimit.allowed_many``). So one socket is held to the limit exactly, and a person
    sending from two workers at once is known on each from its next answer: they can go
    over by the sends in flight on the other worker.
    """

    def __init__(self) -> None:
        self.seen: dict[int, tuple[int, int]] = {}  # person: (window, count)

    def allowed(self, limit: ratelimit.Limit, user_ids: Sequence[int]) -> list[bool]:
        window = limit.window()
        if len(self.seen) > 20_000:  # the people of windows gone by
            self.seen = {uid: wn for uid, wn in self.seen.items() if wn[0] == window}
        answers = []
        for uid in user_ids:
            seen_window, count = self.seen.get(uid, (window, 0))
            if seen_window != window:
                count = 0
            ok = count < limit.count
            self.seen[uid] = (window, count + 1 if ok else count)
            answers.append(ok)
        return answers

    def heard(self, limit: ratelimit.Limit, user_ids: Sequence[int], counts: Sequence[int]):
        window = limit.window()
        for uid, count in zip(user_ids, counts, strict=True):
            seen_window, mine = self.seen.get(uid, (window, 0))
            mine = mine if seen_window == window else 0
            self.seen[uid] = (window, max(mine, count))


class SendBatcher:
    def __init__(self, *, db, on_loop: bool, slots: int = 4, most: int = 100):
        self.db = db  # wraps a function to run in a database thread
        self.on_loop = on_loop
        # One statement at a time on each of the loop's connections.
        self.postgres = [_Postgres() for _ in range(slots)] if on_loop else []
        self.slots, self.most = slots, most
        self.waiting: list[tuple[services.Send, asyncio.Future[Ack]]] = []
        self.counts = _SendCounts()
        self.writing = 0

    async def submit(self, send: services.Send) -> Ack:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((send, future))
        if self.on_loop and len(self.waiting) == 1 and self.writing < self.slots:
            # A free slot and nobody waiting: written in the sender's own task, without
            # handing over to a new one (a turn of the loop behind everything else).
            self.waiting = []
            self.writing += 1
            await self._write([(send, future)])
            return future.result()
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
        except Exception as exc:  # every sender hears of it
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

    async def _write_in_thread(self, sends: list[services.Send]) -> list[Ack | Exception]:
        return await self.db(_write_in_thread)(sends)

    async def _write_on_loop(
        self, sends: list[services.Send], postgres: _Postgres
    ) -> list[Ack | Exception]:
        """The pipeline's steps with the loop's own I/O: the limit from this worker's
        counts (``_SendCounts``), the batch statement on this worker's asynchronous
        connection, the announcement and the count in one Redis round trip."""
        results, ready = services.sends_prepare(sends)
        limit = services.send_limit()
        allowed = self.counts.allowed(limit, [item.send.sender.pk for item in ready])
        writing = services.sends_within_limit(results, ready, allowed)
        if not writing:
            return _acks(sends, results)
        now = timezone.now()
        try:
            rows = await postgres.rows(
                services.TEXT_BATCH_SQL, services.text_batch_params(writing, now)
            )
        except Exception:  # the thread writes them (client ids make it safe)
            logger.warning("Chat sends go through a database thread", exc_info=True)
            senders = [item.send.sender.pk for item in writing]
            counts = await self.db(_write_and_count)(results, writing, limit)
            if counts is not None:  # (this worker's own counts, kept on the loop)
                self.counts.heard(limit, senders, counts)
            return _acks(sends, results)
        written, sent = services.text_batch_written(writing, rows, now)
        announcement = services.Announcement.of(sent)
        await self._announce(announcement, limit, writing)
        for index, message in written.items():
            results[index] = (message, True)
        leftovers = [item for item in writing if item.index not in written]
        if leftovers:
            # A retry, a closed conversation, someone who just joined or left.
            await self.db(services.sends_write)(results, leftovers, statement=False)
        # The acknowledgement carries the same payload the others were sent.
        payloads = {event["message"]["id"]: event["message"] for _o, event in announcement.events}
        return _acks(sends, results, payloads)

    async def _announce(
        self,
        announcement: services.Announcement,
        limit: ratelimit.Limit,
        writing: list[services.Prepared],
    ) -> None:
        """As services._announce_on_commit does after commit, on the loop: the others
        first, with everyone's presence read and the sends written counted against the
        send limit in the same round trip; then the rest without holding up the
        acknowledgement."""
        senders = [item.send.sender.pk for item in writing]
        heard = await live.asend_many(
            announcement.events,
            presence_of=announcement.people(),
            count=[cache.make_key(key) for key in limit.keys(senders)],
            count_ttl=limit.timeout,
        )
        if heard.counts is not None:
            self.counts.heard(limit, senders, heard.counts)
        online = heard.online
        echoes, away = announcement.to_senders(online), announcement.away(online)
        if echoes or away:
            task = asyncio.ensure_future(self._after_announce(echoes, away))
            _background.add(task)
            task.add_done_callback(_background.discard)

    async def _after_announce(self, echoes, away) -> None:
        await live.asend_many(echoes)
        if away:
            try:
                await self.db(services.tell_people_who_are_away)(away)
            except Exception:  # a note about a saved message must not fail it
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
