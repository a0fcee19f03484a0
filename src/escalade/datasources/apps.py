from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatasourcesConfig(AppConfig):
    name = "escalade.datasources"
    label = "datasources"
    verbose_name = _("Data sources and terminology")

    def ready(self):
        from escalade.core import retention as _retention

        from .services.retention import purge_reports

        _retention.register("sealed_reports", purge_reports)
        from escalade.mailin import handlers as mail_handlers

        from . import mail, pack

        pack.register()
        mail_handlers.register("datasources.worksheet", mail.worksheet)
        mail_handlers.register("datasources.conformance_report", mail.conformance_report)
