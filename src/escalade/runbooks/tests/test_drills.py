"""A runbook run as a drill (seed 004 section VII: the review has figures): announced,
then activated by the team; no incident, nobody paged, broadcasts marked as an exercise
and sent to the drill group's screens only; the units confirm from those screens; the
time to activate, until every unit confirmed and to reconcile are kept per run and shown
on the runbook."""

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client

from escalade.accounts.services import create_api_token
from escalade.core.errors import Code, Conflict
from escalade.incidents.models import Incident
from escalade.notifications.models import OutgoingMail
from escalade.oncall.models import Paging
from escalade.runbooks import selectors, services
from escalade.runbooks.models import Broadcast, UnitConfirmation

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)


def signed_in(user, lang="fr"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_a_drill_from_its_announcement_to_its_figures(pau, crew):
    it = crew["it_technician"]
    incidents_before, mails_before = Incident.objects.count(), OutgoingMail.objects.count()
    page = signed_in(it, "en")
    with time_machine.travel(T0, tick=False):
        r = page.post("/runbooks/case4_ris_pacs/drill/")
        assert r.status_code == 302
    # the team activates it four minutes later
    with time_machine.travel(T0 + dt.timedelta(minutes=4), tick=False):
        html = page.get("/runbooks/case4_ris_pacs/").content.decode()
        assert 'id="drill-announced"' in html
        r = page.post("/runbooks/case4_ris_pacs/", {"drill": "1", "note": "", "incident": ""})
        assert r.status_code == 302
    outage = pau_outage = selectors.outages(pau).get()
    assert outage.drill and outage.incident is None
    assert Incident.objects.count() == incidents_before  # no incident, no ticket
    assert not Paging.objects.exists()  # nobody paged
    assert OutgoingMail.objects.count() == mails_before  # no real mailing list written to
    # the broadcasts: marked, to the drill screens only; not on the banner of every page
    broadcasts = list(Broadcast.objects.filter(outage=outage))
    assert broadcasts and {b.group for b in broadcasts} == {"drill"}
    assert all(b.title["fr"].startswith("[EXERCICE]") for b in broadcasts)
    kiosk = Client(HTTP_ACCEPT_LANGUAGE="fr")
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        assert "EXERCICE" not in kiosk.get("/display/", {"host": "MRADI001"}).content.decode()
        assert "EXERCICE" in kiosk.get("/display/", {"host": "EXERCICE01"}).content.decode()
        banner = signed_in(crew["level1_agent"]).get("/notices/").content.decode()
        assert "EXERCICE" not in banner
    # the units answer from the drill screens, the last one 9 minutes after activation
    for n, c in enumerate(UnitConfirmation.objects.filter(outage=outage).order_by("id")):
        with time_machine.travel(T0 + dt.timedelta(minutes=6 + 3 * n), tick=False):
            services.confirm_unit(None, c, "kiosk")
    assert services.check_units(outage.pk, "degraded", T0 + dt.timedelta(hours=1)) == 0
    # an entry in the registry, the return, its reconciliation 20 minutes later
    entry = services.add_entry(
        it,
        outage,
        {
            "last_name": "Exercice",
            "first_name": "Patient",
            "birth_date": dt.date(1970, 1, 1),
            "exam": "Radio thorax",
            "modality": "CR",
        },
    )
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        services.restore(it, outage)
    with time_machine.travel(T0 + dt.timedelta(minutes=50), tick=False):
        services.reconcile(it, entry.__class__.objects.get(pk=entry.pk), "123456", "1")
    pau_outage.refresh_from_db()
    figures = selectors.run_figures(pau_outage)
    assert figures == {
        "activate_s": 4 * 60,
        "units": 3,
        "all_confirmed_s": 8 * 60,  # the third unit at 4 + 8 = 12 minutes
        "reconcile_s": 20 * 60,
    }
    # the runbook shows the run beside the real outages, for its review
    html = page.get("/runbooks/case4_ris_pacs/").content.decode()
    row = html[html.index(f'id="run-{outage.pk}"') :].split("</tr>")[0]
    assert "drill" in row and "4 min" in row and "8 min" in row and "20 min" in row
    # it counts in no statistics of outages
    since, until = T0 - dt.timedelta(days=1), T0 + dt.timedelta(days=1)
    assert selectors.outage_figures(pau, since, until)["count"] == 0


def test_a_drill_never_stands_in_the_way_of_the_real_outage(pau, crew):
    it = crew["it_technician"]
    drill = services.activate(it, pau, "case3_pacs", drill=True)
    real = services.activate(it, pau, "case3_pacs")  # the PACS really fails meanwhile
    assert real.incident is not None and not real.drill and drill.pk != real.pk
    with pytest.raises(Conflict) as refused:
        services.announce_drill(it, pau, "case3_pacs")
    assert refused.value.code == Code.ALREADY_RUNNING
    assert Paging.objects.filter(incident=real.incident).exists()  # the real one pages


def test_the_api_announces_and_runs_a_drill(pau, crew):
    it = crew["it_technician"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(it, 'drill')}")
    r = api.post("/api/runbooks/case1_label/drill", json.dumps({}), content_type="application/json")
    assert r.status_code == 200 and r.json()["runbook"] == "case1_label"
    r = api.post(
        "/api/outages",
        json.dumps({"runbook": "case1_label", "drill": True}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["drill"] is True and body["incident"] is None
    assert body["figures"]["activate_s"] is not None and body["figures"]["units"] == 2
    requester = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(crew['requester'], 'x')}")
    r = requester.post(
        "/api/runbooks/case1_label/drill", json.dumps({}), content_type="application/json"
    )
    assert r.status_code == 403
