"""Run the work on a clock that feature apps register (``portal.registry.PeriodicJob``):
escalating concerns still waiting for a decision, the duty cover sweep, session
reminders, pruning finished tasks. The embedded portal (``make run``) starts it beside
its server, so what it shows is what a council would see; in production, cron runs each
job's own command (or this, as one long-lived process)."""

from __future__ import annotations

import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from portal.registry import periodic_jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run every registered periodic job on its timetable (concern escalation, cover "
        "sweep, reminders) until stopped; --once runs each once and stops."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run each job once and stop")

    def handle(self, *args, once=False, **options):
        jobs = periodic_jobs()
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        next_run = {job.key: 0.0 for job in jobs}  # each runs at once on start
        listed = ", ".join(f"{job.key} every {job.every_seconds // 60} min" for job in jobs)
        self.stdout.write(f"Running on a clock: {listed}.")
        while not stop.is_set():
            now = time.monotonic()
            for job in jobs:
                if now < next_run[job.key]:
                    continue
                next_run[job.key] = now + job.every_seconds
                try:
                    job.run()
                except Exception:  # one failing job must not stop the others
                    logger.exception("The periodic job %s failed", job.key)
                finally:
                    if not connection.in_atomic_block:  # (a test's transaction is kept)
                        close_old_connections()  # a long-lived process: no stale connection
            if once:
                return
            stop.wait(max(1.0, min(next_run.values()) - time.monotonic()))
