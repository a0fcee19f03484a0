"""Personal health information kept no longer than the pack allows: the daily job run
under a controlled clock anonymises what is past its period, skips what is under a legal
hold, counts (never copies) what it did in the audit log; the holds and the access report
for one patient, by page and API."""

import datetime as dt

import pytest
from django.utils import timezone

from escalade.core import retention
from escalade.core.errors import Conflict, Forbidden, Invalid
from escalade.core.models import AuditEvent
from escalade.incidents import services as incidents
from escalade.incidents.tests.factories import log
from escalade.mailin.models import Message
from escalade.telesessions import services as sessions
from escalade.telesessions.models import SessionPatient, TeleSession

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 3, 3, 14, 0, tzinfo=dt.UTC)


def _session(cusm, patient, start=T0):
    session = TeleSession.objects.create(
        institution=cusm,
        kind="point_to_point",
        start=start,
        end=start + dt.timedelta(hours=1),
        requesting_site="Hôpital de Gatineau",
        provider_sites=["Hôpital général de Montréal"],
    )
    SessionPatient.objects.create(session=session, name=patient, phone="+18199666000")
    return session


def test_the_job_anonymises_what_is_past_its_period_except_under_a_hold(cusm, staff):
    assert retention.held() == set()
    old = _session(cusm, "Jeanne Tremblay")
    held = _session(cusm, "Paul Gagnon")
    recent = _session(cusm, "Marie Roy", start=T0 + dt.timedelta(days=700))
    with pytest.raises(Forbidden):
        sessions.legal_hold(staff["level1_agent"], held, "Complaint 2025-118")
    with pytest.raises(Invalid):
        sessions.legal_hold(staff["manager"], held, " ")
    sessions.legal_hold(staff["manager"], held, "Complaint 2025-118")
    with pytest.raises(Conflict):
        sessions.legal_hold(staff["manager"], held, "again")

    # the pack keeps session patients 730 days: run the job 731 days after the first
    done = retention.apply(now=T0 + dt.timedelta(days=731))
    assert done == {"cusm": {"session_patients": 1}}
    names = dict(SessionPatient.objects.values_list("session_id", "name"))
    assert names == {old.pk: "—", held.pk: "Paul Gagnon", recent.pk: "Marie Roy"}
    assert SessionPatient.objects.get(session=old).phone == ""
    assert TeleSession.objects.count() == 3  # the statistics keep their sessions
    event = AuditEvent.objects.get(action="retention_applied")
    assert event.data["kind"] == "session_patients" and event.data["count"] == 1
    assert "Jeanne" not in str(event.data)
    assert retention.apply(now=T0 + dt.timedelta(days=731)) == {}  # nothing twice

    sessions.release_legal_hold(staff["manager"], held, "Complaint closed")
    assert retention.apply(now=T0 + dt.timedelta(days=731)) == {"cusm": {"session_patients": 1}}
    actions = set(
        AuditEvent.objects.filter(object_id=str(held.pk)).values_list("action", flat=True)
    )
    assert {"legal_hold_set", "legal_hold_released"} <= actions


def test_mail_of_a_closed_incident_is_emptied_unless_the_incident_is_held(cusm, staff):
    kept, emptied = (log(staff["level1_agent"], cusm, symptom="pc_simple") for _ in range(2))
    for incident in (kept, emptied):
        Message.objects.create(
            institution=cusm,
            direction="in",
            via="smtp",
            message_id=f"<{incident.pk}@example.org>",
            state="opened",
            incident=incident,
            text="Mme Tremblay, née le 1957-03-12, ne voit pas son médecin.",
        )
        incidents.resolve(staff["level2_analyst"], incident, "ok")
        incidents.close(staff["level2_analyst"], incident)
    incidents.legal_hold(staff["manager"], kept, "Coroner's request")
    later = timezone.now() + dt.timedelta(days=1826)
    assert retention.apply(now=later)["cusm"] == {"mail_contents": 1}
    texts = dict(Message.objects.values_list("incident_id", "text"))
    assert texts[emptied.pk] == "" and "Tremblay" in texts[kept.pk]


def test_the_access_report_lists_records_and_who_saw_them(client, api, cusm, staff):
    session = _session(cusm, "Jeanne Tremblay")
    sessions.record_patient_access(staff["event_coordinator"], session, "session page")
    r = api("event_coordinator").get(
        "/api/patients/access-report", name="jeanne TREMBLAY", birth_date="1957-03-12"
    )
    assert r.status_code == 200, r.content
    out = r.json()
    assert [x["where"] for x in out["records"]] == [f"/telesessions/{session.pk}/"]
    assert [(a["who"], a["why"]) for a in out["accesses"]] == [
        ("event_coordinator", "session page")
    ]
    assert (
        api("level1_agent")
        .get("/api/patients/access-report", name="Jeanne Tremblay", birth_date="1957-03-12")
        .status_code
        == 403
    )
    missing = api("event_coordinator").get("/api/patients/access-report", name="Jeanne")
    assert {e["field"] for e in missing.json()["errors"]} == {"name", "birth_date"}
    client.force_login(staff["event_coordinator"])
    client.cookies["django_language"] = "fr-ca"
    page = client.get(
        "/patients/access-report/", {"name": "Jeanne Tremblay", "birth_date": "1957-03-12"}
    ).content.decode()
    assert "Affichages enregistrés" in page and "session page" in page
