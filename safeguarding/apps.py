from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafeguardingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding"
    verbose_name = _("Concerns about safety")

    def ready(self):
        from . import hooks  # noqa: F401 - registers menu links, panels and demo data
