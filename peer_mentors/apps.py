from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeerMentorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "peer_mentors"
    verbose_name = _("Peer mentors")

    def ready(self):
        from portal.access import register_relation_provider

        from . import access, hooks  # noqa: F401 - registers menu links, panels and demo data

        register_relation_provider(access.relation_provider)
