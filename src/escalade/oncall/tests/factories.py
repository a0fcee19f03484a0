"""Factories for the on-call app: an incident with the clocks its pack gives it (the
clocks start through the incidents' event, as in production)."""

from escalade.incidents.tests.factories import log
from escalade.oncall.models import Clock


def clocked(actor, institution, **fields):
    """An incident logged now, and its clocks by target."""
    incident = log(actor, institution, **fields)
    return incident, {c.target: c for c in Clock.objects.filter(incident=incident)}
