from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenewalsConfig(AppConfig):
    name = "escalade.renewals"
    label = "renewals"
    verbose_name = _("Renewals")

    def ready(self):
        from . import pack

        pack.register()
