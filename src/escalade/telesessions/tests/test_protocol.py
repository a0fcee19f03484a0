"""The live troubleshooting protocol of seed 000, end to end with a controlled clock."""

import datetime as dt
import os
import subprocess
import sys

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from escalade.core.errors import Conflict, Forbidden, Invalid
from escalade.core.models import AuditEvent
from escalade.notifications.models import Notification
from escalade.telesessions import selectors, services
from escalade.telesessions.models import FollowUpTask, Protocol

pytestmark = pytest.mark.django_db(transaction=True)
T0 = dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)


def _session(cusm, staff, kind="point_to_point", patients=3):
    return services.create_session(
        staff["level1_agent"],
        cusm,
        services.SessionInput(
            kind=kind,
            start=T0,
            end=T0 + dt.timedelta(hours=2),
            requesting_site="Hôpital de Gatineau",
            provider_sites=["Hôpital général de Montréal"],
            technical_contact="Luc Caron",
            patients=[
                services.PatientInput(
                    f"Patient {i}", "819-966-6000", T0 + dt.timedelta(minutes=20 * i)
                )
                for i in range(patients)
            ],
        ),
    )


def run_worker():
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0)


def test_the_protocol_opens_a_major_incident_and_twelve_steps(cusm, staff):
    session = _session(cusm, staff)
    with time_machine.travel(T0, tick=False):
        protocol = services.start_troubleshooting(
            staff["telehealth_technician"], session, symptom="sound_simple"
        )
    view = selectors.protocol_view(protocol, now=T0)
    assert [s["n"] for s in view["steps"]] == list(range(1, 13))
    assert view["incident"].startswith("CCT-") and view["ticket"].startswith("C2-")
    assert (
        protocol.incident.severity == "major"
        and protocol.incident.classification_rule == "live_session_trouble"
    )
    step4 = view["steps"][3]
    assert (
        "CECoT telehealth technician" in step4["role"] or "technicien en télésanté" in step4["role"]
    )
    with pytest.raises(Conflict):
        services.start_troubleshooting(staff["telehealth_technician"], session, symptom="codec")


def test_step_4_is_the_bridge_for_a_multipoint_session(cusm, staff):
    from django.utils import translation

    session = _session(cusm, staff, kind="multipoint")
    protocol = services.start_troubleshooting(
        staff["telehealth_technician"], session, symptom="bridge"
    )
    with translation.override("en"):
        assert (
            selectors.protocol_view(protocol)["steps"][3]["role"]
            == "The national videoconference bridge"
        )


def test_warning_at_the_first_mark_and_cancel_recommended_at_the_second_exactly_once(cusm, staff):
    session = _session(cusm, staff)
    with time_machine.travel(T0, tick=False):
        protocol = services.start_troubleshooting(
            staff["telehealth_technician"], session, symptom="codec"
        )
    with time_machine.travel(T0 + dt.timedelta(minutes=14, seconds=59), tick=False):
        run_worker()
    protocol.refresh_from_db()
    assert protocol.recommendation == "" and protocol.warned_at is None
    with time_machine.travel(T0 + dt.timedelta(minutes=15), tick=False):
        run_worker()
        run_worker()
    protocol.refresh_from_db()
    assert protocol.recommendation == "warn" and protocol.warned_at == T0 + dt.timedelta(minutes=15)
    with time_machine.travel(T0 + dt.timedelta(minutes=31), tick=False):
        run_worker()
        assert services.apply_mark(protocol.pk, "cancel") is False  # already recorded
        assert services.apply_mark(protocol.pk, "warn") is False
    protocol.refresh_from_db()
    assert protocol.recommendation == "cancel"
    kinds = list(
        Notification.objects.filter(user=staff["telehealth_technician"]).values_list(
            "kind", flat=True
        )
    )
    assert sorted(kinds) == ["protocol_cancel", "protocol_warn"]


def test_marking_steps_and_cancelling_creates_the_follow_up_work(cusm, staff):
    session = _session(cusm, staff, patients=3)
    services.start_troubleshooting(staff["telehealth_technician"], session, symptom="codec")
    services.mark_step(staff["telehealth_technician"], session, 1, "done", "Gatineau warned")
    services.mark_step(staff["level1_agent"], session, 4, "not_applicable")
    with pytest.raises(Invalid):
        services.mark_step(staff["level1_agent"], session, 13, "done")
    with pytest.raises(Forbidden):
        services.cancel_session(staff["level1_agent"], session, "no way")
    with pytest.raises(Invalid):
        services.cancel_session(staff["telehealth_technician"], session, "")
    services.cancel_session(staff["telehealth_technician"], session, "codec dead after 30 min")
    kinds = sorted(FollowUpTask.objects.filter(session=session).values_list("kind", flat=True))
    assert kinds == ["call_back_patient"] * 3 + ["explain_to_patient", "rebook"]
    assert Protocol.objects.get(session=session).state == "cancelled"
    task = FollowUpTask.objects.filter(session=session, kind="call_back_patient").first()
    services.complete_task(staff["clinical_coordinator"], task)
    with pytest.raises(Conflict):
        services.complete_task(staff["clinical_coordinator"], task)


