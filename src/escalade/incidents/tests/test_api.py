"""The incidents API: exact paths and fields, errors as JSON, idempotency."""

import pytest
from django.db import connection

from escalade.incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_post_creates_a_minor_incident_with_every_documented_field(api, body):
    r = api("level1_agent").post("/api/incidents", body(channel="web"))
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["number"].startswith("CCT-") and len(out["number"]) == len("CCT-2026-000001")
    assert out["severity"] == "minor"
    assert out["classification"]["rule"] == "held_at_level_1"
    assert "Simple sound problem" in out["classification"]["reason"]
    assert (out["level"], out["status"], out["ticket"]) == (1, "new", None)
    assert out["priority"] == 4  # the symptom's rating: low impact x medium urgency
    assert {a["role"] for a in out["assignees"]} == {"telehealth_technician", "event_coordinator"}
    assert out["created_at"].endswith("Z") or "+00:00" in out["created_at"]
    assert out["requester"]["phone"] == "+15144124400" and out["requester"]["phone_ext"] == "23456"


def test_post_a_major_symptom_returns_its_c2_ticket(api, body):
    out = api("level1_agent").post("/api/incidents", body(symptom="packet_loss")).json()
    assert out["severity"] == "major"
    assert out["ticket"]["number"].startswith("C2-")


def test_every_bad_field_is_reported_with_its_reason_and_nothing_is_written(api, body):
    bad = body(symptom="wifi", channel="fax")
    bad["requester"] = {"name": "", "role": "doctor", "site": "Lachine", "phone": "123"}
    r = api("level1_agent").post("/api/incidents", bad)
    assert r.status_code == 422
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert set(errors) == {
        "symptom",
        "channel",
        "requester.name",
        "requester.role",
        "requester.phone",
    }
    assert "lan" in errors["symptom"] and "sound_simple" in errors["symptom"]
    assert Incident.objects.count() == 0


def test_a_missing_field_is_named(api, body):
    payload = body()
    del payload["symptom"]
    r = api("level1_agent").post("/api/incidents", payload)
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "symptom", "code": "required", "message": "This field is required."}
    ]


def test_no_token_is_401_and_a_bad_token_too(client, cusm):
    r = client.get("/api/incidents")
    assert r.status_code == 401 and r.json()["errors"][0]["field"] == "Authorization"
    r = client.get("/api/incidents", HTTP_AUTHORIZATION="Bearer nope")
    assert r.status_code == 401


def test_idempotency_key_returns_the_first_response_and_writes_nothing_new(api, body):
    agent = api("level1_agent")
    first = agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="call-42")
    again = agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="call-42")
    assert first.status_code == again.status_code == 201
    assert again.json()["number"] == first.json()["number"]
    assert again["Idempotent-Replayed"] == "true"
    assert Incident.objects.count() == 1
    other = agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="call-43")
    assert other.json()["number"] != first.json()["number"]


def test_the_same_key_on_another_path_is_refused(api, body):
    agent = api("level1_agent")
    number = agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="k1").json()["number"]
    r = agent.post(f"/api/incidents/{number}/notes", {"text": "hi"}, HTTP_IDEMPOTENCY_KEY="k1")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "Idempotency-Key"


