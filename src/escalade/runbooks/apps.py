from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RunbooksConfig(AppConfig):
    name = "escalade.runbooks"
    label = "runbooks"
    verbose_name = _("Runbooks and outages")

    def ready(self):
        from escalade.core import panels

        from . import pack, selectors, timeline

        pack.register()
        timeline.register()
        # the wallboard: which units of an outage in progress are on paper, which are late
        panels.register(
            "wallboard",
            "units",
            context=selectors.units_panel,
            template="runbooks/wallboard_units.html",
            place="cells",
            order=6,
        )
