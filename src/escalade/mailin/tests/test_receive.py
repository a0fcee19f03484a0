"""What a message becomes, straight through services.receive() (the step both the
collector and the gateway call): known senders, handlers, assignees told, nothing of a
message in the logs."""

import logging

from escalade.incidents.models import Incident
from escalade.mailin import handlers, services
from escalade.mailin.choices import State
from escalade.mailin.models import Mailbox
from escalade.notifications.models import Notification

MARKER = "Jeanne-PHI-7f3a Tremblay NAM TREJ12345678"


def box(institution, code):
    return Mailbox.objects.select_related("institution").get(institution=institution, code=code)


def test_a_known_contact_is_the_requester_with_their_site_and_language(ontario, make_mail):
    # seed 002's sample organisation: its desk writes from its own address
    message = services.receive(
        box(ontario, "servicedesk"),
        make_mail(
            sender="soutien@hopital-nord.example.org",
            to="servicedesk@hospital.example.on.ca",
            subject="Viewer does not open",
            body="Since 8:00 the viewer shows a blank page.",
        ),
        via="smtp",
    )
    incident = message.incident
    assert incident.requester_name == "Desk of North Regional Hospital"
    assert incident.requester_site == "Hôpital régional du Nord"  # in the contact's French
    assert incident.requester_phone == "+17055550101"
    assert incident.requester_role == "clinician"
    # the contact writes French (the pack says): the acknowledgment is in French
    assert message.language == "fr"
    assert "Votre demande" in incident.messages.get(direction="out").text


def test_a_certificate_subject_goes_to_level_2_by_the_packs_rule(ontario, make_mail):
    message = services.receive(
        box(ontario, "servicedesk"),
        make_mail(to="servicedesk@hospital.example.on.ca", subject="Certificate expires Friday"),
        via="smtp",
    )
    assert (message.rule, message.incident.level) == ("certificates", 2)


def test_a_handler_rule_gives_the_message_to_another_app(cusm, make_mail):
    seen = []

    def weekly_report(mailbox, parsed, message, options):
        seen.append((parsed.sender, [a.filename for a in parsed.attachments]))
        return "filed for the designated persons"

    handlers.register("test_weekly_report", weekly_report)
    mailbox = box(cusm, "cct")
    Mailbox.objects.filter(pk=mailbox.pk).update(
        rules=[
            {
                "code": "weekly",
                "sender": "contario@one-mail.on.ca",
                "action": "handler",
                "handler": "test_weekly_report",
            }
        ]
    )
    mailbox.refresh_from_db()
    message = services.receive(
        mailbox,
        make_mail(
            sender="cOntario@one-mail.on.ca",
            subject="Weekly Conformance Errors",
            attachments=[("report.zip.enc", b"\x00" * 500, "application/octet-stream")],
        ),
        via="smtp",
    )
    assert (message.state, message.reason) == (State.ROUTED, "filed for the designated persons")
    assert bytes(message.raw) == b"" and message.text == ""  # the handler keeps it, not mailin
    assert seen == [("contario@one-mail.on.ca", ["report.zip.enc"])]
    assert Incident.objects.count() == 0


def test_a_reply_tells_the_assignees(cusm, team, make_mail):
    mailbox = box(cusm, "cct")
    first = services.receive(mailbox, make_mail(subject="Pont multipoint en panne"), via="smtp")
    incident = first.incident
    assignees = set(incident.assignments.filter(active=True).values_list("user_id", flat=True))
    assert assignees
    services.receive(
        mailbox,
        make_mail(subject=f"Re: [{incident.number}]", body="Toujours rien."),
        via="smtp",
    )
    told = set(
        Notification.objects.filter(kind="requester_replied").values_list("user_id", flat=True)
    )
    assert told == assignees


def test_nothing_of_a_message_goes_to_the_logs(cusm, make_mail, caplog):
    caplog.set_level(logging.DEBUG)
    mailbox = box(cusm, "cct")
    services.receive(
        mailbox,
        make_mail(subject="Patient sans image", body=f"Patiente {MARKER}, dossier à revoir."),
        via="smtp",
    )
    services.receive(
        mailbox,
        make_mail(
            subject="Pièce refusée",
            body=MARKER,
            attachments=[("dossier.exe", MARKER.encode() * 10, "application/octet-stream")],
        ),
        via="smtp",
    )
    assert caplog.records  # the rejection was logged...
    assert MARKER not in caplog.text  # ...without the message's content


def test_a_pack_naming_an_unknown_symptom_or_handler_is_refused(tmp_path):
    import shutil

    import pytest

    from conftest import CUSM_PACK
    from escalade.core.packs import PackError, validate_pack

    pack = tmp_path / "pack"
    shutil.copytree(CUSM_PACK, pack)
    text = (pack / "mailboxes.yaml").read_text()
    text = text.replace("unclassified_symptom: other", "unclassified_symptom: nothing")
    text = text.replace(
        "action: intake\n        level: 2", "action: handler\n        handler: nobody"
    )
    (pack / "mailboxes.yaml").write_text(text)
    with pytest.raises(PackError) as err:
        validate_pack(pack)
    problems = {(p[0], p[2]) for p in err.value.problems}
    assert ("mailboxes.yaml", "mailboxes.0.unclassified_symptom") in problems
    assert ("mailboxes.yaml", "mailboxes.0.rules.1.handler") in problems
