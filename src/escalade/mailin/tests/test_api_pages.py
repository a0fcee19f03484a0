"""The mailboxes through the API and the pages: state, fetch now, the thread of an
incident, a note sent to the requester in the same conversation (delivered to a real
SMTP server), attachments downloaded only by those who may see the incident."""

import email
import email.policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client

from escalade.accounts.services import create_api_token
from escalade.core.models import AuditEvent
from escalade.incidents.models import Incident
from escalade.mailin import services
from escalade.mailin.models import Message

from .conftest import free_port


def client_for(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en")


def page_client(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_the_mailboxes_state_and_fetch_now(mailbox, imap, make_mail, staff):
    api = client_for(staff["level2_analyst"])
    imap.append(make_mail())
    r = api.post(f"/api/mailboxes/{mailbox.code}/fetch", content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json() == {"taken": 1, "rejected": 0, "again": 0, "busy": False}
    [box] = api.get("/api/mailboxes").json()["items"]
    assert (box["code"], box["taken"], box["imap"], box["last_error"]) == ("cct", 1, True, "")
    assert box["last_fetch_at"] is not None


def test_a_level_1_agent_does_not_run_the_mailboxes(mailbox, staff):
    r = client_for(staff["level1_agent"]).get("/api/mailboxes")
    assert r.status_code == 403
    assert page_client(staff["level1_agent"]).get("/mailboxes/").status_code == 403


def test_a_gateway_only_mailbox_has_nothing_to_fetch(cusm, staff):
    r = client_for(staff["level2_analyst"]).post(
        "/api/mailboxes/cct/fetch", content_type="application/json"
    )
    assert r.status_code == 409
    assert r.json()["errors"][0]["code"] == "not_imap"


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when done
def test_the_thread_and_a_note_to_the_requester_in_the_same_conversation(
    mailbox, imap, make_mail, staff, settings
):
    imap.append(make_mail(attachments=[("ecran.png", b"\x89PNG" + b"0" * 100, "image/png")]))
    services.fetch(mailbox)
    incident = Incident.objects.get()
    api = client_for(staff["level1_agent"])
    r = api.post(
        f"/api/incidents/{incident.number}/notes",
        {"text": "Un technicien passe à 14 h.", "to_requester": True},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["to_requester"] is True
    thread = api.get(f"/api/incidents/{incident.number}/messages").json()["items"]
    assert [(m["direction"], m["kind"]) for m in thread] == [
        ("in", "request"),
        ("out", "ack"),
        ("out", "note"),
    ]
    # the agent reads the e-mails' envelope; what the requester wrote may name a patient
    assert thread[0]["restricted"] is True
    assert thread[0]["text"] == "" and thread[0]["attachments"] == []
    assert AuditEvent.objects.filter(action="phi_viewed").count() == 0
    allowed = client_for(staff["manager"]).get(f"/api/incidents/{incident.number}/messages")
    first = allowed.json()["items"][0]
    assert first["restricted"] is False and "salle 3" in first["text"]
    assert first["attachments"][0]["filename"] == "ecran.png"
    seen = AuditEvent.objects.get(action="phi_viewed")
    assert (seen.actor, seen.data["purpose"]) == (staff["manager"], "API")
    # deliver the queue to a real SMTP server and read what the requester's program gets
    received = []

    class Inbox:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 OK"

    port = free_port()
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0)
    finally:
        controller.stop()
    ack, note = sorted(received, key=lambda m: m["Auto-Submitted"] is None)
    request_id = thread[0]["message_id"]
    assert ack["Auto-Submitted"] == "auto-replied" and ack["In-Reply-To"] == request_id
    assert note["Auto-Submitted"] is None
    assert note["In-Reply-To"] == request_id
    assert note["References"].split() == [request_id, ack["Message-ID"]]
    assert note["From"] == "cct.telesante@cusm.example.org"
    assert str(note["Subject"]).strip().startswith("Re: ") and incident.number in note["Subject"]
    assert "Un technicien passe à 14 h." in note.get_content()
    # the requester answers the note: it threads by In-Reply-To
    imap.append(
        make_mail(
            subject=str(note["Subject"]).strip(),
            body="Parfait, merci.",
            In_Reply_To=note["Message-ID"],
        )
    )
    services.fetch(mailbox)
    assert Incident.objects.count() == 1
    assert incident.notes.filter(by_requester=True).count() == 1
    reply = incident.messages.filter(direction="in").order_by("-id").first()
    assert reply.text == "Parfait, merci."


def test_a_note_to_a_requester_without_address_is_refused(cusm, staff, body):
    api = client_for(staff["level1_agent"])
    number = api.post("/api/incidents", body(), content_type="application/json").json()["number"]
    r = api.post(
        f"/api/incidents/{number}/notes",
        {"text": "Bonjour", "to_requester": True},
        content_type="application/json",
    )
    assert r.status_code == 409
    assert r.json()["errors"][0] == {
        "field": "to_requester",
        "code": "no_requester_email",
        "message": "The requester has no e-mail address: call them.",
    }
    assert Incident.objects.get(number=number).notes.count() == 0


def test_attachments_are_for_those_who_may_see_the_incident(
    mailbox, imap, make_mail, staff, make_user, ontario
):
    imap.append(make_mail(attachments=[("ecran.png", b"\x89PNG" + b"0" * 100, "image/png")]))
    services.fetch(mailbox)
    attachment = Incident.objects.get().attachments.get()
    assert (
        page_client(staff["level1_agent"]).get(f"/attachments/{attachment.pk}/").status_code == 403
    )
    agent = page_client(staff["manager"])  # allowed to see personal health information
    r = agent.get(f"/attachments/{attachment.pk}/")
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG")
    assert r["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="attachment_downloaded").count() == 1
    stranger = make_user("manager", [ontario])
    assert page_client(stranger).get(f"/attachments/{attachment.pk}/").status_code == 404
    assert client_for(stranger).get(f"/api/attachments/{attachment.pk}").status_code == 404
    assert AuditEvent.objects.filter(action="attachment_downloaded").count() == 1


def test_level_1_chooses_the_symptom_of_an_email_to_classify(mailbox, imap, make_mail, staff):
    imap.append(make_mail(subject="Urgent", body="Rien ne fonctionne, venez vite."))
    services.fetch(mailbox)
    incident = Incident.objects.get()
    assert incident.to_classify
    agent = page_client(staff["level1_agent"])
    queue = agent.get("/incidents/?queue=all").content.decode()
    assert "To classify" in queue and "E-mail" in queue
    page = agent.get(f"/incidents/{incident.number}/").content.decode()
    assert 'id="symptom-form"' in page and "Urgent" in page
    r = agent.post(f"/incidents/{incident.number}/symptom/", {"symptom": "bridge"})
    assert r.status_code == 302
    incident.refresh_from_db()
    assert (incident.symptom.code, incident.to_classify, incident.severity) == (
        "bridge",
        False,
        "major",
    )
    assert incident.priority == 1 and hasattr(incident, "ticket")
    r = agent.post(f"/incidents/{incident.number}/symptom/", {"symptom": "nope"})
    assert r.status_code == 422


def test_the_mailboxes_page_lists_rejected_messages_and_takes_one_again(
    mailbox, imap, staff, make_mail, settings
):
    settings.ESCALADE_MAIL_ATTACHMENT_MAX_BYTES = 1000
    imap.append(make_mail(attachments=[("scan.pdf", b"%PDF" + b"x" * 5000, "application/pdf")]))
    services.fetch(mailbox)
    rejected = Message.objects.get(direction="in")
    analyst = page_client(staff["level2_analyst"])
    page = analyst.get("/mailboxes/").content.decode()
    assert f'id="rejected-{rejected.pk}"' in page and "attachment_too_large" in page
    settings.ESCALADE_MAIL_ATTACHMENT_MAX_BYTES = 1_000_000
    r = analyst.post(f"/mailboxes/rejected/{rejected.pk}/retake/")
    assert r.status_code == 302
    assert Incident.objects.count() == 1
    r = client_for(staff["level2_analyst"]).get("/api/mailboxes/rejected")
    assert r.json()["items"] == []