def test_escalate_resolve_close_reopen_notes_reclassify_through_the_api(api, body):
    agent, analyst = api("level1_agent"), api("level2_analyst")
    number = agent.post("/api/incidents", body(symptom="pc_simple")).json()["number"]
    r = agent.post(
        f"/api/incidents/{number}/escalate", {"to_level": 2, "reason": "screen stays black"}
    )
    assert r.status_code == 200
    assert (r.json()["severity"], r.json()["level"]) == ("major", 2)
    assert r.json()["ticket"]["number"].startswith("C2-")
    r = analyst.post(
        f"/api/incidents/{number}/escalate",
        {"to_level": 3, "reason": "supplier", "partner": "Polycom", "external_ref": "PC-77"},
    )
    assert r.json()["escalations"][-1]["external_ref"] == "PC-77"
    assert analyst.post(f"/api/incidents/{number}/notes", {"text": "RMA opened"}).status_code == 201
    assert analyst.post(f"/api/incidents/{number}/resolve", {"resolution": ""}).status_code == 422
    assert (
        analyst.post(f"/api/incidents/{number}/resolve", {"resolution": "Codec replaced"}).json()[
            "status"
        ]
        == "resolved"
    )
    r = analyst.post(f"/api/incidents/{number}/close")
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "report"
    assert "cause" in r.json()["errors"][0]["message"]
    r = analyst.client.put(
        f"/api/reports/major/{number}",
        {
            "cause": "Codec firmware",
            "organisational_repercussions": "Clinic late by one hour",
            "clinical_repercussions": "Two consultations delayed",
            "distribution": ["cct@example.org"],
        },
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["complete"] is True
    assert analyst.post(f"/api/incidents/{number}/close").json()["status"] == "closed"
    r = analyst.post(f"/api/incidents/{number}/reopen", {"reason": "black again"})
    assert r.json()["status"] == "in_progress"
    r = analyst.post(
        f"/api/incidents/{number}/reclassify", {"severity": "minor", "reason": "user error"}
    )
    assert r.json()["severity"] == "minor" and r.json()["classification"]["rule"] == "manual"
    timeline = [e["action"] for e in agent.get(f"/api/incidents/{number}").json()["timeline"]]
    for action in (
        "created",
        "classified",
        "escalated",
        "ticket_opened",
        "note_added",
        "resolved",
        "closed",
        "reopened",
        "reclassified",
    ):
        assert action in timeline


def test_a_call_not_resolved_on_the_first_call_is_major_with_the_reason(api, body):
    """Seed 000: a phone call left open after the first call is major; resolved on it,
    minor (even a codec); the explanation says which."""
    agent = api("level1_agent")
    open_call = agent.post("/api/incidents", body()).json()
    assert open_call["severity"] == "major" and open_call["ticket"]["number"].startswith("C2-")
    assert open_call["classification"]["rule"] == "not_resolved_on_first_call"
    assert "first call" in open_call["classification"]["reason"]
    done = agent.post("/api/incidents", body(symptom="codec", resolved_on_first_call=True)).json()
    assert (done["severity"], done["ticket"], done["status"]) == ("minor", None, "resolved")
    assert done["classification"]["rule"] == "resolved_on_first_call"


def test_conflicts_are_409_and_forbidden_moves_403(api, body):
    agent = api("level1_agent")
    number = agent.post("/api/incidents", body()).json()["number"]
    r = agent.post(f"/api/incidents/{number}/close")
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "status"
    r = agent.post(f"/api/incidents/{number}/reclassify", {"severity": "major", "reason": "x"})
    assert r.status_code == 403
    assert agent.get("/api/incidents/CCT-1999-000001").status_code == 404


def test_list_filters_and_full_text_search(api, body):
    agent = api("level1_agent")
    agent.post(
        "/api/incidents", body(summary="Écran noir en salle 3", symptom="pc_simple", channel="web")
    )
    agent.post(
        "/api/incidents", body(summary="Perte de paquets vers Gatineau", symptom="packet_loss")
    )
    agent.post("/api/incidents", body(summary="No sound", resolved_on_first_call=True))
    assert agent.get("/api/incidents").json()["count"] == 3
    assert agent.get("/api/incidents", severity="major").json()["count"] == 1
    assert agent.get("/api/incidents", status="resolved").json()["count"] == 1
    assert agent.get("/api/incidents", status="open").json()["count"] == 2
    assert agent.get("/api/incidents", symptom="pc_simple").json()["count"] == 1
    found = agent.get("/api/incidents", q="écran NOIR").json()
    assert [i["summary"] for i in found["items"]] == ["Écran noir en salle 3"]
    first = agent.get("/api/incidents", limit=2).json()
    assert (first["count"], first["count_exact"], len(first["items"])) == (3, True, 2)
    last = agent.get("/api/incidents", limit=2, cursor=first["next"]).json()
    assert (len(last["items"]), last["next"]) == (1, None)
    assert agent.get("/api/incidents", level=4).status_code == 422


def test_the_schema_and_docs_are_served(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/incidents" in schema["paths"]
    assert "/api/incidents/{number}/escalate" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="prepared statements are a PostgreSQL setting (config/settings.py)",
)
def test_on_postgresql_intake_statements_are_prepared_after_five_runs(api, body):
    client = api("level1_agent")
    numbers = [client.post("/api/incidents", body()).json()["number"] for _ in range(7)]
    assert len(set(numbers)) == 7
    first = int(numbers[0][-6:])
    assert [int(n[-6:]) for n in numbers] == list(range(first, first + 7))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any(s.startswith('INSERT INTO "incidents_incident"') for s in statements)
    assert Incident.objects.count() == 7


def test_level_2_records_the_provincial_desks_ticket_number(api, body):
    """Seed 002: level 2 opens a ticket with the provincial service desk and records its
    number; a partner's reference is recorded from level 2, not at level 1."""
    agent, analyst = api("level1_agent"), api("level2_analyst")
    number = agent.post("/api/incidents", body(channel="web")).json()["number"]
    r = agent.post(
        f"/api/incidents/{number}/escalate",
        {"to_level": 1, "reason": "x", "partner": "Bell", "external_ref": "BELL-1"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "partner"
    r = agent.post(
        f"/api/incidents/{number}/escalate",
        {
            "to_level": 2,
            "reason": "Viewer down for the whole unit",
            "partner": "Provincial service desk",
            "external_ref": "PSD-2026-4471",
        },
    )
    assert r.status_code == 200, r.content
    r = analyst.post(
        f"/api/incidents/{number}/escalate",
        {"to_level": 2, "reason": "Bell's circuit", "partner": "Bell", "external_ref": "BELL-88"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["level"] == 2
