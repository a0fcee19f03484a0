"""Factories for incidents: every incident is created through the intake service."""

import factory

from escalade.incidents import services


class IncidentInputFactory(factory.Factory):
    class Meta:
        model = services.IncidentInput

    # a web request: open and minor while level 1 holds it (a phone call not resolved on
    # the first call is major, seed 000; tests of calls say channel="phone")
    channel = "web"
    requester_name = factory.Faker("name", locale="fr_CA")
    requester_role = "clinician"
    requester_site = factory.Iterator(
        ["Hôpital général de Montréal", "Hôpital Royal Victoria", "Lachine"]
    )
    symptom = "sound_simple"
    summary = factory.Faker("sentence", nb_words=5, locale="fr_CA")
    requester_phone = "514-934-1934"
    description = ""


def log(actor, institution, **fields):
    return services.log_incident(actor, institution, IncidentInputFactory(**fields))
