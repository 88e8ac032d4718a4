"""Background work for meetings and appointments: the emails, each with its calendar file."""

from __future__ import annotations

from django_tasks import task


@task()
def casework_email_send(record_kind: str, record_id: int, user_ids: list[int], kind: str) -> int:
    """Email each person (one email each) about a meeting or appointment, with its .ics."""
    from .services import record_email

    return record_email(record_kind=record_kind, record_id=record_id, user_ids=user_ids, kind=kind)


# Closure, step-down and the six months after


@task()
def casework_sustain_check() -> dict[str, int]:
    """The daily job: the six-month check of needs met at closure, then the "how are
    things now" questions due."""
    from .services.closure import sustain_job_run

    return sustain_job_run()


@task()
def casework_follow_up_email(follow_up_ids: list[int]) -> int:
    """Email the adults of each family asked how things are now."""
    from .services.closure import follow_up_emails

    return follow_up_emails(follow_up_ids=follow_up_ids)
