from django.core.management.base import BaseCommand

from portal.tasks import task_results_prune


class Command(BaseCommand):
    help = (
        "Queue the pruning of finished task results older than TASK_RESULTS_KEEP_DAYS "
        "(with the database task backend). Run it hourly."
    )

    def handle(self, *args, **options):
        result = task_results_prune.enqueue()
        self.stdout.write(f"Queued pruning of task results {result.id}.")
