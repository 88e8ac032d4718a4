"""Process tuning for the workers that serve pages (WSGI) and sockets (ASGI)."""

import gc
import threading


def tune_process() -> None:
    """Keep the garbage collector's full passes off every request's critical path.

    Everything loaded at start-up (Django, Wagtail, the URL and template caches) lives as
    long as the worker, yet each full collection walks it all again; frozen, those
    objects are left out, and a collection pauses every socket or request in the worker
    for less time (benchmarks/chat, benchmarks/pages). The first generation is collected
    less often for the same reason: a busy worker makes short-lived objects for every
    frame and every page.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


class ConcurrencyLimit:
    """A WSGI application running at most ``at_once`` requests of ``application`` at a time.

    A threaded page server (gunicorn's gthread) gives every open connection a thread, so
    under load dozens of them run Django at once on two cores. They take turns at the
    interpreter lock at every query and every few milliseconds, and each turn costs the
    next thread its caches: a plan page cost half as much again as one request at a time
    (benchmarks/pages). Past the gate a request runs with few others; before it, its
    thread sleeps on the semaphore and costs nothing. The response's body is sent after
    the gate is left, so a slow reader never holds a place.
    """

    def __init__(self, application, at_once: int):
        self.application = application
        self.places = threading.BoundedSemaphore(at_once)

    def __call__(self, environ, start_response):
        with self.places:
            return self.application(environ, start_response)


def limit_concurrency(application, at_once: int):
    """``application`` behind a ``ConcurrencyLimit`` of ``at_once``; itself when 0."""
    return ConcurrencyLimit(application, at_once) if at_once > 0 else application
