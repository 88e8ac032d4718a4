"""Every write to safeguarding concerns: raising one, deciding it, escalating it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access as core
from portal import ratelimit, signals
from portal.models import AuditEvent, Family, StaffProfile, User
from portal.notify import notify_users
from portal.ratelimit import Limit

from . import access, selectors
from .access import ConcernAccess
from .models import Concern, ConcernAction, DutyManager
from .timescale import decision_due


class TooManyConcerns(Exception):
    """The person has raised more concerns in the last hour than one person would."""


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: User
    due_on: date | None = None


def _managers() -> list[User]:
    return list(User.objects.filter(staff_profile__role=StaffProfile.Role.MANAGER, is_active=True))


def duty_managers(*, day: date | None = None) -> list[User]:
    """Who hears of a new concern on ``day`` besides the key worker: the duty manager,
    or every manager when nobody is on duty (or they have left)."""
    day = day or timezone.localdate()
    duty = (
        DutyManager.objects.filter(day=day, manager__is_active=True)
        .select_related("manager")
        .first()
    )
    return [duty.manager] if duty is not None else _managers()


def _email_on_commit(concern_id: int, users: list[User], kind: str) -> None:
    from .tasks import concern_email_send

    user_ids = sorted({u.pk for u in users if u.email})
    if user_ids:
        transaction.on_commit(lambda: concern_email_send.enqueue(concern_id, user_ids, kind))


def concern_raise(
    *,
    family: Family,
    raised_by: User,
    details: str,
    about: str = "",
    source: str = Concern.Source.PORTAL,
    source_id: int | None = None,
    conversation_id: int | None = None,
    quoted: str = "",
    checked: bool = False,
) -> Concern:
    """Raise a concern about ``family``; its key worker and the duty manager hear at once.

    ``checked`` means the calling app has checked the person's access to the record the
    concern comes from (a mentor's match, a message they can read); otherwise the person
    must be someone who may raise one about the family (``access.may_raise``). Raises
    TooManyConcerns past the hourly limit. Nothing is sent to the person who raised it.
    """
    if not checked and not access.may_raise(raised_by, family):
        raise PermissionDenied
    details = details.strip()
    errors = {}
    if source != Concern.Source.MESSAGE and len(details) < 10:
        errors["details"] = _("Tell us what worried you, in a sentence or two.")
    elif len(details) > 3000:
        errors["details"] = _("Keep it to 3000 characters or fewer.")
    if about and about not in Concern.About.values:
        errors["about"] = _("Choose who you are worried about.")
    if errors:
        raise ValidationError(errors)
    if ratelimit.exceeded(
        Limit.of("safeguarding:raise", settings.SAFEGUARDING_RAISE_RATE), raised_by.pk
    ):
        raise TooManyConcerns
    with transaction.atomic():
        now = timezone.now()
        concern = Concern.objects.create(
            family=family,
            raised_by=raised_by,
            raised_as=access.raised_as(raised_by, family),
            source=source,
            source_id=source_id,
            conversation_id=conversation_id,
            about=about,
            details=details,
            quoted=quoted[:5000],
            created_at=now,
            escalate_at=decision_due(now),
        )
        if core.staff_profile(raised_by):
            core.audit_record(
                actor=raised_by, action=AuditEvent.Action.CREATE, family=family, record=concern
            )
        recipients = [
            person
            for person in (family.lead_key_worker, *duty_managers())
            if person is not None and person.is_active and person.pk != raised_by.pk
        ]
        notify_users(
            recipients=recipients,
            verb=_("A concern was raised"),
            url=concern.get_absolute_url(),
            family=family,
        )
        _email_on_commit(concern.pk, recipients, "raised")
        transaction.on_commit(lambda: escalation_schedule(concern=concern))
        if source == Concern.Source.MENTOR:
            concern_id = concern.pk
            transaction.on_commit(
                lambda: signals.concern_raised.send(
                    sender=Concern, family=family, mentor=raised_by, concern_id=concern_id
                )
            )
    return concern


def action_owners(*, family: Family) -> list[User]:
    """Who may own an action: the family's key worker and the service managers, the
    people who can open the concern to see what they are asked to do."""
    people = {m.pk: m for m in _managers()}
    if family.lead_key_worker is not None and family.lead_key_worker.is_active:
        people.setdefault(family.lead_key_worker.pk, family.lead_key_worker)
    return sorted(people.values(), key=lambda u: (u.display_name.lower(), u.pk))


def concern_decide(
    *,
    concern_access: ConcernAccess,
    actor: User,
    decision: str,
    notes: str,
    actions: list[ActionInput] | None = None,
    outcome_for_raiser: str = "",
) -> Concern:
    """A manager records the decision and the actions, each with an owner. If they write
    ``outcome_for_raiser`` (only where it is safe), the person who raised it can read it."""
    if not concern_access.can_decide:
        raise PermissionDenied
    concern = concern_access.concern
    notes = notes.strip()
    outcome_for_raiser = outcome_for_raiser.strip()
    actions = actions or []
    errors: dict[str, str] = {}
    if decision not in Concern.Decision.values:
        errors["decision"] = _("Choose what you decided.")
    if len(notes) < 3:
        errors["notes"] = _("Say what you decided and why.")
    allowed = {u.pk for u in action_owners(family=concern.family)}
    for action in actions:
        if not action.description.strip() or action.owner.pk not in allowed:
            errors["actions"] = _("Give each action a description and an owner from the list.")
        elif action.due_on is not None and action.due_on < timezone.localdate():
            errors["actions"] = _("The date for an action must be today or later.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Concern.objects.select_for_update().get(pk=concern.pk)
        if locked.is_decided:
            raise ValidationError(_("Another manager has already recorded a decision."))
        now = timezone.now()
        concern.decision = decision
        concern.decision_notes = notes[:3000]
        concern.decided_at = now
        concern.decided_by = actor
        concern.outcome_for_raiser = outcome_for_raiser[:1000]
        concern.save(
            update_fields=[
                "decision",
                "decision_notes",
                "decided_at",
                "decided_by",
                "outcome_for_raiser",
            ]
        )
        created = ConcernAction.objects.bulk_create(
            ConcernAction(
                concern=concern,
                description=action.description.strip()[:300],
                owner=action.owner,
                due_on=action.due_on,
                created_by=actor,
                created_at=now,
            )
            for action in actions
        )
        core.audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            family=concern.family,
            record=concern,
            reason=f"Decision: {concern.get_decision_display()}",
        )
        notify_users(
            recipients=[a.owner for a in created],
            verb=_("You have an action on a concern"),
            url=concern.get_absolute_url(),
            actor=actor,
            family=concern.family,
        )
        if concern.outcome_shared:
            notify_users(
                recipients=[concern.raised_by],
                verb=_("We have an update for you"),
                url=concern.get_receipt_url(),
                actor=actor,
            )
    return concern


# Escalation ------------------------------------------------------------------------------


def escalation_schedule(*, concern: Concern) -> None:
    """Ask the task queue to look at the concern when its decision falls due.

    Backends that can wait (the database queue in production) run the check then. The
    embedded backend runs tasks at once, so there it is only queued when already due;
    ``manage.py escalate_concerns`` (every few minutes) picks up the rest.
    """
    from .tasks import concern_escalation_check

    if concern_escalation_check.get_backend().supports_defer:
        concern_escalation_check.using(run_after=max(concern.escalate_at, timezone.now())).enqueue(
            concern.pk
        )
    elif concern.escalate_at <= timezone.now():
        concern_escalation_check.enqueue(concern.pk)


def concern_escalate(*, concern_id: int) -> bool:
    """If the concern is still undecided past its time, tell every manager and set the next
    time. True when it escalated; a check that comes early or late does nothing."""
    with transaction.atomic():
        concern = Concern.objects.select_for_update().filter(pk=concern_id).first()
        now = timezone.now()
        if concern is None or concern.is_decided or concern.escalate_at > now:
            return False
        concern.escalation_count += 1
        concern.last_escalated_at = now
        concern.escalate_at = decision_due(now)
        concern.save(update_fields=["escalation_count", "last_escalated_at", "escalate_at"])
        managers = _managers()
        notify_users(
            recipients=managers,
            verb=_("A concern is still waiting for a decision"),
            url=concern.get_absolute_url(),
            family=concern.family,
        )
        _email_on_commit(concern.pk, managers, "escalated")
        if concern.escalate_at > now:  # with no time to decide, the next sweep does it
            transaction.on_commit(lambda: escalation_schedule(concern=concern))
    return True


def concerns_escalate_due() -> int:
    """Escalate every undecided concern past its time (the safety net for the queue)."""
    return sum(concern_escalate(concern_id=pk) for pk in selectors.overdue_concern_ids())


def concern_email(*, concern_id: int, user_ids: list[int], kind: str) -> int:
    """Email staff that a concern was raised, or is still waiting: a link, never its
    content or anyone's name. Returns how many were sent."""
    from django.template.loader import render_to_string

    from portal.notify import email_send

    concern = Concern.objects.filter(pk=concern_id).first()
    if concern is None:
        return 0
    people = list(User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""))
    if not people:
        return 0
    subject = (
        _("A concern is waiting for a decision")
        if kind == "escalated"
        else _("A concern was raised")
    )
    body = render_to_string(
        "safeguarding/email/concern.txt",
        {
            "kind": kind,
            "link": settings.SITE_URL.rstrip("/") + concern.get_absolute_url(),
            "service_name": settings.SERVICE_NAME,
        },
    )
    return email_send(subject=subject, message=body, users=people)


def duty_manager_set(*, day: date, manager: User, actor: User) -> DutyManager:
    """A manager (or an administrator) says which manager is on duty on ``day``."""
    if not (core.is_manager(actor) or actor.is_superuser) or not core.is_manager(manager):
        raise PermissionDenied
    with transaction.atomic():
        duty, _created = DutyManager.objects.update_or_create(
            day=day, defaults={"manager": manager, "set_by": actor}
        )
    return duty
