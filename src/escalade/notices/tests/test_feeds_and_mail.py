"""The Atom feed read back with feedparser, the .ics with icalendar; notices e-mailed to
the designated contacts through a real SMTP server, each in the contact's language."""

import datetime as dt
import json
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
import time_machine
from django.test import Client

from escalade.accounts.services import create_api_token
from escalade.notices.services import feed_key
from escalade.reports.tests.test_major_report import run_worker, smtp  # noqa: F401 - fixture

TORONTO = ZoneInfo("America/Toronto")


def publish(user, **body):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en")
    r = api.post("/api/notices", json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    return r.json()


@pytest.mark.django_db
def test_public_feeds_read_back_and_the_personal_feed_adds_the_private_notices(desk):
    analyst = desk["level2_analyst"]
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=TORONTO), tick=False):
        public = publish(
            analyst,
            kind="planned",
            title={"en": "Viewer upgrade", "fr": "Mise à niveau du visualiseur"},
            start="2026-11-15T00:00:00-05:00",
            end="2026-11-15T04:00:00-05:00",
            organisations=["hopital-nord"],
        )
        private = publish(
            analyst,
            kind="unplanned",
            title="Single sign-on failing for North",
            start="2026-11-02T08:30:00-05:00",
            public=False,
        )
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    r = anonymous.get("/feeds/notices.atom")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo
    assert [e.title for e in feed.entries] == [
        "[Interruption planifiée] Mise à niveau du visualiseur"
    ]
    assert feed.entries[0].link.endswith(f"/notices/{public['id']}/")
    assert "dimanche 15 novembre 2026 00:00" in feed.entries[0].summary

    cal = icalendar.Calendar.from_ical(anonymous.get("/feeds/notices.ics").content)
    events = cal.walk("VEVENT")
    notice = next(e for e in events if str(e["uid"]) == f"notice-{public['id']}@escalade")
    assert notice.decoded("dtstart") == dt.datetime(2026, 11, 15, 0, tzinfo=TORONTO)
    assert notice.decoded("dtend") == dt.datetime(2026, 11, 15, 4, tzinfo=TORONTO)
    window = next(e for e in events if "RRULE" in e)
    assert window["rrule"]["FREQ"] == ["WEEKLY"] and window["rrule"]["BYDAY"] == ["SU"]
    start = window.decoded("dtstart")
    assert (start.weekday(), start.hour, str(start.tzinfo)) == (6, 0, "America/Toronto")
    assert (window.decoded("dtend") - start) == dt.timedelta(hours=6)
    zones = [str(z["tzid"]) for z in cal.walk("VTIMEZONE")]
    assert "America/Toronto" in zones
    assert all(str(e["uid"]) != f"notice-{private['id']}@escalade" for e in events)

    key = feed_key(desk["level1_agent"]).key
    mine = feedparser.parse(anonymous.get(f"/feeds/{key}/notices.atom").content)
    assert {e.link.rsplit("/", 2)[-2] for e in mine.entries} == {
        str(public["id"]),
        str(private["id"]),
    }
    mine_ics = icalendar.Calendar.from_ical(anonymous.get(f"/feeds/{key}/notices.ics").content)
    assert len([e for e in mine_ics.walk("VEVENT") if "RRULE" not in e]) == 2
    assert anonymous.get("/feeds/not-a-key/notices.atom").status_code == 404


def subject(message) -> str:
    return " ".join(str(make_header(decode_header(message["Subject"]))).split())


@pytest.mark.django_db(transaction=True)
def test_a_notice_is_mailed_to_each_contact_in_their_language(desk, smtp):  # noqa: F811
    publish(
        desk["level2_analyst"],
        kind="unplanned",
        title={"en": "Clinical viewer unavailable", "fr": "Visualiseur clinique indisponible"},
        user_action={"en": "Use the downtime procedure.", "fr": "Suivez la procédure de relève."},
        start="2026-11-23T08:00:00-05:00",
        organisations=["hopital-nord"],
    )
    run_worker()
    by_address = {rcpt[0]: msg for rcpt, msg in smtp.messages}
    assert set(by_address) == {
        "soutien@hopital-nord.example.org",
        "c.ouellet@hopital-nord.example.org",
        "m.dubois@hopital-nord.example.org",
        "n.roy@hopital-nord.example.org",
    }
    fr = by_address["c.ouellet@hopital-nord.example.org"]
    assert subject(fr) == (
        "[Avis de service] Interruption imprévue : Visualiseur clinique indisponible"
    )
    body = fr.get_payload(decode=True).decode()
    assert "Suivez la procédure de relève." in body and "lundi 23 novembre 2026 08:00" in body
    en = by_address["m.dubois@hopital-nord.example.org"]
    assert subject(en) == "[Service notice] Unplanned interruption: Clinical viewer unavailable"
    assert "Use the downtime procedure." in en.get_payload(decode=True).decode()


def test_the_feeds_speak_the_readers_language(desk, ontario):
    """Accept-Language first; ?lang= for a calendar address; a personal feed fetched
    without the header speaks its owner's language."""
    from escalade.accounts.models import Profile

    english = Client(HTTP_ACCEPT_LANGUAGE="en-CA,en;q=0.9")
    r = english.get("/feeds/notices.atom")
    assert "<title>Service notices</title>" in r.content.decode()
    assert r["Content-Language"] == "en" and "Accept-Language" in r["Vary"]
    french = Client(HTTP_ACCEPT_LANGUAGE="fr-CA")
    assert "X-WR-CALNAME:Avis de service" in french.get("/feeds/notices.ics").content.decode()
    # a French browser's session cookie does not decide a calendar address's language
    english.cookies["django_language"] = "fr-ca"
    assert (
        "X-WR-CALNAME:Service notices"
        in english.get("/feeds/notices.ics", {"lang": "en"}).content.decode()
    )
    user = desk["level1_agent"]
    Profile.objects.update_or_create(user=user, defaults={"language": "en"})
    key = feed_key(user).key
    bare = Client()
    assert "X-WR-CALNAME:Service notices" in bare.get(f"/feeds/{key}/notices.ics").content.decode()
    Profile.objects.filter(user=user).update(language="fr-ca")
    assert "X-WR-CALNAME:Avis de service" in bare.get(f"/feeds/{key}/notices.ics").content.decode()
