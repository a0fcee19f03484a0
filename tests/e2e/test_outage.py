"""Seed 004 case 4 run in a browser: the IT technician activates the runbook, the banner
and the imaging kiosk both show the warning, two patients are keyed into the registry
by keyboard, the return to normal goes out, both entries are reconciled, the return
steps ticked, and the outage closes."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def key_in(page, last, first, born, exam, modality):
    page.locator("#id_last_name").fill(last)
    page.keyboard.press("Tab")
    page.keyboard.type(first)
    page.keyboard.press("Tab")
    page.keyboard.type(born)  # typed as on the paper sheet, in Pau's order (day first)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_ipp"  # the Tab is not swallowed
    page.locator("#id_exam").fill(exam)
    page.locator("#id_modality").fill(modality)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/outages/\d+/\?next=entry$"))
    # the cursor waits on the next entry's name
    expect(page.locator("#id_last_name")).to_be_focused()


def test_an_outage_from_activation_to_close(live_server, page, browser, make_user):
    from conftest import ROOT
    from escalade.core.packs import load_pack

    pau = load_pack(ROOT / "packs" / "ch-pau-imaging").institution
    make_user("it_technician", [pau], username="pau-it")
    url = live_server.url

    sign_in(page, url, "pau-it", then="/runbooks/case4_ris_pacs/")
    page.get_by_role("button", name="Open the outage and send the broadcasts").click()
    page.wait_for_url(re.compile(r"/outages/\d+/$"))
    expect(page.locator("#broadcast-banner")).to_contain_text("RIS and PACS down")
    expect(page.locator("#outage-state")).to_have_text("Degraded mode")
    # opened at the top: its state, incident and whom to call first, not the registry
    assert page.evaluate("window.scrollY") == 0
    assert page.evaluate("document.activeElement.tagName") == "BODY"
    expect(page.locator("#outage-state")).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Whom to call now")).to_be_in_viewport()
    expect(page.locator("main")).not_to_contain_text("imaging_reading")

    kiosk_context = browser.new_context(locale="fr-CA")
    kiosk = kiosk_context.new_page()
    kiosk.goto(f"{url}/display/?group=imaging")
    expect(kiosk.locator("#display")).to_contain_text("RIS et PACS en panne")
    expect(kiosk.locator("#display")).to_contain_text('fiche "mode dégradé"')

    key_in(page, "Durand", "Léa", "01021980", "Chest X-ray", "CR")
    key_in(page, "Martin", "Paul", "06/05/1950", "CT head", "CT")
    expect(page.locator("#entries tbody tr")).to_have_count(2)
    expect(page.locator("#entries")).to_contain_text("Durand, Léa")

    page.get_by_role("button", name="Start the return to normal").click()
    page.wait_for_url(re.compile(r"/outages/\d+/$"))
    expect(page.locator("#outage-state")).to_have_text("Returning to normal")
    expect(page.locator("#broadcast-banner")).to_contain_text("The RIS and the PACS work again.")
    # the kiosk refreshes by itself within 2 seconds
    expect(kiosk.locator("#display")).to_contain_text(
        "Le RIS et le PACS fonctionnent à nouveau.", timeout=4000
    )
    expect(kiosk.locator("#display")).not_to_contain_text("en panne")
    kiosk_context.close()  # it polls every 2 s: not after the test's database is gone

    for _ in range(2):
        row = page.locator(
            "#entries tbody tr", has=page.locator("button", has_text="Reconcile")
        ).first
        row.locator("input[name=ipp]").fill("7654321")
        row.locator("input[name=episode]").fill("88")
        row.get_by_role("button", name="Reconcile").click()
        page.wait_for_url(re.compile(r"/outages/\d+/$"))
    expect(page.locator("#entries")).to_contain_text("Reconciled")

    page.get_by_role("button", name="Close the outage").click()  # work left, question open
    expect(page.locator("#outage-error")).to_contain_text("Still open: return steps")
    open_steps = page.locator("#checklist li.open")
    left = open_steps.count()
    assert left >= 2  # the degraded-mode steps, then the return steps
    while left:
        open_steps.first.get_by_role("button", name="Done").click()
        left -= 1
        expect(open_steps).to_have_count(left)
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="Close the outage").click()
    page.wait_for_url(re.compile(r"/outages/\d+/$"))
    expect(page.locator("#outage-state")).to_have_text("Closed")
