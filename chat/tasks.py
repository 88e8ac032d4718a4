"""Background work for chat: the email that tells someone away they have a new message,
and the sweep that keeps duty cover current and flags messages waiting for an answer.

The email leaves the send path: a slow or broken mail server must not slow a send, and a
failed email is tried again later instead of only being logged. django_tasks retries
nothing by itself, so the task enqueues itself again, a bounded number of times.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

EMAIL_ATTEMPTS = 5


def email_retry_delay(attempt: int) -> timedelta:
    """How long to wait after the ``attempt``-th failure: 1, 2, 4, 8 minutes."""
    return timedelta(minutes=2 ** (attempt - 1))


@task()
def new_message_email_send(conversation_id: int, user_id: int, attempt: int = 1) -> bool:
    """Email ``user_id`` that ``conversation_id`` has a new message (never its text).

    Whether this person is due an email this hour was decided before it was enqueued.
    Returns whether the email went; a failure enqueues the next attempt.
    """
    from portal.models import User
    from portal.notify import email_wait_until

    from .services import new_message_email

    person = User.objects.filter(pk=user_id).first()
    later = email_wait_until(person) if person is not None else None
    if later is not None and new_message_email_send.get_backend().supports_defer:
        # Not at a time they said is safe: the email waits until one is (a backend that
        # cannot wait, as in development, sends it now).
        new_message_email_send.using(run_after=later).enqueue(conversation_id, user_id, attempt)
        return False
    try:
        new_message_email(conversation_id=conversation_id, user_id=user_id)
    except Exception:
        if attempt >= EMAIL_ATTEMPTS:
            logger.exception("Gave up emailing a new-message alert after %s attempts", attempt)
            return False
        logger.warning("Could not email a new-message alert; will try again", exc_info=True)
        job = new_message_email_send
        if job.get_backend().supports_defer:
            job = job.using(run_after=timezone.now() + email_retry_delay(attempt))
        job.enqueue(conversation_id, user_id, attempt + 1)
        return False
    return True


@task()
def cover_sweep() -> int:
    """Bring the duty key worker's cover up to date (a lead key worker's hours may have
    just ended or begun) and flag to the managers every family message that has waited a
    working day for an answer. For a scheduler to run every few minutes
    (``manage.py cover_sweep``); safe to run as often as wanted. Returns the new flags."""
    from .services import cover_sync, unanswered_flag

    cover_sync()
    return len(unanswered_flag())