def test_patients_are_shown_only_to_roles_that_need_them_and_every_access_is_recorded(
    cusm, staff, client
):
    session = _session(cusm, staff, patients=2)
    client.force_login(staff["level1_agent"])
    html = client.get(f"/telesessions/{session.pk}/").content.decode()
    assert "Patient 0" not in html
    assert not AuditEvent.objects.filter(action="phi_viewed").exists()
    client.force_login(staff["clinical_coordinator"])
    html = client.get(f"/telesessions/{session.pk}/").content.decode()
    assert "Patient 0" in html and "Patient 1" in html
    event = AuditEvent.objects.get(action="phi_viewed")
    assert event.actor == staff["clinical_coordinator"] and event.object_id == str(session.pk)


WORKER = (
    "from escalade.config.startup import setup; setup(); from django.core.management import call_command; "
    "call_command('db_worker', batch=True, reload=False, startup_delay=False, interval=0)"
)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="several workers share one PostgreSQL"
)
def test_two_workers_on_postgresql_fire_each_mark_exactly_once(cusm, staff):
    sessions = [_session(cusm, staff, patients=0) for _ in range(5)]
    started = dt.datetime.now(tz=dt.UTC) - dt.timedelta(minutes=31)
    with time_machine.travel(started, tick=True):
        protocols = [
            services.start_troubleshooting(staff["telehealth_technician"], s, symptom="codec")
            for s in sessions
        ]
    s = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "escalade.config.settings",
        "DATABASE_URL": f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}",
    }
    workers = [subprocess.Popen([sys.executable, "-c", WORKER], env=env) for _ in range(2)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    for p in protocols:
        p.refresh_from_db()
        assert p.recommendation == "cancel" and p.warned_at and p.cancel_recommended_at
    marks = Notification.objects.filter(user=staff["telehealth_technician"])
    assert marks.filter(kind="protocol_warn").count() == 5
    assert marks.filter(kind="protocol_cancel").count() == 5


def test_starting_troubleshooting_twice_answers_409_and_writes_no_twin(cusm, staff, api):
    from escalade.incidents.models import Incident, Ticket

    session = _session(cusm, staff)
    first = api("level1_agent").post(
        f"/api/telesessions/{session.pk}/troubleshoot", {"description": "no image"}
    )
    assert first.status_code == 201
    counts = (Incident.objects.count(), Ticket.objects.count(), Protocol.objects.count())
    again = api("telehealth_technician").post(
        f"/api/telesessions/{session.pk}/troubleshoot", {"description": "stale page"}
    )
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "session"
    assert (Incident.objects.count(), Ticket.objects.count(), Protocol.objects.count()) == counts


def test_the_follow_up_gives_the_appointment_times_and_why_the_session_was_cancelled(
    cusm, staff, client
):
    """Steps 7-9: the coordinator calls each patient at their appointment time, and says
    why; both are on the follow-up page, in the API and in what the coordinator is told."""
    from django.test import Client
    from django.utils import translation

    from escalade.accounts.services import create_api_token
    from escalade.notifications.models import Notification
    from escalade.notifications.services import render

    session = _session(cusm, staff, patients=2)
    services.cancel_session(staff["telehealth_technician"], session, "codec dead after 30 min")
    client.force_login(staff["clinical_coordinator"])
    html = client.get("/telesessions/follow-up/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count("codec dead after 30 min") == 4  # each patient, explaining, rebooking
    # T0 + 20 min is 09:20 in Montréal (not 14:20 UTC)
    assert "2026-11-23 09:20" in html and "2026-11-23 14:20" not in html
    # each patient's number to tap, as Quebec writes it (kept as +18199666000)
    assert html.count('<a href="tel:+18199666000">819 966-6000</a>') == 2
    told = Notification.objects.get(user=staff["clinical_coordinator"], kind="session_cancelled")
    with translation.override("en"):
        text = render(told)
    assert "2026-11-23 09:00" in text and "codec dead after 30 min" in text
    token = create_api_token(staff["clinical_coordinator"], "t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    tasks = api.get(f"/api/telesessions/{session.pk}/tasks").json()["items"]
    assert {t["cancel_reason"] for t in tasks} == {"codec dead after 30 min"}
    appointments = sorted(t["patient"]["appointment"] for t in tasks if t["patient"])
    assert appointments[0].startswith("2026-11-23T14:00")
