"""The sealed Weekly Conformance Errors report (seed 002: « le personnel des services de
dépannage ne doit pas l'ouvrir »): every service-desk role gets 403 on its content, by
page, API and admin, and nothing of it shows in any other answer, notification, e-mail,
audit event or log line; the designated person reads it, and each read is recorded."""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from escalade.accounts.services import create_api_token
from escalade.core.models import AuditEvent
from escalade.datasources.models import ConformanceReport
from escalade.notifications.models import Notification, OutgoingMail

from .conftest import MARKER

pytestmark = pytest.mark.django_db

DESK_ROLES = ("level1_agent", "level2_analyst", "manager", "it_technician", "requester")


def api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en")


def page(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def upload(client, data, name=f"wce-{MARKER}.hl7", organisation="hopital-nord"):
    return client.post(
        "/api/conformance-reports",
        {"organisation": organisation, "file": SimpleUploadedFile(name, data)},
    )


def test_the_desk_never_sees_the_content_and_the_designated_person_reads_it(
    ontario, desk, designate, report_bytes, caplog, make_user
):
    caplog.set_level(logging.DEBUG)
    r = upload(api(desk["level1_agent"]), report_bytes)
    assert r.status_code == 201, r.content
    seen = [r.content.decode()]
    body = r.json()
    assert body["organisation"] == "hopital-nord" and body["size"] == len(report_bytes)
    assert body["routed_to"] == ["Nadia Roy <n.roy@hopital-nord.example.org>"]
    assert body["errors_total"] == 2  # the AE and the AR, counted inside the seal
    report = ConformanceReport.objects.get()
    assert MARKER.encode() not in bytes(report.sealed)  # encrypted at rest
    pk = report.pk
    admin = make_user("manager", [ontario], username="boss", is_staff=True, is_superuser=True)
    for role in DESK_ROLES:
        user = desk[role]
        client = api(user)
        meta = client.get(f"/api/conformance-reports/{pk}")
        seen.append(meta.content.decode())
        if role == "requester":
            assert meta.status_code == 403
        else:
            assert meta.status_code == 200 and meta.json()["content"] is None
            assert meta.json()["filename"] is None
        f = client.get(f"/api/conformance-reports/{pk}/file")
        assert f.status_code == 403, role
        assert f.json()["errors"][0]["code"] in ("sealed", "forbidden")
        seen.append(f.content.decode())
        seen.append(client.get("/api/conformance-reports").content.decode())
        p = page(user).get(f"/conformance-reports/{pk}/")
        seen.append(p.content.decode())
        assert p.status_code in (200, 403)
        download = page(user).get(f"/conformance-reports/{pk}/file/")
        assert download.status_code == 403, role
    for path in (
        "/admin/datasources/conformancereport/",
        f"/admin/datasources/conformancereport/{pk}/change/",
        "/admin/core/auditevent/",
        "/admin/notifications/outgoingmail/",
    ):
        r = page(admin).get(path)
        assert r.status_code == 200, path
        seen.append(r.content.decode())
    seen += [f"{m.subject} {m.body}" for m in OutgoingMail.objects.all()]
    seen += [str(n.params) for n in Notification.objects.all()]
    seen += [f"{e.changes} {e.data}" for e in AuditEvent.objects.all()]
    seen.append(caplog.text)
    assert [s for s in seen if MARKER in s] == []
    # the designated person was told it arrived (not what it holds) and opens it
    [told] = OutgoingMail.objects.filter(to=["n.roy@hopital-nord.example.org"])
    assert "/conformance-reports/" in told.body
    reads = AuditEvent.objects.filter(action="phi_viewed").count()
    own = api(designate).get(f"/api/conformance-reports/{pk}")
    assert own.status_code == 200
    content = own.json()
    assert content["designated"] and content["filename"] == f"wce-{MARKER}.hl7"
    assert [e["control_id"] for e in content["content"]] == ["NORDLAB000123", "NORDLAB000125"]
    assert MARKER in content["content"][0]["text"]
    f = api(designate).get(f"/api/conformance-reports/{pk}/file")
    assert f.status_code == 200 and f.content == report_bytes
    p = page(designate).get(f"/conformance-reports/{pk}/")
    assert MARKER in p.content.decode()
    events = AuditEvent.objects.filter(action="phi_viewed").order_by("id")[reads:]
    assert len(events) >= 3 and {e.actor_id for e in events} == {designate.pk}
    assert all(e.data.get("from") == "127.0.0.1" for e in events)


def test_the_designated_person_tracks_each_rejected_message_and_the_desk_sees_counts(
    ontario, desk, designate, report_bytes
):
    pk = upload(api(desk["level1_agent"]), report_bytes).json()["id"]
    errors = api(designate).get(f"/api/conformance-reports/{pk}").json()["content"]
    for e in errors:
        r = api(designate).post(
            f"/api/conformance-reports/{pk}/errors/{e['id']}",
            {"state": "resubmitted"},
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
    meta = api(desk["level2_analyst"]).get(f"/api/conformance-reports/{pk}").json()
    assert (meta["state"], meta["errors_done"], meta["errors_total"]) == ("in_progress", 0, 2)
    # the desk may not move them
    r = api(desk["level2_analyst"]).post(
        f"/api/conformance-reports/{pk}/errors/{errors[0]['id']}",
        {"state": "done"},
        content_type="application/json",
    )
    assert r.status_code == 403
    for e in errors:
        api(designate).post(
            f"/api/conformance-reports/{pk}/errors/{e['id']}",
            {"state": "done"},
            content_type="application/json",
        )
    meta = api(desk["level2_analyst"]).get(f"/api/conformance-reports/{pk}").json()
    assert (meta["state"], meta["errors_done"]) == ("done", 2)


def test_a_report_for_an_organisation_without_designated_person_opens_an_incident(
    ontario, desk, report_bytes
):
    r = upload(api(desk["level1_agent"]), report_bytes, organisation="labo-ouest")
    assert r.status_code == 201
    body = r.json()
    assert body["routed_to"] == [] and body["state"] == "unrouted"
    incident = api(desk["level1_agent"]).get(f"/api/incidents/{body['incident']}").json()
    assert incident["requester"]["name"] == "Services de laboratoire de l'Ouest"
    assert MARKER not in str(incident)


def test_the_report_arrives_by_the_mailbox_rule_on_the_provinces_sender(
    ontario, designate, report_bytes, settings
):
    from escalade.mailin import services as mail
    from escalade.mailin.models import Mailbox, Message
    from escalade.mailin.tests.factories import mail as make_mail
    from escalade.mailin.tests.servers import signing_domain

    box = Mailbox.objects.select_related("institution").get(institution=ontario)
    with signing_domain("one-mail.on.ca", settings) as sign:
        raw = sign(
            make_mail(
                sender="cOntario@one-mail.on.ca",
                to="servicedesk@hospital.example.on.ca",
                subject="Weekly Conformance Errors",
                body=f"Report attached for {MARKER}.",
                attachments=[("wce.hl7", report_bytes, "application/octet-stream")],
            ),
        )
        message = mail.receive(box, raw, via="smtp")
    assert message.state == "routed" and message.rule == "conformance-reports"
    row = Message.objects.get(pk=message.pk)
    assert MARKER.encode() not in bytes(row.raw) and MARKER not in row.text
    report = ConformanceReport.objects.get()
    assert (report.via, report.organisation.code, report.size) == (
        "email",
        "hopital-nord",
        len(report_bytes),
    )


def test_keys_rotate_and_the_old_key_still_opens_until_resealed(
    ontario, desk, designate, report_bytes, settings
):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from escalade.core import seal

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ESCALADE_SEAL_KEYS = [old]
    pk = upload(api(desk["level1_agent"]), report_bytes).json()["id"]
    settings.ESCALADE_SEAL_KEYS = [new, old]  # the new key first, the old one still there
    assert api(designate).get(f"/api/conformance-reports/{pk}/file").content == report_bytes
    call_command("rotate_seal_keys")
    settings.ESCALADE_SEAL_KEYS = [new]  # the old key dropped
    assert api(designate).get(f"/api/conformance-reports/{pk}/file").content == report_bytes
    report = ConformanceReport.objects.get(pk=pk)
    assert report.key_id == seal.key_id()


def test_a_rejected_message_moves_only_as_its_table_says(ontario, desk, designate, report_bytes):
    from escalade.datasources.rules import ERROR

    assert ERROR.allowed("open") == ["resubmit", "accept"] and ERROR.allowed("done") == ["reopen"]
    pk = upload(api(desk["level1_agent"]), report_bytes).json()["id"]
    first = api(designate).get(f"/api/conformance-reports/{pk}").json()["content"][0]
    url = f"/api/conformance-reports/{pk}/errors/{first['id']}"

    def move(state):
        return api(designate).post(url, {"state": state}, content_type="application/json")

    assert move("done").status_code == 200
    r = move("resubmitted")  # accepted already: only reopened
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "not_allowed_now", r.json()
    assert move("open").status_code == 200
    assert api(designate).get(f"/api/conformance-reports/{pk}").json()["errors_done"] == 0
