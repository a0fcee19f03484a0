from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailinConfig(AppConfig):
    name = "escalade.mailin"
    label = "mailin"
    verbose_name = _("E-mail in")

    def ready(self):
        from escalade.core import retention as _retention

        from .services.retention import purge_contents

        _retention.register("mail_contents", purge_contents)
        from escalade.core import events, panels
        from escalade.incidents.events import IncidentMerged, NoteAdded

        from . import pack, services

        pack.register()
        events.subscribe(NoteAdded, services.note_added)
        events.subscribe(IncidentMerged, services.incident_merged)
        panels.register(
            "incident",
            "thread",
            context=services.thread_panel,
            template="mailin/incident_thread.html",
            place="main",
            order=10,
        )
