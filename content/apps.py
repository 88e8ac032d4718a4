from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "content"
    verbose_name = _("Content")

    def ready(self):
        from portal.registry import register_demo_seeder

        from . import receivers, registrations  # noqa: F401 - signals, nav items and panels
        from .demo import seed_content, seed_home_page

        register_demo_seeder(seed_home_page, order=10)
        register_demo_seeder(seed_content, order=60)
