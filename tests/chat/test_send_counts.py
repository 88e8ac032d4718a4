"""A worker's own view of the send limit on the event loop (chat.sending._SendCounts)."""

from chat import sending
from portal import ratelimit

LIMIT = ratelimit.Limit(bucket="chat:send", count=3, seconds=60)


def test_one_socket_is_held_to_the_limit_exactly():
    counts = sending._SendCounts()
    assert counts.allowed(LIMIT, [1, 1, 2]) == [True, True, True]
    assert counts.allowed(LIMIT, [1, 1, 2]) == [True, False, True]
    assert counts.allowed(LIMIT, [1]) == [False]


def test_what_redis_answers_counts_the_other_workers_sends(monkeypatch):
    counts = sending._SendCounts()
    assert counts.allowed(LIMIT, [1]) == [True]
    counts.heard(LIMIT, [1], [3])  # two more from this person on another worker
    assert counts.allowed(LIMIT, [1]) == [False]
    counts.heard(LIMIT, [2], [1])  # an answer lower than this worker's own count
    assert counts.allowed(LIMIT, [2, 2, 2]) == [True, True, False]


def test_a_new_window_starts_again(monkeypatch):
    counts = sending._SendCounts()
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_000_020.0)
    assert counts.allowed(LIMIT, [1, 1, 1, 1]) == [True, True, True, False]
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_000_080.0)
    assert counts.allowed(LIMIT, [1]) == [True]
