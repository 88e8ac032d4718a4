from django.core.management.base import BaseCommand

from portal.tasks import team_endings_carry_through


class Command(BaseCommand):
    help = (
        "Queue the sweep that ends the access of team members whose end date has passed "
        "(sockets closed, notifications withdrawn). Run it every quarter of an hour."
    )

    def handle(self, *args, **options):
        result = team_endings_carry_through.enqueue()
        self.stdout.write(f"Queued the team endings sweep {result.id}.")
