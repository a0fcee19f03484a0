"""A page acknowledged from a phone (390 px, no sign-in): the e-mail's link shows one
large button; tapping it stops the paging and says so (Content-Security-Policy as users
get it)."""

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def test_the_person_paged_acknowledges_from_a_phone(live_server, browser, cusm, make_user):
    from escalade.incidents.tests.factories import log
    from escalade.oncall import services
    from escalade.oncall.models import Page, Paging

    # every member of the MUHC's teams has an account: whoever is on call now is paged
    for username in ("tech", "t.nguyen", "chieftech", "ittech", "j.cote"):
        make_user("telehealth_technician", [cusm], username=username, email=f"{username}@x.org")
    agent = make_user("level1_agent", [cusm])
    incident = log(agent, cusm, symptom="bridge")
    page_row = Page.objects.filter(paging__incident=incident, channel="app", state="sent").first()
    assert page_row is not None, list(Page.objects.values_list("username", "state"))
    link = f"{live_server.url}/pages/{page_row.pk}/ack/{services.ack_token(page_row)}/"

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-CA")
    phone = context.new_page()
    errors = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone.goto(link)
    button = phone.get_by_role("button", name="Je m'en occupe")
    expect(button).to_be_in_viewport()
    box = button.bounding_box()  # a target for a thumb: the screen's width, tall
    assert box["width"] >= 360 and box["height"] >= 60, box
    button.click()
    expect(phone.locator("#ack-state")).to_contain_text("Prise en charge confirmée")
    assert Paging.objects.get(incident=incident).state == "acknowledged"
    assert not errors, errors


def test_a_unit_confirms_it_works_on_paper_from_its_kiosk_screen(live_server, browser, make_user):
    """Seed 004: the imaging kiosk shows the warning and one large button; pressed, the
    unit's answer is on the outage page, and the screen thanks it (CSP enforced)."""
    from conftest import ROOT
    from escalade.core.packs import load_pack
    from escalade.runbooks import services as outages
    from escalade.runbooks.models import UnitConfirmation

    pau = load_pack(ROOT / "packs" / "ch-pau-imaging").institution
    it = make_user("it_technician", [pau])
    outage = outages.activate(it, pau, "case4_ris_pacs")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    kiosk = context.new_page()
    errors = []
    kiosk.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    kiosk.goto(f"{live_server.url}/display/?group=imaging&unit=nuclear_medicine")
    expect(kiosk.locator("#display")).to_contain_text("RIS et PACS en panne")
    button = kiosk.get_by_role("button", name="Notre unité travaille sur papier")
    expect(button).to_be_in_viewport()
    button.click()
    expect(kiosk.locator(".thanks")).to_contain_text("réponse de votre unité est enregistrée")
    expect(kiosk.locator("#confirm-unit")).to_have_count(0)
    row = UnitConfirmation.objects.get(outage=outage, unit__code="nuclear_medicine")
    assert row.via == "kiosk" and row.confirmed_at is not None
    assert errors == []  # no script or style refused by the Content-Security-Policy
    context.close()
