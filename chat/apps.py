from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "chat"
    verbose_name = _("Messages")

    def ready(self):
        from . import demo, navigation, receivers  # noqa: F401 - registers hooks
