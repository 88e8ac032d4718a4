from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal import demo


class Command(BaseCommand):
    help = "Create a small demo service: staff, five families, two peer mentors, a home page."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run in production (DJANGO_ENV=production).")
        demo.seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Every demo account uses the password {demo.DEMO_PASSWORD!r}."
            )
        )
