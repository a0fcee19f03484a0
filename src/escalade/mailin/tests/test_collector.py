"""The IMAP collector against a real Dovecot: a message becomes one incident and one
acknowledgment, never two; replies thread; robots, bad attachments and broken messages
open nothing and are kept in "rejected"."""

import subprocess

import pytest

from escalade.incidents.models import Incident, Note
from escalade.mailin import services
from escalade.mailin.choices import State
from escalade.mailin.models import Attachment, Mailbox, Message
from escalade.notifications.models import OutgoingMail


def fetch(mailbox):
    mailbox.refresh_from_db()
    return services.fetch(mailbox)


def acks():
    return list(Message.objects.filter(direction="out", kind="ack"))


def test_a_new_message_opens_one_incident_and_one_acknowledgment(mailbox, imap, make_mail):
    imap.append(make_mail())
    result = fetch(mailbox)
    assert (result.taken, result.rejected) == (1, 0)
    incident = Incident.objects.get()
    assert incident.channel == "email"
    assert incident.requester_name == "Marie Tremblay"
    assert incident.requester_email == "marie.tremblay@hopital.example.org"
    assert incident.summary == "La caméra ne fonctionne plus"
    # the text stays with the message (it may name a patient), not on the incident
    assert incident.description == ""
    assert (
        Message.objects.get(incident=incident, direction="in").text
        == "Bonjour,\n\nLa caméra de la salle 3 ne fonctionne plus.\n\nMerci\nMarie"
    )
    # the pack's words name the symptom: « caméra » is audio/video
    assert incident.symptom.code == "audio_video" and not incident.to_classify
    [ack] = acks()
    assert ack.to == ["marie.tremblay@hopital.example.org"]
    assert incident.number in ack.subject
    assert "Votre demande" in ack.text  # the message was in French
    mail = OutgoingMail.objects.get(pk=ack.outgoing_id)
    assert mail.from_email == "cct.telesante@cusm.example.org"
    assert mail.headers["Auto-Submitted"] == "auto-replied"
    assert mail.headers["In-Reply-To"] == Message.objects.get(direction="in").message_id
    assert (imap.count("INBOX"), imap.count("processed")) == (0, 1)
    mailbox.refresh_from_db()
    assert (mailbox.taken, mailbox.rejected, mailbox.last_error) == (1, 0, "")


def test_the_same_message_twice_opens_one_incident(mailbox, imap, make_mail):
    raw = make_mail(msgid="<same@hopital.example.org>")
    imap.append(raw)
    fetch(mailbox)
    imap.append(raw)  # delivered twice (a forwarding loop, a user's "send again")
    result = fetch(mailbox)
    assert (result.taken, result.again) == (0, 1)
    assert Incident.objects.count() == 1 and len(acks()) == 1
    assert imap.count("processed") == 2 and imap.count("INBOX") == 0


def test_a_crash_between_storing_and_moving_takes_the_message_once(mailbox, imap, make_mail):
    raw = make_mail()
    imap.append(raw)
    # the collector stored it, then died before moving it out of INBOX
    services.receive(mailbox, raw, via="imap", uid=1)
    assert imap.count("INBOX") == 1
    result = fetch(mailbox)
    assert (result.taken, result.again) == (0, 1)
    assert Incident.objects.count() == 1 and len(acks()) == 1
    assert (imap.count("INBOX"), imap.count("processed")) == (0, 1)


def test_messages_are_moved_in_one_step_where_the_server_can(mailbox, imap):
    """Dovecot names MOVE only after the login: the collector asks again once signed in,
    so that a batch is moved in one step (a copy then a delete, killed between the two,
    would leave the batch in both folders)."""
    from escalade.mailin.services.collector import _connect

    with _connect(mailbox) as box:
        assert "MOVE" in box.client.capabilities


def test_a_reply_threads_by_its_references_and_by_the_number(mailbox, imap, make_mail, team):
    imap.append(make_mail())
    fetch(mailbox)
    incident = Incident.objects.get()
    ack = acks()[0]
    # the requester answers the acknowledgment: In-Reply-To / References name it
    imap.append(
        make_mail(
            subject=f"Re: {ack.subject}",
            body="C'est la salle 3, au 2e étage.\n\nLe 3 déc. 2026, CCT a écrit :\n> Votre demande",
            In_Reply_To=ack.message_id,
            References=ack.message_id,
        )
    )
    # and writes again later with only the number in the subject
    imap.append(make_mail(subject=f"Toujours en panne [{incident.number}]", body="Rien ne change."))
    result = fetch(mailbox)
    assert result.taken == 2
    assert Incident.objects.count() == 1
    notes = list(Note.objects.filter(incident=incident, by_requester=True).order_by("id"))
    assert len(notes) == 2 and all("e-mail" in n.text and "salle" not in n.text for n in notes)
    threaded = Message.objects.filter(state=State.THREADED, incident=incident).order_by("id")
    assert [m.text for m in threaded] == ["C'est la salle 3, au 2e étage.", "Rien ne change."]
    assert len(acks()) == 1  # a reply is not acknowledged


