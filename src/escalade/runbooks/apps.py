from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RunbooksConfig(AppConfig):
    name = "escalade.runbooks"
    label = "runbooks"
    verbose_name = _("Runbooks and outages")

    def ready(self):
        from . import pack, timeline

        pack.register()
        timeline.register()
