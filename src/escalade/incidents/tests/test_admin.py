"""Logging an incident in the admin takes the intake path: number, classification, ticket."""

import pytest

from escalade.accounts.choices import Role
from escalade.incidents.models import Incident, SymptomCategory

pytestmark = pytest.mark.django_db


def test_an_incident_added_in_the_admin_is_numbered_and_classified(client, cusm, make_user):
    admin = make_user(Role.MANAGER, [cusm], username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    codec = SymptomCategory.objects.get(institution=cusm, code="codec")
    r = client.post(
        "/admin/incidents/incident/add/",
        {
            "institution": cusm.pk,
            "channel": "email",
            "requester_name": "Dr Roy",
            "requester_role": "clinician",
            "requester_site": "HGM",
            "requester_phone": "514-934-1934",
            "requester_phone_ext": "",
            "session_ref": "",
            "symptom": codec.pk,
            "summary": "Codec down",
            "description": "",
            "impact": "medium",
            "urgency": "medium",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    incident = Incident.objects.get()
    assert incident.number.startswith("CCT-") and incident.severity == "major"
    assert incident.ticket.number.startswith("C2-")


def test_a_bad_phone_is_refused_in_the_admin_form(client, cusm, make_user):
    admin = make_user(Role.MANAGER, [cusm], username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    codec = SymptomCategory.objects.get(institution=cusm, code="codec")
    r = client.post(
        "/admin/incidents/incident/add/",
        {
            "institution": cusm.pk,
            "channel": "email",
            "requester_name": "Dr Roy",
            "requester_role": "clinician",
            "requester_site": "HGM",
            "requester_phone": "12",
            "symptom": codec.pk,
            "summary": "Codec down",
            "impact": "medium",
            "urgency": "medium",
        },
    )
    assert r.status_code == 200 and "pas un numéro de téléphone valide" in r.content.decode()
    assert Incident.objects.count() == 0
