"""Calendar files (.ics) for team meetings and appointments, built with icalendar.

One UID for each meeting or appointment, so a change (a higher SEQUENCE) or a
cancellation (METHOD:CANCEL) replaces the event people already have.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vText

from .models import Appointment, Meeting, Where


def _host() -> str:
    return settings.SITE_URL.split("//")[-1].split("/")[0] or "portal"


def _link(record: Appointment | Meeting) -> str:
    return settings.SITE_URL.rstrip("/") + record.get_absolute_url()


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{_host()}"


def appointment_uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@{_host()}"


def _event(
    *,
    uid: str,
    sequence: int,
    starts_at: object,
    ends_at: object,
    summary: str,
    location: str,
    description: str,
    cancelled: bool,
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", starts_at.astimezone(UTC))  # type: ignore[attr-defined]  # datetimes
    event.add("dtend", ends_at.astimezone(UTC))  # type: ignore[attr-defined]  # datetimes
    event.add("summary", summary)
    event["location"] = vText(location)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def meeting_event(meeting: Meeting) -> Event:
    location = (
        meeting.place
        if meeting.where == Where.PLACE
        else _("Phone or video call: %(details)s") % {"details": meeting.place}
    )
    return _event(
        uid=meeting_uid(meeting),
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=_("Team meeting: %(family)s") % {"family": meeting.family.display_name},
        location=location,
        description=_link(meeting),
        cancelled=meeting.status == Meeting.Status.CANCELLED,
    )


def appointment_event(appointment: Appointment) -> Event:
    return _event(
        uid=appointment_uid(appointment),
        sequence=appointment.sequence,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        summary=_("Appointment: %(purpose)s") % {"purpose": appointment.purpose},
        location=appointment.where,
        description=_link(appointment),
        cancelled=appointment.status == Appointment.Status.CANCELLED,
    )


def event_for(record: Appointment | Meeting) -> Event:
    if isinstance(record, Meeting):
        return meeting_event(record)
    return appointment_event(record)


def calendar_file(events: Iterable[Event], *, method: str = "PUBLISH") -> bytes:
    """A calendar of ``events``: PUBLISH to download, REQUEST with an invitation or a
    change, CANCEL when it is called off."""
    calendar = Calendar()
    calendar.add("prodid", "-//Early help portal//Meetings and appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    for event in events:
        if method == "REQUEST":
            event.add("organizer", f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
        calendar.add_component(event)
    result: bytes = calendar.to_ical()
    return result
