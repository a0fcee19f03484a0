"""Domain events (core/events.py): what a subscriber sees, when it runs, and what its
failure does to the change that published the event."""

import copy
from dataclasses import dataclass

import pytest

from escalade.core import events
from escalade.core.models import AuditEvent
from escalade.incidents.events import IncidentResolved
from escalade.incidents.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def isolated(monkeypatch):
    """The real subscribers, plus whatever the test adds, removed afterwards."""
    monkeypatch.setattr(events, "_subscribers", copy.deepcopy(events._subscribers))


def _open_incident(api, body) -> str:
    return api("level1_agent").post("/api/incidents", body(channel="web")).json()["number"]


def test_a_refusing_subscriber_rolls_the_whole_move_back(api, body, isolated):
    from escalade.core.errors import Conflict

    number = _open_incident(api, body)

    def refuse(event):
        raise Conflict("not today", field="status")

    events.subscribe(IncidentResolved, refuse)
    r = api("level2_analyst").post(f"/api/incidents/{number}/resolve", {"resolution": "ok"})
    assert r.status_code == 409 and r.json()["errors"][0]["message"] == "not today"
    incident = Incident.objects.get(number=number)
    assert incident.status == "new" and incident.resolved_at is None
    assert not AuditEvent.objects.filter(object_id=str(incident.pk), action="resolved").exists()


def test_after_commit_subscribers_run_once_committed_and_never_after_a_rollback(
    api, body, isolated, django_capture_on_commit_callbacks
):
    seen = []
    events.subscribe(IncidentResolved, lambda e: seen.append(e.incident.status), after_commit=True)
    number = _open_incident(api, body)
    analyst = api("level2_analyst")
    with django_capture_on_commit_callbacks(execute=True):
        analyst.post(f"/api/incidents/{number}/resolve", {"resolution": "ok"})
    assert seen == ["resolved"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        r = analyst.post(f"/api/incidents/{number}/resolve", {"resolution": "twice"})
    assert r.status_code == 409 and seen == ["resolved"] and callbacks == []


def test_an_after_commit_failure_is_logged_and_the_change_stands(
    api, body, isolated, django_capture_on_commit_callbacks, caplog
):
    def broken(event):
        raise RuntimeError("screen unreachable")

    events.subscribe(IncidentResolved, broken, after_commit=True)
    number = _open_incident(api, body)
    with django_capture_on_commit_callbacks(execute=True):
        r = api("level2_analyst").post(f"/api/incidents/{number}/resolve", {"resolution": "ok"})
    assert r.status_code == 200
    assert Incident.objects.get(number=number).status == "resolved"
    assert "screen unreachable" in caplog.text and "incident.resolved" in caplog.text


def test_events_are_declared_once_by_name():
    @dataclass(frozen=True, kw_only=True)
    class Twin(events.Event):
        name = "incident.resolved"

    with pytest.raises(ValueError, match="already"):
        events.declare(Twin)

    @dataclass(frozen=True, kw_only=True)
    class Undeclared(events.Event):
        name = "nobody.knows"

    with pytest.raises(ValueError, match="not a declared event"):
        events.subscribe(Undeclared, print)
    assert "incident.created" in events.declared()
    assert "session.troubleshooting_started" in events.declared()
    assert "outage.activated" in events.declared()
