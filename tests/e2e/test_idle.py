"""The idle warning in a real browser: it appears before the sign-out, "Stay signed in"
keeps the session, and at the end the page goes to the sign-in page."""

import time

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM
from .test_notices import sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def test_the_idle_warning_then_the_sign_out(live_server, page, staff, settings):
    settings.ESCALADE_IDLE_MINUTES = 0.1  # 6 s
    settings.ESCALADE_IDLE_WARNING_SECONDS = 5  # shown 1 s after the page loads
    sign_in(page, live_server.url, "level1_agent")
    warning = page.locator("#idle-warning")
    expect(warning).to_be_visible(timeout=8000)
    expect(page.locator("#idle-stay")).to_be_focused()
    # clicked with the mouse, "stay" tells the server (it once hid itself on mousedown,
    # before its click, and told no one)
    with page.expect_response("**/account/alive/") as alive:
        page.locator("#idle-stay").click()
    stayed = time.monotonic()
    assert alive.value.status == 200
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=8000)  # idle again
    page.wait_for_url("**/login/**", timeout=15000)
    # the session lasted its 6 s from "stay", and the page went once to the sign-in page,
    # when the server had signed it out: not early, sent back to the page by the server
    assert time.monotonic() - stayed >= 6
    expect(page).to_have_url(f"{live_server.url}/login/?next=%2Fincidents%2F")
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("signed out after 0.1 minutes")
    page.goto(f"{live_server.url}/incidents/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/incidents/")
