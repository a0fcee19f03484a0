"""The outage pages, as the IT service and the imaging staff use them: a runbook printed
with its blank registry sheet, activation, the banner on every page and the kiosk, the
registry keyed in, the return to normal, reconciliation, close."""

import re

import pytest
from django.test import Client

from escalade.runbooks.models import Outage, RegistryEntry

pytestmark = pytest.mark.django_db


def signed_in(user, lang="fr"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_a_runbook_page_prints_with_the_blank_registry_sheet(pau, crew):
    page = signed_in(crew["level1_agent"]).get("/runbooks/case4_ris_pacs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "RIS et PACS en panne" in html and "Registre du mode dégradé (annexe 1)" in html
    assert html.count("<tr><td>&nbsp;</td>") == 12  # twelve blank lines to fill by hand
    assert "Hotline informatique" in html


def test_an_outage_through_the_pages(pau, crew):
    it = signed_in(crew["it_technician"])
    r = it.post("/runbooks/case3_pacs/", {"note": "Salle 2"})
    assert r.status_code == 302
    outage = Outage.objects.get()
    assert r["Location"] == f"/outages/{outage.pk}/"
    # the banner on any page of the institution's users, and the kiosk without sign-in
    home = signed_in(crew["telehealth_technician"]).get("/notices/")
    assert 'id="broadcast-banner"' in home.content.decode()
    assert "PACS en panne" in home.content.decode()
    kiosk = Client().get("/display/", {"group": "imaging"})
    assert kiosk.status_code == 200 and "PACS en panne" in kiosk.content.decode()
    assert "escalade/display.js" in kiosk.content.decode()  # read again every 2 seconds
    # the registry keyed in at a workstation; the identity is not shown to its author
    tech = signed_in(crew["telehealth_technician"])
    r = tech.post(
        f"/outages/{outage.pk}/entries/",
        {
            "last_name": "Durand",
            "first_name": "Léa",
            "birth_date": "01/02/1980",
            "exam": "Radio thorax",
            "modality": "CR",
        },
    )
    assert r.status_code == 302
    page = tech.get(f"/outages/{outage.pk}/").content.decode()
    assert "Durand" not in page and "Radio thorax" in page
    bad = tech.post(f"/outages/{outage.pk}/entries/", {"last_name": "Roy"})
    assert bad.status_code == 422 and "Ce champ est obligatoire" in bad.content.decode()
    assert RegistryEntry.objects.count() == 1
    # return to normal with the end broadcast edited before it goes out
    r = it.post(
        f"/outages/{outage.pk}/restore/",
        {"title-0": "Panne du PACS", "message-0": "Le PACS fonctionne à nouveau depuis 11 h."},
    )
    assert r.status_code == 302
    page = it.get(f"/outages/{outage.pk}/").content.decode()
    assert "Le PACS fonctionne à nouveau depuis 11 h." in page and "Durand, Léa" in page
    r = it.post(f"/outages/{outage.pk}/close/", {"review_needed": "no"})
    assert r.status_code == 409 and "Encore ouvert" in r.content.decode()
    entry = RegistryEntry.objects.get()
    for n in re.findall(r'id="step-(\d+)" class="open"', page):
        it.post(f"/outages/{outage.pk}/steps/{n}/", {"state": "done"})
    r = it.post(
        f"/outages/{outage.pk}/entries/{entry.pk}/reconcile/", {"ipp": "7654321", "episode": "88"}
    )
    assert r.status_code == 302
    r = it.post(f"/outages/{outage.pk}/close/", {"review_needed": "yes"})
    assert r.status_code == 302
    outage.refresh_from_db()
    assert outage.state == "closed" and outage.review_needed is True


def test_another_institution_s_outage_is_not_found(pau, crew, staff):
    it = signed_in(crew["it_technician"])
    it.post("/runbooks/case3_pacs/", {})
    outage = Outage.objects.get()
    other = signed_in(staff["it_technician"])
    assert other.get(f"/outages/{outage.pk}/").status_code == 404
    assert other.post(f"/outages/{outage.pk}/close/", {"review_needed": "no"}).status_code == 404
    assert signed_in(crew["requester"]).get("/runbooks/").status_code == 403


def test_a_runbook_as_pdf_with_its_registry_sheet(pau, crew):
    import io

    from pypdf import PdfReader

    r = signed_in(crew["level1_agent"]).get("/runbooks/case1_label.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(r.content)).pages
    first = pages[0].extract_text()
    assert "Cas N°1" in first and "Hotline informatique" in first
    assert re.search(r"\[\s*\] 2\. ", first)  # steps with a box to tick by hand
    sheet = pages[-1]
    assert sheet.mediabox.width > sheet.mediabox.height  # the registry sheet, landscape
    assert "Registre du mode dégradé (annexe 1)" in sheet.extract_text()