def test_the_number_of_someone_elses_request_does_not_thread(mailbox, imap, make_mail):
    imap.append(make_mail())
    fetch(mailbox)
    incident = Incident.objects.get()
    imap.append(make_mail(subject=f"Re: {incident.number}", sender="intrus@example.com"))
    fetch(mailbox)
    assert Incident.objects.count() == 2  # a new request, not a note on Marie's


def test_a_reply_to_a_closed_incident_opens_a_new_one_linked_to_it(mailbox, imap, make_mail, staff):
    from escalade.incidents import services as incidents

    imap.append(make_mail())
    fetch(mailbox)
    first = Incident.objects.get()
    incidents.resolve(staff["level1_agent"], first, "Câble rebranché.")
    imap.append(
        make_mail(subject=f"Re: [{first.number}] La caméra", body="Elle est encore en panne.")
    )
    fetch(mailbox)
    second = Incident.objects.exclude(pk=first.pk).get()
    assert second.follows == first  # the cct pack says: new, linked
    first.refresh_from_db()
    assert first.status == "resolved"


def test_a_reply_to_a_closed_incident_reopens_it_when_the_pack_says_so(
    mailbox, imap, make_mail, staff
):
    from escalade.incidents import services as incidents

    Mailbox.objects.filter(pk=mailbox.pk).update(on_closed="reopen")
    imap.append(make_mail())
    fetch(mailbox)
    first = Incident.objects.get()
    incidents.resolve(staff["level1_agent"], first, "Câble rebranché.")
    imap.append(make_mail(subject=f"Re: [{first.number}] La caméra", body="Encore en panne."))
    fetch(mailbox)
    first.refresh_from_db()
    assert Incident.objects.count() == 1 and first.status == "in_progress"


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"X_Autoreply": "yes"},
        {"Precedence": "bulk"},
        {"List_Id": "<annonces.hopital.example.org>"},
    ],
)
def test_an_automatic_reply_opens_nothing_and_gets_no_answer(mailbox, imap, make_mail, headers):
    imap.append(make_mail(subject="Absent du bureau", **headers))
    result = fetch(mailbox)
    assert result.taken == 1
    assert Incident.objects.count() == 0 and acks() == []
    assert OutgoingMail.objects.count() == 0
    assert Message.objects.get().state == State.IGNORED


def test_a_bounce_opens_nothing(mailbox, imap, make_mail):
    imap.append(
        make_mail(subject="Undelivered Mail Returned to Sender", sender="MAILER-DAEMON@example.org")
    )
    fetch(mailbox)
    assert Incident.objects.count() == 0 and OutgoingMail.objects.count() == 0


def test_an_html_only_message_becomes_text(mailbox, imap, make_mail):
    imap.append(
        make_mail(
            body=None,
            html="<html><body><p>Bonjour,</p><p>Le <b>pont</b> multipoint ne répond plus.</p>"
            "<table><tr><td>Salle 3</td></tr></table></body></html>",
            subject="Pont en panne",
        )
    )
    fetch(mailbox)
    incident = Incident.objects.get()
    text = Message.objects.get(incident=incident, direction="in").text
    assert "<" not in text and "Le pont multipoint ne répond plus." in text
    assert incident.symptom.code == "bridge"


def test_a_french_encoded_subject_and_no_known_word_leave_it_to_classify(mailbox, imap, make_mail):
    raw = make_mail(
        subject="Problème à l'étage : rien ne démarre", body="Écran noir partout, aidez-nous."
    )
    assert b"=?utf-8?" in raw  # RFC 2047 on the wire
    imap.append(raw)
    fetch(mailbox)
    incident = Incident.objects.get()
    assert incident.summary == "Problème à l'étage : rien ne démarre"
    assert incident.to_classify and incident.symptom.code == "other"


def test_an_attachment_is_kept_with_the_incident(mailbox, imap, make_mail):
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 2000
    imap.append(make_mail(attachments=[("ecran.png", png, "image/png")]))
    fetch(mailbox)
    [attachment] = Attachment.objects.all()
    assert attachment.incident == Incident.objects.get()
    assert (attachment.filename, attachment.size, bytes(attachment.data)) == (
        "ecran.png",
        len(png),
        png,
    )


