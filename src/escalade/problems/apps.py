from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "escalade.problems"
    label = "problems"
    verbose_name = _("Problems")

    def ready(self):
        from escalade.core import panels

        from . import pack, services

        pack.register()

        panels.register(
            "incident",
            "problems",
            context=services.incident_panel,
            template="problems/incident_panel.html",
            place="aside",
            order=20,
        )
