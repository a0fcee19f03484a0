"""Forty calls about one outage: while Pau's RIS and PACS are down (the runbook
activated), a level-1 agent logs a call by keyboard; the form shows the outage's
incident as a known incident in progress, Alt+J saves the call attached to it, the
agent reads back the call's own number, and the outage page and the wallboard count it."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def test_a_call_is_attached_to_the_outage_in_progress_by_keyboard(live_server, page, make_user):
    from conftest import ROOT
    from escalade.core.packs import load_pack
    from escalade.incidents.models import Incident
    from escalade.runbooks.services import activate

    pau = load_pack(ROOT / "packs" / "ch-pau-imaging").institution
    technician = make_user("it_technician", [pau], username="pau-it")
    make_user("level1_agent", [pau], username="pau-agent")
    outage = activate(technician, pau, "case4_ris_pacs")
    parent = outage.incident.number

    sign_in(page, live_server.url, "pau-agent", lang="fr-ca")
    page.keyboard.press("Alt+n")
    page.wait_for_url(re.compile(r"/incidents/new/"))
    # the outage is shown before a word is typed: every call may be about it
    known = page.locator("#known")
    expect(known).to_contain_text("Incident connu en cours")
    expect(known).to_contain_text(parent)
    expect(known.locator(".badge.major")).to_have_text("panne")

    expect(page.locator("#id_requester_phone")).to_be_focused()
    page.keyboard.type("05 59 92 48 48")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("Dr Laborde")
    page.keyboard.press("Tab")  # role: clinician is first
    page.keyboard.press("Tab")
    page.keyboard.type("Urgences")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # no telehealth session
    page.keyboard.type("Dysfonctionnement du PACS")
    page.keyboard.press("Tab")
    page.keyboard.type("Images non visibles aux urgences")
    expect(known).to_contain_text("0 appel rattaché")
    page.keyboard.press("Alt+j")  # one key: saved, attached to the outage's incident

    page.wait_for_url(re.compile(r"/incidents/[A-Z]+-\d{4}-\d{6}/\?logged=1"))
    number = page.locator("#readback-number").inner_text().strip()
    assert number != parent  # the caller is given their own number
    expect(page.locator("#attached-banner")).to_contain_text(parent)
    expect(page.locator("#ticket-number")).to_have_count(0)  # no ticket of its own
    call = Incident.objects.get(number=number)
    assert call.parent.number == parent and call.requester_language == "fr"

    page.goto(f"{live_server.url}/outages/{outage.pk}/")
    expect(page.locator("#attached-calls")).to_contain_text("1 appel rattaché")
    page.goto(f"{live_server.url}/incidents/{parent}/")
    expect(page.locator("#attached-calls")).to_contain_text(number)


def test_the_guide_of_the_symptom_opens_beside_the_form_and_solves_the_call_by_keyboard(
    live_server, page, staff
):
    from escalade.incidents.models import Incident

    sign_in(page, live_server.url, "level1_agent")
    page.keyboard.press("Alt+n")
    page.wait_for_url(re.compile(r"/incidents/new/"))
    page.locator("#id_requester_name").fill("Dr Martin")
    page.locator("#id_requester_site").fill("Lachine")
    page.locator("#id_symptom").focus()
    page.keyboard.type("Simple sound")  # the guide of the symptom opens beside the form
    guide = page.locator("#guide")
    expect(guide).to_contain_text("mute key")
    page.locator("#id_summary").fill("No sound")
    page.keyboard.press("Alt+g")  # to the guide's first check
    expect(page.locator("#solved-1")).to_be_focused()
    page.keyboard.press("Tab")  # its "Next"
    page.keyboard.press("Enter")
    expect(page.locator("#solved-2")).to_be_focused()
    page.keyboard.press("Enter")  # solved at the second check: saved, resolved
    page.wait_for_url(re.compile(r"/incidents/CCT-\d{4}-\d{6}/\?logged=1"))
    call = Incident.objects.get(number=page.locator("#readback-number").inner_text().strip())
    assert (call.status, call.guide_step, call.severity) == ("resolved", 2, "minor")
