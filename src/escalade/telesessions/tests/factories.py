"""A telehealth session for tests: point to point, Gatineau -> Montréal, starting now."""

import datetime as dt

from django.utils import timezone

from escalade.telesessions import services


def make_session(actor, institution, *, start=None, minutes=60, **fields):
    start = start or timezone.now()
    values = {
        "kind": "point_to_point",
        "requesting_site": "Hôpital de Gatineau",
        "provider_sites": ["Hôpital général de Montréal"],
        **fields,
    }
    return services.create_session(
        actor,
        institution,
        services.SessionInput(start=start, end=start + dt.timedelta(minutes=minutes), **values),
    )
