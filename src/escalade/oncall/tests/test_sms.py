"""A page by SMS through a real Kannel (bearerbox, smsbox, the fake SMS centre): the page
arrives at the fake centre's phone, and its SMS reply "OK <code>" acknowledges it."""

import datetime as dt
import re
import subprocess
import time
import urllib.parse
from zoneinfo import ZoneInfo

import pytest
import time_machine

from escalade.incidents.tests.factories import log
from escalade.oncall import services
from escalade.oncall.models import Page, Paging

from . import kannel

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not kannel.available(), reason=kannel.WHY_NOT),
]
MONDAY_10 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("America/Montreal"))


def test_a_page_reaches_the_phone_and_an_sms_reply_acknowledges_it(
    live_server, cusm, make_user, settings, tmp_path
):
    settings.ESCALADE_SMS_SECRET = "kannel-calls-us"
    reply_url = f"{live_server.url}/sms/kannel/?secret=kannel-calls-us"
    with kannel.kannel(tmp_path, reply_url) as gateway:
        settings.ESCALADE_SMS_SENDSMS_URL = gateway.sendsms_url
        settings.ESCALADE_SMS_USER, settings.ESCALADE_SMS_PASSWORD = gateway.user, gateway.password
        settings.ESCALADE_SMS_FROM = "5550"
        tech = make_user("telehealth_technician", [cusm], username="tech")
        agent = make_user("level1_agent", [cusm])
        with time_machine.travel(MONDAY_10, tick=False):  # Sophie Tremblay's day
            incident = log(agent, cusm, symptom="bridge")
        sms = Page.objects.get(paging__incident=incident, channel="sms")
        assert (sms.username, sms.phone, sms.user) == ("tech", "+1 514 555-0101", tech)
        assert services.send_sms(sms.pk) == "accepted"
        assert services.send_sms(sms.pk) == "nothing to send"  # accepted once
        phone = gateway.phone(f"+15145550101 5550 text OK {sms.code}")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if Paging.objects.get(incident=incident).state == "acknowledged":
                break
            time.sleep(0.2)
        phone.terminate()
        try:
            received, _ = phone.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            phone.kill()
            received, _ = phone.communicate()
    paging = Paging.objects.get(incident=incident)
    assert paging.state == "acknowledged", received
    # the page as the phone got it: UCS-2 (French has accents), URL-encoded by fakesmsc
    # (the gateway splits a long one in parts: read them all, in order)
    parts = re.findall(
        r"Got message \d+: <5550 \+15145550101 (?:ucs-2|udh \S+ data) ([^>]*)>", received
    )
    text = "".join(
        urllib.parse.unquote_to_bytes(p.replace("+", "%20")).decode("utf-16-be") for p in parts
    )
    # in the person's language (no profile: the product's, Quebec French)
    assert text.startswith(f"Escalade : incident {incident.number}, ") and f"OK {sms.code}" in text
    assert f"incident {incident.number} confirmé. Merci." in received  # the reply sent back
    sms.refresh_from_db()
    assert sms.state == "acknowledged" and sms.accepted_at is not None


def test_a_reply_from_another_phone_or_without_the_secret_acknowledges_nothing(
    client, cusm, make_user, settings
):
    settings.ESCALADE_SMS_SECRET = "kannel-calls-us"
    settings.ESCALADE_SMS_SENDSMS_URL = "http://127.0.0.1:9/cgi-bin/sendsms"  # never reached
    make_user("telehealth_technician", [cusm], username="tech")
    agent = make_user("level1_agent", [cusm])
    with time_machine.travel(MONDAY_10, tick=False):
        incident = log(agent, cusm, symptom="bridge")
    sms = Page.objects.get(paging__incident=incident, channel="sms")
    text = f"OK {sms.code}"
    assert (
        client.get("/sms/kannel/", {"secret": "guess", "from": sms.phone, "text": text}).status_code
        == 403
    )
    other = client.get(
        "/sms/kannel/", {"secret": "kannel-calls-us", "from": "+15145559999", "text": text}
    )
    assert other.status_code == 200 and "pas un appel" in other.content.decode()
    assert Paging.objects.get(incident=incident).state == "running"
