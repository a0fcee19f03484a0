"""Seed 000 step 12: a possible impact on a patient's safety reaches the manager at once
(in-app, and by e-mail through a real SMTP server), and the declaration AH-223 with the
keyword « Télésanté » is prepared from the incident."""

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from escalade.accounts.models import Profile
from escalade.incidents import services
from escalade.incidents.tests.factories import log
from escalade.notifications.models import Notification
from escalade.reports.models import IncidentDeclaration

from .test_major_report import Inbox, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_manager_is_told_and_the_declaration_is_prepared(cusm, staff, settings, client):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    manager = staff["manager"]
    manager.email = "gestionnaire@example.org"
    manager.save()
    Profile.objects.create(user=manager, language="en")
    try:
        incident = log(
            staff["level1_agent"],
            cusm,
            symptom="peripheral_malfunction",
            summary="Stethoscope cut out",
        )
        services.flag_patient_safety(
            staff["level1_agent"], incident, "possible", "Auscultation incomplete"
        )
        assert Notification.objects.filter(user=manager, kind="patient_safety").count() == 1
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["gestionnaire@example.org"]
    assert (
        message["Subject"] == f"Patient safety: incident {incident.number}"
    )  # the manager's language
    declaration = IncidentDeclaration.objects.get(incident=incident)
    assert (declaration.form, declaration.keyword) == ("AH-223", "Télésanté")
    assert declaration.description.startswith(f"Télésanté — {incident.number}")
    assert "Auscultation incomplete" in declaration.description
    client.force_login(manager)
    html = client.get(f"/incidents/{incident.number}/declaration/").content.decode()
    assert "AH-223" in html and "Télésanté" in html


def test_the_api_flags_and_refuses_a_bad_level(api, body):
    agent = api("level1_agent")
    number = agent.post("/api/incidents", body()).json()["number"]
    r = agent.post(f"/api/incidents/{number}/patient-safety", {"level": "maybe"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "level"
    r = agent.post(
        f"/api/incidents/{number}/patient-safety", {"level": "confirmed", "note": "fall"}
    )
    assert r.status_code == 200
    d = agent.get(f"/api/incidents/{number}/declaration").json()
    assert d["form"] == "AH-223" and d["level"] == "confirmed"
