from django.core.management.base import BaseCommand

from content.tasks import reminders_due_send


class Command(BaseCommand):
    help = "Queue the day-before reminders that are due (a safety net for the task queue)."

    def handle(self, *args, **options):
        result = reminders_due_send.enqueue()
        self.stdout.write(f"Queued reminder sweep {result.id}.")
