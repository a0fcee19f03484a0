"""Organisations' designated contacts (seed 002): kept by the desk, flagged when not
confirmed for the pack's period, the organisation asked once (then every 30 days), and
confirmed by the desk or by the contact's own link."""

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from escalade.accounts.services import create_api_token
from escalade.catalog import rules, services
from escalade.catalog.models import Contact, ContactCheck, Organisation
from escalade.core.models import AuditEvent
from escalade.notifications.models import OutgoingMail

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def test_the_staleness_rule():
    confirmed = dt.datetime(2026, 1, 31, 12, tzinfo=UTC)
    assert rules.stale_since(confirmed, 6) == dt.datetime(2026, 7, 31, 12, tzinfo=UTC)
    assert rules.check_key(confirmed, dt.datetime(2026, 7, 31, 11, tzinfo=UTC), 6) is None
    first = rules.check_key(confirmed, dt.datetime(2026, 7, 31, 12, tzinfo=UTC), 6)
    assert first == rules.check_key(confirmed, dt.datetime(2026, 8, 29, 12, tzinfo=UTC), 6)
    assert first != rules.check_key(confirmed, dt.datetime(2026, 8, 30, 12, tzinfo=UTC), 6)


def api_of(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en")


def test_contacts_by_api_with_clear_errors(desk):
    api = api_of(desk["level1_agent"])
    orgs = api.get("/api/organisations").json()["items"]
    assert {o["code"] for o in orgs} == {"hopital-nord", "clinique-est", "labo-ouest"}
    nord = next(o for o in orgs if o["code"] == "hopital-nord")
    assert len(nord["contacts"]) == 4 and nord["stale_contacts"] == 0
    path = "/api/organisations/labo-ouest/contacts"
    r = api.post(
        path,
        json.dumps({"role": "boss", "name": "", "phone": "555", "language": "de"}),
        content_type="application/json",
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"role", "name", "phone", "language"}
    r = api.post(
        path,
        json.dumps(
            {
                "role": "phi_designate",
                "name": "Dre Amélie Chen",
                "phone": "(416) 555-0199",
                "extension": "12",
                "language": "fr",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["phone"] == "+14165550199" and r.json()["stale"] is False
    assert len(api.get(path).json()["items"]) == 3
    assert api.get("/api/organisations/nowhere/contacts").status_code == 404
    requester = api_of(desk["requester"])
    assert (
        requester.post(
            path,
            json.dumps({"role": "phi_designate", "name": "X", "email": "x@example.org"}),
            content_type="application/json",
        ).status_code
        == 403
    )


def test_stale_contacts_are_flagged_and_their_organisation_asked_once(ontario, desk):
    nord = Organisation.objects.get(institution=ontario, code="hopital-nord")
    old = timezone.now() - dt.timedelta(days=200)
    Contact.objects.filter(organisation=nord, role="interface_specialist").update(confirmed_at=old)
    api = api_of(desk["level1_agent"])
    view = next(
        o for o in api.get("/api/organisations").json()["items"] if o["code"] == "hopital-nord"
    )
    assert view["stale_contacts"] == 1
    assert services.ask_stale_contacts(base_url="https://escalade.example.org") == 1
    mails = list(OutgoingMail.objects.order_by("pk"))
    assert {m.to[0] for m in mails} == {
        "soutien@hopital-nord.example.org",
        "c.ouellet@hopital-nord.example.org",
        "m.dubois@hopital-nord.example.org",
        "n.roy@hopital-nord.example.org",
    }
    french = next(m for m in mails if m.to == ["soutien@hopital-nord.example.org"])
    assert (
        french.subject
        == "Veuillez confirmer vos personnes-ressources désignées (Hôpital régional du Nord)"
    )
    assert "Chantal Ouellet (Spécialiste des interfaces)" in french.body
    english = next(m for m in mails if m.to == ["m.dubois@hopital-nord.example.org"])
    assert "keep your contacts current" in english.body.lower()
    assert services.ask_stale_contacts() == 0  # the same day, or a second worker: nothing
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert services.ask_stale_contacts() == 1  # still stale a month later: asked again
    assert ContactCheck.objects.count() == 2
    # The link in the e-mail: opening it changes nothing, the button confirms.
    link = french.body.split("https://escalade.example.org")[1].split()[0]
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "This contact is still right" in page.get(link).content.decode()
    contact = Contact.objects.get(organisation=nord, role="interface_specialist")
    assert contact.confirmed_at == old
    assert 'id="confirmed"' in page.post(link).content.decode()
    contact.refresh_from_db()
    assert contact.confirmed_at > old
    assert AuditEvent.objects.filter(action="confirmed", object_id=str(contact.pk)).count() == 1
    assert page.get("/contacts/confirm/forged-token/").status_code == 404


def test_the_desk_confirms_and_adds_contacts_on_the_page(ontario, desk):
    nord = Organisation.objects.get(institution=ontario, code="hopital-nord")
    contact = Contact.objects.get(organisation=nord, role="registration_lead")
    Contact.objects.filter(pk=contact.pk).update(
        confirmed_at=timezone.now() - dt.timedelta(days=400)
    )
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(desk["level1_agent"])
    html = page.get("/organisations/hopital-nord/").content.decode()
    assert "to confirm" in html
    page.post("/organisations/hopital-nord/", {"action": "confirm", "contact": contact.pk})
    assert "to confirm" not in page.get("/organisations/hopital-nord/").content.decode()
    r = page.post(
        "/organisations/hopital-nord/",
        {"role": "service_desk", "name": "Night desk", "phone": "12", "language": "en"},
    )
    assert r.status_code == 422 and 'id="id_phone_error"' in r.content.decode()
    r = page.post(
        "/organisations/hopital-nord/",
        {
            "role": "service_desk",
            "name": "Night desk",
            "email": "nuit@hopital-nord.example.org",
            "language": "en",
        },
    )
    assert r.status_code == 302
    assert "Night desk" in page.get("/organisations/hopital-nord/").content.decode()
    orgs = api_of(desk["level1_agent"]).get("/api/organisations").json()["items"]
    assert next(o for o in orgs if o["code"] == "hopital-nord")["stale_contacts"] == 0


def test_seed_003s_particularities_links_and_calendar_month(db):
    from django.test import Client

    from conftest import ROOT
    from escalade.accounts.services import create_user
    from escalade.catalog.models import Channel, Licence, Provider
    from escalade.core.packs import load_pack

    emtl = load_pack(ROOT / "packs" / "ciusss-emtl").institution
    dsp = Provider.objects.get(institution=emtl, code="dsp")
    assert dsp.exclusions == [] and len(dsp.particularities) == 2
    urls = {
        str(v)
        for v in Channel.objects.filter(provider__institution=emtl).values_list("value", flat=True)
    }
    assert "https://cemtl.octopus-itsm.com/Web/RequestList.aspx" in urls
    assert any("Processus_demande_implantation" in str(u) for u in urls)
    assert any("Gestion_risque" in str(u) for u in urls)
    assert "https://telesantequebec.ca/patient/services/svmv/mpoc/" in urls
    assert Licence.objects.get(institution=emtl, product="Zoom Santé").lead_months == 1
    user = create_user(
        "cat-reader", password="pw-Escalade-1", roles=["level1_agent"], institutions=[emtl]
    )
    c = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    c.force_login(user)
    html = c.get("/catalogue/").content.decode()
    assert "Particularités" in html and "RequestList.aspx" in html
