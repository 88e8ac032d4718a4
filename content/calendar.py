"""Calendar files (.ics) for bookings, built with the icalendar library."""

from datetime import UTC

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vText

from .models import Booking


def booking_calendar(booking: Booking) -> bytes:
    occurrence = booking.occurrence
    series = occurrence.series
    venue = series.venue
    calendar = Calendar()
    calendar.add("prodid", "-//Early help portal//Group sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    host = settings.SITE_URL.split("//")[-1].split("/")[0] or "portal"
    event.add("uid", f"booking-{booking.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", occurrence.starts_at.astimezone(UTC))
    event.add("dtend", occurrence.ends_at.astimezone(UTC))
    event.add("summary", series.title)
    event["location"] = vText(f"{venue.name}, {' '.join(venue.address.split())}, {venue.postcode}")
    event.add(
        "description",
        "\n".join(
            part
            for part in (
                series.summary,
                _("Run by %(name)s") % {"name": series.facilitator},
                _("Getting in: %(info)s") % {"info": venue.access_information},
                occurrence.note,
                settings.SITE_URL.rstrip("/") + booking.get_absolute_url(),
            )
            if part
        ),
    )
    event.add("status", "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
