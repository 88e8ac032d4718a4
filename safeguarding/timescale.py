"""When a decision on a concern is due: so much working time after it was raised."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings


def _hours() -> tuple[dt.time, dt.time]:
    starts, ends = settings.SERVICE_WORKING_HOURS
    return dt.time.fromisoformat(starts), dt.time.fromisoformat(ends)


def working_time_after(start: dt.datetime, minutes: int) -> dt.datetime:
    """The moment ``minutes`` of the service's working time have passed since ``start``.

    Working time is the service's hours on its working days, in UK time; a concern raised
    on a Friday evening is due an hour into Monday morning.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    opens, closes = _hours()
    now = start.astimezone(zone)
    left = dt.timedelta(minutes=minutes)
    while True:
        day_opens = dt.datetime.combine(now.date(), opens, tzinfo=zone)
        day_closes = dt.datetime.combine(now.date(), closes, tzinfo=zone)
        if now.weekday() not in settings.SERVICE_WORKING_DAYS or now >= day_closes:
            now = dt.datetime.combine(now.date() + dt.timedelta(days=1), opens, tzinfo=zone)
            continue
        now = max(now, day_opens)
        if now + left <= day_closes:
            return now + left
        left -= day_closes - now
        now = day_closes


def decision_due(start: dt.datetime) -> dt.datetime:
    """When a concern raised (or last escalated) at ``start`` next needs a decision."""
    return working_time_after(start, settings.SAFEGUARDING_DECISION_MINUTES)