def test_an_attachment_over_the_limit_is_refused_and_the_sender_told_once(
    mailbox, imap, make_mail, settings
):
    settings.ESCALADE_MAIL_ATTACHMENT_MAX_BYTES = 100_000
    raw = make_mail(attachments=[("scan.pdf", b"%PDF" + b"x" * 200_000, "application/pdf")])
    imap.append(raw)
    result = fetch(mailbox)
    assert result.rejected == 1 and Incident.objects.count() == 0
    imap.append(raw)  # sent again as it was
    fetch(mailbox)
    [refusal] = Message.objects.filter(direction="out", kind="refusal")
    assert "La pièce jointe scan.pdf fait 0.2 Mo : la limite est de 0.1 Mo." in refusal.text
    assert OutgoingMail.objects.get().headers["Auto-Submitted"] == "auto-replied"
    assert imap.count("rejected") == 2
    row = Message.objects.get(direction="in")
    assert (row.state, row.reason_code) == (State.REJECTED, "attachment_too_large")


def test_a_program_attached_is_refused(mailbox, imap, make_mail):
    imap.append(
        make_mail(attachments=[("facture.exe", b"MZ" + b"0" * 100, "application/octet-stream")])
    )
    fetch(mailbox)
    assert Incident.objects.count() == 0
    assert Message.objects.get(direction="in").reason_code == "dangerous_attachment"


def test_a_malformed_message_is_kept_in_rejected_and_nothing_is_half_written(mailbox, imap):
    broken = (
        b"From: someone@example.org\r\nSubject: broken\r\nMessage-ID: <broken@example.org>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nno boundary at all\r\n"
    )
    imap.append(broken)
    result = fetch(mailbox)
    assert result.rejected == 1
    assert Incident.objects.count() == 0 and OutgoingMail.objects.count() == 0
    row = Message.objects.get()
    assert (row.state, row.reason_code) == (State.REJECTED, "malformed")
    assert bytes(row.raw) == broken.replace(b"\r\n", b"\r\n")
    assert (imap.count("INBOX"), imap.count("rejected")) == (0, 1)


def test_a_rejected_message_can_be_taken_again(mailbox, imap, make_mail, settings, staff):
    settings.ESCALADE_MAIL_ATTACHMENT_MAX_BYTES = 1000
    imap.append(make_mail(attachments=[("scan.pdf", b"%PDF" + b"x" * 5000, "application/pdf")]))
    fetch(mailbox)
    rejected = Message.objects.get(direction="in")
    settings.ESCALADE_MAIL_ATTACHMENT_MAX_BYTES = 1_000_000  # the limit was raised
    again = services.retake(staff["level2_analyst"], rejected)
    assert again.state == State.OPENED and Incident.objects.count() == 1
    assert Message.objects.filter(direction="out", kind="refusal").count() == 1


def test_a_rule_drops_a_newsletter_and_another_sends_to_level_2(mailbox, imap, make_mail):
    imap.append(
        make_mail(sender="nouvelles@infolettre.example.org", subject="Infolettre de décembre")
    )
    imap.append(make_mail(subject="Réservation du pont pour jeudi"))
    fetch(mailbox)
    dropped = Message.objects.get(state=State.DROPPED)
    assert dropped.rule == "newsletters" and dropped.reason == "Infolettre : pas une demande"
    incident = Incident.objects.get()
    assert incident.level == 2


def test_a_wrong_password_is_a_clear_error_and_recorded(mailbox, monkeypatch):
    from escalade.core.errors import Conflict

    monkeypatch.setenv("ESCALADE_TEST_IMAP_PASSWORD", "wrong")
    with pytest.raises(Conflict) as exc:
        fetch(mailbox)
    assert exc.value.as_errors()[0]["code"] == "mailbox_unreachable"
    mailbox.refresh_from_db()
    assert mailbox.errors == 1 and "Login" in mailbox.last_error
    assert mailbox.fetching_until is None  # the next run is not locked out


def test_a_uid_above_two_billion_is_kept_whole(cusm, own_dovecot, make_mail, monkeypatch):
    """IMAP's UIDs go to 4,294,967,295. The last one taken is kept whole: on PostgreSQL it
    was sent as a 4-byte integer, which wrapped it below zero, so it stayed where it was.
    Its own Dovecot, whose next UID is moved past 2^31 by doveadm."""
    from .conftest import read_from

    own = own_dovecot
    mailbox = read_from(cusm, own, monkeypatch)
    own.append(make_mail())
    assert fetch(mailbox).taken == 1
    subprocess.run(
        ["doveadm", "-c", str(own.root / "dovecot.conf"), "mailbox", "update"]
        + ["-u", own.user, "--min-next-uid", "3000000000", "INBOX"],
        check=True,
        capture_output=True,
    )
    own.append(make_mail(subject="Le son coupe", msgid="<big-uid@hopital.example.org>"))
    assert fetch(mailbox).taken == 1
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 3_000_000_000
    assert Incident.objects.count() == 2
