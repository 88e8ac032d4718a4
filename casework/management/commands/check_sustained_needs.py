from django.core.management.base import BaseCommand

from casework.tasks import casework_sustain_check


class Command(BaseCommand):
    help = (
        "Queue the daily six-month check of needs met at closure and the 'how are things "
        "now' questions due (run it once a day)."
    )

    def handle(self, *args, **options):
        result = casework_sustain_check.enqueue()
        self.stdout.write(f"Queued the six-month check {result.id}.")
