"""A level-2 analyst publishes planned work too late: the form says the earliest start
in place; marked urgent with a reason, it is published, and a user of the affected
organisation sees it in the banner of every page."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def test_late_planned_work_needs_urgency_and_reaches_the_banner(
    live_server, page, browser, make_user
):
    from conftest import ROOT
    from escalade.catalog.models import Organisation
    from escalade.core.packs import load_pack

    inst = load_pack(ROOT / "packs" / "ontario-viewer").institution
    make_user("level2_analyst", [inst], username="on-analyst")
    reader = make_user("requester", [inst], username="north-nurse")
    Organisation.objects.get(institution=inst, code="hopital-nord").members.add(reader)

    sign_in(page, live_server.url, "on-analyst", then="/notices/new/")
    tomorrow = dt.datetime.now(ZoneInfo("America/Toronto")).date() + dt.timedelta(days=1)
    page.locator("#id_title").fill("Database patch on the viewer")
    page.locator("#id_start").fill(f"{tomorrow}T01:00")
    page.locator("#id_end").fill(f"{tomorrow}T02:00")
    page.get_by_label("North Regional Hospital").check()
    page.get_by_label("I confirm this work falls outside the maintenance windows").check()
    page.get_by_role("button", name="Publish").click()
    error = page.locator("#id_start_error")
    expect(error).to_contain_text("at least 5 business days ahead")
    expect(error).to_contain_text("Mark it urgent")
    page.get_by_label("Urgent (less than the notice period)").check()
    page.get_by_label("Reason for urgency").fill("Vendor security fix")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/notices/\d+/$"))
    expect(page.locator("h1")).to_contain_text("Database patch on the viewer")

    other = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-CA")
    nurse = other.new_page()
    sign_in(nurse, live_server.url, "north-nurse")
    expect(nurse.locator("#notice-banner")).to_contain_text("Database patch on the viewer")
    nurse.screenshot(path="test-results/e2e-notice-banner.png", full_page=True)
    other.close()
