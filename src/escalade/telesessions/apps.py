from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelesessionsConfig(AppConfig):
    name = "escalade.telesessions"
    label = "telesessions"
    verbose_name = _("Telehealth sessions")

    def ready(self):
        from . import pack

        pack.register()
