"""Background work for concerns: the emails to staff, and escalation when no decision
has been recorded in time."""

from __future__ import annotations

from django_tasks import task


@task()
def concern_email_send(concern_id: int, user_ids: list[int], kind: str) -> int:
    """Email staff that a concern was raised ("raised") or is still waiting ("escalated")."""
    from .services import concern_email

    return concern_email(concern_id=concern_id, user_ids=user_ids, kind=kind)


@task()
def concern_escalation_check(concern_id: int) -> bool:
    """At the time a decision was due: escalate the concern if it is still undecided."""
    from .services import concern_escalate

    return concern_escalate(concern_id=concern_id)


@task()
def concerns_escalate_due() -> int:
    """Escalate every concern past its time; for a scheduler to run every few minutes."""
    from . import services

    return services.concerns_escalate_due()
