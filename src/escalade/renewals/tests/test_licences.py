"""Licences held (seed 003: Zoom prepared at least a month before its end), the renewal
decision, the certificates API with a live probe, and reminders exactly once with two
workers on PostgreSQL."""

import datetime as dt
import json
import os
import socket
import ssl
import subprocess
import sys
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from escalade.accounts.services import create_api_token
from escalade.core.models import AuditEvent
from escalade.notifications.models import Notification, OutgoingMail
from escalade.renewals import services
from escalade.renewals.models import Reminder

from .factories import make_cert


def api_of(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en")


def post(client, path, body, method="post"):
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_a_zoom_licence_is_reminded_one_calendar_month_ahead_and_the_decision_recorded(
    make_user,
):
    from pathlib import Path

    from escalade.core.packs import load_pack

    root = Path(__file__).resolve().parents[4]
    emtl = load_pack(root / "packs" / "ciusss-emtl").institution
    owner = make_user("it_technician", [emtl], email="av@emtl.example.org")
    manager = make_user("manager", [emtl], email="gestion@emtl.example.org")
    api = api_of(owner)
    r = post(
        api, "/api/licences", {"product": "Zoom", "holder": "", "seats": 0, "end": "2027-01-31"}
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"holder", "seats"}
    r = post(
        api,
        "/api/licences",
        {
            "product": "Zoom Santé",
            "holder": "Clinique de pédiatrie",
            "holder_email": "pediatrie@emtl.example.org",
            "seats": 12,
            "end": "2027-01-31",
        },
    )
    assert r.status_code == 201, r.content
    licence = r.json()
    # « au moins un mois avant la fin »: 31 January -> 31 December, 31 days (not 30)
    assert licence["lead_days"] == 31 and licence["renewed_by"]  # from the catalogue (seed 003)
    days = [dt.date(2026, 12, 30), dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2027, 2, 1)]
    assert [services.send_reminders(d) for d in days] == [0, 1, 0, 1]
    first = OutgoingMail.objects.order_by("pk").first()
    assert sorted(first.to) == ["av@emtl.example.org", "pediatrie@emtl.example.org"]
    assert "12" in first.subject and "2027-01-31" in first.subject
    assert Notification.objects.filter(user=manager, kind="licence_ended").count() == 1
    # the holder says not to renew: no more reminders after the end
    r = post(
        api,
        f"/api/licences/{licence['id']}",
        {"decision": "let_expire", "decision_note": "Teams instead"},
        "patch",
    )
    assert r.status_code == 200 and r.json()["decision_label"] == "Let it end"
    assert services.send_reminders(dt.date(2027, 2, 2)) == 0
    assert AuditEvent.objects.filter(action="decided", object_id=str(licence["id"])).exists()
    # renewed for a year: a new term, reminded afresh
    r = post(api, f"/api/licences/{licence['id']}", {"end": "2028-01-31"}, "patch")
    assert r.json()["decision"] == "pending"
    assert services.send_reminders(dt.date(2028, 1, 1)) == 1
    assert (
        post(api, f"/api/licences/{licence['id']}", {"decision": "maybe"}, "patch").status_code
        == 422
    )
    agent = api_of(make_user("level1_agent", [emtl]))
    assert (
        post(
            agent, "/api/licences", {"product": "Zoom", "holder": "x", "end": "2027-01-31"}
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_certificates_by_api_pem_and_live_probe(cusm, staff, tmp_path, settings):
    settings.ESCALADE_PROBE_ALLOW = ["127.0.0.0/8"]  # the test's server is on loopback
    api = api_of(staff["it_technician"])
    pem, key = make_cert("viewer.example.org", dt.datetime(2027, 3, 1, tzinfo=dt.UTC))
    r = post(api, "/api/certificates", {"pem": "garbage"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "pem"
    (tmp_path / "c.pem").write_bytes(pem)
    (tmp_path / "k.pem").write_bytes(key)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve():
        conn, _addr = server.accept()
        try:
            context.wrap_socket(conn, server_side=True).close()
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    r = post(
        api,
        "/api/certificates/probe",
        {"host": "127.0.0.1", "port": port, "renewal_process": "Ask the PKI team"},
    )
    thread.join(5)
    server.close()
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["subject"] == "viewer.example.org" and body["source"] == f"127.0.0.1:{port}"
    assert body["expires"].startswith("2027-03-01")
    assert post(api, "/api/certificates", {"pem": pem.decode()}).status_code == 409
    r = post(api, "/api/certificates/probe", {"host": "127.0.0.1", "port": port})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "host"
    assert (
        r.json()["errors"][0]["message"] == f"Could not read a certificate from 127.0.0.1:{port}."
    )
    listed = api.get("/api/certificates").json()["items"]
    assert [c["subject"] for c in listed] == ["viewer.example.org"]
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(staff["it_technician"])
    html = page.get("/renewals/").content.decode()
    assert "viewer.example.org" in html and "Ask the PKI team" in html


WORKER = (
    "from escalade.config.startup import setup; setup(); from django.core.management import call_command; "
    "call_command('db_worker', batch=True, reload=False, startup_delay=False, interval=0)"
)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="several workers share one PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_postgresql_send_each_reminder_exactly_once(cusm, staff):
    from escalade.renewals.tasks import send_renewal_reminders

    owner = staff["it_technician"]
    today = timezone.localdate()
    for days in (90, 60, 30):
        expires = dt.datetime.combine(today + dt.timedelta(days=days), dt.time(12), tzinfo=dt.UTC)
        services.add_certificate(owner, cusm, make_cert(f"h{days}.example.org", expires)[0])
    services.add_licence(
        owner, cusm, {"product": "Reacts", "holder": "DSP", "end": today + dt.timedelta(days=30)}
    )
    for _ in range(6):  # the same job queued several times (two schedulers, a retry...)
        send_renewal_reminders.enqueue()
    s = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "escalade.config.settings",
        "DATABASE_URL": f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}",
    }
    workers = [subprocess.Popen([sys.executable, "-c", WORKER], env=env) for _ in range(2)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    assert sorted(Reminder.objects.values_list("key", flat=True)) == sorted(
        ["90", "60", "30", f"{(today + dt.timedelta(days=30)).isoformat()}:30"]
    )
    assert Notification.objects.filter(user=owner, kind="certificate_expires").count() == 3
    assert Notification.objects.filter(user=owner, kind="licence_ends").count() == 1


@pytest.mark.django_db
def test_a_probe_checks_the_role_before_connecting_and_refuses_internal_addresses(
    cusm, staff, settings
):
    import time

    from escalade.renewals import rules

    server = socket.create_server(("127.0.0.1", 0))  # listens, never speaks TLS
    port = server.getsockname()[1]
    try:
        for role in ("requester", "level1_agent", "level3_coordinator", "manager"):
            r = post(
                api_of(staff[role]), "/api/certificates/probe", {"host": "127.0.0.1", "port": port}
            )
            assert r.status_code == 403, role
        it = api_of(staff["it_technician"])
        for host in ("127.0.0.1", "localhost", "10.1.2.3", "169.254.169.254", "192.168.0.1", "::1"):
            r = post(it, "/api/certificates/probe", {"host": host, "port": port})
            assert r.status_code == 422 and "internal addresses" in r.json()["errors"][0]["message"]
        settings.ESCALADE_PROBE_ALLOW = ["127.0.0.0/8"]
        settings.ESCALADE_PROBE_TIMEOUT = 0.5
        started = time.monotonic()
        r = post(it, "/api/certificates/probe", {"host": "127.0.0.1", "port": port})
        assert time.monotonic() - started < 3  # a silent port holds no worker for long
        assert r.status_code == 422
        assert (
            r.json()["errors"][0]["message"]
            == f"Could not read a certificate from 127.0.0.1:{port}."
        )
    finally:
        server.close()
    assert rules.probe_refused("8.8.8.8", []) is False
    assert rules.probe_refused("::ffff:127.0.0.1", []) is True
    assert rules.probe_refused("10.20.1.1", ["10.20.0.0/16"]) is False
    assert rules.probe_refused("224.0.0.1", []) is True


def test_one_calendar_month_before_keeps_the_day_or_takes_the_months_last():
    from escalade.renewals.rules import months_before

    assert months_before(dt.date(2027, 1, 31), 1) == dt.date(2026, 12, 31)
    assert months_before(dt.date(2027, 3, 31), 1) == dt.date(2027, 2, 28)
    assert months_before(dt.date(2028, 3, 30), 1) == dt.date(2028, 2, 29)
    assert months_before(dt.date(2027, 7, 15), 1) == dt.date(2027, 6, 15)
