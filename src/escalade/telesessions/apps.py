from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelesessionsConfig(AppConfig):
    name = "escalade.telesessions"
    label = "telesessions"
    verbose_name = _("Telehealth sessions")

    def ready(self):
        from escalade.core import retention as _retention

        from .services.retention import purge_patients

        _retention.register("session_patients", purge_patients)
        from escalade.core import events, panels, search
        from escalade.incidents.events import IncidentResolved

        from . import pack, selectors, services

        pack.register()
        events.subscribe(IncidentResolved, services.incident_resolved)
        search.register("session", selectors.find_for_search)
        panels.register(
            "incident",
            "session",
            context=selectors.incident_panel,
            template="telesessions/incident_fact.html",
            place="facts",
        )
        panels.register(
            "wallboard",
            "trouble",
            context=selectors.trouble_panel,
            template="telesessions/wallboard_trouble.html",
            place="lead",
        )
        panels.register(
            "wallboard",
            "tasks",
            context=selectors.tasks_panel,
            template="telesessions/wallboard_tasks.html",
            place="waiting",
        )
