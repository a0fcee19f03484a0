"""The telehealth sessions API and the CSV import."""

import pytest

from escalade.core.models import AuditEvent
from escalade.telesessions import services
from escalade.telesessions.models import TeleSession

pytestmark = pytest.mark.django_db

SESSION = {
    "kind": "point_to_point",
    "start": "2026-11-24T09:00:00-05:00",
    "end": "2026-11-24T11:00:00-05:00",
    "requesting_site": "Hôpital de Gatineau",
    "provider_sites": ["Hôpital général de Montréal"],
    "patients": [
        {
            "name": "Jeanne Tremblay",
            "phone": "819-966-6000",
            "appointment": "2026-11-24T09:00:00-05:00",
        },
        {
            "name": "Marc Gagnon",
            "phone": "819 966-6001",
            "appointment": "2026-11-24T09:30:00-05:00",
        },
    ],
}


def test_create_and_read_a_session_patients_only_for_coordinators(api):
    r = api("level1_agent").post("/api/telesessions", SESSION)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["kind"] == "point_to_point" and len(out["patients"]) == 2
    assert "name" not in out["patients"][0] or out["patients"][0]["name"] is None
    coord = api("clinical_coordinator").get(f"/api/telesessions/{out['id']}").json()
    assert [p["name"] for p in coord["patients"]] == ["Jeanne Tremblay", "Marc Gagnon"]
    assert coord["patients"][0]["phone"] == "+18199666000"
    assert AuditEvent.objects.filter(action="phi_viewed", object_id=str(out["id"])).count() == 1


def test_bad_sessions_are_refused_field_by_field(api):
    bad = {
        **SESSION,
        "kind": "hologram",
        "end": "2026-11-24T08:00:00-05:00",
        "provider_sites": [],
        "patients": [{"name": "", "phone": "12"}],
    }
    r = api("level1_agent").post("/api/telesessions", bad)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"kind", "end", "provider_sites", "patients.0.name", "patients.0.phone"}
    assert TeleSession.objects.count() == 0


def test_the_protocol_through_the_api(api):
    sid = api("level1_agent").post("/api/telesessions", SESSION).json()["id"]
    tech = api("telehealth_technician")
    r = tech.post(
        f"/api/telesessions/{sid}/troubleshoot", {"symptom": "audio_video", "description": "frozen"}
    )
    assert r.status_code == 201, r.content
    out = r.json()
    assert [s["n"] for s in out["steps"]] == list(range(1, 13)) and out["recommendation"] is None
    assert all(s["state"] == "pending" for s in out["steps"]) and out["incident"].startswith("CCT-")
    r = tech.post(
        f"/api/telesessions/{sid}/protocol/steps/2", {"state": "done", "note": "patient told"}
    )
    assert r.json()["steps"][1]["state"] == "done"
    assert (
        tech.post(f"/api/telesessions/{sid}/protocol/steps/2", {"state": "maybe"}).status_code
        == 422
    )
    assert tech.get(f"/api/telesessions/{sid}/protocol").json()["elapsed_s"] >= 0
    assert (
        tech.post(f"/api/telesessions/{sid}/cancel", {"reason": "no image"}).json()["status"]
        == "cancelled"
    )
    tasks = api("clinical_coordinator").get(f"/api/telesessions/{sid}/tasks").json()["items"]
    assert sorted(t["kind"] for t in tasks) == [
        "call_back_patient",
        "call_back_patient",
        "explain_to_patient",
        "rebook",
    ]
    names = sorted(t["patient"]["name"] for t in tasks if t["patient"])
    assert names == ["Jeanne Tremblay", "Marc Gagnon"]
    assert all(t["assignee_role"] == "clinical_coordinator" for t in tasks)


CSV = """reference,kind,start,end,requesting_site,provider_sites,patient_name,patient_phone,appointment
S-1,point_to_point,2026-11-24T09:00:00-05:00,2026-11-24T10:00:00-05:00,Gatineau,HGM,Jeanne Tremblay,819-966-6000,2026-11-24T09:00:00-05:00
S-1,point_to_point,2026-11-24T09:00:00-05:00,2026-11-24T10:00:00-05:00,Gatineau,HGM,Marc Gagnon,819-966-6001,2026-11-24T09:30:00-05:00
S-2,hologram,2026-11-24T09:00:00-05:00,2026-11-24T10:00:00-05:00,Gatineau,HGM,Luc Roy,,
S-3,multipoint,2026-11-24T13:00,2026-11-24T14:00:00-05:00,Val-d'Or,HGM;HRV,Ana Diaz,,
S-4,multipoint,2026-11-24T13:00:00-05:00,2026-11-24T14:00:00-05:00,Val-d'Or,HGM;HRV,,,
"""


def test_csv_import_reports_bad_rows_by_line_and_imports_the_good_ones(cusm, staff):
    result = services.import_csv(staff["level1_agent"], cusm, CSV)
    assert result.created == 2
    assert {(e["line"], e["field"]) for e in result.errors} == {(4, "kind"), (5, "")}
    s1 = TeleSession.objects.get(external_ref="S-1")
    assert s1.patients.count() == 2
    assert TeleSession.objects.get(external_ref="S-4").provider_sites == ["HGM", "HRV"]
    again = services.import_csv(staff["level1_agent"], cusm, CSV)
    assert again.created == 0 and any(e["field"] == "reference" for e in again.errors)
    assert TeleSession.objects.count() == 2


def test_the_import_page_shows_the_result(client, staff, cusm):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff["level1_agent"])
    client.cookies["django_language"] = "en"
    r = client.post(
        "/telesessions/", {"form": "import", "file": SimpleUploadedFile("s.csv", CSV.encode())}
    )
    html = r.content.decode()
    assert "2 sessions imported." in html and "Line 4" in html
