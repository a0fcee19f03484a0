"""Who is told during a live session's trouble (seed 000 steps 5-7 and 10), whatever door
the work goes through (issue 24)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from escalade.accounts.services import create_api_token
from escalade.notifications.models import Notification, OutgoingMail
from escalade.notifications.services import render
from escalade.telesessions import services
from escalade.telesessions.tests.factories import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(cusm, team):
    return make_session(
        team["level1_agent"],
        cusm,
        start=timezone.now() - dt.timedelta(minutes=5),
        clinical_contact="Dre Paquette, paquette@gatineau.example.org",
    )


def test_resolving_the_live_incident_through_the_api_tells_the_clinical_coordinator(session, team):
    protocol = services.start_troubleshooting(
        team["telehealth_technician"], session, symptom="codec"
    )
    token = create_api_token(team["level2_analyst"])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    r = api.post(
        f"/api/incidents/{protocol.incident.number}/resolve",
        {"resolution": "Codec restarted by the bridge."},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    protocol.refresh_from_db()
    assert protocol.state == "resolved"
    assert Notification.objects.filter(
        user=team["clinical_coordinator"], kind="protocol_resolved"
    ).exists()


def test_at_15_minutes_the_coordinator_and_the_sites_contact_are_told(session, team):
    t0 = timezone.now()
    with time_machine.travel(t0, tick=False):
        protocol = services.start_troubleshooting(
            team["telehealth_technician"], session, symptom="codec"
        )
    # what the background task does at 15 minutes (test_protocol runs the real worker)
    assert services.apply_mark(protocol.pk, "warn", now=t0 + dt.timedelta(minutes=15, seconds=1))
    for role in ("telehealth_technician", "clinical_coordinator"):
        note = Notification.objects.get(user=team[role], kind="protocol_warn")
        assert "Dre Paquette" in render(note)
    told = [m for m in OutgoingMail.objects.all() if "paquette@gatineau.example.org" in m.to]
    assert len(told) == 1 and "15" in told[0].subject
