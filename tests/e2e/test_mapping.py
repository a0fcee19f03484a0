"""The expert maps a source's new codes by keyboard in a real browser: searches the
provincial codes, types them in the rows, saves; the page then shows them mapped."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def test_the_expert_maps_codes_by_keyboard(live_server, page, ontario, make_user):
    from escalade.datasources import services
    from escalade.datasources.models import DataSource, Mapping
    from escalade.datasources.tests.test_terminology import provinces_workbook

    expert = make_user("level2_analyst", [ontario], username="expert")
    services.import_worksheet(expert, DataSource.objects.get(code="nord-lab"), provinces_workbook())
    sign_in(page, live_server.url, "expert", then="/datasources/nord-lab/")
    page.locator("#code-search").fill("potassium")
    # the suggestions now hold the provincial codes that match, and only those
    expect(page.locator("#provincial-codes option")).to_have_count(1)
    assert page.locator("#provincial-codes option").get_attribute("value") == "2823-3"
    page.locator("#validated-by").fill("Dr Chantal Ouellet")
    page.locator("#target-1").focus()
    page.keyboard.type("2823-3")
    page.keyboard.press("Tab")
    page.keyboard.type("4548-4")
    page.locator("#mapping-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/datasources/nord-lab/$"))
    assert page.locator("#mapped").inner_text().count("Dr Chantal Ouellet") == 2
    mapped = dict(Mapping.objects.values_list("local_code", "target"))
    assert (mapped["KPL"], mapped["HBA1C-X"], mapped["TROP-HS"]) == ("2823-3", "4548-4", "")
