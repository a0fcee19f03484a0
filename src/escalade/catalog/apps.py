from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "escalade.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")

    def ready(self):
        from . import pack

        pack.register()
