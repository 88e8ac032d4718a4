from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.core import checks
        from django.urls import register_converter

        from . import (
            navigation,  # noqa: F401 - registers the core menu and panels
            receivers,  # noqa: F401 - connects its receivers
            schedule,  # noqa: F401 - registers the core's periodic jobs
        )
        from .converters import IdConverter
        from .translation import remember_translations
        from .working_time import check_service_time

        checks.register(check_service_time)

        # Here rather than in a urls.py: every app's URLconf takes ids through it.
        register_converter(IdConverter, "id")
        remember_translations()
