from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RunbooksConfig(AppConfig):
    name = "escalade.runbooks"
    label = "runbooks"
    verbose_name = _("Runbooks and outages")

    def ready(self):
        from escalade.core import retention as _retention

        from .services.retention import purge_entries

        _retention.register("registry_entries", purge_entries)
        from django.db.models.signals import post_delete, post_save

        from escalade.core import panels

        from . import pack, selectors, timeline
        from .models import Broadcast, WorkstationGroup
        from .services.common import broadcasts_changed

        # the workstations' cached answers go stale with any write, whoever makes it
        for model in (Broadcast, WorkstationGroup):
            post_save.connect(broadcasts_changed, sender=model, dispatch_uid=f"bv-{model}")
            post_delete.connect(broadcasts_changed, sender=model, dispatch_uid=f"bv-d-{model}")
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
