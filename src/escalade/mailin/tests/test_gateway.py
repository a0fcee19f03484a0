"""The mail gateway on a free port, spoken to by smtplib: forwarded mail for a
mailbox's address becomes an incident; other recipients and oversized messages are
refused at the SMTP level, so the sending server tells its sender."""

import smtplib

import pytest

from escalade.incidents.models import Incident
from escalade.mailin import gateway
from escalade.mailin.models import Mailbox, Message

from .conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp_gateway(cusm):
    port = free_port()
    controller = gateway.start("127.0.0.1", port)
    yield port
    controller.stop()


def test_forwarded_mail_becomes_an_incident(smtp_gateway, make_mail):
    with smtplib.SMTP("127.0.0.1", smtp_gateway) as client:
        refused = client.sendmail(
            "marie.tremblay@hopital.example.org",
            ["cct.telesante@cusm.example.org"],
            make_mail(subject="Pas de son dans la salle 2", body="Le micro ne marche pas."),
        )
    assert refused == {}
    incident = Incident.objects.get()
    assert (incident.channel, incident.symptom.code) == ("email", "sound_simple")
    assert Message.objects.get(direction="in").via == "smtp"


def test_a_recipient_it_does_not_serve_is_refused(smtp_gateway, make_mail):
    with smtplib.SMTP("127.0.0.1", smtp_gateway) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as exc:
            client.sendmail("a@example.org", ["nobody@cusm.example.org"], make_mail())
    assert exc.value.recipients["nobody@cusm.example.org"][0] == 550
    assert Incident.objects.count() == 0


def test_a_message_over_the_size_limit_is_refused_before_it_is_stored(cusm, make_mail):
    # the gateway announces the largest limit of its mailboxes (SIZE): every one at 50 kB
    Mailbox.objects.filter(gateway=True).update(max_bytes=50_000)
    port = free_port()
    controller = gateway.start("127.0.0.1", port)
    try:
        big = make_mail(attachments=[("scan.pdf", b"%PDF" + b"x" * 80_000, "application/pdf")])
        with smtplib.SMTP("127.0.0.1", port) as client:
            with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as exc:
                client.sendmail("a@example.org", ["cct.telesante@cusm.example.org"], big)
        assert exc.value.smtp_code == 552
    finally:
        controller.stop()
    assert Incident.objects.count() == 0 and Message.objects.count() == 0


def test_lmtp_answers_each_recipient(cusm, make_mail):
    port = free_port()
    controller = gateway.start("127.0.0.1", port, lmtp=True)
    try:
        with smtplib.LMTP("127.0.0.1", port) as client:
            refused = client.sendmail(
                "a@example.org", ["cct.telesante@cusm.example.org"], make_mail()
            )
        assert refused == {}
    finally:
        controller.stop()
    assert Incident.objects.count() == 1


def test_a_mail_with_a_nul_character_is_taken_not_retried_forever(smtp_gateway, make_mail):
    """issue 25: PostgreSQL takes no NUL in a text: the message was answered 451 for days.
    The NUL becomes the replacement character; the request is opened."""
    raw = make_mail(subject="Pas de son", body="Le micro\x00 ne marche pas.")
    with smtplib.SMTP("127.0.0.1", smtp_gateway) as client:
        refused = client.sendmail(
            "m.t@hopital.example.org", ["cct.telesante@cusm.example.org"], raw
        )
    assert refused == {}
    incident = Incident.objects.get()
    text = incident.messages.get(direction="in").text
    assert "\x00" not in text and "micro\ufffd ne marche" in text
