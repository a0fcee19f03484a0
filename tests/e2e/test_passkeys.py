"""Passkeys in a real browser, with the Content-Security-Policy enforced: Chromium's
virtual authenticator (its WebAuthn testing interface, as a security key would answer)
registers a passkey for an administrator who must have a second factor, then gives it
after the password at the next sign-in; a cancelled prompt says so in place."""

import re

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]
PASSWORD = "pw-Escalade-1"


def virtual_authenticator(page) -> tuple:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    made = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, made["authenticatorId"]


def password(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/?next=/incidents/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.keyboard.press("Enter")


def test_an_administrator_adds_a_passkey_then_signs_in_with_it(
    live_server, page, settings, make_user, cusm
):
    settings.ESCALADE_OTP = "admins"
    make_user("manager", [cusm], username="root-admin", is_superuser=True, is_staff=True)
    blocked = []
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    cdp, authenticator = virtual_authenticator(page)

    password(page, live_server.url, "root-admin")
    page.wait_for_url(re.compile(r"/account/second-factor/"))
    page.goto(f"{live_server.url}/incidents/")  # not before a second factor
    page.wait_for_url(re.compile(r"/account/second-factor/"))
    page.get_by_label("Name of the new passkey").fill("Clé USB du bureau")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("The passkey is added")).to_be_visible()
    expect(page.get_by_role("cell", name="Clé USB du bureau", exact=True)).to_be_visible()
    assert WebAuthnCredential.objects.get().name == "Clé USB du bureau"
    saved = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(saved) == 1
    page.goto(f"{live_server.url}/incidents/")
    expect(page).to_have_url(re.compile(r"/incidents/"))  # the new passkey verified the session
    page.get_by_role("button", name="Sign out").click()

    # at the next sign-in, another key is plugged in: it holds no passkey for Escalade
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator})
    _cdp, other = virtual_authenticator(page)
    password(page, live_server.url, "root-admin")
    page.wait_for_url(re.compile(r"/login/second-factor/"))
    expect(page.locator("#id_code")).to_have_count(0)  # a passkey only: no code to type
    page.get_by_role("button", name="Use my passkey").click()
    expect(page.locator("#passkey-status")).to_contain_text("not given", timeout=20000)
    expect(page).to_have_url(re.compile(r"/login/second-factor/"))
    # the right key: signed in, where the person was going
    cdp.send("WebAuthn.addCredential", {"authenticatorId": other, "credential": saved[0]})
    page.get_by_role("button", name="Use my passkey").click()
    page.wait_for_url(re.compile(r"/incidents/"))
    expect(page.locator(".who")).to_contain_text("root-admin")
    assert WebAuthnCredential.objects.get().sign_count >= 1
    assert blocked == []
