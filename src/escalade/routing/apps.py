from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "escalade.routing"
    label = "routing"
    verbose_name = _("Routing chart")

    def ready(self):
        from . import pack

        pack.register()
