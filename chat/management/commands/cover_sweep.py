from django.core.management.base import BaseCommand

from chat.tasks import cover_sweep


class Command(BaseCommand):
    help = (
        "Queue the cover sweep: the duty key worker joins the conversations of families "
        "whose key worker is away, and messages waiting a working day are flagged to "
        "the service managers. Run it every minute."
    )

    def handle(self, *args, **options):
        result = cover_sweep.enqueue()
        self.stdout.write(f"Queued cover sweep {result.id}.")
