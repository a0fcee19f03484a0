"""The major-incident report: drafted with the incident, completed, PDF, e-mailed
through a real SMTP server; mail that cannot go out is retried, never lost."""

import datetime as dt
import email
import io
import socket

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from pypdf import PdfReader

from escalade.incidents.tests.factories import log
from escalade.notifications.models import OutgoingMail
from escalade.reports import services
from escalade.reports.models import MajorReport
from escalade.reports.pdf import major_report_pdf
from escalade.reports.tests.factories import major_report

pytestmark = pytest.mark.django_db(transaction=True)

FILLED = {
    "cause": "Firmware of the codec at the Gatineau site",
    "resolution": "Codec firmware rolled back by the supplier.",
    "organisational_repercussions": "The afternoon clinic started 40 minutes late.",
    "clinical_repercussions": "Three consultations postponed; no patient harmed.",
    "distribution": ["cct-team@example.org", "coordination@example.org"],
}


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()


def run_worker():
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0)


def test_a_major_incident_gets_a_draft_filled_with_what_is_known(cusm, staff):
    from escalade.telesessions import services as sessions

    start = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)
    session = sessions.create_session(
        staff["level1_agent"],
        cusm,
        sessions.SessionInput(
            kind="multipoint",
            start=start,
            end=start + dt.timedelta(hours=1),
            requesting_site="Gatineau",
            provider_sites=["HGM"],
            patients=[sessions.PatientInput("A"), sessions.PatientInput("B")],
        ),
    )
    protocol = sessions.start_troubleshooting(
        staff["telehealth_technician"], session, symptom="codec"
    )
    sessions.cancel_session(staff["telehealth_technician"], session, "codec down")
    MajorReport.objects.filter(incident=protocol.incident).delete()
    report = services.ensure_draft(protocol.incident)
    assert (report.sessions_cancelled, report.patients_affected) == (1, 2)
    assert report.missing() == [
        "cause",
        "resolution",
        "organisational_repercussions",
        "clinical_repercussions",
        "distribution",
    ]


def test_the_pdf_opens_and_holds_the_repercussions(cusm, staff):
    draft = major_report(staff["level1_agent"], cusm, symptom="codec")
    report = services.update(staff["chief_telehealth_technician"], draft, FILLED)
    incident = report.incident
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(major_report_pdf(report))).pages
    )
    assert incident.number in text
    assert "The afternoon clinic started 40 minutes late." in text
    assert "Three consultations postponed; no patient harmed." in text


def test_a_completed_report_is_mailed_to_its_distribution_list(cusm, staff, smtp):
    draft = major_report(staff["level1_agent"], cusm, symptom="codec")
    services.update(staff["chief_telehealth_technician"], draft, FILLED)
    incident = draft.incident
    run_worker()
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert sorted(recipients) == sorted(FILLED["distribution"])
    assert incident.number in message["Subject"]
    pdf = next(p for p in message.walk() if p.get_content_type() == "application/pdf")
    assert PdfReader(io.BytesIO(pdf.get_payload(decode=True))).pages
    assert OutgoingMail.objects.get().state == "sent"


def test_mail_to_a_server_that_is_down_is_retried_later(cusm, staff, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    port = free_port()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port  # nobody listens yet
    incident = log(staff["level1_agent"], cusm, symptom="codec")
    t0 = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(t0, tick=False):
        services.update(staff["chief_telehealth_technician"], incident.major_report, FILLED)
        run_worker()
    mail = OutgoingMail.objects.get()
    assert (mail.state, mail.attempts) == ("pending", 1) and "Connection" in mail.last_error
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with time_machine.travel(t0 + dt.timedelta(seconds=61), tick=False):
            run_worker()
    finally:
        controller.stop()
    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == ("sent", 2) and len(inbox.messages) == 1


def test_mail_that_never_goes_out_ends_failed_for_an_administrator(cusm, staff, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.ESCALADE_MAIL_MAX_ATTEMPTS = 2
    incident = log(staff["level1_agent"], cusm, symptom="codec")
    t0 = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(t0, tick=False):
        services.update(staff["chief_telehealth_technician"], incident.major_report, FILLED)
        run_worker()
    with time_machine.travel(t0 + dt.timedelta(minutes=2), tick=False):
        run_worker()
    mail = OutgoingMail.objects.get()
    assert (mail.state, mail.attempts) == ("failed", 2)


def test_an_untouched_draft_counts_a_session_cancelled_after_the_incident_opened(cusm, staff):
    from escalade.telesessions import services as sessions

    start = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)
    session = sessions.create_session(
        staff["level1_agent"],
        cusm,
        sessions.SessionInput(
            kind="point_to_point",
            start=start,
            end=start + dt.timedelta(hours=1),
            requesting_site="Gatineau",
            provider_sites=["HGM"],
            patients=[
                sessions.PatientInput("A"),
                sessions.PatientInput("B"),
                sessions.PatientInput("C"),
            ],
        ),
    )
    protocol = sessions.start_troubleshooting(
        staff["telehealth_technician"], session, symptom="codec"
    )
    assert (
        protocol.incident.major_report.sessions_cancelled,
        protocol.incident.major_report.patients_affected,
    ) == (0, 0)
    sessions.cancel_session(staff["telehealth_technician"], session, "codec down")
    report = services.ensure_draft(protocol.incident)
    assert (report.sessions_cancelled, report.patients_affected) == (1, 3)
    report = services.update(staff["chief_telehealth_technician"], report, {"patients_affected": 2})
    assert (
        services.ensure_draft(protocol.incident).patients_affected == 2
    )  # the author's figure stands
