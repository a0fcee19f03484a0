"""Transmission monitoring (seed 002: « Surveiller régulièrement l'ensemble des alertes
et messages d'erreur liés à la réception des transmissions »): the interface engine's
heartbeats, a rejection rate over the threshold, silence; one incident per episode."""

import datetime as dt

import pytest
from django.test import Client

from escalade.accounts.services import create_api_token
from escalade.datasources import services
from escalade.datasources.models import DataSource
from escalade.incidents.models import Incident
from escalade.notifications.models import OutgoingMail

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def beat(user, at, messages, rejected, code="nord-lab"):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}").post(
        f"/api/datasources/{code}/heartbeat",
        {"at": at.isoformat(), "messages": messages, "rejected": rejected},
        content_type="application/json",
    )


def test_rejections_over_the_threshold_open_one_incident_per_episode(ontario, desk):
    from django.utils import timezone

    engine = desk["it_technician"]
    T0 = timezone.now() - dt.timedelta(minutes=50)  # noqa: N806 - within the 2 h limit
    r = beat(engine, T0, 1000, 3)
    assert r.status_code == 200, r.content
    assert (r.json()["state"], r.json()["incident"]) == ("ok", None)
    r = beat(engine, T0 + dt.timedelta(minutes=10), 200, 40)  # 20 %, threshold 5 %
    body = r.json()
    assert body["state"] == "rejecting" and body["incident"]
    incident = Incident.objects.get(number=body["incident"])
    assert incident.requester_name == "Hôpital régional du Nord"
    assert "20.0" in incident.summary and incident.symptom.code == "transmission_error"
    [mail] = OutgoingMail.objects.filter(to=["c.ouellet@hopital-nord.example.org"])
    assert incident.number in mail.subject  # the interface specialist, in French
    beat(engine, T0 + dt.timedelta(minutes=20), 100, 30)  # still over: the same episode
    assert Incident.objects.count() == 1
    r = beat(engine, T0 + dt.timedelta(minutes=30), 500, 1)  # back under: episode over
    assert (r.json()["state"], r.json()["incident"]) == ("ok", None)
    beat(engine, T0 + dt.timedelta(minutes=40), 100, 50)  # a new episode
    assert Incident.objects.count() == 2


def test_silence_longer_than_the_limit_opens_one_incident(ontario, desk):
    beat(desk["it_technician"], T0, 100, 0)
    assert services.check_silence(T0 + dt.timedelta(minutes=119)) == []
    assert services.check_silence(T0 + dt.timedelta(minutes=121)) == ["nord-lab"]
    assert services.check_silence(T0 + dt.timedelta(minutes=180)) == []  # same episode
    source = DataSource.objects.get(code="nord-lab")
    assert source.trouble == "silence" and "121 minutes" in source.trouble_incident.summary
    beat(desk["it_technician"], T0 + dt.timedelta(minutes=190), 100, 0)  # it speaks again
    source.refresh_from_db()
    assert source.trouble == "" and Incident.objects.count() == 1


def test_the_desk_reads_the_state_and_only_the_engines_roles_report(ontario, desk):
    r = beat(desk["level1_agent"], T0, 10, 0)
    assert r.status_code == 403
    r = beat(desk["it_technician"], T0, 10, 20)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "rejected"
    listed = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(desk['level1_agent'])}").get(
        "/api/datasources"
    )
    assert [s["code"] for s in listed.json()["items"]] == ["nord-adt", "nord-lab", "ouest-lab"]
    assert {s["state"] for s in listed.json()["items"]} == {"never"}


def test_a_heartbeat_dated_in_the_future_is_refused(ontario, desk):
    """Issue 25, finding 7: a heartbeat dated 9999 was taken and hid the silence alarm."""
    from django.utils import timezone

    engine = desk["it_technician"]
    r = beat(engine, dt.datetime(9999, 1, 1, tzinfo=dt.UTC), 10, 0)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "at"
    assert DataSource.objects.get(code="nord-lab").last_transmission_at is None
    # a clock a minute ahead is still taken
    assert beat(engine, timezone.now() + dt.timedelta(minutes=1), 10, 0).status_code == 200
