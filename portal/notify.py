"""One way for every app to tell people something in the notification centre."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from notifications.signals import notify


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
