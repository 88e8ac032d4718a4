"""The service's calendar: working hours on working days, less England's bank holidays and
the days the council closes."""

import datetime as dt

import pytest

from portal.working_time import (
    is_working_day,
    one_working_day_before,
    working_time_after,
)
from tests.helpers.safeguarding import LONDON


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        (dt.datetime(2026, 12, 1, 10, 0), dt.datetime(2026, 12, 1, 11, 0)),
        (dt.datetime(2026, 12, 1, 16, 30), dt.datetime(2026, 12, 2, 9, 30)),
        (dt.datetime(2026, 12, 4, 16, 30), dt.datetime(2026, 12, 7, 9, 30)),  # Friday
        (dt.datetime(2026, 12, 5, 11, 0), dt.datetime(2026, 12, 7, 10, 0)),  # Saturday
        (dt.datetime(2026, 12, 1, 7, 0), dt.datetime(2026, 12, 1, 10, 0)),
        # Christmas Eve (Thursday); the 25th, the weekend and Boxing Day's Monday are closed.
        (dt.datetime(2026, 12, 24, 16, 30), dt.datetime(2026, 12, 29, 9, 30)),
        (dt.datetime(2026, 12, 25, 10, 0), dt.datetime(2026, 12, 29, 10, 0)),
        # Maundy Thursday 2027: Good Friday and Easter Monday are closed.
        (dt.datetime(2027, 3, 25, 16, 45), dt.datetime(2027, 3, 30, 9, 45)),
        (dt.datetime(2027, 3, 29, 11, 0), dt.datetime(2027, 3, 30, 10, 0)),  # Easter Monday
        # New Year's Eve 2026 is a Thursday; New Year's Day is closed.
        (dt.datetime(2026, 12, 31, 16, 30), dt.datetime(2027, 1, 4, 9, 30)),
    ],
)
def test_a_working_hour_skips_weekends_and_bank_holidays(raised, due):
    assert working_time_after(raised.replace(tzinfo=LONDON), 60) == due.replace(tzinfo=LONDON)


def test_a_working_hour_skips_the_days_the_council_closes(settings):
    settings.SERVICE_CLOSED_DAYS = frozenset({dt.date(2026, 12, 2), dt.date(2026, 12, 3)})
    raised = dt.datetime(2026, 12, 1, 16, 30, tzinfo=LONDON)
    assert working_time_after(raised, 60) == dt.datetime(2026, 12, 4, 9, 30, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (dt.date(2027, 3, 29), False),  # Easter Monday
        (dt.date(2027, 3, 26), False),  # Good Friday
        (dt.date(2026, 12, 28), False),  # Boxing Day, on the Monday
        (dt.date(2026, 5, 4), False),  # May Day
        (dt.date(2026, 8, 31), False),  # Late Summer, England's (Scotland's is earlier)
        (dt.date(2026, 8, 3), True),  # Scotland's summer bank holiday, not England's
        (dt.date(2027, 3, 17), True),  # St Patrick's Day: Northern Ireland's only
        (dt.date(2026, 12, 24), True),
        (dt.date(2026, 12, 5), False),  # Saturday
    ],
)
def test_working_days_are_englands(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("now", "before"),
    [
        (dt.datetime(2026, 11, 30, 10, 0), dt.datetime(2026, 11, 27, 10, 0)),  # Monday
        (dt.datetime(2026, 12, 2, 10, 0), dt.datetime(2026, 12, 1, 10, 0)),  # Wednesday
        # On Sunday, as at the end of Friday: Thursday's messages have waited a working
        # day, Friday's not yet.
        (dt.datetime(2026, 11, 29, 10, 0), dt.datetime(2026, 11, 27, 0, 0)),
        (dt.datetime(2027, 3, 29, 10, 0), dt.datetime(2027, 3, 25, 0, 0)),  # Easter Monday
        # Tuesday after Easter Monday: the Thursday before Good Friday, at the same time
        # of day though the clocks went forward between.
        (dt.datetime(2027, 3, 30, 10, 0), dt.datetime(2027, 3, 25, 10, 0)),
        (dt.datetime(2026, 12, 29, 14, 0), dt.datetime(2026, 12, 24, 14, 0)),
    ],
)
def test_one_working_day_skips_weekends_and_bank_holidays(now, before):
    assert one_working_day_before(now.replace(tzinfo=LONDON)) == before.replace(tzinfo=LONDON)


def test_one_working_day_skips_the_days_the_council_closes(settings):
    settings.SERVICE_CLOSED_DAYS = frozenset({dt.date(2026, 12, 1)})
    now = dt.datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)
    assert one_working_day_before(now) == dt.datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("days", "hours", "ids"),
    [
        ((0, 1, 2, 3, 4), ("09:00", "17:00"), []),
        ((), ("09:00", "17:00"), ["portal.E010"]),
        ((0, 7), ("09:00", "17:00"), ["portal.E010"]),
        ((0,), ("17:00", "09:00"), ["portal.E011"]),
        ((0,), ("nine", "17:00"), ["portal.E011"]),
    ],
)
def test_settings_with_no_working_time_are_refused_at_start_up(settings, days, hours, ids):
    """Otherwise finding "an hour of working time after" would look for ever."""
    from django.core import checks

    settings.SERVICE_WORKING_DAYS = days
    settings.SERVICE_WORKING_HOURS = hours
    assert [error.id for error in checks.run_checks() if error.id.startswith("portal.E01")] == ids
