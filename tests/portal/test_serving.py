"""The page workers' gate: a few requests run Django at a time, the rest wait their turn."""

import threading

import pytest

from portal.serving import ConcurrencyLimit, limit_concurrency


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_no_limit_is_the_application_itself():
    assert limit_concurrency(application, 0) is application


def test_the_gate_holds_its_places_while_requests_run_and_gives_them_back():
    inside = threading.Semaphore(0)
    leave = threading.Event()

    def slow(environ, start_response):
        inside.release()
        assert leave.wait(timeout=30)
        return application(environ, start_response)

    gate = limit_concurrency(slow, 2)
    assert isinstance(gate, ConcurrencyLimit)
    bodies = []
    threads = [
        threading.Thread(target=lambda: bodies.append(gate({}, lambda *a: None))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert inside.acquire(timeout=30)
    # Both places are taken: a third request would wait.
    assert not gate.places.acquire(blocking=False)
    leave.set()
    for thread in threads:
        thread.join(timeout=30)
    assert bodies == [[b"ok"], [b"ok"]]
    # Both places are free again.
    assert gate.places.acquire(blocking=False)
    assert gate.places.acquire(blocking=False)


def test_a_request_that_fails_gives_its_place_back():
    def broken(environ, start_response):
        raise RuntimeError("page failed")

    gate = limit_concurrency(broken, 1)
    with pytest.raises(RuntimeError):
        gate({}, lambda *a: None)
    assert gate.places.acquire(blocking=False)


def test_the_page_workers_are_gated_by_the_setting(settings):
    from portal import wsgi

    assert settings.PAGE_WORKER_CONCURRENCY > 0
    assert isinstance(wsgi.application, ConcurrencyLimit)
    assert wsgi.application.places._initial_value == settings.PAGE_WORKER_CONCURRENCY
