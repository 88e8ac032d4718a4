"""Process tuning for the workers that serve pages (WSGI) and sockets (ASGI)."""

import gc


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
