"""When a decision on a concern is due: so much working time after it was raised."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from portal.working_time import working_time_after


def decision_due(start: dt.datetime) -> dt.datetime:
    """When a concern raised (or last escalated) at ``start`` next needs a decision."""
    return working_time_after(start, settings.SAFEGUARDING_DECISION_MINUTES)
