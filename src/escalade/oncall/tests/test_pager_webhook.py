"""A hospital's own paging system as a channel: it subscribes a webhook to `page.sent`,
receives each page signed (who, the incident, the link to acknowledge), beeps the
pager, and acknowledges through the API; it hears `page.acknowledged` too."""

import datetime as dt
import hashlib
import hmac
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from escalade.accounts.services import create_api_token
from escalade.incidents.tests.factories import log
from escalade.notifications.models import Webhook
from escalade.notifications.tests.test_webhooks import SECRET, Receiver, run_worker
from escalade.oncall.models import Page, Paging
from escalade.reports.tests.test_major_report import free_port

pytestmark = pytest.mark.django_db(transaction=True)
MONDAY_10 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("America/Montreal"))


def test_the_hospitals_paging_system_gets_the_page_and_acknowledges_it(cusm, make_user):
    make_user("telehealth_technician", [cusm], username="tech")  # on call Monday 10:00
    agent = make_user("level1_agent", [cusm], username="agent-pager")
    pager = make_user("chief_telehealth_technician", [cusm], username="pager-system")
    port = free_port()
    receiver = Receiver(port)
    Webhook.objects.create(
        institution=cusm,
        url=f"http://127.0.0.1:{port}/pager",
        secret=SECRET,
        events=["page.sent", "page.acknowledged"],
    )
    try:
        with time_machine.travel(MONDAY_10, tick=False):
            incident = log(agent, cusm, symptom="bridge")
            run_worker()
        page = Page.objects.get(paging__incident=incident, channel="webhook")
        assert (page.username, page.state) == ("tech", "sent")
        ((headers, body),) = receiver.received
        assert headers["X-Escalade-Event"] == "page.sent"
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Escalade-Signature"] == expected  # the receiver knows who speaks
        data = json.loads(body)["data"]
        assert data["page"] == page.pk and data["incident"] == incident.number
        assert data["person"]["username"] == "tech" and "/ack/" in data["ack_url"]
        assert incident.number in data["text"]
        # the paging system acknowledges for the person (a lead's token)
        api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(pager, 'pager')}")
        r = api.post(f"/api/pages/{page.pk}/ack")
        assert r.status_code == 200, r.content
        run_worker()
    finally:
        receiver.stop()
    assert Paging.objects.get(incident=incident).state == "acknowledged"
    events = [h["X-Escalade-Event"] for h, _b in receiver.received]
    assert events == ["page.sent", "page.acknowledged"]
