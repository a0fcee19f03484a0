"""On a phone (390 px) the header folds behind a Menu button: the call form's first field
and the help plan's first level are on screen without scrolling, and the on-call
person's number is on one line; a session's facts in French leave room to read the values;
an incident's actions come before its timeline."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def test_the_header_folds_behind_a_menu_button_on_a_phone(live_server, browser, staff, cusm):
    from conftest import ROOT
    from escalade.accounts.models import Membership
    from escalade.core.packs import load_pack

    ciusss = load_pack(ROOT / "packs" / "ciusss-emtl").institution
    Membership.objects.create(user=staff["level1_agent"], institution=ciusss)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-CA")
    page = context.new_page()
    sign_in(page, live_server.url, "level1_agent", then="/incidents/new/")
    header = page.locator("header.top").bounding_box()
    assert header["height"] <= 60, header
    expect(page.locator("#id_requester_phone")).to_be_in_viewport()
    expect(page.locator("header nav")).to_be_hidden()

    toggle = page.get_by_role("button", name=re.compile("Menu"))
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Queues")).to_be_visible()
    toggle.click()
    expect(page.locator("header nav")).to_be_hidden()

    page.goto(
        f"{live_server.url}/help/?requester=staff&need=technical_problem&subject=org_equipment"
    )
    expect(page.locator("main .panel.level-1 h3")).to_be_in_viewport()

    # whoever is on call now (the technicians by day, IT on call at night): their number
    # is read and tapped whole, on one line, in the on-call table's narrow column
    page.goto(f"{live_server.url}/oncall/")
    number = page.locator('#on-call a[href^="tel:"]').first
    expect(number).to_be_visible()
    assert number.evaluate("a => a.getClientRects().length") == 1

    wide = context.new_page()
    wide.set_viewport_size({"width": 1366, "height": 768})
    wide.goto(f"{live_server.url}/incidents/")
    expect(wide.get_by_role("link", name="Queues")).to_be_visible()
    expect(wide.locator("#menu-toggle")).to_be_hidden()

    # the facts of a session in French, whose longest label is long: the label wraps, the
    # value keeps the room to be read (they took a letter's width) and nothing scrolls
    from escalade.telesessions.tests.factories import make_session

    session = make_session(staff["level1_agent"], cusm, external_ref="TS-390")
    french = context.new_page()
    sign_in(french, live_server.url, "level1_agent", "fr-ca", then=f"/telesessions/{session.pk}/")
    site = french.locator("dl.facts dd", has_text="Hôpital de Gatineau")
    assert site.bounding_box()["width"] >= 150, site.bounding_box()
    assert french.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    # its technical sheet's incident number, on one line in a narrow column
    from escalade.incidents.tests.factories import log

    number = log(staff["level1_agent"], cusm, symptom="codec", session_ref="TS-390").number
    french.goto(f"{live_server.url}/telesessions/{session.pk}/sheet/")
    link = french.locator(f'#sheet a:text("{number}")')
    lines = "e => { const r = document.createRange(); r.selectNodeContents(e.firstChild); return r.getClientRects().length; }"
    assert link.evaluate(lines) == 1

    # the incident's page: its actions come right after its facts, before the timeline
    # (the person paged takes it in charge without scrolling through its history); on a
    # desktop they stay in their column beside the facts
    french.goto(f"{live_server.url}/incidents/{number}/")
    take = french.locator("aside.actions form.panel button.primary").first
    expect(take).to_have_text("Prendre en charge")
    facts = french.locator("#h-facts").bounding_box()
    timeline = french.locator("#h-timeline").bounding_box()
    assert facts["y"] < take.bounding_box()["y"] < timeline["y"]
    wide.goto(f"{live_server.url}/incidents/{number}/")
    beside = wide.locator("aside.actions").bounding_box()
    assert beside["x"] > wide.locator("#h-facts").bounding_box()["x"] + 400
    assert beside["y"] < wide.locator("#h-timeline").bounding_box()["y"]

    context.close()
