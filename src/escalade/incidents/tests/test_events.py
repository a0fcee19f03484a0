"""Every move of an incident publishes its event, once, whatever door it came through:
the apps built on incidents (reports, mail, sessions, webhooks, the on-call clocks)
hear of it without incidents importing them."""

import copy

import pytest

from escalade.core import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch):
    """The names (and a few fields) of the events published during the test."""
    monkeypatch.setattr(events, "_subscribers", copy.deepcopy(events._subscribers))
    seen = []
    events.subscribe_all(lambda e: seen.append(e))
    return seen


def test_the_api_moves_publish_their_events_in_order(api, body, heard):
    agent, analyst = api("level1_agent"), api("level2_analyst")
    number = agent.post("/api/incidents", body(symptom="pc_simple", channel="web")).json()["number"]
    assert [e.name for e in heard] == ["incident.classified", "incident.created"]
    assert heard[0].new is True and heard[0].severity == "minor"
    heard.clear()
    agent.post(f"/api/incidents/{number}/start")
    agent.post(f"/api/incidents/{number}/escalate", {"to_level": 2, "reason": "black screen"})
    analyst.post(
        f"/api/incidents/{number}/priority",
        {"impact": "high", "urgency": "high", "reason": "a clinic"},
    )
    analyst.post(f"/api/incidents/{number}/notes", {"text": "RMA opened"})
    analyst.post(f"/api/incidents/{number}/patient-safety", {"level": "possible", "note": "delay"})
    analyst.post(f"/api/incidents/{number}/resolve", {"resolution": "Codec replaced"})
    r = analyst.post(f"/api/incidents/{number}/close")  # refused: the report is incomplete
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "report", r.json()
    analyst.post(f"/api/incidents/{number}/reopen", {"reason": "black again"})
    assert [e.name for e in heard] == [
        "incident.started",
        "incident.classified",  # escalated to level 2: major now
        "incident.escalated",
        "incident.reprioritized",
        "incident.note_added",
        "incident.patient_safety_flagged",
        "incident.resolved",
        # incident.closing: refused by reports before the catch-all subscribers (the
        # webhooks) hear it, and the close rolled back
        "incident.reopened",
    ]
    escalated = heard[2]
    assert (escalated.from_level, escalated.to_level, escalated.actor.username) == (
        1,
        2,
        "level1_agent",
    )
    assert heard[1].severity == "major" and heard[1].new is False
    assert heard[3].priority == heard[3].incident.priority
    assert heard[4].to_requester is False and heard[4].note.text == "RMA opened"
    assert heard[5].level == "possible"
    assert heard[7].reason == "black again"


def test_the_page_publishes_the_same_events_as_the_api(client, staff, cusm, api, body, heard):
    number = api("level1_agent").post("/api/incidents", body(channel="web")).json()["number"]
    heard.clear()
    client.force_login(staff["level1_agent"])
    client.post(f"/incidents/{number}/start/")
    client.post(f"/incidents/{number}/resolve/", {"resolution": "mute key"})
    assert [e.name for e in heard] == ["incident.started", "incident.resolved"]
    assert all(e.incident.number == number for e in heard)


def test_webhooks_hear_the_events_partners_know_and_no_others(api, body, heard):
    from escalade.core.models import Institution
    from escalade.notifications.models import Webhook, WebhookDelivery

    Webhook.objects.create(
        institution=Institution.objects.get(code="cusm"),
        url="https://partner.example.org/hook",
        secret="s3cret",
    )
    agent = api("level1_agent")
    number = agent.post("/api/incidents", body(symptom="pc_simple", channel="web")).json()["number"]
    agent.post(f"/api/incidents/{number}/escalate", {"to_level": 2, "reason": "black screen"})
    agent.post(f"/api/incidents/{number}/notes", {"text": "called back"})
    sent = list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True))
    assert sent == ["incident.created", "incident.escalated"]
    data = WebhookDelivery.objects.order_by("pk").last().payload
    assert data["number"] == number and data["level"] == 2 and data["ticket"].startswith("C2-")
