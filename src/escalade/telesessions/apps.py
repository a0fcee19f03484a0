from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelesessionsConfig(AppConfig):
    name = "escalade.telesessions"
    label = "telesessions"
    verbose_name = _("Telehealth sessions")

    def ready(self):
        from escalade.core import events

        from . import pack, services

        pack.register()
        events.subscribe(events.INCIDENT_RESOLVED, services.incident_resolved)
