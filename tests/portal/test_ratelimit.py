"""The one rate limiter: counts per person and per bucket, in fixed windows, and one
answer for a person over a limit."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from redis.exceptions import ConnectionError as RedisConnectionError

from portal import ratelimit
from portal.ratelimit import Limit

SAVES = Limit("test:save", 2, 60)


def test_each_person_has_their_own_count():
    assert not ratelimit.exceeded(SAVES, 1)
    assert not ratelimit.exceeded(SAVES, 1)
    assert ratelimit.exceeded(SAVES, 1)
    assert not ratelimit.exceeded(SAVES, 2)  # someone else is not slowed down


def test_each_bucket_has_its_own_count():
    writes = Limit("test:write", 2, 60)
    for _ in range(3):
        ratelimit.exceeded(SAVES, 1)
    assert not ratelimit.exceeded(writes, 1)


def test_a_batch_counts_every_entry_in_order():
    assert ratelimit.allowed_many(SAVES, [1, 1, 2, 1]) == [True, True, True, False]
    assert ratelimit.allowed_many(SAVES, []) == []
    assert ratelimit.exceeded(SAVES, 2) is False  # the second of person 2's two
    assert ratelimit.exceeded(SAVES, 2) is True


def test_a_new_window_starts_a_new_count(monkeypatch):
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_000_020.0)
    assert ratelimit.allowed_many(SAVES, [1, 1, 1]) == [True, True, False]
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_000_080.0)
    assert not ratelimit.exceeded(SAVES, 1)


def test_while_the_cache_is_down_nothing_is_refused(monkeypatch, caplog):
    def down(limit, keys):
        raise RedisConnectionError("down")

    monkeypatch.setattr(ratelimit, "_count", down)
    assert ratelimit.allowed_many(SAVES, [1, 1, 1]) == [True, True, True]
    assert "test:save was not counted" in caplog.text


def test_a_limit_reads_from_a_setting(settings):
    settings.CHAT_SEND_RATE = (5, 30)
    assert Limit.of("chat:send", settings.CHAT_SEND_RATE) == Limit("chat:send", 5, 30)


@pytest.mark.parametrize(
    ("seconds", "words"), [(60, "Wait 1 minute and"), (600, "Wait 10 minutes and")]
)
def test_too_many_is_a_429_page_saying_how_long_to_wait(rf: RequestFactory, seconds, words):
    from django.contrib.auth.models import AnonymousUser

    request = rf.post("/")
    request.user = AnonymousUser()
    request.htmx = False
    response = ratelimit.too_many(request, Limit("test:any", 1, seconds))
    assert response.status_code == 429
    body = response.content.decode()
    assert "Please wait before you try again" in body and words in body


def test_too_many_gives_htmx_only_the_words(rf: RequestFactory):
    request = rf.post("/")
    request.htmx = True
    response = ratelimit.too_many(request, SAVES)
    assert response.status_code == 429
    assert response.content.decode() == ratelimit.wait_message(SAVES)
