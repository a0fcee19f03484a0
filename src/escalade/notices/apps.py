from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "escalade.notices"
    label = "notices"
    verbose_name = _("Service notices")

    def ready(self):
        from escalade.core import panels

        from . import pack, selectors

        pack.register()
        panels.register(
            "incident",
            "notices",
            context=selectors.incident_panel,
            template="notices/incident_panel.html",
            place="aside",
            order=10,
        )
        panels.register(
            "wallboard",
            "notices",
            context=selectors.wallboard_panel,
            template="notices/wallboard_notices.html",
            place="cells",
        )
