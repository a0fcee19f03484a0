"""The guided flow and the catalogue page."""

import pytest

from conftest import ROOT
from escalade.accounts.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def emtl_page(client, db, make_user):
    from escalade.core.packs import load_pack

    inst = load_pack(ROOT / "packs" / "ciusss-emtl").institution
    client.force_login(make_user(Role.LEVEL1_AGENT, [inst], username="emtl-agent"))
    client.cookies["django_language"] = "en"
    return client


def test_three_answers_lead_to_the_plan(emtl_page):
    html = emtl_page.get("/help/").content.decode()
    assert "Who needs help?" in html and "requester=patient" in html
    html = emtl_page.get("/help/?requester=patient&need=technical_problem").content.decode()
    assert "subject=provincial_platform" in html and "subject=lent_equipment" in html
    assert "subject=org_equipment" not in html  # staff-only rows are not offered for a patient
    html = emtl_page.get(
        "/help/?requester=patient&need=technical_problem&subject=provincial_platform"
        "&at=2026-11-28T10:00"
    ).content.decode()
    assert "1 833 564-0404" in html and "Opens Monday 30 November 07:00" in html
    assert "AH-223" in html


def test_the_internet_connection_asks_where(emtl_page):
    html = emtl_page.get(
        "/help/?requester=staff&need=technical_problem&subject=internet_connection"
    ).content.decode()
    assert "Where is the connection?" in html and "location=personal_connection" in html
    html = emtl_page.get(
        "/help/?requester=staff&need=technical_problem&subject=internet_connection"
        "&location=personal_connection"
    ).content.decode()
    assert "Contact your Internet provider." in html and 'class="notice unsupported"' in html


def test_the_plan_reads_in_french(emtl_page):
    emtl_page.cookies["django_language"] = "fr-ca"
    html = emtl_page.get(
        "/help/?requester=staff&need=technical_problem&subject=personal_equipment"
    ).content.decode()
    assert "Les équipements personnels ne sont pas supportés." in html
    assert "Ce cas n&#x27;est pas supporté par l&#x27;établissement." in html


def test_the_catalogue_answers_who_handles_zoom_licences(emtl_page):
    html = emtl_page.get("/catalogue/?q=zoom+licences").content.decode()
    assert 'id="provider-audiovisual"' in html and 'id="provider-csi"' not in html
    html = emtl_page.get("/catalogue/").content.decode()
    assert html.count('class="panel provider"') == 8
