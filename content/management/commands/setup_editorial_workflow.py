from django.core.management.base import BaseCommand, CommandError

from content import services
from content.models import HomePage


class Command(BaseCommand):
    help = "Give the Editors group its Wagtail permissions and the two-person review workflow."

    def handle(self, *args, **options):
        home = HomePage.objects.first()
        if home is None:
            raise CommandError("Create the home page first (seed_demo does this).")
        workflow = services.editorial_setup(home_page=home)
        self.stdout.write(f"Editors set up with the workflow '{workflow.name}'.")
