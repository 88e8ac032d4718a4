"""Live events sent from synchronous code in the threads an event loop runs work in."""

from __future__ import annotations

import asyncio
import os
import threading
from unittest import mock

from asgiref.sync import SyncToAsync

from chat import live


def test_a_thread_whose_loop_has_stopped_still_sends_and_does_not_wait_for_ever():
    """A database thread can outlive its event loop (a worker shutting down, a test that
    has ended). Its live events must still go out, not wait for the stopped loop."""
    sent = []

    async def record(events):
        sent.extend(events)

    stopped = asyncio.new_event_loop()
    finished = threading.Event()

    def database_thread():
        SyncToAsync.threadlocal.main_event_loop = stopped
        SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()
        live.send_to_users([5], {"type": "chat.event"})
        finished.set()

    with mock.patch.object(live, "asend_many", record):
        thread = threading.Thread(target=database_thread, daemon=True)
        thread.start()
        assert finished.wait(10), "the send waited for an event loop that had stopped"
    stopped.close()
    assert sent == [([5], {"type": "chat.event"})]
