from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "casework"
    verbose_name = _("Casework")

    def ready(self):
        from . import hooks  # noqa: F401 - registers menu links, panels, jobs and demo data
