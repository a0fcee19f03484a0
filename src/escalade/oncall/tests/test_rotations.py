"""Who is on call, from the shipped packs: the CIUSSS's IT on call nights, weekends and
holidays (seed 003), the MUHC's technicians by day, overrides by a team lead."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from conftest import pack_institution
from escalade.accounts.services import create_api_token
from escalade.core.models import AuditEvent

pytestmark = pytest.mark.django_db
MTL = ZoneInfo("America/Montreal")


def api_of(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en")


def test_the_csi_on_call_answers_nights_and_weekends_in_turns(make_user):
    ciusss = pack_institution("ciusss-emtl")
    agent = make_user("level1_agent", [ciusss])
    api = api_of(agent)
    saturday = dt.datetime(2026, 12, 12, 10, 0, tzinfo=MTL)
    r = api.get("/api/oncall", {"institution": "ciusss-emtl", "at": saturday.isoformat()})
    assert r.status_code == 200, r.content
    (row,) = r.json()["items"]
    # the week from Monday 7 December 07:00 is turn 48 since 5 January: the first member's
    assert row["person"] == {"username": "ittech", "name": "Mélanie Ouellet"}
    assert dt.datetime.fromisoformat(row["until"]) == dt.datetime(2026, 12, 14, 7, 0, tzinfo=MTL)
    tuesday_noon = dt.datetime(2026, 12, 15, 12, 0, tzinfo=MTL)
    (day,) = api.get("/api/oncall", {"at": tuesday_noon.isoformat()}).json()["items"]
    assert day["person"] is None and day["off_duty"]
    night = api.get("/api/oncall", {"at": (tuesday_noon + dt.timedelta(hours=6)).isoformat()})
    assert night.json()["items"][0]["person"]["username"] == "p.lavoie"  # the next week's
    assert dt.datetime.fromisoformat(day["until"]) == dt.datetime(2026, 12, 15, 17, 0, tzinfo=MTL)
    bad = api.get("/api/oncall", {"team": "nobody"})
    assert bad.status_code == 404 and bad.json()["errors"][0]["code"] == "unknown_team"


def test_a_lead_swaps_a_night_and_it_is_recorded(cusm, team):
    tuesday_9pm = dt.datetime(2026, 12, 8, 21, 0, tzinfo=MTL)
    body = {
        "team": "it-on-call",
        "starts_at": tuesday_9pm.isoformat(),
        "ends_at": (tuesday_9pm + dt.timedelta(hours=11)).isoformat(),
        "username": "j.cote",
        "reason": "Julie is at a conference.",
    }
    tech = api_of(team["telehealth_technician"])
    refused = tech.post("/api/oncall/overrides", json.dumps(body), content_type="application/json")
    assert refused.status_code == 403
    lead = api_of(team["manager"])
    bad = lead.post(
        "/api/oncall/overrides",
        json.dumps({**body, "ends_at": body["starts_at"], "username": "stranger", "reason": ""}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"ends_at", "reason", "name"}
    done = lead.post("/api/oncall/overrides", json.dumps(body), content_type="application/json")
    assert done.status_code == 201 and done.json()["name"] == "Jean Côté", done.content
    at = (tuesday_9pm + dt.timedelta(hours=2)).isoformat()
    rows = {r["team"]: r for r in tech.get("/api/oncall", {"at": at}).json()["items"]}
    swapped = rows["it-on-call"]
    assert swapped["person"]["username"] == "j.cote" and swapped["override"]
    assert swapped["phone"] == "+1 514 555-0143"
    assert AuditEvent.objects.filter(action="oncall_overridden").count() == 1


def test_the_page_says_who_is_on_call_now_and_next_in_french(cusm, team):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    client.force_login(team["chief_telehealth_technician"])
    html = client.get("/oncall/").content.decode()
    assert "Garde informatique" in html and "Techniciens en télésanté (CCT)" in html
    assert 'id="override-form"' in html  # a lead may change the rotation
    client.force_login(team["telehealth_technician"])
    assert 'id="override-form"' not in client.get("/oncall/").content.decode()


def test_whom_to_call_shows_who_is_on_call(make_user):
    import time_machine

    ciusss = pack_institution("ciusss-emtl")
    agent = make_user("level1_agent", [ciusss])
    client = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    client.force_login(agent)
    saturday = dt.datetime(2026, 12, 12, 10, 0, tzinfo=MTL)
    with time_machine.travel(saturday, tick=False):
        html = client.get("/catalogue/").content.decode()
    panel = html[html.index('id="on-call-now"') :]
    panel = panel[: panel.index("</section>")]
    assert "Garde informatique du CSI" in panel and "Mélanie Ouellet" in panel
    assert "+1 514 251-3050" in panel and "lun 07:00" in panel  # until Monday 07:00
