"""One way for every app to tell people something: the notification centre, and email.

Every email the portal sends goes through :func:`email_send`, which leaves out any adult
of a household who said it is not safe to email them (``tests/portal/test_rules.py``
checks that nothing else sends mail).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from datetime import time as dt_time
from typing import Any

from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.utils import timezone
from notifications.signals import notify

from .models import SafeContact, User


def notify_users(
    *,
    recipients: Iterable,
    verb: str,
    actor=None,
    target=None,
    url: str = "",
    description: str = "",
    family=None,
) -> None:
    """Create in-app notifications once the current transaction commits.

    ``verb`` and ``description`` are read by families: plain words, no private detail
    that should not show on a lock screen. ``url`` is where the notification leads.
    """
    people = [r for r in {getattr(r, "pk", None): r for r in recipients}.values() if r is not None]
    if not people:
        return

    def send():
        for person in people:
            if actor is not None and getattr(actor, "pk", None) == person.pk:
                continue
            notify.send(
                actor if actor is not None else person,
                recipient=person,
                verb=str(verb),
                target=target,
                description=str(description),
                url=url,
                family_id=getattr(family, "pk", None),
            )

    transaction.on_commit(send)


def email_allowed(user: User) -> bool:
    """Whether it is safe to email this person: not for an adult of a household who chose
    to be contacted only through the portal (or any way but email)."""
    if not user.is_active or not user.email:
        return False
    contact = (
        SafeContact.objects.filter(member__user=user, member__left_at__isnull=True)
        .only("by_email", "by_text", "by_phone")
        .first()
    )
    return contact is None or contact.by_email


def email_wait_until(user: User, *, now: datetime | None = None) -> datetime | None:
    """When it is next safe to email this person, if not now: the start of the next of
    the days and times they chose (in the service's time zone). None when now is fine."""
    contact = SafeContact.objects.filter(member__user=user, member__left_at__isnull=True).first()
    if contact is None or not (contact.days or contact.times):
        return None
    local = timezone.localtime(now or timezone.now())
    windows = (
        sorted(SafeContact.HOURS[SafeContact.Time(time)] for time in contact.times)
        if contact.times
        else [(0, 24)]
    )
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        if contact.days and day.weekday() not in contact.days:
            continue
        for start, end in windows:
            starts = timezone.make_aware(datetime.combine(day, dt_time(start % 24)))
            ends = starts + timedelta(hours=end - start)
            if local < ends:
                return None if local >= starts else starts
    return None


def email_send(
    *,
    subject: Any,
    message: str,
    users: Iterable[User] = (),
    addresses: Iterable[str] = (),
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> int:
    """Send one email to ``users`` it is safe to email, and to ``addresses`` (people with no
    account yet, such as someone invited). Returns how many addresses it went to.
    ``attachments`` are (file name, content, MIME type), such as a calendar file.

    Raises whatever the mail backend raises, so a task can try again.
    """
    people = [user for user in users if user.is_active and user.email]
    # Everyone's safe-contact choice in one query, not one for each person.
    refused: set[int] = set()
    if people:
        refused = set(
            SafeContact.objects.filter(
                member__user__in=people, member__left_at__isnull=True, by_email=False
            ).values_list("member__user_id", flat=True)
        )
    recipients = {user.email.lower() for user in people if user.pk not in refused}
    recipients |= {address.strip().lower() for address in addresses if address.strip()}
    if not recipients:
        return 0
    files = list(attachments)
    if files:
        email = EmailMessage(subject=str(subject), body=message, to=sorted(recipients))
        for name, content, mimetype in files:
            email.attach(name, content, mimetype)
        email.send()
    else:
        send_mail(
            subject=str(subject),
            message=message,
            from_email=None,
            recipient_list=sorted(recipients),
        )
    return len(recipients)
