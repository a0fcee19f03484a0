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
    # the pack's "+1 514 251-3050", to tap, written as Quebec writes it
    assert '<a href="tel:+15142513050">514 251-3050</a>' in panel
    assert "lun 07:00" in panel  # until Monday 07:00


def test_a_team_off_duty_says_who_answers_instead(cusm, make_user):
    """The MUHC's technicians answer by day and IT on call at night: off duty, each says
    the other answers (not "the day team" at night); the CSI's night team by day leaves
    it to the day team, whose office hours are open."""
    import time_machine

    agent = make_user("level1_agent", [cusm])
    api = api_of(agent)
    monday_6pm = dt.datetime(2026, 12, 7, 18, 6, tzinfo=MTL)
    rows = {
        r["team"]: r for r in api.get("/api/oncall", {"at": monday_6pm.isoformat()}).json()["items"]
    }
    technicians, it = rows["telehealth-technicians"], rows["it-on-call"]
    assert technicians["off_duty"] and technicians["covered_by"] == "it-on-call"
    assert technicians["office_open"] is False
    assert it["person"]["username"] == "ittech" and it["covered_by"] is None
    noon = monday_6pm.replace(hour=12)
    (it,) = api.get("/api/oncall", {"at": noon.isoformat(), "team": "it-on-call"}).json()["items"]
    assert it["off_duty"] and it["covered_by"] == "telehealth-technicians"

    client = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    client.force_login(make_user("manager", [cusm]))
    with time_machine.travel(monday_6pm, tick=False):
        html = client.get("/oncall/").content.decode()
    row = html[html.index('id="team-telehealth-technicians"') :]
    row = row[: row.index("</tr>")]
    assert (
        'Hors garde; de garde à sa place : <a href="#team-it-on-call">Garde informatique</a>' in row
    )
    assert "l'équipe de jour" not in row and "l&#x27;équipe de jour" not in row

    ciusss = pack_institution("ciusss-emtl")
    tuesday_noon = dt.datetime(2026, 12, 15, 12, 0, tzinfo=MTL)
    (day,) = (
        api_of(make_user("level1_agent", [ciusss]))
        .get("/api/oncall", {"at": tuesday_noon.isoformat()})
        .json()["items"]
    )
    assert day["off_duty"] and day["covered_by"] is None and day["office_open"] is True


def test_a_night_team_s_next_is_tonight_s_person_not_the_day_off(make_user):
    """Pau's IT on call at 00:15 on a Tuesday: its turn ends at 08:00, when its hours end;
    who is next is who takes the night at 17:30 (the same person this week), said with
    the time, in Pau's time."""
    import time_machine

    pau = pack_institution("ch-pau-imaging")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user("manager", [pau]))
    paris = ZoneInfo("Europe/Paris")
    with time_machine.travel(dt.datetime(2026, 12, 8, 0, 15, tzinfo=paris), tick=False):
        html = client.get("/oncall/").content.decode()
    row = html[html.index('id="team-astreinte-informatique"') :]
    cells = row[: row.index("</tr>")].split("<td>")
    assert "Nicolas Laborde" in cells[2] and "Tue 2026-12-08 08:00" in cells[4]
    assert (
        "Nicolas Laborde" in cells[5]
        and '(from <time datetime="2026-12-08T17:30:00+01:00">Tue 17:30' in cells[5]
    )
    client.cookies["django_language"] = "fr-ca"
    with time_machine.travel(dt.datetime(2026, 12, 8, 0, 15, tzinfo=paris), tick=False):
        html = client.get("/oncall/").content.decode()
    assert '(dès <time datetime="2026-12-08T17:30:00+01:00">mar 17:30' in html  # not "de"


def test_a_lead_of_two_zones_swaps_a_night_in_the_institution_s_time(cusm, make_user):
    """A manager of Montréal and Pau, working on Pau: the form says its times are Pau's,
    and 20:00 typed is 20:00 in Pau (19:00 UTC), not in Montréal."""
    from escalade.oncall.models import Override

    pau = pack_institution("ch-pau-imaging")
    lead = make_user("manager", [cusm, pau], username="lead-two-zones")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(lead)
    client.post("/institution/", {"institution": "ch-pau-imaging"})
    html = client.get("/oncall/").content.decode()
    assert "In the institution&#x27;s time (Europe/Paris)." in html
    form = {
        "team": "astreinte-informatique",
        "starts_at": "2026-12-08T20:00",
        "ends_at": "2026-12-09T08:00",
        "username": "c.etcheverry",
        "reason": "swap",
    }
    assert client.post("/oncall/", form).status_code == 302
    swap = Override.objects.get(username="c.etcheverry")
    assert swap.starts_at == dt.datetime(2026, 12, 8, 19, 0, tzinfo=dt.UTC)


def test_a_person_subscribes_to_their_own_shifts_in_a_calendar(make_user):
    import icalendar

    from escalade.notices.services import feed_key
    from escalade.oncall import feeds
    from escalade.oncall.models import Override, Team

    ciusss = pack_institution("ciusss-emtl")
    melanie = make_user("it_technician", [ciusss], username="ittech")
    lead = make_user("manager", [ciusss], username="csi-lead")
    team = Team.objects.get(institution=ciusss, code="csi-on-call")
    # the lead gives Mélanie Pierre's Tuesday night of the next week
    tuesday = dt.datetime(2026, 12, 15, 17, 0, tzinfo=MTL)
    Override.objects.create(
        team=team,
        starts_at=tuesday,
        ends_at=tuesday + dt.timedelta(hours=14),
        username="ittech",
        name="Mélanie Ouellet",
        reason="swap",
        created_by=lead,
    )
    monday = dt.datetime(2026, 12, 7, 0, 0, tzinfo=MTL)
    cal = feeds.calendar_of(melanie, monday + dt.timedelta(days=feeds.DAYS_BEHIND))
    spans = [
        (e.decoded("dtstart"), e.decoded("dtend"), str(e.get("summary")))
        for e in cal.walk("VEVENT")
        if e.decoded("dtstart") >= monday
    ]
    at = lambda d, h: dt.datetime(2026, 12, d, h, 0, tzinfo=MTL)  # noqa: E731
    # her week: four weeknights from 17:00 to 07:00, then Friday 17:00 to Monday's
    # hand-over at 07:00 in one span; the next week, only the night she was given
    assert [(s, e) for s, e, _ in spans][:6] == [
        (at(7, 17), at(8, 7)),
        (at(8, 17), at(9, 7)),
        (at(9, 17), at(10, 7)),
        (at(10, 17), at(11, 7)),
        (at(11, 17), at(14, 7)),
        (at(15, 17), at(16, 7)),
    ]
    assert "swap" in spans[5][2] or "échange" in spans[5][2]
    assert all("Garde informatique du CSI" in s or "CSI IT on call" in s for _s, _e, s in spans)
    # the feed by its secret address, no sign-in (a calendar sends no cookie)
    key = feed_key(melanie).key
    r = Client().get(f"/feeds/{key}/shifts.ics")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(r.content)
    assert parsed.walk("VTIMEZONE")  # the times are in the institution's zone
    assert Client().get("/feeds/not-a-key/shifts.ics").status_code == 404
    # the on-call page gives her the address
    page = Client()
    page.force_login(melanie)
    assert f"/feeds/{key}/shifts.ics" in page.get("/oncall/").content.decode()
