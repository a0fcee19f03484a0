"""A patient's problem with a provincial platform on a Saturday, followed through the
guided flow to the plan: the support centre is closed and opens Monday at 07:00."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def test_patient_platform_problem_on_saturday(live_server, page, make_user):
    from conftest import ROOT
    from escalade.accounts.choices import Role
    from escalade.core.packs import load_pack

    inst = load_pack(ROOT / "packs" / "ciusss-emtl").institution
    make_user(Role.LEVEL1_AGENT, [inst], username="emtl-agent")
    sign_in(page, live_server.url, "emtl-agent", then="/help/?at=2026-11-28T10:00")  # a Saturday
    expect(page.locator("#question")).to_have_text("Who needs help?")
    page.keyboard.press("2")  # A patient
    page.wait_for_url(re.compile(r"requester=patient"))
    page.keyboard.press("1")  # A technical problem
    page.wait_for_url(re.compile(r"need=technical_problem"))
    page.get_by_role("link", name=re.compile("provincial platform")).click()
    page.wait_for_url(re.compile(r"subject=provincial_platform"))

    phone = page.locator("li.channel", has_text="1 833 564-0404").first
    expect(phone.locator(".badge")).to_have_text("closed")
    expect(phone.locator(".next-open")).to_have_text("Opens Monday 30 November 07:00")
    expect(page.locator("#plan")).to_contain_text("The CSI does not support patients.")
    page.screenshot(path="test-results/e2e-route-saturday.png", full_page=True)
