"""Factories for the reports: the major-incident report a major incident gets, drafted
by the service (reports.services.ensure_draft) as the classification event does."""

from escalade.incidents.tests.factories import log
from escalade.reports import services


def major_report(actor, institution, **fields):
    """A major incident (a bridge down, seed 000's major list) and its report draft."""
    incident = log(actor, institution, **{"symptom": "bridge", **fields})
    return services.ensure_draft(incident)
