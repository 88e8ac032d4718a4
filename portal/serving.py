"""Process tuning for the ASGI workers that serve sockets."""

import gc


def tune_asgi_process() -> None:
    """Keep the garbage collector's full passes off the sockets' critical path.

    Everything loaded at start-up (Django, Wagtail, the URL and template caches) lives as
    long as the worker, yet each full collection walks it all again; frozen, those
    objects are left out, and a collection pauses every socket in the worker for less
    time (benchmarks/chat). The first generation is collected less often for the same
    reason: a busy worker makes short-lived objects for every frame.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
