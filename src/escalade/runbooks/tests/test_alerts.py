"""Monitoring opens outages (seed 004's annex: « maintenance proactive » opens a ticket):
Alertmanager's webhook, a firing alert mapped to a runbook opens its outage or joins it,
a repeat is folded, a resolved one proposes the return to normal, an unmapped one opens
a plain incident."""

import pytest
from django.test import Client

from escalade.incidents.models import Incident
from escalade.notifications.models import Notification
from escalade.runbooks.models import Outage

from .test_api import Api

pytestmark = pytest.mark.django_db


def payload(status, *alerts):
    return {"version": "4", "status": status, "receiver": "escalade", "alerts": list(alerts)}


def alert(name, fingerprint, status="firing", **labels):
    return {
        "status": status,
        "labels": {"alertname": name, "instance": "pacs01:9100", **labels},
        "annotations": {"summary": f"{name} on pacs01"},
        "startsAt": "2026-12-08T09:58:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": fingerprint,
    }


def test_alerts_open_join_fold_and_propose_the_return(pau, crew):
    monitoring = Api(crew["it_technician"])
    r = monitoring.post(
        "/api/alerts/alertmanager", payload("firing", alert("PacsUnreachable", "aa11"))
    )
    assert r.status_code == 200, r.content
    (opened,) = r.json()["opened"]
    outage = Outage.objects.get(pk=opened)
    assert outage.runbook.code == "case3_pacs" and outage.broadcasts.count() == 1
    assert "instance=pacs01:9100" in outage.note
    again = monitoring.post(
        "/api/alerts/alertmanager", payload("firing", alert("PacsUnreachable", "aa11"))
    )
    assert again.json()["folded"] == ["aa11"] and Outage.objects.count() == 1
    other = monitoring.post(
        "/api/alerts/alertmanager",
        payload("firing", alert("PacsUnreachable", "bb22", instance="pacs02")),
    )
    assert other.json()["joined"] == [outage.pk] and Outage.objects.count() == 1
    back = monitoring.post(
        "/api/alerts/alertmanager",
        payload("resolved", alert("PacsUnreachable", "aa11", "resolved")),
    )
    assert back.json()["resolved"] == ["aa11"]
    outage.refresh_from_db()
    assert outage.state == "active"  # monitoring proposes; people decide
    (note,) = Notification.objects.filter(kind="outage_back")
    assert note.user == crew["it_technician"] and note.params["outage"] == outage.pk
    # the outage's incident says whom it told, and that no e-mail went (no address)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(crew["it_technician"])
    html = client.get(f"/incidents/{outage.incident.number}/").content.decode()
    assert "Told in the application (no e-mail address): pau-it_technician" in html


def test_an_alert_that_maps_to_nothing_opens_a_plain_incident(pau, crew):
    r = Api(crew["it_technician"]).post(
        "/api/alerts/alertmanager", payload("firing", alert("DiskAlmostFull", "cc33", disk="/var"))
    )
    (number,) = r.json()["incidents"]
    incident = Incident.objects.get(number=number)
    assert incident.summary == "DiskAlmostFull" and "disk=/var" in incident.description
    assert Outage.objects.count() == 0


def test_the_webhook_needs_a_token_of_a_role_that_runs_outages(pau, crew, client):
    body = payload("firing", alert("PacsUnreachable", "dd44"))
    assert (
        client.post("/api/alerts/alertmanager", body, content_type="application/json").status_code
        == 401
    )
    assert Api(crew["requester"]).post("/api/alerts/alertmanager", body).status_code == 403
    bad = Api(crew["it_technician"]).post("/api/alerts/alertmanager", {**body, "version": "3"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "version"
    assert Outage.objects.count() == 0


def test_unmapped_alerts_of_one_group_open_one_incident(pau, crew, settings):
    """Issue 25, finding 3: 200 unmapped alerts in one call opened 200 incidents."""
    settings.ESCALADE_ALERTS_INLINE = 500  # taken in the request here
    body = payload(
        "firing", *[alert("DiskAlmostFull", f"f{i:03}", disk=f"/d{i}") for i in range(200)]
    )
    body["groupKey"] = '{}:{alertname="DiskAlmostFull"}'
    r = Api(crew["it_technician"]).post("/api/alerts/alertmanager", body)
    assert r.status_code == 200, r.content[:300]
    assert len(r.json()["incidents"]) == 1 and len(r.json()["folded"]) == 199
    assert Incident.objects.count() == 1
    # the next call of the same group joins it too
    again = payload("firing", alert("DiskAlmostFull", "g001", disk="/e"))
    again["groupKey"] = body["groupKey"]
    assert Api(crew["it_technician"]).post("/api/alerts/alertmanager", again).json()["folded"] == [
        "g001"
    ]
    assert Incident.objects.count() == 1


def test_a_call_over_the_cap_is_refused_whole_at_once(pau, crew, settings):
    settings.ESCALADE_ALERTS_MAX_PER_CALL = 500
    body = payload("firing", *[alert("Noise", f"n{i:04}") for i in range(5000)])
    r = Api(crew["it_technician"]).post("/api/alerts/alertmanager", body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "alerts"
    said = r.json()["errors"][0]["message"]  # in the token's owner's language
    assert "5000" in said and "500 " in said and "max_alerts" in said
    assert Incident.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_a_large_call_answers_at_once_and_a_worker_takes_it(pau, crew, settings):
    """A call of more than ESCALADE_ALERTS_INLINE alerts writes nothing in the request
    (202 at once); a worker takes it, one incident for the group, and a retry of the same
    call folds everything."""
    from escalade.core import workers
    from escalade.runbooks.models import Alert

    settings.ESCALADE_ALERTS_INLINE = 20
    body = payload("firing", *[alert("Noise", f"q{i:03}") for i in range(300)])
    body["groupKey"] = '{}:{alertname="Noise"}'
    r = Api(crew["it_technician"]).post("/api/alerts/alertmanager", body)
    assert r.status_code == 202 and r.json() == {"queued": 300}
    assert Incident.objects.count() == 0
    workers.run_worker(batch=True, interval=0)
    assert Incident.objects.count() == 1
    Api(crew["it_technician"]).post("/api/alerts/alertmanager", body)  # Alertmanager again
    workers.run_worker(batch=True, interval=0)
    assert Incident.objects.count() == 1
    assert Alert.objects.count() == 300 and sum(a.repeats for a in Alert.objects.all()) == 300
