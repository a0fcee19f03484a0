from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OncallConfig(AppConfig):
    name = "escalade.oncall"
    label = "oncall"
    verbose_name = _("On call")

    def ready(self):
        from escalade.core import events, panels
        from escalade.incidents import events as incident
        from escalade.mailin import handlers as mail_handlers

        from . import pack, selectors, services, timeline

        pack.register()
        timeline.register_all()
        events.subscribe(incident.IncidentCreated, services.incident_created)
        for responded in (incident.IncidentStarted, incident.NoteAdded):
            events.subscribe(responded, services.incident_responded)
        events.subscribe(incident.IncidentEscalated, services.incident_escalated)
        events.subscribe(incident.IncidentReprioritized, services.incident_reprioritized)
        # a classification changed later (a new one's clocks start with incident.created)
        events.subscribe(incident.IncidentClassified, services.incident_reclassified)
        events.subscribe(incident.IncidentResolved, services.incident_resolved)
        events.subscribe(incident.IncidentReopened, services.incident_reopened)
        events.subscribe(incident.IncidentClosed, services.incident_closed)
        events.subscribe(incident.IncidentMerged, services.incident_closed)
        events.subscribe(incident.IncidentAttached, services.incident_attached)
        events.subscribe(incident.IncidentDetached, services.incident_detached)
        # paging until someone acknowledges: what starts a policy
        events.subscribe(incident.IncidentClassified, services.major_classified)
        events.subscribe(incident.PatientSafetyFlagged, services.safety_flagged)
        events.subscribe("session.troubleshooting_started", services.troubleshooting_started)
        events.subscribe("outage.activated", services.outage_activated)
        events.subscribe("outage.units_silent", services.units_silent)
        events.subscribe("outage.unit_confirmed", services.unit_confirmed)
        # a reply to a page's e-mail acknowledges it
        mail_handlers.register_reply("oncall.page", services.mail_reply)
        panels.register(
            "incident",
            "sla",
            context=selectors.clocks_panel,
            template="oncall/incident_clocks.html",
            place="facts",
            order=5,
        )
        panels.register(
            "wallboard",
            "clocks",
            context=selectors.wallboard_panel,
            template="oncall/wallboard_clocks.html",
            place="cells",
            order=5,
        )
        # who is on call, wherever the people to call are shown
        for page in ("catalogue", "help_plan", "outage"):
            panels.register(
                page,
                "oncall",
                context=selectors.on_call_panel,
                template="oncall/on_call_panel.html",
                place="aside",
            )
        panels.register(
            "incident",
            "pages",
            context=selectors.pages_panel,
            template="oncall/incident_pages.html",
            place="facts",
            order=6,
        )
        # the `sla` of the incident's API answer
        panels.register("incident_api", "sla", context=selectors.clocks_panel)
