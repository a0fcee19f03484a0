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
    button.click()
    expect(phone.locator("#ack-state")).to_contain_text("Prise en charge confirmée")
    assert Paging.objects.get(incident=incident).state == "acknowledged"
    assert not errors, errors
