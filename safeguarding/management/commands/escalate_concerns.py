from django.core.management.base import BaseCommand

from safeguarding.tasks import concerns_escalate_due


class Command(BaseCommand):
    help = (
        "Queue the escalation of every concern still waiting for a decision past its time "
        "(a safety net for the task queue; run it every few minutes)."
    )

    def handle(self, *args, **options):
        result = concerns_escalate_due.enqueue()
        self.stdout.write(f"Queued the concern escalation sweep {result.id}.")
