"""The outages API as seed 004's outage runs through it: activate, whom to call, the
checklist, the registry, the return to normal, reconciliation, close; the workstations'
current broadcasts without signing in."""

import pytest
from django.test import Client

from escalade.accounts.services import create_api_token

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user, lang="fr"):
        self.client = Client(
            HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE=lang
        )

    def get(self, path, **params):
        return self.client.get(path, params)

    def post(self, path, body=None, **extra):
        return self.client.post(path, body or {}, content_type="application/json", **extra)


def test_an_outage_from_activation_to_close(pau, crew):
    it = Api(crew["it_technician"])
    r = it.post("/api/outages", {"runbook": "case4_ris_pacs"})
    assert r.status_code == 201, r.content
    outage = r.json()
    assert outage["state"] == "active" and outage["incident"]["severity"] == "major"
    assert outage["incident"]["ticket"].startswith("PAUT-")
    assert sorted((b["group"], b["type"], b["title"]) for b in outage["broadcasts"]) == [
        ("all", "warning", "RIS et PACS en panne"),
        ("imaging", "warning", "RIS et PACS en panne"),
    ]
    # whom to call now: the hotline or the on-call, exactly one of them open
    channels = outage["contacts"][0]["channels"]
    assert [c["ref"] for c in channels] == ["it_service.hotline", "it_service.on_call"]
    assert sum(c["open_now"] for c in channels) == 1
    oid = outage["id"]
    shown = Client().get("/api/broadcasts/current", {"host": "MRADI001"})
    assert shown.status_code == 200 and {b["group"] for b in shown.json()} == {"imaging", "all"}
    first = it.post(
        f"/api/outages/{oid}/entries",
        {
            "last_name": "Durand",
            "first_name": "Léa",
            "birth_date": "1980-02-01",
            "exam": "IRM",
            "modality": "MR",
        },
    )
    assert first.status_code == 201 and first.json()["provisional"] is True
    assert first.json()["ipp"].startswith("P") and first.json()["episode"] == "0"
    r = it.post(f"/api/outages/{oid}/steps/1", {"state": "done"})
    assert r.json()["steps"][0]["state"] == "done"
    r = it.post(f"/api/outages/{oid}/close", {})
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "not_allowed_now"
    r = it.post(f"/api/outages/{oid}/restore", {})
    assert r.status_code == 200 and r.json()["state"] == "restoring"
    assert r.json()["left"] == {"steps": 2, "reconciliations": 1}
    r = it.post(f"/api/outages/{oid}/close", {"review_needed": True})
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "open_work"
    for step in it.get(f"/api/outages/{oid}").json()["steps"]:
        if step["phase"] == "restore":
            it.post(f"/api/outages/{oid}/steps/{step['n']}", {"state": "done"})
    entry = first.json()["id"]
    r = it.post(
        f"/api/outages/{oid}/entries/{entry}/reconcile", {"ipp": "7654321", "episode": "88"}
    )
    assert r.status_code == 200 and r.json()["ipp"] == "7654321"
    r = it.post(f"/api/outages/{oid}/close", {"review_needed": True})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert r.json()["review_needed"] is True


def test_bad_input_is_named_and_writes_nothing(pau, crew):
    it = Api(crew["it_technician"], lang="en")
    r = it.post("/api/outages", {"runbook": "case9"})
    assert r.status_code == 422
    assert (
        r.json()["errors"][0]["code"] == "unknown_runbook"
        and "case1_label" in r.json()["errors"][0]["message"]
    )
    oid = it.post("/api/outages", {"runbook": "case3_pacs"}).json()["id"]
    r = it.post(f"/api/outages/{oid}/entries", {"last_name": "X", "birth_date": "1980-02-01"})
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} >= {"exam"}
    assert it.get(f"/api/outages/{oid}").json()["entries"] == []
    r = it.post(f"/api/outages/{oid}/steps/1", {"state": "maybe"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_one_of"


def test_runbooks_say_whom_to_call_at_the_moment_asked(pau, crew):
    agent = Api(crew["level1_agent"])
    r = agent.get("/api/runbooks/case7_archive", at="2026-12-08T23:00:00+01:00")
    assert r.status_code == 200
    steps = r.json()["degraded"]
    assert [s["applies_now"] for s in steps] == [True, True] and steps[1][
        "when"
    ] == "imadis_activity"
    r = agent.get("/api/runbooks/case7_archive", at="2026-12-08T14:00:00+01:00")
    assert [s["applies_now"] for s in r.json()["degraded"]] == [True, False]
    listed = agent.get("/api/runbooks").json()["items"]
    assert len(listed) == 12 and listed[2]["start_broadcasts"][0]["title"] == "PACS en panne"
    assert Api(crew["requester"]).get("/api/runbooks").status_code == 403


def test_the_temporary_access_code_is_logged_never_kept(pau, crew):
    it = Api(crew["it_technician"], lang="en")
    oid = it.post("/api/outages", {"runbook": "case6_patient_access"}).json()["id"]
    path = f"/api/outages/{oid}/access-codes"
    r = it.post(path, {"event": "given", "given_to": "Dr Roux, Clinique du Sud", "code": "7Hq!2"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "unknown_field"
    assert it.post(path, {"event": "given"}).json()["errors"][0]["field"] == "given_to"
    assert it.post(path, {"event": "changed"}).status_code == 200
    r = it.post(path, {"event": "given", "given_to": "Dr Roux, Clinique du Sud"})
    log = r.json()["access_log"]
    assert [(a["event"], a["to"]) for a in log] == [
        ("changed", ""),
        ("given", "Dr Roux, Clinique du Sud"),
    ]
    assert r.json()["access_codes"] is True
    from escalade.core.models import AuditEvent

    assert not any("7Hq!2" in str(e.data) for e in AuditEvent.objects.all())
