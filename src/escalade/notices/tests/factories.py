"""Factories for service notices: the body of a planned one (as the API takes it), and a
notice published through the service (notices.services.publish)."""

from django.utils import timezone

from escalade.notices import services


def planned(start, end, **extra):
    """The body of a planned interruption of the clinical viewer."""
    return {
        "kind": "planned",
        "title": "Clinical viewer upgrade",
        "body": "Version 8.2 of the viewer.",
        "user_action": "Use the paper downtime procedure.",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "services": ["Clinical viewer"],
        "organisations": ["hopital-nord", "clinique-est"],
        **extra,
    }


def notice(actor, institution, **data):
    """An unplanned interruption published now (no notice period to respect)."""
    body = {"kind": "unplanned", "title": "Bridge down", "start": timezone.now(), **data}
    return services.publish(actor, institution, body)
