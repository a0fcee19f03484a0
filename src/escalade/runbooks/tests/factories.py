"""Factories for outages: a runbook activated through the service (runbooks.services
.activate), with its major incident, checklist and broadcasts."""

from escalade.runbooks import services


def outage(actor, institution, runbook: str = "case3_pacs", **kwargs):
    """The outage of `runbook` (a code of the institution's runbooks.yaml), activated now
    unless `at` says when."""
    return services.activate(actor, institution, runbook, **kwargs)
