"""Background work for plans: the reminder the day before a review."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django_tasks import task

REMINDER_HOUR = 9


@task()
def review_reminder(review_id: int, date: str) -> bool:
    """Send the reminder if the review is still on ``date`` and no reminder went yet."""
    from .services import review_reminder_send

    return review_reminder_send(review_id=review_id, date=date)


def reminder_time(review_date: dt.date) -> dt.datetime:
    """9am (UK time) the day before the review."""
    day_before = review_date - dt.timedelta(days=1)
    return dt.datetime.combine(
        day_before, dt.time(REMINDER_HOUR), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


def schedule_review_reminder(review) -> None:
    """Queue the reminder for the day before. A backend that cannot wait runs it now.

    The task carries the date it was queued for, so moving the review makes an
    earlier queued reminder do nothing.
    """
    run_after = reminder_time(review.date)
    job = review_reminder
    if job.get_backend().supports_defer and run_after > timezone.now():
        job = job.using(run_after=run_after)
    job.enqueue(review.pk, review.date.isoformat())
