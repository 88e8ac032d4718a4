"""Concerns built through the safeguarding services, as the portal raises them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from safeguarding import services
from safeguarding.models import Concern

LONDON = ZoneInfo("Europe/London")
# A Tuesday morning, inside the service's working hours.
TUESDAY_10AM = dt.datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)


def raise_concern(match, mentor_user, details="I am worried about the children's safety."):
    """A mentor's concern from their match, as the mentor's page raises it."""
    return services.concern_raise(
        family=match.family,
        raised_by=mentor_user,
        details=details,
        source=Concern.Source.MENTOR,
        source_id=match.pk,
        checked=True,
    )


def report_message(conversation, message, user, reason=""):
    """A reported message, as the conversation page raises it."""
    return services.concern_raise(
        family=conversation.family,
        raised_by=user,
        details=reason,
        source=Concern.Source.MESSAGE,
        source_id=message.pk,
        conversation_id=conversation.pk,
        quoted=message.body,
        checked=True,
    )
