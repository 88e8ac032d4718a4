"""Reads of safeguarding concerns, each with what its page needs loaded."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access as core
from portal.models import Family, StaffProfile, User
from portal.registry import ChronologyEvent, ChronologyViewer

from .models import Concern, ConcernAction, DutyManager

_LIST_RELATED = ("family", "raised_by", "decided_by")


def overdue_concern_ids() -> list[int]:
    """Undecided concerns past the time a decision was due, oldest first."""
    return list(
        Concern.objects.filter(decided_at__isnull=True, escalate_at__lte=timezone.now())
        .order_by("escalate_at", "id")
        .values_list("pk", flat=True)
    )


def concerns_waiting(*, key_worker: User | None = None) -> QuerySet[Concern]:
    """Concerns still waiting for a decision, the most overdue first: every one for a
    manager, or those about a key worker's caseload."""
    concerns = Concern.objects.filter(decided_at__isnull=True)
    if key_worker is not None:
        concerns = concerns.filter(family__lead_key_worker=key_worker)
    return concerns.select_related(*_LIST_RELATED).order_by("escalate_at", "id")


def concerns_decided(*, key_worker: User | None = None) -> QuerySet[Concern]:
    """Concerns with a decision, the newest decision first."""
    concerns = Concern.objects.filter(decided_at__isnull=False)
    if key_worker is not None:
        concerns = concerns.filter(family__lead_key_worker=key_worker)
    return concerns.select_related(*_LIST_RELATED).order_by("-decided_at", "-id")


def waiting_count(*, key_worker: User | None = None) -> tuple[int, int]:
    """(waiting for a decision, of which past their time), for a dashboard."""
    concerns = Concern.objects.filter(decided_at__isnull=True)
    if key_worker is not None:
        concerns = concerns.filter(family__lead_key_worker=key_worker)
    now = timezone.now()
    return concerns.count(), concerns.filter(escalate_at__lte=now).count()


def concern_actions(*, concern: Concern) -> list[ConcernAction]:
    return list(concern.actions.select_related("owner").order_by("id"))


def raised_by(
    *, user: User, source: str | None = None, source_id: int | None = None
) -> list[Concern]:
    """Concerns a person raised, newest first (their receipts), optionally from one record."""
    concerns = Concern.objects.filter(raised_by=user)
    if source is not None:
        concerns = concerns.filter(source=source, source_id=source_id)
    return list(concerns.order_by("-created_at", "-id")[:50])


def conversation_has_concern(*, conversation_id: int) -> bool:
    """Someone reported a message of this conversation."""
    return Concern.objects.filter(
        source=Concern.Source.MESSAGE, conversation_id=conversation_id
    ).exists()


def message_concerns(*, conversation_id: int) -> list[Concern]:
    """The reports of messages in a conversation, for the manager reading it."""
    return list(
        Concern.objects.filter(source=Concern.Source.MESSAGE, conversation_id=conversation_id)
        .select_related("raised_by")
        .order_by("created_at", "id")
    )


def duty_rota(*, days: int = 14) -> list[tuple[dt.date, User | None]]:
    """Who is the duty manager on each of the next ``days`` days (None: nobody set)."""
    today = timezone.localdate()
    last = today + dt.timedelta(days=days - 1)
    set_days = {
        duty.day: duty.manager
        for duty in DutyManager.objects.filter(day__range=(today, last)).select_related("manager")
    }
    return [(day, set_days.get(day)) for day in (today + dt.timedelta(days=n) for n in range(days))]


def managers() -> list[User]:
    """Active service managers, by name."""
    return sorted(
        User.objects.filter(staff_profile__role=StaffProfile.Role.MANAGER, is_active=True),
        key=lambda u: (u.display_name.lower(), u.pk),
    )


def chronology_events(family: Family, viewer: ChronologyViewer) -> list[ChronologyEvent]:
    """Concerns for the family's chronology (registered with the core), for those who may
    open a concern: the family's lead key worker and managers (``access.concern_for_user``).
    Nobody else learns one exists, not staff covering with a reason, never a partner. One
    query."""
    user = viewer.user
    if not viewer.sees_all or not (core.is_manager(user) or family.lead_key_worker_id == user.pk):
        return []
    concerns = Concern.objects.select_related("raised_by", "decided_by").filter(family=family)
    events: list[ChronologyEvent] = []
    for concern in concerns:
        url = concern.get_absolute_url()
        events.append(
            ChronologyEvent(
                on=timezone.localdate(concern.created_at),
                at=concern.created_at,
                kind="concern",
                title=_("Concern about safety raised"),
                detail=concern.details,
                by=f"{concern.raised_by.display_name} ({concern.get_raised_as_display()})",
                url=url,
            )
        )
        if concern.decided_at is not None:
            events.append(
                ChronologyEvent(
                    on=timezone.localdate(concern.decided_at),
                    at=concern.decided_at,
                    kind="concern",
                    title=_("Decision on the concern: %(decision)s")
                    % {"decision": concern.get_decision_display()},
                    detail=concern.decision_notes,
                    by=concern.decided_by.display_name if concern.decided_by else "",
                    url=url,
                )
            )
    return events
