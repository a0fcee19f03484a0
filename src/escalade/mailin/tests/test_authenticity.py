"""Whether a message comes from its From domain: real DKIM signatures (a throwaway key,
published by a real DNS server started on a free port, or pinned by the pack), forged
ones, and a trusted relay's Authentication-Results. A rule that asks for it holds what
fails, and nothing acts on a held message."""

from __future__ import annotations

import pytest

from escalade.datasources.models import ConformanceReport, Mapping, ProposedImport
from escalade.incidents.models import Incident
from escalade.mailin import authenticity, services
from escalade.mailin.choices import State
from escalade.mailin.models import Mailbox
from escalade.notifications.models import OutgoingMail

from .factories import mail
from .servers import Zone, dkim_key, dkim_sign, signing_domain

PROVINCE = "one-mail.on.ca"


def _worksheet_mail(sender="cOntario <contario@one-mail.on.ca>", **kw) -> bytes:
    from escalade.datasources.tests.test_terminology import provinces_workbook

    return mail(
        sender=sender,
        to="servicedesk@hospital.example.on.ca",
        subject="Codes on the Fly - week 48",
        body="Worksheet attached.",
        attachments=[
            (
                "codes.xlsx",
                provinces_workbook(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        ],
        **kw,
    )


def test_a_signature_verifies_against_the_key_a_real_dns_server_publishes():
    private, name, record = dkim_key("s1", PROVINCE)
    raw = mail(sender=f"contario@{PROVINCE}", subject="Codes on the Fly")
    signed = dkim_sign(raw, "s1", PROVINCE, private)
    with Zone({name: record}) as zone:
        verdict = authenticity.verify(signed, dns_server=zone.address)
        tampered = authenticity.verify(
            signed.replace(b"Codes on the Fly", b"Codes on the Fly!"), dns_server=zone.address
        )
        assert zone.asked == [name, name]
    assert (verdict.result, verdict.method) == ("pass", "dkim")
    assert tampered.result == "fail"
    # the same key pinned by the pack: no DNS asked at all
    assert authenticity.verify(signed, pinned_keys={name: record}).passed


def test_a_signature_of_another_domain_or_none_is_not_a_pass():
    private, name, record = dkim_key("s1", "attacker.example")
    raw = mail(sender=f"contario@{PROVINCE}")
    forged = authenticity.verify(
        dkim_sign(raw, "s1", "attacker.example", private), pinned_keys={name: record}
    )
    assert (forged.result, forged.detail) == ("fail", "d=attacker.example: not aligned")
    assert authenticity.verify(raw).result == "none"
    # a key no DNS server publishes: fail, not an error
    with Zone({}) as zone:
        other_private, _n, _r = dkim_key("s1", PROVINCE)
        unknown = dkim_sign(raw, "s1", PROVINCE, other_private)
        assert authenticity.verify(unknown, dns_server=zone.address).result == "fail"


@pytest.mark.parametrize(
    ("signer", "author", "ok"),
    [
        ("one-mail.on.ca", "one-mail.on.ca", True),
        ("mail.one-mail.on.ca", "one-mail.on.ca", True),
        ("one-mail.on.ca", "sub.one-mail.on.ca", True),
        ("evil.on.ca", "one-mail.on.ca", False),
        ("ca", "one-mail.on.ca", False),
        ("", "one-mail.on.ca", False),
    ],
)
def test_alignment(signer, author, ok):
    assert authenticity.aligned(signer, author) is ok


def test_only_the_topmost_verdict_of_a_named_relay_is_believed():
    raw = mail(sender=f"contario@{PROVINCE}")
    ours = b"Authentication-Results: mx.hospital.example; dmarc=pass header.from=one-mail.on.ca\r\n"
    theirs = b"Authentication-Results: mx.attacker.example; dmarc=pass\r\n"
    failed = b"Authentication-Results: mx.hospital.example; spf=fail smtp.mailfrom=x; dkim=none\r\n"
    relays = ["mx.hospital.example"]
    assert authenticity.verify(ours + raw, trusted_relays=relays).passed
    assert authenticity.verify(theirs + raw, trusted_relays=relays).result == "none"
    assert authenticity.verify(ours + raw, trusted_relays=[]).result == "none"
    assert authenticity.verify(failed + ours + raw, trusted_relays=relays).failed


def _box(ontario) -> Mailbox:
    return Mailbox.objects.select_related("institution").get(institution=ontario)


def test_forged_province_mail_writes_nothing_and_is_held(ontario, desk, settings):
    """Issue 25, finding 1: a message claiming the province's domain, unsigned or signed by
    another domain, mapped GLU to sodium and became a sealed report. Now both are held."""
    before = dict(Mapping.objects.values_list("local_code", "target"))
    private, name, record = dkim_key("s1", "attacker.example")
    with Zone({name: record}) as zone:
        settings.ESCALADE_MAIL_DNS = zone.address
        forged = [
            _worksheet_mail(),
            dkim_sign(_worksheet_mail(), "s1", "attacker.example", private),
            mail(
                sender=f"contario@{PROVINCE}",
                to="servicedesk@hospital.example.on.ca",
                subject="Weekly Conformance Errors",
                attachments=[("wce.hl7", b"MSH|^~\\&|forged", "application/octet-stream")],
            ),
        ]
        held = [services.receive(_box(ontario), raw, via="smtp") for raw in forged]
    assert [m.state for m in held] == [State.HELD] * 3
    assert [m.authentication for m in held] == ["none", "fail", "none"]
    assert all(m.reason_code == "not_authenticated" for m in held)
    assert "not aligned" in held[1].reason and bytes(held[1].raw) == b""
    assert ProposedImport.objects.count() == 0 and ConformanceReport.objects.count() == 0
    assert dict(Mapping.objects.values_list("local_code", "target")) == before
    assert Incident.objects.count() == 0 and OutgoingMail.objects.count() == 0
    # listed with the reason, for those who run the mailboxes, page and API
    from django.test import Client

    from escalade.accounts.services import create_api_token

    runner = desk["it_technician"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(runner)}")
    listed = api.get("/api/mailboxes/rejected", {"institution": ontario.code}).json()["items"]
    assert [m["state"] for m in listed] == ["held"] * 3
    assert "not aligned" in " ".join(m["reason"] for m in listed)
    page = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    page.force_login(runner)
    html = page.get("/mailboxes/").content.decode()
    assert html.count("Retenu : non authentifié") == 3 and "/retake/" not in html


def test_the_signed_worksheet_is_only_proposed(ontario, settings):
    before = dict(Mapping.objects.values_list("local_code", "target"))
    with signing_domain(PROVINCE, settings) as sign:
        message = services.receive(_box(ontario), sign(_worksheet_mail()), via="smtp")
    assert (message.state, message.authentication) == (State.ROUTED, "pass")
    proposal = ProposedImport.objects.get()
    assert (
        f"importation proposée nº {proposal.pk} (" in message.reason
    )  # the outcome as the mailbox page shows it
    assert (proposal.state, proposal.sender) == ("proposed", "contario@one-mail.on.ca")
    assert dict(Mapping.objects.values_list("local_code", "target")) == before


def test_no_acknowledgment_to_a_sender_whose_message_failed_authentication(ontario, settings):
    """Backscatter: a forged clinician's address gets no answer; a genuine one does."""
    private, name, record = dkim_key("s1", "attacker.example")
    with Zone({name: record}) as zone:
        settings.ESCALADE_MAIL_DNS = zone.address
        forged = dkim_sign(
            mail(sender="victim@hopital.example.org", to="servicedesk@hospital.example.on.ca"),
            "s1",
            "attacker.example",
            private,
        )
        taken = services.receive(_box(ontario), forged, via="smtp")
    assert (taken.state, taken.authentication) == (State.OPENED, "fail")
    assert OutgoingMail.objects.count() == 0  # the request is opened, nobody is answered
    with signing_domain("hopital.example.org", settings) as sign:
        genuine = sign(mail(sender="marie@hopital.example.org", to=taken.mailbox.address))
        services.receive(_box(ontario), genuine, via="smtp")
    assert OutgoingMail.objects.filter(to__icontains="marie@hopital.example.org").count() == 1
