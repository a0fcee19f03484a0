"""Units that confirm they are on paper (seed 004, degraded mode): an outage's broadcasts
ask each unit of their groups to confirm, from its kiosk screen, a link or its lead's
SMS reply; a unit silent after the runbook's delay is paged through its lead; the outage
page, the API and the wallboard show who confirmed and when; the same at the return."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from escalade.accounts.services import create_api_token
from escalade.core.errors import Conflict
from escalade.core.models import AuditEvent
from escalade.notifications.models import OutgoingMail
from escalade.oncall import services as oncall
from escalade.oncall.models import Page, Paging
from escalade.runbooks import services
from escalade.runbooks.models import UnitConfirmation

from .factories import outage as activate

pytestmark = pytest.mark.django_db


def answers(outage, phase="degraded") -> dict:
    rows = UnitConfirmation.objects.filter(outage=outage, phase=phase).select_related("unit")
    return {c.unit.code: c.via or None for c in rows}


def signed_in(user, lang="fr"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_activation_asks_the_units_of_the_broadcasts_groups_once(pau, crew):
    # case 1 warns the imaging reading rooms only: radiology and nuclear medicine, not
    # the emergency department
    outage = activate(crew["it_technician"], pau, "case1_label")
    assert answers(outage) == {"radiology": None, "nuclear_medicine": None}
    row = UnitConfirmation.objects.filter(outage=outage).first()
    assert row.due_at - row.asked_at == dt.timedelta(minutes=15)  # the pack's delay
    # a PACS outage warns every workstation: the three units
    pacs = activate(crew["it_technician"], pau, "case3_pacs")
    assert set(answers(pacs)) == {"radiology", "nuclear_medicine", "emergency"}
    # the group's mailing list gets each unit's link, in French and in English
    (mail,) = [m for m in OutgoingMail.objects.all() if m.subject.startswith("✔")]
    assert mail.to == ["tous-les-postes@ch-pau.example.fr"]
    assert "Urgences / Emergency department" in mail.body
    assert len(re.findall(r"/units/confirm/[^/\s]+/", mail.body)) == 3


def test_a_unit_confirms_from_its_kiosk_screen_with_one_button(pau, crew):
    outage = activate(crew["it_technician"], pau, "case3_pacs")
    kiosk = Client(HTTP_ACCEPT_LANGUAGE="fr")
    screen = kiosk.get("/display/", {"group": "imaging", "unit": "emergency"})
    html = screen.content.decode()
    assert "PACS en panne" in html and 'id="confirm-unit"' in html
    assert "Notre unité travaille sur papier" in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    pressed = kiosk.post(
        action.replace("&amp;", "&"), {"token": token, "back": "?group=imaging&unit=emergency"}
    )
    assert pressed.status_code == 302 and "confirmed=emergency" in pressed["Location"]
    assert answers(outage)["emergency"] == "kiosk"
    after = kiosk.get(pressed["Location"]).content.decode()
    assert 'id="confirm-unit"' not in after and "Merci" in after
    # pressed twice (two people at the desk): the first answer stands
    kiosk.post(action.replace("&amp;", "&"), {"token": token})
    assert UnitConfirmation.objects.filter(outage=outage, confirmed_at__isnull=False).count() == 1
    # a forged token is refused, and the other units are still waiting
    assert kiosk.post("/display/confirm/", {"token": "forged"}).status_code == 400
    assert answers(outage)["radiology"] is None
    event = AuditEvent.objects.get(action="unit_confirmed")
    assert event.data["via"] == "kiosk" and event.data["unit"]


def test_a_link_shows_a_button_and_only_the_button_confirms(pau, crew):
    outage = activate(crew["it_technician"], pau, "case1_label")
    c = UnitConfirmation.objects.get(outage=outage, unit__code="radiology")
    path = f"/units/confirm/{services.confirm_token(c)}/"
    phone = Client(HTTP_ACCEPT_LANGUAGE="en")
    shown = phone.get(path)
    assert shown.status_code == 200 and "degraded (paper) procedure" in shown.content.decode()
    assert answers(outage)["radiology"] is None  # mail filters open links: nothing changes
    done = phone.post(path, {"name": "S. Haran"})
    assert 'id="unit-confirmed"' in done.content.decode()
    c.refresh_from_db()
    assert (c.via, c.by_name) == ("link", "S. Haran")
    assert phone.get(path.replace("/confirm/", "/confirm/x")).status_code == 404


def test_silent_units_page_their_lead_once_and_the_leads_sms_reply_confirms(pau, crew, settings):
    settings.ESCALADE_SMS_SENDSMS_URL = "http://127.0.0.1:9/cgi-bin/sendsms"
    start = timezone.now()
    outage = activate(crew["it_technician"], pau, "case1_label", at=start)
    radiology = UnitConfirmation.objects.get(outage=outage, unit__code="radiology")
    services.confirm_unit(None, radiology, "kiosk")
    # ten minutes: nobody is late yet
    assert services.check_units(outage.pk, "degraded", start + dt.timedelta(minutes=10)) == 0
    # after the pack's fifteen minutes, nuclear medicine is silent: its lead is paged by
    # SMS (no account: not in the app); a second run pages no one twice
    later = start + dt.timedelta(minutes=16)
    assert services.check_units(outage.pk, "degraded", later) == 1
    assert services.check_units(outage.pk, "degraded", later) == 0
    paging = Paging.objects.get(incident=outage.incident, trigger="unit_silent")
    sms = Page.objects.get(paging=paging, channel="sms")
    assert (sms.name, sms.phone) == ("Marc Iribarne", "+33 5 59 92 47 30")
    text = oncall.sms_text(sms)
    assert "Médecine nucléaire" in text and f"OK {sms.code}" in text and len(text) <= 160
    assert not Paging.objects.filter(unit__unit__code="radiology").exists()
    # the lead's reply from their phone confirms the unit
    answer = oncall.sms_reply("+33559924730", f"ok {sms.code}")
    assert "Médecine nucléaire" in answer
    c = UnitConfirmation.objects.get(outage=outage, unit__code="nuclear_medicine")
    assert (c.via, c.by_name) == ("sms", "Marc Iribarne")
    assert Paging.objects.get(pk=paging.pk).state == "acknowledged"


def test_a_unit_that_confirms_stops_its_leads_paging(pau, crew):
    start = timezone.now()
    outage = activate(crew["it_technician"], pau, "case1_label", at=start)
    services.check_units(outage.pk, "degraded", start + dt.timedelta(minutes=16))
    paging = Paging.objects.get(unit__unit__code="radiology")
    assert paging.state == "running" and paging.step == 1  # again after the delay
    c = UnitConfirmation.objects.get(outage=outage, unit__code="radiology")
    services.confirm_unit(None, c, "kiosk")
    paging.refresh_from_db()
    assert paging.state == "acknowledged"
    with time_machine.travel(start + dt.timedelta(minutes=32), tick=False):
        assert oncall.run_step(paging.pk, 1, 1) is False  # the lead is not paged again


def test_the_return_asks_again_and_the_centre_records_an_answer_by_phone(pau, crew):
    it = crew["it_technician"]
    outage = activate(it, pau, "case1_label")
    services.restore(it, outage)
    assert set(answers(outage, "normal")) == {"radiology", "nuclear_medicine"}
    # the degraded question is over: it cannot be answered, nor paged any more
    old = UnitConfirmation.objects.get(outage=outage, unit__code="radiology", phase="degraded")
    with pytest.raises(Conflict) as refused:
        services.confirm_unit(None, old, "kiosk")
    assert refused.value.field == "phase"
    assert services.check_units(outage.pk, "degraded", timezone.now() + dt.timedelta(hours=1)) == 0
    # the page: the units and a button for the centre, which called the unit
    client = signed_in(it, "en")
    html = client.get(f"/outages/{outage.pk}/").content.decode()
    assert 'id="units"' in html and "Back to normal work" in html and "Sophie Haran" in html
    r = client.post(f"/outages/{outage.pk}/units/radiology/confirm/", {"phase": "normal"})
    assert r.status_code == 302
    assert answers(outage, "normal")["radiology"] == "app"
    # a requester may not
    other = signed_in(crew["requester"])
    r = other.post(f"/outages/{outage.pk}/units/nuclear_medicine/confirm/", {"phase": "normal"})
    assert r.status_code in (403, 404)
    assert answers(outage, "normal")["nuclear_medicine"] is None


def test_the_api_lists_the_units_and_confirms_by_phone(pau, crew):
    it = crew["it_technician"]
    outage = activate(it, pau, "case1_label")
    token = create_api_token(it, "units")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = api.get(f"/api/outages/{outage.pk}").json()
    assert {u["code"] for u in body["units"]} == {"radiology", "nuclear_medicine"}
    assert body["units"][0]["lead"]["name"] and body["units"][0]["confirmed_at"] is None
    r = api.post(
        f"/api/outages/{outage.pk}/units/radiology/confirm",
        json.dumps({"phase": "degraded"}),
        content_type="application/json",
    )
    assert r.status_code == 200
    (row,) = [u for u in r.json()["units"] if u["code"] == "radiology"]
    assert row["via"] == "app" and row["by"]
    r = api.post(
        f"/api/outages/{outage.pk}/units/emergency/confirm",
        json.dumps({"phase": "degraded"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "unit"


def test_the_wallboard_shows_which_units_are_on_paper(pau, crew):
    outage = activate(crew["it_technician"], pau, "case1_label")
    services.confirm_unit(
        None, UnitConfirmation.objects.get(outage=outage, unit__code="radiology"), "kiosk"
    )
    html = signed_in(crew["level1_agent"], "en").get("/wallboard/").content.decode()
    cell = html[html.index('id="wb-units"') :]
    assert "1 of 2 confirmed" in cell and "Nuclear medicine" in cell
