"""Notices by API and page: the five-business-day rule and its audited urgent override,
the maintenance window confirmation, updates, resolution, links to incidents, the banner,
organisations' own interruptions, and the statistics' outage minutes."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from escalade.accounts.services import create_api_token
from escalade.catalog.models import Organisation
from escalade.core.models import AuditEvent
from escalade.incidents.tests.factories import log
from escalade.notices.models import Interruption, Notice
from escalade.notices.services.interruptions import render_interruption
from escalade.notices.tests.factories import planned
from escalade.notifications.models import Notification, OutgoingMail

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
NOW = dt.datetime(2026, 12, 23, 15, 0, tzinfo=TORONTO)  # a Wednesday before Christmas


def client_of(user, lang="en"):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE=lang)


def post(client, path, body, method="post"):
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


def test_a_planned_notice_inside_the_notice_period_is_refused_with_the_earliest_start(desk):
    api = client_of(desk["level2_analyst"])
    with time_machine.travel(NOW, tick=False):
        late = planned(
            dt.datetime(2027, 1, 3, 1, tzinfo=TORONTO), dt.datetime(2027, 1, 3, 5, tzinfo=TORONTO)
        )
        r = post(api, "/api/notices", late)
        assert r.status_code == 422
        errors = r.json()["errors"]
        assert errors[0]["field"] == "start"
        assert "5 business days" in errors[0]["message"]
        assert "Monday 4 January 2027 00:00" in errors[0]["message"]
        assert not Notice.objects.exists() and not OutgoingMail.objects.exists()
        r = post(api, "/api/notices", {**late, "urgent": True})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "urgent_reason"
        r = post(api, "/api/notices", {**late, "urgent": True, "urgent_reason": "Security patch"})
        assert r.status_code == 201, r.content
        notice = Notice.objects.get()
        override = AuditEvent.objects.get(action="urgent_override", object_id=str(notice.pk))
        assert override.actor == desk["level2_analyst"]
        assert override.data["reason"] == "Security patch"
        # Sunday 10 January, inside the window and 5+ business days ahead: accepted as is.
        ok = planned(
            dt.datetime(2027, 1, 10, 0, tzinfo=TORONTO), dt.datetime(2027, 1, 10, 6, tzinfo=TORONTO)
        )
        r = post(api, "/api/notices", ok)
        assert r.status_code == 201 and r.json()["outside_window"] is False
        assert not AuditEvent.objects.filter(
            action="urgent_override", object_id=str(r.json()["id"])
        )


def test_planned_work_outside_the_maintenance_window_asks_for_confirmation(desk):
    api = client_of(desk["level2_analyst"])
    body = planned(
        dt.datetime(2027, 1, 12, 20, tzinfo=TORONTO), dt.datetime(2027, 1, 12, 22, tzinfo=TORONTO)
    )
    with time_machine.travel(NOW, tick=False):
        r = post(api, "/api/notices", body)
        assert r.status_code == 422
        assert r.json()["errors"] == [
            {
                "field": "outside_window_ok",
                "code": "outside_window",
                "message": "This work falls outside the maintenance windows (Sunday maintenance "
                "(applications, antivirus, OS patches)). Confirm to publish it anyway.",
            }
        ]
        r = post(api, "/api/notices", {**body, "outside_window_ok": True})
    assert r.status_code == 201 and r.json()["outside_window"] is True


def test_bad_notices_name_every_bad_field_and_write_nothing(desk):
    api = client_of(desk["level2_analyst"])
    r = post(
        api,
        "/api/notices",
        {
            "kind": "sometimes",
            "title": "",
            "start": "2027-01-10T06:00:00-05:00",
            "end": "2027-01-10T05:00:00-05:00",
            "organisations": ["nowhere"],
        },
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"kind", "title", "end", "organisations"}
    assert "nowhere" in next(
        e["message"] for e in r.json()["errors"] if e["field"] == "organisations"
    )
    r = post(
        api, "/api/notices", {"kind": "unplanned", "title": "x", "start": "2027-01-10T06:00:00"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "start"  # no time zone
    agent = client_of(desk["level1_agent"])
    r = post(
        agent, "/api/notices", {"kind": "unplanned", "title": "x", "start": "2027-01-10T06:00:00Z"}
    )
    assert r.status_code == 403
    assert not Notice.objects.exists()


def test_an_unplanned_notice_gets_updates_a_resolution_and_linked_incidents(cusm, staff, desk):
    api = client_of(staff["level2_analyst"])
    r = post(
        api,
        "/api/notices",
        {
            "kind": "unplanned",
            "title": {"en": "Provincial network (RITM) down", "fr": "Panne du RITM"},
            "start": "2026-11-23T08:10:00-05:00",
            "services": ["RITM"],
        },
    )
    assert r.status_code == 201, r.content
    notice_id = r.json()["id"]
    assert r.json()["title"] == "Provincial network (RITM) down" and r.json()["end"] is None
    r = post(api, f"/api/notices/{notice_id}/updates", {"body": "The carrier is on site."})
    assert r.status_code == 201 and r.json()["updates"][0]["body"] == "The carrier is on site."
    incident = log(staff["level1_agent"], cusm, symptom="ritm")
    r = post(api, f"/api/notices/{notice_id}/incidents", {"number": incident.number})
    assert r.json()["incidents"] == [incident.number]
    assert AuditEvent.objects.filter(action="linked", object_type="incident").count() == 1
    r = post(api, f"/api/notices/{notice_id}/incidents", {"number": "CCT-2026-999999"})
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "number"
    # the incident page shows the notice that explains it, in the reader's language
    page = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    page.force_login(staff["level1_agent"])
    html = page.get(f"/incidents/{incident.number}/").content.decode()
    assert 'id="notices"' in html and "Panne du RITM" in html
    r = post(
        api,
        f"/api/notices/{notice_id}",
        {"state": "resolved", "resolution": "Fibre repaired."},
        "patch",
    )
    assert r.status_code == 200 and r.json()["state"] == "resolved"
    assert r.json()["end"] is not None and r.json()["resolution"] == "Fibre repaired."
    r = post(api, f"/api/notices/{notice_id}/updates", {"body": "late"})
    assert r.status_code == 409
    # another institution's user cannot read it
    other = client_of(desk["level2_analyst"])
    assert other.get(f"/api/notices/{notice_id}").status_code == 404


def test_the_banner_shows_current_notices_to_members_of_the_affected_organisations(
    ontario, desk, make_user
):
    nord = Organisation.objects.get(institution=ontario, code="hopital-nord")
    ouest = Organisation.objects.get(institution=ontario, code="labo-ouest")
    reader = make_user("requester", [ontario], username="nord-user")
    outsider = make_user("requester", [ontario], username="ouest-user")
    nord.members.add(reader)
    ouest.members.add(outsider)
    api = client_of(desk["level2_analyst"])
    r = post(
        api,
        "/api/notices",
        {
            "kind": "unplanned",
            "title": "Viewer slow for North",
            "start": dt.datetime.now(dt.UTC).isoformat(),
            "organisations": ["hopital-nord"],
        },
    )
    assert r.status_code == 201
    assert Notification.objects.filter(user=reader, kind="notice_published").count() == 1
    for user, shown in ((reader, True), (outsider, False), (desk["level1_agent"], True)):
        page = Client(HTTP_ACCEPT_LANGUAGE="en")
        page.force_login(user)
        html = page.get("/notices/").content.decode()
        assert ('id="notice-banner"' in html and "Viewer slow for North" in html) is shown


def test_an_organisation_reports_its_own_interruption_and_the_desk_acknowledges(ontario, desk):
    local = client_of(desk["level1_agent"])
    path = "/api/organisations/clinique-est/interruptions"
    r = post(local, path, {"kind": "planned", "start": "2027-01-05T09:00:00-05:00"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "systems"
    r = post(
        local,
        path,
        {
            "kind": "unplanned",
            "systems": "HIS interface to the repository",
            "start": "2026-11-23T07:30:00-05:00",
            "reporter_name": "Julie Tremblay",
            "reporter_contact": "613-555-0142",
        },
    )
    assert r.status_code == 201, r.content
    row = Interruption.objects.get()
    assert row.organisation.code == "clinique-est"
    note = Notification.objects.get(user=desk["level1_agent"], kind="interruption_reported")
    assert note.params["systems"] == "HIS interface to the repository"
    mail = OutgoingMail.objects.get()
    assert mail.to == ["servicedesk@ehealthontario.on.ca"]
    assert "\nSystems affected: HIS interface to the repository\n" in mail.body
    with translation.override("fr-ca"):  # French writes its colon after a space
        assert "\nSystèmes touchés\u00a0: HIS interface" in render_interruption(row)
    r = local.post(f"/api/interruptions/{row.pk}/acknowledge")
    assert r.status_code == 200 and r.json()["acknowledged_by"] == "on-level1_agent"
    first = r.json()["acknowledged_at"]
    assert local.post(f"/api/interruptions/{row.pk}/acknowledge").json()["acknowledged_at"] == first
    assert AuditEvent.objects.filter(action="acknowledged").count() == 1


def test_statistics_do_not_count_planned_work_inside_the_window_as_an_outage(ontario, desk):
    api = client_of(desk["level2_analyst"])
    with time_machine.travel(dt.datetime(2026, 10, 1, 12, tzinfo=TORONTO), tick=False):
        inside = planned(
            dt.datetime(2026, 10, 18, 1, tzinfo=TORONTO),
            dt.datetime(2026, 10, 18, 5, tzinfo=TORONTO),
        )
        assert post(api, "/api/notices", inside).status_code == 201
        outside = planned(
            dt.datetime(2026, 10, 18, 5, tzinfo=TORONTO),
            dt.datetime(2026, 10, 18, 8, tzinfo=TORONTO),
            outside_window_ok=True,
        )
        assert post(api, "/api/notices", outside).status_code == 201
    unplanned = {
        "kind": "unplanned",
        "title": "Viewer down",
        "start": "2026-10-20T10:00:00-04:00",
        "end": "2026-10-20T10:45:00-04:00",
    }
    assert post(api, "/api/notices", unplanned).status_code == 201
    stats = api.get(
        "/api/stats", {"from": "2026-10-01", "to": "2026-10-31", "institution": "ontario-viewer"}
    )
    assert stats.status_code == 200, stats.content
    figures = stats.json()["service_interruptions"]
    # 2 hours of the second planned notice are outside the window (06:00-08:00) + 45 min
    assert figures == {"unplanned": 1, "planned": 2, "outage_minutes": 120 + 45}


def test_the_publish_form_shows_errors_in_place(desk):
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    with time_machine.travel(NOW, tick=False):
        page.force_login(desk["level2_analyst"])
        html = page.get("/notices/new/").content.decode()
        assert "the earliest start now is Monday 4 January 2027 00:00" in html
        r = page.post(
            "/notices/new/",
            {
                "kind": "planned",
                "title": "Patch",
                "start": "2026-12-27T01:00",
                "end": "2026-12-27T05:00",
                "organisations": ["hopital-nord"],
                "public": "on",
            },
        )
        assert r.status_code == 422
        html = r.content.decode()
        assert 'id="id_start_error"' in html and "Mark it urgent" in html
        r = page.post(
            "/notices/new/",
            {
                "kind": "planned",
                "title": "Patch",
                "start": "2026-12-27T01:00",
                "end": "2026-12-27T05:00",
                "organisations": ["hopital-nord"],
                "urgent": "on",
                "urgent_reason": "Zero-day",
            },
        )
        assert r.status_code == 302
    notice = Notice.objects.get()
    assert notice.start == dt.datetime(2026, 12, 27, 1, tzinfo=TORONTO) and notice.urgent
    assert not notice.public


def test_the_banner_shows_the_notices_of_the_institution_worked_in_naming_its_desk(
    ontario, cusm, desk, make_user
):
    api = client_of(desk["level2_analyst"])
    r = post(
        api,
        "/api/notices",
        {
            "kind": "unplanned",
            "title": "Viewer down province-wide",
            "start": dt.datetime.now(dt.UTC).isoformat(),
        },
    )
    assert r.status_code == 201
    both = make_user("level1_agent", [cusm, ontario], username="both-desks")
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(both)
    page.post("/institution/", {"institution": "cusm"})
    assert "Viewer down province-wide" not in page.get("/incidents/").content.decode()
    page.post("/institution/", {"institution": "ontario-viewer"})
    html = page.get("/incidents/").content.decode()
    assert 'id="notice-banner"' in html and "Viewer down province-wide" in html
    assert "ConnexionOntario service desk" in html  # the desk that issued it


def test_a_cancelled_notice_reads_in_the_masculine_a_cancelled_session_in_the_feminine():
    from django.utils import translation

    from escalade.notices.choices import NoticeState
    from escalade.telesessions.choices import SessionStatus

    with translation.override("fr-ca"):
        assert str(NoticeState.CANCELLED.label) == "Annulé"  # un avis
        assert str(SessionStatus.CANCELLED.label) == "Annulée"  # une séance
