"""Factories for the data sources: a conformance report received through the service
(datasources.services.receive_report), sealed and routed as an upload is."""

from escalade.datasources import services

from .conftest import REPORT


def report(actor, organisation, data: bytes = REPORT, filename: str = "errors.hl7"):
    """A Weekly Conformance Errors report of `organisation`, uploaded by `actor`."""
    return services.receive_report(actor, organisation, filename, data)
