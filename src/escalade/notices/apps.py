from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "escalade.notices"
    label = "notices"
    verbose_name = _("Service notices")

    def ready(self):
        from . import pack

        pack.register()
