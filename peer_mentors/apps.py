from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeerMentorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "peer_mentors"
    verbose_name = _("Peer mentors")
