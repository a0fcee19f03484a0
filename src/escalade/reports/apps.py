from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "escalade.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from . import timeline

        timeline.register_all()
