"""The "you have a new message" email goes from a task, never from the send itself."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django_tasks import default_task_backend

from chat import tasks
from tests.helpers.chat import BROKEN_MAIL, BrokenMailBackend, send

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def broken_mail(settings):
    settings.EMAIL_BACKEND = BROKEN_MAIL
    BrokenMailBackend.attempts = 0
    return BrokenMailBackend


def _queued():
    email = tasks.new_message_email_send.func
    return [r for r in default_task_backend.results if r.task.func is email]


def test_email_is_enqueued_on_commit_and_not_sent_in_the_send(
    conversation, parent, key_worker, settings, broken_mail, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    with django_capture_on_commit_callbacks(execute=True):
        send(parent, conversation, "Private words")
        assert _queued() == []  # nothing before the commit
    # A mail server that is down cost the send nothing: it was never called.
    assert broken_mail.attempts == 0
    [queued] = _queued()
    assert queued.args == [conversation.pk, key_worker.pk]
    assert "Private" not in repr(queued.args)


def test_one_email_an_hour_per_conversation(
    conversation, parent, key_worker, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    with django_capture_on_commit_callbacks(execute=True):
        send(parent, conversation, "one")
        send(parent, conversation, "two")
    assert len(_queued()) == 1


def test_the_task_sends_a_link_and_no_content(conversation, parent, key_worker):
    mail.outbox.clear()
    send(parent, conversation, "Private words")
    assert tasks.new_message_email_send.call(conversation.pk, key_worker.pk) is True
    [email] = mail.outbox
    assert email.to == [key_worker.email]
    assert f"/messages/{conversation.pk}/" in email.body
    assert "Private" not in email.body and "Private" not in email.subject


def test_no_email_to_someone_no_longer_in_the_conversation(conversation, key_worker):
    from chat.models import Participant

    Participant.objects.filter(conversation=conversation, user=key_worker).update(
        left_at="2026-01-01T00:00Z"
    )
    mail.outbox.clear()
    assert tasks.new_message_email_send.call(conversation.pk, key_worker.pk) is True
    assert mail.outbox == []


def test_a_failed_email_is_tried_again_later(conversation, key_worker, settings, broken_mail):
    settings.TASKS = DUMMY
    assert tasks.new_message_email_send.call(conversation.pk, key_worker.pk) is False
    [again] = _queued()
    assert again.args == [conversation.pk, key_worker.pk, 2]
    assert again.task.run_after is not None


def test_a_failing_mail_server_is_retried_then_given_up_and_logged(
    conversation, key_worker, broken_mail, caplog
):
    # The immediate backend (the embedded default) runs each retry at once.
    with caplog.at_level(logging.WARNING, logger="chat.tasks"):
        tasks.new_message_email_send.enqueue(conversation.pk, key_worker.pk)
    assert broken_mail.attempts == tasks.EMAIL_ATTEMPTS
    gave_up = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(gave_up) == 1
    assert "Gave up" in gave_up[0].getMessage()
