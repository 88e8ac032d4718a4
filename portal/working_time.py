"""The service's calendar: its working hours (UK time) on its working days, less England's
bank holidays and the days the council closes. Every "working day" and "working time" in
the portal is counted here: when a concern's decision is due, when a family's message has
waited a working day, whether a key worker is in their hours."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings


@functools.cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    # A fresh calendar for each year, kept: the library fills a shared one in lazily, which
    # another thread could read half-filled.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_closed_day(day: dt.date) -> bool:
    """A bank holiday in England, or a day the council closes (``SERVICE_CLOSED_DAYS``)."""
    return day in settings.SERVICE_CLOSED_DAYS or day in _bank_holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    """One of the service's working days (``SERVICE_WORKING_DAYS``) that is not closed."""
    return day.weekday() in settings.SERVICE_WORKING_DAYS and not is_closed_day(day)


def _hours() -> tuple[dt.time, dt.time]:
    starts, ends = settings.SERVICE_WORKING_HOURS
    return dt.time.fromisoformat(starts), dt.time.fromisoformat(ends)


def working_time_after(start: dt.datetime, minutes: int) -> dt.datetime:
    """The moment ``minutes`` of the service's working time have passed since ``start``.

    A concern raised on a Friday evening is due an hour into Monday morning, or into
    Tuesday's when Monday is a bank holiday.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    opens, closes = _hours()
    now = start.astimezone(zone)
    left = dt.timedelta(minutes=minutes)
    while True:
        day_opens = dt.datetime.combine(now.date(), opens, tzinfo=zone)
        day_closes = dt.datetime.combine(now.date(), closes, tzinfo=zone)
        if not is_working_day(now.date()) or now >= day_closes:
            now = dt.datetime.combine(now.date() + dt.timedelta(days=1), opens, tzinfo=zone)
            continue
        now = max(now, day_opens)
        if now + left <= day_closes:
            return now + left
        left -= day_closes - now
        now = day_closes


def _working_day_before(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def one_working_day_before(now: dt.datetime) -> dt.datetime:
    """The same time of day one working day earlier: Monday 10:00 gives the Friday before
    at 10:00, Tuesday after Easter Monday the Thursday before Good Friday. On a closed day
    the time stops at the end of the last working day (a wait does not grow while the
    service is closed): Saturday gives the start of Friday."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    if not is_working_day(local.date()):
        end_of_last = _working_day_before(local.date()) + dt.timedelta(days=1)
        local = dt.datetime.combine(end_of_last, dt.time(0), tzinfo=zone)
    day = _working_day_before(local.date())
    return dt.datetime.combine(day, local.time(), tzinfo=zone)


def check_service_time(**kwargs) -> list:
    """A system check: working days and hours that leave some working time in a week.
    Without any, every "working time after" would look for it for ever."""
    from django.core import checks

    errors = []
    days = set(settings.SERVICE_WORKING_DAYS)
    if not days or not days <= set(range(7)):
        errors.append(
            checks.Error(
                "SERVICE_WORKING_DAYS must name at least one weekday, 0 (Monday) to 6.",
                id="portal.E010",
            )
        )
    try:
        opens, closes = _hours()
        hours_make_sense = opens < closes
    except (TypeError, ValueError):
        hours_make_sense = False
    if not hours_make_sense:
        errors.append(
            checks.Error(
                'SERVICE_WORKING_HOURS must be ("HH:MM", "HH:MM"), opening before closing.',
                id="portal.E011",
            )
        )
    return errors
