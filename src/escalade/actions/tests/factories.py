"""Factories for action items: made through the service, as a report's author does."""

import datetime as dt

from django.utils import timezone

from escalade.actions import services
from escalade.actions.choices import ActionSource


def item(actor, incident, owner, *, due=None, text="Replace the bridge's power supply"):
    """An action item a major incident's report asks for."""
    return services.add(
        actor,
        incident,
        source=ActionSource.MAJOR_REPORT,
        text=text,
        owner=owner,
        due=due or timezone.now().date() + dt.timedelta(days=14),
        link=f"/incidents/{incident.number}/report/",
        label=incident.number,
    )
