"""Signing in through the hospital's OpenID provider in a real browser, with the
Content-Security-Policy enforced: the button, the provider's own page, back at Escalade
with the roles the groups give; sign-out ends the session at the provider too."""

import re

import pytest
from playwright.sync_api import expect

from escalade.accounts.tests import oidc_provider

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def test_sign_in_at_the_provider_land_with_the_roles_and_sign_out_there(
    live_server, page, settings, oidc_provider_server
):
    provider = oidc_provider_server
    provider.allow(live_server.url)
    settings.ESCALADE_OIDC_PROVIDERS = oidc_provider.escalade_settings(provider)
    blocked = []
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/incidents/")
    page.get_by_role("link", name="Sign in with Hospital account").click()
    expect(page.get_by_role("heading", name="Hospital ID")).to_be_visible()
    page.locator("#id_username").fill("tina")
    page.locator("#id_password").fill(oidc_provider.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(live_server.url) + r"/incidents/"))
    expect(page.locator(".who")).to_contain_text("tina")
    expect(page.locator(".who")).to_contain_text("Level-1 agent")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(re.escape(live_server.url) + r"/login/"))
    page.goto(provider.base)
    expect(page.locator("#who")).to_have_text("")  # signed out at the provider too
    assert blocked == []
