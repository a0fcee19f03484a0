from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "escalade.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from escalade.core import events
        from escalade.incidents import events as incident

        from . import pack, services, timeline

        pack.register()
        timeline.register_all()
        events.subscribe(incident.IncidentClassified, services.incident_classified)
        events.subscribe(incident.IncidentClosing, services.incident_closing)
        events.subscribe(incident.PatientSafetyFlagged, services.patient_safety_flagged)
