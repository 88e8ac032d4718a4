"""Background tasks: the day-before reminder for a booked session."""

from django_tasks import task


@task()
def booking_reminder_send(booking_id: int) -> bool:
    """Remind the parent about tomorrow's session. Safe to run more than once."""
    from .services import booking_remind

    return booking_remind(booking_id=booking_id)


@task()
def reminders_due_send() -> int:
    """Send every reminder that is due; for a scheduler to run now and then."""
    from . import services

    return services.reminders_due_send()
